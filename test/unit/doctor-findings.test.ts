// `brokerlab doctor`'s judgement over literal facts: levels, messages and fix commands.
import { Chalk } from 'chalk';
import { describe, expect, it } from 'vitest';
import type { BrokerStatus } from '../../src/brokers/types.js';
import {
  LOW_DISK_BYTES,
  brokerFinding,
  diskFinding,
  formatFindings,
  installFinding,
  nodeFinding,
  toolFinding,
  verdictLine,
} from '../../src/cli/doctor-findings.js';

const plain = new Chalk({ level: 0 });
const redis = { label: 'Redis', externalEnv: 'BROKERLAB_REDIS_URL', externalExample: 'BROKERLAB_REDIS_URL=redis://127.0.0.1:6379' };
const row = (health: BrokerStatus['health'], runtime: BrokerStatus['runtime'] = 'native', detail = 'native, pid 42, started 09:00 by brokerlab'): BrokerStatus => ({
  name: 'redis',
  runtime,
  url: 'redis://127.0.0.1:6379',
  health,
  detail,
});

describe('nodeFinding', () => {
  it('accepts a version at or above the minimum', () => {
    expect(nodeFinding('20.12.0', '>=20.12').level).toBe('ok');
    expect(nodeFinding('22.1.0', '>=20.12').level).toBe('ok');
  });
  it('rejects an older one, with the nvm command for that major', () => {
    expect(nodeFinding('20.11.1', '>=20.12')).toEqual({
      id: 'node',
      level: 'problem',
      message: 'Node.js 20.11.1 is too old: brokerlab needs >=20.12',
      fix: 'nvm install 20',
    });
    expect(nodeFinding('18.20.0', '>=20.12').level).toBe('problem');
  });
  it('reports a range it does not understand without judging it', () => {
    expect(nodeFinding('20.0.0', '^20 || ^22').level).toBe('info');
  });
});

describe('brokerFinding', () => {
  it('is ok when healthy, and names runtime, URL and how it was started', () => {
    expect(brokerFinding(row('healthy'), redis, true, [])).toMatchObject({
      id: 'broker:redis',
      level: 'ok',
      message: 'Redis: healthy at redis://127.0.0.1:6379 (native, pid 42, started 09:00 by brokerlab)',
    });
    expect(brokerFinding(row('healthy', 'native', 'running, but not started by brokerlab'), redis, true, []).message).toContain(
      '(native, running, but not started by brokerlab)',
    );
  });
  it('a needed broker that is not started is a problem fixed by `brokerlab up`', () => {
    expect(brokerFinding(row('unreachable'), redis, true, [])).toMatchObject({ level: 'problem', fix: 'brokerlab up redis' });
  });
  it('a broker no exercise needs is only reported', () => {
    const finding = brokerFinding(row('unreachable'), redis, false, []);
    expect(finding.level).toBe('info');
    expect(finding.message).toContain('no exercise needs it yet');
  });
  it('an unreachable external broker points at its variable', () => {
    const finding = brokerFinding({ ...row('unreachable', 'external', 'external (BROKERLAB_REDIS_URL)'), url: 'redis://127.0.0.1:1' }, redis, true, []);
    expect(finding).toMatchObject({ level: 'problem', fix: 'unset BROKERLAB_REDIS_URL && brokerlab up redis' });
    expect(finding.message).toBe('Redis: not reachable at redis://127.0.0.1:1 (set by BROKERLAB_REDIS_URL); check that address, or use a local Redis instead');
  });
  it('a port held by another process is named, with how to find that process', () => {
    const finding = brokerFinding(row('unreachable'), redis, true, [6379]);
    expect(finding).toMatchObject({ level: 'problem', takenPorts: [6379] });
    expect(finding.message).toBe('Redis: not running, and port 6379 on 127.0.0.1 is held by another process');
    expect(finding.fix).toMatch(/^ss -ltnp '\( sport = :6379 \)' +# .*export BROKERLAB_REDIS_URL=redis:\/\/127\.0\.0\.1:6379$/);
  });
  it('a broker still starting is a warning: `up` waits for it', () => {
    expect(brokerFinding(row('starting'), redis, true, [])).toMatchObject({ level: 'warning', fix: 'brokerlab up redis' });
  });
});

describe('installFinding, toolFinding, diskFinding', () => {
  it('drops the broker message\'s own "Run: npm run setup" and gives the setup command as the fix', () => {
    const error = 'Kafka 3.9.2 is not installed (no jars in ~/.brokerlab/vendor/kafka-3.9.2/lib). Run: npm run setup';
    expect(installFinding('kafka', 'Kafka 3.9.2', error, true, 'npm run setup')).toEqual({
      id: 'install:kafka',
      level: 'problem',
      message: 'Kafka 3.9.2 is not installed (no jars in ~/.brokerlab/vendor/kafka-3.9.2/lib)',
      fix: 'npm run setup',
    });
    expect(installFinding('kafka', 'Kafka 3.9.2', error, false, 'npm run setup').level).toBe('warning');
    expect(installFinding('kafka', 'Kafka 3.9.2', undefined, true, 'npm run setup').level).toBe('ok');
  });
  it('a missing tool has the level it was given and its fix', () => {
    expect(toolFinding('go', undefined, 'setup builds toxiproxy with it', 'warning', 'apt-get install -y golang-go')).toEqual({
      id: 'tool:go',
      level: 'warning',
      message: 'go is not on PATH; setup builds toxiproxy with it',
      fix: 'apt-get install -y golang-go',
    });
    expect(toolFinding('java', { path: '/usr/bin/java', version: '17.0.15' }, '', 'problem', '').message).toBe('java 17.0.15 on PATH (/usr/bin/java)');
  });
  it('warns under 2 GiB free', () => {
    expect(diskFinding('~/.brokerlab', LOW_DISK_BYTES, 'rm -rf runs').level).toBe('ok');
    expect(diskFinding('~/.brokerlab', 512 * 1024 ** 2, 'rm -rf runs')).toMatchObject({ level: 'warning', fix: 'rm -rf runs' });
    expect(diskFinding('~/.brokerlab', 512 * 1024 ** 2, 'x').message).toContain('only 512 MiB free');
  });
});

describe('formatting', () => {
  const findings = [
    nodeFinding('20.20.0', '>=20.12'),
    brokerFinding(row('unreachable'), redis, true, []),
    toolFinding('go', undefined, 'why', 'warning', 'apt-get install -y golang-go'),
  ];
  it('one line each, a fix line under each problem and warning', () => {
    expect(formatFindings(findings, plain).split('\n')).toEqual([
      '  ✔ Node.js 20.20.0 (brokerlab needs >=20.12)',
      '  ✘ Redis: not running (native, would answer at redis://127.0.0.1:6379)',
      '      fix: brokerlab up redis',
      '  ! go is not on PATH; why',
      '      fix: apt-get install -y golang-go',
    ]);
  });
  it('--quiet keeps only what needs attention', () => {
    expect(formatFindings(findings, plain, true)).not.toContain('Node.js');
  });
  it('the closing line counts problems and warnings', () => {
    expect(verdictLine(findings, plain)).toBe('1 problem to fix (1 warning worth a look): run the command under each ✘, then `brokerlab doctor` again.');
    expect(verdictLine([findings[0]!], plain)).toBe('Everything the exercises need is ready.');
  });
});
