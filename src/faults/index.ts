/** The registry of faults, by the names scenarios use. */
import { killLearner } from './kill-learner.js';
import type { FaultDefinition } from './types.js';

export const FAULTS: ReadonlyMap<string, FaultDefinition<any>> = new Map(
  [killLearner].map((f) => [f.name, f as FaultDefinition<any>]),
);
