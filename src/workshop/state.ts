/**
 * workshop.json, in the provision output folder: which brokers the workshop uses (addresses
 * only), and per learner what was created on each. `teardown --state` removes exactly that.
 * It never holds a password: the admin's come from the environment, each learner's is in
 * their own `<slug>.env` next to it.
 */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors.js';
import type { PublicConnections } from './env-file.js';
import { type Learner, isSlug } from './roster.js';

export const STATE_FILE = 'workshop.json';

export type WorkshopBroker = 'redis' | 'rabbitmq' | 'kafka';
export const WORKSHOP_BROKERS: readonly WorkshopBroker[] = ['redis', 'rabbitmq', 'kafka'];

/** What one learner has on one broker. */
export interface Created {
  redis?: { user: string; keys: string; channels: string };
  rabbitmq?: { user: string; vhost: string };
  kafka?: { user: string; scram: string; topicPrefix: string; groupPrefix: string };
}

export interface LearnerState extends Learner {
  namespace: string;
  created: Created;
}

export interface WorkshopState {
  formatVersion: 1;
  updatedAt: string;
  connections: PublicConnections;
  learners: LearnerState[];
}

export function statePath(dir: string): string {
  return path.join(dir, STATE_FILE);
}

/** The state in `dir`, or undefined when there is none yet. */
export function readState(dir: string): WorkshopState | undefined {
  const file = statePath(dir);
  if (!existsSync(file)) return undefined;
  let state: WorkshopState;
  try {
    state = JSON.parse(readFileSync(file, 'utf8')) as WorkshopState;
  } catch (error) {
    throw new UsageError(`${file} is not valid JSON (${(error as Error).message})`);
  }
  if (state.formatVersion !== 1 || !Array.isArray(state.learners)) throw new UsageError(`${file} is not a brokerlab workshop state file`);
  // Every name teardown deletes and every file it removes comes from a slug: one that is not
  // a slug (an edited or damaged file: "*", "../x") must stop it before it touches anything.
  state.learners.forEach((learner: unknown, i) => {
    const { slug, created } = (learner ?? {}) as Partial<LearnerState>;
    if (typeof slug !== 'string' || !isSlug(slug) || typeof created !== 'object' || created === null) {
      throw new UsageError(`${file}: learner ${i + 1} is damaged (its "slug" must be letters a-z, digits and dashes, with a "created" object); fix the file, or tear down with --learners roster.csv`);
    }
  });
  return state;
}

/** Owner-only: next to the learners' env files, which hold passwords. */
export function writeState(dir: string, state: WorkshopState): void {
  writeFileSync(statePath(dir), `${JSON.stringify(state, null, 2)}\n`, { mode: 0o600 });
}

/** `previous` with `update`'s learners added or replaced (by slug), and their brokers' connections. */
export function mergeState(previous: WorkshopState | undefined, update: WorkshopState): WorkshopState {
  const learners = new Map((previous?.learners ?? []).map((l) => [l.slug, l]));
  for (const learner of update.learners) {
    const before = learners.get(learner.slug);
    learners.set(learner.slug, { ...learner, created: { ...before?.created, ...learner.created } });
  }
  return { ...update, connections: { ...previous?.connections, ...update.connections }, learners: [...learners.values()] };
}
