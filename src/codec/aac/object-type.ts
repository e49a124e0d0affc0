import type { BitReader } from '../../util/bit-reader.js';
import type { BitWriter } from '../../util/bit-writer.js';
import { InvalidArgError } from '../../util/errors.js';

/** MPEG-4 audio object types, ISO/IEC 14496-3:2009 1.6.2.2, Table 1.17 (Audio Object Types). */
export const AudioObjectType = Object.freeze({
  Null: 0,
  AacMain: 1,
  AacLc: 2,
  AacSsr: 3,
  AacLtp: 4,
  Sbr: 5,
  AacScalable: 6,
  TwinVq: 7,
  Celp: 8,
  Hvxc: 9,
  Ttsi: 12,
  MainSynthetic: 13,
  WavetableSynthesis: 14,
  GeneralMidi: 15,
  AlgorithmicSynthesis: 16,
  ErAacLc: 17,
  ErAacLtp: 19,
  ErAacScalable: 20,
  ErTwinVq: 21,
  ErBsac: 22,
  ErAacLd: 23,
  ErCelp: 24,
  ErHvxc: 25,
  ErHiln: 26,
  ErParametric: 27,
  Ssc: 28,
  Ps: 29,
  MpegSurround: 30,
  /** The 5-bit escape: the real type is 32 + the next 6 bits. */
  Escape: 31,
  Layer1: 32,
  Layer2: 33,
  Layer3: 34,
  Dst: 35,
  Als: 36,
  Sls: 37,
  SlsNonCore: 38,
  ErAacEld: 39,
  SmrSimple: 40,
  SmrMain: 41,
  Usac: 42,
  Saoc: 43,
  LdMpegSurround: 44,
});

const NAMES: ReadonlyMap<number, string> = new Map(
  Object.entries(AudioObjectType).map(([k, v]) => [v, k] as [number, string]),
);

/** A short name for messages, e.g. `AacLc (2)`; unknown values print as `type 18`. */
export function objectTypeName(aot: number): string {
  const n = NAMES.get(aot);
  return n === undefined ? `type ${aot}` : `${n} (${aot})`;
}

/**
 * Object types whose specific config is GASpecificConfig (ISO/IEC 14496-3:2009 1.6.2.1, the first
 * switch of AudioSpecificConfig): AAC Main/LC/SSR/LTP, Scalable, TwinVQ and their ER forms.
 * ER BSAC (22) also uses it but is not supported here.
 */
export function isGaObjectType(aot: number): boolean {
  return (
    (aot >= 1 && aot <= 4) || aot === 6 || aot === 7 || aot === 17 || (aot >= 19 && aot <= 21) || aot === 23
  );
}

/** Error-resilient object types (17..27, 39): their config carries epConfig. */
export function isErObjectType(aot: number): boolean {
  return (aot >= 17 && aot <= 27) || aot === 39;
}

/**
 * GetAudioObjectType(), ISO/IEC 14496-3:2009 1.6.2.1.1:
 *   audioObjectType   5 bits
 *   if (audioObjectType == 31) audioObjectTypeExt 6 bits; audioObjectType = 32 + audioObjectTypeExt
 */
export function readAudioObjectType(r: BitReader): number {
  const aot = r.readBits(5);
  return aot === AudioObjectType.Escape ? 32 + r.readBits(6) : aot;
}

/** The inverse of readAudioObjectType (0..30 in 5 bits, 32..95 as escape + 6 bits). */
export function writeAudioObjectType(w: BitWriter, aot: number): void {
  if (!Number.isInteger(aot) || aot < 0 || aot > 95 || aot === AudioObjectType.Escape) {
    throw new InvalidArgError(`aac: audio object type ${aot} cannot be coded`);
  }
  if (aot < 31) {
    w.writeBits(5, aot);
  } else {
    w.writeBits(5, AudioObjectType.Escape);
    w.writeBits(6, aot - 32);
  }
}
