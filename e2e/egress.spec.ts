// Egress on the demo's graph: ratings' external database reached through the egress gateway (the
// gateway node marked, the external host outside the mesh, TLS originated on the edge out), and the
// registry-only scenario's refused edge with its reason in words. One page load; the mesh-wide policy
// is switched back to the demo's ALLOW_ANY whatever happens.
import { MeshConfigClient } from '../lib/mesh-config/client';
import type { MeshConfig } from '../lib/mesh-config/schema';
import { type ScenarioName, scenarioResources } from '../proxy-agent/src/demo/scenarios';
import { EgressGraph } from './pages/egress-graph';
import { GraphPage } from './pages/graph-page';
import { expect, test } from './support/test';

const GATEWAY = 'app:istio-system:istio-egressgateway:v1';
const EXTERNAL = 'svc:istio-system:ratings-db.external.example';
const REFUSED = 'app:bookinfo:details:v1->svc:bookinfo:BlackHoleCluster';

/** The scenario's mesh-wide outbound traffic policy (its MeshConfig), written alone. */
async function applyPolicyOf(cp: MeshConfigClient, scenario: ScenarioName): Promise<void> {
  const mc = scenarioResources(scenario).find((r): r is MeshConfig => r.kind === 'MeshConfig');
  if (!mc) throw new Error(`the ${scenario} scenario has no MeshConfig`);
  const r = await cp.apply(mc);
  if (!r.ok) throw new Error(`cannot apply the ${scenario} MeshConfig: ${r.message}`);
}

test('egress gateway, external host with TLS origination, and the registry-only refusal', async ({
  page,
  demo,
}) => {
  const cp = new MeshConfigClient({ baseUrl: demo.controlPlane, token: demo.token });
  const graph = new GraphPage(page);
  const egress = new EgressGraph(page);
  // Refused calls start now; the graph draws them after two scrapes, while the gateway is checked.
  await applyPolicyOf(cp, 'registry-only');
  try {
    await graph.open('duration=1m&refresh=5');
    await graph.expectDrawn([GATEWAY, EXTERNAL], [`${GATEWAY}->${EXTERNAL}`]);
    await egress.expectClass(GATEWAY, 'egressgateway');
    await egress.expectClass(EXTERNAL, 'serviceentry');
    expect((await egress.element(`${GATEWAY}->${EXTERNAL}`))?.data.tlsOrigination).toBe('SIMPLE');

    await egress.expectClass(REFUSED, 'refused', 30_000);
    await graph.selectEdge(REFUSED);
    await expect(egress.refusal).toContainText('refused by the caller');
    await expect(egress.refusal).toContainText('BlackHoleCluster');
    await expect(egress.refusal).toContainText('REGISTRY_ONLY');
  } finally {
    await applyPolicyOf(cp, 'default');
  }
});
