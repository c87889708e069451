/** The workshop's pure parts: roster parsing, env-file rendering, state merging, shared-mode names. */
import { describe, expect, it } from 'vitest';
import { parseEnvFile } from '../../src/brokers/versions.js';
import { kafkaSaslFromEnv } from '../../src/brokers/kafka.js';
import { scopedNamespace, sharedNamespace } from '../../src/namespaces/names.js';
import { parseWorkshopBrokers, publicConnections } from '../../src/workshop/admin.js';
import { learnerEnv, passwordOf, renderEnvFile } from '../../src/workshop/env-file.js';
import { learnerAcls } from '../../src/workshop/kafka.js';
import { generatePassword } from '../../src/workshop/provision.js';
import { aclRules } from '../../src/workshop/redis.js';
import { parseRoster, slugify } from '../../src/workshop/roster.js';
import { mergeState, type WorkshopState } from '../../src/workshop/state.js';
import { isOneCleanLine } from '../helpers.js';

function rosterError(text: string): string {
  try {
    parseRoster(text, 'roster.csv');
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('expected the roster to be refused');
}

describe('roster', () => {
  it('derives slugs from names, keeps name and email', () => {
    const learners = parseRoster('name,email\nAlice Smith,alice@example.org\n"O\'Brien, Zoë",zoe@example.org\n', 'roster.csv');
    expect(learners).toEqual([
      { slug: 'alice-smith', name: 'Alice Smith', email: 'alice@example.org' },
      { slug: 'o-brien-zoe', name: "O'Brien, Zoë", email: 'zoe@example.org' },
    ]);
  });

  it('prefers the learner column, then name, then the email local part', () => {
    const learners = parseRoster('learner,name,email\nbob,Robert Jones,bob@x.org\n,Carol Diaz,\n,,dave.k@x.org\n', 'r.csv');
    expect(learners.map((l) => l.slug)).toEqual(['bob', 'carol-diaz', 'dave-k']);
  });

  it('reads a BOM, CRLF, semicolons, blank lines, extra columns and quoted line breaks', () => {
    const text = '\uFEFFName;Team;Email\r\n\r\nÅsa Öberg;red;asa@x.org\r\n"Li\nLei";blue;li@x.org\r\n';
    expect(parseRoster(text, 'r.csv').map((l) => l.slug)).toEqual(['asa-oberg', 'li-lei']);
  });

  it('slugify keeps a-z, 0-9 and single dashes', () => {
    expect(slugify('  Jean-Luc  PICARD!! ')).toBe('jean-luc-picard');
    expect(slugify('李雷')).toBe('');
  });

  it.each([
    ['', 'roster.csv is empty; it needs a header row with a learner, name or email column'],
    ['first,last\nA,B\n', 'roster.csv: the header row (line 1) needs a learner, name or email column; it has: first, last'],
    ['name\n', 'roster.csv lists no learners (only a header row)'],
    ['name,email\nAlice,a@x,extra\n', 'roster.csv: line 2 has 3 fields, the header has 2 (a name with a comma needs "quotes")'],
    ['name\nAlice\nALICE\n', 'roster.csv: lines 2 and 3 are both learner "alice"; give one of them another value in a learner column'],
    ['name\n李雷\n', 'roster.csv: line 2: "李雷" has no letters a-z or digits to name the learner\'s user and namespace; add a learner column (e.g. li-lei)'],
    ['name\n"Alice\n', 'roster.csv: line 2: a quoted field is never closed'],
    ['name,email,team\n,,red\n', 'roster.csv: line 2 has no learner, name or email'],
    [`name\n${'x'.repeat(40)}\n`, `roster.csv: line 2: "${'x'.repeat(40)}" gives a name longer than 32 characters; add a shorter value in a learner column`],
  ])('refuses %j with one clear line', (text, message) => {
    const error = rosterError(text);
    expect(error).toBe(message);
    expect(isOneCleanLine(error)).toBe(true);
  });
});

describe('env file', () => {
  const connections = {
    redis: { url: 'redis://redis.example:6379' },
    rabbitmq: { amqpUrl: 'amqp://rabbit.example:5672', managementUrl: 'http://rabbit.example:15672' },
    kafka: { brokers: ['k1.example:9092', 'k2.example:9092'], mechanism: 'scram-sha-256' as const },
  };

  it('gives the learner their own login on every broker and their namespace', () => {
    const env = learnerEnv({ slug: 'alice-smith', name: 'Alice Smith' }, 'Pw123', connections);
    expect(env).toEqual({
      BROKERLAB_NAMESPACE: 'bl-alice-smith',
      BROKERLAB_REDIS_URL: 'redis://alice-smith:Pw123@redis.example:6379',
      BROKERLAB_AMQP_URL: 'amqp://alice-smith:Pw123@rabbit.example:5672',
      BROKERLAB_RABBITMQ_MANAGEMENT_URL: 'http://rabbit.example:15672',
      BROKERLAB_RABBITMQ_VHOST: 'bl-alice-smith',
      BROKERLAB_KAFKA_BROKERS: 'k1.example:9092,k2.example:9092',
      BROKERLAB_KAFKA_SASL_MECHANISM: 'scram-sha-256',
      BROKERLAB_KAFKA_SASL_USERNAME: 'alice-smith',
      BROKERLAB_KAFKA_SASL_PASSWORD: 'Pw123',
    });
  });

  it('renders a file a shell can source and brokerlab can read back', () => {
    const learner = { slug: 'bob', name: 'Bob', email: 'bob@x.org' };
    const text = renderEnvFile(learner, learnerEnv(learner, 'Secret9', { redis: connections.redis }));
    expect(text).toBe(
      [
        '# brokerlab workshop: bob (Bob, bob@x.org). Keep it to yourself: it holds your password.',
        '# Use it in a shell:  set -a; . ./bob.env; set +a   then: brokerlab check <exercise>',
        'BROKERLAB_NAMESPACE=bl-bob',
        'BROKERLAB_REDIS_URL=redis://bob:Secret9@redis.example:6379',
        '',
      ].join('\n'),
    );
    expect(passwordOf(parseEnvFile(text))).toBe('Secret9');
  });

  it('publishes the admin URLs without the admin credentials', () => {
    const pub = publicConnections({
      redis: { url: 'redis://admin:s3cret@redis.example:6379' },
      rabbitmq: { amqpUrl: 'amqp://root:s3cret@rabbit.example:5672', managementUrl: 'http://rabbit.example:15672', username: 'root', password: 's3cret' },
      kafka: { brokers: ['k1:9092'], sasl: { mechanism: 'scram-sha-512', username: 'admin', password: 's3cret' } },
    });
    expect(pub).toEqual({
      redis: { url: 'redis://redis.example:6379' },
      rabbitmq: { amqpUrl: 'amqp://rabbit.example:5672', managementUrl: 'http://rabbit.example:15672' },
      kafka: { brokers: ['k1:9092'], mechanism: 'scram-sha-256' },
    });
    expect(JSON.stringify(pub)).not.toContain('s3cret');
  });

  it('generates passwords that need no escaping anywhere', () => {
    const passwords = new Set(Array.from({ length: 50 }, generatePassword));
    expect(passwords.size).toBe(50);
    for (const password of passwords) expect(password).toMatch(/^[A-Za-z0-9]{24}$/);
  });
});

describe('what provisioning grants', () => {
  it('Redis: keys and channels under the prefix, no admin or dangerous commands', () => {
    expect(aclRules('alice', 'pw')).toEqual(['reset', 'on', '>pw', '~bl-alice:*', '&bl-alice:*', '+@all', '-@admin', '-@dangerous', '+info']);
  });

  it('Kafka: prefixed topic and group ACLs for the learner only', () => {
    const acls = learnerAcls('alice');
    expect(new Set(acls.map((a) => `${a.resourceType}:${a.resourceName}:${a.resourcePatternType}:${a.principal}`))).toEqual(
      new Set(['2:bl-alice.:4:User:alice', '3:bl-alice.:4:User:alice']), // TOPIC, GROUP; PREFIXED
    );
    expect(acls).toHaveLength(11); // topics: create, read, write, describe, delete, describe-configs, alter, alter-configs; groups: read, describe, delete
  });
});

describe('state', () => {
  const base: WorkshopState = {
    formatVersion: 1,
    updatedAt: 't1',
    connections: { redis: { url: 'redis://h:6379' } },
    learners: [{ slug: 'alice', namespace: 'bl-alice', created: { redis: { user: 'alice', keys: 'bl-alice:*', channels: 'bl-alice:*' } } }],
  };

  it('adds learners and brokers, keeping what earlier runs created', () => {
    const merged = mergeState(base, {
      formatVersion: 1,
      updatedAt: 't2',
      connections: { rabbitmq: { amqpUrl: 'amqp://h:5672', managementUrl: 'http://h:15672' } },
      learners: [
        { slug: 'alice', namespace: 'bl-alice', created: { rabbitmq: { user: 'alice', vhost: 'bl-alice' } } },
        { slug: 'bob', namespace: 'bl-bob', created: { rabbitmq: { user: 'bob', vhost: 'bl-bob' } } },
      ],
    });
    expect(Object.keys(merged.connections)).toEqual(['redis', 'rabbitmq']);
    expect(merged.learners.map((l) => [l.slug, Object.keys(l.created)])).toEqual([
      ['alice', ['redis', 'rabbitmq']],
      ['bob', ['rabbitmq']],
    ]);
  });
});

describe('shared mode settings', () => {
  it('puts a run inside the learner prefix with each broker\'s separator', () => {
    const shared = sharedNamespace({ BROKERLAB_NAMESPACE: 'bl-alice' });
    expect(scopedNamespace('bl-2025abcd', shared, '.')).toBe('bl-alice.bl-2025abcd');
    expect(scopedNamespace('bl-2025abcd', shared, ':')).toBe('bl-alice:bl-2025abcd');
    expect(scopedNamespace('bl-2025abcd', sharedNamespace({}), ':')).toBe('bl-2025abcd');
  });

  it('refuses an unsafe namespace and half a Kafka login', () => {
    expect(() => sharedNamespace({ BROKERLAB_NAMESPACE: 'bl alice/*' })).toThrow('BROKERLAB_NAMESPACE must be letters, digits');
    expect(() => kafkaSaslFromEnv({ BROKERLAB_KAFKA_SASL_MECHANISM: 'scram-sha-256', BROKERLAB_KAFKA_SASL_USERNAME: 'alice' })).toThrow(
      'Kafka SASL needs both BROKERLAB_KAFKA_SASL_USERNAME and BROKERLAB_KAFKA_SASL_PASSWORD',
    );
    expect(() => kafkaSaslFromEnv({ BROKERLAB_KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow('BROKERLAB_KAFKA_SASL_MECHANISM must be one of plain, scram-sha-256, scram-sha-512 (got "gssapi")');
    expect(kafkaSaslFromEnv({ BROKERLAB_KAFKA_SASL_MECHANISM: 'SCRAM-SHA-256', BROKERLAB_KAFKA_SASL_USERNAME: 'a', BROKERLAB_KAFKA_SASL_PASSWORD: 'b' })).toEqual({
      mechanism: 'scram-sha-256',
      username: 'a',
      password: 'b',
    });
    expect(kafkaSaslFromEnv({})).toBeUndefined();
  });

  it('--brokers takes a known list only', () => {
    expect(parseWorkshopBrokers('kafka,redis')).toEqual(['redis', 'kafka']);
    expect(parseWorkshopBrokers(undefined)).toEqual(['redis', 'rabbitmq', 'kafka']);
    expect(() => parseWorkshopBrokers('redis,sqs')).toThrow('--brokers takes a comma-separated list of redis, rabbitmq, kafka (got "redis,sqs")');
  });
});
