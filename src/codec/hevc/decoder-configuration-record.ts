import { ByteReader } from '../../util/byte-reader.js';
import { ByteWriter } from '../../util/byte-writer.js';
import { InvalidArgError, ProtocolError, ShortBufferError } from '../../util/errors.js';

/** One NAL unit array of an HEVCDecoderConfigurationRecord. */
export interface HevcRecordNalArray {
  /** array_completeness: every NAL unit of this type is in the array (none in-band). */
  completeness: boolean;
  /** NAL_unit_type of every unit in the array (VPS 32, SPS 33, PPS 34, prefix SEI 39, suffix SEI 40). */
  nalUnitType: number;
  /** The NAL units, two-byte header included; views into the parsed buffer. */
  nalus: Uint8Array[];
}

/**
 * An HEVCDecoderConfigurationRecord: the MP4 `hvcC` box and the enhanced-RTMP/FLV HEVC sequence
 * header body.
 */
export interface HevcDecoderConfigurationRecord {
  /** 1. */
  configurationVersion: number;
  generalProfileSpace: number;
  generalTierFlag: boolean;
  generalProfileIdc: number;
  /** general_profile_compatibility_flags, u32. */
  generalProfileCompatibilityFlags: number;
  /** general_constraint_indicator_flags, 48 bits as a number. */
  generalConstraintIndicatorFlags: number;
  generalLevelIdc: number;
  /** 0..4095, 0 when unknown. */
  minSpatialSegmentationIdc: number;
  /** 0 mixed/unknown, 1 slice, 2 tile, 3 wavefront based parallel decoding. */
  parallelismType: number;
  /** chroma_format_idc (0..3). */
  chromaFormat: number;
  bitDepthLumaMinus8: number;
  bitDepthChromaMinus8: number;
  /** Average frame rate in frames per 256 seconds, 0 when unknown. */
  avgFrameRate: number;
  /** 0 unknown, 1 constant, 2 constant per temporal layer. */
  constantFrameRate: number;
  /** Number of temporal layers (0 unknown, 1..7). */
  numTemporalLayers: number;
  temporalIdNested: boolean;
  /** Size of the NAL unit length fields in the samples, minus one (0, 1 or 3). */
  lengthSizeMinusOne: number;
  arrays: HevcRecordNalArray[];
  /** Bytes after the record that this parser does not interpret, kept so that packing restores them. */
  trailing?: Uint8Array;
}

const CONFIGURATION_VERSION = 1;
/** Size of the fixed part, up to and including numOfArrays. */
const FIXED_SIZE = 23;
/** Smallest array: array_completeness/type byte + numNalus. */
const MIN_ARRAY_SIZE = 3;

/**
 * Parses an HEVCDecoderConfigurationRecord.
 *
 * ISO/IEC 14496-15 section 8.3.3.1.2:
 *
 *   unsigned int(8) configurationVersion = 1;
 *   unsigned int(2) general_profile_space; unsigned int(1) general_tier_flag; unsigned int(5) general_profile_idc;
 *   unsigned int(32) general_profile_compatibility_flags;
 *   unsigned int(48) general_constraint_indicator_flags;
 *   unsigned int(8) general_level_idc;
 *   bit(4) reserved = '1111'b;     unsigned int(12) min_spatial_segmentation_idc;
 *   bit(6) reserved = '111111'b;   unsigned int(2) parallelismType;
 *   bit(6) reserved = '111111'b;   unsigned int(2) chromaFormat;
 *   bit(5) reserved = '11111'b;    unsigned int(3) bitDepthLumaMinus8;
 *   bit(5) reserved = '11111'b;    unsigned int(3) bitDepthChromaMinus8;
 *   bit(16) avgFrameRate;
 *   bit(2) constantFrameRate; bit(3) numTemporalLayers; bit(1) temporalIdNested; unsigned int(2) lengthSizeMinusOne;
 *   unsigned int(8) numOfArrays;
 *   for (j < numOfArrays) {
 *     bit(1) array_completeness; unsigned int(1) reserved = 0; unsigned int(6) NAL_unit_type;
 *     unsigned int(16) numNalus;
 *     for (i < numNalus) { unsigned int(16) nalUnitLength; bit(8*nalUnitLength) nalUnit; }
 *   }
 *
 * Reserved bits are not checked (the packer writes them as the spec says). Counts are checked
 * against the bytes left before anything is allocated.
 */
export function parseHevcDecoderConfigurationRecord(buf: Uint8Array): HevcDecoderConfigurationRecord {
  const r = new ByteReader(buf, 'hevc: record');
  r.need(FIXED_SIZE, 'hevc: record header');
  const configurationVersion = r.u8();
  if (configurationVersion !== CONFIGURATION_VERSION) {
    throw new ProtocolError(`hevc: record: configurationVersion is ${configurationVersion}, not 1`);
  }
  const b1 = r.u8();
  const generalProfileCompatibilityFlags = r.u32();
  const constraintHi = r.u16();
  const generalConstraintIndicatorFlags = constraintHi * 0x100000000 + r.u32();
  const generalLevelIdc = r.u8();
  const minSpatialSegmentationIdc = r.u16() & 0x0fff;
  const parallelismType = r.u8() & 0x03;
  const chromaFormat = r.u8() & 0x03;
  const bitDepthLumaMinus8 = r.u8() & 0x07;
  const bitDepthChromaMinus8 = r.u8() & 0x07;
  const avgFrameRate = r.u16();
  const b21 = r.u8();
  const numOfArrays = r.u8();
  if (numOfArrays * MIN_ARRAY_SIZE > r.remaining) {
    throw new ShortBufferError(
      `hevc: record: ${numOfArrays} arrays`,
      numOfArrays * MIN_ARRAY_SIZE,
      r.remaining,
    );
  }
  const arrays: HevcRecordNalArray[] = [];
  for (let j = 0; j < numOfArrays; j++) {
    r.need(MIN_ARRAY_SIZE, `hevc: record: array ${j}`);
    const t = r.u8();
    const numNalus = r.u16();
    if (numNalus * 2 > r.remaining) {
      throw new ShortBufferError(
        `hevc: record: array ${j}: ${numNalus} NAL units`,
        numNalus * 2,
        r.remaining,
      );
    }
    const nalus: Uint8Array[] = [];
    for (let i = 0; i < numNalus; i++) {
      const len = r.u16();
      nalus.push(r.bytes(len, `hevc: record: array ${j}: NAL unit ${i}`));
    }
    arrays.push({ completeness: (t & 0x80) !== 0, nalUnitType: t & 0x3f, nalus });
  }
  const rec: HevcDecoderConfigurationRecord = {
    configurationVersion,
    generalProfileSpace: b1 >> 6,
    generalTierFlag: (b1 & 0x20) !== 0,
    generalProfileIdc: b1 & 0x1f,
    generalProfileCompatibilityFlags,
    generalConstraintIndicatorFlags,
    generalLevelIdc,
    minSpatialSegmentationIdc,
    parallelismType,
    chromaFormat,
    bitDepthLumaMinus8,
    bitDepthChromaMinus8,
    avgFrameRate,
    constantFrameRate: b21 >> 6,
    numTemporalLayers: (b21 >> 3) & 0x07,
    temporalIdNested: (b21 & 0x04) !== 0,
    lengthSizeMinusOne: b21 & 0x03,
    arrays,
  };
  if (r.remaining > 0) rec.trailing = r.rest();
  return rec;
}

function checkField(what: string, v: number, max: number): void {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgError(`hevc: record: ${what} ${v} is outside 0..${max}`);
  }
}

/**
 * Packs an HEVCDecoderConfigurationRecord (the layout is on parseHevcDecoderConfigurationRecord);
 * new bytes, the caller owns them. Reserved bits are written as the spec says. Throws
 * InvalidArgError on a field or count that does not fit.
 */
export function packHevcDecoderConfigurationRecord(rec: HevcDecoderConfigurationRecord): Uint8Array {
  checkField('configurationVersion', rec.configurationVersion, 0xff);
  checkField('general_profile_space', rec.generalProfileSpace, 3);
  checkField('general_profile_idc', rec.generalProfileIdc, 0x1f);
  checkField('general_profile_compatibility_flags', rec.generalProfileCompatibilityFlags, 0xffffffff);
  checkField('general_constraint_indicator_flags', rec.generalConstraintIndicatorFlags, 2 ** 48 - 1);
  checkField('general_level_idc', rec.generalLevelIdc, 0xff);
  checkField('min_spatial_segmentation_idc', rec.minSpatialSegmentationIdc, 0xfff);
  checkField('parallelismType', rec.parallelismType, 3);
  checkField('chromaFormat', rec.chromaFormat, 3);
  checkField('bitDepthLumaMinus8', rec.bitDepthLumaMinus8, 7);
  checkField('bitDepthChromaMinus8', rec.bitDepthChromaMinus8, 7);
  checkField('avgFrameRate', rec.avgFrameRate, 0xffff);
  checkField('constantFrameRate', rec.constantFrameRate, 3);
  checkField('numTemporalLayers', rec.numTemporalLayers, 7);
  checkField('lengthSizeMinusOne', rec.lengthSizeMinusOne, 3);
  checkField('numOfArrays', rec.arrays.length, 0xff);
  let size = FIXED_SIZE + (rec.trailing?.length ?? 0);
  for (const a of rec.arrays) {
    checkField('NAL_unit_type', a.nalUnitType, 0x3f);
    checkField('numNalus', a.nalus.length, 0xffff);
    size += MIN_ARRAY_SIZE;
    for (const nal of a.nalus) {
      checkField('nalUnitLength', nal.length, 0xffff);
      size += 2 + nal.length;
    }
  }
  const w = new ByteWriter(size);
  const cHi = Math.floor(rec.generalConstraintIndicatorFlags / 0x100000000);
  const cLo = rec.generalConstraintIndicatorFlags - cHi * 0x100000000;
  w.u8(rec.configurationVersion)
    .u8((rec.generalProfileSpace << 6) | (rec.generalTierFlag ? 0x20 : 0) | rec.generalProfileIdc)
    .u32(rec.generalProfileCompatibilityFlags)
    .u16(cHi)
    .u32(cLo)
    .u8(rec.generalLevelIdc)
    .u16(0xf000 | rec.minSpatialSegmentationIdc)
    .u8(0xfc | rec.parallelismType)
    .u8(0xfc | rec.chromaFormat)
    .u8(0xf8 | rec.bitDepthLumaMinus8)
    .u8(0xf8 | rec.bitDepthChromaMinus8)
    .u16(rec.avgFrameRate)
    .u8(
      (rec.constantFrameRate << 6) |
        (rec.numTemporalLayers << 3) |
        (rec.temporalIdNested ? 0x04 : 0) |
        rec.lengthSizeMinusOne,
    )
    .u8(rec.arrays.length);
  for (const a of rec.arrays) {
    w.u8((a.completeness ? 0x80 : 0) | a.nalUnitType).u16(a.nalus.length);
    for (const nal of a.nalus) w.u16(nal.length).bytes(nal);
  }
  if (rec.trailing !== undefined) w.bytes(rec.trailing);
  return w.finish();
}
