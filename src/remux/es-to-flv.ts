import {
  type AdtsFrame,
  ascFromAdtsHeader,
  packAudioSpecificConfig,
  parseAudioSpecificConfig,
} from '../codec/aac/index.js';
import {
  AvcNalUnitType,
  AvcPicOrderCounter,
  type AvcPpsSliceFields,
  type AvcSps,
  avcNalUnitType,
  isAvcVclNalUnitType,
  makeAvcDecoderConfigurationRecord,
  packAvcDecoderConfigurationRecord,
  parseAvcPpsSliceFields,
  parseAvcSliceHeader,
  parseAvcSps,
} from '../codec/avc/index.js';
import {
  HevcNalUnitType,
  HevcPicOrderCounter,
  type HevcPps,
  type HevcSps,
  hevcNalUnitType,
  isHevcIrapNalUnitType,
  isHevcVclNalUnitType,
  makeHevcDecoderConfigurationRecord,
  packHevcDecoderConfigurationRecord,
  parseHevcPps,
  parseHevcSliceSegmentHeader,
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
import { InvalidArgError, isLalError, ProtocolError, UnsupportedError } from '../util/errors.js';

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
  /**
   * Where video presentation times come from. 'poc' (default): the picture order count of each
   * access unit (see `presentationOrder`), so a stream with B-frames gets its composition times;
   * when the POCs cannot be used the mux falls back to 'decode-order' and says why in the stats.
   * 'decode-order': access units are taken to be in presentation order (composition times 0).
   */
  presentation?: 'poc' | 'decode-order';
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
  /** Where the video presentation times came from (see EsToFlvOptions.presentation). */
  presentation: 'poc' | 'decode-order';
  /** Why 'poc' was asked for but not used (an unparsable slice header, POCs out of bounds ...). */
  presentationFallback?: string;
  /** The video reorder delay D in frames: the first frame is presented D frame durations after its DTS. */
  reorderDelayFrames: number;
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
 * sequence header (a new one is written when they change); AUDs are dropped. Video timestamps
 * follow `presentationOrder`: DTS from the frame rate, PTS (as the composition time) from the
 * picture order count. The video units are read whole first (two passes). Returns the header flags,
 * the tags (bodies new) and the stats.
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
    presentation: 'decode-order',
    reorderDelayFrames: 0,
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
  const aus = Array.from(units);
  const isFrame = (au: VideoAccessUnit): boolean =>
    au.nalus.some((nal) => paramKind(codec, nal) === undefined);
  const frameCount = aus.filter(isFrame).length;
  let order: PresentationOrder = { pres: Array.from({ length: frameCount }, (_, i) => i), delay: 0 };
  if ((opts.presentation ?? 'poc') === 'poc') {
    const found = presentationOrder(codec, aus, isFrame);
    if ('fallback' in found) stats.presentationFallback = found.fallback;
    else {
      order = found;
      stats.presentation = 'poc';
    }
  }
  stats.reorderDelayFrames = order.delay;
  const out: Timed[] = [];
  const ps = { vps: [] as Uint8Array[], sps: [] as Uint8Array[], pps: [] as Uint8Array[] };
  let lastConfig: Uint8Array | undefined;
  let i = 0;
  for (const au of aus) {
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
    const ptsMs = Math.round((((order.pres[i] ?? i) + order.delay) * 1000) / fps);
    const data = packLengthPrefixed(frameNalus, 4);
    tags.push({
      type: FlvTagType.Video,
      timestampMs: dtsMs,
      data: packVideoFrame(codec, data, {
        keyFrame: au.keyFrame,
        compositionTimeMs: ptsMs - dtsMs,
        enhanced,
      }),
    });
    out.push({ dtsMs, tags });
    stats.videoFrames++;
    if (au.keyFrame) stats.keyFrames++;
    stats.durationMs = Math.max(stats.durationMs, Math.round(((i + 1) * 1000) / fps));
    i++;
  }
  return out;
}

/** Frame i (decoding order) is presented as frame pres[i] + delay of the frame-rate grid. */
interface PresentationOrder {
  pres: number[];
  delay: number;
}

/**
 * Upper bound of a conforming stream's reorder delay in frames. i - pres(i) is at most the number of
 * frames before i in decoding order and after it in output order, which max_num_reorder_frames
 * bounds (<= max_dec_frame_buffering <= MaxDpbFrames <= 16, ITU-T H.264 E.2.1 and A.3.1), as does
 * sps_max_num_reorder_pics (< MaxDpbSize <= 16, ITU-T H.265 7.4.3.2.1 and A.4.2). Doubled when
 * H.264 field pictures count one access unit each.
 */
const MAX_REORDER_FRAMES = 16;

/** One frame's place in the picture order count: its POC and whether it starts a new POC period. */
interface PocOfFrame {
  poc: number;
  reset: boolean;
  /** An H.265 IRAP picture (a spliced stream can restart its POC at one without saying so). */
  irap: boolean;
  /** An H.264 field picture. */
  field: boolean;
}

/*
 * Video timestamps (es2flvfile's rule). For access unit i in decoding order:
 *
 *   DTS(i) = round(i * 1000 / fps) ms
 *   PTS(i) = round((pres(i) + D) * 1000 / fps) ms        CompositionTime(i) = PTS(i) - DTS(i)
 *
 * pres(i) is the frame's index in presentation order. The stream is cut into POC periods, each
 * starting at a picture that restarts the picture order count: H.264 an IDR picture or one with
 * memory_management_control_operation 5 (ITU-T H.264 8.2.1, C.4.4); H.265 an IRAP picture with
 * NoRaslOutputFlag 1 (ITU-T H.265 8.3.1, C.5.2.2), or an IRAP picture whose POC is not above every
 * POC of its period so far (a spliced stream: in a conforming one every picture before an IRAP
 * picture in decoding order precedes it in output order, ITU-T H.265 7.4.2.2). Every
 * picture of a period is presented after those of the periods before it, and within its period in
 * increasing POC:
 *
 *   pres(i) = (index of the period's first access unit) + (rank of POC(i) among the period's POCs)
 *
 * D = max over the stream of (i - pres(i)), the reorder delay: the smallest constant that keeps
 * PTS >= DTS for every frame, so CompositionTime >= 0 (FLV's is signed; ffmpeg keeps it >= 0 too).
 * DTS is left as it is: a stream without reordering has pres(i) = i, D = 0 and every
 * CompositionTime 0, exactly as when access units are taken in decoding order.
 *
 * H.264 field pictures stay access units of their own (complementary fields are not paired into
 * one FLV frame), each on its own frame period, as when timestamps ignored the POC. When a slice
 * header cannot be read or the POCs need more reordering than a decoder can hold (MAX_REORDER_FRAMES),
 * the result says why and the caller falls back to decoding order.
 */
function presentationOrder(
  codec: 'avc' | 'hevc',
  aus: VideoAccessUnit[],
  isFrame: (au: VideoAccessUnit) => boolean,
): PresentationOrder | { fallback: string } {
  let pocs: PocOfFrame[];
  try {
    pocs = codec === 'avc' ? avcPocs(aus, isFrame) : hevcPocs(aus, isFrame);
  } catch (e) {
    if (!isLalError(e)) throw e;
    return { fallback: `picture order count unavailable: ${e.message}` };
  }
  const pres: number[] = new Array<number>(pocs.length).fill(0);
  let start = 0;
  let maxPoc = Number.NEGATIVE_INFINITY;
  const flush = (end: number): void => {
    const idx: number[] = [];
    for (let k = start; k < end; k++) idx.push(k);
    idx.sort((a, b) => (pocs[a]?.poc ?? 0) - (pocs[b]?.poc ?? 0) || a - b);
    for (const [rank, k] of idx.entries()) pres[k] = start + rank;
  };
  for (const [i, p] of pocs.entries()) {
    const spliced = p.irap && i > start && p.poc <= maxPoc;
    if (i > start && (p.reset || spliced)) {
      flush(i);
      start = i;
      maxPoc = Number.NEGATIVE_INFINITY;
    }
    maxPoc = Math.max(maxPoc, p.poc);
  }
  flush(pocs.length);
  let delay = 0;
  for (const [i, p] of pres.entries()) delay = Math.max(delay, i - p);
  const limit = MAX_REORDER_FRAMES * (pocs.some((p) => p.field) ? 2 : 1);
  if (delay > limit) {
    return {
      fallback: `picture order counts imply a reorder delay of ${delay} frames, more than a decoder holds (${limit})`,
    };
  }
  return { pres, delay };
}

/**
 * POCs of the H.264 frames among `aus` (ITU-T H.264 8.2.1), from the first slice of each, with the
 * parameter sets of every unit; throws a LalError.
 */
function avcPocs(aus: VideoAccessUnit[], isFrame: (au: VideoAccessUnit) => boolean): PocOfFrame[] {
  const sps = new Map<number, AvcSps>();
  const pps = new Map<number, AvcPpsSliceFields>();
  const counter = new AvcPicOrderCounter();
  const out: PocOfFrame[] = [];
  for (const au of aus) {
    let found: PocOfFrame | undefined;
    for (const nal of au.nalus) {
      const t = avcNalUnitType(nal[0] as number);
      if (t === AvcNalUnitType.Sps) {
        const s = parseAvcSps(nal);
        sps.set(s.spsId, s);
      } else if (t === AvcNalUnitType.Pps) {
        const p = parseAvcPpsSliceFields(nal);
        pps.set(p.ppsId, p);
      } else if (
        !found &&
        (t === AvcNalUnitType.NonIdrSlice ||
          t === AvcNalUnitType.SliceDataPartitionA ||
          t === AvcNalUnitType.IdrSlice)
      ) {
        const h = parseAvcSliceHeader(nal, { sps, pps });
        const active = sps.get(h.spsId);
        if (!active) throw new ProtocolError(`es2flv: avc: no SPS ${h.spsId}`);
        const poc = counter.next(h, active);
        found = { poc: poc.picOrderCnt, reset: poc.reset, irap: false, field: h.fieldPic };
      }
    }
    if (!isFrame(au)) continue;
    if (!found) throw new ProtocolError(`es2flv: avc frame ${out.length} has no slice header`);
    out.push(found);
  }
  return out;
}

/**
 * POCs of the H.265 frames among `aus` (ITU-T H.265 8.3.1), from the first slice segment of each,
 * with the parameter sets of every unit; throws a LalError.
 */
function hevcPocs(aus: VideoAccessUnit[], isFrame: (au: VideoAccessUnit) => boolean): PocOfFrame[] {
  const sps = new Map<number, HevcSps>();
  const pps = new Map<number, HevcPps>();
  const counter = new HevcPicOrderCounter();
  const out: PocOfFrame[] = [];
  for (const au of aus) {
    let found: PocOfFrame | undefined;
    for (const nal of au.nalus) {
      if (nal.length < 2) continue;
      const t = hevcNalUnitType(nal[0] as number);
      const baseLayer = ((nal[0] as number) & 1) === 0 && (nal[1] as number) >> 3 === 0;
      if (!baseLayer) continue;
      if (t === HevcNalUnitType.SpsNut) {
        const s = parseHevcSps(nal);
        sps.set(s.spsId, s);
      } else if (t === HevcNalUnitType.PpsNut) {
        const p = parseHevcPps(nal);
        pps.set(p.ppsId, p);
      } else if (t === HevcNalUnitType.EosNut) {
        counter.endOfSequence();
      } else if (!found && isHevcVclNalUnitType(t)) {
        const h = parseHevcSliceSegmentHeader(nal, { sps, pps });
        const active = sps.get(h.spsId);
        if (!active) throw new ProtocolError(`es2flv: hevc: no SPS ${h.spsId}`);
        const poc = counter.next(h, active);
        found = { poc: poc.picOrderCntVal, reset: poc.reset, irap: isHevcIrapNalUnitType(t), field: false };
      }
    }
    if (!isFrame(au)) continue;
    if (!found) throw new ProtocolError(`es2flv: hevc frame ${out.length} has no slice segment`);
    out.push(found);
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
