import { BitReader } from '../../util/bit-reader.js';
import { ProtocolError, ShortBufferError, UnsupportedError } from '../../util/errors.js';
import { ebspToRbsp } from '../nal/emulation-prevention.js';
import { AvcNalUnitType, avcNalUnitType } from './nal-unit-type.js';
import type { AvcPpsSliceFields } from './pps.js';
import type { AvcSps } from './sps.js';

const WHAT = 'avc: slice';

/** slice_type % 5, ITU-T H.264 Table 7-6 (values 5..9 say every slice of the picture has that type). */
export enum AvcSliceType {
  P = 0,
  B = 1,
  I = 2,
  Sp = 3,
  Si = 4,
}

/** The fields of a slice header (ITU-T H.264 section 7.4.3) up to dec_ref_pic_marking(). */
export interface AvcSliceHeader {
  nalUnitType: number;
  /** nal_ref_idc: 0 for a non-reference picture. */
  nalRefIdc: number;
  /** IdrPicFlag: nal_unit_type is 5. */
  idr: boolean;
  firstMbInSlice: number;
  /** slice_type as coded (0..9); `sliceType % 5` is an AvcSliceType. */
  sliceType: number;
  ppsId: number;
  /** The SPS the PPS refers to. */
  spsId: number;
  /** colour_plane_id (0..2), when the SPS has separate_colour_plane_flag. */
  colourPlaneId?: number;
  frameNum: number;
  /** field_pic_flag: the picture is one field (0 when frame_mbs_only_flag is 1). */
  fieldPic: boolean;
  /** bottom_field_flag: the picture is the bottom field. */
  bottomField: boolean;
  /** idr_pic_id (0..65535), for IDR pictures. */
  idrPicId?: number;
  /** pic_order_cnt_lsb, when pic_order_cnt_type is 0. */
  picOrderCntLsb?: number;
  /** delta_pic_order_cnt_bottom, when coded (pic_order_cnt_type 0, frame slice, PPS flag); inferred 0. */
  deltaPicOrderCntBottom?: number;
  /**
   * delta_pic_order_cnt[0] and [1], when pic_order_cnt_type is 1 and the SPS does not say they are
   * always zero; [1] is 0 when not coded (section 7.4.3).
   */
  deltaPicOrderCnt?: [number, number];
  /** redundant_pic_cnt, when the PPS has redundant_pic_cnt_present_flag (0 is the primary picture). */
  redundantPicCnt?: number;
  /** dec_ref_pic_marking() of an IDR picture: no_output_of_prior_pics_flag. */
  noOutputOfPriorPics?: boolean;
  /** dec_ref_pic_marking() of an IDR picture: long_term_reference_flag. */
  longTermReference?: boolean;
  /** memory_management_control_operation values in order (the terminating 0 left out); [] when none. */
  mmcos: number[];
  /** A memory_management_control_operation equal to 5 is present: the POC counter restarts here. */
  mmco5: boolean;
}

/** Parameter sets by id, as a decoder keeps them (the latest one received for each id). */
export interface AvcParameterSetTables {
  sps: ReadonlyMap<number, AvcSps>;
  pps: ReadonlyMap<number, AvcPpsSliceFields>;
}

/** num_ref_idx_active_minus1 <= 31 (field pictures; 15 for frames), section 7.4.3. */
const MAX_NUM_REF_IDX_MINUS1 = 31;
/** A list modification has at most num_ref_idx_active + 1 entries; a marking loop is as bounded. */
const MAX_LIST_OPS = 66;

function readUeMax(r: BitReader, field: string, max: number): number {
  const v = r.readUE();
  if (v > max) throw new ProtocolError(`${WHAT}: ${field} ${v} is outside 0..${max}`);
  return v;
}

/*
 * ref_pic_list_modification() (section 7.3.3.1), read and dropped:
 *   if (slice_type % 5 != 2 && != 4) { ref_pic_list_modification_flag_l0 u(1) -> do {
 *     modification_of_pic_nums_idc ue(v)
 *     if (idc == 0 || idc == 1) abs_diff_pic_num_minus1 ue(v) else if (idc == 2) long_term_pic_num ue(v)
 *   } while (idc != 3) }
 *   if (slice_type % 5 == 1) the same for list 1
 */
function skipRefPicListModification(r: BitReader, type: number): void {
  const lists = type === AvcSliceType.B ? 2 : type === AvcSliceType.I || type === AvcSliceType.Si ? 0 : 1;
  for (let l = 0; l < lists; l++) {
    if (!r.readFlag()) continue;
    for (let n = 0; ; n++) {
      if (n > MAX_LIST_OPS) throw new ProtocolError(`${WHAT}: ref_pic_list_modification does not end`);
      const idc = readUeMax(r, 'modification_of_pic_nums_idc', 3);
      if (idc === 3) break;
      r.readUE();
    }
  }
}

/*
 * pred_weight_table() (section 7.3.3.2), read and dropped:
 *   luma_log2_weight_denom ue(v); if (ChromaArrayType != 0) chroma_log2_weight_denom ue(v)
 *   for (i <= num_ref_idx_l0_active_minus1) {
 *     luma_weight_l0_flag u(1) -> luma_weight_l0[i] se(v) luma_offset_l0[i] se(v)
 *     if (ChromaArrayType != 0) chroma_weight_l0_flag u(1) -> for (j < 2) { chroma_weight se(v) chroma_offset se(v) }
 *   }
 *   if (slice_type % 5 == 1) the same for list 1
 */
function skipPredWeightTable(r: BitReader, chromaArrayType: number, refs: number[]): void {
  readUeMax(r, 'luma_log2_weight_denom', 7);
  if (chromaArrayType !== 0) readUeMax(r, 'chroma_log2_weight_denom', 7);
  for (const n of refs) {
    for (let i = 0; i < n; i++) {
      if (r.readFlag()) {
        r.readSE();
        r.readSE();
      }
      if (chromaArrayType !== 0 && r.readFlag()) {
        for (let j = 0; j < 4; j++) r.readSE();
      }
    }
  }
}

/**
 * Parses the slice header of a coded slice NAL unit (nal_unit_type 1, 2 or 5; one-byte header and
 * emulation prevention bytes included) through dec_ref_pic_marking(), which says whether the
 * picture resets the picture order count (memory_management_control_operation 5). `tables` are the
 * parameter sets received so far; the PPS the slice names and its SPS must be there.
 *
 * ITU-T H.264 (ISO/IEC 14496-10) section 7.3.3 slice_header():
 *
 *   first_mb_in_slice ue(v)  slice_type ue(v)  pic_parameter_set_id ue(v)
 *   if (separate_colour_plane_flag) colour_plane_id u(2)
 *   frame_num u(log2_max_frame_num)
 *   if (!frame_mbs_only_flag) { field_pic_flag u(1); if (field_pic_flag) bottom_field_flag u(1) }
 *   if (IdrPicFlag) idr_pic_id ue(v)
 *   if (pic_order_cnt_type == 0) { pic_order_cnt_lsb u(log2_max_pic_order_cnt_lsb)
 *     if (bottom_field_pic_order_in_frame_present_flag && !field_pic_flag) delta_pic_order_cnt_bottom se(v) }
 *   if (pic_order_cnt_type == 1 && !delta_pic_order_always_zero_flag) { delta_pic_order_cnt[0] se(v)
 *     if (bottom_field_pic_order_in_frame_present_flag && !field_pic_flag) delta_pic_order_cnt[1] se(v) }
 *   if (redundant_pic_cnt_present_flag) redundant_pic_cnt ue(v)
 *   if (B) direct_spatial_mv_pred_flag u(1)
 *   if (P || SP || B) { num_ref_idx_active_override_flag u(1) -> num_ref_idx_l0_active_minus1 ue(v)
 *     [B: num_ref_idx_l1_active_minus1 ue(v)] }
 *   ref_pic_list_modification()
 *   if ((weighted_pred_flag && (P || SP)) || (weighted_bipred_idc == 1 && B)) pred_weight_table()
 *   if (nal_ref_idc != 0) dec_ref_pic_marking():
 *     if (IdrPicFlag) { no_output_of_prior_pics_flag u(1) long_term_reference_flag u(1) }
 *     else { adaptive_ref_pic_marking_mode_flag u(1) -> do { memory_management_control_operation ue(v)
 *       if (1 || 3) difference_of_pic_nums_minus1 ue(v); if (2) long_term_pic_num ue(v)
 *       if (3 || 6) long_term_frame_idx ue(v); if (4) max_long_term_frame_idx_plus1 ue(v)
 *     } while (memory_management_control_operation != 0) }
 *   ... (not parsed: cabac_init_idc, slice_qp_delta, deblocking and slice group fields)
 *
 * Throws ShortBufferError when cut short, ProtocolError on a value the spec does not allow or a
 * parameter set id with no parameter set, UnsupportedError for the SVC/MVC slice types 20 and 21.
 */
export function parseAvcSliceHeader(nal: Uint8Array, tables: AvcParameterSetTables): AvcSliceHeader {
  if (nal.length < 1) throw new ShortBufferError(WHAT, 1, 0);
  const b0 = nal[0] as number;
  const nalUnitType = avcNalUnitType(b0);
  if (nalUnitType === AvcNalUnitType.SliceExtension || nalUnitType === AvcNalUnitType.SliceExtensionDepth) {
    throw new UnsupportedError(`${WHAT}: SVC/MVC slice extensions (type ${nalUnitType}) are not supported`);
  }
  if (
    nalUnitType !== AvcNalUnitType.NonIdrSlice &&
    nalUnitType !== AvcNalUnitType.SliceDataPartitionA &&
    nalUnitType !== AvcNalUnitType.IdrSlice
  ) {
    throw new ProtocolError(`${WHAT}: NAL unit type ${nalUnitType} carries no slice header`);
  }
  const nalRefIdc = (b0 >> 5) & 3;
  const idr = nalUnitType === AvcNalUnitType.IdrSlice;
  if (idr && nalRefIdc === 0) throw new ProtocolError(`${WHAT}: an IDR slice with nal_ref_idc 0`);
  const r = new BitReader(ebspToRbsp(nal.subarray(1)), WHAT);
  const firstMbInSlice = r.readUE();
  const sliceType = readUeMax(r, 'slice_type', 9);
  const type = sliceType % 5; // an AvcSliceType
  const ppsId = readUeMax(r, 'pic_parameter_set_id', 255);
  const pps = tables.pps.get(ppsId);
  if (!pps) throw new ProtocolError(`${WHAT}: pic_parameter_set_id ${ppsId} names no PPS received so far`);
  const sps = tables.sps.get(pps.spsId);
  if (!sps) throw new ProtocolError(`${WHAT}: PPS ${ppsId} names SPS ${pps.spsId}, not received so far`);
  const picSizeInMbs = (sps.codedWidth / 16) * (sps.codedHeight / 16);
  if (firstMbInSlice >= picSizeInMbs) {
    throw new ProtocolError(`${WHAT}: first_mb_in_slice ${firstMbInSlice} is outside 0..${picSizeInMbs - 1}`);
  }
  if (idr && type !== AvcSliceType.I && type !== AvcSliceType.Si) {
    throw new ProtocolError(`${WHAT}: an IDR slice of slice_type ${sliceType}`);
  }

  const h: AvcSliceHeader = {
    nalUnitType,
    nalRefIdc,
    idr,
    firstMbInSlice,
    sliceType,
    ppsId,
    spsId: pps.spsId,
    frameNum: 0,
    fieldPic: false,
    bottomField: false,
    mmcos: [],
    mmco5: false,
  };
  if (sps.separateColourPlane) h.colourPlaneId = readUeMaxBits(r, 2, 'colour_plane_id', 2);
  h.frameNum = r.readBits(sps.log2MaxFrameNum);
  if (idr && h.frameNum !== 0) throw new ProtocolError(`${WHAT}: an IDR slice with frame_num ${h.frameNum}`);
  if (!sps.frameMbsOnly) {
    h.fieldPic = r.readFlag();
    if (h.fieldPic) h.bottomField = r.readFlag();
  }
  if (idr) h.idrPicId = readUeMax(r, 'idr_pic_id', 65535);
  const bottomInFrame = pps.bottomFieldPicOrderInFramePresent && !h.fieldPic;
  if (sps.picOrderCntType === 0) {
    h.picOrderCntLsb = r.readBits(sps.log2MaxPicOrderCntLsb);
    if (bottomInFrame) h.deltaPicOrderCntBottom = r.readSE();
  } else if (sps.picOrderCntType === 1 && !sps.pocType1?.deltaPicOrderAlwaysZero) {
    const d0 = r.readSE();
    const d1 = bottomInFrame ? r.readSE() : 0;
    h.deltaPicOrderCnt = [d0, d1];
  }
  if (pps.redundantPicCntPresent) h.redundantPicCnt = readUeMax(r, 'redundant_pic_cnt', 127);

  if (type === AvcSliceType.B) r.skipBits(1); // direct_spatial_mv_pred_flag
  let numL0 = pps.numRefIdxL0DefaultActive;
  let numL1 = pps.numRefIdxL1DefaultActive;
  const inter = type === AvcSliceType.P || type === AvcSliceType.Sp || type === AvcSliceType.B;
  if (inter && r.readFlag()) {
    numL0 = readUeMax(r, 'num_ref_idx_l0_active_minus1', MAX_NUM_REF_IDX_MINUS1) + 1;
    if (type === AvcSliceType.B)
      numL1 = readUeMax(r, 'num_ref_idx_l1_active_minus1', MAX_NUM_REF_IDX_MINUS1) + 1;
  }
  skipRefPicListModification(r, type);
  const weightedP = pps.weightedPred && (type === AvcSliceType.P || type === AvcSliceType.Sp);
  const weightedB = pps.weightedBipredIdc === 1 && type === AvcSliceType.B;
  if (weightedP || weightedB) {
    const chromaArrayType = sps.separateColourPlane ? 0 : sps.chromaFormat;
    skipPredWeightTable(r, chromaArrayType, weightedB ? [numL0, numL1] : [numL0]);
  }
  if (nalRefIdc !== 0) {
    if (idr) {
      h.noOutputOfPriorPics = r.readFlag();
      h.longTermReference = r.readFlag();
    } else if (r.readFlag()) {
      for (let n = 0; ; n++) {
        if (n > MAX_LIST_OPS) throw new ProtocolError(`${WHAT}: dec_ref_pic_marking does not end`);
        const op = readUeMax(r, 'memory_management_control_operation', 6);
        if (op === 0) break;
        h.mmcos.push(op);
        if (op === 1 || op === 3) r.readUE(); // difference_of_pic_nums_minus1
        if (op === 2) r.readUE(); // long_term_pic_num
        if (op === 3 || op === 6) r.readUE(); // long_term_frame_idx
        if (op === 4) r.readUE(); // max_long_term_frame_idx_plus1
      }
      h.mmco5 = h.mmcos.includes(5);
    }
  }
  return h;
}

function readUeMaxBits(r: BitReader, bits: number, field: string, max: number): number {
  const v = r.readBits(bits);
  if (v > max) throw new ProtocolError(`${WHAT}: ${field} ${v} is outside 0..${max}`);
  return v;
}
