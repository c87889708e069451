/**
 * `brokerlab workshop teardown`: removes what provision created, and what the learners made
 * under their namespace since: users (Redis ACL, RabbitMQ, Kafka SCRAM), RabbitMQ vhosts with
 * their queues, Kafka ACLs, topics and consumer groups under "bl-<slug>.", Redis keys under
 * "bl-<slug>:". Which learners: the roster's, or those recorded in workshop.json (--state),
 * whose env files then go too. Safe to run again; users brokerlab did not create stay.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { InterruptedError, UsageError } from '../errors.js';
import { adminConnections } from './admin.js';
import { teardownKafka } from './kafka.js';
import { readRoster } from './provision.js';
import { teardownRabbitmq } from './rabbitmq.js';
import { teardownRedis } from './redis.js';
import type { Learner } from './roster.js';
import { readState, statePath, WORKSHOP_BROKERS, type WorkshopBroker, writeState } from './state.js';

export type TeardownOptions = ({ rosterFile: string; stateDir?: undefined } | { stateDir: string; rosterFile?: undefined }) & {
  /** Default: all three with a roster; with --state, the brokers it records. */
  brokers?: readonly WorkshopBroker[];
  env?: NodeJS.ProcessEnv;
  progress?: (message: string) => void;
  /** Ctrl-C / SIGTERM: stop between two learners; teardown again finishes the job. */
  signal?: AbortSignal;
};

export interface TeardownResult {
  brokers: WorkshopBroker[];
  learners: string[];
  /** "rabbitmq vhost bl-alice", "kafka topic bl-alice.x", ... */
  removed: string[];
  ms: number;
}

export async function teardown(options: TeardownOptions): Promise<TeardownResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const progress = options.progress ?? (() => {});
  const stateDir = options.stateDir === undefined ? undefined : path.resolve(options.stateDir);
  const state = stateDir === undefined ? undefined : readState(stateDir);
  if (stateDir !== undefined && !state) throw new UsageError(`there is no workshop state in ${stateDir} (no ${path.basename(statePath(stateDir))}); use --learners roster.csv`);

  const learners: Learner[] = state ? state.learners : readRoster(options.rosterFile ?? '');
  const recorded = WORKSHOP_BROKERS.filter((b) => state?.learners.some((l) => l.created[b]));
  const brokers = options.brokers ? [...options.brokers] : state ? recorded : [...WORKSHOP_BROKERS];
  const admin = adminConnections(brokers, env);
  const removed: string[] = [];
  const who = `${learners.length} learner${learners.length === 1 ? '' : 's'}`;

  try {
    if (admin.kafka) {
      progress(`Kafka: SCRAM users, ACLs, topics and groups of ${who}`);
      removed.push(...(await teardownKafka(admin.kafka, learners, env, options.signal)));
    }
    if (admin.rabbitmq) {
      progress(`RabbitMQ: vhosts and users of ${who}`);
      removed.push(...(await teardownRabbitmq(admin.rabbitmq, learners, options.signal)));
    }
    if (admin.redis) {
      progress(`Redis: keys and ACL users of ${who}`);
      removed.push(...(await teardownRedis(admin.redis.url, learners, options.signal)));
    }
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
    throw new InterruptedError('interrupted half-way; the same teardown again removes the rest');
  }

  if (state && stateDir) {
    // Learners with nothing left lose their env file (its password is dead); an empty state goes.
    const remaining = state.learners
      .map((l) => ({ ...l, created: Object.fromEntries(Object.entries(l.created).filter(([b]) => !brokers.includes(b as WorkshopBroker))) }))
      .filter((l) => Object.keys(l.created).length > 0);
    for (const learner of state.learners) {
      if (!remaining.some((l) => l.slug === learner.slug)) rmSync(path.join(stateDir, `${learner.slug}.env`), { force: true });
    }
    if (remaining.length === 0) rmSync(statePath(stateDir), { force: true });
    else writeState(stateDir, { ...state, updatedAt: new Date().toISOString(), learners: remaining });
  }
  return { brokers, learners: learners.map((l) => l.slug), removed, ms: Date.now() - started };
}
