import { putBe16, putBe24, putBe32, putBeF64, putLe32 } from './bele.js';

/**
 * A growable big-endian writer for packers. `finish()` returns a new Buffer the caller owns
 * (a view of the writer's storage trimmed to the written length; the writer must not be used after).
 */
export class ByteWriter {
  private buf: Buffer;
  private len = 0;

  constructor(initialCapacity = 256) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  get length(): number {
    return this.len;
  }

  private ensure(n: number): void {
    if (this.len + n <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < this.len + n) cap *= 2;
    const nb = Buffer.allocUnsafe(cap);
    this.buf.copy(nb, 0, 0, this.len);
    this.buf = nb;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.len++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    putBe16(this.buf, this.len, v);
    this.len += 2;
    return this;
  }

  u24(v: number): this {
    this.ensure(3);
    putBe24(this.buf, this.len, v);
    this.len += 3;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    putBe32(this.buf, this.len, v);
    this.len += 4;
    return this;
  }

  u32le(v: number): this {
    this.ensure(4);
    putLe32(this.buf, this.len, v);
    this.len += 4;
    return this;
  }

  f64(v: number): this {
    this.ensure(8);
    putBeF64(this.buf, this.len, v);
    this.len += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.len);
    this.len += b.length;
    return this;
  }

  /** Overwrite a big-endian u24 at an earlier offset (e.g. a length filled in after the body). */
  patchU24(off: number, v: number): void {
    putBe24(this.buf, off, v);
  }

  patchU32(off: number, v: number): void {
    putBe32(this.buf, off, v);
  }

  /** The written bytes; new, the caller owns them. */
  finish(): Buffer {
    return this.buf.subarray(0, this.len);
  }
}
