/**
 * The change-data relay's checks (workloads/kafka-cdc-relay.ts): cdc-changes-published,
 * cdc-copies-only-at-kill, cdc-key-order and cdc-position-saved.
 *
 * Definitions:
 * - change: a `produce` of stream "changes": an insert or update the lab committed to the
 *   customers table, keyed by its change_id, with the customer, the phase it was made in
 *   ("before-start", "stream", "relay-kill", "relay-down", "after-restart") and tags
 *   ("same-transaction": one of three rows inserted by one transaction, one updated_at;
 *   "late-commit": an update committed after later changes, so its updated_at is older
 *   than theirs; "while-down": made while the relay was killed).
 * - record: a `consume` of stream "changes-topic": a record the lab read from CHANGES_TOPIC,
 *   with its partition, offset, Kafka key and the changeId and customerId of its value
 *   (outcome "fail" when the value has no changeId).
 * - published: a change with at least one record.
 * - position at the kill / at the end: the observations "cdc-position": the saved position
 *   (relay_position's last_change_id, or the last value on POSITION_TOPIC) once the lab had
 *   killed the relay and it stood still, and once the program had stopped; with the highest
 *   change id in the topic then (publishedMax).
 * - restart: the workload's kill-learner heal event (the relay started again).
 * - copy: a second (or later) record of one change id. Tolerated copies: changes above the
 *   position saved at the kill whose first record came before the restart, i.e. what the
 *   relay had published and not yet covered by its position when it died. With a relay that
 *   saves after each poll that is at most one poll's batch; a consumer drops copies by
 *   changeId (it keeps, per customer, the highest changeId it has applied).
 *
 * The generic checks do not fit here: no-lost-messages cannot read the position, which is
 * what tells the causes apart; duplicates-only-after-crash tolerates every copy after a
 * crash, where a relay's contract bounds them by its saved position; in-order compares
 * arrival order, which a relay that drops the key does not break in this schedule (the lab
 * changes a customer again only once its previous change is in the topic), while the
 * partition split it causes is what breaks a consumer's order.
 *
 * cdc-changes-published fails when a change never reached the topic; each lost change is
 * explained, first match: saved-before-publish (made in the kill phase, above the topic's
 * highest change at the kill and at or below the position saved then: the position was
 * saved before the publish), skipped-while-down (made before the relay's first start, while
 * it was down, or in the kill phase and not yet published when it died, above the saved
 * position: it restarted at the newest change instead of its saved position),
 * late-commit-skipped (the update committed late with an older updated_at: polled by
 * timestamp), position-past-unpublished (any other: the position moved past a change that
 * was never published, with no kill or restart to explain it). Before all these:
 * stalled-after-restart when not one record reached the topic after the restart (the relay
 * never came back to polling), so no position is blamed. The cause is
 * position-past-unpublished when any lost change has it (a relay that skips changes at any
 * time also skips some at the kill or the late commit), else the first of the others, in
 * that order, that explains a lost change.
 * cdc-copies-only-at-kill fails on a copy that is not tolerated: replayed-from-start when no
 * position was saved at the kill, or a change below that position was published again after
 * the restart (the restarted relay started from nothing and published every row again: a
 * polling relay sees each row's latest change only, so the copies are of those; the lab keeps
 * one customer unchanged after phase 1 so there is always such a row), else republished-saved (copies of changes its saved position already covered).
 * cdc-key-order fails when a record has no key (no-key) or another key than its customer id
 * (wrong-key), when one customer's changes are in several partitions (split), or when, in a
 * partition, a customer's changes first appear out of change-id order (out-of-order).
 * cdc-value-format fails when a record's value is not the README's JSON object: changeId not
 *   a JSON number (changeid-not-number: a string compares "9" > "10", which breaks a
 *   consumer's "highest changeId applied"), or a field missing or of another type than
 *   stated (customerId, name, email, tier, updatedAt strings: fields-wrong). It reads the
 *   JSON types the lab recorded for each record's value (value.types).
 * cdc-position-saved fails when no position was saved by the kill or at the end (never-saved),
 * or when the position at the end is below the last change made (behind-at-end).
 */
import type { History, Operation } from '../runner/history.js';
import { faultEvents } from '../faults/events.js';
import { type CdcPosition, observationsOf } from '../runner/observations.js';
import { type CheckDefinition, countOf, firstFew, select, tagsOf } from './types.js';
import { KILL_FAULT_ID } from '../workloads/options/kafka-cdc-relay.js';

export type CdcParams = Record<string, never>;
const parseParams = (): CdcParams => ({});

interface Change {
  changeId: number;
  customerId: string;
  phase: string;
  tags: string[];
  t: number;
}

function changesOf(history: History): Change[] {
  return select(history, { kind: 'produce', stream: 'changes' }, 'ok').map((op) => {
    const v = (op.value ?? {}) as Record<string, unknown>;
    return { changeId: Number(v.changeId), customerId: String(v.customerId ?? ''), phase: String(v.phase ?? ''), tags: tagsOf(op), t: op.t };
  });
}

interface TopicRecord {
  changeId: number | null;
  customerId: string | null;
  kafkaKey: string | null;
  partition: number;
  offset: bigint;
  t: number;
}

function recordsOf(history: History): TopicRecord[] {
  const seen = new Set<string>();
  const records: TopicRecord[] = [];
  for (const op of select(history, { kind: 'consume', stream: 'changes-topic' })) {
    const where = `${op.partition ?? -1}:${op.offset ?? ''}`;
    if (seen.has(where)) continue; // the lab's reader read it twice: still one record
    seen.add(where);
    const v = (op.value ?? {}) as Record<string, unknown>;
    records.push({
      changeId: typeof v.changeId === 'number' ? v.changeId : null,
      customerId: typeof v.customerId === 'string' ? v.customerId : null,
      kafkaKey: typeof v.kafkaKey === 'string' ? v.kafkaKey : null,
      partition: op.partition ?? -1,
      offset: BigInt(op.offset ?? '-1'),
      t: op.t,
    });
  }
  return records;
}

const positionAt = (history: History, at: CdcPosition['at']): CdcPosition | undefined => observationsOf(history, 'cdc-position').find((op) => op.value.at === at)?.value;

/** When the relay was started again after the lab's kill (run time), if it was. */
function restartedAt(history: History): number | undefined {
  return faultEvents(history).find((op: Operation & { value: { fault: string; id: number; phase: string; restarted?: boolean } }) => op.value.fault === 'kill-learner' && op.value.id === KILL_FAULT_ID && op.value.phase === 'heal' && op.value.restarted === true)?.t;
}

const positionText = (p: number | null) => (p === null ? 'none saved' : `change ${p}`);

export const CDC_PUBLISHED_CAUSES = {
  'saved-before-publish':
    'Changes the relay\'s saved position already covered when the lab killed it were not in the topic, and after the restart it went on from that position: it saved the position before Kafka acknowledged the publish. Publish, await the acknowledgement (await producer.send(...); confluent-kafka: flush() or a delivery callback), then save the position.',
  'skipped-while-down':
    'Changes made while the relay was not running (before its first start, or while the lab had killed it) never reached the topic: at start-up it began at the newest change instead of the position it saved. Keep the position durable (relay_position or POSITION_TOPIC), read it at start-up, and start from 0 when there is none.',
  'late-commit-skipped':
    'A change committed after later changes, with an older updated_at, never reached the topic: the relay polls by timestamp (updated_at > the last one seen). now() is the transaction\'s start time and commit order is not timestamp order, so such a row lands behind the position. Poll by change_id (WHERE change_id > $1 ORDER BY change_id), whose trigger hands ids out in commit order.',
  'position-past-unpublished':
    'The saved position moved past changes that were never published. Save exactly the change_id of the last change Kafka acknowledged (the last row of the batch you sent), never the table\'s newest id or a count.',
  'stalled-after-restart':
    'After the lab restarted the relay, it published nothing at all: it never got back to polling (stuck at start-up reading its position, say a consumer of POSITION_TOPIC subscribed at the latest offset waits forever for a record). Make start-up finish: read the saved position (relay_position, or POSITION_TOPIC\'s last record by a seek to high watermark - 1), 0 when there is none, then poll.',
} as const;

export const cdcChangesPublished: CheckDefinition<CdcParams> = {
  name: 'cdc-changes-published',
  causes: CDC_PUBLISHED_CAUSES,
  parseParams,
  run(history) {
    const title = 'Every change reaches the topic';
    const expected = 'a record in CHANGES_TOPIC for every change_id the lab made (copies allowed), also for changes made before the relay started, while it was down, and committed late';
    const changes = changesOf(history);
    if (changes.length === 0) return { title, status: 'unknown', expected, observed: 'the lab made no change', examples: [] };
    const records = recordsOf(history);
    const published = new Set(records.map((r) => r.changeId));
    const lost = changes.filter((c) => !published.has(c.changeId));
    if (lost.length === 0) return { title, status: 'pass', expected, observed: `all ${changes.length} changes reached the topic`, examples: [] };
    const observed = `${countOf(lost.length, changes.length, 'change')} never reached the topic`;
    if (records.length === 0) return { title, status: 'fail', expected, observed: `no record reached CHANGES_TOPIC at all for the ${changes.length} changes`, examples: firstFew(lost).map((c) => `change ${c.changeId} (${c.customerId})`) };
    if (published.size === 1 && published.has(null)) return { title, status: 'fail', expected, observed: `${records.length} records reached CHANGES_TOPIC, none with a numeric "changeId" in its JSON value`, examples: [] };
    const kill = positionAt(history, 'kill');
    const restart = restartedAt(history);
    if (restart !== undefined && !records.some((r) => r.t >= restart) && lost.some((c) => c.t >= restart)) {
      // Nothing after the restart: no position explains the losses, the relay never came back.
      const since = lost.filter((c) => c.t >= restart || c.phase === 'relay-down');
      return {
        title,
        status: 'fail',
        expected,
        observed: `${observed}: after the lab restarted the relay, not one record reached the topic (${countOf(since.length, lost.length, 'lost change')} made while it was down or after the restart)`,
        examples: firstFew(since).map((c) => `change ${c.changeId} (${c.customerId}): made in phase "${c.phase}"`),
        cause: 'stalled-after-restart',
      };
    }
    const causeOf = (c: Change): keyof typeof CDC_PUBLISHED_CAUSES => {
      // Made in the kill phase and not yet in the topic when the relay died: the restart decides.
      const pendingAtKill = kill !== undefined && c.phase === 'relay-kill' && c.changeId > kill.publishedMax;
      if (pendingAtKill && kill.position !== null && c.changeId <= kill.position) return 'saved-before-publish';
      if (pendingAtKill || c.phase === 'before-start' || c.phase === 'relay-down') return 'skipped-while-down';
      if (c.tags.includes('late-commit')) return 'late-commit-skipped';
      return 'position-past-unpublished';
    };
    const explained = lost.map((c) => ({ c, cause: causeOf(c) }));
    // A loss no particular moment explains outweighs the others: those may be its side effects.
    const order = Object.keys(CDC_PUBLISHED_CAUSES);
    const causes = explained.map((x) => x.cause);
    const cause = causes.includes('position-past-unpublished') ? 'position-past-unpublished' : causes.sort((a, b) => order.indexOf(a) - order.indexOf(b))[0];
    const says: Record<keyof typeof CDC_PUBLISHED_CAUSES, (c: Change) => string> = {
      'saved-before-publish': () => `covered by the position saved at the kill (${positionText(kill?.position ?? null)}), while the topic ended at change ${kill?.publishedMax ?? 0}`,
      'skipped-while-down': (c) => (c.phase === 'before-start' ? 'made before the relay first started' : 'made while the relay was down'),
      'late-commit-skipped': () => 'committed after later changes, with an older updated_at',
      'position-past-unpublished': (c) => `made in phase "${c.phase}"`,
      'stalled-after-restart': (c) => `made in phase "${c.phase}"`,
    };
    return {
      title,
      status: 'fail',
      expected,
      observed: kill ? `${observed}; at the kill the saved position was ${positionText(kill.position)} and the topic's highest change ${kill.publishedMax}` : observed,
      examples: firstFew(explained).map(({ c, cause: k }) => `change ${c.changeId} (${c.customerId}): ${says[k](c)}`),
      ...(cause ? { cause } : {}),
    };
  },
};

export const cdcCopiesOnlyAtKill: CheckDefinition<CdcParams> = {
  name: 'cdc-copies-only-at-kill',
  causes: {
    'replayed-from-start':
      'After the restart the relay published rows again from the start, below the position it had saved: it saved no position (it kept it in memory), or it never read the saved one back at start-up. Save the position after each acknowledged batch (relay_position or POSITION_TOPIC) and read it at start-up; the table keeps one row per customer, so a customer not changed since is published again by a relay starting from 0.',
    'republished-saved':
      'Changes were published again although the position saved before had already covered them: the relay does not resume strictly after its saved position (WHERE change_id >= instead of >, or the position not read back at start-up). A timestamp position does the same: a JS Date keeps milliseconds, timestamptz microseconds, so updated_at > the truncated time selects the same rows again; poll by change_id.',
  },
  parseParams,
  run(history) {
    const title = 'Copies only of what was unsaved at the kill';
    const expected = 'each change once, except the changes published after the position saved at the kill (the relay publishes them again after its restart; consumers drop copies by changeId)';
    const records = recordsOf(history).filter((r) => r.changeId !== null);
    if (records.length === 0) return { title, status: 'unknown', expected, observed: 'no change reached the topic', examples: [] };
    const kill = positionAt(history, 'kill');
    const restart = restartedAt(history);
    const byChange = new Map<number, TopicRecord[]>();
    for (const r of records) byChange.set(r.changeId as number, [...(byChange.get(r.changeId as number) ?? []), r]);
    const copied = [...byChange].filter(([, rs]) => rs.length > 1).sort(([a], [b]) => a - b);
    const tolerated = ([id, rs]: [number, TopicRecord[]]) => kill !== undefined && kill.position !== null && id > kill.position && restart !== undefined && Math.min(...rs.map((r) => r.t)) < restart;
    const wrong = copied.filter((c) => !tolerated(c));
    const within = copied.length - wrong.length;
    // Started from nothing: no position at the kill, or after the restart a copy of a change
    // below it (a relay resuming at its position, even with >=, republishes that one change only).
    const replayedFromStart = !kill || kill.position === null || (restart !== undefined && wrong.some(([id, rs]) => id < (kill.position ?? 0) && rs.some((r) => r.t >= restart)));
    if (wrong.length === 0) {
      return { title, status: 'pass', expected, observed: copied.length === 0 ? `${byChange.size} changes, no copies` : `${within} change${within === 1 ? '' : 's'} published again after the kill, all above the position saved then (${positionText(kill?.position ?? null)})`, examples: [] };
    }
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(wrong.length, byChange.size, 'change')} published more than once outside the kill window (position saved at the kill: ${positionText(kill?.position ?? null)})`,
      examples: firstFew(wrong).map(([id, rs]) => `change ${id}: ${rs.length} records`),
      cause: replayedFromStart ? 'replayed-from-start' : 'republished-saved',
    };
  },
};

export const cdcKeyOrder: CheckDefinition<CdcParams> = {
  name: 'cdc-key-order',
  causes: {
    'no-key':
      'Records reached the topic without a key, so Kafka spread one customer\'s changes over partitions, and consumers reading partitions in parallel apply them in any order (an older tier over a newer one). Publish each change with key = customer_id: one customer, one partition, in order.',
    'wrong-key': 'Records were keyed by something other than the customer id: publish each change with key = customer_id, so a consumer (or a compacted topic) keeps the latest per customer.',
    split: 'One customer\'s changes landed in several partitions: keep the default partitioner and key = customer_id.',
    'out-of-order': 'In a partition, a customer\'s changes appeared out of change_id order: publish in change_id order (ORDER BY change_id) and wait for one batch before the next.',
  },
  parseParams,
  run(history) {
    const title = 'Each customer\'s changes in one partition, in order';
    const expected = 'every record keyed by its customerId, so each customer\'s changes sit in one partition in change_id order';
    const records = recordsOf(history).filter((r) => r.changeId !== null);
    if (records.length === 0) return { title, status: 'unknown', expected, observed: 'no change reached the topic', examples: [] };
    const noKey = records.filter((r) => r.kafkaKey === null || r.kafkaKey === '');
    if (noKey.length > 0) {
      const partitions = new Set(noKey.map((r) => r.partition));
      return { title, status: 'fail', expected, observed: `${countOf(noKey.length, records.length, 'record')} had no key (spread over ${partitions.size} partition${partitions.size === 1 ? '' : 's'})`, examples: firstFew(noKey).map((r) => `change ${r.changeId} (${r.customerId ?? '?'}): no key, partition ${r.partition}`), cause: 'no-key' };
    }
    const wrongKey = records.filter((r) => r.kafkaKey !== r.customerId);
    if (wrongKey.length > 0) {
      return { title, status: 'fail', expected, observed: `${countOf(wrongKey.length, records.length, 'record')} had another key than the customer id`, examples: firstFew(wrongKey).map((r) => `change ${r.changeId}: key "${r.kafkaKey}", customerId "${r.customerId ?? '?'}"`), cause: 'wrong-key' };
    }
    const byCustomer = new Map<string, TopicRecord[]>();
    for (const r of records) byCustomer.set(r.kafkaKey as string, [...(byCustomer.get(r.kafkaKey as string) ?? []), r]);
    const split = [...byCustomer].filter(([, rs]) => new Set(rs.map((r) => r.partition)).size > 1);
    if (split.length > 0) {
      return { title, status: 'fail', expected, observed: `${countOf(split.length, byCustomer.size, 'customer')} had changes in several partitions`, examples: firstFew(split).map(([c, rs]) => `${c}: partitions ${[...new Set(rs.map((r) => r.partition))].join(', ')}`), cause: 'split' };
    }
    const reordered: string[] = [];
    for (const [customer, rs] of byCustomer) {
      const seen = new Set<number>();
      let last = 0;
      for (const r of [...rs].sort((a, b) => (a.offset < b.offset ? -1 : a.offset > b.offset ? 1 : 0))) {
        const id = r.changeId as number;
        if (seen.has(id)) continue; // a copy: consumers drop it
        seen.add(id);
        if (id < last) reordered.push(`${customer}: change ${id} after change ${last} (partition ${r.partition}, offset ${r.offset})`);
        last = Math.max(last, id);
      }
    }
    if (reordered.length > 0) return { title, status: 'fail', expected, observed: `${reordered.length} change${reordered.length === 1 ? '' : 's'} came after a later change of the same customer`, examples: firstFew(reordered), cause: 'out-of-order' };
    return { title, status: 'pass', expected, observed: `${byCustomer.size} customers, each in one partition, changes in order`, examples: [] };
  },
};

export const cdcPositionSaved: CheckDefinition<CdcParams> = {
  name: 'cdc-position-saved',
  causes: {
    'never-saved':
      'The relay saved no position (relay_position had no row, POSITION_TOPIC no record): it keeps its position in memory, which a kill erases. After each acknowledged batch, save the last change_id: INSERT INTO relay_position ... ON CONFLICT (relay) DO UPDATE, or a record {"lastChangeId": N} on POSITION_TOPIC.',
    'behind-at-end': 'At the end the saved position was behind the last change the relay published: save it after every acknowledged batch, not every N batches or on a timer.',
  },
  parseParams,
  run(history) {
    const title = 'The position is saved, and covers everything at the end';
    const expected = 'a saved position (relay_position.last_change_id or the last record on POSITION_TOPIC) when the relay is killed, and equal to the last change made once everything was published';
    const kill = positionAt(history, 'kill');
    const end = positionAt(history, 'end');
    if (!end) return { title, status: 'unknown', expected, observed: 'the lab could not read the position at the end', examples: [] };
    // Nothing readable in the topic: judge a saved position on its own (the value's format is
    // cdc-value-format's business), and say so only when none was saved either.
    if (end.publishedMax === 0 && end.position === null) return { title, status: 'fail', expected, observed: 'no change reached the topic with a numeric changeId, and no position was saved', examples: [] };
    if (end.position === null || (kill && kill.position === null)) {
      return { title, status: 'fail', expected, observed: end.position === null ? 'no position was ever saved' : 'no position was saved by the time the lab killed the relay', examples: [`relay_position had no row and POSITION_TOPIC no record${kill ? `; at the kill the topic held changes up to ${kill.publishedMax}` : ''}`], cause: 'never-saved' };
    }
    if (end.position < end.madeMax) {
      const restart = restartedAt(history);
      const silent = restart !== undefined && !select(history, { kind: 'consume', stream: 'changes-topic' }).some((op) => op.t >= restart);
      const why = silent ? '; after the restart the relay published nothing and saved nothing: it never got back to polling' : '';
      return { title, status: 'fail', expected, observed: `at the end the saved position was change ${end.position}, the last change made ${end.madeMax} (the topic's highest ${end.publishedMax})${why}`, examples: [], cause: 'behind-at-end' };
    }
    return { title, status: 'pass', expected, observed: `saved in ${end.source === 'topic' ? 'POSITION_TOPIC' : 'relay_position'}: ${kill ? `${positionText(kill.position)} at the kill, ` : ''}change ${end.position} at the end (the last one made)`, examples: [] };
  },
};

/** The value's fields and their JSON types, as the README states them. */
const VALUE_TYPES = { changeId: 'number', customerId: 'string', name: 'string', email: 'string', tier: 'string', updatedAt: 'string' } as const;

export const cdcValueFormat: CheckDefinition<CdcParams> = {
  name: 'cdc-value-format',
  causes: {
    'changeid-not-number':
      'changeId reached the topic as a JSON string, not a number: consumers compare changeIds to drop copies and stale changes, and strings compare "9" > "10". node-postgres returns a bigint as a string: Number(row.change_id) (Python: int(...)).',
    'fields-wrong': 'The value is not the README\'s JSON object: a field is missing, renamed (customer_id instead of customerId) or of another type. Publish exactly { changeId (number), customerId, name, email, tier, updatedAt (ISO 8601 string) }.',
  },
  parseParams,
  run(history) {
    const title = 'Each value is the stated JSON object';
    const expected = `every value a JSON object with ${Object.entries(VALUE_TYPES).map(([k, t]) => `${k} (${t})`).join(', ')}`;
    const ops = select(history, { kind: 'consume', stream: 'changes-topic' });
    if (ops.length === 0) return { title, status: 'unknown', expected, observed: 'no record reached the topic', examples: [] };
    const problems: { what: string; changeIdString: boolean }[] = [];
    for (const op of ops) {
      const v = (op.value ?? {}) as Record<string, unknown>;
      const types = v.types as Record<string, string> | null | undefined;
      if (types === undefined) continue; // recorded before the lab kept the types
      const raw = typeof v.raw === 'string' ? v.raw.slice(0, 120) : '';
      if (types === null) {
        problems.push({ what: `not a JSON object: ${raw}`, changeIdString: false });
        continue;
      }
      const wrong = Object.entries(VALUE_TYPES).filter(([k, t]) => types[k] !== t);
      if (wrong.length > 0) problems.push({ what: `${wrong.map(([k, t]) => `${k} ${types[k] === undefined ? 'missing' : `a ${types[k]}`} (expected a ${t})`).join(', ')}: ${raw}`, changeIdString: types.changeId === 'string' });
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `${ops.length} records, every value with the stated fields and types`, examples: [] };
    const changeIdOnly = problems.every((x) => x.changeIdString);
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(problems.length, ops.length, 'record')} had another value`,
      examples: firstFew(problems).map((x) => x.what),
      cause: changeIdOnly ? 'changeid-not-number' : 'fields-wrong',
    };
  },
};
