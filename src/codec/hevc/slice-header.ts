import { BitReader } from '../../util/bit-reader.js';
import { ProtocolError, ShortBufferError } from '../../util/errors.js';
import { ebspToRbsp } from '../nal/emulation-prevention.js';
import { HevcNalUnitType, hevcNalUnitType, isHevcIrapNalUnitType } from './nal-unit-type.js';
import type { HevcPps } from './pps.js';
import { HEVC_NAL_HEADER_SIZE } from './rbsp.js';
import type { HevcSps } from './sps.js';

const WHAT = 'hevc: slice';

/** slice_type, ITU-T H.265 Table 7-7. */
export enum HevcSliceType {
  B = 0,
  P = 1,
  I = 2,
}

/** The head of a slice segment header (ITU-T H.265 section 7.4.7.1), up to slice_pic_order_cnt_lsb. */
export interface HevcSliceSegmentHeader {
  nalUnitType: number;
  /** nuh_layer_id (0 for the base layer). */
  nuhLayerId: number;
  /** TemporalId = nuh_temporal_id_plus1 - 1. */
  temporalId: number;
  firstSliceSegmentInPic: boolean;
  /** no_output_of_prior_pics_flag, for IRAP pictures. */
  noOutputOfPriorPics?: boolean;
  ppsId: number;
  /** The SPS the PPS refers to. */
  spsId: number;
  /** dependent_slice_segment_flag: the rest of the header is the previous independent segment's. */
  dependentSliceSegment: boolean;
  /** slice_segment_address (0 for the first segment of a picture). */
  sliceSegmentAddress: number;
  /** slice_type, in an independent slice segment. */
  sliceType?: HevcSliceType;
  /** pic_output_flag (inferred 1 when the PPS does not code it), in an independent slice segment. */
  picOutputFlag?: boolean;
  /** colour_plane_id (0..2), when the SPS has separate_colour_plane_flag. */
  colourPlaneId?: number;
  /**
   * slice_pic_order_cnt_lsb, in an independent slice segment: as coded, or 0 for an IDR picture
   * (inferred, section 7.4.7.1).
   */
  slicePicOrderCntLsb?: number;
}

/** Parameter sets by id, as a decoder keeps them (the latest one received for each id). */
export interface HevcParameterSetTables {
  sps: ReadonlyMap<number, HevcSps>;
  pps: ReadonlyMap<number, HevcPps>;
}

/** Ceil(Log2(n)) for n >= 1, without bitwise operations. */
function ceilLog2(n: number): number {
  let bits = 0;
  while (2 ** bits < n) bits++;
  return bits;
}

/**
 * Parses the head of a slice segment header (nal_unit_type 0..9 or 16..21; two-byte header and
 * emulation prevention bytes included) up to slice_pic_order_cnt_lsb: enough for the picture order
 * count. `tables` are the parameter sets received so far; the PPS the slice names and its SPS must
 * be there.
 *
 * ITU-T H.265 section 7.3.6.1 slice_segment_header():
 *
 *   first_slice_segment_in_pic_flag u(1)
 *   if (nal_unit_type >= BLA_W_LP && nal_unit_type <= RSV_IRAP_VCL23) no_output_of_prior_pics_flag u(1)
 *   slice_pic_parameter_set_id ue(v)
 *   if (!first_slice_segment_in_pic_flag) {
 *     if (dependent_slice_segments_enabled_flag) dependent_slice_segment_flag u(1)
 *     slice_segment_address u(Ceil(Log2(PicSizeInCtbsY)))
 *   }
 *   if (!dependent_slice_segment_flag) {
 *     for (i < num_extra_slice_header_bits) slice_reserved_flag[i] u(1)
 *     slice_type ue(v)
 *     if (output_flag_present_flag) pic_output_flag u(1)
 *     if (separate_colour_plane_flag) colour_plane_id u(2)
 *     if (nal_unit_type != IDR_W_RADL && nal_unit_type != IDR_N_LP) {
 *       slice_pic_order_cnt_lsb u(log2_max_pic_order_cnt_lsb_minus4 + 4)
 *       ... (not parsed: short_term_ref_pic_set_sps_flag and the rest)
 *
 * Throws ShortBufferError when cut short, ProtocolError on a value the spec does not allow, a
 * reserved or non-VCL NAL unit type, or a parameter set id with no parameter set.
 */
export function parseHevcSliceSegmentHeader(
  nal: Uint8Array,
  tables: HevcParameterSetTables,
): HevcSliceSegmentHeader {
  if (nal.length < HEVC_NAL_HEADER_SIZE) throw new ShortBufferError(WHAT, HEVC_NAL_HEADER_SIZE, nal.length);
  const b0 = nal[0] as number;
  const b1 = nal[1] as number;
  const nalUnitType = hevcNalUnitType(b0);
  const irap = isHevcIrapNalUnitType(nalUnitType);
  const reserved =
    (nalUnitType >= HevcNalUnitType.RsvVclN10 && nalUnitType <= HevcNalUnitType.RsvVclR15) ||
    nalUnitType >= HevcNalUnitType.RsvIrapVcl22;
  if (reserved) {
    throw new ProtocolError(`${WHAT}: NAL unit type ${nalUnitType} is not a (non-reserved) slice segment`);
  }
  const nuhLayerId = (b0 & 1) * 32 + (b1 >> 3);
  const temporalIdPlus1 = b1 & 7;
  if (temporalIdPlus1 === 0) throw new ProtocolError(`${WHAT}: nuh_temporal_id_plus1 is 0`);
  const temporalId = temporalIdPlus1 - 1;
  if (irap && temporalId !== 0)
    throw new ProtocolError(`${WHAT}: an IRAP picture with TemporalId ${temporalId}`);

  const r = new BitReader(ebspToRbsp(nal.subarray(HEVC_NAL_HEADER_SIZE)), WHAT);
  const firstSliceSegmentInPic = r.readFlag();
  const noOutputOfPriorPics = irap ? r.readFlag() : undefined;
  const ppsId = r.readUE();
  if (ppsId > 63) throw new ProtocolError(`${WHAT}: slice_pic_parameter_set_id ${ppsId} is outside 0..63`);
  const pps = tables.pps.get(ppsId);
  if (!pps)
    throw new ProtocolError(`${WHAT}: slice_pic_parameter_set_id ${ppsId} names no PPS received so far`);
  const sps = tables.sps.get(pps.spsId);
  if (!sps) throw new ProtocolError(`${WHAT}: PPS ${ppsId} names SPS ${pps.spsId}, not received so far`);

  let dependentSliceSegment = false;
  let sliceSegmentAddress = 0;
  if (!firstSliceSegmentInPic) {
    if (pps.dependentSliceSegmentsEnabled) dependentSliceSegment = r.readFlag();
    if (sps.ctbLog2SizeY < 3 || sps.ctbLog2SizeY > 7) {
      throw new ProtocolError(`${WHAT}: SPS ${sps.spsId} has CtbLog2SizeY ${sps.ctbLog2SizeY}, outside 3..7`);
    }
    const ctb = 2 ** sps.ctbLog2SizeY;
    const picSizeInCtbs = Math.ceil(sps.codedWidth / ctb) * Math.ceil(sps.codedHeight / ctb);
    sliceSegmentAddress = r.readBits(ceilLog2(picSizeInCtbs));
    if (sliceSegmentAddress >= picSizeInCtbs) {
      throw new ProtocolError(
        `${WHAT}: slice_segment_address ${sliceSegmentAddress} is outside 0..${picSizeInCtbs - 1}`,
      );
    }
  }
  const h: HevcSliceSegmentHeader = {
    nalUnitType,
    nuhLayerId,
    temporalId,
    firstSliceSegmentInPic,
    ppsId,
    spsId: pps.spsId,
    dependentSliceSegment,
    sliceSegmentAddress,
  };
  if (noOutputOfPriorPics !== undefined) h.noOutputOfPriorPics = noOutputOfPriorPics;
  if (dependentSliceSegment) return h;

  r.skipBits(pps.numExtraSliceHeaderBits); // slice_reserved_flag[i]
  const sliceType = r.readUE();
  if (sliceType > HevcSliceType.I)
    throw new ProtocolError(`${WHAT}: slice_type ${sliceType} is outside 0..2`);
  h.sliceType = sliceType;
  h.picOutputFlag = pps.outputFlagPresent ? r.readFlag() : true;
  if (sps.separateColourPlane) {
    const id = r.readBits(2);
    if (id > 2) throw new ProtocolError(`${WHAT}: colour_plane_id ${id} is outside 0..2`);
    h.colourPlaneId = id;
  }
  const idr = nalUnitType === HevcNalUnitType.IdrWRadl || nalUnitType === HevcNalUnitType.IdrNLp;
  h.slicePicOrderCntLsb = idr ? 0 : r.readBits(sps.log2MaxPicOrderCntLsb);
  return h;
}
