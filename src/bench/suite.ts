/**
 * `npm run bench` (scripts/bench.mjs is a thin wrapper around this): the machine, then one
 * plain-text table per section, and the same tables written into docs/benchmarks.md.
 *
 *   tools       1. brokerlab bench as a ratio to each broker's own performance tool
 *   check       2. check latency of each pilot's reference, median of 5
 *   cold-start  3. brokerlab down, then up of every broker (stops the brokers!)
 *   footprint   4. peak resident memory while grading the pilots
 *   dev-check   5. the full catalog through dev check at --parallel 1, 2, 4
 *
 * Sections print in that order, but cold start runs last: it restarts every broker, and the
 * other sections should measure brokers that are warm, as a learner's are after the first run.
 */
import { reason } from '../brokers/net.js';
import { InterruptedError, UsageError } from '../errors.js';
import { PACKAGE_ROOT } from '../paths.js';
import { checkLatencySection, CHECK_RUNS, pilots } from './check-latency.js';
import { coldStartSection } from './cold-start.js';
import { devCheckSection } from './dev-check-parallel.js';
import { replaceBlock } from './docs.js';
import { footprintSection } from './footprint.js';
import { describeMachine, type Machine, machineLine } from './machine.js';
import { SECTION_IDS, type Section, type SectionContext, type SectionId, sectionMarkdown, sectionText } from './section.js';
import { toolsSection } from './tools-ratio.js';

export interface SuiteOptions {
  only: SectionId[];
  /** Runs per pilot for check latency. */
  runs: number;
  /** --repeat for the dev check runs. */
  repeat: number;
  /** false: print only, leave docs/benchmarks.md alone. */
  docs: boolean;
  /** Only these exercises in check latency and footprint (print only: a partial table
   *  must not replace the whole one in docs/benchmarks.md). Undefined: the whole catalog. */
  exercises?: string[];
}

const RUN_ORDER: readonly SectionId[] = ['tools', 'check', 'footprint', 'dev-check', 'cold-start'];

const TITLES: Record<SectionId, string> = {
  tools: '1. brokerlab bench vs each broker\'s own performance tool',
  check: '2. Check latency',
  'cold-start': '3. Cold start',
  footprint: '4. Footprint',
  'dev-check': '5. Full catalog through dev check',
};

export const USAGE = `usage: npm run bench [-- --only ${SECTION_IDS.join(',')}] [--runs N] [--repeat N] [--exercises id,id] [--no-docs]`;

function positiveInt(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < 1) throw new UsageError(`${flag} must be a whole number >= 1, not "${value ?? ''}"`, USAGE);
  return n;
}

/** "tools,check" or "1,2" (the numbers printed in the titles) to section ids, in order. */
export function parseOnly(text: string): SectionId[] {
  const wanted = text.split(',').map((part) => part.trim()).filter(Boolean);
  const ids = wanted.map((part) => {
    const byNumber = /^\d+$/.test(part) ? SECTION_IDS[Number(part) - 1] : undefined;
    const id = byNumber ?? SECTION_IDS.find((s) => s === part);
    if (!id) throw new UsageError(`--only: unknown section "${part}"; sections are ${SECTION_IDS.join(', ')} (or 1-${SECTION_IDS.length})`, USAGE);
    return id;
  });
  return SECTION_IDS.filter((id) => ids.includes(id));
}

export function parseSuiteArgs(args: readonly string[]): SuiteOptions {
  const options: SuiteOptions = { only: [...SECTION_IDS], runs: CHECK_RUNS, repeat: 1, docs: true };
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const [flag, inline] = arg.includes('=') ? [arg.slice(0, arg.indexOf('=')), arg.slice(arg.indexOf('=') + 1)] : [arg, undefined];
    const value = (): string | undefined => inline ?? args[++i];
    if (flag === '--only') options.only = parseOnly(value() ?? '');
    else if (flag === '--runs') options.runs = positiveInt('--runs', value());
    else if (flag === '--repeat') options.repeat = positiveInt('--repeat', value());
    else if (flag === '--no-docs') options.docs = false;
    else if (flag === '--exercises') {
      options.exercises = (value() ?? '').split(',').map((id) => id.trim()).filter(Boolean);
      const known = new Set(pilots().map((p) => p.id));
      const unknown = options.exercises.filter((id) => !known.has(id));
      if (options.exercises.length === 0 || unknown.length > 0) throw new UsageError(`--exercises: unknown exercise "${unknown[0] ?? ''}" (see \`brokerlab list\`)`, USAGE);
      options.docs = false;
    }
    else throw new UsageError(`unknown argument "${arg}"`, USAGE);
  }
  return options;
}

async function runSection(id: SectionId, options: SuiteOptions, ctx: SectionContext): Promise<Section> {
  switch (id) {
    case 'tools':
      return toolsSection(ctx);
    case 'check':
      return checkLatencySection(ctx, options.runs, options.exercises);
    case 'cold-start':
      return coldStartSection(ctx);
    case 'footprint':
      return footprintSection(ctx, options.exercises);
    case 'dev-check':
      return devCheckSection(ctx, options.repeat);
  }
}

export interface SuiteResult {
  machine: Machine;
  sections: Section[];
}

/** Runs the chosen sections; a section that fails becomes a note, the others still run. */
export async function runSuite(options: SuiteOptions, ctx: SectionContext): Promise<SuiteResult> {
  const machine = describeMachine(PACKAGE_ROOT);
  const sections = new Map<SectionId, Section>();
  for (const id of RUN_ORDER.filter((s) => options.only.includes(s))) {
    if (ctx.signal?.aborted) throw new InterruptedError();
    ctx.log(`--- ${TITLES[id]}`);
    try {
      sections.set(id, await runSection(id, options, ctx));
    } catch (error) {
      if (ctx.signal?.aborted) throw new InterruptedError();
      sections.set(id, { id, title: TITLES[id], tables: [], notes: [`not measured: ${reason(error)}`] });
    }
  }
  if (ctx.signal?.aborted) throw new InterruptedError();
  return { machine, sections: SECTION_IDS.flatMap((id) => (sections.has(id) ? [sections.get(id)!] : [])) };
}

export function suiteText(result: SuiteResult): string {
  return [`machine: ${machineLine(result.machine)}`, `commit ${result.machine.commit}, ${result.machine.date}`, ...result.sections.map(sectionText)].join('\n\n');
}

/** docs/benchmarks.md with the blocks of the sections that ran (and the machine) replaced. */
export function updateBenchmarksDoc(doc: string, result: SuiteResult): string {
  const measuredOn = `Measured ${result.machine.date} (commit ${result.machine.commit}) on ${machineLine(result.machine)}.`;
  let updated = replaceBlock(doc, 'machine', `Last run of \`npm run bench\`: ${result.machine.date} (commit ${result.machine.commit}) on ${machineLine(result.machine)}.`, 'Machine');
  for (const section of result.sections) updated = replaceBlock(updated, section.id, sectionMarkdown(section, measuredOn), section.title);
  return updated;
}
