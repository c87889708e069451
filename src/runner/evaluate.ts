/** Runs a scenario's checks over a history: the "check" phase, pure. */
import type { CheckSpec } from '../catalog/schema.js';
import { loadCheck } from '../checks/index.js';
import type { CheckResult } from '../checks/types.js';
import type { History } from './history.js';

export async function evaluate(specs: readonly CheckSpec[], history: History): Promise<CheckResult[]> {
  const definitions = new Map(await Promise.all([...new Set(specs.map((s) => s.check))].map(async (name) => [name, await loadCheck(name)] as const)));
  return specs.map((spec) => {
    const definition = definitions.get(spec.check);
    if (!definition) throw new Error(`check "${spec.check}" is not registered`);
    const result = definition.run(history, definition.parseParams(spec.params));
    // The hint names the mistake the evidence points to: the scenario's hint for that cause,
    // else the check's own, else the scenario's general hint. On "unknown" there is no
    // mistake to name.
    const hint = result.cause === undefined ? spec.hint : (spec.hints?.[result.cause] ?? definition.causes?.[result.cause] ?? spec.hint);
    return {
      name: spec.check,
      weight: spec.weight ?? 1,
      ...result,
      ...(result.status === 'fail' ? { hint } : {}),
    };
  });
}
