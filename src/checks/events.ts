/**
 * Event design: the events a program emits, judged the way their consumers will read them.
 * Five checks over one history: events-follow-schema, event-names, correlation-and-causation,
 * schema-evolution, unique-event-ids.
 *
 * Definitions:
 * - command: an operation matching `sent` (the lab put it on the commands queue); its value
 *   is the command as sent: { type, commandId, correlationId, orderId, schemaVersion?, ... }.
 * - event: an operation matching `delivered` (the lab's own queue, bound to the events
 *   exchange with "#", so it sees every event whatever its routing key); its value is
 *   { routingKey, body }, body the raw text the lab received.
 * - envelope: the event's body parsed as a JSON object: id, type, version, occurredAt,
 *   correlationId, causationId, data (envelope.schema.json in the lab's folder).
 * - data schema of an event: the schema the lab ships for its type and version
 *   (<type>.v<version>.schema.json); none for a type or version the exercise does not name.
 * - expected type of a command: `eventFor[command.type]` (PlaceOrder -> order.placed).
 * - requested version of a command: its schemaVersion, 1 when it has none.
 * - traced: an event whose causationId is a command's commandId is traced to that command.
 *   An event that is not traced may be "found by its order": the command of the same order
 *   (data.orderId) whose expected type is the event's type. That serves to tell a cause
 *   (which commandId a causationId should have been) and schema-evolution (whether a version
 *   is right does not depend on the causationId being right too).
 * - old reader of a type: a consumer written against version 1 of its data schema. It
 *   ignores fields it does not know, so it can read an event whose data version 1's schema
 *   accepts (the shipped schemas allow additional properties).
 * - the same event: deliveries with the same id, type, causationId and data (a republished
 *   event is still one event); different events with one id are a reused id.
 *
 * Each check's causes are the keys of its *_CAUSES map below, with the hint that holds for any
 * exercise; a failing result names the cause most of its problems show (a tie goes to the one
 * listed first; in correlation-and-causation an event's problem outranks the commands left
 * without an event, which it may explain), and lists that cause's examples first.
 *
 * The schemas are read from the lab's folder (`schemaDir`, relative to brokerlab's package
 * root) when the scenario is loaded: the learner sees the very files the lab validates
 * against. Unit tests pass them inline (`schemas`). Runs themselves are pure.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { PACKAGE_ROOT } from '../paths.js';
import type { History, Operation } from '../runner/history.js';
import { type CheckDefinition, type CheckResult, type Selector, countOf, firstFew, select, selector } from './types.js';

// --- params ------------------------------------------------------------------------------

type JsonSchema = Record<string, unknown>;

export interface EventSchemas {
  envelope: JsonSchema;
  /** type -> version -> the data schema. */
  data: Record<string, Record<string, JsonSchema>>;
}

export interface EventParams {
  sent: Selector;
  delivered: Selector;
  /** The event each command calls for: {"PlaceOrder": "order.placed", ...}. */
  eventFor: Record<string, string>;
}

export interface SchemaParams extends EventParams {
  schemas: EventSchemas;
  /** Data fields an event copies from its command, by event type: {"order.placed": ["orderId", "total"]}. */
  copies: Record<string, string[]>;
}

export interface EvolutionParams extends EventParams {
  schemas: EventSchemas;
  /** The version old readers were written against (1). */
  oldVersion: number;
}

function stringMap(raw: Record<string, unknown>, field: string): Record<string, string> {
  const v = raw[field];
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string')) {
    throw new Error(`"${field}" must map each command type to its event type, like {"PlaceOrder": "order.placed"}`);
  }
  return v as Record<string, string>;
}

function eventParams(raw: Record<string, unknown>): EventParams {
  return { sent: selector(raw, 'sent'), delivered: selector(raw, 'delivered'), eventFor: stringMap(raw, 'eventFor') };
}

const SCHEMA_FILE = /^(.+)\.v(\d+)\.schema\.json$/;
const schemaDirs = new Map<string, EventSchemas>();

/** envelope.schema.json and every <type>.v<version>.schema.json of a folder. */
export function readSchemaDir(dir: string): EventSchemas {
  const cached = schemaDirs.get(dir);
  if (cached) return cached;
  const read = (name: string) => JSON.parse(readFileSync(path.join(dir, name), 'utf8')) as JsonSchema;
  const schemas: EventSchemas = { envelope: read('envelope.schema.json'), data: {} };
  for (const name of readdirSync(dir).sort()) {
    const m = SCHEMA_FILE.exec(name);
    if (!m) continue;
    const [, type = '', version = ''] = m;
    (schemas.data[type] ??= {})[version] = read(name);
  }
  if (Object.keys(schemas.data).length === 0) throw new Error(`${dir} has no <type>.v<version>.schema.json`);
  schemaDirs.set(dir, schemas);
  return schemas;
}

function schemasOf(raw: Record<string, unknown>): EventSchemas {
  if (typeof raw.schemaDir === 'string') {
    try {
      return readSchemaDir(path.resolve(PACKAGE_ROOT, raw.schemaDir));
    } catch (error) {
      throw new Error(`"schemaDir": cannot read the schemas in ${raw.schemaDir}: ${(error as Error).message}`);
    }
  }
  const s = raw.schemas as EventSchemas | undefined;
  if (typeof s?.envelope !== 'object' || typeof s.data !== 'object') {
    throw new Error('"schemaDir" must name the lab\'s schema folder (relative to brokerlab\'s root), e.g. "labs/event-design/schemas"');
  }
  return s;
}

function copiesOf(raw: Record<string, unknown>): Record<string, string[]> {
  const v = raw.copies ?? {};
  if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => Array.isArray(x) && x.every((f) => typeof f === 'string'))) {
    throw new Error('"copies" must list, by event type, the data fields copied from the command: {"order.paid": ["orderId", "amount"]}');
  }
  return v as Record<string, string[]>;
}

// --- what the history holds --------------------------------------------------------------

export interface Command {
  commandId: string;
  correlationId: string;
  type: string;
  orderId: string | undefined;
  requested: number;
  fields: Record<string, unknown>;
}

export interface SeenEvent {
  op: Operation;
  routingKey: string | undefined;
  body: string;
  /** The body as a JSON object; undefined when it is not one. */
  envelope: Record<string, unknown> | undefined;
  /** For messages: "event 7 (order.paid, id 3f2a...)". */
  label: string;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function commandsOf(history: History, p: EventParams): Command[] {
  return select(history, p.sent, 'ok').flatMap((op) => {
    const v = op.value;
    if (!isObject(v) || typeof v.commandId !== 'string' || typeof v.type !== 'string') return [];
    return [
      {
        commandId: v.commandId,
        correlationId: String(v.correlationId ?? ''),
        type: v.type,
        orderId: typeof v.orderId === 'string' ? v.orderId : undefined,
        requested: typeof v.schemaVersion === 'number' ? v.schemaVersion : 1,
        fields: v,
      },
    ];
  });
}

export function eventsOf(history: History, p: Pick<EventParams, 'delivered'>): SeenEvent[] {
  return select(history, p.delivered).map((op, i) => {
    const v = isObject(op.value) ? op.value : {};
    const body = typeof v.body === 'string' ? v.body : typeof op.value === 'string' ? op.value : '';
    let envelope: Record<string, unknown> | undefined;
    try {
      const parsed: unknown = JSON.parse(body);
      if (isObject(parsed)) envelope = parsed;
    } catch {
      // not JSON: envelope stays undefined
    }
    const type = typeof envelope?.type === 'string' ? envelope.type : undefined;
    const id = typeof envelope?.id === 'string' || typeof envelope?.id === 'number' ? String(envelope.id) : undefined;
    const about = [type, id === undefined ? undefined : `id ${short(id)}`].filter(Boolean).join(', ');
    return { op, routingKey: typeof v.routingKey === 'string' ? v.routingKey : undefined, body, envelope, label: `event ${i + 1}${about ? ` (${about})` : ''}` };
  });
}

function dataOf(e: SeenEvent): Record<string, unknown> {
  return isObject(e.envelope?.data) ? e.envelope.data : {};
}

/** The command an event names as its cause, if it names one the lab sent. */
function tracedCommand(e: SeenEvent, byId: ReadonlyMap<string, Command>): Command | undefined {
  const c = e.envelope?.causationId;
  return typeof c === 'string' ? byId.get(c) : undefined;
}

/** The command of the event's order whose expected type is the event's type (for causes only). */
function commandOfOrder(e: SeenEvent, commands: readonly Command[], p: EventParams): Command | undefined {
  const orderId = dataOf(e).orderId;
  if (typeof orderId !== 'string') return undefined;
  return commands.find((c) => c.orderId === orderId && p.eventFor[c.type] === e.envelope?.type);
}

function byCommandId(commands: readonly Command[]): Map<string, Command> {
  return new Map(commands.map((c) => [c.commandId, c]));
}

// --- validation (ajv, loaded when an event is first checked) -----------------------------

type Validate = ((data: unknown) => boolean) & { errors?: Array<{ instancePath: string; keyword: string; message?: string; params?: Record<string, unknown> }> | null };
const compiled = new WeakMap<object, Validate>();

function validatorFor(schema: JsonSchema): Validate {
  let validate = compiled.get(schema);
  if (!validate) {
    // JSON Schema 2020-12, the draft the exercise's schemas are written in.
    const Ajv = createRequire(import.meta.url)('ajv/dist/2020').default as new (options: object) => { compile(schema: object): Validate };
    validate = new Ajv({ allErrors: true, strict: false }).compile(schema);
    compiled.set(schema, validate);
  }
  return validate;
}

/** Where an error is, as a reader writes it: "occurredAt", "data.items.0.quantity". */
function pathOf(instancePath: string, root: string): string {
  const inner = instancePath.split('/').slice(1).join('.');
  return root === '' ? inner : inner === '' ? root : `${root}.${inner}`;
}

/** The value at a JSON pointer ("/items/0"), for showing what was there. */
function at(value: unknown, pointer: string): unknown {
  return pointer
    .split('/')
    .slice(1)
    .reduce<unknown>((v, part) => (isObject(v) || Array.isArray(v) ? (v as Record<string, unknown>)[part.replace(/~1/g, '/').replace(/~0/g, '~')] : undefined), value);
}

/** ajv's errors, each with the value it is about: 'occurredAt "2025-01-01T12:00:00" must match pattern ...'. */
function errorsOf(validate: Validate, value: unknown, root = ''): string {
  return (validate.errors ?? [])
    .map((e) => {
      const where = pathOf(e.instancePath, root) || 'the envelope';
      if (e.keyword === 'required') return `${where} has no ${String(e.params?.missingProperty)}`;
      const found = at(value, e.instancePath);
      const shown = clip(JSON.stringify(found) ?? 'undefined', 60);
      // A timestamp that is ISO 8601 but for its zone is the common case: say so plainly.
      if (e.keyword === 'pattern' && typeof found === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?$/.test(found)) return `${where} is ${shown}: it has no time zone (Z or +00:00)`;
      return `${where} is ${shown}, but ${e.message ?? 'is invalid'}`;
    })
    .join('; ');
}

function fileOf(type: string, version: unknown): string {
  return `${type}.v${String(version)}.schema.json`;
}

// --- shared result helpers ---------------------------------------------------------------

interface Problem<C extends string> {
  cause: C;
  text: string;
}

/** The cause most problems show; a tie goes to the cause listed first in `causes`. */
function mainCause<C extends string>(problems: readonly Problem<C>[], causes: Readonly<Record<C, string>>): C {
  const counts = new Map<C, number>();
  for (const x of problems) counts.set(x.cause, (counts.get(x.cause) ?? 0) + 1);
  const order = Object.keys(causes) as C[];
  return [...counts].sort((a, b) => b[1] - a[1] || order.indexOf(a[0]) - order.indexOf(b[0]))[0]?.[0] as C;
}

function examplesFor<C extends string>(problems: readonly Problem<C>[], cause: C): string[] {
  // The main cause's examples first: they are what the hint is about.
  return firstFew([...problems.filter((x) => x.cause === cause), ...problems.filter((x) => x.cause !== cause)].map((x) => x.text), 3);
}

function short(text: string): string {
  return text.length > 40 ? `${text.slice(0, 40)}...` : text;
}

function clip(text: string, max = 160): string {
  return text.length > max ? `${text.slice(0, max)}...` : text;
}

/** JSON with object keys sorted: two values that mean the same give the same text. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (isObject(value)) return `{${Object.keys(value).sort().filter((k) => value[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical(value[k])}`).join(',')}}`;
  return JSON.stringify(value) ?? 'null';
}

/** Equal as JSON, whatever the order of the keys (a Python dict may list them otherwise). */
function same(a: unknown, b: unknown): boolean {
  return canonical(a) === canonical(b);
}

type Result = Omit<CheckResult, 'name' | 'weight'>;

/** Timestamps in whole milliseconds, rounded either way. */
const CLOCK_SLACK_MS = 50;

// --- events-follow-schema ----------------------------------------------------------------

export const SCHEMA_CAUSES = {
  'not-json': 'Publish each event as JSON: JSON.stringify the envelope (json.dumps in Python), not a string or the object\'s toString().',
  'envelope-missing-field': 'Every event carries the whole envelope: id, type, version, occurredAt, correlationId, causationId and data. Build it in one place, so no event goes out without one of them.',
  'type-format': 'An event\'s type is lowercase dot.case, in the past tense: order.placed. Not the command\'s name, and no version in it.',
  'id-format': 'An event\'s id is a UUID: crypto.randomUUID() in TypeScript, str(uuid.uuid4()) in Python.',
  'occurred-at-format': 'occurredAt is ISO 8601 with a time zone: new Date().toISOString() in TypeScript, datetime.now(timezone.utc).isoformat() in Python. A time without its zone (utcnow().isoformat()) is read as local time elsewhere; a number is not ISO 8601.',
  'occurred-at-time':
    'occurredAt says when the event happened: the moment your service handled the command (new Date().toISOString() as you build each event; datetime.now(timezone.utc).isoformat() in Python), not a time taken once at start-up or copied from elsewhere.',
  'envelope-violation': 'An envelope field has the wrong form: compare the examples with envelope.schema.json (version a whole number, not a string; correlationId and causationId strings; data an object).',
  'no-schema': 'There is no schema for that type and version: the exercise\'s events are the <type>.v<version>.schema.json files in the schemas folder. Use those types, and version 2 only where it exists.',
  'data-violation': 'The event\'s data does not follow the schema of its type and version: every required field, with the names and types the schema gives.',
  'wrong-data': 'The data does not say what the command says: copy the command\'s fields into data as they are.',
} as const;
type SchemaCause = keyof typeof SCHEMA_CAUSES;

/** The envelope fields whose wrong form has a cause of its own (the first one wrong names it). */
const FIELD_CAUSES: ReadonlyArray<[string, SchemaCause]> = [
  ['/type', 'type-format'],
  ['/id', 'id-format'],
  ['/occurredAt', 'occurred-at-format'],
];

export const eventsFollowSchema: CheckDefinition<SchemaParams> = {
  name: 'events-follow-schema',
  causes: SCHEMA_CAUSES,
  parseParams: (raw) => ({ ...eventParams(raw), schemas: schemasOf(raw), copies: copiesOf(raw) }),
  run(history, p): Result {
    const events = eventsOf(history, p);
    const byId = byCommandId(commandsOf(history, p));
    const title = 'Each event is an envelope whose data follows its type\'s schema';
    const expected = 'every event is JSON that envelope.schema.json accepts, with data that <type>.v<version>.schema.json accepts and that copies its command\'s fields';
    if (events.length === 0) return { title, status: 'unknown', expected, observed: 'no event arrived, so there was nothing to check', examples: [] };
    const envelopeValid = validatorFor(p.schemas.envelope);
    const problems: Problem<SchemaCause>[] = [];
    for (const e of events) {
      const env = e.envelope;
      if (!env) {
        problems.push({ cause: 'not-json', text: `${e.label}: not a JSON object: ${clip(e.body)}` });
        continue;
      }
      if (!envelopeValid(env)) {
        const errors = envelopeValid.errors ?? [];
        const missing = errors.filter((x) => x.keyword === 'required' && x.instancePath === '');
        const field = FIELD_CAUSES.find(([pointer]) => errors.some((x) => x.instancePath === pointer));
        const cause: SchemaCause = missing.length > 0 ? 'envelope-missing-field' : (field?.[1] ?? 'envelope-violation');
        problems.push({ cause, text: `${e.label}: ${errorsOf(envelopeValid, env)}${missing.length > 0 ? `; got ${clip(e.body)}` : ''}` });
        continue;
      }
      const type = env.type as string;
      const schema = p.schemas.data[type]?.[String(env.version)];
      if (!schema) {
        const known = Object.entries(p.schemas.data).map(([t, versions]) => `${t} v${Object.keys(versions).join(', v')}`).join('; ');
        problems.push({ cause: 'no-schema', text: `${e.label}: there is no schema for type "${type}" version ${JSON.stringify(env.version)} (there are: ${known})` });
        continue;
      }
      const dataValid = validatorFor(schema);
      if (!dataValid(env.data)) {
        problems.push({ cause: 'data-violation', text: `${e.label}: ${fileOf(type, env.version)} rejects it: ${errorsOf(dataValid, env.data, 'data')}; got data ${clip(JSON.stringify(env.data))}` });
        continue;
      }
      const command = tracedCommand(e, byId);
      if (!command) continue; // correlation-and-causation says why
      // The same machine's clock: an event cannot have happened before its command was sent.
      const sentAtWall = command.fields.sentAtWall;
      const occurred = Date.parse(String(env.occurredAt));
      if (typeof sentAtWall === 'number' && Number.isFinite(occurred) && occurred < sentAtWall - CLOCK_SLACK_MS) {
        problems.push({ cause: 'occurred-at-time', text: `${e.label}: occurredAt is ${String(env.occurredAt)}, ${((sentAtWall - occurred) / 1000).toFixed(1)}s before the lab sent its command ${command.commandId} (${new Date(sentAtWall).toISOString()})` });
        continue;
      }
      const data = dataOf(e);
      const wrong = (p.copies[type] ?? []).filter((f) => data[f] !== undefined && command.fields[f] !== undefined && !same(data[f], command.fields[f]));
      if (wrong.length > 0) {
        problems.push({ cause: 'wrong-data', text: `${e.label}: ${wrong.map((f) => `data.${f} is ${clip(JSON.stringify(data[f]), 60)}, but its command ${command.commandId} says ${clip(JSON.stringify(command.fields[f]), 60)}`).join('; ')}` });
      }
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${events.length} events followed their schemas`, examples: [] };
    const cause = mainCause(problems, SCHEMA_CAUSES);
    const n = problems.filter((x) => x.cause === cause).length;
    const WHAT: Record<SchemaCause, [string, string]> = {
      'not-json': ['was not a JSON object', 'were not JSON objects'],
      'envelope-missing-field': ['lacked an envelope field', 'lacked an envelope field'],
      'type-format': ['had a type that is not lowercase dot.case', 'had a type that is not lowercase dot.case'],
      'id-format': ['had an id that is not a UUID', 'had an id that is not a UUID'],
      'occurred-at-format': ['had an occurredAt that is not ISO 8601 with a time zone', 'had an occurredAt that is not ISO 8601 with a time zone'],
      'occurred-at-time': ['said it happened before its command was sent', 'said they happened before their command was sent'],
      'envelope-violation': ['had an envelope field envelope.schema.json rejects', 'had an envelope field envelope.schema.json rejects'],
      'no-schema': ['was of a type or version that has no schema', 'were of a type or version that has no schema'],
      'data-violation': ['had data that its type\'s schema rejects', 'had data that their type\'s schema rejects'],
      'wrong-data': ['had data that differs from its command', 'had data that differs from their command'],
    };
    const others = problems.length - n;
    return {
      title,
      status: 'fail',
      expected,
      observed: `${countOf(n, events.length, 'event')} ${WHAT[cause][n === 1 ? 0 : 1]}${others > 0 ? ` (and ${others} more had other problems)` : ''}`,
      examples: examplesFor(problems, cause),
      cause,
    };
  },
};

// --- event-names -------------------------------------------------------------------------

export const NAMES_CAUSES = {
  'command-name': 'An event says what happened, in the past tense (order.placed), not what was asked (PlaceOrder, order.place): the command is the request, the event is the fact.',
  'version-in-name': 'The version goes in the envelope\'s version field, not in the type: order.placed stays order.placed in version 2, so consumers bound to it keep receiving it.',
  'not-dot-case': 'Event types are lowercase dot.case: order.placed, not OrderPlaced, order_placed or Order.Placed.',
  'unknown-name': 'Use the event types the README names for each command, spelled exactly.',
  'routing-key': 'Publish each event with its type as the routing key: consumers bind their queues to the types they want (order.paid, order.*), so an event with another key never reaches them.',
  'wrong-event-for-command': 'Each command has its one event: PlaceOrder -> order.placed, PayOrder -> order.paid, ShipOrder -> order.shipped.',
} as const;
type NamesCause = keyof typeof NAMES_CAUSES;

function wordsOf(type: string): string[] {
  return type
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .toLowerCase()
    .split(/[^a-z0-9]+/)
    .filter(Boolean);
}

/** Why a type that is not one of the exercise's is wrong (pure, exported for tests). */
export function classifyName(type: string, eventFor: Readonly<Record<string, string>>): Exclude<NamesCause, 'routing-key' | 'wrong-event-for-command'> {
  const words = wordsOf(type);
  // The commands' verbs ("place", "pay", "ship") in an event's name: it names the request.
  const verbs = new Set(Object.keys(eventFor).map((command) => wordsOf(command)[0]));
  if (Object.keys(eventFor).includes(type) || words.some((w) => verbs.has(w))) return 'command-name';
  const plain = words.filter((w) => !/^v?\d+$/.test(w));
  const allowed = new Set(Object.values(eventFor));
  if (plain.length < words.length && allowed.has(plain.join('.'))) return 'version-in-name';
  if (allowed.has(plain.join('.'))) return 'not-dot-case';
  return 'unknown-name';
}

export const eventNames: CheckDefinition<EventParams> = {
  name: 'event-names',
  causes: NAMES_CAUSES,
  parseParams: eventParams,
  run(history, p): Result {
    const events = eventsOf(history, p).filter((e) => e.envelope);
    const byId = byCommandId(commandsOf(history, p));
    const allowed = new Set(Object.values(p.eventFor));
    const table = Object.entries(p.eventFor).map(([c, t]) => `${c} -> ${t}`).join(', ');
    const title = 'Events are named in the past tense and routed by their type';
    const expected = `each event's type is the one its command calls for (${table}), and its routing key is that type`;
    if (events.length === 0) return { title, status: 'unknown', expected, observed: 'no readable event arrived, so there was nothing to check', examples: [] };
    const problems: Problem<NamesCause>[] = [];
    for (const e of events) {
      const type = e.envelope?.type;
      const command = tracedCommand(e, byId);
      const want = command ? p.eventFor[command.type] : undefined;
      const forCommand = command ? `, for ${command.type} ${command.commandId}` : '';
      if (typeof type !== 'string' || !allowed.has(type)) {
        const cause = typeof type === 'string' ? classifyName(type, p.eventFor) : 'unknown-name';
        const should = want ? `; it should be "${want}"` : `; the types are ${[...allowed].join(', ')}`;
        problems.push({ cause, text: `${e.label}${forCommand}: type ${JSON.stringify(type ?? null)}${should}` });
        continue;
      }
      if (e.routingKey !== type) {
        problems.push({ cause: 'routing-key', text: `${e.label}: published with routing key ${JSON.stringify(e.routingKey ?? '')}; it should be "${type}"` });
        continue;
      }
      if (want && want !== type) problems.push({ cause: 'wrong-event-for-command', text: `${e.label}: type "${type}", but its command ${command?.commandId} is a ${command?.type}, whose event is "${want}"` });
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${events.length} events had the right type and routing key`, examples: [] };
    const cause = mainCause(problems, NAMES_CAUSES);
    const n = problems.filter((x) => x.cause === cause).length;
    const WHAT: Record<NamesCause, string> = {
      'command-name': 'named after its command instead of what happened',
      'version-in-name': 'with its version in the type',
      'not-dot-case': 'with a type that is not lowercase dot.case',
      'unknown-name': 'with a type the exercise does not name',
      'routing-key': 'published with a routing key other than its type',
      'wrong-event-for-command': 'with the type of another command\'s event',
    };
    return { title, status: 'fail', expected, observed: `${countOf(n, events.length, 'event')}: ${n === 1 ? 'one' : 'each'} ${WHAT[cause]}`, examples: examplesFor(problems, cause), cause };
  },
};

// --- correlation-and-causation -----------------------------------------------------------

export const LINEAGE_CAUSES = {
  'missing-causation': 'Every event names its cause: causationId = the commandId of the command you handled. Without it nobody can tell which request produced the event.',
  'causation-is-correlation': 'causationId and correlationId are different things: correlationId is the whole flow\'s (copy the command\'s), causationId is the one message that caused this event (the command\'s commandId).',
  'causation-unknown': 'causationId must be the commandId of the command that caused the event, exactly as the command carries it: not the event\'s own id, not the orderId.',
  'missing-correlation': 'Every event carries the flow\'s correlationId: copy it from the command you handled.',
  'correlation-wrong': 'correlationId is not made up per event: copy the command\'s correlationId unchanged, so every event of one order\'s flow carries the same one.',
  'no-event': 'Every command must produce its event: consume COMMANDS_QUEUE and publish one event per command to EVENTS_EXCHANGE.',
  'unreadable-events':
    'Events did arrive, but not as JSON objects, so none could be traced to its command: publish JSON.stringify(event) (json.dumps(event) in Python; str(event) is not JSON), with content-type application/json.',
} as const;
type LineageCause = keyof typeof LINEAGE_CAUSES;

/** What an id equals, when the lab recognises it: "the command's correlationId". */
function recognise(value: string, e: SeenEvent, commands: readonly Command[]): string | undefined {
  if (value === e.envelope?.id) return 'the event\'s own id';
  if (commands.some((c) => c.correlationId === value)) return 'a correlationId';
  if (commands.some((c) => c.commandId === value)) return 'a commandId';
  if (commands.some((c) => c.orderId === value)) return 'an orderId';
  return undefined;
}

export const correlationAndCausation: CheckDefinition<EventParams> = {
  name: 'correlation-and-causation',
  causes: LINEAGE_CAUSES,
  parseParams: eventParams,
  run(history, p): Result {
    const commands = commandsOf(history, p);
    const byId = byCommandId(commands);
    const all = eventsOf(history, p);
    const events = all.filter((e) => e.envelope);
    const unreadable = all.length - events.length;
    const title = 'Each event names its cause and its flow';
    const expected = 'every command gets its event, whose causationId is the command\'s commandId and whose correlationId is the command\'s correlationId';
    if (commands.length === 0) return { title, status: 'unknown', expected, observed: 'the lab sent no command', examples: [] };
    const problems: Problem<LineageCause>[] = [];
    const answered = new Set<string>();
    for (const e of events) {
      const env = e.envelope as Record<string, unknown>;
      const command = tracedCommand(e, byId);
      if (command) {
        answered.add(command.commandId);
        const correlation = env.correlationId;
        if (correlation === undefined || correlation === null || correlation === '') {
          problems.push({ cause: 'missing-correlation', text: `${e.label}: no correlationId; its command ${command.commandId} has "${command.correlationId}"` });
        } else if (correlation !== command.correlationId) {
          const what = typeof correlation === 'string' ? recognise(correlation, e, commands) : undefined;
          problems.push({ cause: 'correlation-wrong', text: `${e.label}: correlationId ${JSON.stringify(correlation)}${what ? ` (${what})` : ''}; its command ${command.commandId} has "${command.correlationId}"` });
        }
        continue;
      }
      const found = commandOfOrder(e, commands, p);
      if (found) answered.add(found.commandId);
      const should = found ? `; it should be "${found.commandId}", the commandId of ${found.type} for ${found.orderId}` : '';
      const causation = env.causationId;
      if (causation === undefined || causation === null || causation === '') {
        problems.push({ cause: 'missing-causation', text: `${e.label}: no causationId${should}` });
      } else if (typeof causation === 'string' && commands.some((c) => c.correlationId === causation)) {
        problems.push({ cause: 'causation-is-correlation', text: `${e.label}: causationId "${causation}" is the flow's correlationId${should}` });
      } else {
        const what = typeof causation === 'string' ? recognise(causation, e, commands) : undefined;
        problems.push({ cause: 'causation-unknown', text: `${e.label}: causationId ${JSON.stringify(causation)}${what ? ` is ${what}` : ' is no command the lab sent'}${should}` });
      }
    }
    for (const c of commands) {
      if (!answered.has(c.commandId)) problems.push({ cause: 'no-event', text: `${c.type} ${c.commandId} (order ${c.orderId ?? '?'}): no event traced to it` });
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${commands.length} commands got their event, each naming its cause and flow`, examples: [] };
    // An event that does not name its command is the first thing to fix: it also hides
    // which commands were answered. So event problems outrank the commands left without one.
    const eventProblems = problems.filter((x) => x.cause !== 'no-event');
    // Commands without an event while events arrived that were not JSON: those were the events.
    const main = mainCause(eventProblems.length > 0 ? eventProblems : problems, LINEAGE_CAUSES);
    const cause: LineageCause = main === 'no-event' && unreadable > 0 ? 'unreadable-events' : main;
    const n = problems.filter((x) => x.cause === (cause === 'unreadable-events' ? 'no-event' : cause)).length;
    const WHAT: Record<LineageCause, string> = {
      'missing-causation': 'had no causationId',
      'causation-is-correlation': 'named the flow\'s correlationId as their causationId',
      'causation-unknown': 'had a causationId that is not their command\'s commandId',
      'missing-correlation': 'had no correlationId',
      'correlation-wrong': 'had a correlationId other than their command\'s',
      'no-event': 'got no event',
      'unreadable-events': `got no event the lab could read: ${unreadable} event${unreadable === 1 ? '' : 's'} arrived that ${unreadable === 1 ? 'is' : 'are'} not a JSON object`,
    };
    const observed = cause === 'no-event' || cause === 'unreadable-events' ? `${countOf(n, commands.length, 'command')} ${WHAT[cause]}` : `${countOf(n, events.length, 'event')} ${WHAT[cause]}`;
    return { title, status: 'fail', expected, observed, examples: examplesFor(problems, cause === 'unreadable-events' ? 'no-event' : cause), cause };
  },
};

// --- schema-evolution --------------------------------------------------------------------

export const EVOLUTION_CAUSES = {
  'breaking-change': 'A new version may add fields, never remove, rename or retype one: a reader of version 1 still looks for every version 1 field, with its type (a number stays a number, not a string). Keep them all in version 2, with the same names and types, and add the new one.',
  'changed-under-same-version': 'You changed the data\'s shape but kept the version number, so a reader of that version finds fields missing. A change goes with a new version, and even then only adds fields.',
  'not-upgraded': 'The command asks for version 2 (schemaVersion): publish version 2, with its new field, as order.placed.v2.schema.json describes.',
  'wrong-version': 'Publish the version the command asks for: its schemaVersion, or 1 when it has none, as a whole number.',
} as const;
type EvolutionCause = keyof typeof EVOLUTION_CAUSES;

export const schemaEvolution: CheckDefinition<EvolutionParams> = {
  name: 'schema-evolution',
  causes: EVOLUTION_CAUSES,
  parseParams: (raw) => {
    const oldVersion = raw.oldVersion ?? 1;
    if (typeof oldVersion !== 'number' || !Number.isInteger(oldVersion)) throw new Error('"oldVersion" must be a whole number');
    return { ...eventParams(raw), schemas: schemasOf(raw), oldVersion };
  },
  run(history, p): Result {
    const commands = commandsOf(history, p);
    const byId = byCommandId(commands);
    const title = `Version 2 where asked, still readable by version ${p.oldVersion} readers`;
    const expected = `each event has the version its command asks for, and a reader of version ${p.oldVersion} can still read every event (a new version only adds fields)`;
    const asked = commands.filter((c) => c.requested !== p.oldVersion);
    let checked = 0;
    let checkedAsked = 0;
    const problems: Problem<EvolutionCause>[] = [];
    for (const e of eventsOf(history, p)) {
      const env = e.envelope;
      if (!env) continue;
      const command = tracedCommand(e, byId) ?? commandOfOrder(e, commands, p);
      const type = env.type;
      if (!command || typeof type !== 'string' || p.eventFor[command.type] !== type) continue;
      const oldSchema = p.schemas.data[type]?.[String(p.oldVersion)];
      if (!oldSchema) continue;
      checked++;
      if (command.requested !== p.oldVersion) checkedAsked++;
      const oldReader = validatorFor(oldSchema);
      const readable = oldReader(env.data);
      const version = env.version;
      const asks = `its command ${command.commandId} asks for version ${command.requested}`;
      if (readable) {
        if (version === command.requested) continue;
        const cause = version === p.oldVersion && command.requested > p.oldVersion ? 'not-upgraded' : 'wrong-version';
        problems.push({ cause, text: `${e.label}: version ${JSON.stringify(version)}; ${asks}` });
        continue;
      }
      const missing = (oldReader.errors ?? []).filter((x) => x.keyword === 'required' && x.instancePath === '').map((x) => String(x.params?.missingProperty));
      const known = new Set(Object.values(p.schemas.data[type] ?? {}).flatMap((s) => Object.keys((s.properties ?? {}) as object)));
      const unknown = Object.keys(dataOf(e)).filter((f) => !known.has(f));
      const lacks = missing.length > 0 ? `lacks ${missing.join(', ')}${unknown.length > 0 ? ` (renamed to ${unknown.join(', ')}?)` : ''}` : `is rejected: ${errorsOf(oldReader, env.data, 'data')}`;
      const reader = `a version ${p.oldVersion} reader of ${type} (${fileOf(type, p.oldVersion)})`;
      if (version === p.oldVersion && command.requested !== p.oldVersion) {
        problems.push({ cause: 'changed-under-same-version', text: `${e.label}: says version ${p.oldVersion}, but its data ${lacks}, so ${reader} cannot read it; ${asks}` });
      } else if (typeof version === 'number' && version > p.oldVersion) {
        problems.push({ cause: 'breaking-change', text: `${e.label}: version ${version}, whose data ${lacks}: ${reader} cannot read it` });
      }
      // A version 1 event asked as version 1 that version 1 rejects is events-follow-schema's.
    }
    if (checked === 0 || (asked.length > 0 && checkedAsked === 0 && problems.length === 0)) {
      const types = [...new Set(asked.map((c) => p.eventFor[c.type]))].join(' or ');
      const which = asked.length > 0 ? `no ${types} event could be traced to the ${asked.length === 1 ? '1 command that asks' : `${asked.length} commands that ask`} for a new version` : 'no event could be traced to a command';
      return { title, status: 'unknown', expected, observed: `${which}, so there was nothing to check`, examples: [] };
    }
    if (problems.length === 0) return { title, status: 'pass', expected, observed: `all ${checked} events had the version asked for, ${checkedAsked} of them the new one, and a version ${p.oldVersion} reader can read each`, examples: [] };
    const cause = mainCause(problems, EVOLUTION_CAUSES);
    const n = problems.filter((x) => x.cause === cause).length;
    const WHAT: Record<EvolutionCause, string> = {
      'breaking-change': `had a new version that a version ${p.oldVersion} reader cannot read`,
      'changed-under-same-version': `changed their data under version ${p.oldVersion}: a version ${p.oldVersion} reader cannot read them`,
      'not-upgraded': `stayed at version ${p.oldVersion} though their command asks for a new one`,
      'wrong-version': 'had a version other than the one their command asks for',
    };
    return { title, status: 'fail', expected, observed: `${countOf(n, checked, 'event')} ${WHAT[cause]}`, examples: examplesFor(problems, cause), cause };
  },
};

// --- unique-event-ids --------------------------------------------------------------------

export const IDS_CAUSES = {
  'shared-within-order': 'The events of one order share an id: it is derived from the order (its orderId or correlationId, a hash or uuid5 of it). An event\'s id names that one event: a fresh random UUID each time (crypto.randomUUID(), uuid.uuid4()).',
  'repeats': 'Different events got the same id: a counter, a clock or a seeded random generator repeats in every copy of your service (two run at once) and after every restart. Use a fresh random UUID per event: crypto.randomUUID(), uuid.uuid4().',
} as const;
type IdsCause = keyof typeof IDS_CAUSES;

export const uniqueEventIds: CheckDefinition<Pick<EventParams, 'delivered'>> = {
  name: 'unique-event-ids',
  causes: IDS_CAUSES,
  parseParams: (raw) => ({ delivered: selector(raw, 'delivered') }),
  run(history, p): Result {
    const events = eventsOf(history, p).filter((e) => e.envelope?.id !== undefined && e.envelope.id !== null && e.envelope.id !== '');
    const title = 'Every event has its own id';
    const expected = 'no two different events share an id (one event delivered twice keeps its id)';
    if (events.length === 0) return { title, status: 'unknown', expected, observed: 'no event with an id arrived, so there was nothing to check', examples: [] };
    const byEventId = new Map<string, SeenEvent[]>();
    for (const e of events) {
      const id = JSON.stringify(e.envelope?.id);
      const list = byEventId.get(id) ?? [];
      // The same event again (same type, cause and data) is not a second event.
      const identity = (x: SeenEvent) => canonical([x.envelope?.type, x.envelope?.causationId, x.envelope?.data]);
      if (!list.some((x) => identity(x) === identity(e))) list.push(e);
      byEventId.set(id, list);
    }
    const reused = [...byEventId].filter(([, list]) => list.length > 1);
    if (reused.length === 0) return { title, status: 'pass', expected, observed: `all ${byEventId.size} ids were each carried by one event`, examples: [] };
    const orderOf = (e: SeenEvent) => JSON.stringify(dataOf(e).orderId ?? e.envelope?.correlationId ?? null);
    const withinOrder = reused.every(([, list]) => new Set(list.map(orderOf)).size === 1);
    const cause: IdsCause = withinOrder ? 'shared-within-order' : 'repeats';
    const involved = reused.reduce((sum, [, list]) => sum + list.length, 0);
    const describe = (e: SeenEvent) => `${String(e.envelope?.type)} of order ${String(dataOf(e).orderId ?? '?')} caused by ${String(e.envelope?.causationId ?? '?')}`;
    return {
      title,
      status: 'fail',
      expected,
      observed: `${reused.length} id${reused.length === 1 ? ' was' : 's were'} each carried by several different events (${involved} of ${events.length} events)${withinOrder ? ', always events of the same order' : ''}`,
      examples: firstFew(reused, 3).map(([id, list]) => `id ${id}: ${list.slice(0, 3).map(describe).join('; ')}${list.length > 3 ? `; and ${list.length - 3} more` : ''}`),
      cause,
    };
  },
};
