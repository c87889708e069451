// What the bench reads from /proc, parsed from literal file contents.
import { describe, expect, it } from 'vitest';
import { footprintPids, parseMachineCpu, parseProcStat, parseVmRss } from '../../src/bench/procfs.js';

describe('/proc/<pid>/stat', () => {
  it('reads parent, process group and CPU time (clock ticks of 1/100 s)', () => {
    const line =
      '29636 (java) S 1 29636 29636 0 -1 4194304 123336 0 143 0 2523 393 7 3 20 0 100 0 592734 3510984704 122901 18446744073709551615 0 0 0 0 0 0 16800975 0 0 0 17 0 0 0 0 0 0';
    expect(parseProcStat(line)).toEqual({ pid: 29636, comm: 'java', state: 'S', ppid: 1, pgid: 29636, cpuSeconds: 29.16, childrenCpuSeconds: 0.1 });
  });

  it('a command name with spaces and parentheses does not shift the fields', () => {
    const stat = parseProcStat('4242 (my (odd) proc) R 4200 4100 4100 0 -1 0 0 0 0 0 150 50 0 0 20 0 1 0 1 1 1');
    expect(stat).toMatchObject({ pid: 4242, comm: 'my (odd) proc', state: 'R', ppid: 4200, pgid: 4100, cpuSeconds: 2 });
  });

  it('garbage gives nothing', () => {
    expect(parseProcStat('')).toBeUndefined();
    expect(parseProcStat('12 (x')).toBeUndefined();
  });
});

describe('/proc/<pid>/status and /proc/stat', () => {
  it('VmRSS in bytes; none for a kernel thread', () => {
    expect(parseVmRss('Name:\tjava\nVmPeak:\t 3428704 kB\nVmRSS:\t  491604 kB\nRssAnon:\t  470000 kB\n')).toBe(491604 * 1024);
    expect(parseVmRss('Name:\tkthreadd\nState:\tS (sleeping)\n')).toBeUndefined();
  });

  it('machine CPU: busy is everything but idle and iowait', () => {
    expect(parseMachineCpu('cpu  229586 297 28676 1044010 1044 0 2489 158 0 0\ncpu0 1 2 3 4 5 6 7 8 0 0\n')).toEqual({
      busySeconds: (229586 + 297 + 28676 + 2489 + 158) / 100,
      totalSeconds: (229586 + 297 + 28676 + 1044010 + 1044 + 2489 + 158) / 100,
    });
  });
});

describe('footprint processes', () => {
  // pid 100: the Kafka JVM (its own group); 200/201: RabbitMQ's script and Erlang VM (group
  // 200); 300: brokerlab check; 301: a learner in its own group; 302: the learner's child;
  // 400: somebody else's process; 500: another Kafka, not ours.
  const table = [
    { pid: 100, ppid: 1, pgid: 100 },
    { pid: 200, ppid: 1, pgid: 200 },
    { pid: 201, ppid: 200, pgid: 200 },
    { pid: 300, ppid: 9, pgid: 300 },
    { pid: 301, ppid: 300, pgid: 301 },
    { pid: 302, ppid: 301, pgid: 301 },
    { pid: 400, ppid: 1, pgid: 400 },
    { pid: 500, ppid: 1, pgid: 500 },
  ];

  it('every member of the brokers\' groups, and the CLI with all its descendants', () => {
    expect([...footprintPids(table, [100, 200], [300])].sort()).toEqual([100, 200, 201, 300, 301, 302]);
  });

  it('a CLI that has exited contributes nothing; brokers alone', () => {
    expect([...footprintPids(table, [100], [999])]).toEqual([100]);
    expect([...footprintPids(table, [], [])]).toEqual([]);
  });
});
