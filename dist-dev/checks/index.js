/**
 * The registry of checks, by the names scenarios use. Adding a check: write a module with
 * its definitions at the top, a pure run(history, params), unit tests with literal
 * histories in test/checks/, and register it here.
 */
import { outputContract } from './contract.js';
import { deadLetteredAfterAttempts } from './dead-letter.js';
import { noDuplicates } from './duplicates.js';
import { latency } from './latency.js';
import { noLostMessages } from './lost.js';
import { boundedPrefetch, durableQueues, groupSharesPartitions, manualAck, resubscribed, subscribed } from './observations.js';
import { offsetsCommittedAfterProcessing } from './offsets.js';
import { inOrder } from './order.js';
import { exchangesDeclared, routesAsSpecified } from './routing.js';
// Each definition's params type differs; the registry only needs parse + run.
export const CHECKS = new Map([
    noLostMessages,
    noDuplicates,
    inOrder,
    latency,
    deadLetteredAfterAttempts,
    subscribed,
    resubscribed,
    durableQueues,
    manualAck,
    boundedPrefetch,
    groupSharesPartitions,
    offsetsCommittedAfterProcessing,
    outputContract,
    routesAsSpecified,
    exchangesDeclared,
].map((c) => [c.name, c]));
//# sourceMappingURL=index.js.map