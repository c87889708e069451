/**
 * ledger-entries
 *
 * Each side effect the program writes (a ledger line) must say what it is about, as the
 * README's contract asks: readable, naming a message the lab sent, naming a quote the lab's
 * service really gave for that message, and carrying that quote's amount.
 *
 * Definitions:
 * - entry: an operation matching `entries` (outcome "ok": readable, with a key, its JSON
 *   object as `value.fields`; "fail": unreadable, or the ledger was not a list, `value.error`).
 * - quote: the call of that key whose attempt the entry's `value.quoteId` names
 *   ("Q-<key>-<attempt>"), answered OK.
 * - expected amount: the `amountField` of the lab's `produce` of that key (the lab knows
 *   what its service answers).
 *
 * - copied fields: `copiedFields` of the entry must equal the lab's `produce` value's (the
 *   message's own data: an account).
 *
 * Causes, the first that applies:
 * - unreadable: an entry that is not a JSON object with the key field, or a ledger that is
 *   not a list;
 * - unknown-message: an entry for a key the lab never sent;
 * - unknown-quote: an entry whose quote id names no quote the service gave for that key;
 * - wrong-type: an amount that is the quote's, written as a string;
 * - wrong-amount: an entry whose amount is not its quote's;
 * - wrong-field: a copied field missing or not as the message had it.
 */
import { quoteAttempt } from './applied-once.js';
import { type CheckDefinition, type Selector, countOf, firstFew, select, selector, str } from './types.js';
import { consumeValue, produceValue } from '../runner/messages.js';

export interface LedgerEntriesParams {
  subject: string;
  sent: Selector;
  entries: Selector;
  quotes: Selector;
  /** The entry's (and the lab's record's) amount field: "eurCents". */
  amountField: string;
  /** Fields the entry copies from the message ("account"). */
  copiedFields: string[];
}

export type LedgerEntriesCause = 'unreadable' | 'unknown-message' | 'unknown-quote' | 'wrong-type' | 'wrong-amount' | 'wrong-field';

export const LEDGER_ENTRIES_CAUSES: Record<LedgerEntriesCause, string> = {
  unreadable: 'Some ledger entries could not be read: push one JSON object per entry (JSON.stringify; json.dumps in Python) onto the list, with the fields the README names.',
  'unknown-message': 'Some ledger entries name a message the lab never sent: copy the id from the message as it is.',
  'unknown-quote': 'Some ledger entries name a quote the FX API never gave for that message: put the quoteId of the answer you used, as it is.',
  'wrong-type': "Some ledger entries carry the quoted amount as a string: write it as a JSON number, as the quote has it.",
  'wrong-amount': "Some ledger entries' amounts are not what the FX API quoted: post the quote's eurCents, not the payment's own amount.",
  'wrong-field': 'Some ledger entries leave out a field of the message, or change it: copy it from the message as it is.',
};

export const ledgerEntries: CheckDefinition<LedgerEntriesParams> = {
  name: 'ledger-entries',
  causes: LEDGER_ENTRIES_CAUSES,
  parseParams: (raw) => ({
    subject: str(raw, 'subject'),
    sent: selector(raw, 'sent'),
    entries: selector(raw, 'entries'),
    quotes: selector(raw, 'quotes'),
    amountField: str(raw, 'amountField'),
    copiedFields: Array.isArray(raw.copiedFields) ? raw.copiedFields.map(String) : [],
  }),
  run(history, p) {
    const sent = new Map(select(history, p.sent, 'ok').filter((op) => produceValue(op).copyOf === undefined).map((op) => [op.key, op]));
    const entries = select(history, p.entries);
    const okQuotes = select(history, p.quotes, 'ok');
    const title = `Each ledger entry is as the README says`;
    const expected = `every entry a JSON object naming a ${p.subject} the lab sent, a quote the FX API gave for it, and that quote's ${p.amountField}`;
    if (entries.length === 0) return { title, status: 'unknown', expected, observed: 'no entries were written, so none could be checked', examples: [] };
    const problems: Array<{ cause: LedgerEntriesCause; text: string }> = [];
    for (const op of entries) {
      const v = consumeValue(op);
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
      const sentValue = produceValue(original);
      const entry = v.fields ?? {};
      const want = sentValue[p.amountField];
      const got = entry[p.amountField];
      if (typeof got === 'string' && Number(got) === want) {
        problems.push({ cause: 'wrong-type', text: `entry ${v.index ?? '?'} (${key}): ${p.amountField} ${JSON.stringify(got)}, a string; the quote said ${JSON.stringify(want)}` });
        continue;
      }
      if (got !== want) {
        problems.push({ cause: 'wrong-amount', text: `entry ${v.index ?? '?'} (${key}): ${p.amountField} ${JSON.stringify(got ?? null)}, but the quote said ${JSON.stringify(want)}` });
        continue;
      }
      const changed = p.copiedFields.find((field) => entry[field] !== sentValue[field]);
      if (changed) problems.push({ cause: 'wrong-field', text: `entry ${v.index ?? '?'} (${key}): "${changed}" is ${JSON.stringify(entry[changed] ?? null)}, but the ${p.subject} had ${JSON.stringify(sentValue[changed] ?? null)}` });
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${entries.length} entries as specified`, examples: [] };
    const order: LedgerEntriesCause[] = ['unreadable', 'unknown-message', 'unknown-quote', 'wrong-type', 'wrong-amount', 'wrong-field'];
    const cause = order.find((c) => problems.some((x) => x.cause === c)) ?? 'unreadable';
    const shown = problems.filter((x) => x.cause === cause);
    return { title, status: 'fail', expected, observed: `${countOf(problems.length, entries.length, 'ledger line')} not as specified`, examples: firstFew(shown).map((x) => x.text), cause };
  },
};
