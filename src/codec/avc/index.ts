export type { AvcAccessUnitInfo, AvcParameterSets } from './access-unit.js';
export { findAvcParameterSets, inspectAvcAccessUnit, isAvcKeyFrame } from './access-unit.js';
export type { BuildAvcRecordOptions } from './build-record.js';
export { buildAvcDecoderConfigurationRecord, makeAvcDecoderConfigurationRecord } from './build-record.js';
export type {
  AvcDecoderConfigurationRecord,
  AvcRecordHighProfileExt,
} from './decoder-configuration-record.js';
export {
  avcRecordHasHighProfileExt,
  packAvcDecoderConfigurationRecord,
  parseAvcDecoderConfigurationRecord,
} from './decoder-configuration-record.js';
export { AvcNalUnitType, avcNalUnitType, isAvcVclNalUnitType } from './nal-unit-type.js';
export type { AvcPicOrderCnt } from './poc.js';
export { AvcPicOrderCounter } from './poc.js';
export type { AvcPps, AvcPpsSliceFields } from './pps.js';
export { parseAvcPps, parseAvcPpsSliceFields } from './pps.js';
export type { AvcParameterSetTables, AvcSliceHeader } from './slice-header.js';
export { AvcSliceType, parseAvcSliceHeader } from './slice-header.js';
export type { AvcCrop, AvcPocType1, AvcSps, AvcTiming } from './sps.js';
export { avcProfileHasChromaInfo, parseAvcSps } from './sps.js';
