/**
 * ledger-entries
 *
 * Each side effect the program writes (a ledger line) must say what it is about, as the
 * README's contract asks: readable, naming a message the lab sent, naming a quote the lab's
 * service really gave for that message, and carrying that quote's amount.
 *
 * Definitions:
 * - entry: an operation matching `entries` (outcome "ok": readable, with a key; "fail":
 *   unreadable, or the ledger was not a list, `value.error`).
 * - quote: the call of that key whose attempt the entry's `value.quoteId` names
 *   ("Q-<key>-<attempt>"), answered OK.
 * - expected amount: the `amountField` of the lab's `produce` of that key (the lab knows
 *   what its service answers).
 *
 * Causes, the first that applies:
 * - unreadable: an entry that is not a JSON object with the key field, or a ledger that is
 *   not a list;
 * - unknown-message: an entry for a key the lab never sent;
 * - unknown-quote: an entry whose quote id names no quote the service gave for that key;
 * - wrong-amount: an entry whose amount is not its quote's.
 */
import { quoteAttempt } from './applied-once.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, str } from './types.js';

export interface LedgerEntriesParams {
  subject: string;
  sent: Selector;
  entries: Selector;
  quotes: Selector;
  /** The entry's (and the lab's record's) amount field: "eurCents". */
  amountField: string;
}

export type LedgerEntriesCause = 'unreadable' | 'unknown-message' | 'unknown-quote' | 'wrong-amount';

export const LEDGER_ENTRIES_CAUSES: Record<LedgerEntriesCause, string> = {
  unreadable: 'Some ledger entries could not be read: push one JSON object per entry (JSON.stringify; json.dumps in Python) onto the list, with the fields the README names.',
  'unknown-message': 'Some ledger entries name a message the lab never sent: copy the id from the message as it is.',
  'unknown-quote': 'Some ledger entries name a quote the FX API never gave for that message: put the quoteId of the answer you used, as it is.',
  'wrong-amount': "Some ledger entries' amounts are not what the FX API quoted: post the quote's eurCents, not the payment's own amount.",
};

export const ledgerEntries: CheckDefinition<LedgerEntriesParams> = {
  name: 'ledger-entries',
  causes: LEDGER_ENTRIES_CAUSES,
  parseParams: (raw) => ({ subject: str(raw, 'subject'), sent: selector(raw, 'sent'), entries: selector(raw, 'entries'), quotes: selector(raw, 'quotes'), amountField: str(raw, 'amountField') }),
  run(history, p) {
    const sent = new Map(select(history, p.sent, 'ok').filter((op) => (op.value as { copyOf?: string } | undefined)?.copyOf === undefined).map((op) => [op.key, op]));
    const entries = select(history, p.entries);
    const okQuotes = select(history, p.quotes, 'ok');
    const title = `Each ledger entry is as the README says`;
    const expected = `every entry a JSON object naming a ${p.subject} the lab sent, a quote the FX API gave for it, and that quote's ${p.amountField}`;
    if (entries.length === 0) return { title, status: 'unknown', expected, observed: 'no entries were written, so none could be checked', examples: [] };
    const problems: Array<{ cause: LedgerEntriesCause; text: string }> = [];
    for (const op of entries) {
      const v = (op.value ?? {}) as { line?: string; error?: string; quoteId?: unknown; eurCents?: unknown; index?: number };
      if (op.outcome !== 'ok') {
        problems.push({ cause: 'unreadable', text: v.error ?? `entry ${v.index ?? '?'}: ${JSON.stringify(v.line ?? '')}` });
        continue;
      }
      const key = op.key ?? '';
      const original = sent.get(key);
      if (!original) {
        problems.push({ cause: 'unknown-message', text: `entry ${v.index ?? '?'}: ${key} was never sent by the lab` });
        continue;
      }
      const attempt = quoteAttempt(v.quoteId, key);
      if (attempt === undefined || !okQuotes.some((c) => c.key === key && c.attempt === attempt)) {
        problems.push({ cause: 'unknown-quote', text: `entry ${v.index ?? '?'} (${key}): quoteId ${JSON.stringify(v.quoteId ?? null)} is not a quote the FX API gave for it` });
        continue;
      }
      const want = (original.value as Record<string, unknown> | undefined)?.[p.amountField];
      const got = (op.value as Record<string, unknown> | undefined)?.[p.amountField];
      if (got !== want) problems.push({ cause: 'wrong-amount', text: `entry ${v.index ?? '?'} (${key}): ${p.amountField} ${JSON.stringify(got ?? null)}, but the quote said ${JSON.stringify(want)}` });
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${entries.length} entries as specified`, examples: [] };
    const order: LedgerEntriesCause[] = ['unreadable', 'unknown-message', 'unknown-quote', 'wrong-amount'];
    const cause = order.find((c) => problems.some((x) => x.cause === c)) ?? 'unreadable';
    const shown = problems.filter((x) => x.cause === cause);
    return { title, status: 'fail', expected, observed: `${countOf(problems.length, entries.length, 'ledger line')} not as specified`, examples: firstFew(shown).map((x) => x.text), cause };
  },
};
