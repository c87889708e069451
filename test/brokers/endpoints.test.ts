/** Default endpoints, external endpoints from BROKERLAB_* variables, and the messages about them. */
import { describe, expect, it } from 'vitest';
import { EnvironmentError, UsageError } from '../../src/errors.js';
import { endpointOf, unreachableError, type Failure } from '../../src/brokers/index.js';
import { displayUrl } from '../../src/brokers/net.js';
import { BROKER_LABELS, BROKERS, brokerDef, parseBrokerNames } from '../../src/brokers/registry.js';
import { BROKER_NAMES } from '../../src/brokers/types.js';

describe('default endpoints', () => {
  it('are the local ports of ports.ts', () => {
    expect(endpointOf('redis', {})).toEqual({ url: 'redis://127.0.0.1:6379' });
    expect(endpointOf('rabbitmq', {})).toEqual({
      amqpUrl: 'amqp://guest:guest@127.0.0.1:5672',
      managementUrl: 'http://127.0.0.1:15672',
      username: 'guest',
      password: 'guest',
    });
    expect(endpointOf('kafka', {})).toEqual({ brokers: ['127.0.0.1:9092'] });
    expect(endpointOf('sqs', {})).toEqual({ endpoint: 'http://127.0.0.1:9324', region: 'us-east-1' });
    expect(endpointOf('sns', {})).toEqual({ endpoint: 'http://127.0.0.1:9326', region: 'us-east-1' });
    expect(endpointOf('pubsub', {})).toEqual({ emulatorHost: '127.0.0.1:8085', projectId: 'brokerlab' });
    expect(endpointOf('postgres', {})).toEqual({ url: 'postgres://postgres@127.0.0.1:5432/postgres' });
    expect(endpointOf('toxiproxy', {})).toEqual({ apiUrl: 'http://127.0.0.1:8474' });
    expect(endpointOf('kafka-cluster', {})).toEqual({ brokers: ['127.0.0.1:9101', '127.0.0.1:9102', '127.0.0.1:9103'] });
  });

  it('reads an external Kafka cluster as a bootstrap list', () => {
    expect(endpointOf('rabbitmq-cluster', {})).toEqual({
      amqpUrls: ['amqp://guest:guest@127.0.0.1:5681', 'amqp://guest:guest@127.0.0.1:5682', 'amqp://guest:guest@127.0.0.1:5683'],
      managementUrl: 'http://127.0.0.1:15681',
      username: 'guest',
      password: 'guest',
    });
    expect(BROKERS['rabbitmq-cluster'].fromEnv({ BROKERLAB_RABBITMQ_CLUSTER_URLS: 'amqp://u:p@r1:5672, amqp://u:p@r2:5672,amqp://u:p@r3:5672', BROKERLAB_RABBITMQ_CLUSTER_MANAGEMENT_URL: 'http://r1:15672/' })).toEqual({
      amqpUrls: ['amqp://u:p@r1:5672', 'amqp://u:p@r2:5672', 'amqp://u:p@r3:5672'],
      managementUrl: 'http://r1:15672',
      username: 'u',
      password: 'p',
    });
    expect(BROKERS['kafka-cluster'].fromEnv({ BROKERLAB_KAFKA_CLUSTER_BROKERS: 'PLAINTEXT://k1:9092, k2:9092,k3:9092' })).toEqual({ brokers: ['k1:9092', 'k2:9092', 'k3:9092'] });
  });
});

describe('external endpoints', () => {
  it('are undefined when the variable is unset or blank', () => {
    for (const name of BROKER_NAMES) {
      expect(brokerDef(name).fromEnv({})).toBeUndefined();
      expect(brokerDef(name).fromEnv({ [brokerDef(name).externalEnv]: '  ' })).toBeUndefined();
    }
  });

  it('read RabbitMQ credentials from the AMQP URL and drop its vhost', () => {
    const env = { BROKERLAB_AMQP_URL: 'amqp://lab:s%40cret@mq.example:5673/prod' };
    expect(BROKERS.rabbitmq.fromEnv(env)).toEqual({
      amqpUrl: 'amqp://lab:s%40cret@mq.example:5673',
      managementUrl: 'http://mq.example:15672',
      username: 'lab',
      password: 's@cret',
    });
    const withManagement = { ...env, BROKERLAB_RABBITMQ_MANAGEMENT_URL: 'https://mq.example/api-root/' };
    expect(BROKERS.rabbitmq.fromEnv(withManagement)?.managementUrl).toBe('https://mq.example/api-root');
    expect(BROKERS.rabbitmq.fromEnv({ BROKERLAB_AMQP_URL: 'amqp://mq:5672' })).toMatchObject({ username: 'guest', password: 'guest' });
    expect(BROKERS.rabbitmq.fromEnv({ BROKERLAB_AMQP_URL: 'amqps://u:p@mq' })?.managementUrl).toBe('https://mq:15672');
    expect(() => BROKERS.rabbitmq.fromEnv({ BROKERLAB_AMQP_URL: 'not a url' })).toThrow(UsageError);
  });

  it('split Kafka brokers on commas, trimming blanks and listener prefixes', () => {
    expect(BROKERS.kafka.fromEnv({ BROKERLAB_KAFKA_BROKERS: ' k1:9092, PLAINTEXT://k2:9092 ,,' })).toEqual({
      brokers: ['k1:9092', 'k2:9092'],
    });
  });

  it('take the SQS region from BROKERLAB_SQS_REGION, then AWS_REGION', () => {
    const endpoint = 'http://sqs.local:9324/';
    expect(BROKERS.sqs.fromEnv({ BROKERLAB_SQS_ENDPOINT: endpoint })).toEqual({ endpoint: 'http://sqs.local:9324', region: 'us-east-1' });
    expect(BROKERS.sqs.fromEnv({ BROKERLAB_SQS_ENDPOINT: endpoint, AWS_REGION: 'eu-west-1' })?.region).toBe('eu-west-1');
    expect(BROKERS.sqs.fromEnv({ BROKERLAB_SQS_ENDPOINT: endpoint, AWS_REGION: 'eu-west-1', BROKERLAB_SQS_REGION: 'elasticmq' })?.region).toBe(
      'elasticmq',
    );
  });

  it('take the SNS endpoint and region the same way', () => {
    expect(BROKERS.sns.fromEnv({ BROKERLAB_SNS_ENDPOINT: 'http://moto:9326/' })).toEqual({ endpoint: 'http://moto:9326', region: 'us-east-1' });
    expect(BROKERS.sns.fromEnv({ BROKERLAB_SNS_ENDPOINT: 'http://moto:9326', AWS_REGION: 'eu-west-1', BROKERLAB_SNS_REGION: 'eu-central-1' })?.region).toBe('eu-central-1');
    expect(BROKERS.sns.fromEnv({})).toBeUndefined();
    expect(BROKERS.pubsub.fromEnv({ BROKERLAB_PUBSUB_EMULATOR_HOST: 'http://pubsub:8085/' })).toEqual({ emulatorHost: 'pubsub:8085', projectId: 'brokerlab' });
    expect(BROKERS.pubsub.fromEnv({ BROKERLAB_PUBSUB_EMULATOR_HOST: 'pubsub:8085', BROKERLAB_PUBSUB_PROJECT: 'class-42' })?.projectId).toBe('class-42');
    expect(BROKERS.pubsub.fromEnv({})).toBeUndefined();
  });

  it('take Redis, PostgreSQL and toxiproxy URLs as given', () => {
    expect(endpointOf('redis', { BROKERLAB_REDIS_URL: 'rediss://:pw@cache:6380/2' })).toEqual({ url: 'rediss://:pw@cache:6380/2' });
    expect(endpointOf('postgres', { BROKERLAB_POSTGRES_URL: 'postgres://u:p@db/lab' })).toEqual({ url: 'postgres://u:p@db/lab' });
    expect(endpointOf('toxiproxy', { BROKERLAB_TOXIPROXY_URL: 'http://toxi:8474/' })).toEqual({ apiUrl: 'http://toxi:8474' });
  });

  it('hide passwords when shown, except the well-known guest', () => {
    expect(displayUrl('postgres://u:secret@db:5432/lab')).toBe('postgres://u:***@db:5432/lab');
    expect(displayUrl('amqp://guest:guest@127.0.0.1:5672')).toBe('amqp://guest:guest@127.0.0.1:5672');
    expect(displayUrl('http://127.0.0.1:8474')).toBe('http://127.0.0.1:8474');
  });
});

describe('unreachableError', () => {
  const failure = (name: (typeof BROKER_NAMES)[number], env: NodeJS.ProcessEnv = {}): Failure => ({
    name,
    def: brokerDef(name),
    endpoint: endpointOf(name, env),
    external: brokerDef(name).fromEnv(env) !== undefined,
    error: `${BROKER_LABELS[name]}: connect ECONNREFUSED`,
  });

  it('tells how to start one local broker, on one line', () => {
    const error = unreachableError([failure('redis')]);
    expect(error).toBeInstanceOf(EnvironmentError);
    expect(error.message).toBe('Redis is not reachable at redis://127.0.0.1:6379. Start it with: brokerlab up redis');
    expect(error.hint).toBe('Redis: connect ECONNREFUSED');
  });

  it('groups several local brokers into one command', () => {
    expect(unreachableError([failure('redis'), failure('kafka')]).message).toBe(
      'Redis (redis://127.0.0.1:6379), Kafka (127.0.0.1:9092) are not reachable. Start them with: brokerlab up redis kafka',
    );
  });

  it('points at the variable for an external broker', () => {
    const env = { BROKERLAB_REDIS_URL: 'redis://cache.internal:6379' };
    expect(unreachableError([failure('redis', env)]).message).toBe(
      'Redis is not reachable at redis://cache.internal:6379 (BROKERLAB_REDIS_URL). Check that URL.',
    );
  });
});

describe('parseBrokerNames', () => {
  it('means all brokers, in start order, when none are named', () => {
    expect(parseBrokerNames([])).toEqual([...BROKER_NAMES]);
    expect(parseBrokerNames(['kafka', 'Redis', 'kafka'])).toEqual(['redis', 'kafka']);
  });

  it('rejects unknown names, listing the valid ones', () => {
    expect(() => parseBrokerNames(['redis', 'mqtt'])).toThrow(
      'unknown broker "mqtt"; valid brokers are: redis, rabbitmq, rabbitmq-cluster, kafka, kafka-cluster, sqs, sns, pubsub, postgres, toxiproxy, prometheus',
    );
  });

  it('leaves the Kafka cluster out of `up` unless it is named', () => {
    expect(parseBrokerNames([], { onDemand: false })).not.toContain('kafka-cluster');
    expect(parseBrokerNames([], { onDemand: false })).not.toContain('rabbitmq-cluster');
    expect(parseBrokerNames([], { onDemand: false })).toContain('kafka');
    expect(parseBrokerNames(['kafka-cluster'], { onDemand: false })).toEqual(['kafka-cluster']);
  });
});
