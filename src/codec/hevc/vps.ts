import { ProtocolError } from '../../util/errors.js';
import { HevcNalUnitType } from './nal-unit-type.js';
import { type HevcProfileTierLevel, readProfileTierLevel } from './profile-tier-level.js';
import { hevcRbspReader } from './rbsp.js';

/** The leading fields of a video parameter set. */
export interface HevcVps {
  vpsId: number;
  /** vps_max_layers_minus1 + 1. */
  maxLayers: number;
  /** vps_max_sub_layers_minus1 + 1 (temporal sub-layers, 1..7). */
  maxSubLayers: number;
  temporalIdNesting: boolean;
  profileTierLevel: HevcProfileTierLevel;
}

/**
 * Parses the head of a video parameter set NAL unit (two-byte header included).
 *
 * ITU-T H.265 section 7.3.2.1 video_parameter_set_rbsp():
 *
 *   vps_video_parameter_set_id u(4)  vps_base_layer_internal_flag u(1)
 *   vps_base_layer_available_flag u(1)  vps_max_layers_minus1 u(6)
 *   vps_max_sub_layers_minus1 u(3)  vps_temporal_id_nesting_flag u(1)
 *   vps_reserved_0xffff_16bits u(16)
 *   profile_tier_level(1, vps_max_sub_layers_minus1)
 *   ... (not parsed)
 */
export function parseHevcVps(nal: Uint8Array): HevcVps {
  const what = 'hevc: vps';
  const r = hevcRbspReader(nal, HevcNalUnitType.VpsNut, what);
  const vpsId = r.readBits(4);
  r.skipBits(2);
  const maxLayers = r.readBits(6) + 1;
  const maxSubLayersMinus1 = r.readBits(3);
  if (maxSubLayersMinus1 > 6) throw new ProtocolError(`${what}: vps_max_sub_layers_minus1 is 7 (reserved)`);
  const temporalIdNesting = r.readFlag();
  r.skipBits(16);
  const profileTierLevel = readProfileTierLevel(r, maxSubLayersMinus1);
  return { vpsId, maxLayers, maxSubLayers: maxSubLayersMinus1 + 1, temporalIdNesting, profileTierLevel };
}
