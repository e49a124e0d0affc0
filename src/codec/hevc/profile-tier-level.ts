import type { BitReader } from '../../util/bit-reader.js';

/** The profile/level of one temporal sub-layer, when signalled. */
export interface HevcSubLayerProfileLevel {
  profilePresent: boolean;
  levelPresent: boolean;
  /** The sub-layer profile fields, when profilePresent. */
  profileSpace?: number;
  tierFlag?: boolean;
  profileIdc?: number;
  profileCompatibilityFlags?: number;
  constraintIndicatorFlags?: number;
  /** sub_layer_level_idc, when levelPresent. */
  levelIdc?: number;
}

/** profile_tier_level() with profilePresentFlag = 1 (as in a VPS and an SPS). */
export interface HevcProfileTierLevel {
  /** general_profile_space (0 in every published profile). */
  generalProfileSpace: number;
  /** general_tier_flag: false Main tier, true High tier. */
  generalTierFlag: boolean;
  /** general_profile_idc: 1 Main, 2 Main 10, 3 Main Still Picture, 4 format range extensions ... */
  generalProfileIdc: number;
  /** general_profile_compatibility_flag[0..31], flag j in bit 31 - j (as in the record). */
  generalProfileCompatibilityFlags: number;
  /**
   * The 48 bits after the compatibility flags (progressive_source, interlaced_source,
   * non_packed_constraint, frame_only_constraint and the 44 following bits), as a number.
   */
  generalConstraintIndicatorFlags: number;
  /** general_level_idc: 30 times the level number (93 is level 3.1). */
  generalLevelIdc: number;
  /** One entry per sub-layer below the highest (sps_max_sub_layers_minus1 entries). */
  subLayers: HevcSubLayerProfileLevel[];
}

/** Reads the 48 constraint indicator bits as a number (2^48 is well within 2^53). */
function read48(r: BitReader): number {
  const hi = r.readBits(16);
  return hi * 0x100000000 + r.readBits(32);
}

/**
 * profile_tier_level(1, maxNumSubLayersMinus1), ITU-T H.265 section 7.3.3:
 *
 *   general_profile_space u(2)  general_tier_flag u(1)  general_profile_idc u(5)
 *   general_profile_compatibility_flag[j] u(1) x 32
 *   general_progressive_source_flag .. general_frame_only_constraint_flag u(1) x 4
 *   43 + 1 bits (profile-specific constraint flags, general_inbld_flag / reserved)
 *   general_level_idc u(8)
 *   for (i < maxNumSubLayersMinus1) { sub_layer_profile_present_flag[i] u(1) sub_layer_level_present_flag[i] u(1) }
 *   if (maxNumSubLayersMinus1 > 0) for (i = maxNumSubLayersMinus1; i < 8; i++) reserved_zero_2bits u(2)
 *   for (i < maxNumSubLayersMinus1) {
 *     if (sub_layer_profile_present_flag[i]) 88 bits laid out like the general profile fields
 *     if (sub_layer_level_present_flag[i]) sub_layer_level_idc[i] u(8)
 *   }
 */
export function readProfileTierLevel(r: BitReader, maxNumSubLayersMinus1: number): HevcProfileTierLevel {
  const b = r.readBits(8);
  const generalProfileSpace = b >> 6;
  const generalTierFlag = (b & 0x20) !== 0;
  const generalProfileIdc = b & 0x1f;
  const generalProfileCompatibilityFlags = r.readBits(32);
  const generalConstraintIndicatorFlags = read48(r);
  const generalLevelIdc = r.readBits(8);
  const subLayers: HevcSubLayerProfileLevel[] = [];
  for (let i = 0; i < maxNumSubLayersMinus1; i++) {
    const profilePresent = r.readFlag();
    const levelPresent = r.readFlag();
    subLayers.push({ profilePresent, levelPresent });
  }
  if (maxNumSubLayersMinus1 > 0) r.skipBits(2 * (8 - maxNumSubLayersMinus1));
  for (const s of subLayers) {
    if (s.profilePresent) {
      const sb = r.readBits(8);
      s.profileSpace = sb >> 6;
      s.tierFlag = (sb & 0x20) !== 0;
      s.profileIdc = sb & 0x1f;
      s.profileCompatibilityFlags = r.readBits(32);
      s.constraintIndicatorFlags = read48(r);
    }
    if (s.levelPresent) s.levelIdc = r.readBits(8);
  }
  return {
    generalProfileSpace,
    generalTierFlag,
    generalProfileIdc,
    generalProfileCompatibilityFlags,
    generalConstraintIndicatorFlags,
    generalLevelIdc,
    subLayers,
  };
}
