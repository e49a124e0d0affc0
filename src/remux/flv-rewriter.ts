import type { AmfValue } from '../format/amf/index.js';
import {
  classifyFlvTag,
  convertVideoTagBody,
  type FlvHeader,
  type FlvTag,
  FlvTagType,
  packOnMetaData,
  parseOnMetaData,
  peekVideoCodec,
  VideoFourCc,
} from '../format/flv/index.js';
import { InvalidArgError } from '../util/errors.js';

/** What to change in an FLV stream (modflvfile). Every field is optional; none = a plain copy. */
export interface FlvRewriteOptions {
  /** Drop every audio tag. Default false. */
  dropAudio?: boolean;
  /** Drop every video tag. Default false. */
  dropVideo?: boolean;
  /**
   * Keep media from this input timestamp (ms) on. Video restarts on the first key frame at or after
   * it so the output decodes; metadata and the latest sequence headers are kept. Default: from the start.
   */
  startMs?: number;
  /** Drop media at or after this input timestamp (ms). Default: to the end. */
  endMs?: number;
  /** Move the first kept media tag to timestamp 0 (applied before shiftMs). Default false. */
  rebase?: boolean;
  /** Add this many ms to every timestamp (may be negative; results below 0 are clamped and counted). Default 0. */
  shiftMs?: number;
  /** onMetaData keys to set (added or replaced). */
  setMetadata?: Record<string, AmfValue>;
  /** onMetaData keys to remove. */
  removeMetadata?: string[];
  /** Re-signal HEVC video as legacy codec id 12 or as enhanced RTMP (FourCC hvc1). Default: unchanged. */
  hevc?: 'id12' | 'enhanced';
}

export interface FlvRewriteStats {
  tagsIn: number;
  tagsOut: number;
  dropped: number;
  /** Timestamps that would have been negative after the shift, clamped to 0. */
  clamped: number;
  /** HEVC video tags re-signalled. */
  converted: number;
}

/**
 * Rewrites an FLV tag stream tag by tag (the engine of modflvfile): track dropping, a time range cut
 * that keeps the stream decodable, timestamp rebase/shift, onMetaData edits and HEVC re-signalling
 * between codec id 12 and enhanced RTMP. Pure and streaming: `header()` first, then `tag()` for each
 * input tag in order; each returns what to write (bodies are the input's views or new buffers).
 */
export class FlvRewriter {
  private readonly o: FlvRewriteOptions;
  readonly stats: FlvRewriteStats = { tagsIn: 0, tagsOut: 0, dropped: 0, clamped: 0, converted: 0 };
  /** Sequence headers and metadata held back while cutting, released with the first kept media tag. */
  private held: FlvTag[] = [];
  private started = false;
  private videoStarted = false;
  private baseMs: number | undefined;

  constructor(opts: FlvRewriteOptions = {}) {
    if (opts.dropAudio && opts.dropVideo)
      throw new InvalidArgError('modflv: dropping both audio and video leaves nothing');
    if (opts.startMs !== undefined && opts.endMs !== undefined && opts.endMs <= opts.startMs) {
      throw new InvalidArgError(`modflv: end ${opts.endMs} ms is not after start ${opts.startMs} ms`);
    }
    this.o = opts;
  }

  /** The output header: the track flags follow what is dropped. */
  header(h: FlvHeader): FlvHeader {
    return {
      ...h,
      hasAudio: h.hasAudio && !this.o.dropAudio,
      hasVideo: h.hasVideo && !this.o.dropVideo,
    };
  }

  /** Rewrites one input tag; returns zero or more output tags. */
  tag(t: FlvTag): FlvTag[] {
    this.stats.tagsIn++;
    const out = this.rewrite(t);
    this.stats.tagsOut += out.length;
    return out;
  }

  private rewrite(t: FlvTag): FlvTag[] {
    const o = this.o;
    if ((t.type === FlvTagType.Audio && o.dropAudio) || (t.type === FlvTagType.Video && o.dropVideo)) {
      this.stats.dropped++;
      return [];
    }
    let tag = t;
    if (tag.type === FlvTagType.Script) tag = this.metadata(tag);
    else if (tag.type === FlvTagType.Video && o.hevc && peekVideoCodec(tag.data) === 'hevc') {
      tag = { ...tag, data: convertVideoTagBody(tag.data, o.hevc === 'id12' ? 'legacy' : 'enhanced') };
      this.stats.converted++;
    }
    const cls = classifyFlvTag(tag.type, tag.data);
    const isConfig = cls === 'video-sequence-header' || cls === 'audio-sequence-header' || cls === 'metadata';
    const ts = tag.timestampMs;
    if (!isConfig && tag.type !== FlvTagType.Script) {
      if (o.endMs !== undefined && ts >= o.endMs) {
        this.stats.dropped++;
        return [];
      }
      if (o.startMs !== undefined && ts < o.startMs) {
        this.stats.dropped++;
        return [];
      }
      if (tag.type === FlvTagType.Video && !this.videoStarted) {
        if (o.startMs !== undefined && cls !== 'video-key-frame') {
          this.stats.dropped++;
          return [];
        }
        this.videoStarted = true;
      }
    }
    if (!this.started) {
      if (isConfig || tag.type === FlvTagType.Script) {
        // Keep only the latest of each kind while waiting for the first media tag.
        this.held = this.held.filter((h) => classifyFlvTag(h.type, h.data) !== cls);
        this.held.push(tag);
        return [];
      }
      this.started = true;
      this.baseMs = o.rebase ? ts : 0;
      const first = tag.timestampMs;
      const out = this.held.map((h) => this.retime(h, Math.min(h.timestampMs, first)));
      this.held = [];
      out.push(this.retime(tag, ts));
      return out;
    }
    return [this.retime(tag, ts)];
  }

  /** Call at the end: config tags still held (a stream with no media in range) are returned. */
  end(): FlvTag[] {
    const out = this.held.map((h) => this.retime(h, o0(this.o.rebase, h.timestampMs)));
    this.held = [];
    this.stats.tagsOut += out.length;
    return out;
  }

  private retime(tag: FlvTag, tsIn: number): FlvTag {
    let ts = tsIn - (this.baseMs ?? 0) + (this.o.shiftMs ?? 0);
    if (ts < 0) {
      ts = 0;
      this.stats.clamped++;
    }
    ts = ts >>> 0;
    return ts === tag.timestampMs ? tag : { ...tag, timestampMs: ts };
  }

  private metadata(tag: FlvTag): FlvTag {
    const o = this.o;
    const edits = o.setMetadata !== undefined || o.removeMetadata !== undefined;
    if (!edits && !o.hevc && !o.dropAudio && !o.dropVideo) return tag;
    const meta = parseOnMetaData(tag.data);
    if (meta === undefined) return tag;
    const next: Record<string, AmfValue> = { ...meta };
    if (o.dropAudio) for (const k of AUDIO_KEYS) delete next[k];
    if (o.dropVideo) for (const k of VIDEO_KEYS) delete next[k];
    if (o.hevc && (next.videocodecid === 12 || next.videocodecid === VideoFourCc.Hevc)) {
      next.videocodecid = o.hevc === 'id12' ? 12 : VideoFourCc.Hevc;
    }
    for (const k of o.removeMetadata ?? []) delete next[k];
    Object.assign(next, o.setMetadata ?? {});
    return { ...tag, data: packOnMetaData(next) };
  }
}

function o0(rebase: boolean | undefined, ts: number): number {
  return rebase ? 0 : ts;
}

const AUDIO_KEYS = [
  'audiocodecid',
  'audiosamplerate',
  'audiosamplesize',
  'stereo',
  'audiodatarate',
  'audiochannels',
];
const VIDEO_KEYS = ['videocodecid', 'width', 'height', 'framerate', 'videodatarate'];
