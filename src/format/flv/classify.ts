import { be16, be32 } from '../../util/bele.js';
import {
  AacPacketType,
  type AudioCodec,
  AudioPacketType,
  AvcPacketType,
  audioCodecFromFourCc,
  audioCodecFromSoundFormat,
  FlvTagType,
  FlvVideoCodecId,
  FlvVideoFrameType,
  SoundFormat,
  type VideoCodec,
  VideoPacketType,
  videoCodecFromFourCc,
  videoCodecFromId,
} from './constants.js';

/** What a tag is, as far as a server's hot path (GOP cache, late joiners, back-pressure) cares. */
export type FlvTagClass =
  /** Video decoder configuration (legacy AVC/HEVC sequence header, E-RTMP SequenceStart/MPEG2TSSequenceStart). */
  | 'video-sequence-header'
  /** Coded video with a key frame type (key or server-generated key): a GOP starts here. */
  | 'video-key-frame'
  /** Any other coded video. */
  | 'video-frame'
  /** Video end of sequence, E-RTMP video metadata, command frames. */
  | 'video-other'
  /** Audio decoder configuration (AAC sequence header, E-RTMP SequenceStart). */
  | 'audio-sequence-header'
  | 'audio-frame'
  /** E-RTMP audio SequenceEnd and MultichannelConfig. */
  | 'audio-other'
  /** Script data `onMetaData`, bare or wrapped in `@setDataFrame`. */
  | 'metadata'
  /** Other script data. */
  | 'script'
  /** Too short, reserved values, or an unknown tag type: the full parser would reject it. */
  | 'unknown';

/** AMF0 string "onMetaData": marker 0x02, UI16 length 10, the bytes. */
const ON_META_DATA = Uint8Array.of(0x02, 0x00, 0x0a, ...Array.from('onMetaData', (c) => c.charCodeAt(0)));
/** AMF0 string "@setDataFrame": marker 0x02, UI16 length 13, the bytes. */
const SET_DATA_FRAME = Uint8Array.of(
  0x02,
  0x00,
  0x0d,
  ...Array.from('@setDataFrame', (c) => c.charCodeAt(0)),
);

/** Length of the AMF0 string "@setDataFrame" (marker, UI16 length, 13 bytes). */
export const SET_DATA_FRAME_PREFIX_LENGTH = 16;

/** The AMF0 encoding of the string "@setDataFrame" (16 bytes, new), a prefix RTMP publishers add to metadata. */
export function setDataFramePrefix(): Uint8Array {
  return SET_DATA_FRAME.slice();
}

function startsWith(b: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (b.length - at < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/** True when a script body starts with the AMF0 string "@setDataFrame". */
export function hasSetDataFrame(body: Uint8Array): boolean {
  return startsWith(body, SET_DATA_FRAME);
}

/** True when a script body is `onMetaData`, bare or after "@setDataFrame". O(1). */
export function isMetadataBody(body: Uint8Array): boolean {
  return (
    startsWith(body, ON_META_DATA) ||
    (hasSetDataFrame(body) && startsWith(body, ON_META_DATA, SET_DATA_FRAME.length))
  );
}

/**
 * Skips an E-RTMP ModEx chain starting at `off` (the byte after a ModEx packet type). Returns the
 * offset after the chain and the final packet type, or undefined when the body ends inside it.
 */
function skipModEx(b: Uint8Array, start: number): { off: number; pt: number } | undefined {
  let off = start;
  for (;;) {
    if (off >= b.length) return undefined;
    let size = (b[off] as number) + 1;
    off++;
    if (size === 256) {
      if (off + 2 > b.length) return undefined;
      size = be16(b, off) + 1;
      off += 2;
    }
    off += size;
    if (off >= b.length) return undefined;
    const pt = (b[off] as number) & 0x0f;
    off++;
    if (pt !== VideoPacketType.ModEx) return { off, pt };
  }
}

function isKey(frameType: number): boolean {
  return frameType === FlvVideoFrameType.Key || frameType === FlvVideoFrameType.Generated;
}

function classifyVideo(b: Uint8Array): FlvTagClass {
  if (b.length < 1) return 'unknown';
  const b0 = b[0] as number;
  const frameType = (b0 >> 4) & 0x07;
  if ((b0 & 0x80) === 0) {
    const id = b0 & 0x0f;
    if (videoCodecFromId(id) === undefined || frameType < 1 || frameType > 5) return 'unknown';
    if (frameType === FlvVideoFrameType.Command) return 'video-other';
    if (id !== FlvVideoCodecId.Avc && id !== FlvVideoCodecId.Hevc)
      return isKey(frameType) ? 'video-key-frame' : 'video-frame';
    if (b.length < 5) return 'unknown';
    switch (b[1]) {
      case AvcPacketType.SequenceHeader:
        return 'video-sequence-header';
      case AvcPacketType.Nalu:
        return isKey(frameType) ? 'video-key-frame' : 'video-frame';
      case AvcPacketType.EndOfSequence:
        return 'video-other';
      default:
        return 'unknown';
    }
  }
  let pt = b0 & 0x0f;
  let off = 1;
  if (pt === VideoPacketType.ModEx) {
    const s = skipModEx(b, off);
    if (s === undefined) return 'unknown';
    ({ off, pt } = s);
  }
  if (pt !== VideoPacketType.Metadata && frameType === FlvVideoFrameType.Command) return 'video-other';
  if (pt === VideoPacketType.Multitrack) {
    if (off >= b.length) return 'unknown';
    pt = (b[off] as number) & 0x0f;
  }
  switch (pt) {
    case VideoPacketType.SequenceStart:
    case VideoPacketType.MPEG2TSSequenceStart:
      return 'video-sequence-header';
    case VideoPacketType.CodedFrames:
    case VideoPacketType.CodedFramesX:
      return isKey(frameType) ? 'video-key-frame' : 'video-frame';
    case VideoPacketType.SequenceEnd:
    case VideoPacketType.Metadata:
      return 'video-other';
    default:
      return 'unknown';
  }
}

function classifyAudio(b: Uint8Array): FlvTagClass {
  if (b.length < 1) return 'unknown';
  const b0 = b[0] as number;
  const format = b0 >> 4;
  if (format === SoundFormat.Aac) {
    if (b.length < 2) return 'unknown';
    if (b[1] === AacPacketType.SequenceHeader) return 'audio-sequence-header';
    return b[1] === AacPacketType.Raw ? 'audio-frame' : 'unknown';
  }
  if (format !== SoundFormat.ExHeader) {
    return audioCodecFromSoundFormat(format) === undefined ? 'unknown' : 'audio-frame';
  }
  let pt = b0 & 0x0f;
  let off = 1;
  if (pt === AudioPacketType.ModEx) {
    const s = skipModEx(b, off);
    if (s === undefined) return 'unknown';
    ({ off, pt } = s);
  }
  if (pt === AudioPacketType.Multitrack) {
    if (off >= b.length) return 'unknown';
    pt = (b[off] as number) & 0x0f;
  }
  switch (pt) {
    case AudioPacketType.SequenceStart:
      return 'audio-sequence-header';
    case AudioPacketType.CodedFrames:
      return 'audio-frame';
    case AudioPacketType.SequenceEnd:
    case AudioPacketType.MultichannelConfig:
      return 'audio-other';
    default:
      return 'unknown';
  }
}

/**
 * Classifies a tag from its type and the first bytes of its body, legacy and E-RTMP forms alike,
 * without a full parse: constant time (only an E-RTMP ModEx chain is walked, a few bytes per entry),
 * no allocation, never throws. For a multitrack body the shared packet type decides.
 */
export function classifyFlvTag(type: number, body: Uint8Array): FlvTagClass {
  switch (type) {
    case FlvTagType.Video:
      return classifyVideo(body);
    case FlvTagType.Audio:
      return classifyAudio(body);
    case FlvTagType.Script:
      return isMetadataBody(body) ? 'metadata' : 'script';
    default:
      return 'unknown';
  }
}

/** True for a video body that is coded video with a key frame type. O(1), never throws. */
export function isVideoKeyFrame(body: Uint8Array): boolean {
  return classifyVideo(body) === 'video-key-frame';
}

/** True for a video decoder configuration body. O(1), never throws. */
export function isVideoSequenceHeader(body: Uint8Array): boolean {
  return classifyVideo(body) === 'video-sequence-header';
}

/** True for an audio decoder configuration body. O(1), never throws. */
export function isAudioSequenceHeader(body: Uint8Array): boolean {
  return classifyAudio(body) === 'audio-sequence-header';
}

/**
 * The video codec of a body from its CodecID or FourCC (the first track's for a multitrack body), or
 * undefined when unknown, absent (E-RTMP command frames) or truncated. O(1), never throws.
 */
export function peekVideoCodec(b: Uint8Array): VideoCodec | undefined {
  if (b.length < 1) return undefined;
  const b0 = b[0] as number;
  if ((b0 & 0x80) === 0) return videoCodecFromId(b0 & 0x0f);
  const frameType = (b0 >> 4) & 0x07;
  let pt = b0 & 0x0f;
  let off = 1;
  if (pt === VideoPacketType.ModEx) {
    const s = skipModEx(b, off);
    if (s === undefined) return undefined;
    ({ off, pt } = s);
  }
  if (pt !== VideoPacketType.Metadata && frameType === FlvVideoFrameType.Command) return undefined;
  if (pt === VideoPacketType.Multitrack) off++;
  if (off + 4 > b.length) return undefined;
  return videoCodecFromFourCc(be32(b, off));
}

/**
 * The audio codec of a body from its SoundFormat or FourCC (the first track's for a multitrack body),
 * or undefined when unknown or truncated. O(1), never throws.
 */
export function peekAudioCodec(b: Uint8Array): AudioCodec | undefined {
  if (b.length < 1) return undefined;
  const b0 = b[0] as number;
  if (b0 >> 4 !== SoundFormat.ExHeader) return audioCodecFromSoundFormat(b0 >> 4);
  let pt = b0 & 0x0f;
  let off = 1;
  if (pt === AudioPacketType.ModEx) {
    const s = skipModEx(b, off);
    if (s === undefined) return undefined;
    ({ off, pt } = s);
  }
  if (pt === AudioPacketType.Multitrack) off++;
  if (off + 4 > b.length) return undefined;
  return audioCodecFromFourCc(be32(b, off));
}
