export type { HevcAccessUnitInfo, HevcParameterSets } from './access-unit.js';
export {
  findHevcParameterSets,
  hevcRecordParameterSets,
  inspectHevcAccessUnit,
  isHevcIrap,
} from './access-unit.js';
export type { BuildHevcRecordOptions } from './build-record.js';
export { buildHevcDecoderConfigurationRecord, makeHevcDecoderConfigurationRecord } from './build-record.js';
export type { HevcDecoderConfigurationRecord, HevcRecordNalArray } from './decoder-configuration-record.js';
export {
  packHevcDecoderConfigurationRecord,
  parseHevcDecoderConfigurationRecord,
} from './decoder-configuration-record.js';
export {
  HevcNalUnitType,
  hevcNalUnitType,
  isHevcIrapNalUnitType,
  isHevcVclNalUnitType,
} from './nal-unit-type.js';
export type { HevcPicOrderCnt } from './poc.js';
export { HevcPicOrderCounter } from './poc.js';
export type { HevcPps } from './pps.js';
export { parseHevcPps } from './pps.js';
export type { HevcProfileTierLevel, HevcSubLayerProfileLevel } from './profile-tier-level.js';
export type { HevcParameterSetTables, HevcSliceSegmentHeader } from './slice-header.js';
export { HevcSliceType, parseHevcSliceSegmentHeader } from './slice-header.js';
export type { HevcConformanceWindow, HevcSps, HevcTiming } from './sps.js';
export { parseHevcSps } from './sps.js';
export type { HevcVps } from './vps.js';
export { parseHevcVps } from './vps.js';
