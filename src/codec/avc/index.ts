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
export type { AvcPps } from './pps.js';
export { parseAvcPps } from './pps.js';
export type { AvcCrop, AvcSps, AvcTiming } from './sps.js';
export { avcProfileHasChromaInfo, parseAvcSps } from './sps.js';
