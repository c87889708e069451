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
 */
import type { SentAt } from '../../faults/types.js';
import type { WorkloadContext } from '../types.js';
import { type InletMessage, type RememberingInlet, inlet } from './inlet.js';

export interface ProducerOptions {
  /** The history stream the messages are recorded under ("payments"). */
  stream: string;
  /** The inlets by name, each with how it sends a message; the first sends the originals. */
  inlets: Record<string, (message: InletMessage) => Promise<SentAt | void>>;
}

export interface SendOptions {
  tags?: string[];
  /** More fields for the recorded value (the phase, what the lab expects of the message). */
  record?: Record<string, unknown>;
  /** Passed to the inlet's send function (a message id, a content type, a Kafka key). */
  extra?: Record<string, unknown>;
}

export interface Producer {
  /** Sends one message with this key; true once the broker took it (recorded either way). */
  send(key: string, body: Record<string, unknown>, options?: SendOptions): Promise<boolean>;
  /** Sends a message already sent again, unchanged, through the named inlet (a copy the
   *  workload itself sends, not a fault); recorded like a fault's copy, with `copyOf`. */
  resend(inletName: string, key: string, options?: Pick<SendOptions, 'tags'>): Promise<boolean>;
  /** Messages sent and not yet taken by the broker: one may be in its queue before it is recorded. */
  inFlight(): number;
}

export function producer(ctx: Pick<WorkloadContext, 'history' | 'registerInlet'>, options: ProducerOptions): Producer {
  const inlets: RememberingInlet[] = Object.entries(options.inlets).map(([name, send]) => inlet(ctx, name, { stream: options.stream, send }));
  const [first] = inlets;
  if (!first) throw new Error('a producer needs at least one inlet');
  const messages = new Map<string, InletMessage>();
  let inFlight = 0;
  return {
    inFlight: () => inFlight,
    async resend(inletName, key, { tags = [] } = {}) {
      const send = options.inlets[inletName];
      const message = messages.get(key);
      if (!send || !message) throw new Error(`cannot resend ${key} through "${inletName}"`);
      try {
        const at = (await send(message)) ?? {};
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: options.stream, key, ...at, value: { copyOf: key, tags } });
        return true;
      } catch (error) {
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'fail', stream: options.stream, key, value: { copyOf: key, error: String(error), tags } });
        return false;
      }
    },
    async send(key, body, { tags = [], record = {}, extra } = {}) {
      const message: InletMessage = { key, body: Buffer.from(JSON.stringify(body)), ...(extra ? { extra } : {}) };
      inFlight++;
      // Known to the lab's services before it is published: the program may call about it
      // before the broker's confirm comes back and the produce is recorded.
      ctx.history.sending(key, { ...body, ...record, tags });
      try {
        const at = await first.send(message);
        messages.set(key, message);
        for (const other of inlets.slice(1)) other.remember(message);
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'ok', stream: options.stream, key, ...at, value: { ...body, ...record, tags } });
        return true;
      } catch (error) {
        ctx.history.record({ process: 'lab', kind: 'produce', outcome: 'fail', stream: options.stream, key, value: { error: String(error), tags } });
        return false;
      } finally {
        inFlight--;
      }
    },
  };
}
