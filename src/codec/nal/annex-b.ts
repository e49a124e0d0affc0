import { LimitError, ProtocolError } from '../../util/errors.js';

/*
 * Annex B byte stream format (ITU-T H.264 Annex B, ITU-T H.265 Annex B):
 *
 *   byte_stream_nal_unit() {
 *     while (next_bits(24) != 0x000001 && next_bits(32) != 0x00000001) leading_zero_8bits  // f(8) = 0x00
 *     if (next_bits(24) != 0x000001) zero_byte                                             // f(8) = 0x00
 *     start_code_prefix_one_3bytes                                                         // f(24) = 0x000001
 *     nal_unit(NumBytesInNalUnit)
 *     while (more_data_in_byte_stream() && next_bits(24) != 0x000001 && next_bits(32) != 0x00000001)
 *       trailing_zero_8bits                                                                // f(8) = 0x00
 *   }
 *
 * A 4-byte start code is a zero_byte followed by the 3-byte prefix, so scanning for 00 00 01 and
 * dropping the zero bytes that end the previous unit finds both. A NAL unit never ends in 0x00
 * (rbsp_trailing_bits ends in a 1 bit; a trailing cabac_zero_word is escaped as 00 00 03), so the
 * zero bytes in front of a start code never belong to the NAL unit before it.
 */

/** Default cap on one NAL unit buffered by AnnexBSplitter (a 4K intra frame is a few MiB). */
export const DEFAULT_MAX_NALU_SIZE = 32 * 1024 * 1024;

/**
 * Offset of the first byte of the next `00 00 01` in `buf[from, end)`, or -1.
 * Skips three bytes at a time over data that cannot hold a start code (no per-byte work there).
 */
export function findStartCode(buf: Uint8Array, from = 0, end = buf.length): number {
  let i = from + 2;
  while (i < end) {
    const c = buf[i] as number;
    if (c > 1) {
      i += 3;
    } else if (c === 1) {
      if (buf[i - 1] === 0 && buf[i - 2] === 0) return i - 2;
      i += 3;
    } else {
      i++;
    }
  }
  return -1;
}

/** True when `buf` starts with a 3- or 4-byte start code (`00 00 01` or `00 00 00 01`). */
export function startsWithStartCode(buf: Uint8Array): boolean {
  if (buf.length < 3 || buf[0] !== 0 || buf[1] !== 0) return false;
  if (buf[2] === 1) return true;
  return buf.length >= 4 && buf[2] === 0 && buf[3] === 1;
}

/** Options of AnnexBSplitter. */
export interface AnnexBSplitterOptions {
  /** Largest NAL unit (or run of bytes before the first start code) held across chunks. Default 32 MiB. */
  maxNaluSize?: number;
}

/**
 * Splits an Annex B byte stream fed in chunks of any size into NAL units (without start codes and
 * without the zero bytes around them). The same stream gives the same NAL units however it is cut.
 *
 * Ownership: `push` keeps views of its chunks until the NAL units in them are complete, so a chunk
 * must not be modified after it is pushed. A returned NAL unit is a view into a chunk when it lies
 * within one chunk, otherwise a new copy; either way it may be retained.
 *
 * Bytes before the first start code must be zero (leading_zero_8bits); anything else is a
 * ProtocolError, as is a stream with data but no start code at all (found by `flush`).
 */
export class AnnexBSplitter {
  private readonly maxNaluSize: number;
  /** Bytes of the current NAL unit seen so far (after its start code), as views of pushed chunks. */
  private parts: Uint8Array[] = [];
  private partsLen = 0;
  /** How many of the last bytes in `parts` are 0x00 (candidates for a start code or trailing zeros). */
  private tailZeros = 0;
  /** A start code has been seen: `parts` is a NAL unit, not leading bytes. */
  private started = false;

  constructor(options: AnnexBSplitterOptions = {}) {
    this.maxNaluSize = options.maxNaluSize ?? DEFAULT_MAX_NALU_SIZE;
  }

  /** Feeds the next chunk; returns the NAL units it completed (see the class note on ownership). */
  push(chunk: Uint8Array): Uint8Array[] {
    const out: Uint8Array[] = [];
    const n = chunk.length;
    if (n === 0) return out;
    let seg = 0;
    // A start code whose 0x01 is at chunk[0] or chunk[1] has zeros in the bytes already held.
    if (this.tailZeros >= 2 && chunk[0] === 1) {
      this.endUnit(out, chunk, 0, 0);
      seg = 1;
    } else if (this.tailZeros >= 1 && n >= 2 && chunk[0] === 0 && chunk[1] === 1) {
      this.endUnit(out, chunk, 0, 0);
      seg = 2;
    }
    let sc = findStartCode(chunk, seg, n);
    while (sc >= 0) {
      let e = sc;
      while (e > seg && chunk[e - 1] === 0) e--;
      this.endUnit(out, chunk, seg, e);
      seg = sc + 3;
      sc = findStartCode(chunk, seg, n);
    }
    if (seg < n) this.hold(chunk, seg, n);
    return out;
  }

  /** Ends the stream: returns the last NAL unit (if any) and resets the splitter for a new stream. */
  flush(): Uint8Array[] {
    const out: Uint8Array[] = [];
    const hadData = this.partsLen > this.tailZeros;
    if (this.started) {
      this.endUnit(out, undefined, 0, 0);
    } else if (hadData) {
      this.reset();
      throw new ProtocolError('nal: no Annex B start code in the stream');
    }
    this.reset();
    return out;
  }

  private reset(): void {
    this.parts = [];
    this.partsLen = 0;
    this.tailZeros = 0;
    this.started = false;
  }

  /** Appends chunk[from, to) (to > from) to the current unit. */
  private hold(chunk: Uint8Array, from: number, to: number): void {
    let z = 0;
    while (to - z > from && chunk[to - z - 1] === 0) z++;
    this.tailZeros = z === to - from ? this.tailZeros + z : z;
    this.partsLen += to - from;
    if (this.partsLen > this.maxNaluSize) {
      const len = this.partsLen;
      this.reset();
      throw new LimitError('nal: Annex B NAL unit size', len, this.maxNaluSize);
    }
    this.parts.push(chunk.subarray(from, to));
  }

  /**
   * Completes the current unit with chunk[from, to), where `to` already excludes the zeros before
   * the start code; when that range is empty, the zeros at the end of the held bytes are dropped.
   */
  private endUnit(out: Uint8Array[], chunk: Uint8Array | undefined, from: number, to: number): void {
    const extra = chunk === undefined ? 0 : to - from;
    const heldLen = extra > 0 ? this.partsLen : this.partsLen - this.tailZeros;
    const total = heldLen + extra;
    if (!this.started) {
      if (total > 0) {
        this.reset();
        throw new ProtocolError(`nal: ${total} non-zero bytes before the first Annex B start code`);
      }
    } else if (total > 0) {
      if (heldLen === 0 && chunk !== undefined) {
        out.push(chunk.subarray(from, to));
      } else if (extra === 0 && this.parts.length === 1) {
        out.push((this.parts[0] as Uint8Array).subarray(0, heldLen));
      } else {
        const nal = new Uint8Array(total);
        let off = 0;
        for (const p of this.parts) {
          const take = Math.min(p.length, heldLen - off);
          if (take <= 0) break;
          nal.set(take === p.length ? p : p.subarray(0, take), off);
          off += take;
        }
        if (chunk !== undefined && extra > 0) nal.set(chunk.subarray(from, to), off);
        out.push(nal);
      }
    }
    this.parts = [];
    this.partsLen = 0;
    this.tailZeros = 0;
    this.started = true;
  }
}

/**
 * Splits a whole Annex B buffer into NAL units: views into `buf` (no copies), in order, without
 * start codes or surrounding zero bytes; empty units are skipped. An empty buffer gives [].
 * Throws ProtocolError when `buf` has data but no start code, or non-zero bytes before the first one.
 */
export function splitAnnexB(buf: Uint8Array): Uint8Array[] {
  const s = new AnnexBSplitter({ maxNaluSize: Number.MAX_SAFE_INTEGER });
  const out = s.push(buf);
  for (const nal of s.flush()) out.push(nal);
  return out;
}

/** Packs NAL units into an Annex B buffer with 4-byte start codes (new, caller owns). */
export function packAnnexB(nalus: readonly Uint8Array[]): Uint8Array {
  let total = 0;
  for (const nal of nalus) total += 4 + nal.length;
  const out = new Uint8Array(total);
  let off = 0;
  for (const nal of nalus) {
    out[off + 3] = 1;
    out.set(nal, off + 4);
    off += 4 + nal.length;
  }
  return out;
}
