import { ProtocolError } from '../../util/errors.js';
import { findStartCode } from './annex-b.js';
import { checkLengthSize, nextLengthPrefixed } from './length-prefixed.js';

/**
 * How the NAL units of an access unit are framed: `'annexb'` (start codes, ITU-T H.264/H.265
 * Annex B) or the byte size of the big-endian length in front of each unit (1, 2, 3 or 4;
 * ISO/IEC 14496-15, as in MP4 and FLV).
 */
export type NalFraming = 'annexb' | number;

/**
 * Visits the first two bytes of each NAL unit of an access unit, in order, until `visit` returns
 * true; `b1` is -1 for a one-byte unit. No copies and no per-byte callbacks: for Annex B only the
 * start codes are searched, and the search stops with the visit, so a caller that stops at the
 * first slice never scans the slice data.
 *
 * Annex B: bytes before the first start code are ignored, units that start with `00 00` (the zero
 * bytes before a 4-byte start code, or an empty unit) are skipped, data with no start code at all
 * is a ProtocolError. Length-prefixed: zero-length units are skipped, a length that runs past the
 * end is a ShortBufferError.
 */
export function scanNalHeaders(
  data: Uint8Array,
  framing: NalFraming,
  visit: (b0: number, b1: number) => boolean,
): void {
  const n = data.length;
  if (framing === 'annexb') {
    let sc = findStartCode(data, 0, n);
    if (sc < 0) {
      if (n > 0) throw new ProtocolError('nal: no Annex B start code in the access unit');
      return;
    }
    while (sc >= 0) {
      const h = sc + 3;
      if (h < n) {
        const b0 = data[h] as number;
        const b1 = h + 1 < n ? (data[h + 1] as number) : -1;
        if (!(b0 === 0 && b1 <= 0) && visit(b0, b1)) return;
      }
      sc = findStartCode(data, h, n);
    }
    return;
  }
  checkLengthSize(framing);
  let off = 0;
  while (off < n) {
    const next = nextLengthPrefixed(data, off, framing);
    const h = off + framing;
    if (next > h && visit(data[h] as number, next > h + 1 ? (data[h + 1] as number) : -1)) return;
    off = next;
  }
}
