import { be24, putBe16, putBe24 } from '../../util/bele.js';
import type { ByteReader } from '../../util/byte-reader.js';
import { InvalidArgError, ProtocolError } from '../../util/errors.js';
import { ModExType } from './constants.js';

/** One E-RTMP ModEx (modifier extension) entry, in wire order. */
export interface ModEx {
  /** VideoPacketModExType / AudioPacketModExType (UB[4]); see ModExType. */
  type: number;
  /** modExData, 1..65536 bytes; in parse results a view of the input. */
  data: Uint8Array;
}

/** The ModEx packet type value, the same for audio and video. */
export const MOD_EX_PACKET_TYPE = 7;
/** The largest modExData (UI16 + 1). */
export const MOD_EX_MAX_DATA_SIZE = 0x10000;

/**
 * Reads a ModEx chain; the caller has read a packet type equal to ModEx and the reader stands after it.
 * Returns the entries and the packet type that ends the chain.
 *
 * Enhanced RTMP v2, "Enhanced Video"/"Enhanced Audio" (ExVideoTagHeader/ExAudioTagHeader):
 * ```
 * while (packetType == ModEx) {
 *   modExDataSize = UI8 + 1
 *   if (modExDataSize == 256) modExDataSize = UI16 + 1
 *   modExData     = UI8[modExDataSize]
 *   modExType     = UB[4]
 *   packetType    = UB[4]
 * }
 * ```
 * Each entry takes at least 3 bytes, so the loop is bounded by the input.
 */
export function readModExChain(r: ByteReader): { modEx: ModEx[]; packetType: number } {
  const modEx: ModEx[] = [];
  let packetType = MOD_EX_PACKET_TYPE;
  while (packetType === MOD_EX_PACKET_TYPE) {
    let size = r.u8() + 1;
    if (size === 256) size = r.u16() + 1;
    const data = r.bytes(size, `${r.what} ModEx data`);
    const b = r.u8();
    const type = b >> 4;
    if (type === ModExType.TimestampOffsetNano && size < 3) {
      throw new ProtocolError(`${r.what}: TimestampOffsetNano ModEx needs 3 bytes of data, got ${size}`);
    }
    modEx.push({ type, data });
    packetType = b & 0x0f;
  }
  return { modEx, packetType };
}

/** The TimestampOffsetNano value of a ModEx chain (the last one wins), or undefined when absent. */
export function timestampOffsetNanoOf(modEx: readonly ModEx[]): number | undefined {
  let v: number | undefined;
  for (const m of modEx) {
    if (m.type === ModExType.TimestampOffsetNano && m.data.length >= 3) v = be24(m.data, 0);
  }
  return v;
}

/** A TimestampOffsetNano ModEx entry (0..999999 ns), for packers. */
export function modExTimestampOffsetNano(nano: number): ModEx {
  if (!Number.isInteger(nano) || nano < 0 || nano > 999_999) {
    throw new InvalidArgError(`flv: TimestampOffsetNano ${nano} is not in 0..999999`);
  }
  const data = new Uint8Array(3);
  putBe24(data, 0, nano);
  return { type: ModExType.TimestampOffsetNano, data };
}

/** Bytes the ModEx entries take on the wire (each entry without the first packet-type nibble). */
export function modExByteLength(modEx: readonly ModEx[]): number {
  let n = 0;
  for (const m of modEx) {
    checkModEx(m);
    n += (m.data.length < 256 ? 1 : 3) + m.data.length + 1;
  }
  return n;
}

/**
 * Writes the ModEx entries at `off` (the caller has written packet type ModEx in the byte before) and
 * returns the new offset. The last entry's low nibble is `finalPacketType`.
 */
export function writeModExChain(
  out: Uint8Array,
  off: number,
  modEx: readonly ModEx[],
  finalPacketType: number,
): number {
  let p = off;
  for (let i = 0; i < modEx.length; i++) {
    const m = modEx[i] as ModEx;
    const size = m.data.length;
    if (size < 256) {
      out[p++] = size - 1;
    } else {
      out[p++] = 0xff;
      putBe16(out, p, size - 1);
      p += 2;
    }
    out.set(m.data, p);
    p += size;
    const next = i === modEx.length - 1 ? finalPacketType : MOD_EX_PACKET_TYPE;
    out[p++] = ((m.type & 0x0f) << 4) | next;
  }
  return p;
}

function checkModEx(m: ModEx): void {
  if (!Number.isInteger(m.type) || m.type < 0 || m.type > 15) {
    throw new InvalidArgError(`flv: ModEx type ${m.type} is not a UB[4]`);
  }
  if (m.data.length < 1 || m.data.length > MOD_EX_MAX_DATA_SIZE) {
    throw new InvalidArgError(`flv: ModEx data size ${m.data.length} is not in 1..${MOD_EX_MAX_DATA_SIZE}`);
  }
}
