import type { BitReader } from '../../util/bit-reader.js';
import { ProtocolError, ShortBufferError } from '../../util/errors.js';
import { HevcNalUnitType } from './nal-unit-type.js';
import { type HevcProfileTierLevel, readProfileTierLevel } from './profile-tier-level.js';
import { hevcRbspReader, readUeIn } from './rbsp.js';

const WHAT = 'hevc: sps';

/** Conformance cropping window, converted to luma samples. */
export interface HevcConformanceWindow {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/** VUI timing (ITU-T H.265 Annex E.2.1); one tick is one picture. */
export interface HevcTiming {
  numUnitsInTick: number;
  timeScale: number;
}

/** The fields of a sequence parameter set that a server needs (ITU-T H.265 section 7.4.3.2.1). */
export interface HevcSps {
  vpsId: number;
  /** sps_max_sub_layers_minus1 + 1 (temporal sub-layers, 1..7). */
  maxSubLayers: number;
  temporalIdNesting: boolean;
  profileTierLevel: HevcProfileTierLevel;
  /** general_profile_idc (1 Main, 2 Main 10, 3 Main Still Picture, 4 range extensions ...). */
  profile: number;
  /** general_tier_flag: false Main tier, true High tier. */
  highTier: boolean;
  /** general_level_idc: 30 times the level number. */
  level: number;
  spsId: number;
  /** chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4. */
  chromaFormat: number;
  separateColourPlane: boolean;
  /** pic_width/height_in_luma_samples: the decoded size before the conformance window. */
  codedWidth: number;
  codedHeight: number;
  conformanceWindow: HevcConformanceWindow;
  /** Display width and height (after the conformance window), in luma samples. */
  width: number;
  height: number;
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxPicOrderCntLsb: number;
  /**
   * CtbLog2SizeY = log2_min_luma_coding_block_size_minus3 + 3 + log2_diff_max_min_luma_coding_block_size
   * (section 7.4.3.2.1): a coding tree block is 2^ctbLog2SizeY luma samples square.
   */
  ctbLog2SizeY: number;
  /** VUI timing, when present. */
  timing?: HevcTiming;
  /** Frames per second from the VUI timing (time_scale / num_units_in_tick), when present. */
  frameRate?: number;
  /** min_spatial_segmentation_idc from the VUI bitstream restriction, when present. */
  minSpatialSegmentationIdc?: number;
}

/** Upper bound of delta POCs in one short-term RPS (sps_max_dec_pic_buffering_minus1 < MaxDpbSize = 16). */
const MAX_DPB_SIZE = 16;
const MAX_SHORT_TERM_REF_PIC_SETS = 64;
const EXTENDED_SAR = 255;

/*
 * scaling_list_data(), ITU-T H.265 section 7.3.4, read and dropped:
 *
 *   for (sizeId = 0; sizeId < 4; sizeId++)
 *     for (matrixId = 0; matrixId < 6; matrixId += (sizeId == 3) ? 3 : 1) {
 *       scaling_list_pred_mode_flag u(1)
 *       if (!scaling_list_pred_mode_flag) scaling_list_pred_matrix_id_delta ue(v)
 *       else { if (sizeId > 1) scaling_list_dc_coef_minus8 se(v)
 *              for (i < Min(64, 1 << (4 + (sizeId << 1)))) scaling_list_delta_coef se(v) }
 *     }
 */
function skipScalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.readFlag()) {
        r.readUE();
      } else {
        const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.readSE();
        for (let i = 0; i < coefNum; i++) r.readSE();
      }
    }
  }
}

/*
 * st_ref_pic_set(stRpsIdx) in an SPS, ITU-T H.265 section 7.3.7; returns NumDeltaPocs[stRpsIdx]
 * (counted the way ffmpeg's hvcc writer does):
 *
 *   if (stRpsIdx != 0) inter_ref_pic_set_prediction_flag u(1)
 *   if (inter_ref_pic_set_prediction_flag) {
 *     delta_rps_sign u(1)  abs_delta_rps_minus1 ue(v)
 *     for (j = 0; j <= NumDeltaPocs[stRpsIdx - 1]; j++) {
 *       used_by_curr_pic_flag[j] u(1); if (!used_by_curr_pic_flag[j]) use_delta_flag[j] u(1) }
 *   } else {
 *     num_negative_pics ue(v)  num_positive_pics ue(v)
 *     for (each) { delta_poc_sX_minus1[i] ue(v)  used_by_curr_pic_sX_flag[i] u(1) }
 *   }
 */
function skipShortTermRefPicSet(r: BitReader, idx: number, numDeltaPocs: number[]): number {
  if (idx !== 0 && r.readFlag()) {
    r.skipBits(1);
    r.readUE();
    const prev = numDeltaPocs[idx - 1] ?? 0;
    let n = 0;
    for (let j = 0; j <= prev; j++) {
      const used = r.readFlag();
      if (used || r.readFlag()) n++;
    }
    return n;
  }
  const neg = readUeIn(r, WHAT, 'num_negative_pics', 0, MAX_DPB_SIZE);
  const pos = readUeIn(r, WHAT, 'num_positive_pics', 0, MAX_DPB_SIZE);
  for (let i = 0; i < neg + pos; i++) {
    r.readUE();
    r.skipBits(1);
  }
  return neg + pos;
}

/*
 * sub_layer_hrd_parameters(), ITU-T H.265 section E.2.3, read and dropped:
 *   for (i < CpbCnt) { bit_rate_value_minus1 ue(v) cpb_size_value_minus1 ue(v)
 *     if (sub_pic_hrd_params_present_flag) { cpb_size_du_value_minus1 ue(v) bit_rate_du_value_minus1 ue(v) }
 *     cbr_flag u(1) }
 */
function skipSubLayerHrd(r: BitReader, cpbCnt: number, subPic: boolean): void {
  for (let i = 0; i < cpbCnt; i++) {
    r.readUE();
    r.readUE();
    if (subPic) {
      r.readUE();
      r.readUE();
    }
    r.skipBits(1);
  }
}

/** hrd_parameters(1, maxNumSubLayersMinus1), ITU-T H.265 section E.2.2, read and dropped. */
function skipHrdParameters(r: BitReader, maxNumSubLayersMinus1: number): void {
  const nalHrd = r.readFlag();
  const vclHrd = r.readFlag();
  let subPic = false;
  if (nalHrd || vclHrd) {
    subPic = r.readFlag();
    // tick_divisor_minus2 u(8) du_cpb_removal_delay_increment_length_minus1 u(5)
    // sub_pic_cpb_params_in_pic_timing_sei_flag u(1) dpb_output_delay_du_length_minus1 u(5)
    if (subPic) r.skipBits(19);
    r.skipBits(8); // bit_rate_scale u(4) cpb_size_scale u(4)
    if (subPic) r.skipBits(4); // cpb_size_du_scale
    r.skipBits(15); // initial_cpb_removal_delay_length_minus1, au_cpb_removal_delay_length_minus1, dpb_output_delay_length_minus1
  }
  for (let i = 0; i <= maxNumSubLayersMinus1; i++) {
    const fixedGeneral = r.readFlag();
    const fixedWithinCvs = fixedGeneral ? true : r.readFlag();
    let lowDelay = false;
    if (fixedWithinCvs)
      r.readUE(); // elemental_duration_in_tc_minus1
    else lowDelay = r.readFlag();
    let cpbCnt = 1;
    if (!lowDelay) cpbCnt = readUeIn(r, WHAT, 'cpb_cnt_minus1', 0, 31) + 1;
    if (nalHrd) skipSubLayerHrd(r, cpbCnt, subPic);
    if (vclHrd) skipSubLayerHrd(r, cpbCnt, subPic);
  }
}

interface VuiInfo {
  timing?: HevcTiming;
  minSpatialSegmentationIdc?: number;
}

/*
 * vui_parameters(), ITU-T H.265 section E.2.1, up to min_spatial_segmentation_idc:
 *
 *   aspect_ratio_info_present_flag u(1) -> aspect_ratio_idc u(8) [255: sar_width u(16) sar_height u(16)]
 *   overscan_info_present_flag u(1) -> overscan_appropriate_flag u(1)
 *   video_signal_type_present_flag u(1) -> video_format u(3) video_full_range_flag u(1)
 *     colour_description_present_flag u(1) -> colour_primaries, transfer_characteristics, matrix_coeffs u(8) x 3
 *   chroma_loc_info_present_flag u(1) -> ue(v) x 2
 *   neutral_chroma_indication_flag u(1)  field_seq_flag u(1)  frame_field_info_present_flag u(1)
 *   default_display_window_flag u(1) -> ue(v) x 4
 *   vui_timing_info_present_flag u(1) -> vui_num_units_in_tick u(32) vui_time_scale u(32)
 *     vui_poc_proportional_to_timing_flag u(1) -> vui_num_ticks_poc_diff_one_minus1 ue(v)
 *     vui_hrd_parameters_present_flag u(1) -> hrd_parameters(1, sps_max_sub_layers_minus1)
 *   bitstream_restriction_flag u(1) -> tiles_fixed_structure_flag u(1)
 *     motion_vectors_over_pic_boundaries_flag u(1) restricted_ref_pic_lists_flag u(1)
 *     min_spatial_segmentation_idc ue(v) ...
 */
function readVui(r: BitReader, maxSubLayersMinus1: number, out: VuiInfo): void {
  if (r.readFlag()) {
    if (r.readBits(8) === EXTENDED_SAR) r.skipBits(32);
  }
  if (r.readFlag()) r.skipBits(1);
  if (r.readFlag()) {
    r.skipBits(4);
    if (r.readFlag()) r.skipBits(24);
  }
  if (r.readFlag()) {
    r.readUE();
    r.readUE();
  }
  r.skipBits(3);
  if (r.readFlag()) {
    for (let i = 0; i < 4; i++) r.readUE();
  }
  if (r.readFlag()) {
    const numUnitsInTick = r.readBits(32);
    const timeScale = r.readBits(32);
    out.timing = { numUnitsInTick, timeScale };
    if (r.readFlag()) r.readUE();
    if (r.readFlag()) skipHrdParameters(r, maxSubLayersMinus1);
  }
  if (r.readFlag()) {
    r.skipBits(3);
    out.minSpatialSegmentationIdc = readUeIn(r, WHAT, 'min_spatial_segmentation_idc', 0, 4095);
  }
}

/**
 * Parses a sequence parameter set NAL unit (two-byte header and emulation prevention bytes
 * included, as stored in an HEVCDecoderConfigurationRecord or an Annex B stream).
 *
 * ITU-T H.265 section 7.3.2.2.1 seq_parameter_set_rbsp():
 *
 *   sps_video_parameter_set_id u(4)  sps_max_sub_layers_minus1 u(3)  sps_temporal_id_nesting_flag u(1)
 *   profile_tier_level(1, sps_max_sub_layers_minus1)
 *   sps_seq_parameter_set_id ue(v)
 *   chroma_format_idc ue(v); if (== 3) separate_colour_plane_flag u(1)
 *   pic_width_in_luma_samples ue(v)  pic_height_in_luma_samples ue(v)
 *   conformance_window_flag u(1) -> conf_win_left/right/top/bottom_offset ue(v)
 *   bit_depth_luma_minus8 ue(v)  bit_depth_chroma_minus8 ue(v)
 *   log2_max_pic_order_cnt_lsb_minus4 ue(v)
 *   sps_sub_layer_ordering_info_present_flag u(1) -> per sub-layer 3 x ue(v)
 *   log2_min_luma_coding_block_size_minus3 .. max_transform_hierarchy_depth_intra ue(v) x 6
 *   scaling_list_enabled_flag u(1) -> sps_scaling_list_data_present_flag u(1) -> scaling_list_data()
 *   amp_enabled_flag u(1)  sample_adaptive_offset_enabled_flag u(1)
 *   pcm_enabled_flag u(1) -> u(4) u(4) ue(v) ue(v) u(1)
 *   num_short_term_ref_pic_sets ue(v) -> st_ref_pic_set(i) ...
 *   long_term_ref_pics_present_flag u(1) -> num_long_term_ref_pics_sps ue(v)
 *     -> lt_ref_pic_poc_lsb_sps u(v) used_by_curr_pic_lt_sps_flag u(1) ...
 *   sps_temporal_mvp_enabled_flag u(1)  strong_intra_smoothing_enabled_flag u(1)
 *   vui_parameters_present_flag u(1) -> vui_parameters()
 *   ... (extensions, not parsed)
 *
 * Width and height follow section 7.4.3.2.1 (conformance window offsets in units of
 * SubWidthC/SubHeightC). A VUI cut short gives a result without what it did not reach (timing,
 * min_spatial_segmentation_idc); anything else cut short is a ShortBufferError.
 */
export function parseHevcSps(nal: Uint8Array): HevcSps {
  const r = hevcRbspReader(nal, HevcNalUnitType.SpsNut, WHAT);
  const vpsId = r.readBits(4);
  const maxSubLayersMinus1 = r.readBits(3);
  if (maxSubLayersMinus1 > 6) throw new ProtocolError(`${WHAT}: sps_max_sub_layers_minus1 is 7 (reserved)`);
  const temporalIdNesting = r.readFlag();
  const profileTierLevel = readProfileTierLevel(r, maxSubLayersMinus1);
  const spsId = readUeIn(r, WHAT, 'sps_seq_parameter_set_id', 0, 15);
  const chromaFormat = readUeIn(r, WHAT, 'chroma_format_idc', 0, 3);
  const separateColourPlane = chromaFormat === 3 ? r.readFlag() : false;
  const codedWidth = readUeIn(r, WHAT, 'pic_width_in_luma_samples', 1, 0xffff);
  const codedHeight = readUeIn(r, WHAT, 'pic_height_in_luma_samples', 1, 0xffff);
  const win: HevcConformanceWindow = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.readFlag()) {
    // ChromaArrayType is 0 for monochrome and for separately coded colour planes (Table 6-1).
    const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    win.left = r.readUE() * subWidthC;
    win.right = r.readUE() * subWidthC;
    win.top = r.readUE() * subHeightC;
    win.bottom = r.readUE() * subHeightC;
    if (win.left + win.right >= codedWidth || win.top + win.bottom >= codedHeight) {
      throw new ProtocolError(
        `${WHAT}: conformance window ${win.left},${win.right},${win.top},${win.bottom} leaves no picture of ${codedWidth}x${codedHeight}`,
      );
    }
  }
  const bitDepthLuma = 8 + readUeIn(r, WHAT, 'bit_depth_luma_minus8', 0, 8);
  const bitDepthChroma = 8 + readUeIn(r, WHAT, 'bit_depth_chroma_minus8', 0, 8);
  const log2MaxPicOrderCntLsb = 4 + readUeIn(r, WHAT, 'log2_max_pic_order_cnt_lsb_minus4', 0, 12);

  const orderingInfo = r.readFlag();
  for (let i = orderingInfo ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    readUeIn(r, WHAT, 'sps_max_dec_pic_buffering_minus1', 0, MAX_DPB_SIZE - 1);
    r.readUE(); // sps_max_num_reorder_pics
    r.readUE(); // sps_max_latency_increase_plus1
  }
  const minCbLog2SizeY = r.readUE() + 3; // log2_min_luma_coding_block_size_minus3
  const ctbLog2SizeY = minCbLog2SizeY + r.readUE(); // log2_diff_max_min_luma_coding_block_size
  // log2_min_luma_transform_block_size_minus2, log2_diff_max_min_luma_transform_block_size,
  // max_transform_hierarchy_depth_inter, max_transform_hierarchy_depth_intra
  for (let i = 0; i < 4; i++) r.readUE();
  const sps: HevcSps = {
    vpsId,
    maxSubLayers: maxSubLayersMinus1 + 1,
    temporalIdNesting,
    profileTierLevel,
    profile: profileTierLevel.generalProfileIdc,
    highTier: profileTierLevel.generalTierFlag,
    level: profileTierLevel.generalLevelIdc,
    spsId,
    chromaFormat,
    separateColourPlane,
    codedWidth,
    codedHeight,
    conformanceWindow: win,
    width: codedWidth - win.left - win.right,
    height: codedHeight - win.top - win.bottom,
    bitDepthLuma,
    bitDepthChroma,
    log2MaxPicOrderCntLsb,
    ctbLog2SizeY,
  };
  if (r.readFlag() && r.readFlag()) skipScalingListData(r);
  r.skipBits(2); // amp_enabled_flag, sample_adaptive_offset_enabled_flag
  if (r.readFlag()) {
    r.skipBits(8); // pcm_sample_bit_depth_luma_minus1 u(4), pcm_sample_bit_depth_chroma_minus1 u(4)
    r.readUE();
    r.readUE();
    r.skipBits(1); // pcm_loop_filter_disabled_flag
  }
  const numRps = readUeIn(r, WHAT, 'num_short_term_ref_pic_sets', 0, MAX_SHORT_TERM_REF_PIC_SETS);
  const numDeltaPocs: number[] = [];
  for (let i = 0; i < numRps; i++) numDeltaPocs.push(skipShortTermRefPicSet(r, i, numDeltaPocs));
  if (r.readFlag()) {
    const numLt = readUeIn(r, WHAT, 'num_long_term_ref_pics_sps', 0, 32);
    for (let i = 0; i < numLt; i++) r.skipBits(log2MaxPicOrderCntLsb + 1);
  }
  r.skipBits(2); // sps_temporal_mvp_enabled_flag, strong_intra_smoothing_enabled_flag
  if (r.readFlag()) {
    const vui: VuiInfo = {};
    try {
      readVui(r, maxSubLayersMinus1, vui);
    } catch (e) {
      if (!(e instanceof ShortBufferError)) throw e;
    }
    if (vui.minSpatialSegmentationIdc !== undefined)
      sps.minSpatialSegmentationIdc = vui.minSpatialSegmentationIdc;
    if (vui.timing !== undefined) {
      sps.timing = vui.timing;
      if (vui.timing.numUnitsInTick > 0 && vui.timing.timeScale > 0) {
        sps.frameRate = vui.timing.timeScale / vui.timing.numUnitsInTick;
      }
    }
  }
  return sps;
}
