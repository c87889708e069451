/** The registry of faults, by the names scenarios use. */
import { killLearner } from './kill-learner.js';
export const FAULTS = new Map([killLearner].map((f) => [f.name, f]));
//# sourceMappingURL=index.js.map