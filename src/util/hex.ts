/** Hex helpers for tests, golden bytes and log lines. */

/** Lower-case hex of `b`; with `sep`, bytes are separated by it. */
export function hex(b: Uint8Array, sep = ''): string {
  return Buffer.from(b.buffer, b.byteOffset, b.length)
    .toString('hex')
    .replace(/(..)(?!$)/g, sep ? `$1${sep}` : '$1');
}

/** Bytes from a hex string; spaces, newlines and `|` are ignored (for readable golden bytes). */
export function unhex(s: string): Buffer {
  return Buffer.from(s.replace(/[\s|]/g, ''), 'hex');
}
