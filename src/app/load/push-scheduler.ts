import type { ConnectionOptions } from 'node:tls';
import { FlvTagType } from '../../format/flv/index.js';
import { csidForMessageType, packMessage, RtmpPushSession } from '../../protocol/rtmp/index.js';
import type { FlvSource, SourceTag } from './flv-source.js';
import type { ToolRunner } from './tool-main.js';
import { backoffMs, spreadOffsetMs } from './tool-options.js';
import { reasonOf, type ToolReport } from './tool-report.js';

/** Options of PushScheduler; defaults are the flvfile2rtmppush defaults. */
export interface PushSchedulerOptions {
  /** One URL per stream. */
  urls: readonly string[];
  source: FlvSource;
  report: ToolReport;
  /** Passes over the file: 1 = once, 0 = forever. Default 1. */
  loops?: number;
  /** Outgoing RTMP chunk size. Default 4096. */
  chunkSize?: number;
  /** Complex (digest) handshake like ffmpeg/OBS (true) or the simple one. Default true. */
  complexHandshake?: boolean;
  /** TLS options for rtmps:// URLs. */
  tls?: ConnectionOptions;
  /** The stream starts (connects) are spread evenly over this many ms. Default 1000. */
  spreadMs?: number;
  /** Reconnect lost or failed streams with back-off. Default false. */
  reconnect?: boolean;
  connectTimeoutMs?: number;
  /** Scheduler period, ms: due messages are sent at this granularity, batched per stream. Default 20. */
  tickMs?: number;
  /** Steps between the sent timestamps of a track larger than this count as gaps, ms. Default 1000. */
  gapMs?: number;
  /**
   * When a stream's socket holds more than this many unsent bytes, its media is dropped (video until
   * the next key frame) instead of queued; headers are always sent. Default 8 MiB.
   */
  maxBufferBytes?: number;
}

type StreamState = 'pending' | 'connecting' | 'up' | 'backoff' | 'done';

/** The packed RTMP chunks of every tag of one loop for one message stream id, made on demand. */
interface LoopPack {
  streamId: number;
  loop: number;
  packed: (Buffer | undefined)[];
  /** Streams currently in this loop with this stream id. */
  users: number;
}

/** One pushed stream: its session and where it is in the file. */
class PushStream {
  readonly index: number;
  readonly url: string;
  state: StreamState = 'pending';
  session: RtmpPushSession | null = null;
  /** When the next (re)connect is due (performance.now ms). */
  connectAtMs: number;
  attempts = 0;
  everUp = false;
  /** Timeline origin: tag k of loop L is due at t0 + L * period + (ts_k - base). -1: not started. */
  t0 = -1;
  loop = 0;
  pos = 0;
  /** Skip video until the next key frame (after a reconnect or a drop). */
  waitKey = false;
  /** Closing because the file is done (a clean end, not a loss). */
  finishing = false;
  sentMedia = false;
  /** The last sent video / audio frame timestamps (-1: none yet), for the gap counters. */
  lastVideoTs = -1;
  lastAudioTs = -1;
  pack: LoopPack | null = null;

  constructor(index: number, url: string, connectAtMs: number) {
    this.index = index;
    this.url = url;
    this.connectAtMs = connectAtMs;
  }
}

/**
 * Pushes one in-memory FLV file to N RTMP URLs, paced in real time by the tags' timestamps, from one
 * timer shared by all streams (no per-stream timers, no busy loop). Every `tickMs` the scheduler sends
 * each stream the messages that are due; a stream's messages of one tick leave in one write (the
 * socket adapter corks per event-loop turn).
 *
 * The packed RTMP chunks of a message depend only on the chunk size, the message stream id and the
 * timestamp, so they are packed once per loop and stream id and the same Buffer is written to every
 * stream (`RtmpPushSession.writeChunks`); the tag bodies are views of the one file Buffer.
 *
 * Looping (`loops` 0 or > 1): see FlvSource for the timestamp offset and the header rules. A stream
 * that reconnects continues on its timeline (what was due while it was away is dropped), starting
 * with the metadata and sequence headers in force, video from the next key frame.
 */
export class PushScheduler implements ToolRunner {
  private readonly o: PushSchedulerOptions;
  private readonly src: FlvSource;
  private readonly report: ToolReport;
  private readonly streams: PushStream[];
  private readonly packs = new Map<number, Map<number, LoopPack>>();
  private readonly loops: number;
  private readonly chunkSize: number;
  private readonly tickMs: number;
  private readonly maxBufferBytes: number;
  private readonly gapMs: number;
  /** Due offset of each tag from its loop's start, ms. */
  private readonly relMs: Float64Array;
  private timer: NodeJS.Timeout | undefined;
  private doneCount = 0;
  /** Set first thing in stop() (the promise below is assigned only after its first await). */
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private resolveDone: () => void = () => {};
  readonly done: Promise<void>;

  constructor(options: PushSchedulerOptions) {
    this.o = options;
    this.src = options.source;
    this.report = options.report;
    this.loops = options.loops ?? 1;
    this.chunkSize = options.chunkSize ?? 4096;
    this.tickMs = options.tickMs ?? 20;
    this.maxBufferBytes = options.maxBufferBytes ?? 8 * 1024 * 1024;
    this.gapMs = options.gapMs ?? 1000;
    const tags = this.src.tags;
    this.relMs = new Float64Array(tags.length);
    for (let k = 0; k < tags.length; k++) {
      this.relMs[k] = (tags[k] as SourceTag).timestampMs - this.src.baseTsMs;
    }
    const now = performance.now();
    const n = options.urls.length;
    const spread = options.spreadMs ?? 1000;
    this.streams = options.urls.map((url, i) => new PushStream(i, url, now + spreadOffsetMs(i, n, spread)));
    this.report.counters.sessions = n;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
    if (n === 0) this.resolveDone();
  }

  start(): void {
    if (this.timer !== undefined || this.stopping) return;
    this.timer = setInterval(() => this.tick(), this.tickMs);
    this.tick();
  }

  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      const closing: Promise<void>[] = [];
      for (const s of this.streams) {
        if (s.state === 'done') continue;
        const session = s.session;
        if (session !== null) closing.push(session.close());
        this.markDone(s);
      }
      await Promise.allSettled(closing);
      this.resolveDone();
    })();
    return this.stopped;
  }

  /** One scheduler turn: connect what is due, send every stream its due messages. */
  private tick(): void {
    const now = performance.now();
    for (const s of this.streams) {
      switch (s.state) {
        case 'pending':
        case 'backoff':
          if (s.connectAtMs <= now) this.connect(s);
          break;
        case 'up':
          this.pump(s, now);
          break;
        default:
          break;
      }
    }
  }

  private connect(s: PushStream): void {
    if (s.attempts > 0 || s.everUp) this.report.counters.reconnects++;
    s.attempts++;
    s.state = 'connecting';
    const session = new RtmpPushSession(
      {
        outChunkSize: this.chunkSize,
        complexHandshake: this.o.complexHandshake ?? true,
        connectTimeoutMs: this.o.connectTimeoutMs ?? 5000,
        // The session's own timers only watch the start: a slow tick is enough for thousands of them.
        tickIntervalMs: 1000,
        ...(this.o.tls ? { tls: this.o.tls } : {}),
        id: `push-${s.index}`,
      },
      {
        onClose: (r) => {
          if (s.session !== session || s.state !== 'up') return;
          this.onLost(s, r.message);
        },
      },
    );
    s.session = session;
    session.start(s.url).then(
      () => this.onUp(s, session),
      (e: unknown) => {
        if (s.session !== session) return;
        s.session = null;
        if (s.state === 'done') return;
        this.report.counters.failed++;
        this.report.failure(s.url, reasonOf(e));
        this.retryOrDone(s);
      },
    );
  }

  private onUp(s: PushStream, session: RtmpPushSession): void {
    if (s.session !== session) return;
    if (s.state === 'done') {
      void session.close();
      return;
    }
    const c = this.report.counters;
    s.state = 'up';
    s.attempts = 0;
    c.up++;
    if (!s.everUp) {
      s.everUp = true;
      c.everUp++;
    }
    const now = performance.now();
    if (s.t0 < 0) {
      s.t0 = now;
      s.loop = 0;
      s.pos = 0;
      this.setPack(s, session.session?.streamId ?? 1);
      this.pump(s, now);
      return;
    }
    // Reconnected: skip what was due while away, then the headers in force, video from a key frame.
    this.fastForward(s, now);
    if (s.state !== 'up') return;
    this.setPack(s, session.session?.streamId ?? 1);
    this.sendHeadersInForce(s);
    s.waitKey = this.src.hasVideo;
    this.pump(s, now);
  }

  private onLost(s: PushStream, message: string): void {
    const c = this.report.counters;
    c.up--;
    s.state = 'connecting';
    s.session = null;
    this.releasePack(s);
    // A clean end: finish() marks it done once the socket has closed (everything flushed).
    if (s.finishing) return;
    if (this.stopping) {
      this.markDone(s);
      return;
    }
    c.lost++;
    this.report.failure(s.url, `lost: ${message.replace(/^(rtmp): /, '')}`);
    this.retryOrDone(s);
  }

  private retryOrDone(s: PushStream): void {
    if (this.o.reconnect === true && !this.stopping) {
      s.state = 'backoff';
      s.connectAtMs = performance.now() + backoffMs(s.attempts);
    } else {
      this.markDone(s);
    }
  }

  private markDone(s: PushStream): void {
    if (s.state === 'done') return;
    if (s.state === 'up') this.report.counters.up--;
    s.state = 'done';
    this.releasePack(s);
    this.doneCount++;
    // While stopping, stop() resolves `done` once the sessions have closed.
    if (this.doneCount === this.streams.length && !this.stopping) {
      if (this.timer !== undefined) clearInterval(this.timer);
      this.timer = undefined;
      this.resolveDone();
    }
  }

  private moreLoopsAfter(loop: number): boolean {
    return this.loops === 0 || loop + 1 < this.loops;
  }

  /** Sends every message of `s` that is due by `now`. */
  private pump(s: PushStream, now: number): void {
    const tags = this.src.tags;
    const n = tags.length;
    const period = this.src.loopPeriodMs;
    const c = this.report.counters;
    let first = true;
    while (s.state === 'up') {
      const due = s.t0 + s.loop * period + (this.relMs[s.pos] as number);
      if (due > now) break;
      if (first) {
        first = false;
        if (now - due > c.maxLagMs) c.maxLagMs = now - due;
      }
      this.send(s, tags[s.pos] as SourceTag);
      if (s.state !== 'up') return;
      if (++s.pos === n) {
        s.pos = 0;
        c.loops++;
        if (this.moreLoopsAfter(s.loop)) {
          s.loop++;
          this.setPack(s, s.pack?.streamId ?? 1);
        } else {
          this.finish(s);
          return;
        }
      }
    }
  }

  private send(s: PushStream, t: SourceTag): void {
    const session = s.session;
    if (session === null) return;
    if (s.loop > 0 && t.skipInLaterLoops) return;
    if (t.endOfSequence && this.moreLoopsAfter(s.loop)) return;
    const c = this.report.counters;
    const cls = t.cls;
    const media = cls === 'video-key-frame' || cls === 'video-frame' || cls === 'audio-frame';
    if (media) {
      if (s.waitKey && t.type === FlvTagType.Video) {
        if (cls === 'video-frame') {
          c.dropped++;
          return;
        }
        s.waitKey = false;
      }
      if (session.bufferedBytes > this.maxBufferBytes) {
        c.dropped++;
        if (t.type === FlvTagType.Video) s.waitKey = true;
        return;
      }
    }
    const pack = s.pack;
    let chunks: Buffer | undefined;
    if (pack !== null) {
      chunks = pack.packed[s.pos];
      if (chunks === undefined) {
        chunks = this.packTag(t, pack.streamId, s.loop);
        pack.packed[s.pos] = chunks;
      }
    } else {
      chunks = this.packTag(t, session.session?.streamId ?? 1, s.loop);
    }
    session.writeChunks(chunks);
    c.bytesOut += t.payload.length;
    if (!media) return;
    if (!s.sentMedia) {
      s.sentMedia = true;
      c.withMedia++;
    }
    const ts = t.timestampMs + s.loop * this.src.loopPeriodMs;
    const last = t.type === FlvTagType.Video ? s.lastVideoTs : s.lastAudioTs;
    if (last >= 0) {
      if (ts - last > this.gapMs) c.gaps++;
      else if (ts < last) c.backJumps++;
    }
    if (t.type === FlvTagType.Video) {
      c.videoFrames++;
      s.lastVideoTs = ts;
    } else {
      c.audioFrames++;
      s.lastAudioTs = ts;
    }
  }

  private packTag(t: SourceTag, streamId: number, loop: number, timestampMs?: number): Buffer {
    return packMessage(
      {
        csid: csidForMessageType(t.type),
        typeId: t.type,
        streamId,
        timestampMs: timestampMs ?? t.timestampMs + loop * this.src.loopPeriodMs,
        payload: t.payload,
      },
      this.chunkSize,
    );
  }

  /** The file is done for this stream: close cleanly (FCUnpublish, deleteStream, FIN after the flush). */
  private finish(s: PushStream): void {
    const session = s.session;
    s.finishing = true;
    if (session === null) {
      this.markDone(s);
      return;
    }
    void session.close().then(() => {
      if (s.state === 'up') {
        this.report.counters.up--;
        s.state = 'connecting';
      }
      this.markDone(s);
    });
  }

  /** After a reconnect: moves the position past everything due before `now`. */
  private fastForward(s: PushStream, now: number): void {
    const n = this.src.tags.length;
    const period = this.src.loopPeriodMs;
    // Whole loops first, then tag by tag.
    while (s.t0 + (s.loop + 1) * period <= now && this.moreLoopsAfter(s.loop)) {
      s.loop++;
      s.pos = 0;
      this.report.counters.loops++;
    }
    while (s.t0 + s.loop * period + (this.relMs[s.pos] as number) < now) {
      if (++s.pos === n) {
        s.pos = 0;
        this.report.counters.loops++;
        if (!this.moreLoopsAfter(s.loop)) {
          this.finish(s);
          return;
        }
        s.loop++;
      }
    }
  }

  /** Sends the metadata and sequence headers in force at the stream's position, stamped with its time. */
  private sendHeadersInForce(s: PushStream): void {
    const session = s.session;
    if (session === null) return;
    const src = this.src;
    const k = s.pos;
    const later = s.loop > 0;
    const pick = (before: number, last: number): number => (before >= 0 ? before : later ? last : -1);
    const ts = (src.tags[k] as SourceTag).timestampMs + s.loop * src.loopPeriodMs;
    const streamId = s.pack?.streamId ?? session.session?.streamId ?? 1;
    for (const idx of [
      pick(src.metaBefore[k] as number, src.lastMeta),
      pick(src.videoHeaderBefore[k] as number, src.lastVideoHeader),
      pick(src.audioHeaderBefore[k] as number, src.lastAudioHeader),
    ]) {
      if (idx < 0) continue;
      const t = src.tags[idx] as SourceTag;
      session.writeChunks(this.packTag(t, streamId, s.loop, ts));
      this.report.counters.bytesOut += t.payload.length;
    }
  }

  private setPack(s: PushStream, streamId: number): void {
    this.releasePack(s);
    let byLoop = this.packs.get(streamId);
    if (byLoop === undefined) {
      byLoop = new Map();
      this.packs.set(streamId, byLoop);
    }
    let p = byLoop.get(s.loop);
    if (p === undefined) {
      p = { streamId, loop: s.loop, packed: new Array<Buffer | undefined>(this.src.tags.length), users: 0 };
      byLoop.set(s.loop, p);
    }
    p.users++;
    s.pack = p;
  }

  private releasePack(s: PushStream): void {
    const p = s.pack;
    if (p === null) return;
    s.pack = null;
    if (--p.users > 0) return;
    const byLoop = this.packs.get(p.streamId);
    byLoop?.delete(p.loop);
    if (byLoop !== undefined && byLoop.size === 0) this.packs.delete(p.streamId);
  }
}
