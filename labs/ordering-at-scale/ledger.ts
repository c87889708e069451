/**
 * Given code for this exercise: the event format and the call to the ledger API.
 * You don't need to change this file.
 */
import type { KafkaConfig, SASLOptions } from 'kafkajs';

/** An account event as it arrives on ACCOUNT_EVENTS_TOPIC (JSON value, keyed by accountId).
 *  `seq` counts the account's events: 1, 2, 3... */
export interface AccountEvent {
  eventId: string;
  accountId: string;
  seq: number;
  type: 'deposit' | 'withdrawal';
  amountCents: number;
}

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');

/** Set by the lab only when Kafka asks for a login (a workshop's shared cluster). */
const sasl = process.env.KAFKA_SASL_MECHANISM
  ? ({
      mechanism: process.env.KAFKA_SASL_MECHANISM,
      username: process.env.KAFKA_SASL_USERNAME ?? '',
      password: process.env.KAFKA_SASL_PASSWORD ?? '',
    } as SASLOptions)
  : undefined;

/** Where things are: the lab sets these for every run (one copy of your program each). */
export const config = {
  brokers,
  /** How to reach Kafka, login included when there is one: `new Kafka({ clientId, ...config.kafkaClient })`. */
  kafkaClient: { brokers, ...(sasl ? { sasl } : {}) } satisfies Pick<KafkaConfig, 'brokers' | 'sasl'>,
  accountEventsTopic: process.env.ACCOUNT_EVENTS_TOPIC ?? 'account-events',
  groupId: process.env.GROUP_ID ?? 'ledger-writer',
  ledgerApiUrl: process.env.LEDGER_API_URL ?? 'http://127.0.0.1:8080',
  /** Which copy of your program this is: 1 to 4. */
  instanceId: process.env.INSTANCE_ID ?? '1',
  /**
   * Consumer timings for the lab, passed to kafka.consumer({ groupId, ...config.groupTimings }).
   * A member hears about a rebalance only at its next heartbeat, which waits for the fetch in
   * flight (up to maxWaitTimeInMs, default 5 s): short values make each of the run's
   * rebalances take a fraction of a second instead of several. Production systems use longer
   * ones so a slow GC pause doesn't look like a crash.
   */
  groupTimings: { sessionTimeout: 2_000, heartbeatInterval: 200, maxWaitTimeInMs: 200 },
};

/** Applies the event to its account in the ledger: this is "processing" an event. Throws if
 *  the ledger did not confirm, so kafkajs will retry the message. */
export async function applyEvent(event: AccountEvent): Promise<void> {
  const response = await fetch(`${config.ledgerApiUrl}/events`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-instance-id': config.instanceId },
    body: JSON.stringify(event),
  });
  if (!response.ok) throw new Error(`ledger answered HTTP ${response.status} for ${event.eventId}`);
}
