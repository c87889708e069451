/**
 * An inlet (faults/types.ts) for a workload's input: the workload sends through it as it
 * would send directly (or sends in bulk itself and lets the inlet remember), and the inlet
 * remembers each message, so that a `duplicate` fault can send one again unchanged and a
 * `poison` fault can send malformed ones the same way.
 *
 * Definitions:
 * - message: what the workload's `send` function needs to put one message in: the history's
 *   key, the body, and whatever else (`extra`: a Kafka key, a content type).
 * - a raw message (poison) has a key and a body only: `send` gives it the key as its id.
 */
import type { Inlet, SentAt } from '../../faults/types.js';
import type { WorkloadContext } from '../types.js';

export interface InletMessage {
  /** The history's key (a task id): what a copy is recorded under, and the message's id. */
  key: string;
  body: Buffer;
  /** Anything else the workload's send function needs (a content type, a Kafka key). */
  extra?: Record<string, unknown>;
}

/** What a send reports: where the message landed, and fields only sending learns (Redis
 *  PUBLISH's count of receivers) for the recorded value of the workload's own sends. */
export interface Sent extends SentAt {
  recorded?: Record<string, unknown>;
}

export interface InletOptions {
  /** The history stream the workload records these messages under ("tasks"). */
  stream: string;
  send(message: InletMessage): Promise<Sent | void>;
}

/** The workload's side of an inlet. */
export interface RememberingInlet {
  /** Sends the message and remembers it once the broker took it. */
  send(message: InletMessage): Promise<Sent>;
  /** Remembers a message the workload sent itself (in bulk, with one command). */
  remember(message: InletMessage): void;
}

export function inlet(ctx: Pick<WorkloadContext, 'registerInlet'>, name: string, options: InletOptions): RememberingInlet {
  const sent = new Map<string, InletMessage>();
  const keys: string[] = [];
  // A fault's copy lands where the broker says; the workload's own fields are not its.
  const landed = ({ partition, offset }: Sent = {}): SentAt => ({ ...(partition === undefined ? {} : { partition }), ...(offset === undefined ? {} : { offset }) });
  const remember = (message: InletMessage) => {
    if (!sent.has(message.key)) keys.push(message.key);
    sent.set(message.key, message);
  };
  ctx.registerInlet(name, {
    stream: options.stream,
    sentKeys: () => keys,
    bodyOf: (key) => sent.get(key)?.body,
    async resend(key) {
      const message = sent.get(key);
      if (!message) throw new Error(`the lab never sent ${key} through the ${name} inlet`);
      return landed((await options.send(message)) ?? {});
    },
    async sendRaw(key, body) {
      return landed((await options.send({ key, body })) ?? {});
    },
  } satisfies Inlet);
  return {
    async send(message) {
      const sent = (await options.send(message)) ?? {};
      // Remembered once the broker took it: a copy is of a message that really went in.
      remember(message);
      return sent;
    },
    remember,
  };
}
