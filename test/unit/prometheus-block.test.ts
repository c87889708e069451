// The Prometheus block's pure parts: the target file a run writes, where it goes, and the
// port a copy of the program is given.
import { createServer } from 'node:net';
import { describe, expect, it } from 'vitest';
import { freePort, targetFileContent, targetFileOf } from '../../src/workloads/blocks/prometheus.js';

describe('the Prometheus block', () => {
  it('lists one target per copy, labelled with the run and the copy (file_sd JSON)', () => {
    expect(JSON.parse(targetFileContent('bl-20261204074634euxd', [20186, 20187]))).toEqual([
      { targets: ['127.0.0.1:20186'], labels: { run: 'bl-20261204074634euxd', copy: '1' } },
      { targets: ['127.0.0.1:20187'], labels: { run: 'bl-20261204074634euxd', copy: '2' } },
    ]);
    // Named after the run's namespace, so `brokerlab up` can tell a stale one (namespaces/prometheus.ts).
    expect(targetFileOf('bl-20261204074634euxd', '/x/prometheus-targets')).toBe('/x/prometheus-targets/bl-20261204074634euxd.json');
  });

  it('gives a free port below the ephemeral range, and another one when that is taken', async () => {
    const port = await freePort();
    expect(port).toBeGreaterThanOrEqual(20_000);
    expect(port).toBeLessThan(32_000);
    const taken = createServer();
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', resolve));
    try {
      // The first pick is the taken port, the second whatever comes next.
      let call = 0;
      const picks = [(port - 20_000 + 0.5) / 12_000, 0.5];
      const other = await freePort(() => picks[Math.min(call++, 1)] ?? 0.5);
      expect(other).not.toBe(port);
      expect(call).toBe(2);
    } finally {
      taken.close();
    }
  });
});
