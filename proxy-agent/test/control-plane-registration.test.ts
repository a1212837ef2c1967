// Sidecar registration against the real control plane: a registered instance appears (with the labels
// and scrape annotations), heartbeats keep it healthy, silence marks it Healthy=False and then removes
// it, and closing deregisters it; Prometheus discovery lists exactly the live ones.
import { afterEach, describe, expect, it } from 'vitest';
import { startRegistration } from '../src/sidecar-config/registration';
import { type CpProcess, call, type Json, NS_PATH, removeDir, startCp } from './control-plane-helpers';
import { waitFor } from './support/processes';

const running: CpProcess[] = [];
afterEach(async () => {
  for (const cp of running.splice(0)) {
    await cp.stop();
    await removeDir(cp.dataDir);
  }
});

async function cp(args: string[] = []) {
  const p = await startCp({ token: 'reg-token', args });
  running.push(p);
  return p;
}

const healthy = (we: Json) =>
  we?.status?.conditions?.find((c: Json) => c.type === 'Healthy')?.status !== 'False';

describe('registration', () => {
  it('registers with labels and scrape annotations, shows up in discovery, and deregisters on close', async () => {
    const plane = await cp();
    const errors: string[] = [];
    const reg = startRegistration({
      controlPlaneUrl: plane.url,
      token: plane.token,
      namespace: 'bookinfo',
      app: 'reviews',
      version: 'v2',
      inboundPort: 19080,
      adminPort: 15090,
      heartbeatMs: 100,
      onError: (m) => errors.push(m),
    });
    await reg.registered;
    const we = await call(
      plane,
      'GET',
      `/apis/networking.istio.io/v1/namespaces/bookinfo/workloadentries/${reg.name}`,
    );
    expect(we.status).toBe(200);
    expect(we.body.spec).toEqual({
      address: '127.0.0.1',
      ports: { http: 19080 },
      labels: { app: 'reviews', version: 'v2', 'meshlens.io/workload': 'reviews-v2' },
    });
    expect(we.body.metadata.annotations).toMatchObject({
      'prometheus.io/port': '15090',
      'prometheus.io/path': '/stats/prometheus',
    });
    const sd = await call(plane, 'GET', '/v1/prometheus/sd');
    expect(sd.body).toEqual([
      {
        targets: ['127.0.0.1:15090'],
        labels: {
          __metrics_path__: '/stats/prometheus',
          namespace: 'bookinfo',
          app: 'reviews',
          version: 'v2',
          workload: 'reviews-v2',
        },
      },
    ]);
    await reg.close();
    expect(
      (
        await call(
          plane,
          'GET',
          `/apis/networking.istio.io/v1/namespaces/bookinfo/workloadentries/${reg.name}`,
        )
      ).status,
    ).toBe(404);
    expect((await call(plane, 'GET', '/v1/prometheus/sd')).body).toEqual([]);
    expect(errors).toEqual([]);
  });

  it('marks a silent instance Healthy=False, revives it on a heartbeat, removes it after long silence', async () => {
    const plane = await cp(['--heartbeat-ttl', '400ms', '--remove-after', '1500ms']);
    const path = `${NS_PATH}/workloadentries/ratings-v1-9080`;
    const created = await call(plane, 'POST', `${NS_PATH}/workloadentries`, {
      metadata: {
        name: 'ratings-v1-9080',
        labels: { app: 'ratings' },
        annotations: { 'istio.io/autoRegistrationGroup': 'ratings-v1', 'prometheus.io/port': '15091' },
      },
      spec: { address: '127.0.0.1', ports: { http: 9080 }, labels: { app: 'ratings', version: 'v1' } },
    });
    expect(created.status).toBe(201);
    // A hand-written entry (no auto-registration annotation) never expires.
    expect(
      (
        await call(plane, 'POST', `${NS_PATH}/workloadentries`, {
          metadata: { name: 'static' },
          spec: { address: '10.0.0.1' },
        })
      ).status,
    ).toBe(201);

    const marked = await waitFor(
      async () => {
        const r = await call(plane, 'GET', path);
        return !healthy(r.body) && r.body;
      },
      { timeoutMs: 3000, what: 'Healthy=False' },
    );
    expect(marked.status.conditions[0]).toMatchObject({
      type: 'Healthy',
      status: 'False',
      reason: 'HeartbeatTimeout',
    });
    expect((await call(plane, 'GET', '/v1/prometheus/sd')).body).toEqual([]);

    const beat = await call(plane, 'POST', '/v1/workloadentries/default/ratings-v1-9080/heartbeat');
    expect(beat.status).toBe(200);
    expect(healthy((await call(plane, 'GET', path)).body)).toBe(true);
    expect((await call(plane, 'GET', '/v1/prometheus/sd')).body).toHaveLength(1);

    await waitFor(async () => (await call(plane, 'GET', path)).status === 404, {
      timeoutMs: 5000,
      what: 'removal',
    });
    expect((await call(plane, 'POST', '/v1/workloadentries/default/ratings-v1-9080/heartbeat')).status).toBe(
      404,
    );
    expect((await call(plane, 'GET', `${NS_PATH}/workloadentries/static`)).status).toBe(200);
    const audit = await call(plane, 'GET', '/v1/audit?kind=WorkloadEntry&name=ratings-v1-9080');
    expect(audit.body.items.map((e: Json) => `${e.verb}:${e.identity}`)).toEqual([
      'delete:system:control-plane',
      'status:system:control-plane',
      'status:ci-admin',
      'status:system:control-plane',
      'create:ci-admin',
    ]);
  });

  it('registers again when the control plane lost the entry', async () => {
    const plane = await cp();
    const reg = startRegistration({
      controlPlaneUrl: plane.url,
      token: plane.token,
      namespace: 'default',
      app: 'details',
      inboundPort: 19081,
      adminPort: 15092,
      heartbeatMs: 50,
    });
    await reg.registered;
    const path = `${NS_PATH}/workloadentries/${reg.name}`;
    const first = await call(plane, 'GET', path);
    expect((await call(plane, 'DELETE', path)).status).toBe(200);
    const again = await waitFor(
      async () => {
        const r = await call(plane, 'GET', path);
        return r.status === 200 && r.body;
      },
      { timeoutMs: 3000, what: 're-registration' },
    );
    expect(again.metadata.uid).not.toBe(first.body.metadata.uid);
    await reg.close();
  });
});
