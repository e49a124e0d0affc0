import {
  type AudioSpecificConfig,
  adtsHeaderForConfig,
  parseAudioSpecificConfig,
} from '../codec/aac/index.js';
import { AvcNalUnitType, avcNalUnitType, parseAvcDecoderConfigurationRecord } from '../codec/avc/index.js';
import {
  HevcNalUnitType,
  hevcNalUnitType,
  hevcRecordParameterSets,
  parseHevcDecoderConfigurationRecord,
} from '../codec/hevc/index.js';
import { iterateLengthPrefixed, packAnnexB } from '../codec/nal/index.js';
import {
  type AudioPacket,
  type FlvTag,
  FlvTagType,
  parseAudioTagBody,
  parseVideoTagBody,
  type VideoPacket,
} from '../format/flv/index.js';

/** A video access unit in Annex B form: new bytes, the receiver owns them. */
export interface EsVideoUnit {
  codec: 'avc' | 'hevc';
  annexB: Uint8Array;
  dtsMs: number;
  ptsMs: number;
  keyFrame: boolean;
}

/** An audio frame ready to be written to an elementary-stream file: new bytes, the receiver owns them. */
export interface EsAudioFrame {
  /** 'aac': an ADTS frame (header + raw data block); 'mp3': the MP3 frame as carried in FLV. */
  codec: 'aac' | 'mp3';
  frame: Uint8Array;
  dtsMs: number;
}

export interface FlvToEsSink {
  onVideo(unit: EsVideoUnit): void;
  onAudio(frame: EsAudioFrame): void;
}

/** What FlvToEs saw and what it could not convert. */
export interface FlvToEsStats {
  videoUnits: number;
  audioFrames: number;
  /** Tags of a codec that has no elementary-stream output here (e.g. VP6, Opus), by codec name. */
  skippedByCodec: Record<string, number>;
  /** Frames that arrived before their sequence header (no parameter sets to decode them). */
  framesBeforeSequenceHeader: number;
  /** Sequence headers after the first that differ from it (encoder restart, resolution change). */
  sequenceHeaderChanges: number;
}

/**
 * FLV tags -> elementary streams: H.264/H.265 access units as Annex B (parameter sets from the
 * sequence header are repeated in front of every key frame that lacks them in-band, as
 * ffmpeg's h264_mp4toannexb does), AAC raw frames as ADTS, MP3 passed through. Handles legacy
 * (codec id 7/12) and enhanced RTMP (avc1/hvc1) video. Of a multitrack body the first
 * track is used. Pure: the caller reads the file and writes the outputs.
 */
export class FlvToEs {
  private readonly sink: FlvToEsSink;
  private videoCodec: 'avc' | 'hevc' | undefined;
  private lengthSize = 4;
  /** Parameter sets in Annex B form, prepended to key frames that lack them. */
  private paramSets: Uint8Array | undefined;
  private videoConfig: Uint8Array | undefined;
  private asc: AudioSpecificConfig | undefined;
  private audioConfig: Uint8Array | undefined;
  readonly stats: FlvToEsStats = {
    videoUnits: 0,
    audioFrames: 0,
    skippedByCodec: {},
    framesBeforeSequenceHeader: 0,
    sequenceHeaderChanges: 0,
  };

  constructor(sink: FlvToEsSink) {
    this.sink = sink;
  }

  /** Converts one tag; bodies are parsed, never retained. Throws a LalError on a malformed body. */
  feedTag(tag: FlvTag): void {
    if (tag.type === FlvTagType.Video) {
      const body = parseVideoTagBody(tag.data);
      const pkt = body.kind === 'multitrack' ? body.tracks[0] : body;
      if (pkt && pkt.kind !== 'command') this.video(pkt, tag.timestampMs);
    } else if (tag.type === FlvTagType.Audio) {
      const body = parseAudioTagBody(tag.data);
      const pkt = body.kind === 'multitrack' ? body.tracks[0] : body;
      if (pkt) this.audio(pkt, tag.timestampMs);
    }
  }

  private skip(codec: string): void {
    this.stats.skippedByCodec[codec] = (this.stats.skippedByCodec[codec] ?? 0) + 1;
  }

  private video(pkt: VideoPacket, dtsMs: number): void {
    if (pkt.codec !== 'avc' && pkt.codec !== 'hevc') {
      this.skip(pkt.codec);
      return;
    }
    if (pkt.kind === 'sequence-header') {
      if (this.videoConfig && !sameBytes(this.videoConfig, pkt.config)) this.stats.sequenceHeaderChanges++;
      this.videoConfig = Uint8Array.from(pkt.config);
      this.videoCodec = pkt.codec;
      if (pkt.codec === 'avc') {
        const rec = parseAvcDecoderConfigurationRecord(pkt.config);
        this.lengthSize = rec.lengthSizeMinusOne + 1;
        this.paramSets = packAnnexB([...rec.sps, ...rec.pps]);
      } else {
        const rec = parseHevcDecoderConfigurationRecord(pkt.config);
        this.lengthSize = rec.lengthSizeMinusOne + 1;
        const ps = hevcRecordParameterSets(rec);
        this.paramSets = packAnnexB([...ps.vps, ...ps.sps, ...ps.pps]);
      }
      return;
    }
    if (pkt.kind !== 'frame') return;
    if (this.videoCodec !== pkt.codec || this.paramSets === undefined) {
      this.stats.framesBeforeSequenceHeader++;
      return;
    }
    const nalus: Uint8Array[] = [];
    let inBandParams = false;
    for (const nal of iterateLengthPrefixed(pkt.data, this.lengthSize)) {
      if (nal.length === 0) continue;
      if (isParameterSet(pkt.codec, nal)) inBandParams = true;
      nalus.push(nal);
    }
    if (nalus.length === 0) return;
    let annexB = packAnnexB(nalus);
    if (pkt.keyFrame && !inBandParams) annexB = concat(this.paramSets, annexB);
    this.stats.videoUnits++;
    this.sink.onVideo({
      codec: pkt.codec,
      annexB,
      dtsMs,
      ptsMs: dtsMs + pkt.compositionTimeMs,
      keyFrame: pkt.keyFrame,
    });
  }

  private audio(pkt: AudioPacket, dtsMs: number): void {
    if (pkt.codec === 'mp3' && pkt.kind === 'frame') {
      this.stats.audioFrames++;
      this.sink.onAudio({ codec: 'mp3', frame: Uint8Array.from(pkt.data), dtsMs });
      return;
    }
    if (pkt.codec !== 'aac') {
      this.skip(pkt.codec);
      return;
    }
    if (pkt.kind === 'sequence-header') {
      if (this.audioConfig && !sameBytes(this.audioConfig, pkt.config)) this.stats.sequenceHeaderChanges++;
      this.audioConfig = Uint8Array.from(pkt.config);
      this.asc = parseAudioSpecificConfig(pkt.config);
      return;
    }
    if (pkt.kind !== 'frame') return;
    if (this.asc === undefined) {
      this.stats.framesBeforeSequenceHeader++;
      return;
    }
    if (pkt.data.length === 0) return;
    const header = adtsHeaderForConfig(this.asc, pkt.data.length);
    this.stats.audioFrames++;
    this.sink.onAudio({ codec: 'aac', frame: concat(header, pkt.data), dtsMs });
  }
}

function isParameterSet(codec: 'avc' | 'hevc', nal: Uint8Array): boolean {
  const b0 = nal[0] as number;
  if (codec === 'avc') {
    const t = avcNalUnitType(b0);
    return t === AvcNalUnitType.Sps || t === AvcNalUnitType.Pps;
  }
  const t = hevcNalUnitType(b0);
  return t === HevcNalUnitType.VpsNut || t === HevcNalUnitType.SpsNut || t === HevcNalUnitType.PpsNut;
}

function concat(a: Uint8Array, b: Uint8Array): Uint8Array {
  const out = new Uint8Array(a.length + b.length);
  out.set(a, 0);
  out.set(b, a.length);
  return out;
}

function sameBytes(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
