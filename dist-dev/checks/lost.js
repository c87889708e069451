import { killTimes } from '../faults/events.js';
import { countOf, firstFew, optionalStr, select, selector, seconds, str, tagsOf, } from './types.js';
export const LOST_CAUSES = {
    'lost-at-kill': 'Messages your program had taken were gone when it was killed: the broker had already been told they were done. Acknowledge or commit a message only after its work succeeded, and only that message.',
    'dead-lettered': 'Messages that would have succeeded on a later attempt were dead-lettered. Retry a failure before giving up on it.',
    'gave-up': 'A first attempt failed and the message was never tried again. Failures can be temporary: send the message back for another attempt (nack with requeue, or a retry queue).',
    'never-processed': 'Some messages were never processed at all. Process every message you receive, and check that you are listening where the lab sends.',
};
/** Most serious first. */
const SERIOUSNESS = ['lost-at-kill', 'dead-lettered', 'gave-up', 'never-processed'];
/** Why one lost message was lost, from what the history shows about it. */
function storyOf(op, history, p, kills) {
    const key = op.key ?? '';
    const attempts = history.filter((a) => a.kind === p.delivered.kind && (p.delivered.stream === undefined || a.stream === p.delivered.stream) && a.key === key);
    const sentAt = `sent at ${seconds(op.t)}`;
    const cut = attempts.find((a) => a.outcome === 'info');
    if (cut) {
        const later = attempts.filter((a) => a.t > cut.t).length;
        return { op, cause: 'lost-at-kill', text: `${key} (${sentAt}): being processed when your program was killed at ${seconds(cut.t)}, and ${later === 0 ? 'never processed again' : `its ${later} later attempt${later === 1 ? '' : 's'} failed`}` };
    }
    const deadLetter = history.find((d) => d.kind === 'dead-letter' && d.key === key);
    if (deadLetter) {
        const n = attempts.length;
        return { op, cause: 'dead-lettered', text: `${key} (${sentAt}${tagsOf(op).length ? `, ${tagsOf(op).join(', ')}` : ''}): dead-lettered after ${n} attempt${n === 1 ? '' : 's'}, though a later attempt would have succeeded` };
    }
    if (attempts.length > 0) {
        const n = attempts.length;
        return { op, cause: 'gave-up', text: `${key} (${sentAt}): ${n === 1 ? 'its only attempt' : `all ${n} attempts`} failed, and it was never tried again` };
    }
    // Sent before a kill, never attempted, while the program did process other messages after
    // the kill: it had been taken, and it died with the killed copy.
    const killAfter = kills.find((t) => t >= op.t);
    const workedAfterKill = killAfter !== undefined && history.some((a) => a.t > killAfter && a.kind === p.delivered.kind && a.outcome === 'ok');
    if (killAfter !== undefined && workedAfterKill) {
        return { op, cause: 'lost-at-kill', text: `${key} (${sentAt}): never processed; your program was killed at ${seconds(killAfter)} and nobody processed it afterwards` };
    }
    return { op, cause: 'never-processed', text: `${key} (${sentAt}): never processed` };
}
export const noLostMessages = {
    name: 'no-lost-messages',
    causes: LOST_CAUSES,
    parseParams: (raw) => ({
        subject: str(raw, 'subject'),
        sent: selector(raw, 'sent'),
        delivered: selector(raw, 'delivered'),
        excludeTag: optionalStr(raw, 'excludeTag'),
    }),
    run(history, p) {
        const sent = select(history, p.sent, 'ok').filter((op) => !(p.excludeTag && tagsOf(op).includes(p.excludeTag)));
        const delivered = new Set(select(history, p.delivered, 'ok').map((op) => op.key));
        const lost = sent.filter((op) => !delivered.has(op.key));
        const total = sent.length;
        const title = `Every ${p.subject} gets through`;
        const expected = `all ${total} ${p.subject}s sent by the lab are processed at least once`;
        if (total === 0) {
            return { title, status: 'unknown', expected, observed: 'the lab sent nothing, so nothing could be checked', examples: [] };
        }
        if (lost.length === 0) {
            return { title, status: 'pass', expected, observed: `all ${total} arrived`, examples: [] };
        }
        const kills = killTimes(history);
        const stories = lost.map((op) => storyOf(op, history, p, kills));
        // The cause named is the most serious one shown (a loss at a kill is what this check is
        // most about, even when more flaky messages were given up on); the examples lead with it.
        const byCause = new Map();
        for (const story of stories)
            byCause.set(story.cause, [...(byCause.get(story.cause) ?? []), story]);
        const ranked = SERIOUSNESS.filter((c) => byCause.has(c)).map((c) => [c, byCause.get(c) ?? []]);
        const [cause] = ranked[0] ?? ['never-processed'];
        const PHRASE = {
            'lost-at-kill': 'taken by your program before it was killed',
            'dead-lettered': 'dead-lettered though they could have succeeded',
            'gave-up': 'given up after failed attempts',
            'never-processed': 'never processed',
        };
        const breakdown = ranked.length > 1 ? `: ${ranked.map(([c, s]) => `${s.length} ${PHRASE[c]}`).join(', ')}` : '';
        const WHY = {
            'lost-at-kill': `, all taken by your program before it was killed`,
            'dead-lettered': ', dead-lettered though they could have succeeded',
            'gave-up': ', given up after failed attempts',
            'never-processed': '',
        };
        return {
            title,
            status: 'fail',
            expected,
            observed: `${countOf(lost.length, total, p.subject)} never got through${ranked.length === 1 ? WHY[cause] : breakdown}`,
            examples: firstFew(ranked.flatMap(([, s]) => s).map((s) => s.text)),
            cause,
        };
    },
};
//# sourceMappingURL=lost.js.map