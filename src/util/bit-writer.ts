import { InvalidArgError } from './errors.js';

/** MSB-first bit writer with exp-Golomb ue(v)/se(v), the inverse of BitReader. */
export class BitWriter {
  private bytes: number[] = [];
  private cur = 0;
  private nbits = 0;

  /** Writes the low `n` bits (0..32) of `v`. */
  writeBits(n: number, v: number): this {
    if (n < 0 || n > 32) throw new InvalidArgError(`bits: cannot write ${n} bits at once`);
    for (let i = n - 1; i >= 0; i--) {
      const bit = Math.floor(v / 2 ** i) % 2;
      this.cur = (this.cur << 1) | bit;
      this.nbits++;
      if (this.nbits === 8) {
        this.bytes.push(this.cur);
        this.cur = 0;
        this.nbits = 0;
      }
    }
    return this;
  }

  writeBit(b: number | boolean): this {
    return this.writeBits(1, b ? 1 : 0);
  }

  writeUE(v: number): this {
    if (v < 0 || !Number.isInteger(v) || v > 0xfffffffe)
      throw new InvalidArgError(`bits: ue(${v}) out of range`);
    const x = v + 1;
    const len = Math.floor(Math.log2(x));
    this.writeBits(len, 0);
    return this.writeBits(len + 1, x);
  }

  writeSE(v: number): this {
    return this.writeUE(v > 0 ? 2 * v - 1 : -2 * v);
  }

  /** Number of bits written so far. */
  get bitLength(): number {
    return this.bytes.length * 8 + this.nbits;
  }

  /** Pads with zero bits to a byte boundary and returns the bytes (new, caller owns). */
  finish(): Uint8Array {
    const out = this.bytes.slice();
    if (this.nbits > 0) out.push((this.cur << (8 - this.nbits)) & 0xff);
    return Uint8Array.from(out);
  }
}
