import { BitReader } from '../../util/bit-reader.js';
import { ProtocolError, ShortBufferError } from '../../util/errors.js';
import { ebspToRbsp } from '../nal/emulation-prevention.js';
import { AvcNalUnitType, avcNalUnitType } from './nal-unit-type.js';

/** VUI timing (ITU-T H.264 Annex E.2.1); one tick is one field, so a frame lasts two ticks. */
export interface AvcTiming {
  numUnitsInTick: number;
  timeScale: number;
  fixedFrameRate: boolean;
}

/** Frame cropping offsets, converted to luma samples. */
export interface AvcCrop {
  left: number;
  right: number;
  top: number;
  bottom: number;
}

/**
 * The pic_order_cnt_type 1 parameters of a sequence parameter set (ITU-T H.264 section 7.4.2.1.1),
 * used by the picture order count derivation of section 8.2.1.2.
 */
export interface AvcPocType1 {
  /** delta_pic_order_always_zero_flag: slice headers carry no delta_pic_order_cnt[]. */
  deltaPicOrderAlwaysZero: boolean;
  /** offset_for_non_ref_pic. */
  offsetForNonRefPic: number;
  /** offset_for_top_to_bottom_field. */
  offsetForTopToBottomField: number;
  /** offset_for_ref_frame[i], num_ref_frames_in_pic_order_cnt_cycle entries (0..255). */
  offsetForRefFrame: number[];
}

/** The fields of a sequence parameter set that a server needs (ITU-T H.264 section 7.4.2.1.1). */
export interface AvcSps {
  /** profile_idc (66 Baseline, 77 Main, 88 Extended, 100 High, 110 High 10, 122 High 4:2:2, 244 High 4:4:4 ...). */
  profile: number;
  /** The byte after profile_idc: constraint_set0_flag (0x80) .. constraint_set5_flag (0x04), reserved_zero_2bits. */
  constraintFlags: number;
  /** level_idc: ten times the level number (31 is level 3.1; 11 with constraint_set3 is level 1b). */
  level: number;
  spsId: number;
  /** chroma_format_idc: 0 monochrome, 1 4:2:0, 2 4:2:2, 3 4:4:4 (1 when the profile does not code it). */
  chromaFormat: number;
  separateColourPlane: boolean;
  bitDepthLuma: number;
  bitDepthChroma: number;
  /** seq_scaling_matrix_present_flag (the lists themselves are skipped). */
  scalingMatrixPresent: boolean;
  log2MaxFrameNum: number;
  picOrderCntType: number;
  /** log2_max_pic_order_cnt_lsb_minus4 + 4 when picOrderCntType is 0, else 0. */
  log2MaxPicOrderCntLsb: number;
  /** The pic_order_cnt_type 1 parameters; present exactly when picOrderCntType is 1. */
  pocType1?: AvcPocType1;
  maxNumRefFrames: number;
  /** frame_mbs_only_flag: false means the stream may hold field pictures (interlaced). */
  frameMbsOnly: boolean;
  /** Width and height of the decoded frame before cropping, in luma samples. */
  codedWidth: number;
  codedHeight: number;
  crop: AvcCrop;
  /** Display width and height (after cropping), in luma samples. */
  width: number;
  height: number;
  /** VUI timing, when present. */
  timing?: AvcTiming;
  /** Frames per second from the VUI timing (time_scale / (2 * num_units_in_tick)), when present. */
  frameRate?: number;
}

/**
 * profile_idc values whose SPS carries chroma_format_idc, bit depths and scaling matrices
 * (ITU-T H.264 section 7.3.2.1.1).
 */
const CHROMA_INFO_PROFILES: ReadonlySet<number> = new Set([
  100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135,
]);

/** True when an SPS with this profile_idc codes chroma_format_idc and the bit depths. */
export function avcProfileHasChromaInfo(profile: number): boolean {
  return CHROMA_INFO_PROFILES.has(profile);
}

const EXTENDED_SAR = 255;

function checkRange(what: string, v: number, min: number, max: number): number {
  if (v < min || v > max) throw new ProtocolError(`avc: sps: ${what} ${v} is outside ${min}..${max}`);
  return v;
}

/** scaling_list() (ITU-T H.264 section 7.3.2.1.1.1), read and dropped. */
function skipScalingList(r: BitReader, size: number): void {
  let lastScale = 8;
  let nextScale = 8;
  for (let j = 0; j < size; j++) {
    if (nextScale !== 0) {
      const delta = r.readSE();
      checkRange('delta_scale', delta, -128, 127);
      nextScale = (lastScale + delta + 256) % 256;
    }
    if (nextScale !== 0) lastScale = nextScale;
  }
}

/*
 * vui_parameters() (ITU-T H.264 Annex E.1.1), up to the timing information:
 *
 *   aspect_ratio_info_present_flag u(1)
 *     aspect_ratio_idc u(8); if (== 255 Extended_SAR) { sar_width u(16) sar_height u(16) }
 *   overscan_info_present_flag u(1)        -> overscan_appropriate_flag u(1)
 *   video_signal_type_present_flag u(1)    -> video_format u(3) video_full_range_flag u(1)
 *                                             colour_description_present_flag u(1) -> 3 x u(8)
 *   chroma_loc_info_present_flag u(1)      -> 2 x ue(v)
 *   timing_info_present_flag u(1)          -> num_units_in_tick u(32) time_scale u(32)
 *                                             fixed_frame_rate_flag u(1)
 */
function readVuiTiming(r: BitReader): AvcTiming | undefined {
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
  if (!r.readFlag()) return undefined;
  const numUnitsInTick = r.readBits(32);
  const timeScale = r.readBits(32);
  const fixedFrameRate = r.readFlag();
  return { numUnitsInTick, timeScale, fixedFrameRate };
}

/**
 * Parses a sequence parameter set NAL unit (with its one-byte header, emulation prevention bytes
 * included, as stored in an AVCDecoderConfigurationRecord or an Annex B stream).
 *
 * ITU-T H.264 (ISO/IEC 14496-10) section 7.3.2.1.1 seq_parameter_set_data():
 *
 *   profile_idc u(8)  constraint_set0..5_flag u(1) x 6  reserved_zero_2bits u(2)  level_idc u(8)
 *   seq_parameter_set_id ue(v)
 *   if (profile_idc in 100 110 122 244 44 83 86 118 128 138 139 134 135) {
 *     chroma_format_idc ue(v); if (== 3) separate_colour_plane_flag u(1)
 *     bit_depth_luma_minus8 ue(v)  bit_depth_chroma_minus8 ue(v)
 *     qpprime_y_zero_transform_bypass_flag u(1)  seq_scaling_matrix_present_flag u(1)
 *     if (seq_scaling_matrix_present_flag) for (i < (chroma_format_idc != 3 ? 8 : 12))
 *       seq_scaling_list_present_flag[i] u(1) -> scaling_list(i < 6 ? 16 : 64)
 *   }
 *   log2_max_frame_num_minus4 ue(v)  pic_order_cnt_type ue(v)
 *   if (pic_order_cnt_type == 0) log2_max_pic_order_cnt_lsb_minus4 ue(v)
 *   else if (== 1) { delta_pic_order_always_zero_flag u(1) offset_for_non_ref_pic se(v)
 *     offset_for_top_to_bottom_field se(v) num_ref_frames_in_pic_order_cnt_cycle ue(v)
 *     offset_for_ref_frame[i] se(v) ... }
 *   max_num_ref_frames ue(v)  gaps_in_frame_num_value_allowed_flag u(1)
 *   pic_width_in_mbs_minus1 ue(v)  pic_height_in_map_units_minus1 ue(v)
 *   frame_mbs_only_flag u(1); if (!frame_mbs_only_flag) mb_adaptive_frame_field_flag u(1)
 *   direct_8x8_inference_flag u(1)
 *   frame_cropping_flag u(1) -> frame_crop_left/right/top/bottom_offset ue(v)
 *   vui_parameters_present_flag u(1) -> vui_parameters()
 *
 * Width and height follow section 7.4.2.1.1 (frame_crop_* in units of CropUnitX/CropUnitY).
 * A VUI cut short before its timing information (seen from some encoders; ffmpeg tolerates it
 * too) gives a result without `timing`; anything else cut short is a ShortBufferError.
 */
export function parseAvcSps(nal: Uint8Array): AvcSps {
  if (nal.length < 1) throw new ShortBufferError('avc: sps', 1, 0);
  const type = avcNalUnitType(nal[0] as number);
  if (type !== AvcNalUnitType.Sps) {
    throw new ProtocolError(`avc: sps: NAL unit type is ${type}, not ${AvcNalUnitType.Sps}`);
  }
  const r = new BitReader(ebspToRbsp(nal.subarray(1)), 'avc: sps');
  const profile = r.readBits(8);
  const constraintFlags = r.readBits(8);
  const level = r.readBits(8);
  const spsId = checkRange('seq_parameter_set_id', r.readUE(), 0, 31);

  let chromaFormat = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  let scalingMatrixPresent = false;
  if (CHROMA_INFO_PROFILES.has(profile)) {
    chromaFormat = checkRange('chroma_format_idc', r.readUE(), 0, 3);
    if (chromaFormat === 3) separateColourPlane = r.readFlag();
    bitDepthLuma = 8 + checkRange('bit_depth_luma_minus8', r.readUE(), 0, 6);
    bitDepthChroma = 8 + checkRange('bit_depth_chroma_minus8', r.readUE(), 0, 6);
    r.skipBits(1); // qpprime_y_zero_transform_bypass_flag
    scalingMatrixPresent = r.readFlag();
    if (scalingMatrixPresent) {
      const lists = chromaFormat !== 3 ? 8 : 12;
      for (let i = 0; i < lists; i++) {
        if (r.readFlag()) skipScalingList(r, i < 6 ? 16 : 64);
      }
    }
  }

  const log2MaxFrameNum = 4 + checkRange('log2_max_frame_num_minus4', r.readUE(), 0, 12);
  const picOrderCntType = checkRange('pic_order_cnt_type', r.readUE(), 0, 2);
  let log2MaxPicOrderCntLsb = 0;
  let pocType1: AvcPocType1 | undefined;
  if (picOrderCntType === 0) {
    log2MaxPicOrderCntLsb = 4 + checkRange('log2_max_pic_order_cnt_lsb_minus4', r.readUE(), 0, 12);
  } else if (picOrderCntType === 1) {
    const deltaPicOrderAlwaysZero = r.readFlag();
    const offsetForNonRefPic = r.readSE();
    const offsetForTopToBottomField = r.readSE();
    const cycle = checkRange('num_ref_frames_in_pic_order_cnt_cycle', r.readUE(), 0, 255);
    const offsetForRefFrame: number[] = [];
    for (let i = 0; i < cycle; i++) offsetForRefFrame.push(r.readSE());
    pocType1 = { deltaPicOrderAlwaysZero, offsetForNonRefPic, offsetForTopToBottomField, offsetForRefFrame };
  }
  const maxNumRefFrames = r.readUE();
  r.skipBits(1); // gaps_in_frame_num_value_allowed_flag
  const widthInMbs = r.readUE() + 1;
  const heightInMapUnits = r.readUE() + 1;
  const frameMbsOnly = r.readFlag();
  if (!frameMbsOnly) r.skipBits(1); // mb_adaptive_frame_field_flag
  r.skipBits(1); // direct_8x8_inference_flag

  const codedWidth = widthInMbs * 16;
  const codedHeight = (frameMbsOnly ? 1 : 2) * heightInMapUnits * 16;
  const crop: AvcCrop = { left: 0, right: 0, top: 0, bottom: 0 };
  if (r.readFlag()) {
    // ChromaArrayType is 0 for monochrome and for separately coded colour planes.
    const chromaArrayType = separateColourPlane ? 0 : chromaFormat;
    const subWidthC = chromaArrayType === 1 || chromaArrayType === 2 ? 2 : 1;
    const subHeightC = chromaArrayType === 1 ? 2 : 1;
    const cropUnitX = subWidthC;
    const cropUnitY = subHeightC * (frameMbsOnly ? 1 : 2);
    crop.left = r.readUE() * cropUnitX;
    crop.right = r.readUE() * cropUnitX;
    crop.top = r.readUE() * cropUnitY;
    crop.bottom = r.readUE() * cropUnitY;
    if (crop.left + crop.right >= codedWidth || crop.top + crop.bottom >= codedHeight) {
      throw new ProtocolError(
        `avc: sps: frame cropping ${crop.left},${crop.right},${crop.top},${crop.bottom} leaves no picture of ${codedWidth}x${codedHeight}`,
      );
    }
  }

  const sps: AvcSps = {
    profile,
    constraintFlags,
    level,
    spsId,
    chromaFormat,
    separateColourPlane,
    bitDepthLuma,
    bitDepthChroma,
    scalingMatrixPresent,
    log2MaxFrameNum,
    picOrderCntType,
    log2MaxPicOrderCntLsb,
    maxNumRefFrames,
    frameMbsOnly,
    codedWidth,
    codedHeight,
    crop,
    width: codedWidth - crop.left - crop.right,
    height: codedHeight - crop.top - crop.bottom,
  };
  if (pocType1 !== undefined) sps.pocType1 = pocType1;

  if (r.readFlag()) {
    let timing: AvcTiming | undefined;
    try {
      timing = readVuiTiming(r);
    } catch (e) {
      if (!(e instanceof ShortBufferError)) throw e;
    }
    if (timing !== undefined) {
      sps.timing = timing;
      if (timing.numUnitsInTick > 0 && timing.timeScale > 0) {
        sps.frameRate = timing.timeScale / (2 * timing.numUnitsInTick);
      }
    }
  }
  return sps;
}
