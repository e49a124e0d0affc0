/**
 * Counters and reports of the client tools (flvfile2rtmppush, rtmppull, httpflvpull): a one-line
 * report per interval, one line per distinct failure reason, and a summary with the tool's own CPU
 * time and RSS. The runners bump the counters directly (plain numbers, O(1) per message); the
 * reporter only reads them once per interval.
 *
 * Output modes:
 *  - text (default): interval lines and the summary on stdout, failure lines on stderr;
 *  - quiet: no interval lines; the summary and failure lines still print;
 *  - json: every line (stat, error, summary) is one JSON object on stdout, nothing on stderr.
 */

/** What the runners count; every field is a running total unless said otherwise. */
export class ToolCounters {
  /** Sessions the tool drives (N). */
  sessions = 0;
  /** Sessions publishing / playing right now. */
  up = 0;
  /** Sessions that have started at least once. */
  everUp = 0;
  /** Sessions that have received (pull) or sent (push) at least one audio or video frame. */
  withMedia = 0;
  /** Connect / start attempts that failed (refused, rejected, timed out). */
  failed = 0;
  /** Sessions that ended with an error after they had started (not a clean end of stream). */
  lost = 0;
  /** Sessions whose stream was ended by the server (connection closed, unpublished, Play.Stop). */
  ended = 0;
  reconnects = 0;
  /** Media payload bytes (FLV tag bodies) received / sent. */
  bytesIn = 0;
  bytesOut = 0;
  videoFrames = 0;
  audioFrames = 0;
  /** Timestamp steps forward larger than the gap threshold, per stream and track. */
  gaps = 0;
  /** Timestamps going backwards, per stream and track. */
  backJumps = 0;
  /** Push: messages not sent because the socket was backed up. */
  dropped = 0;
  /** Push: loops completed (all streams). */
  loops = 0;
  /** Push: the largest lateness of a message behind its due time since the last report, ms. */
  maxLagMs = 0;
}

export type ReportMode = 'text' | 'quiet' | 'json';

export interface ToolReportOptions {
  tool: string;
  mode: ReportMode;
  /** Interval between stat lines, ms; 0 = none. */
  intervalMs: number;
  /** Where lines go (tests). Default process.stdout / process.stderr. */
  out?: (line: string) => void;
  err?: (line: string) => void;
}

/** Failure lines printed per distinct reason before the rest are only counted. */
const LINES_PER_REASON = 3;

/** Reporter over a ToolCounters. */
export class ToolReport {
  readonly counters = new ToolCounters();
  private readonly opts: ToolReportOptions;
  private readonly out: (line: string) => void;
  private readonly err: (line: string) => void;
  private readonly startMs = performance.now();
  private timer: NodeJS.Timeout | undefined;
  private lastMs = this.startMs;
  private last = new ToolCounters();
  private maxRss = 0;
  /** Distinct failure reasons and how often each happened. */
  readonly reasons = new Map<string, number>();
  private readonly notes = new Map<string, number>();

  constructor(opts: ToolReportOptions) {
    this.opts = opts;
    this.out = opts.out ?? ((l) => process.stdout.write(`${l}\n`));
    this.err = opts.err ?? ((l) => process.stderr.write(`${l}\n`));
  }

  /** Starts the interval lines (none in quiet mode or with interval 0). */
  start(): void {
    if (this.opts.mode === 'quiet' || this.opts.intervalMs <= 0) return;
    this.timer = setInterval(() => this.interval(), this.opts.intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer !== undefined) clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * A session could not start or was lost: one line with the URL and the reason, for the first few
   * occurrences of each distinct reason; the rest are counted for the summary.
   */
  failure(url: string, reason: string): void {
    const n = (this.reasons.get(reason) ?? 0) + 1;
    this.reasons.set(reason, n);
    if (n > LINES_PER_REASON) return;
    const more = n === LINES_PER_REASON ? ' (further failures with this reason are only counted)' : '';
    if (this.opts.mode === 'json') {
      this.out(JSON.stringify({ type: 'error', tool: this.opts.tool, url, reason }));
    } else {
      this.err(`${this.opts.tool}: ${url}: ${reason}${more}`);
    }
  }

  /**
   * A note for people (text mode only, stderr), e.g. that a stream ended; like failures, only the
   * first few notes with the same text are printed.
   */
  note(msg: string, url?: string): void {
    const n = (this.notes.get(msg) ?? 0) + 1;
    this.notes.set(msg, n);
    if (n > LINES_PER_REASON || this.opts.mode !== 'text') return;
    const more = n === LINES_PER_REASON ? ' (further notes like this are not shown)' : '';
    this.err(`${this.opts.tool}: ${url === undefined ? '' : `${url}: `}${msg}${more}`);
  }

  private interval(): void {
    const now = performance.now();
    const c = this.counters;
    const p = this.last;
    const sec = Math.max(0.001, (now - this.lastMs) / 1000);
    this.maxRss = Math.max(this.maxRss, process.memoryUsage.rss());
    const line = {
      type: 'stat',
      tool: this.opts.tool,
      t: round1((now - this.startMs) / 1000),
      sessions: c.sessions,
      up: c.up,
      withMedia: c.withMedia,
      failed: c.failed,
      lost: c.lost,
      reconnects: c.reconnects,
      kbpsIn: Math.round(((c.bytesIn - p.bytesIn) * 8) / 1000 / sec),
      kbpsOut: Math.round(((c.bytesOut - p.bytesOut) * 8) / 1000 / sec),
      videoFrames: c.videoFrames - p.videoFrames,
      audioFrames: c.audioFrames - p.audioFrames,
      gaps: c.gaps,
      backJumps: c.backJumps,
      dropped: c.dropped,
      loops: c.loops,
      maxLagMs: Math.round(c.maxLagMs),
    };
    this.lastMs = now;
    this.last = Object.assign(new ToolCounters(), c);
    c.maxLagMs = 0;
    if (this.opts.mode === 'json') {
      this.out(JSON.stringify(line));
      return;
    }
    this.out(
      `${this.opts.tool}: ${line.t.toFixed(1)}s up ${line.up}/${line.sessions} failed ${line.failed} ` +
        `lost ${line.lost} reconnects ${line.reconnects} | in ${line.kbpsIn} kbps out ${line.kbpsOut} kbps | ` +
        `frames v ${line.videoFrames} a ${line.audioFrames} | gaps ${line.gaps} back ${line.backJumps}` +
        (this.opts.tool === 'flvfile2rtmppush'
          ? ` | loops ${line.loops} lag ${line.maxLagMs} ms dropped ${line.dropped}`
          : ''),
    );
  }

  /** The summary object (also what --json prints last). */
  summary(): Record<string, unknown> {
    const now = performance.now();
    const c = this.counters;
    const sec = Math.max(0.001, (now - this.startMs) / 1000);
    // The whole process: file loading and start-up included.
    const cpu = process.cpuUsage();
    const uptimeSec = Math.max(0.001, performance.now() / 1000);
    const rss = process.memoryUsage.rss();
    this.maxRss = Math.max(this.maxRss, rss, process.resourceUsage().maxRSS * 1024);
    const cpuSec = (cpu.user + cpu.system) / 1e6;
    return {
      type: 'summary',
      tool: this.opts.tool,
      seconds: round1(sec),
      sessions: c.sessions,
      started: c.everUp,
      neverStarted: c.sessions - c.everUp,
      withMedia: c.withMedia,
      failed: c.failed,
      lost: c.lost,
      ended: c.ended,
      reconnects: c.reconnects,
      bytesIn: c.bytesIn,
      bytesOut: c.bytesOut,
      kbpsIn: Math.round((c.bytesIn * 8) / 1000 / sec),
      kbpsOut: Math.round((c.bytesOut * 8) / 1000 / sec),
      videoFrames: c.videoFrames,
      audioFrames: c.audioFrames,
      gaps: c.gaps,
      backJumps: c.backJumps,
      dropped: c.dropped,
      loops: c.loops,
      cpuUserSec: round2(cpu.user / 1e6),
      cpuSystemSec: round2(cpu.system / 1e6),
      cpuPercentOfOneCore: round1((cpuSec / uptimeSec) * 100),
      rssMB: round1(rss / 1048576),
      maxRssMB: round1(this.maxRss / 1048576),
      errors: Object.fromEntries(this.reasons),
    };
  }

  /** Prints the summary (every mode). */
  printSummary(): void {
    const s = this.summary();
    if (this.opts.mode === 'json') {
      this.out(JSON.stringify(s));
      return;
    }
    const errors = [...this.reasons].map(([r, n]) => `${n} x ${r}`).join('; ');
    this.out(
      `${this.opts.tool}: summary: ${s.seconds} s, sessions ${s.sessions} started ${s.started} ` +
        `never-started ${s.neverStarted} with-media ${s.withMedia} failed ${s.failed} lost ${s.lost} ended ${s.ended} reconnects ${s.reconnects} | ` +
        `in ${s.bytesIn} bytes (${s.kbpsIn} kbps) out ${s.bytesOut} bytes (${s.kbpsOut} kbps) | ` +
        `frames v ${s.videoFrames} a ${s.audioFrames} | gaps ${s.gaps} back ${s.backJumps}` +
        (this.opts.tool === 'flvfile2rtmppush' ? ` | loops ${s.loops} dropped ${s.dropped}` : '') +
        ` | cpu user ${s.cpuUserSec} s sys ${s.cpuSystemSec} s (${s.cpuPercentOfOneCore}% of one core) ` +
        `rss ${s.rssMB} MB max ${s.maxRssMB} MB` +
        (errors ? ` | errors: ${errors}` : ''),
    );
  }

  /** Exit code: 1 when no session ever started, 3 when some never did, else 0. */
  exitCode(): number {
    const c = this.counters;
    if (c.sessions > 0 && c.everUp === 0) return 1;
    if (c.everUp < c.sessions) return 3;
    return 0;
  }
}

function round1(x: number): number {
  return Math.round(x * 10) / 10;
}

function round2(x: number): number {
  return Math.round(x * 100) / 100;
}

/** The reason text of an error for a failure line: the message without the library prefix. */
export function reasonOf(e: unknown): string {
  const msg = e instanceof Error ? e.message : String(e);
  return msg.replace(/^(rtmp|httpflv): /, '');
}
