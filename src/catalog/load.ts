/**
 * Loads and validates the catalog: every scenarios/<id>/scenario.json. Validation is strict
 * and names the file and field, because a mentor adding an exercise should get a precise
 * message rather than a run that fails mysteriously later.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { BROKER_NAMES, type BrokerName } from '../brokers/types.js';
import { CHECKS } from '../checks/index.js';
import { curriculumExerciseIds } from './curriculum.js';
import { UsageError } from '../errors.js';
import { FAULTS } from '../faults/index.js';
import { LABS_DIR, SCENARIOS_DIR } from '../paths.js';
import { WORKLOADS } from '../workloads/index.js';
import { WORKLOAD_DEFAULTS } from '../workloads/options/index.js';
import { type CheckSpec, type FaultSpec, MISTAKE_CLASSES, type MistakeClass, SCENARIO_FORMAT_VERSION, type Scenario, type WrongSolution } from './schema.js';

/** Checks the runner itself reports (run.ts): failing to start, or to get ready in time. */
const RUNNER_CHECKS = ['program-starts', 'ready'];

/** A scenario plus where its files are. */
export interface CatalogEntry {
  scenario: Scenario;
  /** scenarios/<id>/ */
  dir: string;
  /** labs/<id>/ (README, starter, hints) */
  labDir: string;
  starterPath: string;
  referencePath: string;
}

class Fields {
  constructor(
    private readonly file: string,
    private readonly rawObject: Record<string, unknown>,
    private readonly prefix = '',
  ) {}

  private fail(field: string, what: string): never {
    throw new UsageError(`${this.file}: "${this.prefix}${field}" ${what}`);
  }
  str(field: string): string {
    const v = this.rawObject[field];
    if (typeof v !== 'string' || v.length === 0) this.fail(field, 'must be a non-empty string');
    return v;
  }
  num(field: string): number {
    const v = this.rawObject[field];
    if (typeof v !== 'number' || !Number.isFinite(v) || v < 0) this.fail(field, 'must be a non-negative number');
    return v;
  }
  obj(field: string): Fields {
    const v = this.rawObject[field];
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'must be an object');
    return new Fields(this.file, v as Record<string, unknown>, `${this.prefix}${field}.`);
  }
  record(field: string): Record<string, unknown> {
    const v = this.rawObject[field] ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v)) this.fail(field, 'must be an object');
    return v as Record<string, unknown>;
  }
  list(field: string): Fields[] {
    const v = this.rawObject[field];
    if (!Array.isArray(v)) this.fail(field, 'must be a list');
    return v.map((item, i) => {
      if (typeof item !== 'object' || item === null) this.fail(`${field}[${i}]`, 'must be an object');
      return new Fields(this.file, item as Record<string, unknown>, `${this.prefix}${field}[${i}].`);
    });
  }
  strings(field: string): string[] {
    const v = this.rawObject[field];
    if (!Array.isArray(v) || !v.every((s) => typeof s === 'string')) this.fail(field, 'must be a list of strings');
    return v as string[];
  }
  raw(field: string): unknown {
    return this.rawObject[field];
  }
  strOrStrings(field: string): string[] {
    const v = this.rawObject[field];
    if (typeof v === 'string' && v.length > 0) return [v];
    if (Array.isArray(v) && v.length > 0 && v.every((x) => typeof x === 'string')) return v as string[];
    this.fail(field, 'must be a check name or a non-empty list of check names');
  }
  stringRecord(field: string): Record<string, string> {
    const v = this.rawObject[field] ?? {};
    if (typeof v !== 'object' || v === null || Array.isArray(v) || !Object.values(v).every((x) => typeof x === 'string' && x.length > 0)) {
      this.fail(field, 'must be an object of non-empty strings');
    }
    return v as Record<string, string>;
  }
  optionalNum(field: string): number | undefined {
    return this.rawObject[field] === undefined ? undefined : this.num(field);
  }
  oneOf<T extends string>(field: string, value: string, allowed: ReadonlySet<T> | readonly T[], what: string): T {
    const known = [...allowed];
    const found = known.find((name) => name === value);
    if (found === undefined) this.fail(field, `names an unknown ${what} "${value}" (known: ${known.join(', ')})`);
    return found;
  }
}

/**
 * A check or fault param may name a value the scenario already holds instead of repeating
 * it: "$workload.maxAttempts" (a workload option), "$learner.instances". Resolved here, so a
 * check or fault always sees plain values and the number lives in one place. A workload
 * option the scenario does not set is the workload's default, read as data
 * (workloads/options/), not from the workload's module, which is loaded only when it runs.
 */
function resolveReferences(params: Record<string, unknown>, sources: Record<'workload' | 'learner', Record<string, unknown>>, where: string): Record<string, unknown> {
  const resolved: Record<string, unknown> = {};
  for (const [field, value] of Object.entries(params)) {
    const m = typeof value === 'string' ? /^\$(workload|learner)\.(\w+)$/.exec(value) : null;
    if (!m) {
      resolved[field] = value;
      continue;
    }
    const source = m[1] as 'workload' | 'learner';
    const found = sources[source][m[2] ?? ''];
    if (found === undefined) {
      const unset = source === 'workload' ? `neither the scenario sets (workload.options.${m[2]}) nor the workload has a default for` : `the scenario does not set (learner.${m[2]})`;
      throw new UsageError(`${where}: "${field}" refers to ${value}, which ${unset}`);
    }
    resolved[field] = found;
  }
  return resolved;
}

/**
 * Reads a file of the lab's folder that a check names (a JSON Schema of the learner's
 * output): the learner sees the very file the check validates against.
 */
export type LabFileReader = (name: string) => unknown;

export function parseScenario(file: string, raw: unknown, readLabFile?: LabFileReader): Scenario {
  if (typeof raw !== 'object' || raw === null) throw new UsageError(`${file}: must contain a JSON object`);
  const f = new Fields(file, raw as Record<string, unknown>);
  const formatVersion = f.num('formatVersion');
  if (formatVersion !== SCENARIO_FORMAT_VERSION) {
    throw new UsageError(`${file}: formatVersion ${formatVersion} is not supported (this brokerlab reads ${SCENARIO_FORMAT_VERSION})`);
  }
  const id = f.str('id');
  if (!/^[a-z0-9]+(-[a-z0-9]+)*$/.test(id)) throw new UsageError(`${file}: "id" must be kebab-case, got "${id}"`);
  const brokers = f.strings('brokers').map((b) => f.oneOf('brokers', b, BROKER_NAMES, 'broker') as BrokerName);
  const learner = f.obj('learner');
  const workload = f.obj('workload');
  const workloadName = workload.oneOf('name', workload.str('name'), new Set<string>(WORKLOADS.keys()), 'workload');
  // Checked when the workload is loaded (a run, dev check, the catalog test): loading every
  // workload's code for every command would cost each of them.
  const workloadOptions = workload.record('options');
  const learnerRaw = (raw as Record<string, unknown>).learner as Record<string, unknown> | undefined;
  const references = { workload: { ...WORKLOAD_DEFAULTS.get(workloadName), ...workloadOptions }, learner: learnerRaw ?? {} };
  const faults: FaultSpec[] = f.list('faults').map((fault, index) => {
    const name = fault.oneOf('fault', fault.str('fault'), new Set(FAULTS.keys()), 'fault');
    const params = resolveReferences(fault.record('params'), references, `${file}: "faults[${index}].params"`);
    const definition = FAULTS.get(name);
    let needed = 0;
    try {
      const parsed = definition?.parseParams(params);
      needed = parsed === undefined ? 0 : (definition?.instancesNeeded?.(parsed) ?? 0);
    } catch (error) {
      throw new UsageError(`${file}: fault "${name}": ${(error as Error).message}`);
    }
    const instances = typeof learnerRaw?.instances === 'number' ? learnerRaw.instances : 1;
    if (needed > instances) throw new UsageError(`${file}: fault "${name}" needs ${needed} copies of the program, but learner.instances is ${instances} (the most copies a run has)`);
    return { fault: name, params };
  });
  const checks: CheckSpec[] = f.list('checks').map((check, index) => {
    const name = check.oneOf('check', check.str('check'), new Set(CHECKS.keys()), 'check');
    let params = resolveReferences(check.record('params'), references, `${file}: "checks[${index}].params"`);
    if (typeof params.schema === 'string') {
      if (!readLabFile) throw new UsageError(`${file}: check "${name}": "schema" names a file, but there is no lab folder to read it from`);
      let schema: unknown;
      try {
        schema = readLabFile(params.schema);
      } catch (error) {
        throw new UsageError(`${file}: check "${name}": cannot read its schema ${params.schema}: ${(error as Error).message}`);
      }
      params = { ...params, schema, schemaFile: params.schema };
    }
    // Its params and the causes its hints name are checked against the check's definition
    // when a run loads it (catalog/checks.ts): reading the catalog loads no check's code.
    const weight = check.optionalNum('weight');
    const hints = check.stringRecord('hints');
    return { check: name, params, hint: check.str('hint'), ...(Object.keys(hints).length > 0 ? { hints } : {}), ...(weight === undefined ? {} : { weight }) };
  });
  const timeouts = f.obj('timeouts');
  const solutions = f.obj('solutions');
  // The runner's own checks count too: a program that crashes at start, or never gets ready.
  const checkNames = new Set([...checks.map((c) => c.check), ...RUNNER_CHECKS]);
  const wrong: WrongSolution[] = solutions.list('wrong').map((w) => {
    const failsChecks = w.strOrStrings('failsCheck').map((name) => w.oneOf('failsCheck', name, checkNames, 'check of this scenario'));
    const diagnosis = w.stringRecord('diagnosis');
    // The cause itself is checked with the check's definition (catalog/checks.ts).
    for (const name of Object.keys(diagnosis)) w.oneOf('diagnosis', name, failsChecks, 'check among its failsCheck');
    return { file: w.str('file'), mistake: w.str('mistake'), failsChecks, diagnosis, kind: w.oneOf('kind', w.str('kind'), MISTAKE_CLASSES, 'class of mistake') as MistakeClass };
  });
  // A check no wrong solution trips is a check nobody has seen fail: refuse it.
  const tripped = new Set(wrong.flatMap((w) => w.failsChecks));
  const untripped = checks.map((c) => c.check).filter((name) => !tripped.has(name));
  if (untripped.length > 0) {
    throw new UsageError(`${file}: no wrong solution is meant to trip ${untripped.join(', ')}; add one (a check that cannot fail is a defect)`);
  }
  return {
    formatVersion,
    id,
    title: f.str('title'),
    level: f.num('level'),
    week: f.str('week'),
    summary: f.str('summary'),
    brokers,
    learner: { entry: learner.str('entry'), instances: learner.num('instances'), ...rolesOf(learner, file) },
    workload: { name: workloadName, options: workloadOptions },
    faults,
    ...(f.raw('runsAlone') === undefined ? {} : { runsAlone: f.str('runsAlone') }),
    timeouts: { readyMs: timeouts.num('readyMs'), drainMs: timeouts.num('drainMs'), runMs: timeouts.num('runMs') },
    checks,
    solutions: {
      reference: solutions.str('reference'),
      alternatives: (solutions.raw('alternatives') === undefined ? [] : solutions.list('alternatives')).map((a) => ({ file: a.str('file'), style: a.str('style') })),
      wrong,
    },
  };
}

/** learner.roles: one name per copy, when the copies play different parts. */
function rolesOf(learner: Fields, file: string): { roles?: string[] } {
  if (learner.raw('roles') === undefined) return {};
  const roles = learner.strings('roles');
  if (roles.length !== learner.num('instances')) throw new UsageError(`${file}: "learner.roles" must name one role per instance (${learner.num('instances')})`);
  return { roles };
}

function loadEntry(dir: string): CatalogEntry {
  const file = path.join(dir, 'scenario.json');
  const relative = path.relative(process.cwd(), file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`${relative}: ${(error as Error).message}`);
  }
  const labFiles = path.join(LABS_DIR, path.basename(dir));
  const scenario = parseScenario(relative, raw, (name) => JSON.parse(readFileSync(path.join(labFiles, name), 'utf8')));
  if (scenario.id !== path.basename(dir)) {
    throw new UsageError(`${relative}: "id" is "${scenario.id}" but the folder is "${path.basename(dir)}"`);
  }
  const labDir = path.join(LABS_DIR, scenario.id);
  const entry: CatalogEntry = {
    scenario,
    dir,
    labDir,
    starterPath: path.join(labDir, scenario.learner.entry),
    referencePath: path.join(dir, scenario.solutions.reference),
  };
  for (const needed of [entry.starterPath, entry.referencePath, ...[...scenario.solutions.alternatives, ...scenario.solutions.wrong].map((w) => path.join(dir, w.file))]) {
    if (!existsSync(needed)) throw new UsageError(`${relative}: file not found: ${path.relative(process.cwd(), needed)}`);
  }
  return entry;
}

/** The whole catalog in curriculum order: level, week, then the order the plan gives the
 *  week's topics (src/catalog/curriculum.ts: the notifier before the work queue), then id. */
export function loadCatalog(scenariosDir = SCENARIOS_DIR): CatalogEntry[] {
  const dirs = readdirSync(scenariosDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(scenariosDir, d.name, 'scenario.json')))
    .map((d) => path.join(scenariosDir, d.name));
  const weekStart = (week: string): number => Number.parseInt(week, 10) || 0;
  const planned = curriculumExerciseIds();
  const position = (id: string): number => (planned.includes(id) ? planned.indexOf(id) : Number.POSITIVE_INFINITY);
  return dirs
    .map(loadEntry)
    .sort(
      (a, b) =>
        a.scenario.level - b.scenario.level ||
        weekStart(a.scenario.week) - weekStart(b.scenario.week) ||
        position(a.scenario.id) - position(b.scenario.id) ||
        a.scenario.id.localeCompare(b.scenario.id),
    );
}

/** One exercise by id, with a suggestion when the id is close to a known one. Only that
 *  exercise's scenario is read: a broken scenario of another exercise (one being written)
 *  does not stop this one from being graded. */
export function findExercise(id: string, scenariosDir = SCENARIOS_DIR): CatalogEntry {
  const ids = readdirSync(scenariosDir, { withFileTypes: true })
    .filter((d) => d.isDirectory() && existsSync(path.join(scenariosDir, d.name, 'scenario.json')))
    .map((d) => d.name);
  if (ids.includes(id)) return loadEntry(path.join(scenariosDir, id));
  const close = id.trim() === '' ? [] : ids.filter((known) => known.includes(id) || id.includes(known));
  const suggestion = close.length > 0 ? ` Did you mean ${close.join(' or ')}?` : '';
  throw new UsageError(`unknown exercise "${id}".${suggestion} Run \`brokerlab list\` to see them all.`);
}
