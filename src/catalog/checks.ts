/**
 * Validates a scenario's checks against their definitions: each check's params, the hints a
 * scenario gives per cause, and the cause each wrong solution's diagnosis names. This needs
 * each check's module, which is loaded only when a scenario uses it (checks/index.ts), so it
 * is not part of reading the catalog (catalog/load.ts checks the names): it runs before a
 * run starts anything (runner/run.ts, so `check` and `dev check` refuse a broken scenario
 * first) and for the whole catalog in test/unit/catalog.test.ts.
 */
import { loadCheck } from '../checks/index.js';
import type { CheckDefinition } from '../checks/types.js';
import { UsageError } from '../errors.js';
import type { Scenario } from './schema.js';

function knownCause(file: string, field: string, check: string, cause: string, definition: CheckDefinition<unknown> | undefined): void {
  // The runner's own checks (program-starts, ready) have no causes.
  const causes = Object.keys(definition?.causes ?? {});
  if (!causes.includes(cause)) throw new UsageError(`${file}: "${field}" names an unknown cause of ${check} "${cause}" (known: ${causes.join(', ')})`);
}

export async function validateChecks(scenario: Scenario, file: string): Promise<void> {
  const definitions = new Map<string, CheckDefinition<unknown>>();
  for (const name of new Set(scenario.checks.map((c) => c.check))) definitions.set(name, await loadCheck(name));
  for (const [index, spec] of scenario.checks.entries()) {
    const definition = definitions.get(spec.check);
    if (!definition) continue;
    try {
      definition.parseParams(spec.params);
    } catch (error) {
      throw new UsageError(`${file}: check "${spec.check}": ${(error as Error).message}`);
    }
    for (const cause of Object.keys(spec.hints ?? {})) knownCause(file, `checks[${index}].hints`, spec.check, cause, definition);
  }
  for (const [index, wrong] of scenario.solutions.wrong.entries()) {
    for (const [name, cause] of Object.entries(wrong.diagnosis)) knownCause(file, `solutions.wrong[${index}].diagnosis.${name}`, name, cause, definitions.get(name));
  }
}
