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
import type { FaultDefinition } from './types.js';

export const FAULTS: ReadonlyMap<string, FaultDefinition<any>> = new Map(
  [killLearner, pauseLearner, network, restartBroker, killBrokerNode, pauseBrokerNode, duplicate, poison, scaleLearner].map((f) => [f.name, f as FaultDefinition<any>]),
);

/** True when a scenario's runs go alone in `grade` and `dev check`: it says so (a load test
 *  measures, and a run beside it would change its numbers), or its faults disturb what other
 *  runs share (a broker restart). */
export function runsAlone(scenario: { runsAlone?: string; faults: ReadonlyArray<{ fault: string; params?: Record<string, unknown> }> }): boolean {
  if (scenario.runsAlone !== undefined) return true;
  return scenario.faults.some((f) => {
    const exclusive = FAULTS.get(f.fault)?.exclusive;
    if (typeof exclusive !== 'function') return exclusive === true;
    try {
      return exclusive(FAULTS.get(f.fault)?.parseParams(f.params ?? {}));
    } catch {
      return false; // the catalog refuses such params before anything runs
    }
  });
}
