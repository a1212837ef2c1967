import { describe, expect, it } from 'vitest';
import { PAGE_FORMAT, pageGraph } from '../graph-page/lean-graph';
import { appendBadges } from './appenders/badges';
import { appendBoxes } from './appenders/boxes';
import { directElements, graphElements, programReplays, toElements } from './elements';
import { graphJsonBytes, graphJsonChunks, graphJsonStream } from './graph-json';
import { wholeResponsesOf } from './responses';
import { RateTally, Tally } from './tally';
import {
  assembleSamples,
  BOOKINFO,
  bucketSamples,
  type EdgeSpec,
  mapOf,
  requestSample,
} from './test-samples';
import type { ResponseCounts, TrafficEdge, TrafficMap } from './traffic-map';
import type { EdgeData, EgressScope, Graph, NodeData } from './types';

const { productpage, reviewsV1, reviewsV2, ratings, REVIEWS, RATINGS } = BOOKINFO;

function graph(over: Partial<Graph> = {}): Graph {
  const edges = [
    { reporter: 'source' as const, from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 / 3 },
    {
      reporter: 'source' as const,
      from: productpage,
      to: reviewsV2,
      service: REVIEWS,
      code: '503',
      rps: 0.7,
    },
    { reporter: 'destination' as const, from: reviewsV2, to: ratings, service: RATINGS, rps: 2 },
  ];
  const a = assembleSamples({
    graphType: 'versionedApp',
    injectServiceNodes: true,
    includeIdleEdges: false,
    namespaces: [],
    requests: edges.map(requestSample),
    latencyBuckets: bucketSamples(
      edges[0] as EdgeSpec,
      [10, 100, Number.POSITIVE_INFINITY],
      [0.1, 0.3, 1 / 3],
    ),
  });
  return {
    timestamp: 1_700_000_000,
    duration: 60,
    graphType: 'versionedApp',
    elements: { nodes: a.nodes.map((data) => ({ data })), edges: a.edges.map((data) => ({ data })) },
    warnings: [{ code: 'envoy_stats_unavailable', message: 'not "there"\n' }],
    ...over,
  };
}

async function streamed(g: Graph, perChunk: number): Promise<string> {
  return new Response(graphJsonStream(g, perChunk)).text();
}

describe('graph JSON in chunks', () => {
  it('writes exactly what JSON.stringify writes, for every chunk size', async () => {
    for (const g of [graph(), graph({ latency: 'omitted' }), graph({ latencyTime: 1_699_999_990 })]) {
      const whole = JSON.stringify(g);
      for (const n of [1, 2, 3, 50]) {
        expect([...graphJsonChunks(g, n)].join('')).toBe(whole);
        expect(await streamed(g, n)).toBe(whole);
      }
    }
  });

  it('sends the UTF-8 bytes of the JSON, names beyond ASCII included', async () => {
    const g = graph();
    // é is one byte in Latin-1 but two in UTF-8; 名 and the emoji are not Latin-1 at all.
    for (const name of ['ascii', 'ré', '名前', 'a😀b']) {
      const named = {
        ...g,
        elements: {
          nodes: g.elements.nodes.map((n, i) => (i === 1 ? { data: { ...n.data, app: name } } : n)),
          edges: g.elements.edges,
        },
      } as Graph;
      const whole = Buffer.from(JSON.stringify(named), 'utf8');
      for (const n of [1, 2, 50]) {
        const bytes = Buffer.from(await new Response(graphJsonStream(named, n)).arrayBuffer());
        expect(bytes.equals(whole)).toBe(true);
      }
    }
  });

  it('leaves out undefined members and writes an empty graph', () => {
    const g = { ...graph(), latency: undefined, elements: { nodes: [], edges: [] } } as Graph;
    expect([...graphJsonChunks(g)].join('')).toBe(JSON.stringify(g));
  });

  it('sends a large graph in many pieces, none holding the whole', () => {
    const g = graph();
    const many = { ...g, elements: { nodes: Array(120).fill(g.elements.nodes[0]), edges: g.elements.edges } };
    const chunks = [...graphJsonChunks(many as Graph, 10)];
    const whole = JSON.stringify(many);
    expect(chunks.length).toBeGreaterThan(12);
    expect(Math.max(...chunks.map((c) => c.length))).toBeLessThan(whole.length / 5);
  });

  it('says once when the answer stops reading the graph: read to its end, cancelled, or failed', async () => {
    const g = graph();
    // Two pieces or more (a pull writes ~1 MB), so a reader can stop between them.
    const big = { ...g, elements: { nodes: Array(6000).fill(g.elements.nodes[0]), edges: [] } } as Graph;
    for (const stringify of [false, true]) {
      if (stringify) process.env.MESHLENS_GRAPH_JSON_STRINGIFY = '1';
      try {
        let done = 0;
        const whole = await new Response(graphJsonStream(big, 50, () => done++)).text();
        expect(whole).toBe(JSON.stringify(big));
        expect(done).toBe(1);
        done = 0;
        const reader = graphJsonStream(big, 50, () => done++).getReader();
        expect((await reader.read()).done).toBe(false);
        expect(done).toBe(0);
        await reader.cancel();
        await reader.cancel();
        expect(done).toBe(1);
        done = 0;
        const failing = { ...g, warnings: [{ code: 'x', message: 1n }] } as unknown as Graph;
        await expect(new Response(graphJsonStream(failing, 50, () => done++)).text()).rejects.toThrow();
        expect(done).toBe(1);
      } finally {
        delete process.env.MESHLENS_GRAPH_JSON_STRINGIFY;
      }
    }
  });
});

describe('graph JSON written from the elements toElements made', () => {
  const reviewsV3 = { ns: 'bookinfo', wl: 'reviews-v3', app: 'reviews', version: 'v3' } as const;
  const details = { ns: 'bookinfo', wl: 'details-v1', app: 'details', version: 'v1' } as const;
  const DETAILS = 'details.bookinfo.svc.cluster.local';
  const specs: EdgeSpec[] = [
    { reporter: 'source', from: productpage, to: reviewsV1, service: REVIEWS, rps: 1 / 3 },
    { reporter: 'source', from: productpage, to: reviewsV2, service: REVIEWS, code: '503', rps: 0.7 },
    { reporter: 'destination', from: reviewsV2, to: ratings, service: RATINGS, rps: 2 },
    { reporter: 'destination', from: reviewsV3, to: ratings, service: RATINGS, code: '0', rps: 0.25 },
    {
      reporter: 'source',
      from: productpage,
      to: details,
      service: 'details.bookinfo.svc.cluster.local',
      rps: 1.1,
    },
    // Codes, flags and hosts that an object's keys put apart (array indices first, ascending): response maps
    // written from the counts in JSON's order.
    {
      reporter: 'source',
      from: productpage,
      to: details,
      service: DETAILS,
      code: '1000',
      flags: '7',
      rps: 0.5,
    },
    {
      reporter: 'source',
      from: productpage,
      to: details,
      service: DETAILS,
      code: 'x',
      flags: 'UF',
      rps: 0.25,
    },
    { reporter: 'source', from: productpage, to: details, service: '42', code: '0', flags: '-', rps: 0.125 },
    { reporter: 'source', from: productpage, to: details, service: '7', code: '0', flags: '3', rps: 0.5 },
  ];

  // Kept from poll to poll (a kept reading's latencies, a Sidecar's scope): the same objects each round.
  const latencies = [Object.freeze({ p50: 1.5, p95: 20, p99: 99.99 }), Object.freeze({ p50: 2, p95: 30.25 })];
  const scopes = [0, 1].map(
    (k) =>
      Object.freeze({
        sidecar: 'ns/s',
        appliesBy: 'namespace',
        hosts: Object.freeze([`./${k}`]),
      }) as EgressScope,
  );

  /**
   * A traffic map with every optional field of the elements set on every other one, and rates, principals, names
   * and kept objects that change between rounds (`round`) while the objects around them stay the same.
   */
  function map(round: number): TrafficMap {
    const m = mapOf(specs);
    appendBoxes(m);
    appendBadges(m, { virtualServices: [], serviceEntries: [], destinationRules: [] }, undefined);
    const odd = round % 2;
    let i = 0;
    for (const n of m.nodes.values()) {
      n.inbound = { ...n.inbound, total: n.inbound.total * (1 + round / 7) };
      n.out *= 1 + round / 3;
      if (i % 2 === 0) {
        n.isServiceEntry = odd ? 'MESH_INTERNAL' : 'MESH_EXTERNAL';
        n.isEgressGateway = true;
        n.egressScope = scopes[odd] as EgressScope;
        n.isOutside = round < 3;
        n.hasVS = true;
        n.hasCB = round > 1;
        n.spec = { ...n.spec, isEgressCluster: true };
        n.latency = latencies[(i / 2) % 2];
      }
      if (i % 3 === 0) n.protocol = 'grpc';
      if (i % 5 === 0) {
        n.tcpIn = 1234.5 * (round + 1);
        n.tcpOut = 10;
      }
      i++;
    }
    let j = 0;
    for (const e of m.edges.values()) {
      e.rates = { ...e.rates, total: e.rates.total * (1 + round / 11) };
      if (j % 2 === 0) {
        e.mtlsWarning = `plaintext ${odd}`;
        e.refusal = round > 2 ? 'refused' : undefined;
        e.tlsOrigination = odd ? 'MUTUAL' : 'SIMPLE';
        e.tcp = 512.25 * (round + 1);
        e.latency = latencies[j % 2];
        e.principals = {
          source: `spiffe://cluster.local/ns/bookinfo/sa/${j}-${odd}`,
          dest: `spiffe://x/${odd}`,
        };
        e.mtls = { yes: 1, all: 3 };
      }
      if (j % 3 === 1) e.protocols = protocolsOf(['grpc', 5]);
      if (j % 5 === 2) e.protocols = protocolsOf(['tcp', 5]);
      if (j % 7 === 3) e.protocols = protocolsOf(['http', 1], ['grpc', 2]);
      j++;
    }
    return m;
  }

  type CodeValue = ResponseCounts extends Tally<infer V> ? V : never;

  function protocolsOf(...rates: [string, number][]): RateTally {
    const t = new RateTally();
    for (const [protocol, rps] of rates) t.add(protocol, rps);
    return t;
  }

  /** A graph as `buildGraph` makes it: its elements' arrays made when first read (`graphElements`). */
  function graphOf(m: TrafficMap): Graph {
    return {
      timestamp: 1_700_000_000,
      duration: 60,
      graphType: 'versionedApp',
      elements: graphElements(toElements(m)),
      warnings: [],
    };
  }

  async function bytesOf(g: Graph): Promise<Buffer> {
    return Buffer.from(await new Response(graphJsonStream(g)).arrayBuffer());
  }

  /**
   * The map's answer streamed before and after its elements are read, each against JSON.stringify of another graph of
   * the same map: always straight from the traffic map (the data objects, once made, are frozen).
   */
  async function bothWays(m: TrafficMap): Promise<{ unread: boolean; read: boolean }> {
    const g = graphOf(m);
    if (directElements(g.elements) === undefined) throw new Error('not written from the traffic map');
    const unread = await bytesOf(g);
    const whole = Buffer.from(JSON.stringify(graphOf(m)), 'utf8');
    // Read (JSON.stringify reads its arrays): still written from the traffic map, the same bytes.
    const again = Buffer.from(JSON.stringify(g), 'utf8');
    return { unread: unread.equals(whole), read: (await bytesOf(g)).equals(again) && again.equals(whole) };
  }

  it('writes exactly the UTF-8 of JSON.stringify, poll after poll as the numbers and fields move', async () => {
    for (let round = 0; round < 6; round++) {
      expect(await bothWays(map(round))).toEqual({ unread: true, read: true });
      // Again, from what the writes before kept.
      expect(await bothWays(map(round))).toEqual({ unread: true, read: true });
    }
  });

  it("freezes a built graph's elements once read: what is streamed (from the traffic map) cannot differ", async () => {
    const m = map(1);
    const read = graphOf(m);
    const node = read.elements.nodes[2] as { data: NodeData };
    const edge = read.elements.edges[0] as { data: EdgeData };
    expect(() => {
      node.data.health = node.data.health === 'failure' ? 'healthy' : 'failure';
    }).toThrow(TypeError);
    expect(() => {
      edge.data.rps = 12.5;
    }).toThrow(TypeError);
    expect(() => {
      node.data = { ...node.data };
    }).toThrow(TypeError);
    expect(() => (read.elements.edges as unknown[]).pop()).toThrow(TypeError);
    expect(() => {
      read.elements.nodes = [];
    }).toThrow(TypeError);
    expect((await bytesOf(read)).equals(Buffer.from(JSON.stringify(graphOf(m)), 'utf8'))).toBe(true);
  });

  it('writes a field changed alone between two polls, never the bytes kept from the poll before', async () => {
    type Change = (m: TrafficMap) => void;
    const edge = (m: TrafficMap) =>
      [...m.edges.values()][0] as NonNullable<ReturnType<TrafficMap['edges']['get']>>;
    const node = (m: TrafficMap) =>
      [...m.nodes.values()][0] as NonNullable<ReturnType<TrafficMap['nodes']['get']>>;
    // An edge whose response map is a shared whole one (one code, flag and host): kept from poll to poll.
    const wholeEdge = (m: TrafficMap) => {
      const e = [...m.edges.values()].find((x) => wholeResponsesOf(x.codes, x.rates.total));
      if (e === undefined) throw new Error('no edge of one code, flag and host');
      return e;
    };
    const changes: [string, Change][] = [
      [
        'source principal',
        (m) => {
          edge(m).principals = { ...edge(m).principals, source: 'spiffe://other' };
        },
      ],
      [
        'destination principal',
        (m) => {
          edge(m).principals = { ...edge(m).principals, dest: 'spiffe://other' };
        },
      ],
      [
        'mTLS warning',
        (m) => {
          edge(m).mtlsWarning = 'other words';
        },
      ],
      [
        'refusal',
        (m) => {
          edge(m).refusal = 'refused otherwise';
        },
      ],
      [
        'TLS origination',
        (m) => {
          edge(m).tlsOrigination = 'MUTUAL';
        },
      ],
      [
        'edge latency',
        (m) => {
          edge(m).latency = latencies[1];
        },
      ],
      [
        'mTLS share',
        (m) => {
          edge(m).mtls = { yes: 2, all: 3 };
        },
      ],
      [
        'edge health',
        (m) => {
          edge(m).health = 'failure';
        },
      ],
      [
        'response code',
        (m) => {
          const e = wholeEdge(m);
          e.codes = Tally.of([['404', e.codes.firstValue() as CodeValue]]);
        },
      ],
      [
        'response host',
        (m) => {
          const e = wholeEdge(m);
          const c = e.codes.firstValue() as CodeValue;
          const hosts = new RateTally();
          hosts.add('other.bookinfo.svc.cluster.local', c.hosts.firstValue() as number);
          e.codes = Tally.of([[e.codes.firstKey() as string, { ...c, hosts }]]);
        },
      ],
      [
        'node response flag',
        (m) => {
          const n = [...m.nodes.values()].find((x) => wholeResponsesOf(x.codes, x.inbound.total));
          if (n === undefined) throw new Error('no node of one code, flag and host');
          const c = n.codes.firstValue() as CodeValue;
          const flags = new RateTally();
          flags.add('UF', c.flags.firstValue() as number);
          n.codes = Tally.of([[n.codes.firstKey() as string, { ...c, flags }]]);
        },
      ],
      [
        'edge badges',
        (m) => {
          edge(m).badges = Object.freeze({ live: Object.freeze({ reported: false }) });
        },
      ],
      [
        'service entry',
        (m) => {
          node(m).isServiceEntry = 'MESH_INTERNAL';
        },
      ],
      [
        'egress gateway',
        (m) => {
          node(m).isEgressGateway = false;
        },
      ],
      [
        'egress scope',
        (m) => {
          node(m).egressScope = scopes[1];
        },
      ],
      [
        'workload',
        (m) => {
          node(m).spec = { ...node(m).spec, workload: 'other-v1' };
        },
      ],
      [
        'node latency',
        (m) => {
          node(m).latency = latencies[1];
        },
      ],
      [
        'node health',
        (m) => {
          node(m).health = 'degraded';
        },
      ],
      [
        'outside',
        (m) => {
          node(m).isOutside = false;
        },
      ],
      [
        'virtual service',
        (m) => {
          node(m).hasVS = false;
        },
      ],
      [
        'circuit breaker',
        (m) => {
          node(m).hasCB = false;
        },
      ],
      [
        'parent',
        (m) => {
          node(m).parent = 'box:other';
        },
      ],
    ];
    // Each writer after each: both keep the same records.
    for (const [name, change] of changes) {
      for (const [before, after] of [
        ['direct', 'direct'],
        ['objects', 'direct'],
        ['direct', 'objects'],
      ]) {
        const m = map(0);
        const first = graphOf(m);
        if (before === 'objects') JSON.stringify(first);
        await bytesOf(first);
        change(m);
        const g = graphOf(m);
        if (after === 'objects') JSON.stringify(g);
        const bytes = await bytesOf(g);
        const same = bytes.equals(Buffer.from(JSON.stringify(graphOf(m)), 'utf8'));
        expect({ name, before, after, same }).toEqual({ name, before, after, same: true });
      }
    }
  });

  describe('write programs', () => {
    type Change = (m: TrafficMap) => void;
    // Elements of one code (a response map kept whole) and of two (written from the counts).
    const plainSpecs = specs.slice(0, 5);
    const NO_CONFIG = { virtualServices: [], serviceEntries: [], destinationRules: [] };

    /** A map of HTTP elements (every one can have a program), each series' rate moved by `round` its own way. */
    function plain(round: number, change?: Change, edges: EdgeSpec[] = plainSpecs): TrafficMap {
      const m = mapOf(edges.map((e, k) => ({ ...e, rps: e.rps * (1 + (round * (k + 1)) / 7) })));
      appendBoxes(m);
      appendBadges(m, NO_CONFIG, undefined);
      for (const n of m.nodes.values()) n.latency = latencies[0];
      for (const e of m.edges.values()) e.latency = latencies[0];
      change?.(m);
      return m;
    }

    const first = <T>(values: Iterable<T>): T => {
      for (const v of values) return v;
      throw new Error('empty');
    };
    /** The last node with requests in (a destination): one code, flag and host. */
    const dest = (m: TrafficMap) => {
      const n = [...m.nodes.values()].reverse().find((x) => wholeResponsesOf(x.codes, x.inbound.total));
      if (n === undefined) throw new Error('no node of one code, flag and host');
      return n;
    };
    /** A node reached by a service. */
    const reached = (m: TrafficMap) => {
      const n = [...m.nodes.values()].find((x) => x.destServices !== undefined && x.destServices.size > 0);
      if (n === undefined) throw new Error('no node reached by a service');
      return n;
    };
    /** A node without requests in (a root): no response codes. */
    const root = (m: TrafficMap) => {
      const n = [...m.nodes.values()].find((x) => x.codes.size === 0 && x.spec.nodeType !== 'box');
      if (n === undefined) throw new Error('no root');
      return n;
    };

    /** The graph's answer against JSON.stringify of another graph made from its map. */
    async function same(g: Graph): Promise<boolean> {
      const [m, over] = made.get(g) as [TrafficMap, Partial<Graph>];
      return (await bytesOf(g)).equals(Buffer.from(JSON.stringify({ ...graphOf(m), ...over }), 'utf8'));
    }
    const made = new WeakMap<Graph, [TrafficMap, Partial<Graph>]>();
    function graphFrom(m: TrafficMap, over: Partial<Graph> = {}): Graph {
      const g = { ...graphOf(m), ...over };
      made.set(g, [m, over]);
      return g;
    }

    it('replays every element over HTTP while only its numbers move: the same bytes', async () => {
      for (let round = 0; round < 4; round++) {
        const before = programReplays();
        const g = graphFrom(plain(round));
        expect(await same(g)).toBe(true);
        // From the second poll on, every node and edge (not the boxes) by its program.
        const boxes = g.elements.nodes.filter((n) => n.data.nodeType === 'box').length;
        const replayed = programReplays() - before;
        expect(replayed).toBe(round === 0 ? 0 : g.elements.nodes.length - boxes + g.elements.edges.length);
      }
    });

    it('writes an element again, never its program, when anything but its numbers changed', async () => {
      const changes: [string, Change][] = [
        [
          'edge health',
          (m) => {
            first(m.edges.values()).health = 'failure';
          },
        ],
        [
          'edge latency',
          (m) => {
            first(m.edges.values()).latency = latencies[1];
          },
        ],
        [
          'edge latency gone',
          (m) => {
            first(m.edges.values()).latency = undefined;
          },
        ],
        [
          'edge mTLS share',
          (m) => {
            first(m.edges.values()).mtls = { yes: 2, all: 3 };
          },
        ],
        [
          'edge principal',
          (m) => {
            const e = first(m.edges.values());
            e.principals = { ...e.principals, source: 'spiffe://other' };
          },
        ],
        [
          'edge mTLS warning',
          (m) => {
            first(m.edges.values()).mtlsWarning = 'plaintext';
          },
        ],
        [
          'edge refusal',
          (m) => {
            first(m.edges.values()).refusal = 'refused';
          },
        ],
        [
          'edge TLS origination',
          (m) => {
            first(m.edges.values()).tlsOrigination = 'SIMPLE';
          },
        ],
        [
          'edge TCP bytes',
          (m) => {
            first(m.edges.values()).tcp = 99.5;
          },
        ],
        [
          'edge protocol',
          (m) => {
            first(m.edges.values()).protocols = protocolsOf(['grpc', 5]);
          },
        ],
        [
          'edge reporter',
          (m) => {
            first(m.edges.values()).reporter = 'mixed';
          },
        ],
        [
          'edge badges, other members',
          (m) => {
            first(m.edges.values()).badges = {
              canary: Object.freeze({ weights: '90/10' }),
              live: Object.freeze({ reported: false }),
            } as never;
          },
        ],
        [
          'edge badges, the same members in another object',
          (m) => {
            const e = first(m.edges.values());
            e.badges = { ...e.badges };
          },
        ],
        [
          'edge badges, a member not frozen',
          (m) => {
            first(m.edges.values()).badges = { live: { reported: false } } as never;
          },
        ],
        [
          'edge response code appears',
          (m) => {
            const e = first(m.edges.values());
            const c = e.codes.firstValue() as CodeValue;
            e.codes = Tally.of([
              [e.codes.firstKey() as string, c],
              ['404', c],
            ]);
          },
        ],
        [
          'edge response code changed',
          (m) => {
            const e = first(m.edges.values());
            e.codes = Tally.of([['503', e.codes.firstValue() as CodeValue]]);
          },
        ],
        [
          'node health',
          (m) => {
            dest(m).health = 'degraded';
          },
        ],
        [
          'node reached by another service too',
          (m) => {
            const n = reached(m);
            n.destServices = new Map([
              ...(n.destServices ?? []),
              ['other/x', Object.freeze({ namespace: 'other', name: 'x' })],
            ]);
          },
        ],
        [
          'node reached by another service instead',
          (m) => {
            reached(m).destServices = new Map([
              ['other/x', Object.freeze({ namespace: 'other', name: 'x' })],
            ]);
          },
        ],
        [
          'node latency',
          (m) => {
            dest(m).latency = latencies[1];
          },
        ],
        [
          'node badges emptied',
          (m) => {
            dest(m).badges = {};
          },
        ],
        [
          'node badges, a new live badge',
          (m) => {
            dest(m).badges = { live: Object.freeze({ reported: false }) } as never;
          },
        ],
        [
          'node outside',
          (m) => {
            dest(m).isOutside = true;
          },
        ],
        [
          'node virtual service',
          (m) => {
            dest(m).hasVS = true;
          },
        ],
        [
          'node circuit breaker',
          (m) => {
            dest(m).hasCB = true;
          },
        ],
        [
          'node parent',
          (m) => {
            dest(m).parent = 'box:other';
          },
        ],
        [
          'node workload',
          (m) => {
            dest(m).spec = { ...dest(m).spec, workload: 'other-v1' };
          },
        ],
        [
          'node service entry',
          (m) => {
            dest(m).isServiceEntry = 'MESH_EXTERNAL';
          },
        ],
        [
          'node egress scope',
          (m) => {
            dest(m).egressScope = scopes[0];
          },
        ],
        [
          'node TCP bytes',
          (m) => {
            dest(m).tcpIn = 10;
          },
        ],
        [
          'node protocol',
          (m) => {
            dest(m).protocol = 'grpc';
          },
        ],
        [
          'node response flag changed',
          (m) => {
            const n = dest(m);
            const c = n.codes.firstValue() as CodeValue;
            const flags = new RateTally();
            flags.add('UF', c.flags.firstValue() as number);
            n.codes = Tally.of([[n.codes.firstKey() as string, { ...c, flags }]]);
          },
        ],
        [
          'root node response code appears',
          (m) => {
            const e = first(m.edges.values());
            root(m).codes = e.codes;
          },
        ],
        [
          'root node has requests in',
          (m) => {
            root(m).hasInbound = true;
          },
        ],
        [
          'an edge for another',
          (m) => {
            const [id, e] = [...m.edges][1] as [string, TrafficEdge];
            m.edges.delete(id);
            m.edges.set(`${id}x`, { ...e, id: `${id}x`, target: `${e.target}x` });
          },
        ],
      ];
      for (const [name, change] of changes) {
        // Made, replayed, changed, back, changed again: each against JSON.stringify of its map.
        const polls = [undefined, undefined, change, undefined, change, change];
        const got = [];
        for (let round = 0; round < polls.length; round++)
          got.push(await same(graphFrom(plain(round, polls[round]))));
        expect({ name, got }).toEqual({ name, got: polls.map(() => true) });
      }
    });

    it('writes a response map of several codes in JSON order, whatever order the codes were counted in', async () => {
      // Array-index codes go first, ascending by number; any other after them, in code-unit order.
      const orders = [
        ['503', '200'],
        ['200', '503'],
        ['503', '404', '200'],
        ['404', '200', '503', '1000'],
        ['200', '-', '503'],
        ['x', '503', '-', '0'],
      ];
      const got = [];
      for (let round = 0; round < orders.length * 3; round++) {
        const codes = orders[round % orders.length] as string[];
        const order: Change = (m) => {
          for (const x of [first(m.edges.values()), dest(m)]) {
            const c = x.codes.firstValue() as CodeValue;
            x.codes = Tally.of(codes.map((code) => [code, c] as const));
          }
        };
        got.push(await same(graphFrom(plain(round, order))));
      }
      expect(got).toEqual(got.map(() => true));
    });

    it('writes each view right when views of the same elements interleave, and elements come and go', async () => {
      const more: EdgeSpec[] = [
        ...plainSpecs,
        { reporter: 'source', from: reviewsV1, to: ratings, service: RATINGS, rps: 0.5 },
      ];
      const views: ((round: number) => Graph)[] = [
        (round) => graphFrom(plain(round)),
        // The same elements without latency: another view (its own records).
        (round) =>
          graphFrom(
            plain(round, (m) => {
              for (const e of m.edges.values()) e.latency = undefined;
              for (const n of m.nodes.values()) n.latency = undefined;
            }),
            { latency: 'omitted' },
          ),
        // The same elements, the same view's name, other latencies: one set of records for both.
        (round) =>
          graphFrom(
            plain(round, (m) => {
              for (const e of m.edges.values()) e.latency = latencies[1];
            }),
          ),
        // An edge and its nodes more, then fewer again.
        (round) => graphFrom(plain(round, undefined, more)),
        (round) => graphFrom(plain(round, undefined, plainSpecs.slice(1))),
      ];
      const got = [];
      for (let round = 0; round < 12; round++) {
        for (const view of round % 2 ? views : [...views].reverse()) {
          const g = view(round);
          const ok = await same(g);
          got.push(ok);
        }
      }
      expect(got).toEqual(got.map(() => true));
    });
  });

  it('keeps writing the same bytes as its kept segments are replaced poll after poll and made again', async () => {
    const callers = Array.from({ length: 2_000 }, (_, i) => ({
      ns: 'mesh',
      wl: `caller-${i}-v1`,
      app: `caller-${i}`,
      version: 'v1',
    }));
    const many: EdgeSpec[] = callers.map((from, i) => ({
      reporter: 'source',
      from,
      to: ratings,
      service: RATINGS,
      rps: 1 + i / 100,
    }));
    // An answer of round 3 streamed slowly, across the later polls' answers (and the arena's remakes).
    let slow: { g: Graph; pieces: Generator<Uint8Array>; got: Uint8Array[] } | undefined;
    for (let round = 0; round < 12; round++) {
      const m = mapOf(many);
      let i = 0;
      for (const e of m.edges.values()) {
        // Half the edges' principals new each poll (each edge's every other poll): kept middle segments replaced
        // until the arena is made again, the others written from it before and after.
        const age = Math.floor((round + (i++ % 2)) / 2);
        const long = 'x'.repeat(300 + age);
        e.principals = {
          source: `spiffe://cluster.local/ns/mesh/sa/${e.id}-${age}/${long}`,
          dest: 'spiffe://d',
        };
        e.mtls = { yes: 1, all: 1 };
        e.latency = latencies[0];
      }
      const g = graphOf(m);
      if (round === 3) {
        expect(directElements(g.elements)).toBeDefined();
        const pieces = graphJsonBytes(g, 4_096);
        slow = { g, pieces, got: [] };
        // Into its edges (whose kept segments the later polls replace), then a piece a poll.
        while (!Buffer.concat(slow.got).includes('"edges":[{'))
          slow.got.push(pieces.next().value as Uint8Array);
      }
      expect((await bytesOf(g)).equals(Buffer.from(JSON.stringify(g), 'utf8'))).toBe(true);
      if (slow) slow.got.push(slow.pieces.next().value as Uint8Array);
      // The slow answer's elements read while it is written (a page's lean answer of the same shared build).
      if (slow && round === 7) expect(slow.g.elements.edges.length).toBeGreaterThan(2_000);
    }
    if (!slow) throw new Error('no slow answer');
    for (const piece of slow.pieces) slow.got.push(piece);
    expect(Buffer.concat(slow.got).equals(Buffer.from(JSON.stringify(slow.g), 'utf8'))).toBe(true);
  });

  it('writes elements of other shapes, other wrappers and other orders generically, the same bytes', async () => {
    const g = graphOf(map(1));
    await bytesOf(g);
    const others: Graph[] = [
      pageGraph(g, PAGE_FORMAT, 0),
      {
        ...g,
        elements: {
          nodes: g.elements.nodes.map((n) => ({ ...n, classes: 'dim' })),
          edges: [...g.elements.edges].reverse(),
        },
      },
      { ...g, elements: { nodes: g.elements.nodes.slice(1), edges: g.elements.edges.slice(0, 2) } },
    ];
    for (const other of others) {
      expect((await bytesOf(other)).equals(Buffer.from(JSON.stringify(other), 'utf8'))).toBe(true);
    }
  });

  it('writes in pieces of about the pull size, joined the whole', () => {
    const g = graphOf(map(2));
    const pieces = [...graphJsonBytes(g, 64)];
    expect(pieces.length).toBeGreaterThan(5);
    expect(Buffer.concat(pieces).equals(Buffer.from(JSON.stringify(g), 'utf8'))).toBe(true);
  });
});
