import {
  type AdtsFrame,
  ascFromAdtsHeader,
  packAudioSpecificConfig,
  parseAudioSpecificConfig,
} from '../codec/aac/index.js';
import {
  AvcNalUnitType,
  avcNalUnitType,
  isAvcVclNalUnitType,
  makeAvcDecoderConfigurationRecord,
  packAvcDecoderConfigurationRecord,
  parseAvcSps,
} from '../codec/avc/index.js';
import {
  HevcNalUnitType,
  hevcNalUnitType,
  isHevcIrapNalUnitType,
  isHevcVclNalUnitType,
  makeHevcDecoderConfigurationRecord,
  packHevcDecoderConfigurationRecord,
  parseHevcSps,
} from '../codec/hevc/index.js';
import { packLengthPrefixed } from '../codec/nal/index.js';
import type { AmfValue } from '../format/amf/index.js';
import {
  type FlvTag,
  FlvTagType,
  packAacFrame,
  packAacSequenceHeader,
  packOnMetaData,
  packVideoFrame,
  packVideoSequenceHeader,
  VideoFourCc,
} from '../format/flv/index.js';
import { InvalidArgError, ProtocolError, UnsupportedError } from '../util/errors.js';

/** One coded picture: its NAL units (views), whether it is a random access point. */
export interface VideoAccessUnit {
  nalus: Uint8Array[];
  keyFrame: boolean;
}

/**
 * Groups the NAL units of an Annex B stream into access units (ISO/IEC 14496-10 7.4.1.2.3,
 * ITU-T H.265 7.4.2.4.4): a unit ends before an AUD, a parameter set, a prefix SEI (or the other
 * types that may only start an access unit) or the first slice of the next picture
 * (first_mb_in_slice == 0 / first_slice_segment_in_pic_flag == 1), once it holds a slice.
 */
export class AccessUnitAssembler {
  private readonly codec: 'avc' | 'hevc';
  private cur: Uint8Array[] = [];
  private hasVcl = false;
  private key = false;

  constructor(codec: 'avc' | 'hevc') {
    this.codec = codec;
  }

  /** Adds one NAL unit (a view, retained until the unit is handed out); returns a completed unit, if any. */
  push(nal: Uint8Array): VideoAccessUnit | undefined {
    if (nal.length < (this.codec === 'avc' ? 1 : 2)) return undefined;
    const { vcl, startsPicture, startsUnit, key } = this.classify(nal);
    let done: VideoAccessUnit | undefined;
    if (this.hasVcl && (startsUnit || (vcl && startsPicture))) done = this.flush();
    this.cur.push(nal);
    if (vcl) {
      this.hasVcl = true;
      if (key) this.key = true;
    }
    return done;
  }

  /** Hands out the pending unit at the end of the stream. */
  flush(): VideoAccessUnit | undefined {
    if (!this.hasVcl) {
      this.cur = [];
      return undefined;
    }
    const au: VideoAccessUnit = { nalus: this.cur, keyFrame: this.key };
    this.cur = [];
    this.hasVcl = false;
    this.key = false;
    return au;
  }

  private classify(nal: Uint8Array): {
    vcl: boolean;
    startsPicture: boolean;
    startsUnit: boolean;
    key: boolean;
  } {
    if (this.codec === 'avc') {
      const t = avcNalUnitType(nal[0] as number);
      const vcl = isAvcVclNalUnitType(t);
      // first_mb_in_slice is ue(v); it is 0 exactly when the first bit after the header is 1.
      const startsPicture = vcl && nal.length > 1 && ((nal[1] as number) & 0x80) !== 0;
      const startsUnit =
        t === AvcNalUnitType.Aud ||
        t === AvcNalUnitType.Sps ||
        t === AvcNalUnitType.Pps ||
        t === AvcNalUnitType.Sei ||
        (t >= 14 && t <= 18);
      return { vcl, startsPicture, startsUnit, key: t === AvcNalUnitType.IdrSlice };
    }
    const t = hevcNalUnitType(nal[0] as number);
    const vcl = isHevcVclNalUnitType(t);
    const startsPicture = vcl && nal.length > 2 && ((nal[2] as number) & 0x80) !== 0;
    const startsUnit =
      t === HevcNalUnitType.AudNut ||
      t === HevcNalUnitType.VpsNut ||
      t === HevcNalUnitType.SpsNut ||
      t === HevcNalUnitType.PpsNut ||
      t === HevcNalUnitType.PrefixSeiNut ||
      (t >= 41 && t <= 44) ||
      (t >= 48 && t <= 55);
    return { vcl, startsPicture, startsUnit, key: isHevcIrapNalUnitType(t) };
  }
}

export interface EsToFlvOptions {
  /** Video frames per second: access unit i gets DTS round(i * 1000 / frameRate) ms. Required with video. */
  frameRate?: number;
  /** How HEVC is signalled: legacy codec id 12, or enhanced RTMP (FourCC hvc1). Default 'id12'. */
  hevcSignalling?: 'id12' | 'enhanced';
  /** Extra onMetaData fields (override the computed ones). */
  metadata?: Record<string, AmfValue>;
}

export interface EsToFlvStats {
  videoFrames: number;
  keyFrames: number;
  audioFrames: number;
  durationMs: number;
  /** Sequence headers written after the first (parameter sets or audio config changed). */
  sequenceHeaderChanges: number;
  width?: number;
  height?: number;
  sampleRate?: number;
  channels?: number;
}

/** What es2flvfile muxes: a video elementary stream's access units and/or an ADTS stream's frames. */
export interface EsInput {
  video?: { codec: 'avc' | 'hevc'; units: Iterable<VideoAccessUnit> };
  audio?: Iterable<AdtsFrame>;
}

interface Timed {
  dtsMs: number;
  tags: FlvTag[];
}

/**
 * Muxes elementary streams into FLV tags: onMetaData, then the sequence headers, then video and
 * audio frames interleaved by timestamp. Parameter sets are taken out of the access units into the
 * sequence header (a new one is written when they change); AUDs are dropped. Composition time is 0:
 * access units are taken to be in presentation order (PTS of a stream with B-frames is not
 * recovered from the picture order count). Returns the header flags, the tags (bodies new) and the stats.
 */
export function muxEsToFlv(
  input: EsInput,
  opts: EsToFlvOptions = {},
): { hasAudio: boolean; hasVideo: boolean; tags: FlvTag[]; stats: EsToFlvStats } {
  const stats: EsToFlvStats = {
    videoFrames: 0,
    keyFrames: 0,
    audioFrames: 0,
    durationMs: 0,
    sequenceHeaderChanges: 0,
  };
  const video = input.video ? videoTags(input.video.codec, input.video.units, opts, stats) : [];
  const audio = input.audio ? audioTags(input.audio, stats) : [];
  const meta: Record<string, AmfValue> = { duration: stats.durationMs / 1000 };
  if (input.video) {
    const enhanced = input.video.codec === 'hevc' && opts.hevcSignalling === 'enhanced';
    Object.assign(meta, {
      width: stats.width ?? 0,
      height: stats.height ?? 0,
      framerate: opts.frameRate ?? 0,
      videocodecid: enhanced ? VideoFourCc.Hevc : input.video.codec === 'avc' ? 7 : 12,
    });
  }
  if (input.audio) {
    Object.assign(meta, {
      audiocodecid: 10,
      audiosamplerate: stats.sampleRate ?? 0,
      audiosamplesize: 16,
      stereo: (stats.channels ?? 2) > 1,
    });
  }
  Object.assign(meta, { encoder: 'lal.ts es2flvfile' }, opts.metadata ?? {});
  const tags: FlvTag[] = [{ type: FlvTagType.Script, timestampMs: 0, data: packOnMetaData(meta) }];
  // Merge by DTS; at equal DTS video first (its sequence header must precede its frames anyway).
  let vi = 0;
  let ai = 0;
  while (vi < video.length || ai < audio.length) {
    const v = video[vi];
    const a = audio[ai];
    const next = v && (!a || v.dtsMs <= a.dtsMs) ? video[vi++] : audio[ai++];
    if (next) tags.push(...next.tags);
  }
  return { hasAudio: input.audio !== undefined, hasVideo: input.video !== undefined, tags, stats };
}

function videoTags(
  codec: 'avc' | 'hevc',
  units: Iterable<VideoAccessUnit>,
  opts: EsToFlvOptions,
  stats: EsToFlvStats,
): Timed[] {
  const fps = opts.frameRate;
  if (fps === undefined || !(fps > 0 && fps <= 1000)) {
    throw new InvalidArgError(`es2flv: a frame rate in (0, 1000] is required with video, got ${fps}`);
  }
  const enhanced = codec === 'hevc' && opts.hevcSignalling === 'enhanced';
  const out: Timed[] = [];
  const ps = { vps: [] as Uint8Array[], sps: [] as Uint8Array[], pps: [] as Uint8Array[] };
  let lastConfig: Uint8Array | undefined;
  let i = 0;
  for (const au of units) {
    const dtsMs = Math.round((i * 1000) / fps);
    const frameNalus: Uint8Array[] = [];
    const fresh = { vps: [] as Uint8Array[], sps: [] as Uint8Array[], pps: [] as Uint8Array[] };
    for (const nal of au.nalus) {
      const kind = paramKind(codec, nal);
      if (kind === 'aud') continue;
      if (kind) fresh[kind].push(nal);
      else frameNalus.push(nal);
    }
    if (fresh.sps.length) ps.sps = fresh.sps;
    if (fresh.pps.length) ps.pps = fresh.pps;
    if (fresh.vps.length) ps.vps = fresh.vps;
    const tags: FlvTag[] = [];
    if (fresh.sps.length || fresh.pps.length || fresh.vps.length || lastConfig === undefined) {
      const config = buildConfig(codec, ps, stats);
      if (config && (!lastConfig || Buffer.compare(config, lastConfig) !== 0)) {
        if (lastConfig) stats.sequenceHeaderChanges++;
        lastConfig = config;
        const body = packVideoSequenceHeader(codec, config, { enhanced });
        tags.push({ type: FlvTagType.Video, timestampMs: dtsMs, data: body });
      }
    }
    if (frameNalus.length === 0) continue;
    if (lastConfig === undefined) {
      throw new ProtocolError(`es2flv: ${codec} frame ${i} comes before any parameter set (SPS/PPS)`);
    }
    const data = packLengthPrefixed(frameNalus, 4);
    tags.push({
      type: FlvTagType.Video,
      timestampMs: dtsMs,
      data: packVideoFrame(codec, data, { keyFrame: au.keyFrame, compositionTimeMs: 0, enhanced }),
    });
    out.push({ dtsMs, tags });
    stats.videoFrames++;
    if (au.keyFrame) stats.keyFrames++;
    stats.durationMs = Math.max(stats.durationMs, Math.round(((i + 1) * 1000) / fps));
    i++;
  }
  return out;
}

function paramKind(codec: 'avc' | 'hevc', nal: Uint8Array): 'vps' | 'sps' | 'pps' | 'aud' | undefined {
  if (codec === 'avc') {
    const t = avcNalUnitType(nal[0] as number);
    if (t === AvcNalUnitType.Sps) return 'sps';
    if (t === AvcNalUnitType.Pps) return 'pps';
    if (t === AvcNalUnitType.Aud) return 'aud';
    return undefined;
  }
  const t = hevcNalUnitType(nal[0] as number);
  if (t === HevcNalUnitType.VpsNut) return 'vps';
  if (t === HevcNalUnitType.SpsNut) return 'sps';
  if (t === HevcNalUnitType.PpsNut) return 'pps';
  if (t === HevcNalUnitType.AudNut) return 'aud';
  return undefined;
}

function buildConfig(
  codec: 'avc' | 'hevc',
  ps: { vps: Uint8Array[]; sps: Uint8Array[]; pps: Uint8Array[] },
  stats: EsToFlvStats,
): Uint8Array | undefined {
  const sps = ps.sps[0];
  if (!sps || ps.pps.length === 0) return undefined;
  if (codec === 'avc') {
    const info = parseAvcSps(sps);
    stats.width = info.width;
    stats.height = info.height;
    return packAvcDecoderConfigurationRecord(makeAvcDecoderConfigurationRecord(ps.sps, ps.pps));
  }
  if (ps.vps.length === 0) return undefined;
  const info = parseHevcSps(sps);
  stats.width = info.width;
  stats.height = info.height;
  return packHevcDecoderConfigurationRecord(makeHevcDecoderConfigurationRecord(ps.vps, ps.sps, ps.pps));
}

function audioTags(frames: Iterable<AdtsFrame>, stats: EsToFlvStats): Timed[] {
  const out: Timed[] = [];
  let lastConfig: Uint8Array | undefined;
  let samples = 0;
  for (const f of frames) {
    if (f.header.numberOfRawDataBlocksInFrame !== 0) {
      throw new UnsupportedError('es2flv: ADTS frames with more than one raw data block are not supported');
    }
    const config = packAudioSpecificConfig(ascFromAdtsHeader(f.header));
    const asc = parseAudioSpecificConfig(config);
    const dtsMs = Math.round((samples * 1000) / asc.sampleRate);
    const tags: FlvTag[] = [];
    if (!lastConfig || Buffer.compare(config, lastConfig) !== 0) {
      if (lastConfig) stats.sequenceHeaderChanges++;
      lastConfig = config;
      stats.sampleRate = asc.sampleRate;
      stats.channels = asc.channels;
      tags.push({ type: FlvTagType.Audio, timestampMs: dtsMs, data: packAacSequenceHeader(config) });
    }
    tags.push({ type: FlvTagType.Audio, timestampMs: dtsMs, data: packAacFrame(f.payload) });
    out.push({ dtsMs, tags });
    samples += asc.frameLength;
    stats.audioFrames++;
    stats.durationMs = Math.max(stats.durationMs, Math.round((samples * 1000) / asc.sampleRate));
  }
  return out;
}
