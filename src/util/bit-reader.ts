import { ProtocolError, ShortBufferError } from './errors.js';

/**
 * MSB-first bit reader with exp-Golomb (ISO/IEC 14496-10 section 9.1) ue(v)/se(v).
 * Reads past the end throw ShortBufferError naming `what`; an exp-Golomb code longer than 32 bits
 * is a ProtocolError (a valid stream never has one). Reads at most 32 bits at a time.
 */
export class BitReader {
  private readonly buf: Uint8Array;
  private readonly what: string;
  /** Bit position from the start of `buf`. */
  private bitPos = 0;
  private readonly bitEnd: number;

  constructor(buf: Uint8Array, what = 'bits') {
    this.buf = buf;
    this.what = what;
    this.bitEnd = buf.length * 8;
  }

  get bitsLeft(): number {
    return this.bitEnd - this.bitPos;
  }

  get position(): number {
    return this.bitPos;
  }

  private need(n: number): void {
    if (this.bitEnd - this.bitPos < n) {
      throw new ShortBufferError(this.what, Math.ceil((this.bitPos + n) / 8), this.buf.length);
    }
  }

  readBit(): number {
    this.need(1);
    const byte = this.buf[this.bitPos >>> 3] as number;
    const bit = (byte >>> (7 - (this.bitPos & 7))) & 1;
    this.bitPos++;
    return bit;
  }

  readFlag(): boolean {
    return this.readBit() === 1;
  }

  /** Reads `n` bits (0..32) as an unsigned number. */
  readBits(n: number): number {
    if (n < 0 || n > 32) throw new ProtocolError(`${this.what}: cannot read ${n} bits at once`);
    this.need(n);
    let v = 0;
    let left = n;
    while (left > 0) {
      const byte = this.buf[this.bitPos >>> 3] as number;
      const offset = this.bitPos & 7;
      const avail = 8 - offset;
      const take = Math.min(avail, left);
      const bits = (byte >>> (avail - take)) & ((1 << take) - 1);
      v = v * (1 << take) + bits;
      left -= take;
      this.bitPos += take;
    }
    return v;
  }

  skipBits(n: number): void {
    this.need(n);
    this.bitPos += n;
  }

  /** Unsigned exp-Golomb ue(v); values up to 2^32-2. */
  readUE(): number {
    let zeros = 0;
    while (this.readBit() === 0) {
      zeros++;
      if (zeros > 31) throw new ProtocolError(`${this.what}: exp-Golomb code longer than 32 bits`);
    }
    if (zeros === 0) return 0;
    return 2 ** zeros - 1 + this.readBits(zeros);
  }

  /** Signed exp-Golomb se(v). */
  readSE(): number {
    const k = this.readUE();
    return k % 2 === 1 ? (k + 1) / 2 : 0 - k / 2;
  }

  /** Advance to the next byte boundary. */
  alignByte(): void {
    const r = this.bitPos & 7;
    if (r !== 0) this.skipBits(8 - r);
  }
}
