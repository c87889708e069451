/** The registry of faults, by the names scenarios use. */
import { duplicate } from './duplicate.js';
import { killBrokerNode } from './kill-broker-node.js';
import { killLearner } from './kill-learner.js';
import { network } from './network.js';
import { pauseBrokerNode } from './pause-broker-node.js';
import { pauseLearner } from './pause-learner.js';
import { poison } from './poison.js';
import { restartBroker } from './restart-broker.js';
import { scaleLearner } from './scale-learner.js';
import type { Claim } from '../runner/pool.js';
import type { FaultDefinition } from './types.js';

export const FAULTS: ReadonlyMap<string, FaultDefinition<any>> = new Map(
  [killLearner, pauseLearner, network, restartBroker, killBrokerNode, pauseBrokerNode, duplicate, poison, scaleLearner].map((f) => [f.name, f as FaultDefinition<any>]),
);

interface ScenarioClaims {
  brokers?: readonly string[];
  runsAlone?: string;
  faults: ReadonlyArray<{ fault: string; params?: Record<string, unknown> }>;
}

/**
 * What a scenario's runs use and hold, for the pool of `grade` and `dev check`
 * (runner/pool.ts): they use the scenario's brokers; a fault holds what it disturbs for
 * every run using it (restart-broker: its broker), and a scenario that says `runsAlone` (it
 * measures this machine) or has a fault disturbing everything holds 'all'.
 */
export function runClaim(scenario: ScenarioClaims): Claim {
  const holds = new Set<string>();
  let all = scenario.runsAlone !== undefined;
  for (const f of scenario.faults) {
    const definition = FAULTS.get(f.fault);
    if (!definition) continue;
    let params: unknown;
    try {
      params = definition.parseParams(f.params ?? {});
    } catch {
      continue; // the catalog refuses such params before anything runs
    }
    if (definition.holds) for (const name of definition.holds(params)) holds.add(name);
    else if (typeof definition.exclusive === 'function' ? definition.exclusive(params) : definition.exclusive === true) all = true;
  }
  return { uses: [...new Set([...(scenario.brokers ?? []), ...holds])], holds: all ? 'all' : [...holds] };
}

/** True when a scenario's runs go alone: nothing else runs beside them. */
export function runsAlone(scenario: ScenarioClaims): boolean {
  return runClaim(scenario).holds === 'all';
}
