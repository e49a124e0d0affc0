import { ByteReader } from '../../util/byte-reader.js';
import { ByteWriter } from '../../util/byte-writer.js';
import { InvalidArgError, ProtocolError, UnsupportedError } from '../../util/errors.js';
import {
  AacPacketType,
  AudioChannelOrder,
  type AudioCodec,
  AudioPacketType,
  AvMultitrackType,
  audioCodecFromFourCc,
  audioCodecFromSoundFormat,
  audioFourCcOf,
  fourCcToString,
  SoundFormat,
  SoundRate,
  SoundSize,
  SoundType,
  soundFormatOf,
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

/** A decoder configuration: AudioSpecificConfig (AAC), OpusHead, FLAC STREAMINFO. */
export interface AudioSequenceHeader {
  kind: 'sequence-header';
  codec: AudioCodec;
  /** View of the input. */
  config: Uint8Array;
}

/** Coded audio: raw AAC frames, MP3 frames, G.711 samples, Opus packets, ... */
export interface AudioCodedFrame {
  kind: 'frame';
  codec: AudioCodec;
  /** View of the input. */
  data: Uint8Array;
}

/** E-RTMP SequenceEnd; the body is normally empty. */
export interface AudioEndOfSequence {
  kind: 'end-of-sequence';
  codec: AudioCodec;
  data: Uint8Array;
}

/** E-RTMP MultichannelConfig: the speaker layout, for codecs that do not describe it themselves. */
export interface AudioMultichannelConfig {
  kind: 'multichannel-config';
  codec: AudioCodec;
  /** AudioChannelOrder. */
  channelOrder: number;
  channelCount: number;
  /** AudioChannel per channel, when channelOrder is Custom (view of the input). */
  channelMapping?: Uint8Array;
  /** AudioChannelMask flags, when channelOrder is Native. */
  channelFlags?: number;
}

/** One track's worth of audio. */
export type AudioPacket =
  | AudioSequenceHeader
  | AudioCodedFrame
  | AudioEndOfSequence
  | AudioMultichannelConfig;

/** How the tag carried its packet. */
export interface AudioTagForm {
  /** True for the E-RTMP ExAudioTagHeader (SoundFormat 9 + FourCC), false for the legacy header. */
  enhanced: boolean;
  /** Legacy only: SoundRate (SoundRate enum). Packers default to 3 (44 kHz, what AAC requires). */
  soundRate?: number;
  /** Legacy only: SoundSize (SoundSize enum). Packers default to 1 (16 bit). */
  soundSize?: number;
  /** Legacy only: SoundType (SoundType enum). Packers default to 1 (stereo). */
  soundType?: number;
  /** E-RTMP only: the AudioPacketType on the wire after ModEx (parse output; packers derive it from `kind`). */
  packetType?: AudioPacketType;
  /** E-RTMP ModEx entries in wire order; empty for legacy. */
  modEx: ModEx[];
  /** From a TimestampOffsetNano ModEx (parse output; packers write `modEx`). */
  timestampOffsetNano?: number;
}

/** A single-track audio tag body. */
export type AudioSingleTrackBody = AudioPacket & AudioTagForm;

/** One track of an E-RTMP multitrack audio body. */
export type AudioTrack = AudioPacket & { trackId: number };

/** An E-RTMP multitrack audio body (AudioPacketType.Multitrack). */
export interface AudioMultitrackBody extends AudioTagForm {
  kind: 'multitrack';
  enhanced: true;
  multitrackType: AvMultitrackType;
  /** The packet type shared by all tracks. */
  packetType: AudioPacketType;
  tracks: AudioTrack[];
}

/** A parsed audio tag body: discriminate on `kind`, then `codec`. */
export type AudioTagBody = AudioSingleTrackBody | AudioMultitrackBody;

const WHAT = 'flv: audio tag';

/**
 * Parses an audio tag body (an RTMP audio message payload). Payloads are views of `body`. Throws
 * ShortBufferError, ProtocolError or UnsupportedError (unknown format, FourCC or packet type).
 *
 * Legacy form, Adobe FLV spec v10.1 E.4.2.1 AUDIODATA and E.4.2.2 AACAUDIODATA:
 * ```
 * SoundFormat    UB[4]  0 PCM, 1 ADPCM, 2 MP3, 3 PCM LE, 4-6 Nellymoser, 7 G.711 A-law,
 *                       8 G.711 mu-law, 10 AAC, 11 Speex, 14 MP3 8 kHz, 15 device specific
 * SoundRate      UB[2]  0 5.5 kHz, 1 11 kHz, 2 22 kHz, 3 44 kHz
 * SoundSize      UB[1]  0 8 bit, 1 16 bit
 * SoundType      UB[1]  0 mono, 1 stereo
 * if SoundFormat == 10: AACPacketType UI8 (0 AudioSpecificConfig, 1 raw frame), data
 * else data
 * ```
 * Enhanced form, Enhanced RTMP v2 "Enhanced Audio" (ExAudioTagHeader, ExAudioTagBody):
 * ```
 * SoundFormat UB[4] = 9 (ExHeader), AudioPacketType UB[4]
 * while PacketType == ModEx: modExDataSize, modExData, ModExType UB[4], PacketType UB[4]
 * if PacketType == Multitrack:
 *   AvMultitrackType UB[4], PacketType UB[4], FourCC UI32 (unless ManyTracksManyCodecs)
 *   per track: [FourCC UI32 if ManyTracksManyCodecs], TrackId UI8, [TrackSize UI24 unless OneTrack], body
 * else FourCC UI32 ('Opus', 'fLaC', 'ac-3', 'ec-3', 'mp4a', '.mp3'), body
 * body: SequenceStart: config; CodedFrames: data; SequenceEnd: -;
 *       MultichannelConfig: AudioChannelOrder UI8, ChannelCount UI8,
 *                           Custom: AudioChannel UI8[ChannelCount] / Native: AudioChannelMask UI32
 * ```
 */
export function parseAudioTagBody(body: Uint8Array): AudioTagBody {
  const r = new ByteReader(body, WHAT);
  const b0 = r.u8();
  const format = b0 >> 4;
  if (format === SoundFormat.ExHeader) return parseEnhanced(r, b0 & 0x0f);
  const codec = audioCodecFromSoundFormat(format);
  if (codec === undefined) throw new UnsupportedError(`flv: unknown sound format ${format}`);
  const form = {
    enhanced: false,
    soundRate: (b0 >> 2) & 0x03,
    soundSize: (b0 >> 1) & 0x01,
    soundType: b0 & 0x01,
    modEx: [],
  };
  if (format !== SoundFormat.Aac) return { kind: 'frame', codec, data: r.rest(), ...form };
  const pt = r.u8();
  switch (pt) {
    case AacPacketType.SequenceHeader:
      return { kind: 'sequence-header', codec, config: r.rest(), ...form };
    case AacPacketType.Raw:
      return { kind: 'frame', codec, data: r.rest(), ...form };
    default:
      throw new ProtocolError(`flv: unknown AACPacketType ${pt}`);
  }
}

function codecOfFourCc(fourCc: number): AudioCodec {
  const codec = audioCodecFromFourCc(fourCc);
  if (codec === undefined)
    throw new UnsupportedError(`flv: unknown audio FourCC '${fourCcToString(fourCc)}'`);
  return codec;
}

function checkPacketType(pt: number): void {
  if (
    pt !== AudioPacketType.SequenceStart &&
    pt !== AudioPacketType.CodedFrames &&
    pt !== AudioPacketType.SequenceEnd &&
    pt !== AudioPacketType.MultichannelConfig
  ) {
    throw new UnsupportedError(`flv: unknown AudioPacketType ${pt}`);
  }
}

function parseEnhanced(r: ByteReader, firstPacketType: number): AudioTagBody {
  let packetType = firstPacketType;
  let modEx: ModEx[] = [];
  if (packetType === MOD_EX_PACKET_TYPE) ({ modEx, packetType } = readModExChain(r));
  const nano = timestampOffsetNanoOf(modEx);
  const form = nano === undefined ? { modEx } : { modEx, timestampOffsetNano: nano };
  if (packetType === AudioPacketType.Multitrack) {
    const {
      multitrackType,
      packetType: inner,
      tracks,
    } = readMultitrack(r, {
      name: 'audio',
      what: WHAT,
      multitrackPacketType: AudioPacketType.Multitrack,
      modExPacketType: AudioPacketType.ModEx,
      checkPacketType,
      codecOfFourCc,
      parseTrack: parsePacket,
    });
    return { kind: 'multitrack', enhanced: true, multitrackType, packetType: inner, tracks, ...form };
  }
  checkPacketType(packetType);
  const codec = codecOfFourCc(r.u32());
  return { ...parsePacket(r, codec, packetType), enhanced: true, packetType, ...form };
}

function parsePacket(r: ByteReader, codec: AudioCodec, pt: number): AudioPacket {
  switch (pt) {
    case AudioPacketType.SequenceStart:
      return { kind: 'sequence-header', codec, config: r.rest() };
    case AudioPacketType.CodedFrames:
      return { kind: 'frame', codec, data: r.rest() };
    case AudioPacketType.SequenceEnd:
      return { kind: 'end-of-sequence', codec, data: r.rest() };
    default: {
      // checkPacketType has left MultichannelConfig only.
      const channelOrder = r.u8();
      const channelCount = r.u8();
      if (channelOrder === AudioChannelOrder.Custom) {
        const channelMapping = r.bytes(channelCount, `${WHAT} channel mapping`);
        return { kind: 'multichannel-config', codec, channelOrder, channelCount, channelMapping };
      }
      if (channelOrder === AudioChannelOrder.Native) {
        const channelFlags = r.u32();
        return { kind: 'multichannel-config', codec, channelOrder, channelCount, channelFlags };
      }
      if (channelOrder !== AudioChannelOrder.Unspecified) {
        throw new UnsupportedError(`flv: unknown AudioChannelOrder ${channelOrder}`);
      }
      return { kind: 'multichannel-config', codec, channelOrder, channelCount };
    }
  }
}

// ---------------------------------------------------------------------------------------------------
// Packing

/**
 * Packs an audio tag body (the inverse of parseAudioTagBody; `pack(parse(x))` equals `x` for
 * well-formed input). One allocation; a new Buffer the caller owns. InvalidArgError for out-of-range
 * fields, UnsupportedError when the form cannot carry the packet (Opus in the legacy form, ...).
 */
export function packAudioTagBody(body: AudioTagBody): Buffer {
  return body.enhanced ? packEnhanced(body) : packLegacy(body);
}

function field(v: number | undefined, dflt: number, max: number, what: string): number {
  const x = v ?? dflt;
  if (!Number.isInteger(x) || x < 0 || x > max) throw new InvalidArgError(`flv: ${what} ${x} out of range`);
  return x;
}

function packLegacy(body: AudioTagBody): Buffer {
  if (body.kind === 'multitrack')
    throw new UnsupportedError('flv: a multitrack audio body has no legacy form');
  const format = soundFormatOf(body.codec);
  if (format === undefined)
    throw new UnsupportedError(`flv: audio codec ${body.codec} has no legacy SoundFormat`);
  const rate = field(body.soundRate, SoundRate.Khz44, 3, 'sound rate');
  const size = field(body.soundSize, SoundSize.Bits16, 1, 'sound size');
  const type = field(body.soundType, SoundType.Stereo, 1, 'sound type');
  const b0 = (format << 4) | (rate << 2) | (size << 1) | type;
  if (format === SoundFormat.Aac) {
    if (body.kind === 'sequence-header') {
      return new ByteWriter(2 + body.config.length)
        .u8(b0)
        .u8(AacPacketType.SequenceHeader)
        .bytes(body.config)
        .finish();
    }
    if (body.kind === 'frame') {
      return new ByteWriter(2 + body.data.length).u8(b0).u8(AacPacketType.Raw).bytes(body.data).finish();
    }
    throw new UnsupportedError(`flv: an AAC ${body.kind} packet has no legacy form`);
  }
  if (body.kind !== 'frame')
    throw new UnsupportedError(`flv: ${body.codec} has no legacy ${body.kind} packet`);
  return new ByteWriter(1 + body.data.length).u8(b0).bytes(body.data).finish();
}

function packetTypeOf(p: AudioPacket): AudioPacketType {
  switch (p.kind) {
    case 'sequence-header':
      return AudioPacketType.SequenceStart;
    case 'frame':
      return AudioPacketType.CodedFrames;
    case 'end-of-sequence':
      return AudioPacketType.SequenceEnd;
    case 'multichannel-config':
      return AudioPacketType.MultichannelConfig;
  }
}

function payloadLength(p: AudioPacket): number {
  switch (p.kind) {
    case 'sequence-header':
      return p.config.length;
    case 'frame':
    case 'end-of-sequence':
      return p.data.length;
    case 'multichannel-config': {
      if (p.channelOrder === AudioChannelOrder.Custom) return 2 + (p.channelMapping?.length ?? 0);
      return p.channelOrder === AudioChannelOrder.Native ? 6 : 2;
    }
  }
}

function writePayload(w: ByteWriter, p: AudioPacket): void {
  switch (p.kind) {
    case 'sequence-header':
      w.bytes(p.config);
      return;
    case 'frame':
    case 'end-of-sequence':
      w.bytes(p.data);
      return;
    case 'multichannel-config': {
      const order = field(p.channelOrder, 0, 2, 'channel order');
      const count = field(p.channelCount, 0, 255, 'channel count');
      w.u8(order).u8(count);
      if (order === AudioChannelOrder.Custom) {
        const m = p.channelMapping ?? new Uint8Array(0);
        if (m.length !== count) {
          throw new InvalidArgError(`flv: channel mapping has ${m.length} entries for ${count} channels`);
        }
        w.bytes(m);
      } else if (order === AudioChannelOrder.Native) {
        w.u32(field(p.channelFlags, 0, 0xffffffff, 'channel flags'));
      }
      return;
    }
  }
}

function fourCcOf(codec: AudioCodec): number {
  const f = audioFourCcOf(codec);
  if (f === undefined) throw new UnsupportedError(`flv: audio codec ${codec} has no E-RTMP FourCC`);
  return f;
}

function packEnhanced(body: AudioTagBody): Buffer {
  const modEx = body.modEx;
  const modExLen = modExByteLength(modEx);
  const head = (pt: number) => (SoundFormat.ExHeader << 4) | (modEx.length > 0 ? MOD_EX_PACKET_TYPE : pt);
  const chain = (w: ByteWriter, pt: number) => {
    if (modEx.length === 0) return;
    const tmp = new Uint8Array(modExLen);
    writeModExChain(tmp, 0, modEx, pt);
    w.bytes(tmp);
  };

  if (body.kind === 'multitrack') {
    const { multitrackType, tracks, packetType: pt } = body;
    if (multitrackType < 0 || multitrackType > AvMultitrackType.ManyTracksManyCodecs) {
      throw new InvalidArgError(`flv: unknown AvMultitrackType ${multitrackType}`);
    }
    const t0 = tracks[0];
    if (t0 === undefined) throw new InvalidArgError('flv: a multitrack audio body needs at least one track');
    const oneTrack = multitrackType === AvMultitrackType.OneTrack;
    if (oneTrack && tracks.length !== 1) {
      throw new InvalidArgError(`flv: a OneTrack multitrack body has ${tracks.length} tracks`);
    }
    const manyCodecs = multitrackType === AvMultitrackType.ManyTracksManyCodecs;
    let size = 1 + modExLen + 1 + (manyCodecs ? 0 : 4);
    const lens: number[] = [];
    for (const t of tracks) {
      if (!manyCodecs && t.codec !== t0.codec) {
        throw new InvalidArgError('flv: all tracks of a ManyTracks body must have the same codec');
      }
      field(t.trackId, 0, 255, 'track id');
      if (packetTypeOf(t) !== pt)
        throw new InvalidArgError(`flv: a ${t.kind} track does not match packet type ${pt}`);
      fourCcOf(t.codec);
      const len = payloadLength(t);
      if (!oneTrack && len > 0xffffff)
        throw new InvalidArgError(`flv: track ${t.trackId} is larger than UI24`);
      lens.push(len);
      size += (manyCodecs ? 4 : 0) + 1 + (oneTrack ? 0 : 3) + len;
    }
    const w = new ByteWriter(size).u8(head(AudioPacketType.Multitrack));
    chain(w, AudioPacketType.Multitrack);
    w.u8((multitrackType << 4) | pt);
    if (!manyCodecs) w.u32(fourCcOf(t0.codec));
    tracks.forEach((t, i) => {
      if (manyCodecs) w.u32(fourCcOf(t.codec));
      w.u8(t.trackId);
      if (!oneTrack) w.u24(lens[i] as number);
      writePayload(w, t);
    });
    return w.finish();
  }

  const pt = packetTypeOf(body);
  const fourCc = fourCcOf(body.codec);
  const w = new ByteWriter(1 + modExLen + 4 + payloadLength(body)).u8(head(pt));
  chain(w, pt);
  w.u32(fourCc);
  writePayload(w, body);
  return w.finish();
}

// ---------------------------------------------------------------------------------------------------
// Builders

/** Options for the AAC builders. */
export interface AacBuildOptions {
  /** Use the E-RTMP ExAudioTagHeader ('mp4a'). Default false (legacy SoundFormat 10, 44 kHz/16 bit/stereo). */
  enhanced?: boolean;
}

/** An AAC sequence header body carrying an AudioSpecificConfig (ISO/IEC 14496-3 1.6.2.1). */
export function packAacSequenceHeader(asc: Uint8Array, opts: AacBuildOptions = {}): Buffer {
  return packAudioTagBody({
    kind: 'sequence-header',
    codec: 'aac',
    config: asc,
    enhanced: opts.enhanced ?? false,
    modEx: [],
  });
}

/** An AAC raw frame body (one raw_data_block, no ADTS header). */
export function packAacFrame(data: Uint8Array, opts: AacBuildOptions = {}): Buffer {
  return packAudioTagBody({ kind: 'frame', codec: 'aac', data, enhanced: opts.enhanced ?? false, modEx: [] });
}
