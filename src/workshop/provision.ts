/**
 * `brokerlab workshop provision`: every learner of a roster gets, on each of the workshop's
 * brokers, a user with a generated password confined to their namespace "bl-<slug>", and a
 * `<slug>.env` file in the output folder with the variables that make `brokerlab check` grade
 * on the shared cluster inside that namespace. workshop.json records what was created.
 *
 * Safe to run again: the same roster gives the same users with the same passwords (read back
 * from the env files), a longer roster adds the new learners. Nothing changes on any broker
 * until every learner's name was checked to be free there (or brokerlab's own).
 */
import { randomInt } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { makeDir } from '../dirs.js';
import path from 'node:path';
import { parseEnvFile } from '../brokers/versions.js';
import { InterruptedError, UsageError } from '../errors.js';
import { type AdminConnections, adminConnections, publicConnections } from './admin.js';
import { learnerEnv, passwordOf, renderEnvFile } from './env-file.js';
import { checkKafkaUsers, kafkaPrefix, provisionKafka, SCRAM_MECHANISM } from './kafka.js';
import { checkRabbitmqUsers, provisionRabbitmq } from './rabbitmq.js';
import { checkRedisUsers, keyPattern, provisionRedis } from './redis.js';
import { type Account, type Learner, namespaceOf, parseRoster } from './roster.js';
import { type Created, type LearnerState, mergeState, readState, type WorkshopBroker, writeState, statePath } from './state.js';

export interface ProvisionOptions {
  rosterFile: string;
  brokers: readonly WorkshopBroker[];
  outDir: string;
  env?: NodeJS.ProcessEnv;
  progress?: (message: string) => void;
  /** Ctrl-C / SIGTERM: stop between two learners (workshop.json already names them all). */
  signal?: AbortSignal;
}

export interface ProvisionedLearner extends Learner {
  namespace: string;
  envFile: string;
  /** The variables in envFile (with the learner's password). */
  env: Record<string, string>;
}

export interface ProvisionResult {
  brokers: WorkshopBroker[];
  outDir: string;
  stateFile: string;
  learners: ProvisionedLearner[];
  ms: number;
}

const PASSWORD_ALPHABET = 'ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz23456789';

/** 24 characters, about 140 bits; letters and digits only, so it needs no escaping in a URL,
 *  an ACL rule, a JAAS line or Kafka's `--add-config` list. */
export function generatePassword(): string {
  return Array.from({ length: 24 }, () => PASSWORD_ALPHABET[randomInt(PASSWORD_ALPHABET.length)]).join('');
}

export function readRoster(file: string): Learner[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    const why = code === 'EISDIR' ? 'it is a folder, not a CSV file' : code === 'ENOENT' ? 'no such file' : 'not readable';
    throw new UsageError(`cannot read the roster ${file}: ${why}`);
  }
  return parseRoster(text, file);
}

function createdFor(slug: string, brokers: readonly WorkshopBroker[]): Created {
  const created: Created = {};
  if (brokers.includes('redis')) created.redis = { user: slug, keys: keyPattern(slug), channels: keyPattern(slug) };
  if (brokers.includes('rabbitmq')) created.rabbitmq = { user: slug, vhost: namespaceOf(slug) };
  if (brokers.includes('kafka')) created.kafka = { user: slug, scram: SCRAM_MECHANISM, topicPrefix: kafkaPrefix(slug), groupPrefix: kafkaPrefix(slug) };
  return created;
}

export async function provision(options: ProvisionOptions): Promise<ProvisionResult> {
  const started = Date.now();
  const env = options.env ?? process.env;
  const progress = options.progress ?? (() => {});
  const learners = readRoster(options.rosterFile);
  const admin: AdminConnections = adminConnections(options.brokers, env);
  const outDir = path.resolve(options.outDir);
  const previous = readState(outDir);
  const envFile = (learner: Learner) => path.join(outDir, `${learner.slug}.env`);

  // A learner provisioned before keeps their password, so their env file stays valid.
  const accounts: Account[] = learners.map((learner) => {
    const file = envFile(learner);
    const earlier = existsSync(file) ? passwordOf(parseEnvFile(readFileSync(file, 'utf8'))) : undefined;
    return { learner, password: earlier ?? generatePassword() };
  });

  progress(`checking that ${learners.length} learner name${learners.length === 1 ? ' is' : 's are'} free on ${options.brokers.join(', ')}`);
  if (admin.redis) await checkRedisUsers(admin.redis.url, learners);
  if (admin.rabbitmq) await checkRabbitmqUsers(admin.rabbitmq, learners);
  if (admin.kafka) await checkKafkaUsers(admin.kafka, learners, env);

  // Written before the brokers change: if provisioning stops half-way, teardown --state still
  // knows every name it may have created, and provisioning again reuses these passwords.
  const states: LearnerState[] = learners.map((learner) => ({ ...learner, namespace: namespaceOf(learner.slug), created: createdFor(learner.slug, options.brokers) }));
  const state = mergeState(previous, { formatVersion: 1, updatedAt: new Date().toISOString(), connections: publicConnections(admin), learners: states });
  makeDir(outDir, { mode: 0o700 });
  writeState(outDir, state);
  const provisioned: ProvisionedLearner[] = accounts.map(({ learner, password }) => {
    // Every broker the learner has, from this run or an earlier one with other --brokers.
    const created = state.learners.find((l) => l.slug === learner.slug)?.created ?? {};
    const connections = Object.fromEntries(Object.entries(state.connections).filter(([broker]) => broker in created));
    const vars = learnerEnv(learner, password, connections);
    writeFileSync(envFile(learner), renderEnvFile(learner, vars), { mode: 0o600 });
    return { ...learner, namespace: namespaceOf(learner.slug), envFile: envFile(learner), env: vars };
  });

  try {
    if (admin.redis) {
      progress(`Redis: ACL users confined to bl-<name>:* for ${learners.length} learners`);
      await provisionRedis(admin.redis.url, accounts, options.signal);
    }
    if (admin.rabbitmq) {
      progress(`RabbitMQ: a vhost and a user for each of ${learners.length} learners`);
      await provisionRabbitmq(admin.rabbitmq, accounts, options.signal);
    }
    if (admin.kafka) {
      progress(`Kafka: prefixed ACLs and a ${SCRAM_MECHANISM} user for each of ${learners.length} learners (about a second each)`);
      await provisionKafka(admin.kafka, accounts, env, options.signal);
    }
  } catch (error) {
    if (!(error instanceof InterruptedError)) throw error;
    const shown = path.relative(process.cwd(), outDir).startsWith('..') ? outDir : path.relative(process.cwd(), outDir) || '.';
    throw new InterruptedError(
      `interrupted half-way; ${path.join(shown, 'workshop.json')} names every learner: \`brokerlab workshop teardown --state ${shown}\` removes what was created, provisioning again completes it`,
    );
  }
  return { brokers: [...options.brokers], outDir, stateFile: statePath(outDir), learners: provisioned, ms: Date.now() - started };
}
