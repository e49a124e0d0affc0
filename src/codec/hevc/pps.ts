import { HevcNalUnitType } from './nal-unit-type.js';
import { hevcRbspReader, readUeIn } from './rbsp.js';

/** The leading fields of a picture parameter set, up to the parallelism tools. */
export interface HevcPps {
  ppsId: number;
  /** The SPS this PPS refers to. */
  spsId: number;
  /** dependent_slice_segments_enabled_flag: slice segment headers may carry dependent_slice_segment_flag. */
  dependentSliceSegmentsEnabled: boolean;
  /** output_flag_present_flag: slice segment headers carry pic_output_flag. */
  outputFlagPresent: boolean;
  /** num_extra_slice_header_bits (0..7): slice_reserved_flag bits in each slice segment header. */
  numExtraSliceHeaderBits: number;
  tilesEnabled: boolean;
  entropyCodingSyncEnabled: boolean;
}

/**
 * Parses the head of a picture parameter set NAL unit (two-byte header included).
 *
 * ITU-T H.265 section 7.3.2.3.1 pic_parameter_set_rbsp():
 *
 *   pps_pic_parameter_set_id ue(v)  pps_seq_parameter_set_id ue(v)
 *   dependent_slice_segments_enabled_flag u(1)  output_flag_present_flag u(1)
 *   num_extra_slice_header_bits u(3)  sign_data_hiding_enabled_flag u(1)  cabac_init_present_flag u(1)
 *   num_ref_idx_l0_default_active_minus1 ue(v)  num_ref_idx_l1_default_active_minus1 ue(v)
 *   init_qp_minus26 se(v)  constrained_intra_pred_flag u(1)  transform_skip_enabled_flag u(1)
 *   cu_qp_delta_enabled_flag u(1) -> diff_cu_qp_delta_depth ue(v)
 *   pps_cb_qp_offset se(v)  pps_cr_qp_offset se(v)
 *   pps_slice_chroma_qp_offsets_present_flag u(1)  weighted_pred_flag u(1)  weighted_bipred_flag u(1)
 *   transquant_bypass_enabled_flag u(1)  tiles_enabled_flag u(1)  entropy_coding_sync_enabled_flag u(1)
 *   ... (not parsed)
 */
export function parseHevcPps(nal: Uint8Array): HevcPps {
  const what = 'hevc: pps';
  const r = hevcRbspReader(nal, HevcNalUnitType.PpsNut, what);
  const ppsId = readUeIn(r, what, 'pps_pic_parameter_set_id', 0, 63);
  const spsId = readUeIn(r, what, 'pps_seq_parameter_set_id', 0, 15);
  const dependentSliceSegmentsEnabled = r.readFlag();
  const outputFlagPresent = r.readFlag();
  const numExtraSliceHeaderBits = r.readBits(3);
  r.skipBits(2); // sign_data_hiding_enabled_flag, cabac_init_present_flag
  r.readUE();
  r.readUE();
  r.readSE();
  r.skipBits(2);
  if (r.readFlag()) r.readUE();
  r.readSE();
  r.readSE();
  r.skipBits(4);
  const tilesEnabled = r.readFlag();
  const entropyCodingSyncEnabled = r.readFlag();
  return {
    ppsId,
    spsId,
    dependentSliceSegmentsEnabled,
    outputFlagPresent,
    numExtraSliceHeaderBits,
    tilesEnabled,
    entropyCodingSyncEnabled,
  };
}
