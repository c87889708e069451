/**
 * The workshop roster: a CSV file with a header row naming a `learner` column (the id the
 * mentor chose), or `name` and/or `email` columns (e.g. a sign-up form's export). Each learner
 * gets a slug ("Alice Smith" -> "alice-smith") that names everything they may use on the
 * shared cluster: user "alice-smith", Kafka topics and groups "bl-alice-smith.*", Redis keys
 * and channels "bl-alice-smith:*", RabbitMQ vhost "bl-alice-smith".
 *
 * Pure functions over text; every problem is one UsageError line naming the file and line.
 */
import { UsageError } from '../errors.js';
import { NAMESPACE_PREFIX } from '../namespaces/names.js';

export interface Learner {
  /** "alice-smith": the user name on every broker, and the namespace's root. */
  slug: string;
  /** As written in the roster, for the mentor's eyes. */
  name?: string;
  email?: string;
}

/** A learner with the password provisioning gave them (the same on every broker). */
export interface Account {
  learner: Learner;
  password: string;
}

/** Slugs are a-z, 0-9 and "-", at most this long (with "bl-" and a run name they stay far
 *  below Kafka's 249-character topic limit, and readable in every broker's UI). */
export const MAX_SLUG_LENGTH = 32;
const SLUG = /^[a-z0-9](?:[a-z0-9-]*[a-z0-9])?$/;

const COLUMNS = ['learner', 'name', 'email'] as const;

/** Everything a learner may use lives under this prefix. */
export function namespaceOf(slug: string): string {
  return `${NAMESPACE_PREFIX}${slug}`;
}

/** "Zoë O'Brien" -> "zoe-o-brien"; "" when nothing usable is left (e.g. a name in another script). */
export function slugify(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}/gu, '') // the accents NFKD split off
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-+|-+$/g, '');
}

export function isSlug(text: string): boolean {
  return text.length <= MAX_SLUG_LENGTH && SLUG.test(text);
}

/** One CSV record with the line it starts on. */
interface Row {
  line: number;
  fields: string[];
}

/**
 * RFC 4180 records: quoted fields may hold the delimiter, doubled quotes and line breaks.
 * The delimiter is "," unless the header has none and has ";" (spreadsheets in many locales
 * export that).
 */
function parseCsv(text: string, file: string): Row[] {
  const body = text.replace(/^\uFEFF/, '');
  const firstLine = body.split(/\r?\n/, 1)[0] ?? '';
  const delimiter = !firstLine.includes(',') && firstLine.includes(';') ? ';' : ',';
  const rows: Row[] = [];
  let fields: string[] = [];
  let field = '';
  let quoted = false;
  let line = 1;
  let rowLine = 1;
  for (let i = 0; i < body.length; i++) {
    const c = body[i];
    if (quoted) {
      if (c === '"' && body[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') {
        quoted = false;
      } else {
        if (c === '\n') line++;
        field += c;
      }
    } else if (c === '"' && field.trim() === '') {
      quoted = true;
      field = '';
    } else if (c === delimiter) {
      fields.push(field);
      field = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && body[i + 1] === '\n') i++;
      fields.push(field);
      rows.push({ line: rowLine, fields });
      fields = [];
      field = '';
      line++;
      rowLine = line;
    } else {
      field += c;
    }
  }
  if (quoted) throw new UsageError(`${file}: line ${rowLine}: a quoted field is never closed`);
  fields.push(field);
  rows.push({ line: rowLine, fields });
  return rows.map((row) => ({ line: row.line, fields: row.fields.map((f) => f.trim()) })).filter((row) => row.fields.some((f) => f !== ''));
}

/**
 * The learners of a roster, in file order. `file` names the roster in messages. Throws a
 * UsageError for a file without a usable header, a row with the wrong number of fields, a
 * learner whose name gives no usable slug, or two learners with the same slug.
 */
export function parseRoster(text: string, file: string): Learner[] {
  const [header, ...rows] = parseCsv(text, file);
  if (!header) throw new UsageError(`${file} is empty; it needs a header row with a learner, name or email column`);
  const names = header.fields.map((f) => f.toLowerCase());
  const column = Object.fromEntries(COLUMNS.map((c) => [c, names.indexOf(c)])) as Record<(typeof COLUMNS)[number], number>;
  if (COLUMNS.every((c) => column[c] < 0)) {
    throw new UsageError(`${file}: the header row (line ${header.line}) needs a learner, name or email column; it has: ${header.fields.join(', ') || '(nothing)'}`);
  }
  if (rows.length === 0) throw new UsageError(`${file} lists no learners (only a header row)`);

  const learners: Learner[] = [];
  const lineOf = new Map<string, number>();
  for (const row of rows) {
    if (row.fields.length !== header.fields.length) {
      throw new UsageError(`${file}: line ${row.line} has ${row.fields.length} fields, the header has ${header.fields.length} (a name with a comma needs "quotes")`);
    }
    const get = (c: (typeof COLUMNS)[number]) => (column[c] >= 0 ? (row.fields[column[c]] ?? '') : '');
    const [learner, name, email] = [get('learner'), get('name'), get('email')];
    const source = learner || name || email.split('@')[0] || '';
    if (source === '') throw new UsageError(`${file}: line ${row.line} has no learner, name or email`);
    const slug = slugify(source);
    if (slug === '') {
      throw new UsageError(`${file}: line ${row.line}: "${source}" has no letters a-z or digits to name the learner's user and namespace; add a learner column (e.g. li-lei)`);
    }
    if (!isSlug(slug)) {
      throw new UsageError(`${file}: line ${row.line}: "${source}" gives a name longer than ${MAX_SLUG_LENGTH} characters; add a shorter value in a learner column`);
    }
    const earlier = lineOf.get(slug);
    if (earlier !== undefined) {
      throw new UsageError(`${file}: lines ${earlier} and ${row.line} are both learner "${slug}"; give one of them another value in a learner column`);
    }
    lineOf.set(slug, row.line);
    learners.push({ slug, ...(name ? { name } : learner && learner !== slug ? { name: learner } : {}), ...(email ? { email } : {}) });
  }
  return learners;
}
