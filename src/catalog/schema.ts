/**
 * The scenario format: one `scenarios/<id>/scenario.json` per exercise. Data only: it names
 * a registered workload, faults and checks and gives them parameters. Ids are stable forever
 * (saved progress and CI configs key off them); titles, weeks and order may change.
 */
import type { BrokerName } from '../brokers/types.js';

/** Bumped when the format changes incompatibly; the loader rejects other versions. */
export const SCENARIO_FORMAT_VERSION = 1;

export interface Scenario {
  /** Must equal SCENARIO_FORMAT_VERSION. */
  formatVersion: number;
  /** Stable id, kebab-case, also the folder name under scenarios/ and labs/. */
  id: string;
  /** Short learner-facing title. */
  title: string;
  /** Curriculum level 1-4 (foundations, technologies, advanced, mastery). */
  level: number;
  /** Curriculum week as printed in the plan ("2", "4-5"). */
  week: string;
  /** One sentence: what the learner builds. */
  summary: string;
  /** Brokers that must be reachable before the run starts. */
  brokers: BrokerName[];
  learner: {
    /** The file the learner edits, relative to labs/<id>/ (the starter lives there). */
    entry: string;
    /** How many copies of the learner's program run at once (consumer groups use 3). */
    instances: number;
    /** When the copies play different parts (an order, a payment and a shipping service):
     *  copy N gets ROLE=roles[N-1] in its environment. As many roles as instances. */
    roles?: string[];
  };
  workload: {
    /** A name registered in src/workloads/index.ts. */
    name: string;
    options: Record<string, unknown>;
  };
  /** Faults, each a name registered in src/faults/index.ts with its parameters. */
  faults: FaultSpec[];
  /** Why its runs go alone in `grade` and `dev check` ("it measures throughput and latency:
   *  a run beside it would change its numbers"). A fault that disturbs what runs share (a
   *  broker restart) makes a run go alone without it. */
  runsAlone?: string;
  timeouts: {
    /** How long the learner's program may take to become ready (subscribed, consuming). */
    readyMs: number;
    /** How long the lab waits, after the workload, for outputs to settle. */
    drainMs: number;
    /** Hard cap on the whole run, cleanup excluded. */
    runMs: number;
  };
  checks: CheckSpec[];
  /** Solutions kept with the scenario, relative to scenarios/<id>/. */
  solutions: {
    reference: string;
    /** Correct solutions written differently from the reference (another language, another
     *  design): they must pass too, so the grader judges behaviour, not the reference's shape. */
    alternatives: AlternativeSolution[];
    wrong: WrongSolution[];
  };
}

export interface AlternativeSolution {
  /** Relative to scenarios/<id>/. */
  file: string;
  /** How it differs from the reference, in a few words ("Python, pika, header-counted retries"). */
  style: string;
}

export interface FaultSpec {
  fault: string;
  params: Record<string, unknown>;
}

export interface CheckSpec {
  /** A name registered in src/checks/index.ts. */
  check: string;
  /** Partial credit weight (default 1). */
  weight?: number;
  params: Record<string, unknown>;
  /** What to tell a learner when this check fails: the likely mistake and where to look. */
  hint: string;
  /** Exercise-specific hints per cause the check diagnoses (its `causes`), e.g.
   *  {"committed-behind": "..."}; a cause without one gets the check's own hint. */
  hints?: Record<string, string>;
}

export interface WrongSolution {
  /** Relative to scenarios/<id>/; the file name says the mistake. */
  file: string;
  /** The mistake in a few words, as a learner would make it. */
  mistake: string;
  /** The checks this mistake must trip (others may fail too). In scenario.json a single
   *  name or a list of names. */
  failsChecks: string[];
  /** The cause each of those checks must name (`diagnosis` in scenario.json: {check: cause}):
   *  a wrong solution caught for the wrong reason gets a hint that misleads the learner. */
  diagnosis: Record<string, string>;
  /** The class of mistake, so every exercise covers several (see CLASSES in catalog/load.ts). */
  kind: MistakeClass;
}

/** The classes of mistakes every exercise's wrong solutions must cover (at least 5 solutions
 *  over different classes): they fail for different reasons, so a grader that only sees one
 *  kind of mistake is caught. */
export const MISTAKE_CLASSES = ['ack-timing', 'concurrency', 'restart-state', 'content', 'configuration', 'latency'] as const;
export type MistakeClass = (typeof MISTAKE_CLASSES)[number];
