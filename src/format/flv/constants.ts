/**
 * FLV and Enhanced RTMP constants, named after the spec tables.
 *
 * Legacy: Adobe "Video File Format Specification" v10.1, annex E (E.4.1 FLVTAG, E.4.2.1 AUDIODATA,
 * E.4.2.2 AACAUDIODATA, E.4.3.1 VIDEODATA, E.4.3.2 AVCVIDEOPACKET). Enhanced: veovera "Enhanced RTMP"
 * v1 and v2 (sections "Enhanced Audio", "Enhanced Video": ExAudioTagHeader, ExVideoTagHeader).
 */

import { InvalidArgError } from '../../util/errors.js';

/** Size of the FLV file header (E.2), without PreviousTagSize0. */
export const FLV_HEADER_SIZE = 9;
/** Size of a PreviousTagSize field (E.3). */
export const FLV_PREV_TAG_SIZE_LENGTH = 4;
/** Size of an FLV tag header (E.4.1): type, DataSize, Timestamp, TimestampExtended, StreamID. */
export const FLV_TAG_HEADER_SIZE = 11;
/** The largest DataSize a tag header can carry (UI24). */
export const FLV_MAX_DATA_SIZE = 0xffffff;

/** E.4.1 TagType (UB[5]). */
export enum FlvTagType {
  Audio = 8,
  Video = 9,
  Script = 18,
}

/**
 * E.4.3.1 CodecID (UB[4]) of the legacy VideoTagHeader. Hevc = 12 is not in the Adobe spec: it is the
 * widely deployed extension (Chinese CDNs, SRS, lal, ffmpeg forks) that carries HEVC with the AVC
 * packet layout.
 */
export enum FlvVideoCodecId {
  /** "JPEG (currently unused)" in older spec versions. */
  Jpeg = 1,
  H263 = 2,
  Screen = 3,
  Vp6 = 4,
  Vp6Alpha = 5,
  Screen2 = 6,
  Avc = 7,
  Hevc = 12,
}

/** E.4.3.1 FrameType; in E-RTMP a UB[3] after the IsExHeader bit. */
export enum FlvVideoFrameType {
  Key = 1,
  Inter = 2,
  /** H.263 only. */
  DisposableInter = 3,
  /** Reserved for server use. */
  Generated = 4,
  /** Video info / command frame: the payload is a VideoCommand. */
  Command = 5,
}

/** E-RTMP VideoCommand (also the legacy "video info/command frame" UI8). */
export enum VideoCommand {
  StartSeek = 0,
  EndSeek = 1,
}

/** E.4.3.2 AVCPacketType (also used by the legacy HEVC codec id 12). */
export enum AvcPacketType {
  SequenceHeader = 0,
  Nalu = 1,
  EndOfSequence = 2,
}

/** E-RTMP VideoPacketType (UB[4] after the IsExHeader bit and FrameType). */
export enum VideoPacketType {
  SequenceStart = 0,
  CodedFrames = 1,
  SequenceEnd = 2,
  /** CodedFrames with an implicit composition time offset of zero (no SI24 on the wire). */
  CodedFramesX = 3,
  /** The body is AMF-encoded metadata, not video; the frame type is ignored. */
  Metadata = 4,
  MPEG2TSSequenceStart = 5,
  Multitrack = 6,
  ModEx = 7,
}

/** E-RTMP AudioPacketType (UB[4] after SoundFormat = ExHeader). */
export enum AudioPacketType {
  SequenceStart = 0,
  CodedFrames = 1,
  SequenceEnd = 2,
  MultichannelConfig = 4,
  Multitrack = 5,
  ModEx = 7,
}

/** E-RTMP VideoPacketModExType / AudioPacketModExType (UB[4]). */
export enum ModExType {
  /** modExData holds a UI24 nanosecond offset (0..999999) added to the message timestamp. */
  TimestampOffsetNano = 0,
}

/** E-RTMP AvMultitrackType (UB[4]), shared by audio and video. */
export enum AvMultitrackType {
  OneTrack = 0,
  ManyTracks = 1,
  ManyTracksManyCodecs = 2,
}

/** E-RTMP AudioChannelOrder (MultichannelConfig). */
export enum AudioChannelOrder {
  Unspecified = 0,
  Native = 1,
  Custom = 2,
}

/** Four ASCII characters as the big-endian UI32 that the wire carries (E-RTMP `makeFourCc`). */
export function makeFourCc(s: string): number {
  if (!/^[\x20-\x7e]{4}$/.test(s)) {
    throw new InvalidArgError(`flv: a FourCC is 4 printable ASCII characters, got ${JSON.stringify(s)}`);
  }
  let v = 0;
  for (let i = 0; i < 4; i++) v = v * 256 + s.charCodeAt(i);
  return v;
}

/** The printable form of a FourCC value (non-printable bytes as `\xNN`), for messages and logs. */
export function fourCcToString(v: number): string {
  let s = '';
  for (let shift = 24; shift >= 0; shift -= 8) {
    const c = Math.floor(v / 2 ** shift) % 256;
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return s;
}

/** E-RTMP VideoFourCc. */
export enum VideoFourCc {
  Vp8 = 0x76703038, // 'vp08'
  Vp9 = 0x76703039, // 'vp09'
  Av1 = 0x61763031, // 'av01'
  Avc = 0x61766331, // 'avc1'
  Hevc = 0x68766331, // 'hvc1'
}

/** E-RTMP AudioFourCc. */
export enum AudioFourCc {
  Ac3 = 0x61632d33, // 'ac-3'
  Eac3 = 0x65632d33, // 'ec-3'
  Opus = 0x4f707573, // 'Opus'
  Mp3 = 0x2e6d7033, // '.mp3'
  Flac = 0x664c6143, // 'fLaC'
  Aac = 0x6d703461, // 'mp4a'
}

/** E.4.2.1 SoundFormat (UB[4]); ExHeader = 9 is E-RTMP's switch to the FourCC audio header. */
export enum SoundFormat {
  /** Linear PCM, platform endian. */
  Pcm = 0,
  Adpcm = 1,
  Mp3 = 2,
  /** Linear PCM, little endian. */
  PcmLe = 3,
  Nellymoser16k = 4,
  Nellymoser8k = 5,
  Nellymoser = 6,
  G711A = 7,
  G711U = 8,
  ExHeader = 9,
  Aac = 10,
  Speex = 11,
  Mp38k = 14,
  DeviceSpecific = 15,
}

/** E.4.2.1 SoundRate (UB[2]). AAC is always 3 (the real rate is in the AudioSpecificConfig). */
export enum SoundRate {
  Khz5_5 = 0,
  Khz11 = 1,
  Khz22 = 2,
  Khz44 = 3,
}

/** E.4.2.1 SoundSize (UB[1]). */
export enum SoundSize {
  Bits8 = 0,
  Bits16 = 1,
}

/** E.4.2.1 SoundType (UB[1]). */
export enum SoundType {
  Mono = 0,
  Stereo = 1,
}

/** E.4.2.2 AACPacketType. */
export enum AacPacketType {
  SequenceHeader = 0,
  Raw = 1,
}

/** Video codecs, legacy (CodecID) and enhanced (FourCC) alike. */
export type VideoCodec =
  | 'jpeg'
  | 'h263'
  | 'screen'
  | 'vp6'
  | 'vp6a'
  | 'screen2'
  | 'avc'
  | 'hevc'
  | 'av1'
  | 'vp8'
  | 'vp9';

/** Audio codecs, legacy (SoundFormat) and enhanced (FourCC) alike. */
export type AudioCodec =
  | 'pcm'
  | 'adpcm'
  | 'mp3'
  | 'pcm-le'
  | 'nellymoser-16k'
  | 'nellymoser-8k'
  | 'nellymoser'
  | 'g711a'
  | 'g711u'
  | 'aac'
  | 'speex'
  | 'mp3-8k'
  | 'device-specific'
  | 'opus'
  | 'flac'
  | 'ac3'
  | 'eac3';

const videoCodecById: ReadonlyMap<number, VideoCodec> = new Map<number, VideoCodec>([
  [FlvVideoCodecId.Jpeg, 'jpeg'],
  [FlvVideoCodecId.H263, 'h263'],
  [FlvVideoCodecId.Screen, 'screen'],
  [FlvVideoCodecId.Vp6, 'vp6'],
  [FlvVideoCodecId.Vp6Alpha, 'vp6a'],
  [FlvVideoCodecId.Screen2, 'screen2'],
  [FlvVideoCodecId.Avc, 'avc'],
  [FlvVideoCodecId.Hevc, 'hevc'],
]);
const videoIdByCodec: ReadonlyMap<VideoCodec, number> = new Map(
  [...videoCodecById].map(([k, v]) => [v, k] as const),
);

const videoCodecByFourCc: ReadonlyMap<number, VideoCodec> = new Map<number, VideoCodec>([
  [VideoFourCc.Vp8, 'vp8'],
  [VideoFourCc.Vp9, 'vp9'],
  [VideoFourCc.Av1, 'av1'],
  [VideoFourCc.Avc, 'avc'],
  [VideoFourCc.Hevc, 'hevc'],
]);
const videoFourCcByCodec: ReadonlyMap<VideoCodec, number> = new Map(
  [...videoCodecByFourCc].map(([k, v]) => [v, k] as const),
);

const audioCodecByFormat: ReadonlyMap<number, AudioCodec> = new Map<number, AudioCodec>([
  [SoundFormat.Pcm, 'pcm'],
  [SoundFormat.Adpcm, 'adpcm'],
  [SoundFormat.Mp3, 'mp3'],
  [SoundFormat.PcmLe, 'pcm-le'],
  [SoundFormat.Nellymoser16k, 'nellymoser-16k'],
  [SoundFormat.Nellymoser8k, 'nellymoser-8k'],
  [SoundFormat.Nellymoser, 'nellymoser'],
  [SoundFormat.G711A, 'g711a'],
  [SoundFormat.G711U, 'g711u'],
  [SoundFormat.Aac, 'aac'],
  [SoundFormat.Speex, 'speex'],
  [SoundFormat.Mp38k, 'mp3-8k'],
  [SoundFormat.DeviceSpecific, 'device-specific'],
]);
const audioFormatByCodec: ReadonlyMap<AudioCodec, number> = new Map(
  [...audioCodecByFormat].map(([k, v]) => [v, k] as const),
);

const audioCodecByFourCc: ReadonlyMap<number, AudioCodec> = new Map<number, AudioCodec>([
  [AudioFourCc.Ac3, 'ac3'],
  [AudioFourCc.Eac3, 'eac3'],
  [AudioFourCc.Opus, 'opus'],
  [AudioFourCc.Mp3, 'mp3'],
  [AudioFourCc.Flac, 'flac'],
  [AudioFourCc.Aac, 'aac'],
]);
const audioFourCcByCodec: ReadonlyMap<AudioCodec, number> = new Map(
  [...audioCodecByFourCc].map(([k, v]) => [v, k] as const),
);

/** The codec of a legacy CodecID, or undefined for a reserved value. */
export function videoCodecFromId(id: number): VideoCodec | undefined {
  return videoCodecById.get(id);
}

/** The legacy CodecID of a codec, or undefined when it has none (AV1, VP8, VP9). */
export function videoCodecIdOf(codec: VideoCodec): number | undefined {
  return videoIdByCodec.get(codec);
}

/** The codec of an E-RTMP VideoFourCc, or undefined when unknown. */
export function videoCodecFromFourCc(fourCc: number): VideoCodec | undefined {
  return videoCodecByFourCc.get(fourCc);
}

/** The E-RTMP VideoFourCc of a codec, or undefined when it has none (the older Flash codecs). */
export function videoFourCcOf(codec: VideoCodec): number | undefined {
  return videoFourCcByCodec.get(codec);
}

/** The codec of a legacy SoundFormat, or undefined for a reserved value or ExHeader. */
export function audioCodecFromSoundFormat(format: number): AudioCodec | undefined {
  return audioCodecByFormat.get(format);
}

/** The legacy SoundFormat of a codec, or undefined when it has none (Opus, FLAC, AC-3, E-AC-3). */
export function soundFormatOf(codec: AudioCodec): number | undefined {
  return audioFormatByCodec.get(codec);
}

/** The codec of an E-RTMP AudioFourCc, or undefined when unknown. */
export function audioCodecFromFourCc(fourCc: number): AudioCodec | undefined {
  return audioCodecByFourCc.get(fourCc);
}

/** The E-RTMP AudioFourCc of a codec, or undefined when it has none. */
export function audioFourCcOf(codec: AudioCodec): number | undefined {
  return audioFourCcByCodec.get(codec);
}

/** Codecs whose CodedFrames (E-RTMP) and NALU packets (legacy) carry an SI24 composition time. */
export function videoCodecHasCompositionTime(codec: VideoCodec): boolean {
  return codec === 'avc' || codec === 'hevc';
}
