import { ShortBufferError } from './errors.js';

/**
 * A FIFO of byte chunks for stream parsers (a socket or a file read in arbitrary pieces).
 *
 * `push` retains the chunk as is (shared: the caller must not mutate it afterwards; socket and
 * file-stream chunks are fresh buffers, so this holds). `read(n)`/`peek(n)` return a view into the
 * first chunk when the n bytes lie inside it and copy only when they cross a chunk boundary. A view
 * stays valid after it is consumed: the queue never writes into pushed chunks.
 */
const EMPTY = new Uint8Array(0);

export class ByteQueue {
  private chunks: Uint8Array[] = [];
  /** Index of the first live chunk in `chunks`. */
  private head = 0;
  /**
   * One past the last live chunk. Slots from here on are spare (EMPTY): the array is reused rather
   * than truncated, since setting an array's length is a runtime call and the queue empties after
   * nearly every socket read.
   */
  private end = 0;
  /** Read offset inside chunks[head]. */
  private offset = 0;
  private len = 0;

  /** Bytes available. */
  get length(): number {
    return this.len;
  }

  push(chunk: Uint8Array): void {
    if (chunk.length === 0) return;
    if (this.end < this.chunks.length) this.chunks[this.end] = chunk;
    else this.chunks.push(chunk);
    this.end++;
    this.len += chunk.length;
  }

  /** The byte at `i` positions from the read point (0 <= i < length). */
  peekU8(i: number): number {
    if (i < 0 || i >= this.len) throw new ShortBufferError('queue', i + 1, this.len);
    let idx = this.head;
    let pos = this.offset + i;
    for (;;) {
      const c = this.chunks[idx] as Uint8Array;
      if (pos < c.length) return c[pos] as number;
      pos -= c.length;
      idx++;
    }
  }

  /** Big-endian unsigned integer of `n` (1..4) bytes at offset `i`. */
  peekUIntBE(i: number, n: number): number {
    if (i + n > this.len) throw new ShortBufferError('queue', i + n, this.len);
    const c = this.chunks[this.head] as Uint8Array;
    const p = this.offset + i;
    let v = 0;
    if (p + n <= c.length) {
      for (let k = 0; k < n; k++) v = v * 256 + (c[p + k] as number);
      return v;
    }
    for (let k = 0; k < n; k++) v = v * 256 + this.peekU8(i + k);
    return v;
  }

  /** The next `n` bytes without consuming them: a view when contiguous, else a new copy. */
  peek(n: number): Uint8Array {
    if (n > this.len) throw new ShortBufferError('queue', n, this.len);
    if (n === 0) return new Uint8Array(0);
    const c = this.chunks[this.head] as Uint8Array;
    if (this.offset + n <= c.length) return c.subarray(this.offset, this.offset + n);
    const out = Buffer.allocUnsafe(n);
    let idx = this.head;
    let pos = this.offset;
    let filled = 0;
    while (filled < n) {
      const cc = this.chunks[idx] as Uint8Array;
      const take = Math.min(cc.length - pos, n - filled);
      out.set(cc.subarray(pos, pos + take), filled);
      filled += take;
      idx++;
      pos = 0;
    }
    return out;
  }

  /** Consumes and returns the next `n` bytes: a view when contiguous, else a new copy. */
  read(n: number): Uint8Array {
    const v = this.peek(n);
    this.skip(n);
    return v;
  }

  /** Drops the next `n` bytes. Fully consumed chunks are released at once. */
  skip(n: number): void {
    if (n > this.len) throw new ShortBufferError('queue', n, this.len);
    this.len -= n;
    let left = n;
    while (left > 0) {
      const c = this.chunks[this.head] as Uint8Array;
      const avail = c.length - this.offset;
      if (left < avail) {
        this.offset += left;
        break;
      }
      left -= avail;
      this.chunks[this.head] = EMPTY;
      this.head++;
      this.offset = 0;
    }
    if (this.len === 0) {
      // Every consumed slot was set to EMPTY above: nothing is kept alive.
      this.head = 0;
      this.end = 0;
      this.offset = 0;
    } else if (this.head > 64 && this.head * 2 > this.end) {
      // Compact the slot list now and then so it does not grow without bound.
      this.chunks = this.chunks.slice(this.head, this.end);
      this.end -= this.head;
      this.head = 0;
    }
  }

  /** Drops everything. */
  clear(): void {
    this.chunks = [];
    this.head = 0;
    this.end = 0;
    this.offset = 0;
    this.len = 0;
  }
}
