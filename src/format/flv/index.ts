/**
 * FLV: the pure library (no sockets, no files, no globals). File header, tag header and whole tags
 * (parse/pack), a sans-IO streaming reader, audio/video tag bodies in the legacy and Enhanced RTMP
 * forms, script data (onMetaData, @setDataFrame), and an O(1) tag classifier for a server's hot path.
 */
export type {
  AacBuildOptions,
  AudioCodedFrame,
  AudioEndOfSequence,
  AudioMultichannelConfig,
  AudioMultitrackBody,
  AudioPacket,
  AudioSequenceHeader,
  AudioSingleTrackBody,
  AudioTagBody,
  AudioTagForm,
  AudioTrack,
} from './audio.js';
export { packAacFrame, packAacSequenceHeader, packAudioTagBody, parseAudioTagBody } from './audio.js';
export type { FlvTagClass } from './classify.js';
export {
  classifyFlvTag,
  hasSetDataFrame,
  isAudioSequenceHeader,
  isMetadataBody,
  isVideoKeyFrame,
  isVideoSequenceHeader,
  peekAudioCodec,
  peekVideoCodec,
} from './classify.js';
export type { AudioCodec, VideoCodec } from './constants.js';
export {
  AacPacketType,
  AudioChannelOrder,
  AudioFourCc,
  AudioPacketType,
  AvcPacketType,
  AvMultitrackType,
  audioCodecFromFourCc,
  audioCodecFromSoundFormat,
  audioFourCcOf,
  FLV_HEADER_SIZE,
  FLV_MAX_DATA_SIZE,
  FLV_PREV_TAG_SIZE_LENGTH,
  FLV_TAG_HEADER_SIZE,
  FlvTagType,
  FlvVideoCodecId,
  FlvVideoFrameType,
  fourCcToString,
  ModExType,
  makeFourCc,
  SoundFormat,
  SoundRate,
  SoundSize,
  SoundType,
  soundFormatOf,
  VideoCommand,
  VideoFourCc,
  VideoPacketType,
  videoCodecFromFourCc,
  videoCodecFromId,
  videoCodecHasCompositionTime,
  videoCodecIdOf,
  videoFourCcOf,
} from './constants.js';
export type { FlvHeader, PackFlvHeaderOptions } from './header.js';
export { packFlvHeader, parseFlvHeader } from './header.js';
export type { ModEx } from './mod-ex.js';
export { MOD_EX_MAX_DATA_SIZE, modExTimestampOffsetNano, timestampOffsetNanoOf } from './mod-ex.js';
export type { FlvReaderItem, FlvReaderOptions, ParseFlvFileOptions } from './reader.js';
export { FLV_READER_DEFAULT_MAX_TAG_SIZE, FlvReader, parseFlvFile } from './reader.js';
export type { PackOnMetaDataOptions, ScriptData, ScriptParseOptions } from './script.js';
export {
  addSetDataFrame,
  ON_META_DATA,
  packOnMetaData,
  packScriptTagBody,
  packVideoMetadata,
  parseOnMetaData,
  parseScriptTagBody,
  parseVideoMetadata,
  SET_DATA_FRAME,
  stripSetDataFrame,
} from './script.js';
export type { FlvTag, FlvTagHeader, ParsedFlvTag, ParseFlvTagOptions } from './tag.js';
export {
  flvTagByteLength,
  isKnownFlvTagType,
  packFlvTag,
  packFlvTagHeader,
  packFlvTagHeaderInto,
  packFlvTagInto,
  parseFlvTag,
  parseFlvTagHeader,
} from './tag.js';
export type {
  VideoBuildOptions,
  VideoCodedFrame,
  VideoCommandPacket,
  VideoEndOfSequence,
  VideoFrameBuildOptions,
  VideoMetadataPacket,
  VideoMpeg2TsSequenceStart,
  VideoMultitrackBody,
  VideoPacket,
  VideoPacketCommon,
  VideoSequenceHeader,
  VideoSingleTrackBody,
  VideoTagBody,
  VideoTagForm,
  VideoTrack,
} from './video.js';
export {
  convertVideoTagBody,
  packVideoEndOfSequence,
  packVideoFrame,
  packVideoSequenceHeader,
  packVideoTagBody,
  parseVideoTagBody,
} from './video.js';
