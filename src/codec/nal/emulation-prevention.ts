/*
 * Emulation prevention (ITU-T H.264 section 7.3.1 and 7.4.1, ITU-T H.265 section 7.3.1.1 and 7.4.2):
 *
 *   nal_unit(NumBytesInNalUnit) {
 *     nal_unit_header()
 *     for (i = header size; i < NumBytesInNalUnit; i++)
 *       if (i + 2 < NumBytesInNalUnit && next_bits(24) == 0x000003) {
 *         rbsp_byte[NumBytesInRbsp++]; rbsp_byte[NumBytesInRbsp++]   // two 0x00
 *         i += 2
 *         emulation_prevention_three_byte                             // f(8) = 0x03, dropped
 *       } else rbsp_byte[NumBytesInRbsp++]
 *   }
 *
 * Within the encapsulated bytes (EBSP) the sequences 00 00 00, 00 00 01, 00 00 02 never occur and
 * 00 00 03 always carries an emulation_prevention_three_byte. When the RBSP ends in 0x00 (a
 * cabac_zero_word, so two zero bytes), a final 0x03 is appended.
 */

/** Offset of the 0x03 of the first `00 00 03` in `buf` at or after `from`, or -1. */
function findEmulationByte(buf: Uint8Array, from: number): number {
  let i = from + 2;
  const end = buf.length;
  while (i < end) {
    const c = buf[i] as number;
    if (c > 3) {
      i += 3;
    } else if (c === 3) {
      if (buf[i - 1] === 0 && buf[i - 2] === 0) return i;
      i += 3;
    } else if (c === 0) {
      i++;
    } else {
      i += 3;
    }
  }
  return -1;
}

/**
 * Removes emulation_prevention_three_bytes. Returns `ebsp` itself (a view, no copy) when it holds
 * none, otherwise a new buffer. Works on a whole NAL unit too: a NAL unit header never contains
 * `00 00 03`.
 */
export function ebspToRbsp(ebsp: Uint8Array): Uint8Array {
  let at = findEmulationByte(ebsp, 0);
  if (at < 0) return ebsp;
  const out = new Uint8Array(ebsp.length - 1);
  let len = 0;
  let from = 0;
  while (at >= 0) {
    out.set(ebsp.subarray(from, at), len);
    len += at - from;
    from = at + 1;
    at = findEmulationByte(ebsp, from);
  }
  out.set(ebsp.subarray(from), len);
  len += ebsp.length - from;
  return out.subarray(0, len);
}

/**
 * Inserts emulation_prevention_three_bytes (the inverse of ebspToRbsp). Returns `rbsp` itself when
 * nothing needs escaping, otherwise a new buffer.
 */
export function rbspToEbsp(rbsp: Uint8Array): Uint8Array {
  const n = rbsp.length;
  let inserts = 0;
  let zeros = 0;
  for (let i = 0; i < n; i++) {
    const c = rbsp[i] as number;
    if (zeros >= 2 && c <= 3) {
      inserts++;
      zeros = 0;
    }
    zeros = c === 0 ? zeros + 1 : 0;
  }
  // A cabac_zero_word (00 00) at the very end gets a final 0x03.
  const endsInZeroWord = zeros >= 2;
  if (inserts === 0 && !endsInZeroWord) return rbsp;
  const out = new Uint8Array(n + inserts + (endsInZeroWord ? 1 : 0));
  let o = 0;
  zeros = 0;
  for (let i = 0; i < n; i++) {
    const c = rbsp[i] as number;
    if (zeros >= 2 && c <= 3) {
      out[o++] = 3;
      zeros = 0;
    }
    out[o++] = c;
    zeros = c === 0 ? zeros + 1 : 0;
  }
  if (endsInZeroWord) out[o] = 3;
  return out;
}
