import { InvalidArgError } from '../../util/errors.js';
import { checkLengthSize } from '../nal/length-prefixed.js';
import {
  type HevcDecoderConfigurationRecord,
  type HevcRecordNalArray,
  packHevcDecoderConfigurationRecord,
} from './decoder-configuration-record.js';
import { HevcNalUnitType, hevcNalUnitType } from './nal-unit-type.js';
import { parseHevcPps } from './pps.js';
import type { HevcProfileTierLevel } from './profile-tier-level.js';
import { parseHevcSps } from './sps.js';
import { parseHevcVps } from './vps.js';

/** Options of buildHevcDecoderConfigurationRecord / makeHevcDecoderConfigurationRecord. */
export interface BuildHevcRecordOptions {
  /** Size in bytes of the NAL unit lengths in the samples that go with the record: 1, 2 or 4. Default 4. */
  lengthSize?: number;
  /**
   * array_completeness of the VPS/SPS/PPS arrays: true when no parameter set is sent in-band (MP4
   * `hvc1`), false when some may be (`hev1`, FLV). Default false, as ffmpeg's FLV muxer and lal write.
   */
  arrayCompleteness?: boolean;
  /** Prefix and suffix SEI NAL units to carry in the record (types 39, 40). Default none. */
  sei?: readonly Uint8Array[];
}

/** ISO/IEC 14496-15: min_spatial_segmentation_idc is below 4096. */
const MAX_SPATIAL_SEGMENTATION = 4095;
const U32 = 0x100000000;

function asList(v: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  return v instanceof Uint8Array ? [v] : v;
}

/** AND of two 48-bit values held as numbers (no bitwise op on more than 32 bits). */
function and48(a: number, b: number): number {
  const hi = (Math.floor(a / U32) & Math.floor(b / U32)) >>> 0;
  const lo = ((a % U32) & (b % U32)) >>> 0;
  return hi * U32 + lo;
}

/**
 * Makes an HEVCDecoderConfigurationRecord from VPS, SPS and PPS NAL units (two-byte header
 * included, as split from an Annex B stream), filling the fields the way ffmpeg's
 * `ff_isom_write_hvcc` does: the profile/tier/level fields merge the general profile_tier_level of
 * every VPS and SPS (highest tier, profile and level; AND of the compatibility and constraint
 * flags); chroma format, bit depths, temporal layers and nesting come from the SPS;
 * min_spatial_segmentation_idc from the SPS VUI and parallelismType from the PPS (0 when
 * min_spatial_segmentation_idc is 0); avgFrameRate and constantFrameRate are 0 (unspecified).
 * Arrays come in the order VPS, SPS, PPS, prefix SEI, suffix SEI. NAL units are kept as given.
 */
export function makeHevcDecoderConfigurationRecord(
  vps: Uint8Array | readonly Uint8Array[],
  sps: Uint8Array | readonly Uint8Array[],
  pps: Uint8Array | readonly Uint8Array[],
  options: BuildHevcRecordOptions = {},
): HevcDecoderConfigurationRecord {
  const vpsList = asList(vps);
  const spsList = asList(sps);
  const ppsList = asList(pps);
  const lengthSize = options.lengthSize ?? 4;
  checkLengthSize(lengthSize);
  if (vpsList.length === 0 || spsList.length === 0 || ppsList.length === 0) {
    throw new InvalidArgError('hevc: record: at least one VPS, one SPS and one PPS are needed');
  }
  const rec: HevcDecoderConfigurationRecord = {
    configurationVersion: 1,
    generalProfileSpace: 0,
    generalTierFlag: false,
    generalProfileIdc: 0,
    generalProfileCompatibilityFlags: 0xffffffff,
    generalConstraintIndicatorFlags: 2 ** 48 - 1,
    generalLevelIdc: 0,
    minSpatialSegmentationIdc: MAX_SPATIAL_SEGMENTATION + 1,
    parallelismType: 0,
    chromaFormat: 0,
    bitDepthLumaMinus8: 0,
    bitDepthChromaMinus8: 0,
    avgFrameRate: 0,
    constantFrameRate: 0,
    numTemporalLayers: 0,
    temporalIdNested: false,
    lengthSizeMinusOne: lengthSize - 1,
    arrays: [],
  };
  const mergePtl = (ptl: HevcProfileTierLevel): void => {
    rec.generalProfileSpace = ptl.generalProfileSpace;
    if (!rec.generalTierFlag && ptl.generalTierFlag) rec.generalLevelIdc = ptl.generalLevelIdc;
    else rec.generalLevelIdc = Math.max(rec.generalLevelIdc, ptl.generalLevelIdc);
    rec.generalTierFlag = rec.generalTierFlag || ptl.generalTierFlag;
    rec.generalProfileIdc = Math.max(rec.generalProfileIdc, ptl.generalProfileIdc);
    rec.generalProfileCompatibilityFlags =
      (rec.generalProfileCompatibilityFlags & ptl.generalProfileCompatibilityFlags) >>> 0;
    rec.generalConstraintIndicatorFlags = and48(
      rec.generalConstraintIndicatorFlags,
      ptl.generalConstraintIndicatorFlags,
    );
  };
  for (const nal of vpsList) {
    const v = parseHevcVps(nal);
    rec.numTemporalLayers = Math.max(rec.numTemporalLayers, v.maxSubLayers);
    mergePtl(v.profileTierLevel);
  }
  for (const nal of spsList) {
    const s = parseHevcSps(nal);
    rec.numTemporalLayers = Math.max(rec.numTemporalLayers, s.maxSubLayers);
    rec.temporalIdNested = s.temporalIdNesting;
    mergePtl(s.profileTierLevel);
    rec.chromaFormat = s.chromaFormat;
    rec.bitDepthLumaMinus8 = s.bitDepthLuma - 8;
    rec.bitDepthChromaMinus8 = s.bitDepthChroma - 8;
    if (s.minSpatialSegmentationIdc !== undefined) {
      rec.minSpatialSegmentationIdc = Math.min(rec.minSpatialSegmentationIdc, s.minSpatialSegmentationIdc);
    }
  }
  for (const nal of ppsList) {
    const p = parseHevcPps(nal);
    if (p.entropyCodingSyncEnabled && p.tilesEnabled) rec.parallelismType = 0;
    else if (p.entropyCodingSyncEnabled) rec.parallelismType = 3;
    else if (p.tilesEnabled) rec.parallelismType = 2;
    else rec.parallelismType = 1;
  }
  if (rec.minSpatialSegmentationIdc > MAX_SPATIAL_SEGMENTATION) rec.minSpatialSegmentationIdc = 0;
  if (rec.minSpatialSegmentationIdc === 0) rec.parallelismType = 0;

  const completeness = options.arrayCompleteness ?? false;
  rec.arrays.push(
    { completeness, nalUnitType: HevcNalUnitType.VpsNut, nalus: [...vpsList] },
    { completeness, nalUnitType: HevcNalUnitType.SpsNut, nalus: [...spsList] },
    { completeness, nalUnitType: HevcNalUnitType.PpsNut, nalus: [...ppsList] },
  );
  const prefix: HevcRecordNalArray = {
    completeness: false,
    nalUnitType: HevcNalUnitType.PrefixSeiNut,
    nalus: [],
  };
  const suffix: HevcRecordNalArray = {
    completeness: false,
    nalUnitType: HevcNalUnitType.SuffixSeiNut,
    nalus: [],
  };
  for (const nal of options.sei ?? []) {
    const type = nal.length >= 2 ? hevcNalUnitType(nal[0] as number) : -1;
    if (type === HevcNalUnitType.PrefixSeiNut) prefix.nalus.push(nal);
    else if (type === HevcNalUnitType.SuffixSeiNut) suffix.nalus.push(nal);
    else throw new InvalidArgError(`hevc: record: an SEI NAL unit must have type 39 or 40, got ${type}`);
  }
  if (prefix.nalus.length > 0) rec.arrays.push(prefix);
  if (suffix.nalus.length > 0) rec.arrays.push(suffix);
  return rec;
}

/**
 * Builds the bytes of an HEVCDecoderConfigurationRecord from VPS, SPS and PPS NAL units; see
 * makeHevcDecoderConfigurationRecord. New bytes, caller owns them.
 */
export function buildHevcDecoderConfigurationRecord(
  vps: Uint8Array | readonly Uint8Array[],
  sps: Uint8Array | readonly Uint8Array[],
  pps: Uint8Array | readonly Uint8Array[],
  options: BuildHevcRecordOptions = {},
): Uint8Array {
  return packHevcDecoderConfigurationRecord(makeHevcDecoderConfigurationRecord(vps, sps, pps, options));
}
