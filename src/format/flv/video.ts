import { ByteReader } from '../../util/byte-reader.js';
import { ByteWriter } from '../../util/byte-writer.js';
import { InvalidArgError, ProtocolError, UnsupportedError } from '../../util/errors.js';
import {
  AvcPacketType,
  AvMultitrackType,
  FlvVideoFrameType,
  fourCcToString,
  type VideoCodec,
  VideoPacketType,
  videoCodecFromFourCc,
  videoCodecFromId,
  videoCodecHasCompositionTime,
  videoCodecIdOf,
  videoFourCcOf,
} from './constants.js';
import {
  MOD_EX_PACKET_TYPE,
  type ModEx,
  modExByteLength,
  readModExChain,
  timestampOffsetNanoOf,
  writeModExChain,
} from './mod-ex.js';
import { readMultitrack } from './multitrack.js';

/** Fields every single-track video packet has. */
export interface VideoPacketCommon {
  codec: VideoCodec;
  /** FrameType (see FlvVideoFrameType), 3 bits. Ignored by the spec for metadata packets. */
  frameType: number;
  /**
   * CompositionTime: PTS - DTS in milliseconds, signed 24-bit. Read from the wire for legacy AVC/HEVC
   * packets and E-RTMP CodedFrames of AVC/HEVC; 0 everywhere else.
   */
  compositionTimeMs: number;
}

/** A decoder configuration: AVCDecoderConfigurationRecord, HEVCDecoderConfigurationRecord, av1C, vpcC. */
export interface VideoSequenceHeader extends VideoPacketCommon {
  kind: 'sequence-header';
  /** View of the input. */
  config: Uint8Array;
}

/** Coded video: length-prefixed NAL units (AVC/HEVC), OBUs (AV1), frames (VP8/9, Flash codecs). */
export interface VideoCodedFrame extends VideoPacketCommon {
  kind: 'frame';
  /** FrameType is a key frame or a server-generated key frame. */
  keyFrame: boolean;
  /** View of the input. */
  data: Uint8Array;
}

/** End of sequence (legacy AVC EndOfSequence, E-RTMP SequenceEnd); the body is normally empty. */
export interface VideoEndOfSequence extends VideoPacketCommon {
  kind: 'end-of-sequence';
  data: Uint8Array;
}

/** E-RTMP VideoPacketType.Metadata: AMF0 [name, value] pairs (e.g. "colorInfo"); see parseVideoMetadata. */
export interface VideoMetadataPacket extends VideoPacketCommon {
  kind: 'metadata';
  data: Uint8Array;
}

/** E-RTMP MPEG2TSSequenceStart: a video descriptor (AV1VideoDescriptor) instead of a configuration record. */
export interface VideoMpeg2TsSequenceStart extends VideoPacketCommon {
  kind: 'mpeg2ts-sequence-start';
  data: Uint8Array;
}

/** One track's worth of video. */
export type VideoPacket =
  | VideoSequenceHeader
  | VideoCodedFrame
  | VideoEndOfSequence
  | VideoMetadataPacket
  | VideoMpeg2TsSequenceStart;

/** A video info/command frame (FrameType 5): a VideoCommand instead of video. */
export interface VideoCommandPacket {
  kind: 'command';
  /** The legacy CodecID's codec; undefined in the E-RTMP form, which carries no FourCC here. */
  codec: VideoCodec | undefined;
  frameType: number;
  compositionTimeMs: number;
  /** VideoCommand (0 start seek, 1 end seek). */
  command: number;
  /** Bytes after the command (none in a well-formed packet); view of the input. */
  data: Uint8Array;
}

/** How the tag carried its packet. */
export interface VideoTagForm {
  /** True for the E-RTMP ExVideoTagHeader (FourCC), false for the legacy CodecID header. */
  enhanced: boolean;
  /**
   * E-RTMP only: the VideoPacketType on the wire (after ModEx). Packers use it to choose CodedFrames vs
   * CodedFramesX; when absent they choose (CodedFramesX for AVC/HEVC with a zero composition time).
   */
  packetType?: VideoPacketType;
  /** E-RTMP ModEx entries in wire order; empty for legacy. */
  modEx: ModEx[];
  /** From a TimestampOffsetNano ModEx (parse output; packers write `modEx`, see modExTimestampOffsetNano). */
  timestampOffsetNano?: number;
}

/** A single-track video tag body. */
export type VideoSingleTrackBody = (VideoPacket | VideoCommandPacket) & VideoTagForm;

/** One track of an E-RTMP multitrack video body. */
export type VideoTrack = VideoPacket & { trackId: number };

/** An E-RTMP multitrack video body (VideoPacketType.Multitrack). */
export interface VideoMultitrackBody extends VideoTagForm {
  kind: 'multitrack';
  enhanced: true;
  frameType: number;
  multitrackType: AvMultitrackType;
  /** The packet type shared by all tracks. */
  packetType: VideoPacketType;
  tracks: VideoTrack[];
}

/** A parsed video tag body: discriminate on `kind`, then `codec`. */
export type VideoTagBody = VideoSingleTrackBody | VideoMultitrackBody;

const IS_EX_HEADER = 0x80;
const WHAT = 'flv: video tag';

/**
 * Parses a video tag body (an RTMP video message payload) into a discriminated union. Payloads are
 * views of `body`. Throws ShortBufferError (truncated), ProtocolError (a value the spec forbids) or
 * UnsupportedError (an unknown codec id, FourCC or packet type).
 *
 * Legacy form, Adobe FLV spec v10.1 E.4.3.1 VIDEODATA and E.4.3.2 AVCVIDEOPACKET:
 * ```
 * FrameType        UB[4]   1 key, 2 inter, 3 disposable inter, 4 generated key, 5 info/command
 * CodecID          UB[4]   2 H.263, 3 screen, 4 VP6, 5 VP6 alpha, 6 screen v2, 7 AVC, (12 HEVC)
 * if FrameType == 5: VideoCommand UI8 (read as in E-RTMP's legacy branch)
 * else if CodecID == 7 or 12:
 *   AVCPacketType    UI8   0 sequence header, 1 NALU, 2 end of sequence
 *   CompositionTime  SI24  ms
 *   data             AVCDecoderConfigurationRecord / length-prefixed NALUs
 * else data
 * ```
 * Enhanced form, Enhanced RTMP v2 "Enhanced Video" (ExVideoTagHeader, ExVideoTagBody):
 * ```
 * IsExHeader UB[1] = 1, FrameType UB[3], PacketType UB[4]
 * while PacketType == ModEx: modExDataSize, modExData, ModExType UB[4], PacketType UB[4]
 * if PacketType != Metadata and FrameType == Command: VideoCommand UI8 (no FourCC, no body)
 * else if PacketType == Multitrack:
 *   AvMultitrackType UB[4], PacketType UB[4], FourCC UI32 (unless ManyTracksManyCodecs)
 *   per track: [FourCC UI32 if ManyTracksManyCodecs], TrackId UI8, [TrackSize UI24 unless OneTrack], body
 * else FourCC UI32, body
 * body: SequenceStart: config record; CodedFrames: [CompositionTime SI24 for avc1/hvc1] data;
 *       CodedFramesX: data; SequenceEnd: -; Metadata: AMF0; MPEG2TSSequenceStart: descriptor
 * ```
 */
export function parseVideoTagBody(body: Uint8Array): VideoTagBody {
  const r = new ByteReader(body, WHAT);
  const b0 = r.u8();
  const frameType = (b0 >> 4) & 0x07;
  if ((b0 & IS_EX_HEADER) !== 0) return parseEnhanced(r, frameType, b0 & 0x0f);
  return parseLegacy(r, frameType, b0 & 0x0f);
}

function checkFrameType(frameType: number): void {
  if (frameType < FlvVideoFrameType.Key || frameType > FlvVideoFrameType.Command) {
    throw new ProtocolError(`flv: reserved video frame type ${frameType}`);
  }
}

function isKeyFrameType(frameType: number): boolean {
  return frameType === FlvVideoFrameType.Key || frameType === FlvVideoFrameType.Generated;
}

function parseLegacy(r: ByteReader, frameType: number, codecId: number): VideoSingleTrackBody {
  const codec = videoCodecFromId(codecId);
  if (codec === undefined) throw new UnsupportedError(`flv: unknown video codec id ${codecId}`);
  checkFrameType(frameType);
  const form = { enhanced: false, modEx: [] };
  if (frameType === FlvVideoFrameType.Command) {
    const command = r.u8();
    return { kind: 'command', codec, frameType, compositionTimeMs: 0, command, data: r.rest(), ...form };
  }
  if (!videoCodecHasCompositionTime(codec)) {
    const data = r.rest();
    return {
      kind: 'frame',
      codec,
      frameType,
      compositionTimeMs: 0,
      keyFrame: isKeyFrameType(frameType),
      data,
      ...form,
    };
  }
  const pt = r.u8();
  const compositionTimeMs = r.i24();
  const rest = r.rest();
  const common = { codec, frameType, compositionTimeMs, ...form };
  switch (pt) {
    case AvcPacketType.SequenceHeader:
      return { kind: 'sequence-header', config: rest, ...common };
    case AvcPacketType.Nalu:
      return { kind: 'frame', keyFrame: isKeyFrameType(frameType), data: rest, ...common };
    case AvcPacketType.EndOfSequence:
      return { kind: 'end-of-sequence', data: rest, ...common };
    default:
      throw new ProtocolError(`flv: unknown AVCPacketType ${pt}`);
  }
}

function codecOfFourCc(fourCc: number): VideoCodec {
  const codec = videoCodecFromFourCc(fourCc);
  if (codec === undefined)
    throw new UnsupportedError(`flv: unknown video FourCC '${fourCcToString(fourCc)}'`);
  return codec;
}

function parseEnhanced(r: ByteReader, frameType: number, firstPacketType: number): VideoTagBody {
  let packetType = firstPacketType;
  let modEx: ModEx[] = [];
  if (packetType === MOD_EX_PACKET_TYPE) ({ modEx, packetType } = readModExChain(r));
  const nano = timestampOffsetNanoOf(modEx);
  const form = nano === undefined ? { modEx } : { modEx, timestampOffsetNano: nano };
  if (packetType !== VideoPacketType.Metadata) checkFrameType(frameType);
  if (packetType !== VideoPacketType.Metadata && frameType === FlvVideoFrameType.Command) {
    const command = r.u8();
    return {
      kind: 'command',
      codec: undefined,
      frameType,
      compositionTimeMs: 0,
      command,
      data: r.rest(),
      enhanced: true,
      packetType,
      ...form,
    };
  }
  if (packetType === VideoPacketType.Multitrack) {
    const {
      multitrackType,
      packetType: inner,
      tracks,
    } = readMultitrack(r, {
      name: 'video',
      what: WHAT,
      multitrackPacketType: VideoPacketType.Multitrack,
      modExPacketType: VideoPacketType.ModEx,
      checkPacketType,
      codecOfFourCc,
      parseTrack: (tr, codec, pt) => parsePacket(tr, codec, frameType, pt),
    });
    return {
      kind: 'multitrack',
      enhanced: true,
      frameType,
      multitrackType,
      packetType: inner,
      tracks,
      ...form,
    };
  }
  checkPacketType(packetType);
  const codec = codecOfFourCc(r.u32());
  return { ...parsePacket(r, codec, frameType, packetType), enhanced: true, packetType, ...form };
}

function checkPacketType(pt: number): void {
  if (pt > VideoPacketType.MPEG2TSSequenceStart)
    throw new UnsupportedError(`flv: unknown VideoPacketType ${pt}`);
}

function parsePacket(r: ByteReader, codec: VideoCodec, frameType: number, pt: number): VideoPacket {
  switch (pt) {
    case VideoPacketType.SequenceStart:
      return { kind: 'sequence-header', codec, frameType, compositionTimeMs: 0, config: r.rest() };
    case VideoPacketType.CodedFrames:
    case VideoPacketType.CodedFramesX: {
      const cts = pt === VideoPacketType.CodedFrames && videoCodecHasCompositionTime(codec) ? r.i24() : 0;
      const keyFrame = isKeyFrameType(frameType);
      return { kind: 'frame', codec, frameType, compositionTimeMs: cts, keyFrame, data: r.rest() };
    }
    case VideoPacketType.SequenceEnd:
      return { kind: 'end-of-sequence', codec, frameType, compositionTimeMs: 0, data: r.rest() };
    case VideoPacketType.Metadata:
      return { kind: 'metadata', codec, frameType, compositionTimeMs: 0, data: r.rest() };
    default:
      // checkPacketType has left MPEG2TSSequenceStart only.
      return { kind: 'mpeg2ts-sequence-start', codec, frameType, compositionTimeMs: 0, data: r.rest() };
  }
}

// ---------------------------------------------------------------------------------------------------
// Packing

/**
 * Packs a video tag body (the inverse of parseVideoTagBody; `pack(parse(x))` equals `x` for
 * well-formed input). One allocation; returns a new Buffer the caller owns. Throws InvalidArgError for
 * out-of-range fields and UnsupportedError when the form cannot carry the packet (e.g. AV1 or metadata
 * in the legacy form, ModEx in the legacy form).
 */
export function packVideoTagBody(body: VideoTagBody): Buffer {
  checkFrameTypeArg(body.frameType);
  if (!body.enhanced) return packLegacy(body);
  return packEnhanced(body);
}

function checkFrameTypeArg(frameType: number): void {
  if (!Number.isInteger(frameType) || frameType < 0 || frameType > 7) {
    throw new InvalidArgError(`flv: video frame type ${frameType} is not a UB[3]`);
  }
}

function checkCts(cts: number): void {
  if (!Number.isInteger(cts) || cts < -0x800000 || cts > 0x7fffff) {
    throw new InvalidArgError(`flv: composition time ${cts} does not fit in SI24`);
  }
}

function packLegacy(body: VideoTagBody): Buffer {
  if (body.kind === 'multitrack')
    throw new UnsupportedError('flv: a multitrack video body has no legacy form');
  const codec = body.codec;
  if (codec === undefined)
    throw new UnsupportedError('flv: a command frame without a codec has no legacy form');
  const id = videoCodecIdOf(codec);
  if (id === undefined) throw new UnsupportedError(`flv: video codec ${codec} has no legacy CodecID`);
  const b0 = (body.frameType << 4) | id;
  if (body.kind === 'command') {
    checkU8(body.command, 'video command');
    return new ByteWriter(2 + body.data.length).u8(b0).u8(body.command).bytes(body.data).finish();
  }
  if (!videoCodecHasCompositionTime(codec)) {
    if (body.kind !== 'frame') throw new UnsupportedError(`flv: ${codec} has no legacy ${body.kind} packet`);
    if (body.compositionTimeMs !== 0)
      throw new InvalidArgError(`flv: ${codec} frames have no composition time`);
    return new ByteWriter(1 + body.data.length).u8(b0).bytes(body.data).finish();
  }
  checkCts(body.compositionTimeMs);
  let pt: number;
  let payload: Uint8Array;
  switch (body.kind) {
    case 'sequence-header':
      pt = AvcPacketType.SequenceHeader;
      payload = body.config;
      break;
    case 'frame':
      pt = AvcPacketType.Nalu;
      payload = body.data;
      break;
    case 'end-of-sequence':
      pt = AvcPacketType.EndOfSequence;
      payload = body.data;
      break;
    default:
      throw new UnsupportedError(`flv: a video ${body.kind} packet has no legacy form`);
  }
  return new ByteWriter(5 + payload.length).u8(b0).u8(pt).u24(body.compositionTimeMs).bytes(payload).finish();
}

/** The E-RTMP packet type for a packet, honouring a CodedFrames/CodedFramesX preference. */
function enhancedPacketType(p: VideoPacket, preferred: number | undefined): number {
  switch (p.kind) {
    case 'sequence-header':
      return VideoPacketType.SequenceStart;
    case 'end-of-sequence':
      return VideoPacketType.SequenceEnd;
    case 'metadata':
      return VideoPacketType.Metadata;
    case 'mpeg2ts-sequence-start':
      return VideoPacketType.MPEG2TSSequenceStart;
    case 'frame': {
      checkCts(p.compositionTimeMs);
      const hasCts = videoCodecHasCompositionTime(p.codec);
      if (p.compositionTimeMs !== 0 && !hasCts) {
        throw new InvalidArgError(`flv: ${p.codec} frames have no composition time`);
      }
      if (preferred === VideoPacketType.CodedFramesX) {
        if (p.compositionTimeMs !== 0) {
          throw new InvalidArgError('flv: CodedFramesX cannot carry a non-zero composition time');
        }
        return VideoPacketType.CodedFramesX;
      }
      if (preferred === VideoPacketType.CodedFrames) return VideoPacketType.CodedFrames;
      return hasCts && p.compositionTimeMs === 0 ? VideoPacketType.CodedFramesX : VideoPacketType.CodedFrames;
    }
  }
}

function packetPayloadLength(p: VideoPacket, pt: number): number {
  if (p.kind === 'sequence-header') return p.config.length;
  const cts = pt === VideoPacketType.CodedFrames && videoCodecHasCompositionTime(p.codec) ? 3 : 0;
  return cts + p.data.length;
}

function writePacketPayload(w: ByteWriter, p: VideoPacket, pt: number): void {
  if (p.kind === 'sequence-header') {
    w.bytes(p.config);
    return;
  }
  if (pt === VideoPacketType.CodedFrames && videoCodecHasCompositionTime(p.codec)) w.u24(p.compositionTimeMs);
  w.bytes(p.data);
}

function fourCcOf(codec: VideoCodec): number {
  const f = videoFourCcOf(codec);
  if (f === undefined) throw new UnsupportedError(`flv: video codec ${codec} has no E-RTMP FourCC`);
  return f;
}

function packEnhanced(body: VideoTagBody): Buffer {
  const modEx = body.modEx;
  const modExLen = modExByteLength(modEx);
  const first = (pt: number) =>
    IS_EX_HEADER | (body.frameType << 4) | (modEx.length > 0 ? MOD_EX_PACKET_TYPE : pt);

  if (body.kind === 'command') {
    checkU8(body.command, 'video command');
    const pt = body.packetType ?? VideoPacketType.CodedFrames;
    if (pt === VideoPacketType.Metadata || pt === MOD_EX_PACKET_TYPE || pt < 0 || pt > 15) {
      throw new InvalidArgError(`flv: packet type ${pt} cannot carry a video command`);
    }
    const w = new ByteWriter(1 + modExLen + 1 + body.data.length).u8(first(pt));
    writeChain(w, modEx, modExLen, pt);
    return w.u8(body.command).bytes(body.data).finish();
  }

  if (body.kind === 'multitrack') {
    const { multitrackType, tracks } = body;
    if (
      multitrackType !== AvMultitrackType.OneTrack &&
      multitrackType !== AvMultitrackType.ManyTracks &&
      multitrackType !== AvMultitrackType.ManyTracksManyCodecs
    ) {
      throw new InvalidArgError(`flv: unknown AvMultitrackType ${multitrackType}`);
    }
    const first0 = tracks[0];
    if (first0 === undefined)
      throw new InvalidArgError('flv: a multitrack video body needs at least one track');
    if (multitrackType === AvMultitrackType.OneTrack && tracks.length !== 1) {
      throw new InvalidArgError(`flv: a OneTrack multitrack body has ${tracks.length} tracks`);
    }
    const manyCodecs = multitrackType === AvMultitrackType.ManyTracksManyCodecs;
    const pt = body.packetType;
    let size = 1 + modExLen + 1 + (manyCodecs ? 0 : 4);
    const lens: number[] = [];
    for (const t of tracks) {
      if (!manyCodecs && t.codec !== first0.codec) {
        throw new InvalidArgError('flv: all tracks of a ManyTracks body must have the same codec');
      }
      checkU8(t.trackId, 'track id');
      if (enhancedPacketType(t, pt) !== pt) {
        throw new InvalidArgError(`flv: a ${t.kind} track does not match packet type ${pt}`);
      }
      fourCcOf(t.codec);
      const len = packetPayloadLength(t, pt);
      if (multitrackType !== AvMultitrackType.OneTrack && len > 0xffffff) {
        throw new InvalidArgError(`flv: track ${t.trackId} is larger than a UI24 size`);
      }
      lens.push(len);
      size += (manyCodecs ? 4 : 0) + 1 + (multitrackType === AvMultitrackType.OneTrack ? 0 : 3) + len;
    }
    const w = new ByteWriter(size).u8(first(VideoPacketType.Multitrack));
    writeChain(w, modEx, modExLen, VideoPacketType.Multitrack);
    w.u8((multitrackType << 4) | pt);
    if (!manyCodecs) w.u32(fourCcOf(first0.codec));
    tracks.forEach((t, i) => {
      if (manyCodecs) w.u32(fourCcOf(t.codec));
      w.u8(t.trackId);
      if (multitrackType !== AvMultitrackType.OneTrack) w.u24(lens[i] as number);
      writePacketPayload(w, t, pt);
    });
    return w.finish();
  }

  const pt = enhancedPacketType(body, body.packetType);
  const fourCc = fourCcOf(body.codec);
  const size = 1 + modExLen + 4 + packetPayloadLength(body, pt);
  const w = new ByteWriter(size).u8(first(pt));
  writeChain(w, modEx, modExLen, pt);
  w.u32(fourCc);
  writePacketPayload(w, body, pt);
  return w.finish();
}

function writeChain(w: ByteWriter, modEx: readonly ModEx[], modExLen: number, pt: number): void {
  if (modEx.length === 0) return;
  const tmp = new Uint8Array(modExLen);
  writeModExChain(tmp, 0, modEx, pt);
  w.bytes(tmp);
}

function checkU8(v: number, what: string): void {
  if (!Number.isInteger(v) || v < 0 || v > 255) throw new InvalidArgError(`flv: ${what} ${v} is not a UI8`);
}

// ---------------------------------------------------------------------------------------------------
// Builders and conversion

/** Options for the video builders. */
export interface VideoBuildOptions {
  /**
   * Use the E-RTMP ExVideoTagHeader (FourCC). Default: false for codecs with a legacy CodecID (AVC,
   * HEVC as id 12, the Flash codecs), true for the others (AV1, VP8, VP9).
   */
  enhanced?: boolean;
}

function defaultEnhanced(codec: VideoCodec, opts: VideoBuildOptions): boolean {
  return opts.enhanced ?? videoCodecIdOf(codec) === undefined;
}

/** A video sequence header body (legacy AVCPacketType 0 or E-RTMP SequenceStart); frame type key. */
export function packVideoSequenceHeader(
  codec: VideoCodec,
  config: Uint8Array,
  opts: VideoBuildOptions = {},
): Buffer {
  return packVideoTagBody({
    kind: 'sequence-header',
    codec,
    frameType: FlvVideoFrameType.Key,
    compositionTimeMs: 0,
    config,
    enhanced: defaultEnhanced(codec, opts),
    modEx: [],
  });
}

/** Options for packVideoFrame. */
export interface VideoFrameBuildOptions extends VideoBuildOptions {
  /** Key frame (FrameType 1) or inter frame (2). */
  keyFrame: boolean;
  /** PTS - DTS in ms (AVC/HEVC only). Default 0; in E-RTMP 0 is sent as CodedFramesX. */
  compositionTimeMs?: number;
}

/** A coded video frame body (legacy AVCPacketType 1 or E-RTMP CodedFrames/CodedFramesX). */
export function packVideoFrame(codec: VideoCodec, data: Uint8Array, opts: VideoFrameBuildOptions): Buffer {
  const frameType = opts.keyFrame ? FlvVideoFrameType.Key : FlvVideoFrameType.Inter;
  return packVideoTagBody({
    kind: 'frame',
    codec,
    frameType,
    compositionTimeMs: opts.compositionTimeMs ?? 0,
    keyFrame: opts.keyFrame,
    data,
    enhanced: defaultEnhanced(codec, opts),
    modEx: [],
  });
}

/** An end-of-sequence body (legacy AVCPacketType 2 or E-RTMP SequenceEnd). */
export function packVideoEndOfSequence(codec: VideoCodec, opts: VideoBuildOptions = {}): Buffer {
  return packVideoTagBody({
    kind: 'end-of-sequence',
    codec,
    frameType: FlvVideoFrameType.Key,
    compositionTimeMs: 0,
    data: new Uint8Array(0),
    enhanced: defaultEnhanced(codec, opts),
    modEx: [],
  });
}

/**
 * Re-packs a video tag body in the other header form: legacy CodecID (HEVC as id 12) <-> E-RTMP
 * FourCC (hvc1), e.g. to serve an E-RTMP HEVC stream to a player that only knows codec id 12 and the
 * reverse. Frame type, composition time and payload are kept; the packet type is chosen afresh;
 * ModEx entries are dropped when going to legacy (it has no place for them). UnsupportedError when the
 * packet has no form on the other side (AV1/VP9 or metadata to legacy, multitrack to legacy).
 * Returns a new Buffer; if `body` is already in the requested form it is re-packed unchanged.
 */
export function convertVideoTagBody(body: Uint8Array, to: 'legacy' | 'enhanced'): Buffer {
  const v = parseVideoTagBody(body);
  const enhanced = to === 'enhanced';
  if (v.enhanced === enhanced) return packVideoTagBody(v);
  if (v.kind === 'multitrack') throw new UnsupportedError('flv: a multitrack video body has no legacy form');
  if (!enhanced) {
    const { packetType: _p, timestampOffsetNano: _n, ...rest } = v;
    return packVideoTagBody({ ...rest, enhanced: false, modEx: [] });
  }
  if (v.kind === 'command') {
    return packVideoTagBody({
      ...v,
      codec: undefined,
      enhanced: true,
      packetType: VideoPacketType.CodedFrames,
    });
  }
  const { packetType: _p, ...rest } = v;
  return packVideoTagBody({ ...rest, enhanced: true });
}
