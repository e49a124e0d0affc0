import { BitReader } from '../../util/bit-reader.js';
import { BitWriter } from '../../util/bit-writer.js';
import { InvalidArgError, ProtocolError, ShortBufferError, UnsupportedError } from '../../util/errors.js';
import {
  AudioObjectType,
  isErObjectType,
  isGaObjectType,
  objectTypeName,
  readAudioObjectType,
  writeAudioObjectType,
} from './object-type.js';
import {
  type ProgramConfigElement,
  pceChannelCount,
  readProgramConfigElement,
  writeProgramConfigElement,
} from './program-config-element.js';
import {
  AAC_CHANNEL_COUNTS,
  AAC_EXPLICIT_FREQUENCY_INDEX,
  AAC_SAMPLE_RATES,
  isReservedChannelConfiguration,
  samplingFrequencyIndexOf,
} from './sampling.js';

const WHAT = 'aac: AudioSpecificConfig';

/** syncExtensionType announcing an SBR extension after the core config (backward-compatible signalling). */
export const SYNC_EXTENSION_SBR = 0x2b7;
/** syncExtensionType announcing a PS extension after the SBR extension. */
export const SYNC_EXTENSION_PS = 0x548;

/**
 * How HE-AAC (SBR, and PS for HE-AAC v2) is signalled in the config, ISO/IEC 14496-3:2009 1.6.5
 * (signaling of SBR) and 1.6.6 (signaling of PS):
 * - `hierarchical` ("explicit hierarchical"): the config starts with object type 5 (SBR) or 29 (PS),
 *   then extensionSamplingFrequencyIndex and the underlying object type. Common from FDK-AAC based
 *   encoders in MP4/FLV; decoders that only know AAC LC reject it.
 * - `backward-compatible` ("explicit backward-compatible"): a plain AAC LC config followed by
 *   syncExtensionType 0x2b7, extensionAudioObjectType 5, sbrPresentFlag [, extension frequency
 *   [, 0x548 psPresentFlag]]. ffmpeg's native encoder writes it with sbrPresentFlag 0 (saying
 *   "no SBR"); HE-AAC encoders write it with 1, and LC-only decoders ignore it.
 * A config with neither leaves SBR/PS to implicit signalling (the decoder finds SBR data in the
 * stream), which is also all that ADTS can do.
 */
export type SbrSignalling = 'hierarchical' | 'backward-compatible';

/** A bit string: `bitLength` bits, MSB first, left-aligned in `bytes` (the last byte zero-padded). */
export interface BitString {
  bitLength: number;
  bytes: Uint8Array;
}

/** The ER tool flags of GASpecificConfig (object types 17, 19, 20, 23 with extensionFlag set). */
export interface AacResilienceFlags {
  sectionData: boolean;
  scalefactorData: boolean;
  spectralData: boolean;
}

/**
 * A parsed AudioSpecificConfig with a GASpecificConfig (AAC and its relatives). Fields marked
 * "absent when ..." are left out of the object rather than set to undefined, so a parsed config
 * compares equal to one built by hand with the same content.
 */
export interface AudioSpecificConfig {
  /**
   * The core audio object type (AudioObjectType, Table 1.17): 2 for AAC LC. With hierarchical
   * SBR/PS signalling this is the underlying type that follows 5/29, so HE-AAC reports 2 here and
   * `sbr: true`.
   */
  objectType: number;
  /** 0..12, or 15 (AAC_EXPLICIT_FREQUENCY_INDEX) when the frequency is coded explicitly. */
  samplingFrequencyIndex: number;
  /** The core sampling frequency in Hz (for HE-AAC half the output rate, see extensionSampleRate). */
  sampleRate: number;
  /** channelConfiguration (Table 1.19); 0 means the layout is in `programConfig`. */
  channelConfiguration: number;
  /**
   * Output channels: from channelConfiguration, or counted from the program config element; 2 when
   * PS is signalled on a mono core (HE-AAC v2). Not used by the packer.
   */
  channels: number;
  /** Samples per core frame: frameLengthFlag 0 -> 1024, 1 -> 960 (SBR doubles the output frame). */
  frameLength: 1024 | 960;
  dependsOnCoreCoder: boolean;
  /** coreCoderDelay (14 bits); present exactly when dependsOnCoreCoder. */
  coreCoderDelay?: number;
  extensionFlag: boolean;
  /** program_config_element; present exactly when channelConfiguration is 0. */
  programConfig?: ProgramConfigElement;
  /** layerNr (3 bits); present for object types 6 and 20. */
  layerNr?: number;
  /** Present for object types 17, 19, 20, 23 when extensionFlag is set. */
  resilience?: AacResilienceFlags;
  /** extensionFlag3; present when extensionFlag is set. */
  extensionFlag3?: boolean;
  /** epConfig (2 bits); present for error-resilient object types. Only 0 and 1 are supported. */
  epConfig?: number;
  /** SBR signalled present (true) or absent (false); absent when the config does not say. */
  sbr?: boolean;
  /** PS signalled present (true) or absent (false); absent when the config does not say. */
  ps?: boolean;
  /** How sbr/ps were signalled; absent when neither was. */
  sbrSignalling?: SbrSignalling;
  /** extensionSamplingFrequencyIndex; present when `sbr` is true. */
  extensionSamplingFrequencyIndex?: number;
  /** The output (SBR) sampling frequency in Hz; present when `sbr` is true. */
  extensionSampleRate?: number;
  /**
   * Bits after the last field this parser understands that are not plain zero padding (an
   * unrecognised extension, trailing bytes). Kept so that pack(parse(x)) reproduces x exactly.
   */
  trailingBits?: BitString;
}

interface Frequency {
  index: number;
  hz: number;
}

function readFrequency(r: BitReader, name: string): Frequency {
  const index = r.readBits(4);
  if (index === AAC_EXPLICIT_FREQUENCY_INDEX) {
    const hz = r.readBits(24);
    if (hz === 0) throw new ProtocolError(`aac: explicit ${name} frequency is 0`);
    return { index, hz };
  }
  const hz = AAC_SAMPLE_RATES[index];
  if (hz === undefined) throw new ProtocolError(`aac: ${name} ${index} is reserved`);
  return { index, hz };
}

function writeFrequency(w: BitWriter, name: string, index: number | undefined, hz: number | undefined): void {
  if (index === AAC_EXPLICIT_FREQUENCY_INDEX) {
    if (hz === undefined || !Number.isInteger(hz) || hz < 1 || hz > 0xffffff) {
      throw new InvalidArgError(`aac: explicit ${name} frequency ${hz} is not in 1..16777215`);
    }
    w.writeBits(4, index);
    w.writeBits(24, hz);
    return;
  }
  const table = index === undefined ? undefined : AAC_SAMPLE_RATES[index];
  if (index === undefined || table === undefined) {
    throw new InvalidArgError(`aac: ${name} ${index} is not 0..12 or 15`);
  }
  if (hz !== table) {
    throw new InvalidArgError(`aac: ${name} ${index} is ${table} Hz, not ${hz}`);
  }
  w.writeBits(4, index);
}

/** The next `n` bits at the reader's position without consuming them (null if fewer are left). */
function peekBits(buf: Uint8Array, r: BitReader, n: number): number | null {
  if (r.bitsLeft < n) return null;
  const p = new BitReader(buf, WHAT);
  p.skipBits(r.position);
  return p.readBits(n);
}

function readBitString(r: BitReader): BitString {
  const bitLength = r.bitsLeft;
  const w = new BitWriter();
  let left = bitLength;
  while (left > 0) {
    const n = Math.min(32, left);
    w.writeBits(n, r.readBits(n));
    left -= n;
  }
  return { bitLength, bytes: w.finish() };
}

function writeBitString(w: BitWriter, s: BitString): void {
  if (!Number.isInteger(s.bitLength) || s.bitLength < 0 || s.bitLength > s.bytes.length * 8) {
    throw new InvalidArgError(`aac: trailing bit string of ${s.bitLength} bits in ${s.bytes.length} bytes`);
  }
  const r = new BitReader(s.bytes, 'aac: trailing bits');
  let left = s.bitLength;
  while (left > 0) {
    const n = Math.min(32, left);
    w.writeBits(n, r.readBits(n));
    left -= n;
  }
}

/**
 * AudioSpecificConfig(), ISO/IEC 14496-3:2009 1.6.2.1 (Table 1.15), with GASpecificConfig(),
 * 4.4.1 (Table 4.1), and the SBR/PS signalling of 1.6.5 / 1.6.6:
 *
 *   audioObjectType                 5 (31 -> 32 + 6 more bits, GetAudioObjectType 1.6.2.1.1)
 *   samplingFrequencyIndex          4 (15 -> samplingFrequency 24)
 *   channelConfiguration            4
 *   if (audioObjectType == 5 || audioObjectType == 29) {          explicit hierarchical SBR/PS
 *     extensionSamplingFrequencyIndex 4 (15 -> extensionSamplingFrequency 24)
 *     audioObjectType               5 (+6)   the underlying core type
 *   }
 *   GASpecificConfig:
 *     frameLengthFlag 1, dependsOnCoreCoder 1 [coreCoderDelay 14], extensionFlag 1,
 *     if (!channelConfiguration) program_config_element(),
 *     if (audioObjectType == 6 || == 20) layerNr 3,
 *     if (extensionFlag) { [17,19,20,23: section/scalefactor/spectral resilience flags 1+1+1]
 *                          extensionFlag3 1 }
 *   if (error resilient type) epConfig 2
 *   if (not hierarchical && bits left >= 16) {                     explicit backward-compatible
 *     syncExtensionType 11 (0x2b7), extensionAudioObjectType 5 (== 5), sbrPresentFlag 1,
 *     if (sbrPresentFlag) { extensionSamplingFrequencyIndex 4 (15 -> 24 more),
 *       if (bits left >= 12) { syncExtensionType 11 (0x548), psPresentFlag 1 } }
 *   }
 *
 * Supports the object types with a GASpecificConfig except ER BSAC; others throw
 * UnsupportedError, as does epConfig 2/3 (ErrorProtectionSpecificConfig). A sync extension other
 * than the SBR one, and any bits left that are not zero padding, are kept in `trailingBits`.
 * Views: `programConfig.comment` is a view into `buf`; everything else is copied out.
 */
export function parseAudioSpecificConfig(buf: Uint8Array): AudioSpecificConfig {
  if (buf.length < 2) throw new ShortBufferError(WHAT, 2, buf.length);
  const r = new BitReader(buf, WHAT);
  let objectType = readAudioObjectType(r);
  const core = readFrequency(r, 'samplingFrequencyIndex');
  const channelConfiguration = r.readBits(4);
  if (isReservedChannelConfiguration(channelConfiguration)) {
    throw new ProtocolError(`aac: channelConfiguration ${channelConfiguration} is reserved`);
  }
  let sbrSignalling: SbrSignalling | undefined;
  let sbr: boolean | undefined;
  let ps: boolean | undefined;
  let ext: Frequency | undefined;
  if (objectType === AudioObjectType.Sbr || objectType === AudioObjectType.Ps) {
    sbrSignalling = 'hierarchical';
    sbr = true;
    if (objectType === AudioObjectType.Ps) ps = true;
    ext = readFrequency(r, 'extensionSamplingFrequencyIndex');
    objectType = readAudioObjectType(r);
  }
  if (!isGaObjectType(objectType)) {
    throw new UnsupportedError(`aac: audio object type ${objectTypeName(objectType)} is not supported`);
  }

  const frameLength = r.readFlag() ? 960 : 1024;
  const dependsOnCoreCoder = r.readFlag();
  const coreCoderDelay = dependsOnCoreCoder ? r.readBits(14) : undefined;
  const extensionFlag = r.readFlag();
  const asc: AudioSpecificConfig = {
    objectType,
    samplingFrequencyIndex: core.index,
    sampleRate: core.hz,
    channelConfiguration,
    channels: AAC_CHANNEL_COUNTS[channelConfiguration] ?? 0,
    frameLength,
    dependsOnCoreCoder,
    extensionFlag,
  };
  if (coreCoderDelay !== undefined) asc.coreCoderDelay = coreCoderDelay;
  if (channelConfiguration === 0) {
    asc.programConfig = readProgramConfigElement(r, buf);
    asc.channels = pceChannelCount(asc.programConfig);
  }
  if (objectType === AudioObjectType.AacScalable || objectType === AudioObjectType.ErAacScalable) {
    asc.layerNr = r.readBits(3);
  }
  if (extensionFlag) {
    if (hasResilienceFlags(objectType)) {
      asc.resilience = {
        sectionData: r.readFlag(),
        scalefactorData: r.readFlag(),
        spectralData: r.readFlag(),
      };
    }
    asc.extensionFlag3 = r.readFlag();
  }
  if (isErObjectType(objectType)) {
    const epConfig = r.readBits(2);
    if (epConfig > 1) {
      throw new UnsupportedError(
        `aac: epConfig ${epConfig} (ErrorProtectionSpecificConfig) is not supported`,
      );
    }
    asc.epConfig = epConfig;
  }

  if (sbrSignalling === undefined) {
    const sync = peekBits(buf, r, 16);
    if (sync !== null && sync >>> 5 === SYNC_EXTENSION_SBR && (sync & 0x1f) === AudioObjectType.Sbr) {
      r.skipBits(16);
      sbrSignalling = 'backward-compatible';
      sbr = r.readFlag();
      if (sbr) {
        ext = readFrequency(r, 'extensionSamplingFrequencyIndex');
        if (peekBits(buf, r, 12) !== null && peekBits(buf, r, 11) === SYNC_EXTENSION_PS) {
          r.skipBits(11);
          ps = r.readFlag();
        }
      }
    }
  }
  if (sbr !== undefined) asc.sbr = sbr;
  if (ps !== undefined) asc.ps = ps;
  if (sbrSignalling !== undefined) asc.sbrSignalling = sbrSignalling;
  if (ext !== undefined) {
    asc.extensionSamplingFrequencyIndex = ext.index;
    asc.extensionSampleRate = ext.hz;
  }
  if (ps === true && asc.channels === 1) asc.channels = 2;

  const left = r.bitsLeft;
  if (left >= 8 || (left > 0 && peekBits(buf, r, left) !== 0)) asc.trailingBits = readBitString(r);
  return asc;
}

function hasResilienceFlags(aot: number): boolean {
  return (
    aot === AudioObjectType.ErAacLc ||
    aot === AudioObjectType.ErAacLtp ||
    aot === AudioObjectType.ErAacScalable ||
    aot === AudioObjectType.ErAacLd
  );
}

/**
 * The inverse of parseAudioSpecificConfig: writes the fields in the layout documented there and
 * pads with zero bits to a byte boundary. `channels` is ignored (it is derived). Returns new bytes
 * the caller owns. Throws InvalidArgError for a config that cannot be coded (a field out of range,
 * a sampleRate that disagrees with its index, SBR/PS fields without a signalling mode).
 */
export function packAudioSpecificConfig(asc: AudioSpecificConfig): Uint8Array {
  const aot = asc.objectType;
  if (!isGaObjectType(aot)) {
    throw new InvalidArgError(`aac: cannot pack audio object type ${objectTypeName(aot)}`);
  }
  const cc = asc.channelConfiguration;
  if (isReservedChannelConfiguration(cc)) {
    throw new InvalidArgError(`aac: channelConfiguration ${cc} is reserved`);
  }
  if ((cc === 0) !== (asc.programConfig !== undefined)) {
    throw new InvalidArgError(
      'aac: a program_config_element goes with channelConfiguration 0, and only then',
    );
  }
  const signalling = asc.sbrSignalling;
  if (signalling === undefined && (asc.sbr !== undefined || asc.ps !== undefined)) {
    throw new InvalidArgError('aac: sbr/ps set without sbrSignalling');
  }
  if (signalling === 'hierarchical' && asc.sbr !== true) {
    throw new InvalidArgError('aac: hierarchical signalling means sbr: true');
  }
  if (signalling === 'backward-compatible' && asc.sbr === undefined) {
    throw new InvalidArgError('aac: backward-compatible signalling needs sbr: true or false');
  }
  if (asc.ps !== undefined && asc.sbr !== true) {
    throw new InvalidArgError('aac: PS is signalled only together with SBR');
  }
  if (signalling === 'hierarchical' && asc.ps === false) {
    throw new InvalidArgError('aac: hierarchical signalling cannot say ps: false (leave ps out)');
  }

  const w = new BitWriter();
  if (signalling === 'hierarchical') {
    writeAudioObjectType(w, asc.ps === true ? AudioObjectType.Ps : AudioObjectType.Sbr);
  } else {
    writeAudioObjectType(w, aot);
  }
  writeFrequency(w, 'samplingFrequencyIndex', asc.samplingFrequencyIndex, asc.sampleRate);
  w.writeBits(4, cc);
  if (signalling === 'hierarchical') {
    writeFrequency(
      w,
      'extensionSamplingFrequencyIndex',
      asc.extensionSamplingFrequencyIndex,
      asc.extensionSampleRate,
    );
    writeAudioObjectType(w, aot);
  }

  if (asc.frameLength !== 1024 && asc.frameLength !== 960) {
    throw new InvalidArgError(`aac: frameLength ${asc.frameLength} is not 1024 or 960`);
  }
  w.writeBit(asc.frameLength === 960);
  w.writeBit(asc.dependsOnCoreCoder);
  if (asc.dependsOnCoreCoder) {
    const d = asc.coreCoderDelay;
    if (d === undefined || !Number.isInteger(d) || d < 0 || d > 0x3fff) {
      throw new InvalidArgError(`aac: coreCoderDelay ${d} is not in 0..16383`);
    }
    w.writeBits(14, d);
  }
  w.writeBit(asc.extensionFlag);
  if (asc.programConfig !== undefined) writeProgramConfigElement(w, asc.programConfig);
  if (aot === AudioObjectType.AacScalable || aot === AudioObjectType.ErAacScalable) {
    const n = asc.layerNr ?? 0;
    if (!Number.isInteger(n) || n < 0 || n > 7) throw new InvalidArgError(`aac: layerNr ${n} is not in 0..7`);
    w.writeBits(3, n);
  }
  if (asc.extensionFlag) {
    if (hasResilienceFlags(aot)) {
      const f = asc.resilience;
      w.writeBit(f?.sectionData ?? false);
      w.writeBit(f?.scalefactorData ?? false);
      w.writeBit(f?.spectralData ?? false);
    }
    w.writeBit(asc.extensionFlag3 ?? false);
  }
  if (isErObjectType(aot)) {
    const ep = asc.epConfig ?? 0;
    if (ep !== 0 && ep !== 1) throw new InvalidArgError(`aac: epConfig ${ep} is not supported`);
    w.writeBits(2, ep);
  }

  if (signalling === 'backward-compatible') {
    w.writeBits(11, SYNC_EXTENSION_SBR);
    writeAudioObjectType(w, AudioObjectType.Sbr);
    w.writeBit(asc.sbr === true);
    if (asc.sbr === true) {
      writeFrequency(
        w,
        'extensionSamplingFrequencyIndex',
        asc.extensionSamplingFrequencyIndex,
        asc.extensionSampleRate,
      );
      if (asc.ps !== undefined) {
        w.writeBits(11, SYNC_EXTENSION_PS);
        w.writeBit(asc.ps);
      }
    }
  }
  if (asc.trailingBits !== undefined) writeBitString(w, asc.trailingBits);
  return w.finish();
}

/** Options for makeAudioSpecificConfig. */
export interface AudioSpecificConfigOptions {
  /** Core audio object type. Default 2 (AAC LC). */
  objectType?: number;
  /** Core sampling frequency in Hz: a table index when it is in Table 1.18, else coded explicitly. */
  sampleRate: number;
  /** channelConfiguration, 1..7 or 11..14 (0 needs a PCE: build the object by hand). Default 2. */
  channelConfiguration?: number;
  /** Samples per core frame. Default 1024. */
  frameLength?: 1024 | 960;
  /**
   * HE-AAC: signal SBR, and PS with `ps: true` (HE-AAC v2, on a mono core). The output rate
   * `extensionSampleRate` defaults to twice sampleRate. Default: no SBR/PS signalling.
   */
  sbr?: { signalling: SbrSignalling; ps?: boolean; extensionSampleRate?: number };
}

/**
 * A complete AudioSpecificConfig for the common cases (AAC LC, HE-AAC v1/v2), ready for
 * packAudioSpecificConfig. Throws InvalidArgError for values that cannot be coded.
 */
export function makeAudioSpecificConfig(o: AudioSpecificConfigOptions): AudioSpecificConfig {
  const objectType = o.objectType ?? AudioObjectType.AacLc;
  const cc = o.channelConfiguration ?? 2;
  if (cc === 0 || isReservedChannelConfiguration(cc)) {
    throw new InvalidArgError(
      `aac: channelConfiguration ${cc} needs a program config element or is reserved`,
    );
  }
  const asc: AudioSpecificConfig = {
    objectType,
    samplingFrequencyIndex: samplingFrequencyIndexOf(o.sampleRate) ?? AAC_EXPLICIT_FREQUENCY_INDEX,
    sampleRate: o.sampleRate,
    channelConfiguration: cc,
    channels: AAC_CHANNEL_COUNTS[cc] ?? 0,
    frameLength: o.frameLength ?? 1024,
    dependsOnCoreCoder: false,
    extensionFlag: false,
  };
  if (objectType === AudioObjectType.AacScalable || objectType === AudioObjectType.ErAacScalable) {
    asc.layerNr = 0;
  }
  if (isErObjectType(objectType)) asc.epConfig = 0;
  if (o.sbr !== undefined) {
    const extHz = o.sbr.extensionSampleRate ?? 2 * o.sampleRate;
    asc.sbr = true;
    if (o.sbr.ps === true) {
      asc.ps = true;
      if (asc.channels === 1) asc.channels = 2;
    }
    asc.sbrSignalling = o.sbr.signalling;
    asc.extensionSamplingFrequencyIndex = samplingFrequencyIndexOf(extHz) ?? AAC_EXPLICIT_FREQUENCY_INDEX;
    asc.extensionSampleRate = extHz;
  }
  // Validate now rather than at pack time.
  packAudioSpecificConfig(asc);
  return asc;
}
