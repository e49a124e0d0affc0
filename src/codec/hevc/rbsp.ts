import { BitReader } from '../../util/bit-reader.js';
import { ProtocolError, ShortBufferError } from '../../util/errors.js';
import { ebspToRbsp } from '../nal/emulation-prevention.js';
import { hevcNalUnitType } from './nal-unit-type.js';

/** Size of the HEVC NAL unit header (ITU-T H.265 section 7.3.1.2). */
export const HEVC_NAL_HEADER_SIZE = 2;

/**
 * Checks that `nal` (header included) has nal_unit_type `type` and returns a bit reader over its
 * RBSP (emulation prevention removed; a view when there was none). `what` prefixes errors.
 */
export function hevcRbspReader(nal: Uint8Array, type: number, what: string): BitReader {
  if (nal.length < HEVC_NAL_HEADER_SIZE) throw new ShortBufferError(what, HEVC_NAL_HEADER_SIZE, nal.length);
  const got = hevcNalUnitType(nal[0] as number);
  if (got !== type) throw new ProtocolError(`${what}: NAL unit type is ${got}, not ${type}`);
  return new BitReader(ebspToRbsp(nal.subarray(HEVC_NAL_HEADER_SIZE)), what);
}

/** Reads ue(v) and checks it against min..max (a ProtocolError naming `field` otherwise). */
export function readUeIn(r: BitReader, what: string, field: string, min: number, max: number): number {
  const v = r.readUE();
  if (v < min || v > max) throw new ProtocolError(`${what}: ${field} ${v} is outside ${min}..${max}`);
  return v;
}
