import { ByteReader } from '../../util/byte-reader.js';
import { ByteWriter } from '../../util/byte-writer.js';
import { InvalidArgError, ProtocolError, ShortBufferError } from '../../util/errors.js';

/** The high-profile tail of an AVCDecoderConfigurationRecord. */
export interface AvcRecordHighProfileExt {
  /** chroma_format_idc of the SPS (0..3). */
  chromaFormat: number;
  bitDepthLumaMinus8: number;
  bitDepthChromaMinus8: number;
  /** Sequence parameter set extension NAL units (type 13). */
  spsExt: Uint8Array[];
}

/**
 * An AVCDecoderConfigurationRecord: the FLV/RTMP AVC sequence header body and the MP4 `avcC` box.
 * NAL unit arrays are views into the parsed buffer (shared, read-only).
 */
export interface AvcDecoderConfigurationRecord {
  /** 1. */
  configurationVersion: number;
  /** profile_idc of the SPS. */
  profileIndication: number;
  /** The SPS byte between profile_idc and level_idc (the constraint_set flags). */
  profileCompatibility: number;
  /** level_idc of the SPS. */
  levelIndication: number;
  /** Size of the NAL unit length fields in the samples, minus one (0, 1 or 3). */
  lengthSizeMinusOne: number;
  /** Sequence parameter set NAL units, header byte included (at most 31). */
  sps: Uint8Array[];
  /** Picture parameter set NAL units, header byte included (at most 255). */
  pps: Uint8Array[];
  /**
   * The chroma format / bit depth / SPS extension tail that follows the PPS for profiles other
   * than Baseline, Main and Extended; absent in the common truncated form that stops after the PPS.
   */
  highProfileExt?: AvcRecordHighProfileExt;
  /** Bytes after the record that this parser does not interpret, kept so that packing restores them. */
  trailing?: Uint8Array;
}

const CONFIGURATION_VERSION = 1;

/** profile_idc values without the high-profile tail (Baseline, Main, Extended), as ffmpeg writes it. */
export function avcRecordHasHighProfileExt(profileIndication: number): boolean {
  return profileIndication !== 66 && profileIndication !== 77 && profileIndication !== 88;
}

/** Reads `count` 16-bit-length-prefixed NAL units, checking the count against the bytes left first. */
function readNalArray(r: ByteReader, count: number, what: string): Uint8Array[] {
  if (count * 2 > r.remaining)
    throw new ShortBufferError(`avc: record: ${count} ${what}`, count * 2, r.remaining);
  const out: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const len = r.u16();
    out.push(r.bytes(len, `avc: record: ${what} ${i}`));
  }
  return out;
}

/**
 * Parses an AVCDecoderConfigurationRecord.
 *
 * ISO/IEC 14496-15 section 5.3.3.1.2:
 *
 *   unsigned int(8) configurationVersion = 1;
 *   unsigned int(8) AVCProfileIndication;
 *   unsigned int(8) profile_compatibility;
 *   unsigned int(8) AVCLevelIndication;
 *   bit(6) reserved = '111111'b;  unsigned int(2) lengthSizeMinusOne;
 *   bit(3) reserved = '111'b;     unsigned int(5) numOfSequenceParameterSets;
 *   for (i < numOfSequenceParameterSets) { unsigned int(16) sequenceParameterSetLength; bit(8*len) NALUnit; }
 *   unsigned int(8) numOfPictureParameterSets;
 *   for (i < numOfPictureParameterSets) { unsigned int(16) pictureParameterSetLength; bit(8*len) NALUnit; }
 *   if (AVCProfileIndication != 66 && != 77 && != 88) {   // 100, 110, 122, 144 in the spec text; ffmpeg's rule
 *     bit(6) reserved = '111111'b;  unsigned int(2) chroma_format;
 *     bit(5) reserved = '11111'b;   unsigned int(3) bit_depth_luma_minus8;
 *     bit(5) reserved = '11111'b;   unsigned int(3) bit_depth_chroma_minus8;
 *     unsigned int(8) numOfSequenceParameterSetExt;
 *     for (i < numOfSequenceParameterSetExt) { unsigned int(16) sequenceParameterSetExtLength; bit(8*len) NALUnit; }
 *   }
 *
 * The tail is optional here: many muxers stop after the PPS. Reserved bits are not checked (and
 * are written as ones by the packer).
 */
export function parseAvcDecoderConfigurationRecord(buf: Uint8Array): AvcDecoderConfigurationRecord {
  const r = new ByteReader(buf, 'avc: record');
  r.need(6, 'avc: record header');
  const configurationVersion = r.u8();
  if (configurationVersion !== CONFIGURATION_VERSION) {
    throw new ProtocolError(`avc: record: configurationVersion is ${configurationVersion}, not 1`);
  }
  const profileIndication = r.u8();
  const profileCompatibility = r.u8();
  const levelIndication = r.u8();
  const lengthSizeMinusOne = r.u8() & 0x03;
  const numSps = r.u8() & 0x1f;
  const sps = readNalArray(r, numSps, 'SPS');
  r.need(1, 'avc: record: numOfPictureParameterSets');
  const pps = readNalArray(r, r.u8(), 'PPS');
  const record: AvcDecoderConfigurationRecord = {
    configurationVersion,
    profileIndication,
    profileCompatibility,
    levelIndication,
    lengthSizeMinusOne,
    sps,
    pps,
  };
  if (r.remaining > 0 && avcRecordHasHighProfileExt(profileIndication)) {
    r.need(4, 'avc: record: high profile fields');
    const chromaFormat = r.u8() & 0x03;
    const bitDepthLumaMinus8 = r.u8() & 0x07;
    const bitDepthChromaMinus8 = r.u8() & 0x07;
    const spsExt = readNalArray(r, r.u8(), 'SPS extension');
    record.highProfileExt = { chromaFormat, bitDepthLumaMinus8, bitDepthChromaMinus8, spsExt };
  }
  if (r.remaining > 0) record.trailing = r.rest();
  return record;
}

function checkField(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgError(`avc: record: ${what} ${v} is outside 0..${max}`);
  }
}

function writeNalArray(w: ByteWriter, nalus: readonly Uint8Array[], what: string): void {
  for (const nal of nalus) {
    checkField(`${what} length`, nal.length, 0xffff);
    w.u16(nal.length).bytes(nal);
  }
}

/**
 * Packs an AVCDecoderConfigurationRecord (the layout is on parseAvcDecoderConfigurationRecord);
 * new bytes, the caller owns them. Reserved bits are written as ones. Throws InvalidArgError on a
 * field or count that does not fit.
 */
export function packAvcDecoderConfigurationRecord(rec: AvcDecoderConfigurationRecord): Uint8Array {
  checkField('configurationVersion', rec.configurationVersion, 0xff);
  checkField('profileIndication', rec.profileIndication, 0xff);
  checkField('profileCompatibility', rec.profileCompatibility, 0xff);
  checkField('levelIndication', rec.levelIndication, 0xff);
  checkField('lengthSizeMinusOne', rec.lengthSizeMinusOne, 3);
  checkField('numOfSequenceParameterSets', rec.sps.length, 0x1f);
  checkField('numOfPictureParameterSets', rec.pps.length, 0xff);
  let size = 7 + (rec.trailing?.length ?? 0);
  for (const nal of rec.sps) size += 2 + nal.length;
  for (const nal of rec.pps) size += 2 + nal.length;
  const w = new ByteWriter(size + 16);
  w.u8(rec.configurationVersion)
    .u8(rec.profileIndication)
    .u8(rec.profileCompatibility)
    .u8(rec.levelIndication)
    .u8(0xfc | rec.lengthSizeMinusOne)
    .u8(0xe0 | rec.sps.length);
  writeNalArray(w, rec.sps, 'SPS');
  w.u8(rec.pps.length);
  writeNalArray(w, rec.pps, 'PPS');
  const ext = rec.highProfileExt;
  if (ext !== undefined) {
    checkField('chroma_format', ext.chromaFormat, 3);
    checkField('bit_depth_luma_minus8', ext.bitDepthLumaMinus8, 7);
    checkField('bit_depth_chroma_minus8', ext.bitDepthChromaMinus8, 7);
    checkField('numOfSequenceParameterSetExt', ext.spsExt.length, 0xff);
    w.u8(0xfc | ext.chromaFormat)
      .u8(0xf8 | ext.bitDepthLumaMinus8)
      .u8(0xf8 | ext.bitDepthChromaMinus8)
      .u8(ext.spsExt.length);
    writeNalArray(w, ext.spsExt, 'SPS extension');
  }
  if (rec.trailing !== undefined) w.bytes(rec.trailing);
  return w.finish();
}
