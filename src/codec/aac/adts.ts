import { BitReader } from '../../util/bit-reader.js';
import { BitWriter } from '../../util/bit-writer.js';
import {
  InvalidArgError,
  LimitError,
  ProtocolError,
  ShortBufferError,
  UnsupportedError,
} from '../../util/errors.js';
import type { AudioSpecificConfig } from './audio-specific-config.js';
import { AudioObjectType, objectTypeName } from './object-type.js';
import {
  AAC_CHANNEL_COUNTS,
  AAC_EXPLICIT_FREQUENCY_INDEX,
  AAC_SAMPLE_RATES,
  samplingFrequencyIndexOf,
} from './sampling.js';

/** The 12-bit ADTS syncword. */
export const ADTS_SYNCWORD = 0xfff;
/** Header length without CRC (protection_absent = 1). */
export const ADTS_HEADER_LENGTH = 7;
/** Header length with CRC and a single raw data block. */
export const ADTS_HEADER_LENGTH_CRC = 9;
/** The longest header: CRC plus raw_data_block_position for 3 more blocks. */
export const ADTS_MAX_HEADER_LENGTH = 15;
/** aac_frame_length is 13 bits and counts the header. */
export const ADTS_MAX_FRAME_LENGTH = 0x1fff;
/** adts_buffer_fullness value meaning "variable bit rate". */
export const ADTS_BUFFER_FULLNESS_VBR = 0x7ff;

/** An ADTS header. `sampleRate` and `channels` are derived for convenience; the packer ignores them. */
export interface AdtsHeader {
  /** ID: 0 -> MPEG-4, 1 -> MPEG-2 (ISO/IEC 13818-7). */
  mpegVersion: 2 | 4;
  /** protection_absent: true -> no CRC, 7-byte header. */
  protectionAbsent: boolean;
  /** profile_ObjectType, 2 bits: the MPEG-4 audio object type minus 1 (1 = AAC LC). */
  profile: number;
  /** sampling_frequency_index, 0..12. */
  samplingFrequencyIndex: number;
  /** Derived from samplingFrequencyIndex. */
  sampleRate: number;
  privateBit: boolean;
  /** channel_configuration, 3 bits; 0 means a program_config_element in the raw data. */
  channelConfiguration: number;
  /** Derived from channelConfiguration (0 when it is 0). */
  channels: number;
  originalCopy: boolean;
  home: boolean;
  copyrightIdentificationBit: boolean;
  copyrightIdentificationStart: boolean;
  /** aac_frame_length: the whole frame in bytes, header included. */
  frameLength: number;
  /** adts_buffer_fullness, 11 bits; 0x7ff means VBR. */
  bufferFullness: number;
  /** number_of_raw_data_blocks_in_frame: the field value, the frame holds this + 1 blocks. */
  numberOfRawDataBlocksInFrame: number;
  /** The header length in bytes: 7, or with CRC 9 + 2 * numberOfRawDataBlocksInFrame. */
  headerLength: number;
  /** raw_data_block_position[1..n] (CRC-protected frames with several blocks); else absent. */
  rawDataBlockPositions?: number[];
  /** crc_check when protection is on (carried, not verified); else absent. */
  crc?: number;
}

/** The header length implied by protection_absent and number_of_raw_data_blocks_in_frame. */
function headerLengthOf(protectionAbsent: boolean, blocks: number): number {
  return protectionAbsent ? ADTS_HEADER_LENGTH : ADTS_HEADER_LENGTH_CRC + 2 * blocks;
}

/**
 * The header length announced by the bytes at `off` (needs 7 bytes; no other checks), or -1 if
 * fewer than 7 bytes are there. Used by splitters to know how much to wait for.
 */
export function adtsHeaderLengthAt(buf: Uint8Array, off: number): number {
  if (buf.length - off < ADTS_HEADER_LENGTH) return -1;
  const protectionAbsent = ((buf[off + 1] as number) & 1) === 1;
  return headerLengthOf(protectionAbsent, (buf[off + 6] as number) & 3);
}

/**
 * adts_fixed_header() + adts_variable_header() + adts_error_check(), ISO/IEC 14496-3:2009 1.A.2.2
 * (syntax) and 1.A.3.2 (semantics); the same header as MPEG-2 AAC (ISO/IEC 13818-7):
 *
 *   syncword 12 (0xfff), ID 1, layer 2 (0), protection_absent 1, profile_ObjectType 2,
 *   sampling_frequency_index 4, private_bit 1, channel_configuration 3, original_copy 1, home 1,
 *   copyright_identification_bit 1, copyright_identification_start 1, aac_frame_length 13,
 *   adts_buffer_fullness 11, number_of_raw_data_blocks_in_frame 2,
 *   if (!protection_absent) { [raw_data_block_position 16 per extra block] crc_check 16 }
 *
 * `buf` starts at the syncword; only the header bytes are read. The CRC is kept, not verified.
 * Throws ShortBufferError when the header is incomplete and ProtocolError when it is invalid
 * (no syncword, layer != 0, reserved sampling index, frame length shorter than the header).
 */
export function parseAdtsHeader(buf: Uint8Array): AdtsHeader {
  if (buf.length < ADTS_HEADER_LENGTH)
    throw new ShortBufferError('aac: ADTS header', ADTS_HEADER_LENGTH, buf.length);
  const r = new BitReader(buf, 'aac: ADTS header');
  const sync = r.readBits(12);
  if (sync !== ADTS_SYNCWORD) {
    throw new ProtocolError(`aac: ADTS syncword is 0x${sync.toString(16)}, want 0xfff`);
  }
  const id = r.readBit();
  const layer = r.readBits(2);
  if (layer !== 0)
    throw new ProtocolError(`aac: ADTS layer is ${layer}, want 0 (MPEG audio layer ${4 - layer}?)`);
  const protectionAbsent = r.readFlag();
  const profile = r.readBits(2);
  const samplingFrequencyIndex = r.readBits(4);
  const sampleRate = AAC_SAMPLE_RATES[samplingFrequencyIndex];
  if (sampleRate === undefined) {
    throw new ProtocolError(`aac: ADTS sampling_frequency_index ${samplingFrequencyIndex} is not allowed`);
  }
  const privateBit = r.readFlag();
  const channelConfiguration = r.readBits(3);
  const originalCopy = r.readFlag();
  const home = r.readFlag();
  const copyrightIdentificationBit = r.readFlag();
  const copyrightIdentificationStart = r.readFlag();
  const frameLength = r.readBits(13);
  const bufferFullness = r.readBits(11);
  const numberOfRawDataBlocksInFrame = r.readBits(2);
  const headerLength = headerLengthOf(protectionAbsent, numberOfRawDataBlocksInFrame);
  if (frameLength < headerLength) {
    throw new ProtocolError(
      `aac: ADTS aac_frame_length ${frameLength} is shorter than the ${headerLength}-byte header`,
    );
  }
  const h: AdtsHeader = {
    mpegVersion: id === 1 ? 2 : 4,
    protectionAbsent,
    profile,
    samplingFrequencyIndex,
    sampleRate,
    privateBit,
    channelConfiguration,
    channels: AAC_CHANNEL_COUNTS[channelConfiguration] ?? 0,
    originalCopy,
    home,
    copyrightIdentificationBit,
    copyrightIdentificationStart,
    frameLength,
    bufferFullness,
    numberOfRawDataBlocksInFrame,
    headerLength,
  };
  if (!protectionAbsent) {
    if (numberOfRawDataBlocksInFrame > 0) {
      const pos: number[] = [];
      for (let i = 0; i < numberOfRawDataBlocksInFrame; i++) pos.push(r.readBits(16));
      h.rawDataBlockPositions = pos;
    }
    h.crc = r.readBits(16);
  }
  return h;
}

function checkBits(name: string, v: number, bits: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    throw new InvalidArgError(`aac: ADTS ${name} ${v} does not fit in ${bits} bits`);
  }
}

/**
 * The inverse of parseAdtsHeader: the header bytes (new, caller owns), `headerLength` long.
 * `sampleRate`, `channels` and `headerLength` are not read (they are derived). Throws
 * InvalidArgError for a field out of range or a frameLength shorter than the header.
 */
export function packAdtsHeader(h: AdtsHeader): Uint8Array {
  checkBits('profile', h.profile, 2);
  if (AAC_SAMPLE_RATES[h.samplingFrequencyIndex] === undefined) {
    throw new InvalidArgError(`aac: ADTS sampling_frequency_index ${h.samplingFrequencyIndex} is not 0..12`);
  }
  checkBits('channel_configuration', h.channelConfiguration, 3);
  checkBits('aac_frame_length', h.frameLength, 13);
  checkBits('adts_buffer_fullness', h.bufferFullness, 11);
  checkBits('number_of_raw_data_blocks_in_frame', h.numberOfRawDataBlocksInFrame, 2);
  const headerLength = headerLengthOf(h.protectionAbsent, h.numberOfRawDataBlocksInFrame);
  if (h.frameLength < headerLength) {
    throw new InvalidArgError(
      `aac: ADTS aac_frame_length ${h.frameLength} is shorter than the ${headerLength}-byte header`,
    );
  }
  const w = new BitWriter();
  w.writeBits(12, ADTS_SYNCWORD);
  w.writeBit(h.mpegVersion === 2);
  w.writeBits(2, 0);
  w.writeBit(h.protectionAbsent);
  w.writeBits(2, h.profile);
  w.writeBits(4, h.samplingFrequencyIndex);
  w.writeBit(h.privateBit);
  w.writeBits(3, h.channelConfiguration);
  w.writeBit(h.originalCopy);
  w.writeBit(h.home);
  w.writeBit(h.copyrightIdentificationBit);
  w.writeBit(h.copyrightIdentificationStart);
  w.writeBits(13, h.frameLength);
  w.writeBits(11, h.bufferFullness);
  w.writeBits(2, h.numberOfRawDataBlocksInFrame);
  if (!h.protectionAbsent) {
    const pos = h.rawDataBlockPositions ?? [];
    if (pos.length !== h.numberOfRawDataBlocksInFrame) {
      throw new InvalidArgError(
        `aac: ADTS needs ${h.numberOfRawDataBlocksInFrame} raw_data_block_position values, got ${pos.length}`,
      );
    }
    for (const p of pos) {
      checkBits('raw_data_block_position', p, 16);
      w.writeBits(16, p);
    }
    const crc = h.crc ?? 0;
    checkBits('crc_check', crc, 16);
    w.writeBits(16, crc);
  }
  return w.finish();
}

/**
 * The ADTS header fields for one raw AAC frame of `rawLength` bytes coded with `asc`, as muxers
 * write them (ffmpeg's adtsenc, lal): MPEG-4 ID, no CRC, buffer fullness 0x7ff (VBR), one raw data
 * block. HE-AAC configs map to their AAC LC core (ADTS signals SBR/PS implicitly).
 *
 * Throws UnsupportedError for what ADTS cannot say: an object type other than 1..4, channel
 * configuration 0 (the PCE would have to go into the raw data) or above 7, a frequency not in
 * Table 1.18, a 960-sample frame, dependsOnCoreCoder or extensionFlag; LimitError when the frame
 * would exceed 8191 bytes.
 */
export function adtsHeaderFieldsForConfig(asc: AudioSpecificConfig, rawLength: number): AdtsHeader {
  if (asc.objectType < AudioObjectType.AacMain || asc.objectType > AudioObjectType.AacLtp) {
    throw new UnsupportedError(`aac: ADTS cannot carry audio object type ${objectTypeName(asc.objectType)}`);
  }
  const cc = asc.channelConfiguration;
  if (cc === 0 || cc > 7) {
    throw new UnsupportedError(
      `aac: ADTS cannot carry channelConfiguration ${cc} from an AudioSpecificConfig`,
    );
  }
  let index = asc.samplingFrequencyIndex;
  if (index === AAC_EXPLICIT_FREQUENCY_INDEX) {
    const i = samplingFrequencyIndexOf(asc.sampleRate);
    if (i === undefined)
      throw new UnsupportedError(`aac: ADTS cannot carry the sampling frequency ${asc.sampleRate} Hz`);
    index = i;
  }
  const sampleRate = AAC_SAMPLE_RATES[index];
  if (sampleRate === undefined)
    throw new InvalidArgError(`aac: samplingFrequencyIndex ${index} is not 0..12 or 15`);
  if (asc.frameLength !== 1024) throw new UnsupportedError('aac: ADTS cannot carry 960-sample frames');
  if (asc.dependsOnCoreCoder)
    throw new UnsupportedError('aac: ADTS cannot carry a scalable (dependsOnCoreCoder) config');
  if (asc.extensionFlag) throw new UnsupportedError('aac: ADTS cannot carry a config with extensionFlag set');
  if (!Number.isInteger(rawLength) || rawLength < 0) {
    throw new InvalidArgError(`aac: raw frame length ${rawLength} is not a byte count`);
  }
  const frameLength = ADTS_HEADER_LENGTH + rawLength;
  if (frameLength > ADTS_MAX_FRAME_LENGTH) {
    throw new LimitError('aac: ADTS aac_frame_length', frameLength, ADTS_MAX_FRAME_LENGTH);
  }
  return {
    mpegVersion: 4,
    protectionAbsent: true,
    profile: asc.objectType - 1,
    samplingFrequencyIndex: index,
    sampleRate,
    privateBit: false,
    channelConfiguration: cc,
    channels: AAC_CHANNEL_COUNTS[cc] ?? 0,
    originalCopy: false,
    home: false,
    copyrightIdentificationBit: false,
    copyrightIdentificationStart: false,
    frameLength,
    bufferFullness: ADTS_BUFFER_FULLNESS_VBR,
    numberOfRawDataBlocksInFrame: 0,
    headerLength: ADTS_HEADER_LENGTH,
  };
}

/**
 * The 7-byte ADTS header (new, caller owns) to put in front of one raw AAC frame of `rawLength`
 * bytes coded with `asc` (e.g. flvfile2es turning FLV AAC raw frames into a .aac file). See
 * adtsHeaderFieldsForConfig for the fields and errors.
 */
export function adtsHeaderForConfig(asc: AudioSpecificConfig, rawLength: number): Uint8Array {
  return packAdtsHeader(adtsHeaderFieldsForConfig(asc, rawLength));
}

/**
 * The AudioSpecificConfig an ADTS stream implies (e.g. es2flvfile building the FLV AAC sequence
 * header): object type profile + 1, the same sampling index and channel configuration, 1024-sample
 * frames, no SBR/PS signalling (ADTS leaves HE-AAC implicit). Throws UnsupportedError for channel
 * configuration 0 (its PCE is in the raw data, not the header) and ProtocolError for the reserved
 * MPEG-2 profile 3.
 */
export function ascFromAdtsHeader(h: AdtsHeader): AudioSpecificConfig {
  if (h.channelConfiguration === 0) {
    throw new UnsupportedError(
      'aac: ADTS channel_configuration 0 (layout in a PCE in the raw data) is not supported',
    );
  }
  if (h.mpegVersion === 2 && h.profile === 3)
    throw new ProtocolError('aac: ADTS MPEG-2 profile 3 is reserved');
  const sampleRate = AAC_SAMPLE_RATES[h.samplingFrequencyIndex];
  if (sampleRate === undefined) {
    throw new InvalidArgError(`aac: ADTS sampling_frequency_index ${h.samplingFrequencyIndex} is not 0..12`);
  }
  checkBits('profile', h.profile, 2);
  checkBits('channel_configuration', h.channelConfiguration, 3);
  return {
    objectType: h.profile + 1,
    samplingFrequencyIndex: h.samplingFrequencyIndex,
    sampleRate,
    channelConfiguration: h.channelConfiguration,
    channels: AAC_CHANNEL_COUNTS[h.channelConfiguration] ?? 0,
    frameLength: 1024,
    dependsOnCoreCoder: false,
    extensionFlag: false,
  };
}
