import { readFileSync } from 'node:fs';
import {
  AudioPacketType,
  AvcPacketType,
  addSetDataFrame,
  classifyFlvTag,
  type FlvTagClass,
  FlvTagType,
  parseFlvFile,
  SoundFormat,
  VideoPacketType,
} from '../../format/flv/index.js';
import { CliError } from '../cli.js';

/** One tag of the source file, with the facts the push scheduler needs. */
export interface SourceTag {
  /** FLV tag type = RTMP message type: 8 audio, 9 video, 18 script data. */
  type: FlvTagType;
  /** The tag's timestamp in the file, ms. */
  timestampMs: number;
  /**
   * The RTMP message payload: the tag body (a view of the file's one Buffer), except for metadata,
   * which gets `@setDataFrame` in front as RTMP publishers send it (made once). Shared, read-only.
   */
  payload: Uint8Array;
  cls: FlvTagClass;
  /** Metadata or a sequence header equal to the one in force when a later loop reaches it: not resent. */
  skipInLaterLoops: boolean;
  /** A video or audio end-of-sequence tag: not sent when another loop follows (the decoder would reset). */
  endOfSequence: boolean;
}

/**
 * An FLV file read once into memory and prepared for (looped) real-time pushing by any number of
 * streams: every tag body is a view of the same Buffer, shared by all streams.
 *
 * Loop plan (`-r`): loop L sends each tag at `timestampMs + L * loopPeriodMs`, where the period is
 * the longest track's span plus one frame of that track (`last - first + frame duration`, the frame
 * duration being the median timestamp step of the track's coded frames). So timestamps keep
 * increasing across loops; the track that sets the period continues with exactly one frame step, the
 * other one with at most about two. In later loops metadata and sequence headers are skipped when
 * they equal the one already in force (they are resent when the file changes them), and
 * end-of-sequence tags are dropped whenever another loop follows.
 */
export class FlvSource {
  readonly path: string;
  readonly tags: readonly SourceTag[];
  readonly hasAudio: boolean;
  readonly hasVideo: boolean;
  /** The smallest timestamp in the file: tag k is due `timestampMs - baseTsMs` after the stream's start. */
  readonly baseTsMs: number;
  /** The timestamp offset added per loop, ms (>= 1). */
  readonly loopPeriodMs: number;
  /** Per tag: when its stream (re)connects at this tag, the metadata / video / audio header in force before it (-1: none yet). */
  readonly metaBefore: Int32Array;
  readonly videoHeaderBefore: Int32Array;
  readonly audioHeaderBefore: Int32Array;
  /** The last metadata / video / audio header in the file (-1: none): in force at the start of a later loop. */
  readonly lastMeta: number;
  readonly lastVideoHeader: number;
  readonly lastAudioHeader: number;
  /** Bytes of the file. */
  readonly byteLength: number;

  private constructor(path: string, file: Buffer) {
    this.path = path;
    this.byteLength = file.length;
    let parsed: ReturnType<typeof parseFlvFile>;
    try {
      parsed = parseFlvFile(file);
    } catch (e) {
      throw new CliError(`${path}: ${e instanceof Error ? e.message : String(e)}`);
    }
    const tags: SourceTag[] = [];
    for (const t of parsed.tags) {
      const cls = classifyFlvTag(t.type, t.data);
      tags.push({
        type: t.type,
        timestampMs: t.timestampMs,
        payload: cls === 'metadata' ? addSetDataFrame(t.data) : t.data,
        cls,
        skipInLaterLoops: false,
        endOfSequence: isEndOfSequence(t.type, t.data),
      });
    }
    if (tags.length === 0) throw new CliError(`${path}: no tags`);
    this.tags = tags;
    this.hasAudio = tags.some((t) => t.type === FlvTagType.Audio);
    this.hasVideo = tags.some((t) => t.type === FlvTagType.Video);
    this.baseTsMs = tags.reduce((m, t) => Math.min(m, t.timestampMs), Number.POSITIVE_INFINITY);
    this.loopPeriodMs = loopPeriod(tags);

    const n = tags.length;
    this.metaBefore = new Int32Array(n);
    this.videoHeaderBefore = new Int32Array(n);
    this.audioHeaderBefore = new Int32Array(n);
    let meta = -1;
    let vh = -1;
    let ah = -1;
    for (let k = 0; k < n; k++) {
      this.metaBefore[k] = meta;
      this.videoHeaderBefore[k] = vh;
      this.audioHeaderBefore[k] = ah;
      const c = (tags[k] as SourceTag).cls;
      if (c === 'metadata') meta = k;
      else if (c === 'video-sequence-header') vh = k;
      else if (c === 'audio-sequence-header') ah = k;
    }
    this.lastMeta = meta;
    this.lastVideoHeader = vh;
    this.lastAudioHeader = ah;

    // A later loop starts with the last headers of the file in force; walking the file once more
    // from there tells which headers repeat what is already in force (the same for every loop >= 1).
    const inForce = { metadata: meta, 'video-sequence-header': vh, 'audio-sequence-header': ah };
    for (let k = 0; k < n; k++) {
      const t = tags[k] as SourceTag;
      if (t.cls !== 'metadata' && t.cls !== 'video-sequence-header' && t.cls !== 'audio-sequence-header') {
        continue;
      }
      const cur = inForce[t.cls];
      if (cur >= 0 && Buffer.compare((tags[cur] as SourceTag).payload, t.payload) === 0) {
        t.skipInLaterLoops = true;
      }
      inForce[t.cls] = k;
    }
  }

  /** Reads and parses `path` (a CliError naming the file when it cannot). */
  static load(path: string): FlvSource {
    let file: Buffer;
    try {
      file = readFileSync(path);
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      throw new CliError(err.code === 'ENOENT' ? `no such file: ${path}` : `${path}: ${err.message}`);
    }
    return new FlvSource(path, file);
  }

  /** Builds a source from bytes already in memory (tests). */
  static fromBytes(path: string, file: Buffer): FlvSource {
    return new FlvSource(path, file);
  }

  /** Media duration of one pass, ms (the loop period). */
  get durationMs(): number {
    return this.loopPeriodMs;
  }
}

/** True for a video or audio end-of-sequence body (legacy AVC/HEVC packet type 2, E-RTMP SequenceEnd). */
export function isEndOfSequence(type: number, b: Uint8Array): boolean {
  if (b.length < 2) return false;
  const b0 = b[0] as number;
  if (type === FlvTagType.Video) {
    if ((b0 & 0x80) === 0)
      return b[1] === AvcPacketType.EndOfSequence && ((b0 & 0x0f) === 7 || (b0 & 0x0f) === 12);
    return (b0 & 0x0f) === VideoPacketType.SequenceEnd;
  }
  if (type === FlvTagType.Audio) {
    return b0 >> 4 === SoundFormat.ExHeader && (b0 & 0x0f) === AudioPacketType.SequenceEnd;
  }
  return false;
}

/** The loop period: the longest track span plus one frame step of that track (see FlvSource). */
function loopPeriod(tags: readonly SourceTag[]): number {
  let period = 0;
  for (const type of [FlvTagType.Video, FlvTagType.Audio]) {
    const ts: number[] = [];
    for (const t of tags) {
      if (t.type !== type) continue;
      if (t.cls === 'video-key-frame' || t.cls === 'video-frame' || t.cls === 'audio-frame')
        ts.push(t.timestampMs);
    }
    if (ts.length === 0) continue;
    let first = Number.POSITIVE_INFINITY;
    let last = 0;
    for (const v of ts) {
      first = Math.min(first, v);
      last = Math.max(last, v);
    }
    const steps: number[] = [];
    for (let i = 1; i < ts.length; i++) {
      const d = (ts[i] as number) - (ts[i - 1] as number);
      if (d > 0) steps.push(d);
    }
    steps.sort((a, b) => a - b);
    const step =
      steps.length > 0 ? (steps[steps.length >> 1] as number) : type === FlvTagType.Video ? 40 : 23;
    period = Math.max(period, last - first + step);
  }
  if (period <= 0) {
    // Only script data (or nothing timed): loop once a second.
    const first = tags[0]?.timestampMs ?? 0;
    const last = tags[tags.length - 1]?.timestampMs ?? 0;
    period = Math.max(1000, last - first);
  }
  return Math.max(1, Math.round(period));
}
