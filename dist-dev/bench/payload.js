/**
 * Bench messages: exactly `size` bytes of ASCII, starting with the message's sequence number
 * and a space, padded with dots ("42 ......"). ASCII because SQS bodies are text; the number
 * because the receiving side looks up each message's send time by it (a send-time table,
 * since producer and consumer share one clock in one process).
 */
/** Room for a 15-digit sequence number and its space. */
export const MIN_SIZE = 16;
export function makeTemplate(size) {
    return Buffer.alloc(size, '.');
}
/** A fresh buffer (clients may hold on to it until sent) with `seq` written at the start. */
export function makePayload(seq, template) {
    const payload = Buffer.from(template);
    payload.write(`${seq} `, 0, 'latin1');
    return payload;
}
/** The sequence number at the start of a received body, or undefined for a foreign message. */
export function seqOf(body) {
    let seq = 0;
    let digits = 0;
    for (let i = 0; i < body.length && i < MIN_SIZE; i++) {
        const code = typeof body === 'string' ? body.charCodeAt(i) : body[i];
        if (code === 0x20)
            return digits > 0 ? seq : undefined;
        if (code < 0x30 || code > 0x39)
            return undefined;
        seq = seq * 10 + (code - 0x30);
        digits++;
    }
    return undefined;
}
//# sourceMappingURL=payload.js.map