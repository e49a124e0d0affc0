import { BitReader } from '../../util/bit-reader.js';
import { ProtocolError, ShortBufferError } from '../../util/errors.js';
import { ebspToRbsp } from '../nal/emulation-prevention.js';
import { AvcNalUnitType, avcNalUnitType } from './nal-unit-type.js';

/** The leading fields of a picture parameter set. */
export interface AvcPps {
  ppsId: number;
  /** The SPS this PPS refers to. */
  spsId: number;
  /** entropy_coding_mode_flag: true for CABAC, false for CAVLC. */
  entropyCodingModeFlag: boolean;
}

/**
 * Parses the head of a picture parameter set NAL unit (with its one-byte header).
 *
 * ITU-T H.264 (ISO/IEC 14496-10) section 7.3.2.2 pic_parameter_set_rbsp():
 *
 *   pic_parameter_set_id ue(v)       0..255
 *   seq_parameter_set_id ue(v)       0..31
 *   entropy_coding_mode_flag u(1)
 *   ... (not parsed)
 */
export function parseAvcPps(nal: Uint8Array): AvcPps {
  if (nal.length < 1) throw new ShortBufferError('avc: pps', 1, 0);
  const type = avcNalUnitType(nal[0] as number);
  if (type !== AvcNalUnitType.Pps) {
    throw new ProtocolError(`avc: pps: NAL unit type is ${type}, not ${AvcNalUnitType.Pps}`);
  }
  const r = new BitReader(ebspToRbsp(nal.subarray(1)), 'avc: pps');
  const ppsId = r.readUE();
  if (ppsId > 255) throw new ProtocolError(`avc: pps: pic_parameter_set_id ${ppsId} is outside 0..255`);
  const spsId = r.readUE();
  if (spsId > 31) throw new ProtocolError(`avc: pps: seq_parameter_set_id ${spsId} is outside 0..31`);
  const entropyCodingModeFlag = r.readFlag();
  return { ppsId, spsId, entropyCodingModeFlag };
}

/** The picture parameter set fields that a slice header depends on (ITU-T H.264 section 7.4.2.2). */
export interface AvcPpsSliceFields extends AvcPps {
  /** bottom_field_pic_order_in_frame_present_flag: frame slices carry delta_pic_order_cnt_bottom / [1]. */
  bottomFieldPicOrderInFramePresent: boolean;
  /** num_slice_groups_minus1 + 1 (1..8). */
  numSliceGroups: number;
  /** slice_group_map_type (0..6), when numSliceGroups > 1. */
  sliceGroupMapType?: number;
  /** num_ref_idx_l0_default_active_minus1 + 1 (1..32). */
  numRefIdxL0DefaultActive: number;
  /** num_ref_idx_l1_default_active_minus1 + 1 (1..32). */
  numRefIdxL1DefaultActive: number;
  weightedPred: boolean;
  /** weighted_bipred_idc (0..2). */
  weightedBipredIdc: number;
  deblockingFilterControlPresent: boolean;
  constrainedIntraPred: boolean;
  redundantPicCntPresent: boolean;
}

/** Upper bound of num_slice_groups_minus1 (ITU-T H.264 Annex A: 7 in the profiles that allow FMO). */
const MAX_SLICE_GROUPS_MINUS1 = 7;
/** num_ref_idx_lX_default_active_minus1 is in 0..31 (section 7.4.2.2). */
const MAX_NUM_REF_IDX_MINUS1 = 31;

/**
 * Parses a picture parameter set NAL unit (one-byte header included) up to the fields a slice
 * header depends on.
 *
 * ITU-T H.264 (ISO/IEC 14496-10) section 7.3.2.2 pic_parameter_set_rbsp():
 *
 *   pic_parameter_set_id ue(v)  seq_parameter_set_id ue(v)  entropy_coding_mode_flag u(1)
 *   bottom_field_pic_order_in_frame_present_flag u(1)
 *   num_slice_groups_minus1 ue(v)
 *   if (num_slice_groups_minus1 > 0) {
 *     slice_group_map_type ue(v)
 *     if (== 0) for (iGroup <= num_slice_groups_minus1) run_length_minus1[iGroup] ue(v)
 *     else if (== 2) for (iGroup < num_slice_groups_minus1) { top_left[iGroup] ue(v) bottom_right[iGroup] ue(v) }
 *     else if (3..5) { slice_group_change_direction_flag u(1) slice_group_change_rate_minus1 ue(v) }
 *     else if (== 6) { pic_size_in_map_units_minus1 ue(v)
 *       for (i <= pic_size_in_map_units_minus1) slice_group_id[i] u(Ceil(Log2(num_slice_groups_minus1 + 1))) }
 *   }
 *   num_ref_idx_l0_default_active_minus1 ue(v)  num_ref_idx_l1_default_active_minus1 ue(v)
 *   weighted_pred_flag u(1)  weighted_bipred_idc u(2)
 *   pic_init_qp_minus26 se(v)  pic_init_qs_minus26 se(v)  chroma_qp_index_offset se(v)
 *   deblocking_filter_control_present_flag u(1)  constrained_intra_pred_flag u(1)
 *   redundant_pic_cnt_present_flag u(1)
 *   ... (not parsed: the High profile transform_8x8_mode_flag and scaling lists)
 */
export function parseAvcPpsSliceFields(nal: Uint8Array): AvcPpsSliceFields {
  const head = parseAvcPps(nal);
  const what = 'avc: pps';
  const range = (field: string, v: number, max: number): number => {
    if (v > max) throw new ProtocolError(`${what}: ${field} ${v} is outside 0..${max}`);
    return v;
  };
  const r = new BitReader(ebspToRbsp(nal.subarray(1)), what);
  r.readUE();
  r.readUE();
  r.skipBits(1); // entropy_coding_mode_flag
  const bottomFieldPicOrderInFramePresent = r.readFlag();
  const groupsMinus1 = range('num_slice_groups_minus1', r.readUE(), MAX_SLICE_GROUPS_MINUS1);
  let sliceGroupMapType: number | undefined;
  if (groupsMinus1 > 0) {
    sliceGroupMapType = range('slice_group_map_type', r.readUE(), 6);
    if (sliceGroupMapType === 0) {
      for (let i = 0; i <= groupsMinus1; i++) r.readUE();
    } else if (sliceGroupMapType === 2) {
      for (let i = 0; i < groupsMinus1; i++) {
        r.readUE();
        r.readUE();
      }
    } else if (sliceGroupMapType >= 3 && sliceGroupMapType <= 5) {
      r.skipBits(1);
      r.readUE();
    } else if (sliceGroupMapType === 6) {
      const units = r.readUE() + 1;
      const bits = Math.ceil(Math.log2(groupsMinus1 + 1));
      // Each slice_group_id takes `bits` (>= 1) bits: fail at once rather than loop past the end.
      if (units * bits > r.bitsLeft) {
        const total = r.position + r.bitsLeft;
        throw new ShortBufferError(what, Math.ceil((r.position + units * bits) / 8), total / 8);
      }
      r.skipBits(units * bits);
    }
  }
  const numRefIdxL0DefaultActive =
    range('num_ref_idx_l0_default_active_minus1', r.readUE(), MAX_NUM_REF_IDX_MINUS1) + 1;
  const numRefIdxL1DefaultActive =
    range('num_ref_idx_l1_default_active_minus1', r.readUE(), MAX_NUM_REF_IDX_MINUS1) + 1;
  const weightedPred = r.readFlag();
  const weightedBipredIdc = range('weighted_bipred_idc', r.readBits(2), 2);
  r.readSE(); // pic_init_qp_minus26
  r.readSE(); // pic_init_qs_minus26
  r.readSE(); // chroma_qp_index_offset
  const deblockingFilterControlPresent = r.readFlag();
  const constrainedIntraPred = r.readFlag();
  const redundantPicCntPresent = r.readFlag();
  const out: AvcPpsSliceFields = {
    ...head,
    bottomFieldPicOrderInFramePresent,
    numSliceGroups: groupsMinus1 + 1,
    numRefIdxL0DefaultActive,
    numRefIdxL1DefaultActive,
    weightedPred,
    weightedBipredIdc,
    deblockingFilterControlPresent,
    constrainedIntraPred,
    redundantPicCntPresent,
  };
  if (sliceGroupMapType !== undefined) out.sliceGroupMapType = sliceGroupMapType;
  return out;
}
