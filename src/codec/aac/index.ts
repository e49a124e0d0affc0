/**
 * AAC: AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1) and ADTS (ISO/IEC 14496-3 1.A.2.2) parse/pack,
 * the conversions between them, and an ADTS stream splitter. Pure: no I/O, no globals.
 */
export {
  ADTS_BUFFER_FULLNESS_VBR,
  ADTS_HEADER_LENGTH,
  ADTS_HEADER_LENGTH_CRC,
  ADTS_MAX_FRAME_LENGTH,
  ADTS_MAX_HEADER_LENGTH,
  ADTS_SYNCWORD,
  type AdtsHeader,
  adtsHeaderFieldsForConfig,
  adtsHeaderForConfig,
  adtsHeaderLengthAt,
  ascFromAdtsHeader,
  packAdtsHeader,
  parseAdtsHeader,
} from './adts.js';
export {
  type AdtsFrame,
  AdtsSplitter,
  type SplitAdtsOptions,
  type SplitAdtsResult,
  splitAdts,
} from './adts-splitter.js';
export {
  type AacResilienceFlags,
  type AudioSpecificConfig,
  type AudioSpecificConfigOptions,
  type BitString,
  makeAudioSpecificConfig,
  packAudioSpecificConfig,
  parseAudioSpecificConfig,
  type SbrSignalling,
  SYNC_EXTENSION_PS,
  SYNC_EXTENSION_SBR,
} from './audio-specific-config.js';
export {
  AudioObjectType,
  isErObjectType,
  isGaObjectType,
  objectTypeName,
  readAudioObjectType,
  writeAudioObjectType,
} from './object-type.js';
export {
  type PceCcElement,
  type PceChannelElement,
  type ProgramConfigElement,
  pceChannelCount,
} from './program-config-element.js';
export {
  AAC_CHANNEL_COUNTS,
  AAC_EXPLICIT_FREQUENCY_INDEX,
  AAC_SAMPLE_RATES,
  isReservedChannelConfiguration,
  nearestSamplingFrequencyIndex,
  sampleRateFromIndex,
  samplingFrequencyIndexOf,
} from './sampling.js';
