/**
 * The AMQP 0-9-1 handshake up to connection.open, by hand, to see the broker's exact answer.
 * amqplib reports a refused open only as "Expected ConnectionOpenOk; got <ConnectionClose>",
 * without the reply code and text that say why (ACCESS_REFUSED, NOT_ALLOWED, ...).
 */
import { connect } from 'node:net';

export type OpenResult = { ok: true } | { ok: false; code: number; text: string };

function frame(classId: number, methodId: number, args: Buffer): Buffer {
  const payload = Buffer.concat([u16(classId), u16(methodId), args]);
  const header = Buffer.alloc(7);
  header.writeUInt8(1, 0); // method frame
  header.writeUInt16BE(0, 1); // channel 0
  header.writeUInt32BE(payload.length, 3);
  return Buffer.concat([header, payload, Buffer.from([0xce])]);
}
const u16 = (n: number) => Buffer.from([n >> 8, n & 0xff]);
const u32 = (n: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
};
const shortstr = (s: string) => Buffer.concat([Buffer.from([Buffer.byteLength(s)]), Buffer.from(s)]);
const longstr = (s: string) => Buffer.concat([u32(Buffer.byteLength(s)), Buffer.from(s)]);

/** Opens `vhost` on amqp://user:pass@host:port and returns the broker's answer. */
export function amqpOpen(url: string, vhost: string): Promise<OpenResult> {
  const { hostname, port, username, password } = new URL(url);
  return new Promise((resolve, reject) => {
    const socket = connect({ host: hostname, port: Number(port || 5672) });
    let buffer = Buffer.alloc(0);
    const done = (result: OpenResult) => {
      socket.destroy();
      resolve(result);
    };
    socket.setTimeout(5_000, () => {
      socket.destroy();
      reject(new Error('AMQP handshake timed out'));
    });
    socket.on('error', (error) => resolve({ ok: false, code: 0, text: error.message }));
    socket.on('close', () => resolve({ ok: false, code: 0, text: 'connection closed without a reply' }));
    socket.on('connect', () => socket.write(Buffer.from('AMQP\x00\x00\x09\x01', 'latin1')));
    socket.on('data', (chunk: Buffer) => {
      buffer = Buffer.concat([buffer, chunk]);
      while (buffer.length >= 7 && buffer.length >= 8 + buffer.readUInt32BE(3)) {
        const type = buffer.readUInt8(0);
        const size = buffer.readUInt32BE(3);
        const payload = buffer.subarray(7, 7 + size);
        buffer = buffer.subarray(8 + size);
        if (type !== 1) continue; // heartbeats
        const method = `${payload.readUInt16BE(0)}.${payload.readUInt16BE(2)}`;
        if (method === '10.10') {
          // connection.start -> start-ok: no client properties, PLAIN login
          const login = `\0${decodeURIComponent(username)}\0${decodeURIComponent(password)}`;
          socket.write(frame(10, 11, Buffer.concat([u32(0), shortstr('PLAIN'), longstr(login), shortstr('en_US')])));
        } else if (method === '10.30') {
          // connection.tune -> tune-ok with the broker's values, then open the vhost
          socket.write(frame(10, 31, payload.subarray(4, 12)));
          socket.write(frame(10, 40, Buffer.concat([shortstr(vhost), shortstr(''), Buffer.from([0])])));
        } else if (method === '10.41') {
          done({ ok: true });
        } else if (method === '10.50') {
          const code = payload.readUInt16BE(4);
          const length = payload.readUInt8(6);
          done({ ok: false, code, text: payload.subarray(7, 7 + length).toString() });
        }
      }
    });
  });
}
