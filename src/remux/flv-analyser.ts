import { objectTypeName, parseAudioSpecificConfig } from '../codec/aac/index.js';
import {
  AvcNalUnitType,
  avcNalUnitType,
  isAvcVclNalUnitType,
  parseAvcDecoderConfigurationRecord,
  parseAvcSps,
} from '../codec/avc/index.js';
import {
  hevcNalUnitType,
  hevcRecordParameterSets,
  isHevcIrapNalUnitType,
  isHevcVclNalUnitType,
  parseHevcDecoderConfigurationRecord,
  parseHevcSps,
} from '../codec/hevc/index.js';
import { scanNalHeaders } from '../codec/nal/index.js';
import {
  AmfTypedObject,
  AmfUnsupported,
  type AmfValue,
  AmfXml,
  AmfXmlDocument,
} from '../format/amf/index.js';
import {
  type AudioCodec,
  type AudioPacket,
  type FlvHeader,
  type FlvTag,
  FlvTagType,
  FlvVideoFrameType,
  isMetadataBody,
  parseAudioTagBody,
  parseOnMetaData,
  parseScriptTagBody,
  parseVideoTagBody,
  type VideoCodec,
  type VideoCommandPacket,
  type VideoPacket,
} from '../format/flv/index.js';
import { LalError, ProtocolError } from '../util/errors.js';

/*
 * The analysis core of the `flvinfo` tool (after lal's app/analyseflv): fed an FLV file's header and
 * tags in order, it reports each tag, decodes metadata and codec configurations, and keeps running
 * statistics (frame and GOP counts, durations, bitrates, composition times, timestamp gaps and
 * jumps). Pure and streaming: no I/O, O(1) memory in the number of tags (lists are capped), tag
 * bodies are only read during the call that passes them.
 */

/** Options for FlvAnalyser. */
export interface FlvAnalyserOptions {
  /** A DTS step within one track larger than this is reported as a gap, in ms. Default 500. */
  gapMs?: number;
  /**
   * How many entries each list keeps (gaps, jumps, body errors, metadata tags, config changes); the
   * rest are only counted. Default 20.
   */
  maxListed?: number;
}

/** A JSON-safe value (metadata converted from AMF). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

/** What one tag is, as printed by `flvinfo --tags`. */
export interface FlvTagInfo {
  /** 0-based position of the tag in the file. */
  index: number;
  /** Byte offset of the tag header in the file. */
  offset: number;
  type: 'audio' | 'video' | 'script';
  /** The tag timestamp (DTS), ms. */
  timestampMs: number;
  /** Body size (DataSize), bytes. */
  size: number;
  /** The Filter bit is set (an encrypted body, not parsed). */
  filtered?: boolean;
  /** Audio or video codec. */
  codec?: string;
  /** Video/audio: E-RTMP (FourCC) header rather than the legacy one. */
  enhanced?: boolean;
  /** Video: key, inter, disposable, generated-key, command. */
  frameType?: string;
  /** sequence-header, frame, end-of-sequence, metadata, command, multichannel-config, ... */
  packet?: string;
  /** Video: composition time (PTS - DTS), ms. */
  ctsMs?: number;
  /** Video (AVC/HEVC frames): nal_unit_type of each NAL unit of the frame, in order. */
  nalTypes?: number[];
  /** E-RTMP multitrack body: the number of tracks (the first one is described). */
  tracks?: number;
  /** Script: the handler name (onMetaData, onCuePoint ...). */
  name?: string;
  /** Why the body could not be read. */
  error?: string;
}

/** A decoded video sequence header. */
export interface VideoConfigReport {
  index: number;
  offset: number;
  timestampMs: number;
  /** False for the first configuration of the file, true for a later one that differs from the one before. */
  change: boolean;
  codec: VideoCodec;
  enhanced: boolean;
  /** Configuration record size, bytes. */
  size: number;
  /** The record (and its SPS, for AVC/HEVC) parsed. */
  valid: boolean;
  error?: string;
  /** Profile name (High, Main 10 ...) and the profile_idc it comes from. */
  profile?: string;
  profileIdc?: number;
  /** Level as printed (3.1, 1b). */
  level?: string;
  /** HEVC tier. */
  tier?: 'Main' | 'High';
  width?: number;
  height?: number;
  codedWidth?: number;
  codedHeight?: number;
  /** 4:0:0, 4:2:0, 4:2:2, 4:4:4. */
  chroma?: string;
  bitDepthLuma?: number;
  bitDepthChroma?: number;
  /** Frames per second from the SPS VUI timing, when present. */
  frameRate?: number;
  /** Bytes of each NAL unit length in the frames. */
  nalLengthSize?: number;
  vpsCount?: number;
  spsCount?: number;
  ppsCount?: number;
}

/** A decoded audio sequence header. */
export interface AudioConfigReport {
  index: number;
  offset: number;
  timestampMs: number;
  change: boolean;
  codec: AudioCodec;
  enhanced: boolean;
  size: number;
  valid: boolean;
  error?: string;
  /** AAC: the audio object type, e.g. `AacLc (2)`. */
  objectType?: string;
  /** AAC: the core sampling frequency, Hz. */
  sampleRate?: number;
  /** AAC: the output sampling frequency (the SBR rate for HE-AAC), Hz. */
  outputSampleRate?: number;
  channels?: number;
  /** AAC: samples per frame (1024 or 960, doubled by SBR). */
  frameLength?: number;
  /** AAC: SBR / PS signalled present or absent; undefined when the config does not say. */
  sbr?: boolean;
  ps?: boolean;
}

/** A script data tag (onMetaData and the others). */
export interface FlvMetadataReport {
  index: number;
  offset: number;
  timestampMs: number;
  /** Handler name; onMetaData also when wrapped in @setDataFrame. */
  name: string;
  /** onMetaData: the object; others: the array of values after the name. */
  value?: JsonValue;
  error?: string;
}

/** A timestamp gap or backwards jump within one track. */
export interface TimestampEvent {
  track: 'audio' | 'video';
  index: number;
  offset: number;
  prevTimestampMs: number;
  timestampMs: number;
  /** timestampMs - prevTimestampMs. */
  deltaMs: number;
}

/** A tag whose body could not be read. */
export interface BodyErrorReport {
  index: number;
  offset: number;
  type: 'audio' | 'video' | 'script';
  timestampMs: number;
  error: string;
}

/** A capped list and the total count. */
export interface Listed<T> {
  count: number;
  /** The first `maxListed` entries. */
  listed: T[];
}

/** min / avg / max of a series. */
export interface MinAvgMax {
  min: number;
  avg: number;
  max: number;
}

/** Per-track statistics over the coded frames of the track. */
export interface TrackSummary {
  codec?: string;
  /** Tags of this type. */
  tags: number;
  /** Coded frames (not sequence headers). */
  frames: number;
  sequenceHeaders: number;
  /** End of sequence, metadata, command and the like. */
  otherPackets: number;
  /** Body bytes of all tags of this type. */
  bytes: number;
  /** Lowest and highest frame DTS, ms (undefined without frames). */
  startMs?: number;
  endMs?: number;
  durationMs?: number;
  /** bytes * 8 / durationMs of the file. */
  kbps?: number;
}

export interface GopSummary {
  count: number;
  frames: MinAvgMax;
  /**
   * A GOP lasts from its key frame's DTS to the next key frame's DTS; the last one to its last
   * frame's DTS plus the last frame step (the DTS delta of the last two frames).
   */
  ms: MinAvgMax;
}

export interface VideoSummary extends TrackSummary {
  keyFrames: number;
  /** Coded frames before the first key frame (undecodable). */
  framesBeforeFirstKeyFrame: number;
  gops?: GopSummary;
  /** (frames - 1) * 1000 / durationMs. */
  frameRate?: number;
  /** Composition time range over the frames; B-frames make it non-zero. */
  cts?: { minMs: number; maxMs: number; nonZeroFrames: number };
  /** AVC/HEVC: key frames whose NAL units hold no IDR/IRAP slice. */
  keyFramesWithoutIrap: number;
  /** AVC/HEVC: IDR/IRAP slices in frames not flagged as key frames. */
  irapInNonKeyFrames: number;
}

export interface AudioSummary extends TrackSummary {
  /** Legacy non-AAC audio: the format bits of the first frame. */
  legacyFormat?: { sampleRate: number; bits: number; channels: number };
}

export interface FlvHeaderReport extends FlvHeader {
  /** The audio flag says what the tags say (audio tags present or not). */
  audioFlagMatches: boolean;
  videoFlagMatches: boolean;
}

/** The whole analysis. */
export interface FlvAnalysis {
  header?: FlvHeaderReport;
  tagCounts: { total: number; audio: number; video: number; script: number; filtered: number };
  metadata: Listed<FlvMetadataReport>;
  /** The first configuration and each change (identical repeats are only counted). */
  videoConfigs: Listed<VideoConfigReport>;
  videoConfigRepeats: number;
  audioConfigs: Listed<AudioConfigReport>;
  audioConfigRepeats: number;
  video: VideoSummary;
  audio: AudioSummary;
  /** Lowest and highest media (frame) DTS, ms. */
  startMs?: number;
  endMs?: number;
  durationMs?: number;
  /** First audio frame DTS - first video frame DTS, ms. */
  avStartOffsetMs?: number;
  /** (video + audio body bytes) * 8 / durationMs. */
  totalKbps?: number;
  gapMs: number;
  gaps: Listed<TimestampEvent>;
  jumps: Listed<TimestampEvent>;
  bodyErrors: Listed<BodyErrorReport>;
  prevTagSizeMismatches: number;
  bytesRead: number;
  /** Why reading stopped early (truncated or corrupt file). */
  error?: string;
}

/** What one tag brought: its description and, for script data or a codec config, the decoded report. */
export interface FlvTagResult {
  info: FlvTagInfo;
  metadata?: FlvMetadataReport;
  /** A first or changed configuration (not an identical repeat). */
  videoConfig?: VideoConfigReport;
  audioConfig?: AudioConfigReport;
}

/** How the input ended, for FlvAnalyser.finish. */
export interface FlvAnalysisEnd {
  /** FlvReader.prevTagSizeMismatches. */
  prevTagSizeMismatches: number;
  /** Bytes consumed (FlvReader.offset). */
  bytesRead: number;
  /** The reader's error message when the input was truncated or corrupt. */
  error?: string;
}

const DEFAULT_GAP_MS = 500;
const DEFAULT_MAX_LISTED = 20;

const FRAME_TYPE_NAMES: ReadonlyMap<number, string> = new Map([
  [FlvVideoFrameType.Key, 'key'],
  [FlvVideoFrameType.Inter, 'inter'],
  [FlvVideoFrameType.DisposableInter, 'disposable'],
  [FlvVideoFrameType.Generated, 'generated-key'],
  [FlvVideoFrameType.Command, 'command'],
]);

const TAG_TYPE_NAMES: ReadonlyMap<number, 'audio' | 'video' | 'script'> = new Map([
  [FlvTagType.Audio, 'audio'],
  [FlvTagType.Video, 'video'],
  [FlvTagType.Script, 'script'],
]);

/** SoundRate (E.4.2.1) in Hz. */
const SOUND_RATES = [5512, 11025, 22050, 44100] as const;

class Capped<T> {
  count = 0;
  readonly listed: T[] = [];
  constructor(private readonly max: number) {}
  add(v: T): void {
    this.count++;
    if (this.listed.length < this.max) this.listed.push(v);
  }
  toJSON(): Listed<T> {
    return { count: this.count, listed: [...this.listed] };
  }
}

/** Running min/sum/max. */
class Stat {
  n = 0;
  sum = 0;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  add(v: number): void {
    this.n++;
    this.sum += v;
    if (v < this.min) this.min = v;
    if (v > this.max) this.max = v;
  }
  result(): MinAvgMax | undefined {
    return this.n === 0 ? undefined : { min: this.min, avg: this.sum / this.n, max: this.max };
  }
}

/** DTS bookkeeping of one track's frames. */
class TrackClock {
  first: number | undefined;
  prev: number | undefined;
  min = Number.POSITIVE_INFINITY;
  max = Number.NEGATIVE_INFINITY;
  /** DTS delta between the last two frames (0 with one frame). */
  lastStep = 0;
  add(dtsMs: number): void {
    if (this.first === undefined) this.first = dtsMs;
    this.lastStep = this.prev === undefined ? 0 : dtsMs - this.prev;
    this.prev = dtsMs;
    if (dtsMs < this.min) this.min = dtsMs;
    if (dtsMs > this.max) this.max = dtsMs;
  }
}

function errorMessage(e: unknown): string {
  if (e instanceof LalError) return e.message;
  throw e;
}

/**
 * Analyses an FLV file fed tag by tag. Call `header()` once (when the file has one), `tag()` for each
 * tag in file order, then `finish()`. Throws only on a bug: malformed bodies and codec configs are
 * reported, not thrown.
 */
export class FlvAnalyser {
  private readonly gapMs: number;
  private readonly maxListed: number;
  private hdr: FlvHeader | undefined;
  private index = 0;
  private readonly counts = { total: 0, audio: 0, video: 0, script: 0, filtered: 0 };
  private readonly metadata: Capped<FlvMetadataReport>;
  private readonly videoConfigs: Capped<VideoConfigReport>;
  private readonly audioConfigs: Capped<AudioConfigReport>;
  private videoConfigRepeats = 0;
  private audioConfigRepeats = 0;
  private lastVideoConfig: Uint8Array | undefined;
  private lastAudioConfig: Uint8Array | undefined;
  /** NAL unit length size of the current AVC/HEVC configuration. */
  private nalLengthSize = 4;
  private readonly gaps: Capped<TimestampEvent>;
  private readonly jumps: Capped<TimestampEvent>;
  private readonly bodyErrors: Capped<BodyErrorReport>;
  private readonly v = {
    codec: undefined as string | undefined,
    frames: 0,
    keyFrames: 0,
    sequenceHeaders: 0,
    otherPackets: 0,
    bytes: 0,
    framesBeforeFirstKeyFrame: 0,
    keyFramesWithoutIrap: 0,
    irapInNonKeyFrames: 0,
    ctsMin: Number.POSITIVE_INFINITY,
    ctsMax: Number.NEGATIVE_INFINITY,
    ctsNonZero: 0,
  };
  private readonly a = {
    codec: undefined as string | undefined,
    frames: 0,
    sequenceHeaders: 0,
    otherPackets: 0,
    bytes: 0,
    legacyFormat: undefined as AudioSummary['legacyFormat'],
  };
  private readonly vClock = new TrackClock();
  private readonly aClock = new TrackClock();
  private readonly gopFrames = new Stat();
  private readonly gopMs = new Stat();
  private gopStartMs: number | undefined;
  private gopFrameCount = 0;

  constructor(opts: FlvAnalyserOptions = {}) {
    this.gapMs = opts.gapMs ?? DEFAULT_GAP_MS;
    this.maxListed = opts.maxListed ?? DEFAULT_MAX_LISTED;
    this.metadata = new Capped(this.maxListed);
    this.videoConfigs = new Capped(this.maxListed);
    this.audioConfigs = new Capped(this.maxListed);
    this.gaps = new Capped(this.maxListed);
    this.jumps = new Capped(this.maxListed);
    this.bodyErrors = new Capped(this.maxListed);
  }

  /** The file header. */
  header(h: FlvHeader): void {
    this.hdr = { ...h };
  }

  /** One tag, in file order; `offset` is the byte offset of its header. `tag.data` is not retained. */
  tag(tag: FlvTag, offset: number): FlvTagResult {
    const type = TAG_TYPE_NAMES.get(tag.type) ?? 'script';
    const info: FlvTagInfo = {
      index: this.index++,
      offset,
      type,
      timestampMs: tag.timestampMs,
      size: tag.data.length,
    };
    this.counts.total++;
    this.counts[type]++;
    if (type === 'video') this.v.bytes += tag.data.length;
    else if (type === 'audio') this.a.bytes += tag.data.length;
    if (tag.filter) {
      this.counts.filtered++;
      info.filtered = true;
      return { info };
    }
    try {
      if (type === 'video') return this.video(tag, info);
      if (type === 'audio') return this.audio(tag, info);
      return this.script(tag, info);
    } catch (e) {
      info.error = errorMessage(e);
      this.bodyErrors.add({
        index: info.index,
        offset,
        type,
        timestampMs: tag.timestampMs,
        error: info.error,
      });
      return { info };
    }
  }

  private video(tag: FlvTag, info: FlvTagInfo): FlvTagResult {
    const body = parseVideoTagBody(tag.data);
    let pkt: VideoPacket | VideoCommandPacket;
    if (body.kind === 'multitrack') {
      info.tracks = body.tracks.length;
      const first = body.tracks[0];
      if (first === undefined) {
        this.v.otherPackets++;
        info.packet = 'multitrack';
        return { info };
      }
      pkt = first;
    } else {
      pkt = body;
    }
    if (pkt.codec !== undefined) {
      info.codec = pkt.codec;
      this.v.codec ??= pkt.codec;
    }
    info.enhanced = body.enhanced;
    info.frameType = FRAME_TYPE_NAMES.get(pkt.frameType) ?? `type ${pkt.frameType}`;
    info.packet = pkt.kind;
    const result: FlvTagResult = { info };
    switch (pkt.kind) {
      case 'sequence-header': {
        this.v.sequenceHeaders++;
        const report = this.videoConfig(pkt.codec, pkt.config, body.enhanced, info);
        if (report) result.videoConfig = report;
        break;
      }
      case 'frame':
        info.ctsMs = pkt.compositionTimeMs;
        this.videoFrame(pkt.codec, pkt.keyFrame, pkt.compositionTimeMs, pkt.data, info);
        break;
      default:
        this.v.otherPackets++;
    }
    return result;
  }

  private videoFrame(
    codec: VideoCodec,
    key: boolean,
    ctsMs: number,
    data: Uint8Array,
    info: FlvTagInfo,
  ): void {
    const dts = info.timestampMs;
    const v = this.v;
    v.frames++;
    this.checkClock('video', this.vClock, info);
    this.vClock.add(dts);
    if (ctsMs < v.ctsMin) v.ctsMin = ctsMs;
    if (ctsMs > v.ctsMax) v.ctsMax = ctsMs;
    if (ctsMs !== 0) v.ctsNonZero++;
    if (key) {
      v.keyFrames++;
      this.closeGop(dts);
      this.gopStartMs = dts;
      this.gopFrameCount = 1;
    } else if (this.gopStartMs === undefined) {
      v.framesBeforeFirstKeyFrame++;
    } else {
      this.gopFrameCount++;
    }
    if (codec !== 'avc' && codec !== 'hevc') return;
    const types: number[] = [];
    info.nalTypes = types;
    let irap = false;
    // A NAL length that runs past the body throws: reported as a body error by tag().
    scanNalHeaders(data, this.nalLengthSize, (b0) => {
      const t = codec === 'avc' ? avcNalUnitType(b0) : hevcNalUnitType(b0);
      types.push(t);
      if (codec === 'avc' ? t === AvcNalUnitType.IdrSlice : isHevcIrapNalUnitType(t)) irap = true;
      return false;
    });
    const hasSlice = types.some((t) => (codec === 'avc' ? isAvcVclNalUnitType(t) : isHevcVclNalUnitType(t)));
    if (key && hasSlice && !irap) v.keyFramesWithoutIrap++;
    if (!key && irap) v.irapInNonKeyFrames++;
  }

  private closeGop(nextKeyDtsMs: number | undefined): void {
    if (this.gopStartMs === undefined) return;
    const end = nextKeyDtsMs ?? (this.vClock.prev ?? this.gopStartMs) + this.vClock.lastStep;
    this.gopFrames.add(this.gopFrameCount);
    this.gopMs.add(end - this.gopStartMs);
    this.gopStartMs = undefined;
    this.gopFrameCount = 0;
  }

  private checkClock(track: 'audio' | 'video', clock: TrackClock, info: FlvTagInfo): void {
    const prev = clock.prev;
    if (prev === undefined) return;
    const delta = info.timestampMs - prev;
    if (delta >= 0 && delta <= this.gapMs) return;
    const ev: TimestampEvent = {
      track,
      index: info.index,
      offset: info.offset,
      prevTimestampMs: prev,
      timestampMs: info.timestampMs,
      deltaMs: delta,
    };
    if (delta < 0) this.jumps.add(ev);
    else this.gaps.add(ev);
  }

  private videoConfig(
    codec: VideoCodec,
    config: Uint8Array,
    enhanced: boolean,
    info: FlvTagInfo,
  ): VideoConfigReport | undefined {
    const prev = this.lastVideoConfig;
    if (prev !== undefined && sameBytes(prev, config)) {
      this.videoConfigRepeats++;
      return undefined;
    }
    this.lastVideoConfig = Uint8Array.from(config);
    const report: VideoConfigReport = {
      index: info.index,
      offset: info.offset,
      timestampMs: info.timestampMs,
      change: prev !== undefined,
      codec,
      enhanced,
      size: config.length,
      valid: true,
    };
    try {
      if (codec === 'avc') this.avcConfig(config, report);
      else if (codec === 'hevc') this.hevcConfig(config, report);
    } catch (e) {
      report.valid = false;
      report.error = errorMessage(e);
    }
    this.videoConfigs.add(report);
    return report;
  }

  private avcConfig(config: Uint8Array, r: VideoConfigReport): void {
    const rec = parseAvcDecoderConfigurationRecord(config);
    this.nalLengthSize = rec.lengthSizeMinusOne + 1;
    r.nalLengthSize = this.nalLengthSize;
    r.spsCount = rec.sps.length;
    r.ppsCount = rec.pps.length;
    r.profileIdc = rec.profileIndication;
    r.profile = avcProfileName(rec.profileIndication, rec.profileCompatibility);
    r.level = avcLevelName(rec.levelIndication, rec.profileIndication, rec.profileCompatibility);
    const nal = rec.sps[0];
    if (nal === undefined) throw new ProtocolError('avc: record: no SPS');
    const sps = parseAvcSps(nal);
    r.profileIdc = sps.profile;
    r.profile = avcProfileName(sps.profile, sps.constraintFlags);
    r.level = avcLevelName(sps.level, sps.profile, sps.constraintFlags);
    r.width = sps.width;
    r.height = sps.height;
    r.codedWidth = sps.codedWidth;
    r.codedHeight = sps.codedHeight;
    r.chroma = chromaName(sps.chromaFormat);
    r.bitDepthLuma = sps.bitDepthLuma;
    r.bitDepthChroma = sps.bitDepthChroma;
    if (sps.frameRate !== undefined) r.frameRate = sps.frameRate;
  }

  private hevcConfig(config: Uint8Array, r: VideoConfigReport): void {
    const rec = parseHevcDecoderConfigurationRecord(config);
    this.nalLengthSize = rec.lengthSizeMinusOne + 1;
    r.nalLengthSize = this.nalLengthSize;
    const ps = hevcRecordParameterSets(rec);
    r.vpsCount = ps.vps.length;
    r.spsCount = ps.sps.length;
    r.ppsCount = ps.pps.length;
    r.profileIdc = rec.generalProfileIdc;
    r.profile = hevcProfileName(rec.generalProfileIdc);
    r.level = hevcLevelName(rec.generalLevelIdc);
    r.tier = rec.generalTierFlag ? 'High' : 'Main';
    const nal = ps.sps[0];
    if (nal === undefined) throw new ProtocolError('hevc: record: no SPS');
    const sps = parseHevcSps(nal);
    r.profileIdc = sps.profile;
    r.profile = hevcProfileName(sps.profile);
    r.level = hevcLevelName(sps.level);
    r.tier = sps.highTier ? 'High' : 'Main';
    r.width = sps.width;
    r.height = sps.height;
    r.codedWidth = sps.codedWidth;
    r.codedHeight = sps.codedHeight;
    r.chroma = chromaName(sps.chromaFormat);
    r.bitDepthLuma = sps.bitDepthLuma;
    r.bitDepthChroma = sps.bitDepthChroma;
    if (sps.frameRate !== undefined) r.frameRate = sps.frameRate;
  }

  private audio(tag: FlvTag, info: FlvTagInfo): FlvTagResult {
    const body = parseAudioTagBody(tag.data);
    let pkt: AudioPacket;
    if (body.kind === 'multitrack') {
      info.tracks = body.tracks.length;
      const first = body.tracks[0];
      if (first === undefined) {
        this.a.otherPackets++;
        info.packet = 'multitrack';
        return { info };
      }
      pkt = first;
    } else {
      pkt = body;
    }
    info.codec = pkt.codec;
    info.enhanced = body.enhanced;
    this.a.codec ??= pkt.codec;
    info.packet = pkt.kind;
    const result: FlvTagResult = { info };
    if (pkt.kind === 'sequence-header') {
      this.a.sequenceHeaders++;
      const report = this.audioConfig(pkt.codec, pkt.config, body.enhanced, info);
      if (report) result.audioConfig = report;
    } else if (pkt.kind === 'frame') {
      this.a.frames++;
      this.checkClock('audio', this.aClock, info);
      this.aClock.add(info.timestampMs);
      if (this.a.legacyFormat === undefined && !body.enhanced && pkt.codec !== 'aac') {
        this.a.legacyFormat = {
          sampleRate: SOUND_RATES[body.soundRate ?? 0] ?? 0,
          bits: body.soundSize === 1 ? 16 : 8,
          channels: body.soundType === 1 ? 2 : 1,
        };
      }
    } else {
      this.a.otherPackets++;
    }
    return result;
  }

  private audioConfig(
    codec: AudioCodec,
    config: Uint8Array,
    enhanced: boolean,
    info: FlvTagInfo,
  ): AudioConfigReport | undefined {
    const prev = this.lastAudioConfig;
    if (prev !== undefined && sameBytes(prev, config)) {
      this.audioConfigRepeats++;
      return undefined;
    }
    this.lastAudioConfig = Uint8Array.from(config);
    const r: AudioConfigReport = {
      index: info.index,
      offset: info.offset,
      timestampMs: info.timestampMs,
      change: prev !== undefined,
      codec,
      enhanced,
      size: config.length,
      valid: true,
    };
    if (codec === 'aac') {
      try {
        const asc = parseAudioSpecificConfig(config);
        r.objectType = objectTypeName(asc.objectType);
        r.sampleRate = asc.sampleRate;
        r.outputSampleRate = asc.sbr === true ? (asc.extensionSampleRate ?? asc.sampleRate) : asc.sampleRate;
        r.channels = asc.channels;
        r.frameLength = asc.sbr === true ? asc.frameLength * 2 : asc.frameLength;
        if (asc.sbr !== undefined) r.sbr = asc.sbr;
        if (asc.ps !== undefined) r.ps = asc.ps;
      } catch (e) {
        r.valid = false;
        r.error = errorMessage(e);
      }
    }
    this.audioConfigs.add(r);
    return r;
  }

  private script(tag: FlvTag, info: FlvTagInfo): FlvTagResult {
    const report: FlvMetadataReport = {
      index: info.index,
      offset: info.offset,
      timestampMs: info.timestampMs,
      name: '',
    };
    try {
      if (isMetadataBody(tag.data)) {
        report.name = 'onMetaData';
        const meta = parseOnMetaData(tag.data);
        if (meta !== undefined) report.value = toJsonValue(meta);
      } else {
        const sd = parseScriptTagBody(tag.data);
        report.name = sd.name;
        report.value = sd.values.map(toJsonValue);
      }
    } catch (e) {
      report.error = errorMessage(e);
      info.error = report.error;
      this.bodyErrors.add({
        index: info.index,
        offset: info.offset,
        type: 'script',
        timestampMs: info.timestampMs,
        error: report.error,
      });
    }
    info.name = report.name;
    this.metadata.add(report);
    return { info, metadata: report };
  }

  /** The analysis so far, closed with how the input ended. Call once, after the last tag. */
  finish(end: FlvAnalysisEnd): FlvAnalysis {
    this.closeGop(undefined);
    const v = this.v;
    const a = this.a;
    const vc = this.vClock;
    const ac = this.aClock;
    const startMs = Math.min(vc.min, ac.min);
    const endMs = Math.max(vc.max, ac.max);
    const durationMs = Number.isFinite(startMs) ? endMs - startMs : undefined;
    const kbps = (bytes: number) =>
      durationMs !== undefined && durationMs > 0 ? (bytes * 8) / durationMs : undefined;

    const video: VideoSummary = {
      ...trackBase(v, this.counts.video, vc),
      keyFrames: v.keyFrames,
      framesBeforeFirstKeyFrame: v.framesBeforeFirstKeyFrame,
      keyFramesWithoutIrap: v.keyFramesWithoutIrap,
      irapInNonKeyFrames: v.irapInNonKeyFrames,
    };
    const vk = kbps(v.bytes);
    if (vk !== undefined) video.kbps = vk;
    const gf = this.gopFrames.result();
    const gm = this.gopMs.result();
    if (gf && gm) video.gops = { count: this.gopFrames.n, frames: gf, ms: gm };
    if (video.durationMs !== undefined && video.durationMs > 0) {
      video.frameRate = ((v.frames - 1) * 1000) / video.durationMs;
    }
    if (v.frames > 0) video.cts = { minMs: v.ctsMin, maxMs: v.ctsMax, nonZeroFrames: v.ctsNonZero };

    const audio: AudioSummary = trackBase(a, this.counts.audio, ac);
    const ak = kbps(a.bytes);
    if (ak !== undefined) audio.kbps = ak;
    if (a.legacyFormat) audio.legacyFormat = a.legacyFormat;

    const hdr = this.hdr;
    const tk = kbps(v.bytes + a.bytes);
    const out: FlvAnalysis = {
      ...(hdr && {
        header: {
          ...hdr,
          audioFlagMatches: hdr.hasAudio === this.counts.audio > 0,
          videoFlagMatches: hdr.hasVideo === this.counts.video > 0,
        },
      }),
      tagCounts: { ...this.counts },
      metadata: this.metadata.toJSON(),
      videoConfigs: this.videoConfigs.toJSON(),
      videoConfigRepeats: this.videoConfigRepeats,
      audioConfigs: this.audioConfigs.toJSON(),
      audioConfigRepeats: this.audioConfigRepeats,
      video,
      audio,
      ...(durationMs !== undefined && { startMs, endMs, durationMs }),
      ...(vc.first !== undefined && ac.first !== undefined && { avStartOffsetMs: ac.first - vc.first }),
      ...(tk !== undefined && { totalKbps: tk }),
      gapMs: this.gapMs,
      gaps: this.gaps.toJSON(),
      jumps: this.jumps.toJSON(),
      bodyErrors: this.bodyErrors.toJSON(),
      prevTagSizeMismatches: end.prevTagSizeMismatches,
      bytesRead: end.bytesRead,
    };
    if (end.error !== undefined) out.error = end.error;
    return out;
  }
}

function trackBase(
  s: {
    codec: string | undefined;
    frames: number;
    sequenceHeaders: number;
    otherPackets: number;
    bytes: number;
  },
  tags: number,
  clock: TrackClock,
): TrackSummary {
  const t: TrackSummary = {
    ...(s.codec !== undefined && { codec: s.codec }),
    tags,
    frames: s.frames,
    sequenceHeaders: s.sequenceHeaders,
    otherPackets: s.otherPackets,
    bytes: s.bytes,
  };
  if (s.frames > 0) {
    t.startMs = clock.min;
    t.endMs = clock.max;
    t.durationMs = clock.max - clock.min;
  }
  return t;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

// ---------------------------------------------------------------------------------------------------
// Names

/** ITU-T H.264 Annex A.2 profile names (constraint flags pick the constrained/intra variants). */
export function avcProfileName(profileIdc: number, constraintFlags: number): string {
  const set1 = (constraintFlags & 0x40) !== 0;
  const set3 = (constraintFlags & 0x10) !== 0;
  switch (profileIdc) {
    case 66:
      return set1 ? 'Constrained Baseline' : 'Baseline';
    case 77:
      return 'Main';
    case 88:
      return 'Extended';
    case 100:
      return 'High';
    case 110:
      return set3 ? 'High 10 Intra' : 'High 10';
    case 122:
      return set3 ? 'High 4:2:2 Intra' : 'High 4:2:2';
    case 244:
      return set3 ? 'High 4:4:4 Intra' : 'High 4:4:4 Predictive';
    case 44:
      return 'CAVLC 4:4:4 Intra';
    case 83:
      return 'Scalable Baseline';
    case 86:
      return 'Scalable High';
    case 118:
      return 'Multiview High';
    case 128:
      return 'Stereo High';
    default:
      return `profile ${profileIdc}`;
  }
}

/** level_idc as a level number (31 -> "3.1"); 11 with constraint_set3 in Baseline/Main/Extended, and 9, are "1b". */
export function avcLevelName(levelIdc: number, profileIdc: number, constraintFlags: number): string {
  const set3 = (constraintFlags & 0x10) !== 0;
  if (
    levelIdc === 9 ||
    (levelIdc === 11 && set3 && (profileIdc === 66 || profileIdc === 77 || profileIdc === 88))
  ) {
    return '1b';
  }
  return String(levelIdc / 10);
}

const HEVC_PROFILES: ReadonlyMap<number, string> = new Map([
  [1, 'Main'],
  [2, 'Main 10'],
  [3, 'Main Still Picture'],
  [4, 'Range Extensions'],
  [5, 'High Throughput'],
  [6, 'Multiview Main'],
  [7, 'Scalable Main'],
  [8, '3D Main'],
  [9, 'Screen Content Coding'],
  [10, 'Scalable Range Extensions'],
  [11, 'High Throughput Screen Content Coding'],
]);

/** ITU-T H.265 Annex A.3 general_profile_idc names. */
export function hevcProfileName(profileIdc: number): string {
  return HEVC_PROFILES.get(profileIdc) ?? `profile ${profileIdc}`;
}

/** general_level_idc (30 times the level) as a level number (93 -> "3.1"). */
export function hevcLevelName(levelIdc: number): string {
  return String(Math.round(levelIdc / 3) / 10);
}

function chromaName(chromaFormat: number): string {
  return ['4:0:0', '4:2:0', '4:2:2', '4:4:4'][chromaFormat] ?? `chroma ${chromaFormat}`;
}

const AVC_NAL_NAMES: ReadonlyMap<number, string> = new Map([
  [AvcNalUnitType.NonIdrSlice, 'slice'],
  [AvcNalUnitType.SliceDataPartitionA, 'DPA'],
  [AvcNalUnitType.SliceDataPartitionB, 'DPB'],
  [AvcNalUnitType.SliceDataPartitionC, 'DPC'],
  [AvcNalUnitType.IdrSlice, 'IDR'],
  [AvcNalUnitType.Sei, 'SEI'],
  [AvcNalUnitType.Sps, 'SPS'],
  [AvcNalUnitType.Pps, 'PPS'],
  [AvcNalUnitType.Aud, 'AUD'],
  [AvcNalUnitType.EndOfSequence, 'EOSEQ'],
  [AvcNalUnitType.EndOfStream, 'EOSTREAM'],
  [AvcNalUnitType.FillerData, 'FILLER'],
  [AvcNalUnitType.SpsExtension, 'SPSEXT'],
]);

/** ITU-T H.265 Table 7-1 mnemonics. */
const HEVC_NAL_NAMES: readonly string[] = [
  'TRAIL_N',
  'TRAIL_R',
  'TSA_N',
  'TSA_R',
  'STSA_N',
  'STSA_R',
  'RADL_N',
  'RADL_R',
  'RASL_N',
  'RASL_R',
  ...Array.from({ length: 6 }, (_, i) => `RSV_VCL${i + 10}`),
  'BLA_W_LP',
  'BLA_W_RADL',
  'BLA_N_LP',
  'IDR_W_RADL',
  'IDR_N_LP',
  'CRA',
  'RSV_IRAP22',
  'RSV_IRAP23',
  ...Array.from({ length: 8 }, (_, i) => `RSV_VCL${i + 24}`),
  'VPS',
  'SPS',
  'PPS',
  'AUD',
  'EOS',
  'EOB',
  'FD',
  'SEI_PREFIX',
  'SEI_SUFFIX',
];

/** A NAL unit type's short name (SEI, IDR, TRAIL_R ...), or its number. */
export function nalTypeName(codec: string | undefined, type: number): string {
  const name = codec === 'hevc' ? HEVC_NAL_NAMES[type] : AVC_NAL_NAMES.get(type);
  return name ?? String(type);
}

// ---------------------------------------------------------------------------------------------------
// AMF -> JSON

/** Converts a decoded AMF value to JSON: dates as ISO strings, bytes as hex, XML as text, undefined as null. */
export function toJsonValue(v: AmfValue): JsonValue {
  if (v === null || v === undefined) return null;
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'string') return v;
  if (v instanceof Date) return Number.isNaN(v.getTime()) ? 'Invalid Date' : v.toISOString();
  if (Array.isArray(v)) return v.map(toJsonValue);
  if (v instanceof Uint8Array) return Buffer.from(v.buffer, v.byteOffset, v.length).toString('hex');
  if (v instanceof AmfXmlDocument || v instanceof AmfXml) return v.xml;
  if (v instanceof AmfUnsupported) return 'unsupported';
  if (v instanceof AmfTypedObject) {
    return { className: v.className, properties: toJsonValue(v.properties) };
  }
  const out: { [key: string]: JsonValue } = {};
  for (const k of Object.keys(v)) {
    // Wire keys such as __proto__ stay ordinary own properties.
    Object.defineProperty(out, k, {
      value: toJsonValue(v[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

// ---------------------------------------------------------------------------------------------------
// Text formatting

const MAX_ARRAY_ITEMS = 8;
const MAX_STRING = 200;

function fmtNum(n: number, digits = 2): string {
  return Number.isInteger(n) ? String(n) : n.toFixed(digits);
}

function fmtJson(v: JsonValue, depth = 0): string {
  if (v === null) return 'null';
  if (typeof v === 'string')
    return JSON.stringify(v.length > MAX_STRING ? `${v.slice(0, MAX_STRING)}...` : v);
  if (typeof v !== 'object') return String(v);
  if (depth > 4) return Array.isArray(v) ? '[...]' : '{...}';
  if (Array.isArray(v)) {
    const items = v.slice(0, MAX_ARRAY_ITEMS).map((x) => fmtJson(x, depth + 1));
    if (v.length > MAX_ARRAY_ITEMS) items.push(`... ${v.length - MAX_ARRAY_ITEMS} more`);
    return `[${items.join(', ')}]`;
  }
  const entries = Object.keys(v).map((k) => `${k}: ${fmtJson(v[k] ?? null, depth + 1)}`);
  return `{${entries.join(', ')}}`;
}

function runs(names: string[]): string {
  const out: string[] = [];
  let i = 0;
  while (i < names.length) {
    let j = i + 1;
    while (j < names.length && names[j] === names[i]) j++;
    out.push(j - i > 1 ? `${names[i]}x${j - i}` : (names[i] as string));
    i = j;
  }
  return out.join(',');
}

/** One line per tag: index, offset, type, timestamp, size, then what the body is. */
export function formatFlvTagLine(t: FlvTagInfo): string {
  const head = `tag ${String(t.index).padStart(6)} @${String(t.offset).padStart(10)} ${t.type.padEnd(6)} ts=${String(t.timestampMs).padEnd(8)} size=${String(t.size).padStart(6)}`;
  const parts: string[] = [head];
  if (t.filtered) parts.push('filtered (encrypted body)');
  if (t.type === 'script' && t.name !== undefined) parts.push(t.name);
  if (t.codec !== undefined) parts.push(t.codec);
  else if (t.type !== 'script' && t.packet !== undefined) parts.push('-');
  if (t.enhanced !== undefined && t.type === 'video') parts.push(t.enhanced ? 'enhanced' : 'legacy');
  if (t.enhanced && t.type === 'audio') parts.push('enhanced');
  if (t.tracks !== undefined) parts.push(`multitrack(${t.tracks})`);
  if (t.frameType !== undefined) parts.push(t.frameType);
  if (t.packet !== undefined) parts.push(t.packet);
  if (t.ctsMs !== undefined) parts.push(`cts=${t.ctsMs}`);
  if (t.nalTypes !== undefined) parts.push(`nal=${runs(t.nalTypes.map((n) => nalTypeName(t.codec, n)))}`);
  if (t.error !== undefined) parts.push(`ERROR: ${t.error}`);
  return parts.join(' ');
}

function yesNo(b: boolean): string {
  return b ? 'yes' : 'no';
}

/** The header line. */
export function formatFlvHeader(h: FlvHeader): string {
  return `header: FLV version ${h.version}, audio flag ${yesNo(h.hasAudio)}, video flag ${yesNo(h.hasVideo)}, data offset ${h.dataOffset}`;
}

function at(r: { index: number; timestampMs: number }): string {
  return `tag ${r.index}, ts ${r.timestampMs}`;
}

/** A script data tag: the name, then every key of onMetaData on its own line. */
export function formatMetadata(m: FlvMetadataReport): string[] {
  const lines = [`${m.name === 'onMetaData' ? 'metadata' : 'script data'} (${at(m)}): ${m.name}`];
  if (m.error !== undefined) {
    lines.push(`  invalid (${m.error})`);
    return lines;
  }
  const v = m.value;
  if (v !== undefined && v !== null && typeof v === 'object' && !Array.isArray(v)) {
    const keys = Object.keys(v);
    if (keys.length === 0) lines.push('  (empty)');
    for (const k of keys) lines.push(`  ${k}: ${fmtJson(v[k] ?? null)}`);
  } else if (v !== undefined) {
    lines.push(`  ${fmtJson(v)}`);
  }
  return lines;
}

/** A video configuration on one line. */
export function formatVideoConfig(c: VideoConfigReport): string {
  const head = `video config${c.change ? ' CHANGED' : ''} (${at(c)}): ${c.codec}${c.enhanced ? ' (enhanced)' : ''}`;
  const parts: string[] = [];
  if (c.profile !== undefined) parts.push(`${c.profile} profile`);
  if (c.level !== undefined) parts.push(`level ${c.level}${c.tier !== undefined ? ` ${c.tier} tier` : ''}`);
  if (c.width !== undefined && c.height !== undefined) {
    const coded =
      c.codedWidth !== c.width || c.codedHeight !== c.height
        ? ` (coded ${c.codedWidth}x${c.codedHeight})`
        : '';
    parts.push(`${c.width}x${c.height}${coded}`);
  }
  if (c.chroma !== undefined) {
    const depth =
      c.bitDepthLuma === c.bitDepthChroma
        ? `${c.bitDepthLuma}-bit`
        : `${c.bitDepthLuma}/${c.bitDepthChroma}-bit`;
    parts.push(`${c.chroma} ${depth}`);
  }
  if (c.frameRate !== undefined) parts.push(`${fmtNum(c.frameRate, 3)} fps (VUI)`);
  else if (c.width !== undefined) parts.push('no VUI frame rate');
  if (c.spsCount !== undefined) {
    const vps = c.vpsCount !== undefined ? `${c.vpsCount} VPS, ` : '';
    parts.push(`${vps}${c.spsCount} SPS, ${c.ppsCount ?? 0} PPS`);
  }
  if (c.nalLengthSize !== undefined) parts.push(`NAL length ${c.nalLengthSize}`);
  parts.push(`${c.size} bytes`);
  const tail = c.valid ? '' : `, invalid (${c.error ?? 'unknown error'})`;
  return `${head}, ${parts.join(', ')}${tail}`;
}

/** An audio configuration on one line. */
export function formatAudioConfig(c: AudioConfigReport): string {
  const head = `audio config${c.change ? ' CHANGED' : ''} (${at(c)}): ${c.codec}${c.enhanced ? ' (enhanced)' : ''}`;
  const parts: string[] = [];
  if (c.objectType !== undefined) parts.push(c.objectType);
  if (c.sampleRate !== undefined) {
    const out = c.outputSampleRate !== c.sampleRate ? ` (output ${c.outputSampleRate} Hz)` : '';
    parts.push(`${c.sampleRate} Hz${out}`);
  }
  if (c.channels !== undefined) parts.push(`${c.channels} channel${c.channels === 1 ? '' : 's'}`);
  if (c.codec === 'aac' && c.valid) {
    const sig = (b: boolean | undefined) => (b === undefined ? 'not signalled' : yesNo(b));
    parts.push(`SBR ${sig(c.sbr)}`, `PS ${sig(c.ps)}`);
  }
  if (c.frameLength !== undefined) parts.push(`${c.frameLength} samples/frame`);
  parts.push(`${c.size} bytes`);
  const tail = c.valid ? '' : `, invalid (${c.error ?? 'unknown error'})`;
  return `${head}, ${parts.join(', ')}${tail}`;
}

function listLines<T>(l: Listed<T>, fmt: (x: T) => string): string[] {
  const lines = l.listed.map((x) => `    ${fmt(x)}`);
  if (l.count > l.listed.length) lines.push(`    ... and ${l.count - l.listed.length} more`);
  return lines;
}

function fmtEvent(e: TimestampEvent): string {
  const sign = e.deltaMs >= 0 ? '+' : '';
  return `${e.track} tag ${e.index} @${e.offset}: ${e.prevTimestampMs} -> ${e.timestampMs} ms (${sign}${e.deltaMs} ms)`;
}

function fmtMam(m: MinAvgMax, unit: string): string {
  return `${fmtNum(m.min)}/${fmtNum(m.avg)}/${fmtNum(m.max)} ${unit}`;
}

function range(t: TrackSummary): string {
  return t.startMs === undefined ? 'none' : `${t.startMs} .. ${t.endMs} ms`;
}

function kb(v: number | undefined): string {
  return v === undefined ? '-' : `${v.toFixed(1)} kbps`;
}

function plural(n: number, word: string): string {
  return `${n} ${word}${n === 1 ? '' : 's'}`;
}

/** The summary block printed after the tags. */
export function formatFlvSummary(a: FlvAnalysis): string[] {
  const L: string[] = ['summary:'];
  const row = (label: string, text: string) => L.push(`  ${`${label}:`.padEnd(22)} ${text}`);
  if (a.header) {
    const h = a.header;
    const flag = (name: string, flagged: boolean, present: boolean, ok: boolean) =>
      `${name} flag ${yesNo(flagged)}, ${name} tags ${yesNo(present)}${ok ? ' (ok)' : ' (MISMATCH)'}`;
    row(
      'header flags',
      `${flag('audio', h.hasAudio, a.tagCounts.audio > 0, h.audioFlagMatches)}; ${flag('video', h.hasVideo, a.tagCounts.video > 0, h.videoFlagMatches)}`,
    );
  }
  const filtered = a.tagCounts.filtered > 0 ? `, ${a.tagCounts.filtered} filtered` : '';
  row(
    'tags',
    `${a.tagCounts.total} (video ${a.tagCounts.video}, audio ${a.tagCounts.audio}, script ${a.tagCounts.script}${filtered})`,
  );
  const v = a.video;
  const vParts = [
    v.codec ?? 'none',
    plural(v.frames, 'frame'),
    plural(v.keyFrames, 'key frame'),
    plural(v.sequenceHeaders, 'sequence header'),
  ];
  if (v.otherPackets > 0) vParts.push(plural(v.otherPackets, 'other packet'));
  if (v.framesBeforeFirstKeyFrame > 0)
    vParts.push(`${v.framesBeforeFirstKeyFrame} before the first key frame`);
  row('video', vParts.join(', '));
  const au = a.audio;
  const aParts = [
    au.codec ?? 'none',
    plural(au.frames, 'frame'),
    plural(au.sequenceHeaders, 'sequence header'),
  ];
  if (au.otherPackets > 0) aParts.push(plural(au.otherPackets, 'other packet'));
  if (au.legacyFormat) {
    const f = au.legacyFormat;
    aParts.push(`${f.sampleRate} Hz ${f.bits}-bit ${f.channels === 2 ? 'stereo' : 'mono'} (legacy header)`);
  }
  row('audio', aParts.join(', '));
  if (a.durationMs !== undefined) {
    row('duration', `${a.durationMs} ms (${a.startMs} .. ${a.endMs}; video ${range(v)}, audio ${range(au)})`);
  } else {
    row('duration', 'no media frames');
  }
  if (a.avStartOffsetMs !== undefined) row('a/v start offset', `${a.avStartOffsetMs} ms (audio - video)`);
  if (v.gops) {
    row(
      'GOPs',
      `${v.gops.count}, ${fmtMam(v.gops.frames, 'frames')}, ${fmtMam(v.gops.ms, 'ms')} (min/avg/max)`,
    );
  } else if (v.frames > 0) {
    row('GOPs', 'none (no key frame)');
  }
  if (v.frameRate !== undefined) row('frame rate', `${v.frameRate.toFixed(3)} fps (average, from DTS)`);
  row('bitrate', `video ${kb(v.kbps)}, audio ${kb(au.kbps)}, total ${kb(a.totalKbps)}`);
  if (v.cts) {
    const b =
      v.cts.nonZeroFrames > 0 ? `${v.cts.nonZeroFrames} frames with cts != 0 (B-frames)` : 'no B-frames';
    row('composition time', `${v.cts.minMs} .. ${v.cts.maxMs} ms, ${b}`);
  }
  if (v.keyFramesWithoutIrap > 0) row('key frames w/o IDR', `${v.keyFramesWithoutIrap}`);
  if (v.irapInNonKeyFrames > 0) row('IDR in non-key frames', `${v.irapInNonKeyFrames}`);
  if (a.videoConfigs.count > 1 || a.videoConfigRepeats > 0) {
    row('video config', `${a.videoConfigs.count - 1} changes, ${a.videoConfigRepeats} identical repeats`);
  }
  if (a.audioConfigs.count > 1 || a.audioConfigRepeats > 0) {
    row('audio config', `${a.audioConfigs.count - 1} changes, ${a.audioConfigRepeats} identical repeats`);
  }
  row(`gaps (> ${a.gapMs} ms)`, a.gaps.count === 0 ? 'none' : String(a.gaps.count));
  L.push(...listLines(a.gaps, fmtEvent));
  row('jumps (DTS backwards)', a.jumps.count === 0 ? 'none' : String(a.jumps.count));
  L.push(...listLines(a.jumps, fmtEvent));
  row('body errors', a.bodyErrors.count === 0 ? 'none' : String(a.bodyErrors.count));
  L.push(
    ...listLines(
      a.bodyErrors,
      (e) => `${e.type} tag ${e.index} @${e.offset} ts ${e.timestampMs}: ${e.error}`,
    ),
  );
  row(
    'PreviousTagSize',
    a.prevTagSizeMismatches === 0 ? 'all match' : `${a.prevTagSizeMismatches} mismatches`,
  );
  row('bytes read', String(a.bytesRead));
  if (a.error !== undefined) row('INCOMPLETE', a.error);
  return L;
}
