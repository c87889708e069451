/**
 * Sending the lab's messages: each one sent, recorded as a `produce` operation (outcome "ok"
 * once the broker took it, "fail" with the error otherwise) with its tags, and remembered by
 * the workload's inlets, so that `duplicate` and `poison` faults can send copies and bad
 * messages the same way.
 *
 * Definitions:
 * - inlet: a way in for faults (blocks/inlet.ts). A workload whose copies go in more than one
 *   way (the same message id, as a broker's redelivery; a new one, as a producer's retry)
 *   names one inlet per way; the first one sends the originals.
 * - tags: what the lab knows about a message that its checks and the downstream's failure
 *   rules read ("flaky", "race").
 * - recorded value: the body, then `record` (what the lab expects of the message), then what
 *   the send itself reported (`Sent.recorded`: Redis PUBLISH's receivers), then the tags.
 */
import type { SentAt } from '../../faults/types.js';
import type { WorkloadContext } from '../types.js';
import { type InletMessage, type RememberingInlet, type Sent, inlet } from './inlet.js';

export interface ProducerOptions {
  /** The history stream the messages are recorded under ("payments"). */
  stream: string;
  /** The inlets by name, each with how it sends a message; the first sends the originals. */
  inlets: Record<string, (message: InletMessage) => Promise<Sent | void>>;
}

export interface SendOptions {
  tags?: string[];
  /** More fields for the recorded value (the phase, what the lab expects of the message). */
  record?: Record<string, unknown>;
  /** Passed to the inlet's send function (a message id, a content type, a Kafka key). */
  extra?: Record<string, unknown>;
  /** Record the message before sending it, not once the broker took it: for a message whose
   *  effects can come back before the broker's confirm (a reply, the first hop of a chain)
   *  and are looked up in the history. A refused send is then recorded as "fail" after it. */
  recordFirst?: boolean;
}

/** One message of a burst (`sendBurst`). */
export interface BurstMessage {
  key: string;
  body: object;
  options?: Pick<SendOptions, 'tags' | 'record'>;
}

export interface Producer {
  /** Sends one message with this key; true once the broker took it (recorded either way). */
  send(key: string, body: object, options?: SendOptions): Promise<boolean>;
  /** Sends several messages with one command of the workload's (`sendAll`: one LPUSH, so the
   *  whole burst is there at once), then records and remembers each; false if it failed. */
  sendBurst(messages: BurstMessage[], sendAll: (messages: InletMessage[]) => Promise<void>): Promise<boolean>;
  /** Sends a message already sent again, unchanged, through the named inlet (a copy the
   *  workload itself sends, not a fault); recorded like a fault's copy, with `copyOf`. */
  resend(inletName: string, key: string, options?: Pick<SendOptions, 'tags'>): Promise<boolean>;
  /** Messages sent and not yet taken by the broker: one may be in its queue before it is recorded. */
  inFlight(): number;
}

/** Where the message landed, for the operation; the send's own fields go in its value. */
function split(sent: Sent | void): { at: SentAt; recorded: Record<string, unknown> } {
  const { recorded = {}, ...at } = sent ?? {};
  return { at, recorded };
}

export function producer(ctx: Pick<WorkloadContext, 'history' | 'registerInlet'>, options: ProducerOptions): Producer {
  const inlets: RememberingInlet[] = Object.entries(options.inlets).map(([name, send]) => inlet(ctx, name, { stream: options.stream, send }));
  const [first] = inlets;
  if (!first) throw new Error('a producer needs at least one inlet');
  const messages = new Map<string, InletMessage>();
  const remember = (message: InletMessage) => {
    messages.set(message.key, message);
    for (const other of inlets.slice(1)) other.remember(message);
  };
  const { stream } = options;
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    async resend(inletName, key, { tags = [] } = {}) {
      const send = options.inlets[inletName];
      const message = messages.get(key);
      if (!send || !message) throw new Error(`cannot resend ${key} through "${inletName}"`);
      try {
        const { at } = split(await send(message));
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream, key, ...at, value: { copyOf: key, tags } });
        return true;
      } catch (error) {
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'fail', stream, key, value: { copyOf: key, error: String(error), tags } });
        return false;
      }
    },
    async send(key, body, { tags = [], record = {}, extra, recordFirst = false } = {}) {
      const message: InletMessage = { key, body: Buffer.from(JSON.stringify(body)), ...(extra ? { extra } : {}) };
      if (recordFirst) ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream, key, value: { ...body, ...record, tags } });
      inFlight++;
      // Known to the lab's services before it is published: the program may call about it
      // before the broker's confirm comes back and the produce is recorded.
      ctx.history.sending(key, { ...body, ...record, tags });
      try {
        const { at, recorded } = split(await first.send(message));
        remember(message);
        if (!recordFirst) ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream, key, ...at, value: { ...body, ...record, ...recorded, tags } });
        return true;
      } catch (error) {
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'fail', stream, key, value: { ...record, error: String(error), tags } });
        return false;
      } finally {
        inFlight--;
      }
    },
    async sendBurst(burst, sendAll) {
      const sent = burst.map(({ key, body }): InletMessage => ({ key, body: Buffer.from(JSON.stringify(body)) }));
      inFlight += burst.length;
      for (const { key, body, options: { tags = [], record = {} } = {} } of burst) ctx.history.sending(key, { ...body, ...record, tags });
      try {
        await sendAll(sent);
        for (const message of sent) {
          first.remember(message);
          remember(message);
        }
        for (const { key, body, options: { tags = [], record = {} } = {} } of burst) {
          ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream, key, value: { ...body, ...record, tags } });
        }
        return true;
      } catch (error) {
        for (const { key, options: { tags = [], record = {} } = {} } of burst) {
          ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'fail', stream, key, value: { ...record, error: String(error), tags } });
        }
        return false;
      } finally {
        inFlight -= burst.length;
      }
    },
  };
}
