/** The registry of faults, by the names scenarios use. */
import { killLearner } from './kill-learner.js';
import { network } from './network.js';
import { pauseLearner } from './pause-learner.js';
import { restartBroker } from './restart-broker.js';
export const FAULTS = new Map([killLearner, pauseLearner, network, restartBroker].map((f) => [f.name, f]));
/** True when a scenario's faults disturb what other runs share (a broker restart): it runs
 *  alone in `grade` and `dev check`. */
export function runsAlone(faults) {
    return faults.some((f) => FAULTS.get(f.fault)?.exclusive === true);
}
//# sourceMappingURL=index.js.map