import { be16, be24, be24s, be32, beF64, le32 } from './bele.js';
import { ShortBufferError } from './errors.js';

/**
 * A checked cursor over a byte view. Every read checks the length first and throws
 * ShortBufferError naming `what` (e.g. 'flv: tag header'), so a parser built on it never throws a
 * raw RangeError and never reads past its input. `bytes(n)` returns a view (no copy) valid as long
 * as the underlying buffer is.
 */
export class ByteReader {
  readonly buf: Uint8Array;
  pos: number;
  readonly end: number;
  readonly what: string;

  /** `what` prefixes error messages; `start`/`end` bound the readable range inside `buf`. */
  constructor(buf: Uint8Array, what: string, start = 0, end = buf.length) {
    this.buf = buf;
    this.pos = start;
    this.end = end;
    this.what = what;
  }

  get remaining(): number {
    return this.end - this.pos;
  }

  /** Throws ShortBufferError unless `n` more bytes are readable. */
  need(n: number, what = this.what): void {
    if (this.end - this.pos < n) throw new ShortBufferError(what, n, this.end - this.pos);
  }

  u8(): number {
    this.need(1);
    return this.buf[this.pos++] as number;
  }

  u16(): number {
    this.need(2);
    const v = be16(this.buf, this.pos);
    this.pos += 2;
    return v;
  }

  u24(): number {
    this.need(3);
    const v = be24(this.buf, this.pos);
    this.pos += 3;
    return v;
  }

  /** Signed 24-bit big-endian. */
  i24(): number {
    this.need(3);
    const v = be24s(this.buf, this.pos);
    this.pos += 3;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = be32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  u32le(): number {
    this.need(4);
    const v = le32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  f64(): number {
    this.need(8);
    const v = beF64(this.buf, this.pos);
    this.pos += 8;
    return v;
  }

  /** A view of the next `n` bytes (shared with the input, not a copy). */
  bytes(n: number, what = this.what): Uint8Array {
    this.need(n, what);
    const v = this.buf.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }

  /** A view of everything left. */
  rest(): Uint8Array {
    const v = this.buf.subarray(this.pos, this.end);
    this.pos = this.end;
    return v;
  }

  skip(n: number, what = this.what): void {
    this.need(n, what);
    this.pos += n;
  }

  peekU8(): number {
    this.need(1);
    return this.buf[this.pos] as number;
  }
}
