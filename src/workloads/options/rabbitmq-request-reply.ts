/**
 * Defaults of the options of workloads/rabbitmq-request-reply.ts (which says what each means),
 * as data: the workload reads them from here, and so does the catalog for a "$workload.x"
 * a scenario does not set, without loading the workload and its broker clients.
 */
export const defaults = {
  questions: 24,
  lateReplies: 4,
  duplicateReplies: 4,
  deadlineMs: 1_000,
  minReplyMs: 40,
  maxReplyMs: 500,
  lateByMs: 400,
  duplicateAfterMs: 40,
  toleranceMs: 300,
  answerWithinMs: 1_600,
  settleMs: 400,
  quietMs: 1_500,
} as const;
