/**
 * A learner's stdout or stderr log with a cap. The program's output comes through a pipe; the
 * lab keeps the first LOG_HEAD_BYTES in the file as they arrive and the last LOG_TAIL_BYTES in
 * memory, and when the run ends writes a line saying how much was cut, then that tail. A
 * program that prints gigabytes (a log line in a tight loop) leaves at most head + tail on
 * disk and in memory: the disk stays safe, and the beginning (how it started) and the end
 * (how it crashed) are both still there to read.
 */
import { closeSync, openSync, readFileSync, readSync, writeSync } from 'node:fs';
import type { Readable } from 'node:stream';

const MiB = 1024 * 1024;
/** What a learner's log keeps of the start of its output. */
export const LOG_HEAD_BYTES = 4 * MiB;
/** What a learner's log keeps of the end of its output. */
export const LOG_TAIL_BYTES = 4 * MiB;

export class CappedLog {
  private readonly fd: number;
  /** Bytes in the file so far (the head). */
  private written = 0;
  /** Bytes the program wrote in all. */
  private total = 0;
  /** What came after the head, the newest last; the oldest chunks go once the rest fills the tail. */
  private tail: Buffer[] = [];
  private tailBytes = 0;
  private readonly streams = new Set<Readable>();
  private closed = false;

  constructor(
    readonly file: string,
    private readonly headBytes = LOG_HEAD_BYTES,
    private readonly tailCap = LOG_TAIL_BYTES,
  ) {
    this.fd = openSync(file, 'w+');
  }

  /** Reads `stream` (a copy's stdout or stderr) into the log until it ends; resolves then. */
  attach(stream: Readable): Promise<void> {
    this.streams.add(stream);
    stream.on('data', (chunk: Buffer) => this.write(chunk));
    return new Promise((resolve) => {
      const done = () => {
        this.streams.delete(stream);
        resolve();
      };
      stream.once('close', done);
      stream.once('error', done);
    });
  }

  write(data: Buffer): void {
    if (this.closed) return;
    let chunk = data;
    this.total += chunk.length;
    if (this.written < this.headBytes) {
      const head = chunk.subarray(0, this.headBytes - this.written);
      writeSync(this.fd, head, 0, head.length, this.written);
      this.written += head.length;
      chunk = chunk.subarray(head.length);
      if (chunk.length === 0) return;
    }
    this.tail.push(chunk);
    this.tailBytes += chunk.length;
    // Keep whole chunks while the newer ones alone do not fill the tail.
    while (this.tail.length > 1 && this.tailBytes - (this.tail[0]?.length ?? 0) >= this.tailCap) {
      this.tailBytes -= this.tail.shift()?.length ?? 0;
    }
  }

  /** Bytes the log leaves out (0 while everything fits). */
  get cut(): number {
    return Math.max(0, this.total - this.written - Math.min(this.tailBytes, this.tailCap));
  }

  /** The last `bytes` of the output as it stands (for "your program said ..." messages). */
  lastText(bytes = 64 * 1024): string {
    if (this.closed) return readFileSync(this.file).subarray(-bytes).toString('utf8');
    const tail = Buffer.concat(this.tail).subarray(-Math.min(this.tailCap, bytes));
    if (tail.length >= bytes || this.cut > 0 || this.written === 0) return tail.toString('utf8');
    const fromHead = Math.min(this.written, bytes - tail.length);
    const head = Buffer.alloc(fromHead);
    readSync(this.fd, head, 0, fromHead, this.written - fromHead);
    return Buffer.concat([head, tail]).toString('utf8');
  }

  /**
   * Waits (at most `waitMs`) for the pipes to end, then cuts off any writer still holding
   * one (a process that escaped the lab's kill), writes the tail, and closes the file.
   */
  async close(waitMs = 1_000): Promise<void> {
    if (this.closed) return;
    if (this.streams.size > 0) {
      const ended = Promise.all([...this.streams].map((s) => new Promise((resolve) => s.once('close', resolve))));
      let timer: NodeJS.Timeout | undefined;
      await Promise.race([ended, new Promise((resolve) => (timer = setTimeout(resolve, waitMs)))]);
      clearTimeout(timer);
      for (const stream of this.streams) stream.destroy();
    }
    const tail = Buffer.concat(this.tail).subarray(-this.tailCap);
    let at = this.written;
    if (this.cut > 0) {
      const note = Buffer.from(
        `\n\n[brokerlab: ${this.cut} bytes cut here. Your program wrote ${this.total} bytes; this log keeps the first ${this.headBytes / MiB} MiB and the last ${this.tailCap / MiB} MiB.]\n\n`,
      );
      at += writeSync(this.fd, note, 0, note.length, at);
    }
    writeSync(this.fd, tail, 0, tail.length, at);
    closeSync(this.fd);
    this.closed = true;
    this.tail = [];
  }
}
