/**
 * nal_unit_type, ITU-T H.264 (ISO/IEC 14496-10) Table 7-1 "NAL unit type codes". The NAL unit
 * header is one byte: forbidden_zero_bit f(1), nal_ref_idc u(2), nal_unit_type u(5).
 */
export enum AvcNalUnitType {
  Unspecified = 0,
  /** Coded slice of a non-IDR picture. */
  NonIdrSlice = 1,
  /** Coded slice data partition A. */
  SliceDataPartitionA = 2,
  /** Coded slice data partition B. */
  SliceDataPartitionB = 3,
  /** Coded slice data partition C. */
  SliceDataPartitionC = 4,
  /** Coded slice of an IDR picture. */
  IdrSlice = 5,
  /** Supplemental enhancement information. */
  Sei = 6,
  /** Sequence parameter set. */
  Sps = 7,
  /** Picture parameter set. */
  Pps = 8,
  /** Access unit delimiter. */
  Aud = 9,
  EndOfSequence = 10,
  EndOfStream = 11,
  FillerData = 12,
  /** Sequence parameter set extension. */
  SpsExtension = 13,
  /** Prefix NAL unit (SVC/MVC). */
  PrefixNal = 14,
  /** Subset sequence parameter set (SVC/MVC). */
  SubsetSps = 15,
  /** Depth parameter set (3D-AVC). */
  DepthParameterSet = 16,
  /** Coded slice of an auxiliary coded picture without partitioning. */
  AuxiliarySlice = 19,
  /** Coded slice extension (SVC/MVC). */
  SliceExtension = 20,
  /** Coded slice extension for a depth view component (3D-AVC). */
  SliceExtensionDepth = 21,
}

/** nal_unit_type of a NAL unit whose first (header) byte is `b0`. */
export function avcNalUnitType(b0: number): number {
  return b0 & 0x1f;
}

/**
 * True for the VCL NAL unit types of the primary coded picture (slices and slice data partitions,
 * types 1..5; ITU-T H.264 section 7.4.1.2.3).
 */
export function isAvcVclNalUnitType(type: number): boolean {
  return type >= AvcNalUnitType.NonIdrSlice && type <= AvcNalUnitType.IdrSlice;
}
