import type { ConnectionOptions } from 'node:tls';
import { classifyFlvTag, FlvTagType, stripSetDataFrame } from '../../format/flv/index.js';
import { HttpFlvPullSession } from '../../protocol/httpflv/index.js';
import { RtmpPullSession, type RtmpStatus } from '../../protocol/rtmp/index.js';
import { FlvOutputFile } from './flv-output-file.js';
import type { ToolRunner } from './tool-main.js';
import { backoffMs, spreadOffsetMs } from './tool-options.js';
import { reasonOf, type ToolReport } from './tool-report.js';

/** Options of PullRunner. */
export interface PullRunnerOptions {
  /** `rtmp` (rtmp://, rtmps://) or `httpflv` (http://, https://, ws://, wss://). */
  protocol: 'rtmp' | 'httpflv';
  /** One URL per session (the same URL N times pulls N copies of one stream). */
  urls: readonly string[];
  /** Per session, the FLV file to write, or undefined to discard the data. */
  outputs?: readonly (string | undefined)[];
  report: ToolReport;
  /** The session starts are spread evenly over this many ms. Default 1000. */
  spreadMs?: number;
  /** Reconnect lost, failed or ended sessions, with back-off. Default false. */
  reconnect?: boolean;
  connectTimeoutMs?: number;
  /** Close a session when nothing arrives for this long, ms. Default 10,000. */
  readTimeoutMs?: number;
  /** Timestamp steps larger than this count as gaps, ms. Default 1000. */
  gapMs?: number;
  /** TLS options for rtmps://, https://, wss://. */
  tls?: ConnectionOptions;
}

type StreamState = 'pending' | 'connecting' | 'up' | 'backoff' | 'done';

/** A started connection of either protocol. */
interface PullConn {
  close(): Promise<void>;
  readonly closed: boolean;
}

/** One player: its connection, counters and output file. */
class PullStream {
  readonly index: number;
  readonly url: string;
  readonly out: FlvOutputFile | null;
  state: StreamState = 'pending';
  conn: PullConn | null = null;
  timer: NodeJS.Timeout | undefined;
  attempts = 0;
  everUp = false;
  /** Ended by the server (unpublished / Play.Stop) rather than lost. */
  ended = false;
  gotMedia = false;
  lastVideoTs = -1;
  lastAudioTs = -1;

  constructor(index: number, url: string, out: FlvOutputFile | null) {
    this.index = index;
    this.url = url;
    this.out = out;
  }
}

/**
 * N players of RTMP or HTTP-FLV / WebSocket-FLV streams (rtmppull, httpflvpull): counts bytes and
 * frames with the O(1) tag classifier (bodies are not parsed), detects timestamp gaps and backward
 * jumps per track, and writes each session's stream to its FLV file when it has one. A stream the
 * server ends (connection closed, NetStream.Play.UnpublishNotify / Play.Stop) ends the session, as
 * ffmpeg does; with `reconnect` it is pulled again after a back-off.
 */
export class PullRunner implements ToolRunner {
  private readonly o: PullRunnerOptions;
  private readonly report: ToolReport;
  private readonly streams: PullStream[];
  private readonly gapMs: number;
  private doneCount = 0;
  private started = false;
  /** Set first thing in stop() (the promise below is assigned only after its first await). */
  private stopping = false;
  private stopped: Promise<void> | undefined;
  private resolveDone: () => void = () => {};
  readonly done: Promise<void>;

  constructor(options: PullRunnerOptions) {
    this.o = options;
    this.report = options.report;
    this.gapMs = options.gapMs ?? 1000;
    this.streams = options.urls.map((url, i) => {
      const path = options.outputs?.[i];
      const out =
        path === undefined
          ? null
          : new FlvOutputFile(path, (e) =>
              this.report.failure(path, `cannot write the output: ${e.message}`),
            );
      return new PullStream(i, url, out);
    });
    this.report.counters.sessions = this.streams.length;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  start(): void {
    if (this.started || this.stopping) return;
    this.started = true;
    const n = this.streams.length;
    if (n === 0) {
      this.resolveDone();
      return;
    }
    const spread = this.o.spreadMs ?? 1000;
    for (const s of this.streams) {
      const delay = spreadOffsetMs(s.index, n, spread);
      if (delay === 0) this.connect(s);
      else s.timer = setTimeout(() => this.connect(s), delay);
    }
  }

  stop(): Promise<void> {
    this.stopping = true;
    this.stopped ??= (async () => {
      const closing: Promise<void>[] = [];
      for (const s of this.streams) {
        if (s.timer !== undefined) clearTimeout(s.timer);
        s.timer = undefined;
        const conn = s.conn;
        s.conn = null;
        if (conn !== null) closing.push(conn.close());
        this.setDone(s);
      }
      await Promise.allSettled(closing);
      await this.closeFiles();
      this.resolveDone();
    })();
    return this.stopped;
  }

  private async closeFiles(): Promise<void> {
    const files = this.streams.flatMap((s) => (s.out === null ? [] : [s.out]));
    const results = await Promise.allSettled(files.map((f) => f.close()));
    results.forEach((r, i) => {
      if (r.status === 'rejected')
        this.report.failure(files[i]?.path ?? '', `cannot finish the output: ${reasonOf(r.reason)}`);
    });
  }

  private connect(s: PullStream): void {
    s.timer = undefined;
    if (s.state === 'done' || this.stopping) return;
    if (s.attempts > 0 || s.everUp) this.report.counters.reconnects++;
    s.attempts++;
    s.state = 'connecting';
    s.ended = false;
    s.lastAudioTs = -1;
    s.lastVideoTs = -1;
    if (this.o.protocol === 'rtmp') this.connectRtmp(s);
    else this.connectHttpFlv(s);
  }

  private connectRtmp(s: PullStream): void {
    let conn: PullConn | null = null;
    const session = new RtmpPullSession(
      {
        onMessage: (m) => this.onMessage(s, m.typeId, m.timestampMs, m.payload),
        onStatus: (st: RtmpStatus) => {
          if (st.code === 'NetStream.Play.UnpublishNotify' || st.code === 'NetStream.Play.Stop') {
            s.ended = true;
            void session.close();
          }
        },
        onStreamEof: () => {
          // nginx-rtmp (default config) ends a stream with Stream EOF alone.
          s.ended = true;
          void session.close();
        },
        onClose: (r) => {
          if (conn === null || s.conn !== conn || s.state !== 'up') return;
          this.onClosed(s, r.kind === 'peer' || (r.kind === 'local' && s.ended), r.message);
        },
      },
      {
        connectTimeoutMs: this.o.connectTimeoutMs ?? 5000,
        readTimeoutMs: this.o.readTimeoutMs ?? 10_000,
        tickIntervalMs: 1000,
        ...(this.o.tls ? { tls: this.o.tls } : {}),
        id: `pull-${s.index}`,
      },
    );
    conn = {
      close: () => session.close(),
      get closed() {
        return session.session?.closed ?? false;
      },
    };
    s.conn = conn;
    const c = conn;
    session.start(s.url).then(
      () => this.onUp(s, c),
      (e: unknown) => this.onStartFailed(s, c, e),
    );
  }

  private connectHttpFlv(s: PullStream): void {
    let conn: PullConn | null = null;
    const session = new HttpFlvPullSession(
      {
        onTag: (t) => this.onMessage(s, t.type, t.timestampMs, t.data),
        onClose: (r) => {
          if (conn === null || s.conn !== conn || s.state !== 'up') return;
          this.onClosed(s, r.kind === 'peer', r.message);
        },
      },
      {
        connectTimeoutMs: this.o.connectTimeoutMs ?? 5000,
        readTimeoutMs: this.o.readTimeoutMs ?? 10_000,
        ...(this.o.tls ? { tls: this.o.tls } : {}),
        id: `pull-${s.index}`,
      },
    );
    conn = {
      close: () => {
        session.close();
        return session.done.then(() => undefined);
      },
      get closed() {
        return session.closed;
      },
    };
    s.conn = conn;
    const c = conn;
    session.pull(s.url).then(
      () => this.onUp(s, c),
      (e: unknown) => this.onStartFailed(s, c, e),
    );
  }

  private onUp(s: PullStream, conn: PullConn): void {
    if (s.conn !== conn) return;
    if (s.state === 'done') {
      void conn.close();
      return;
    }
    if (s.state !== 'connecting') return;
    const c = this.report.counters;
    s.state = 'up';
    s.attempts = 0;
    c.up++;
    if (!s.everUp) {
      s.everUp = true;
      c.everUp++;
    }
    // Closed between the start and this continuation: its close event was ignored, handle it now.
    if (conn.closed) this.onClosed(s, s.ended, 'closed right after the start');
  }

  private onStartFailed(s: PullStream, conn: PullConn, e: unknown): void {
    if (s.conn !== conn) return;
    s.conn = null;
    if (s.state === 'done') return;
    this.report.counters.failed++;
    this.report.failure(s.url, reasonOf(e));
    this.retryOrDone(s);
  }

  /** A started session closed: the server ended the stream (`ended`) or it was lost. */
  private onClosed(s: PullStream, ended: boolean, message: string): void {
    const c = this.report.counters;
    s.conn = null;
    if (s.state === 'up') c.up--;
    if (s.state === 'done') return;
    s.state = 'connecting';
    if (this.stopping) {
      this.setDone(s);
      return;
    }
    if (ended) {
      c.ended++;
      this.report.note(`stream ended (${message.replace(/^(rtmp|httpflv): /, '')})`, s.url);
    } else {
      c.lost++;
      this.report.failure(s.url, `lost: ${message.replace(/^(rtmp|httpflv): /, '')}`);
    }
    this.retryOrDone(s);
  }

  private retryOrDone(s: PullStream): void {
    if (this.o.reconnect === true && !this.stopping) {
      s.state = 'backoff';
      s.timer = setTimeout(() => this.connect(s), backoffMs(s.attempts));
      return;
    }
    this.setDone(s);
    if (this.doneCount === this.streams.length && !this.stopping) {
      // Everything ended by itself: finish the files, then report done.
      void this.closeFiles().then(() => this.resolveDone());
    }
  }

  private setDone(s: PullStream): void {
    if (s.state === 'done') return;
    if (s.state === 'up') this.report.counters.up--;
    s.state = 'done';
    this.doneCount++;
  }

  private firstMedia(s: PullStream): void {
    s.gotMedia = true;
    this.report.counters.withMedia++;
  }

  /** Hot path: one media or data message (body shared, read-only). O(1) unless it is written. */
  private onMessage(s: PullStream, type: number, timestampMs: number, body: Uint8Array): void {
    const c = this.report.counters;
    c.bytesIn += body.length;
    if (type === FlvTagType.Video) {
      const cls = classifyFlvTag(type, body);
      if (cls === 'video-key-frame' || cls === 'video-frame') {
        c.videoFrames++;
        if (!s.gotMedia) this.firstMedia(s);
        const last = s.lastVideoTs;
        if (last >= 0) {
          if (timestampMs - last > this.gapMs) c.gaps++;
          else if (timestampMs < last) c.backJumps++;
        }
        s.lastVideoTs = timestampMs;
      }
      s.out?.write(FlvTagType.Video, timestampMs, body);
    } else if (type === FlvTagType.Audio) {
      if (classifyFlvTag(type, body) === 'audio-frame') {
        c.audioFrames++;
        if (!s.gotMedia) this.firstMedia(s);
        const last = s.lastAudioTs;
        if (last >= 0) {
          if (timestampMs - last > this.gapMs) c.gaps++;
          else if (timestampMs < last) c.backJumps++;
        }
        s.lastAudioTs = timestampMs;
      }
      s.out?.write(FlvTagType.Audio, timestampMs, body);
    } else if (type === FlvTagType.Script) {
      s.out?.write(FlvTagType.Script, timestampMs, stripSetDataFrame(body));
    }
  }
}
