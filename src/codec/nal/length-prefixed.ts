import { be16, be24, be32, putBe16, putBe24, putBe32 } from '../../util/bele.js';
import { InvalidArgError, LimitError, ShortBufferError } from '../../util/errors.js';

/*
 * Length-prefixed NAL units, the sample format of ISO/IEC 14496-15 (section 5.3.2 for AVC,
 * section 8.3.2 for HEVC), used in MP4 samples and FLV/RTMP video tags:
 *
 *   for (each NAL unit in the sample) {
 *     unsigned int((lengthSizeMinusOne + 1) * 8) NALUnitLength;
 *     bit(8 * NALUnitLength) NALUnit;
 *   }
 *
 * lengthSizeMinusOne comes from the decoder configuration record; the spec allows 1, 2 and 4 byte
 * lengths, 3 is accepted here as well since it is unambiguous.
 */

/** Throws InvalidArgError unless `lengthSize` is 1, 2, 3 or 4. */
export function checkLengthSize(lengthSize: number): void {
  if (lengthSize !== 1 && lengthSize !== 2 && lengthSize !== 3 && lengthSize !== 4) {
    throw new InvalidArgError(`nal: NAL unit length size must be 1, 2, 3 or 4, got ${lengthSize}`);
  }
}

/** Reads a `lengthSize`-byte big-endian length at `off` (the caller has checked the bounds). */
export function readNaluLength(buf: Uint8Array, off: number, lengthSize: number): number {
  switch (lengthSize) {
    case 1:
      return buf[off] as number;
    case 2:
      return be16(buf, off);
    case 3:
      return be24(buf, off);
    default:
      return be32(buf, off);
  }
}

/**
 * Offset just past the NAL unit whose length field is at `off`, checked against `buf.length`.
 * Throws ShortBufferError when the length field or the unit runs past the end.
 */
export function nextLengthPrefixed(buf: Uint8Array, off: number, lengthSize: number): number {
  const left = buf.length - off;
  if (left < lengthSize) throw new ShortBufferError('nal: NAL unit length field', lengthSize, left);
  const len = readNaluLength(buf, off, lengthSize);
  if (len > left - lengthSize) {
    throw new ShortBufferError('nal: length-prefixed NAL unit', len, left - lengthSize);
  }
  return off + lengthSize + len;
}

/**
 * Splits length-prefixed NAL units: views into `buf` (no copies), in order; zero-length units are
 * skipped. Throws ShortBufferError when a length runs past the end of `buf`.
 */
export function splitLengthPrefixed(buf: Uint8Array, lengthSize: number): Uint8Array[] {
  checkLengthSize(lengthSize);
  const out: Uint8Array[] = [];
  let off = 0;
  while (off < buf.length) {
    const next = nextLengthPrefixed(buf, off, lengthSize);
    if (next > off + lengthSize) out.push(buf.subarray(off + lengthSize, next));
    off = next;
  }
  return out;
}

/**
 * Iterates length-prefixed NAL units lazily: views into `buf`, zero-length units skipped. A length
 * that runs past the end throws ShortBufferError when the iteration reaches it.
 */
export function* iterateLengthPrefixed(buf: Uint8Array, lengthSize: number): Generator<Uint8Array, void> {
  checkLengthSize(lengthSize);
  let off = 0;
  while (off < buf.length) {
    const next = nextLengthPrefixed(buf, off, lengthSize);
    if (next > off + lengthSize) yield buf.subarray(off + lengthSize, next);
    off = next;
  }
}

/**
 * Packs NAL units with `lengthSize`-byte lengths (new, caller owns). Throws LimitError when a unit
 * is too long for the length field.
 */
export function packLengthPrefixed(nalus: readonly Uint8Array[], lengthSize = 4): Uint8Array {
  checkLengthSize(lengthSize);
  const max = 2 ** (8 * lengthSize) - 1;
  let total = 0;
  for (const nal of nalus) {
    if (nal.length > max)
      throw new LimitError(`nal: NAL unit length (${lengthSize}-byte field)`, nal.length, max);
    total += lengthSize + nal.length;
  }
  const out = new Uint8Array(total);
  let off = 0;
  for (const nal of nalus) {
    switch (lengthSize) {
      case 1:
        out[off] = nal.length;
        break;
      case 2:
        putBe16(out, off, nal.length);
        break;
      case 3:
        putBe24(out, off, nal.length);
        break;
      default:
        putBe32(out, off, nal.length);
    }
    out.set(nal, off + lengthSize);
    off += lengthSize + nal.length;
  }
  return out;
}
