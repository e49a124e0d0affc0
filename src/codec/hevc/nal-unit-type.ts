/**
 * nal_unit_type, ITU-T H.265 Table 7-1 "NAL unit type codes and NAL unit type classes". Member
 * names are the spec's mnemonics in PascalCase (BLA_W_LP -> BlaWLp). The NAL unit header is two
 * bytes: forbidden_zero_bit f(1), nal_unit_type u(6), nuh_layer_id u(6), nuh_temporal_id_plus1 u(3).
 */
export enum HevcNalUnitType {
  /** Coded slice segment of a non-TSA, non-STSA trailing picture, sub-layer non-reference. */
  TrailN = 0,
  TrailR = 1,
  /** Temporal sub-layer access. */
  TsaN = 2,
  TsaR = 3,
  /** Step-wise temporal sub-layer access. */
  StsaN = 4,
  StsaR = 5,
  /** Random access decodable leading picture. */
  RadlN = 6,
  RadlR = 7,
  /** Random access skipped leading picture. */
  RaslN = 8,
  RaslR = 9,
  RsvVclN10 = 10,
  RsvVclR11 = 11,
  RsvVclN12 = 12,
  RsvVclR13 = 13,
  RsvVclN14 = 14,
  RsvVclR15 = 15,
  /** Broken link access (IRAP), may have leading pictures. */
  BlaWLp = 16,
  BlaWRadl = 17,
  BlaNLp = 18,
  /** Instantaneous decoding refresh (IRAP). */
  IdrWRadl = 19,
  IdrNLp = 20,
  /** Clean random access (IRAP). */
  CraNut = 21,
  RsvIrapVcl22 = 22,
  RsvIrapVcl23 = 23,
  /** First of the reserved non-IRAP VCL types RSV_VCL24..RSV_VCL31. */
  RsvVcl24 = 24,
  /** Last VCL type. */
  RsvVcl31 = 31,
  /** Video parameter set. */
  VpsNut = 32,
  /** Sequence parameter set. */
  SpsNut = 33,
  /** Picture parameter set. */
  PpsNut = 34,
  /** Access unit delimiter. */
  AudNut = 35,
  /** End of sequence. */
  EosNut = 36,
  /** End of bitstream. */
  EobNut = 37,
  /** Filler data. */
  FdNut = 38,
  /** Supplemental enhancement information, prefix. */
  PrefixSeiNut = 39,
  /** Supplemental enhancement information, suffix. */
  SuffixSeiNut = 40,
  /** First of the reserved non-VCL types RSV_NVCL41..RSV_NVCL47. */
  RsvNvcl41 = 41,
  RsvNvcl47 = 47,
  /** First of the unspecified types UNSPEC48..UNSPEC63. */
  Unspec48 = 48,
  Unspec63 = 63,
}

/** nal_unit_type of a NAL unit whose first header byte is `b0`. */
export function hevcNalUnitType(b0: number): number {
  return (b0 >> 1) & 0x3f;
}

/** True for VCL NAL unit types (0..31, coded slice segments and reserved VCL types). */
export function isHevcVclNalUnitType(type: number): boolean {
  return type >= 0 && type <= HevcNalUnitType.RsvVcl31;
}

/**
 * True for the intra random access point types 16..23 (BLA_W_LP .. RSV_IRAP_VCL23, H.265 section
 * 7.4.2.2): BLA, IDR and CRA pictures, where decoding can start.
 */
export function isHevcIrapNalUnitType(type: number): boolean {
  return type >= HevcNalUnitType.BlaWLp && type <= HevcNalUnitType.RsvIrapVcl23;
}
