// A stock kubectl against the control plane, configured by `meshlens-agent kubeconfig`: discovery with
// Istio's short names and categories, apply validated on the server (an unknown field refused), explain
// from the OpenAPI, diff (server-side dry run), edit, get -o yaml and Table columns, get -w, delete, and
// Kubernetes' own errors for a missing namespace, a wrong kind and a bad field selector.
import { spawn, spawnSync } from 'node:child_process';
import { chmod, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CpProcess, call, NS_PATH, removeDir, startCp } from './control-plane-helpers';
import { spawnAgent, waitFor } from './support/processes';

const KUBECTL = process.env.KUBECTL ?? 'kubectl';
const haveKubectl = spawnSync(KUBECTL, ['version', '--client'], { stdio: 'ignore' }).status === 0;
/** One kubectl command may take this long (it caches discovery in a temp dir per test run). */
const KUBECTL_TIMEOUT_MS = 30_000;

let cp: CpProcess;
let env: NodeJS.ProcessEnv;

interface Run {
  code: number | null;
  stdout: string;
  stderr: string;
}

function kubectl(args: string[], input?: string, extraEnv: Record<string, string> = {}): Promise<Run> {
  return new Promise((resolve) => {
    const child = spawn(KUBECTL, args, { env: { ...env, ...extraEnv }, stdio: ['pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => {
      stdout += d;
    });
    child.stderr.on('data', (d) => {
      stderr += d;
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), KUBECTL_TIMEOUT_MS);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
    child.stdin.end(input ?? '');
  });
}

const SE = `apiVersion: networking.istio.io/v1
kind: ServiceEntry
metadata:
  name: reviews
spec:
  hosts: [reviews.default.svc.cluster.local]
  location: MESH_INTERNAL
  resolution: STATIC
  ports: [{number: 9080, name: http, protocol: HTTP}]
`;
const VS = `apiVersion: networking.istio.io/v1
kind: VirtualService
metadata:
  name: reviews
spec:
  hosts: [reviews.default.svc.cluster.local]
  gateways: [mesh]
  http:
  - route:
    - destination: {host: reviews.default.svc.cluster.local}
`;

describe.skipIf(!haveKubectl)('kubectl against the control plane', () => {
  beforeAll(async () => {
    cp = await startCp({ token: 'kubectl-token', tls: true });
    // The kubeconfig from the data dir's CA and the control plane's own token file.
    const kc = spawnAgent([
      'kubeconfig',
      '--data-dir',
      cp.dataDir,
      '--server',
      cp.url,
      '--token-file',
      cp.tokenFile as string,
    ]);
    const code = await waitFor(() => kc.child.exitCode ?? undefined, {
      what: 'kubeconfig',
      timeoutMs: 15_000,
    });
    expect(code, kc.output()).toBe(0);
    const file = join(cp.dataDir, '..', `kubeconfig-${cp.port}`);
    await writeFile(file, kc.output(), { mode: 0o600 });
    await chmod(file, 0o600);
    env = {
      ...process.env,
      KUBECONFIG: file,
      // A discovery cache of its own, so no other run's answers are reused.
      KUBECACHEDIR: join(cp.dataDir, '..', `kube-cache-${cp.port}`),
      HOME: join(cp.dataDir, '..'),
    };
  }, 30_000);
  afterAll(async () => {
    await cp?.stop();
    if (cp) await removeDir(cp.dataDir);
  });

  it('lists the resources with their short names, and gets by short name and category', async () => {
    const r = await kubectl(['api-resources']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/virtualservices\s+vs\s+networking\.istio\.io\/v1\s+true\s+VirtualService/);
    expect(r.stdout).toMatch(/peerauthentications\s+pa\s+security\.istio\.io\/v1/);
    const applied = await kubectl(['apply', '-f', '-'], `${SE}---\n${VS}`);
    expect(applied.code, applied.stderr).toBe(0);
    expect(applied.stdout).toContain('virtualservice.networking.istio.io/reviews created');
    const vs = await kubectl(['get', 'vs']);
    expect(vs.code, vs.stderr).toBe(0);
    expect(vs.stdout).toMatch(/^NAME\s+GATEWAYS\s+HOSTS\s+AGE$/m);
    expect(vs.stdout).toMatch(/^reviews\s+\["mesh"\]\s+\["reviews\.default\.svc\.cluster\.local"\]\s+\d+s$/m);
    const all = await kubectl(['get', 'istio-io']);
    expect(all.stdout).toContain('virtualservice.networking.istio.io/reviews');
    expect(all.stdout).toContain('serviceentry.networking.istio.io/reviews');
    expect(all.stdout).toMatch(/LOCATION\s+RESOLUTION/);
  }, 90_000);

  it('refuses an unknown field on the server (fieldValidation=Strict) and changes nothing', async () => {
    const bad = await kubectl(
      ['apply', '-f', '-'],
      SE.replace('resolution: STATIC', 'resolution: STATIC\n  bogus: 1'),
    );
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toContain('strict decoding error: unknown field "spec.bogus"');
    const live = await call(cp, 'GET', `${NS_PATH}/serviceentries/reviews`);
    expect(live.body.spec.bogus).toBeUndefined();
    // A wrong type is refused too (the schema's own validation).
    const wrong = await kubectl(['apply', '-f', '-'], SE.replace('number: 9080', 'number: "x"'));
    expect(wrong.code).not.toBe(0);
  }, 60_000);

  it('explains a field from the OpenAPI', async () => {
    const r = await kubectl(['explain', 'virtualservice.spec.http.route']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('KIND:       VirtualService');
    expect(r.stdout).toMatch(/destination\s+<Object> -required-/);
    expect(r.stdout).toMatch(/weight\s+<integer>/);
  }, 60_000);

  it('diffs against a server-side dry run, which keeps nothing', async () => {
    const before = await call(cp, 'GET', `${NS_PATH}/serviceentries/reviews`);
    const r = await kubectl(['diff', '-f', '-'], SE.replace('STATIC', 'DNS'));
    expect(r.code, r.stderr).toBe(1); // 1: differences found
    expect(r.stdout).toMatch(/^-\s+resolution: STATIC$/m);
    expect(r.stdout).toMatch(/^\+\s+resolution: DNS$/m);
    expect(r.stdout).not.toMatch(/^[-+]\s+resourceVersion/m);
    const after = await call(cp, 'GET', `${NS_PATH}/serviceentries/reviews`);
    expect(after.body.metadata.resourceVersion).toBe(before.body.metadata.resourceVersion);
    expect(after.body.spec.resolution).toBe('STATIC');
  }, 60_000);

  it('edits, prints YAML, watches for a bounded time and deletes', async () => {
    const edited = await kubectl(['edit', 'se', 'reviews'], undefined, {
      KUBE_EDITOR: 'sed -i s/MESH_INTERNAL/MESH_EXTERNAL/',
    });
    expect(edited.code, edited.stderr).toBe(0);
    const yaml = await kubectl(['get', 'se', 'reviews', '-o', 'yaml']);
    expect(yaml.stdout).toContain('location: MESH_EXTERNAL');
    expect(yaml.stdout).toMatch(/resourceVersion: "\d+"/);

    // The Gateway the patch binds to must exist (a VirtualService naming an unknown Gateway is 422).
    const edge = {
      apiVersion: 'networking.istio.io/v1',
      kind: 'Gateway',
      metadata: { name: 'edge' },
      spec: {
        selector: { istio: 'ingressgateway' },
        servers: [{ port: { number: 80, name: 'http', protocol: 'HTTP' }, hosts: ['*'] }],
      },
    };
    expect((await call(cp, 'POST', `${NS_PATH}/gateways`, edge)).status).toBe(201);
    // get -w (a Table watch with bookmarks) for a bounded time, while a change is made.
    const watching = kubectl(['get', 'vs', '-w', '--request-timeout', '8s']);
    await waitFor(
      async () => {
        const r = await call(cp, 'GET', `${NS_PATH}/virtualservices/reviews`);
        const patched = await call(
          cp,
          'PATCH',
          `${NS_PATH}/virtualservices/reviews`,
          { spec: { gateways: ['mesh', 'edge'] } },
          { 'content-type': 'application/merge-patch+json' },
        );
        return r.status === 200 && patched.status === 200;
      },
      { what: 'the patch' },
    );
    const watched = await watching;
    expect(watched.stdout).toMatch(/^reviews\s+\["mesh","edge"\]/m);

    const deleted = await kubectl(['delete', 'vs', 'reviews']);
    expect(deleted.stdout).toContain('virtualservice.networking.istio.io "reviews" deleted');
    expect((await call(cp, 'GET', `${NS_PATH}/virtualservices/reviews`)).status).toBe(404);
  }, 60_000);

  it("answers with Kubernetes' own errors", async () => {
    const missing = await kubectl(['get', 'vs', '-n', 'nowhere']);
    expect(missing.stderr).toContain('No resources found in nowhere namespace.');
    const kind = await kubectl(['get', 'gizmos']);
    expect(kind.stderr).toContain('the server doesn\'t have a resource type "gizmos"');
    const field = await kubectl(['get', 'se', '--field-selector', 'spec.x=y']);
    expect(field.code).not.toBe(0);
    expect(field.stderr).toContain('Error from server (BadRequest)');
    expect(field.stderr).toContain('field label not supported: spec.x');
    const byName = await kubectl(['get', 'se', '--field-selector', 'metadata.name=reviews', '-o', 'name']);
    expect(byName.stdout.trim()).toBe('serviceentry.networking.istio.io/reviews');
    const gone = await kubectl(['get', 'vs', 'nope']);
    expect(gone.stderr).toContain(
      'Error from server (NotFound): virtualservices.networking.istio.io "nope" not found',
    );
  }, 60_000);
});
