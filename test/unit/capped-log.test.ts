// A learner's log keeps the start and the end of what the program wrote, and says how much
// it cut in between: the disk stays safe however much a program prints.
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { CappedLog } from '../../src/runner/capped-log.js';

const file = (): string => path.join(mkdtempSync(path.join(tmpdir(), 'brokerlab-log-')), 'learner-1.stderr.log');

describe('CappedLog', () => {
  it('keeps everything while it fits', async () => {
    const log = new CappedLog(file(), 10, 10);
    log.write(Buffer.from('hello '));
    log.write(Buffer.from('world\n'));
    expect(log.cut).toBe(0);
    expect(log.lastText()).toBe('hello world\n');
    await log.close();
    expect(readFileSync(log.file, 'utf8')).toBe('hello world\n');
  });

  it('keeps the head and the tail, and says what it cut', async () => {
    const log = new CappedLog(file(), 8, 8);
    for (let i = 0; i < 100; i++) log.write(Buffer.from(`line ${String(i).padStart(2, '0')}\n`));
    expect(log.cut).toBe(800 - 16);
    expect(log.lastText()).toBe('line 99\n');
    await log.close();
    const text = readFileSync(log.file, 'utf8');
    expect(text.startsWith('line 00\n')).toBe(true);
    expect(text.endsWith('\nline 99\n')).toBe(true);
    expect(text).toContain('[brokerlab: 784 bytes cut here. Your program wrote 800 bytes;');
    expect(text.length).toBeLessThan(16 + 200);
  });

  it('reads a stream until it ends, and cuts off one that does not end', async () => {
    const log = new CappedLog(file());
    const ended = new PassThrough();
    const held = new PassThrough();
    void log.attach(ended);
    void log.attach(held);
    ended.end('said before exiting\n');
    held.write('a helper that keeps the pipe\n');
    await log.close(50);
    expect(held.destroyed).toBe(true);
    expect(readFileSync(log.file, 'utf8')).toBe('said before exiting\na helper that keeps the pipe\n');
  });
});
