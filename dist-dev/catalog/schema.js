/** Bumped when the format changes incompatibly; the loader rejects other versions. */
export const SCENARIO_FORMAT_VERSION = 1;
/** The classes of mistakes every exercise's wrong solutions must cover (at least 5 solutions
 *  over different classes): they fail for different reasons, so a grader that only sees one
 *  kind of mistake is caught. */
export const MISTAKE_CLASSES = ['ack-timing', 'concurrency', 'restart-state', 'content', 'configuration', 'latency'];
//# sourceMappingURL=schema.js.map