/** Runtime selection: external URL > --runtime > BROKERLAB_RUNTIME > running natively > Docker > native. */
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { BROKERS } from '../../src/brokers/registry.js';
import { parseRuntime, selectRuntime, type SelectOptions } from '../../src/brokers/select.js';

const options = (over: Partial<SelectOptions> = {}): SelectOptions => ({
  env: {},
  runningNatively: () => false,
  dockerAvailable: async () => false,
  ...over,
});

describe('selectRuntime', () => {
  it('is native without Docker and compose with a Docker engine', async () => {
    expect(await selectRuntime(BROKERS.redis, options())).toBe('native');
    expect(await selectRuntime(BROKERS.redis, options({ dockerAvailable: async () => true }))).toBe('compose');
  });

  it("makes a broker external when its variable is set, whatever else is asked, and only that broker", async () => {
    const env = { BROKERLAB_REDIS_URL: 'redis://cache:6379', BROKERLAB_RUNTIME: 'compose' };
    expect(await selectRuntime(BROKERS.redis, options({ env, runtime: 'native' }))).toBe('external');
    expect(await selectRuntime(BROKERS.kafka, options({ env }))).toBe('compose');
  });

  it('prefers --runtime over BROKERLAB_RUNTIME, and both over autodetection', async () => {
    const docker = { dockerAvailable: async () => true };
    expect(await selectRuntime(BROKERS.kafka, options({ ...docker, env: { BROKERLAB_RUNTIME: 'native' } }))).toBe('native');
    expect(await selectRuntime(BROKERS.kafka, options({ env: { BROKERLAB_RUNTIME: 'native' }, runtime: 'compose' }))).toBe('compose');
  });

  it('keeps a broker this home runs natively on native, even when Docker appears', async () => {
    const over = { runningNatively: () => true, dockerAvailable: async () => true };
    expect(await selectRuntime(BROKERS.sqs, options(over))).toBe('native');
  });

  it('does not ask Docker when the answer is already known', async () => {
    let asked = 0;
    const dockerAvailable = async () => (asked++, true);
    await selectRuntime(BROKERS.redis, options({ runtime: 'native', dockerAvailable }));
    await selectRuntime(BROKERS.redis, options({ env: { BROKERLAB_REDIS_URL: 'redis://x:1' }, dockerAvailable }));
    expect(asked).toBe(0);
  });

  it('refuses --runtime external for a broker without its variable, naming the variable', async () => {
    await expect(selectRuntime(BROKERS.kafka, options({ runtime: 'external' }))).rejects.toThrow(
      /Kafka has no external address: set BROKERLAB_KAFKA_BROKERS/,
    );
  });

  it('rejects an unknown BROKERLAB_RUNTIME with the valid values', async () => {
    await expect(selectRuntime(BROKERS.redis, options({ env: { BROKERLAB_RUNTIME: 'podman' } }))).rejects.toThrow(UsageError);
    expect(() => parseRuntime('podman', '--runtime')).toThrow('--runtime must be one of native, compose, external, not "podman"');
    expect(parseRuntime(' Compose ', '--runtime')).toBe('compose');
    expect(parseRuntime(undefined, '--runtime')).toBeUndefined();
  });
});
