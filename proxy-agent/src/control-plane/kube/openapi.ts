// OpenAPI for kubectl, generated from the zod schemas (the one schema): v3 (`/openapi/v3` index and a
// document per group/version) and v2 (`/openapi/v2`). kubectl reads them to validate before sending,
// for `kubectl explain`, and to learn that PATCH takes `fieldValidation` (server-side validation).
import { createHash } from 'node:crypto';
import { z } from 'zod';
import { groupVersions, kindsOf } from '../../../../lib/mesh-config/api-paths';
import { apiVersionOf, PLURALS } from '../../../../lib/mesh-config/kinds';
import { type MeshKind, SCHEMA_BY_KIND } from '../../../../lib/mesh-config/schema';

type Doc = Record<string, unknown>;

/** Kubernetes' definition names: reversed group, version, kind (io.istio.networking.v1.VirtualService). */
export function definitionName(kind: MeshKind): string {
  const [group, version] = apiVersionOf(kind).split('/') as [string, string];
  return `${group.split('.').reverse().join('.')}.${version}.${kind}`;
}

function gvk(kind: MeshKind) {
  const [group, version] = apiVersionOf(kind).split('/') as [string, string];
  return { group, kind, version };
}

const schemaCache = new Map<MeshKind, Doc>();

/** A kind's schema in OpenAPI 3.0 terms, as clients write it (input), tagged with its GVK. */
export function kindSchema(kind: MeshKind): Doc {
  let s = schemaCache.get(kind);
  if (!s) {
    const { $schema: _s, ...json } = z.toJSONSchema(SCHEMA_BY_KIND[kind], {
      target: 'openapi-3.0',
      io: 'input',
      unrepresentable: 'any',
    }) as Doc;
    const props = (json.properties ?? {}) as Record<string, Doc>;
    // The server owns status and fills apiVersion/kind from the URL; clients may send them.
    s = {
      ...json,
      description: `${kind} (${apiVersionOf(kind)}), as Istio defines it.`,
      properties: {
        ...props,
        status: { type: 'object', description: 'Server-owned status.', additionalProperties: true },
      },
      'x-kubernetes-group-version-kind': [gvk(kind)],
    };
    schemaCache.set(kind, s);
  }
  return s;
}

const QUERY = (name: string, description: string) => ({
  name,
  in: 'query',
  description,
  schema: { type: 'string' },
  uniqueItems: true,
});
const WRITE_PARAMS = [
  QUERY('dryRun', 'When present (All), the change is decided and not kept.'),
  QUERY('fieldManager', 'The name of the actor making the change.'),
  QUERY('fieldValidation', 'Ignore, Warn (default) or Strict: what to do with unknown fields.'),
];

function paths3(kind: MeshKind): Record<string, Doc> {
  const [group, version] = apiVersionOf(kind).split('/') as [string, string];
  const plural = PLURALS[kind];
  const ref = { $ref: `#/components/schemas/${definitionName(kind)}` };
  const json = (schema: Doc) => ({
    content: { 'application/json': { schema }, 'application/yaml': { schema } },
  });
  const ext = (action: string) => ({
    'x-kubernetes-action': action,
    'x-kubernetes-group-version-kind': gvk(kind),
  });
  const ok = (schema: Doc) => ({ '200': { description: 'OK', ...json(schema) } });
  const ns = { name: 'namespace', in: 'path', required: true, schema: { type: 'string' } };
  const name = { name: 'name', in: 'path', required: true, schema: { type: 'string' } };
  return {
    [`/apis/${group}/${version}/namespaces/{namespace}/${plural}`]: {
      get: { operationId: `list${kind}`, ...ext('list'), responses: ok({ type: 'object' }) },
      post: {
        operationId: `create${kind}`,
        ...ext('post'),
        parameters: WRITE_PARAMS,
        requestBody: json(ref),
        responses: { ...ok(ref), '201': { description: 'Created', ...json(ref) } },
      },
      parameters: [ns],
    },
    [`/apis/${group}/${version}/namespaces/{namespace}/${plural}/{name}`]: {
      get: { operationId: `read${kind}`, ...ext('get'), responses: ok(ref) },
      put: {
        operationId: `replace${kind}`,
        ...ext('put'),
        parameters: WRITE_PARAMS,
        requestBody: json(ref),
        responses: ok(ref),
      },
      patch: {
        operationId: `patch${kind}`,
        ...ext('patch'),
        parameters: [...WRITE_PARAMS, QUERY('force', 'Server-side apply: take fields over.')],
        requestBody: {
          content: {
            'application/merge-patch+json': { schema: { type: 'object' } },
            'application/apply-patch+yaml': { schema: { type: 'object' } },
          },
        },
        responses: ok(ref),
      },
      delete: {
        operationId: `delete${kind}`,
        ...ext('delete'),
        parameters: [WRITE_PARAMS[0]],
        responses: ok({ type: 'object' }),
      },
      parameters: [name, ns],
    },
  };
}

const v3Docs = new Map<string, { text: string; hash: string }>();

/** The OpenAPI v3 document of one group/version (`apis/<group>/<version>`), or undefined. */
export function openApiV3Doc(groupVersion: string): { text: string; hash: string } | undefined {
  if (!groupVersions().includes(groupVersion)) return undefined;
  let doc = v3Docs.get(groupVersion);
  if (!doc) {
    const kinds = kindsOf(groupVersion) as MeshKind[];
    const text = JSON.stringify({
      openapi: '3.0.0',
      info: { title: 'Meshlens control plane', version: groupVersion },
      paths: Object.assign({}, ...kinds.map(paths3)),
      components: { schemas: Object.fromEntries(kinds.map((k) => [definitionName(k), kindSchema(k)])) },
    });
    doc = { text, hash: createHash('sha512').update(text).digest('hex').toUpperCase() };
    v3Docs.set(groupVersion, doc);
  }
  return doc;
}

/** `/openapi/v3`: where each group/version's document is, with a hash for clients' caches. */
export function openApiV3Index(): Doc {
  return {
    paths: Object.fromEntries(
      groupVersions().map((gv) => [
        `apis/${gv}`,
        { serverRelativeURL: `/openapi/v3/apis/${gv}?hash=${openApiV3Doc(gv)?.hash}` },
      ]),
    ),
  };
}

/** `/openapi/v2` (Swagger 2.0), for older clients: the same schemas and PATCH parameters. */
export function openApiV2(): Doc {
  const kinds = groupVersions().flatMap((gv) => kindsOf(gv)) as MeshKind[];
  const paths: Record<string, Doc> = {};
  for (const kind of kinds) {
    for (const [path, item] of Object.entries(paths3(kind))) {
      const converted: Doc = {};
      for (const [method, op] of Object.entries(item)) {
        if (method === 'parameters') {
          converted.parameters = (op as Doc[]).map(({ schema: _s, ...p }) => ({ ...p, type: 'string' }));
          continue;
        }
        const { requestBody: _b, responses: _r, parameters, ...rest } = op as Doc;
        converted[method] = {
          ...rest,
          ...(parameters
            ? { parameters: (parameters as Doc[]).map(({ schema: _s, ...p }) => ({ ...p, type: 'string' })) }
            : {}),
          responses: { '200': { description: 'OK' } },
        };
      }
      paths[path] = converted;
    }
  }
  const definitions = Object.fromEntries(
    kinds.map((k) => [
      definitionName(k),
      JSON.parse(JSON.stringify(kindSchema(k)).replaceAll('#/components/schemas/', '#/definitions/')),
    ]),
  );
  return { swagger: '2.0', info: { title: 'Meshlens control plane', version: 'v1' }, paths, definitions };
}
