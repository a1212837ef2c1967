// The Istio Config validations (lib/mesh-config/validations) laid onto the inventory: each applying
// resource gets its validity and findings, so lists and details show warnings where the config is.
import type { Validation } from '../mesh-config/validations';
import type { ConfigRef, InventoryItem } from './types';

/** Kinds the validations look at: a resource of another kind gets no validity (not "valid"). */
const CHECKED: ReadonlySet<string> = new Set([
  'VirtualService',
  'DestinationRule',
  'ServiceEntry',
  'PeerAuthentication',
  'Sidecar',
]);

export function withValidations(
  items: readonly InventoryItem[],
  validations: readonly Validation[],
): InventoryItem[] {
  const byKey = new Map<string, Validation[]>();
  for (const v of validations) {
    const k = `${v.kind}/${v.namespace}/${v.name}`;
    byKey.set(k, [...(byKey.get(k) ?? []), v]);
  }
  const mark = (c: ConfigRef): ConfigRef => {
    if (!CHECKED.has(c.kind)) return c;
    const found = byKey.get(`${c.kind}/${c.namespace}/${c.name}`) ?? [];
    const validity = found.some((v) => v.severity === 'error')
      ? 'error'
      : found.length > 0
        ? 'warning'
        : 'valid';
    return { ...c, validity, findings: found.map((v) => `${v.code} ${v.message} (${v.path})`) };
  };
  return items.map((i) => ({ ...i, config: i.config.map(mark) }));
}

/** How many of an item's applying resources have errors and warnings. */
export function configProblems(item: Pick<InventoryItem, 'config'>): { errors: number; warnings: number } {
  let errors = 0;
  let warnings = 0;
  for (const c of item.config) {
    if (c.validity === 'error') errors++;
    else if (c.validity === 'warning') warnings++;
  }
  return { errors, warnings };
}
