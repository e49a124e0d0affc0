// A well-behaved stream running next to a fuzzer or a load: one paced RTMP publisher looping a
// fixture, an RTMP, an HTTP-FLV and a WS-FLV player that joined before it. Every message the players
// receive is checked on arrival against what was published (type, timestamp, payload hash), with
// memory bounded by what is in flight, so it can run for hours.
import type { FlvTag } from '../../src/format/flv/index.js';
import { HttpFlvPullSession } from '../../src/protocol/httpflv/index.js';
import { RtmpPullSession, RtmpPushSession } from '../../src/protocol/rtmp/index.js';
import { digest, type Got, isMedia, type TestLals, waitFor } from '../helpers/lals.js';

interface Checked {
  name: string;
  received: number;
  /** The first difference from the published sequence, if any. */
  mismatch: string | undefined;
  done: Promise<unknown>;
  close(): Promise<void>;
}

export interface NormalTrafficOptions {
  /** Playback speed: 1 = real time, 4 = four times faster. Default 1. */
  speed?: number;
  /** Scheduler period, ms. Default 20. */
  tickMs?: number;
}

/**
 * The fixture's first three tags (metadata and sequence headers) are sent once, then its media loops
 * with timestamps continuing (`loop * span`), paced by the timestamps.
 */
export class NormalTraffic {
  private readonly lals: TestLals;
  readonly stream: string;
  private readonly tags: FlvTag[];
  private readonly speed: number;
  private readonly tickMs: number;
  private readonly span: number;
  /** Published media messages not yet received by every player (index `base` first). */
  private expected: Got[] = [];
  private base = 0;
  private published = 0;
  private readonly cursors: number[] = [];
  private players: Checked[] = [];
  private pub: RtmpPushSession | undefined;
  private timer: NodeJS.Timeout | undefined;
  private t0 = 0;
  private loop = 0;
  private pos = 3;

  constructor(lals: TestLals, stream: string, tags: FlvTag[], opts: NormalTrafficOptions = {}) {
    this.lals = lals;
    this.stream = stream;
    this.tags = tags;
    this.speed = opts.speed ?? 1;
    this.tickMs = opts.tickMs ?? 20;
    this.span = (tags[tags.length - 1]?.timestampMs ?? 0) + 40;
  }

  /** Messages published so far (media and metadata). */
  get publishedCount(): number {
    return this.published;
  }

  /** Players connect and wait, then the publisher starts. */
  async start(): Promise<void> {
    const before = this.lals.server.groups.get('live', this.stream)?.subCount ?? 0;
    this.players = [
      await this.rtmpPlayer(0),
      this.httpPlayer(1, this.lals.http(this.stream), 'httpflv'),
      this.httpPlayer(2, this.lals.ws(this.stream), 'wsflv'),
    ];
    await waitFor(
      () => (this.lals.server.groups.get('live', this.stream)?.subCount ?? 0) >= before + 3,
      'normal players registered',
    );
    const pub = new RtmpPushSession();
    await pub.start(this.lals.rtmp(this.stream));
    this.pub = pub;
    for (let i = 0; i < 3; i++) this.write(this.tags[i] as FlvTag, 0);
    this.t0 = performance.now();
    this.timer = setInterval(() => this.pump(), this.tickMs);
    this.timer.unref(); // the players and sockets keep the process alive; a failed test must not
  }

  private write(t: FlvTag, offset: number): void {
    const ts = (t.timestampMs + offset) % 2 ** 32;
    this.pub?.write({ typeId: t.type, timestampMs: ts, payload: t.data });
    const g = digest(t.type, ts, t.data);
    if (!isMedia(g)) return;
    this.expected.push(g);
    this.published++;
  }

  private pump(): void {
    const elapsed = (performance.now() - this.t0) * this.speed;
    for (;;) {
      const t = this.tags[this.pos];
      if (t === undefined) {
        this.loop++;
        this.pos = 3;
        continue;
      }
      const due = this.loop * this.span + t.timestampMs;
      if (due > elapsed) break;
      this.write(t, this.loop * this.span);
      this.pos++;
    }
    // Drop what every player has seen.
    const min = Math.min(...this.cursors);
    if (min - this.base > 1000) {
      this.expected = this.expected.slice(min - this.base);
      this.base = min;
    }
  }

  /** Checks one received message of player `i`. */
  private check(i: number, p: Checked, g: Got): void {
    if (!isMedia(g)) return;
    const at = this.cursors[i] ?? 0;
    this.cursors[i] = at + 1;
    p.received++;
    if (p.mismatch !== undefined) return;
    const want = this.expected[at - this.base];
    if (want === undefined) {
      p.mismatch = `${p.name}: message ${at} arrived but only ${this.published} were published`;
    } else if (want.type !== g.type || want.ts !== g.ts || want.hash !== g.hash) {
      p.mismatch = `${p.name}: message ${at}: want ${JSON.stringify(want)}, got ${JSON.stringify(g)}`;
    }
  }

  private async rtmpPlayer(i: number): Promise<Checked> {
    this.cursors[i] = 0;
    const p: Checked = {
      name: 'rtmp',
      received: 0,
      mismatch: undefined,
      done: Promise.resolve(),
      close: async () => {},
    };
    const s = new RtmpPullSession({
      onMessage: (m) => this.check(i, p, digest(m.typeId, m.timestampMs, m.payload)),
    });
    await s.start(this.lals.rtmp(this.stream));
    p.done = s.done;
    p.close = () => s.close();
    return p;
  }

  private httpPlayer(i: number, url: string, name: string): Checked {
    this.cursors[i] = 0;
    const p: Checked = {
      name,
      received: 0,
      mismatch: undefined,
      done: Promise.resolve(),
      close: async () => {},
    };
    const s = new HttpFlvPullSession({
      onTag: (t) => this.check(i, p, digest(t.type, t.timestampMs, t.data)),
    });
    s.pull(url).catch((e: unknown) => {
      p.mismatch ??= `${name}: could not start: ${String(e)}`;
    });
    p.done = s.done;
    p.close = async () => {
      s.close();
      await s.done;
    };
    return p;
  }

  /**
   * Stops publishing, waits (up to `ms`) until every player has everything, closes all, and returns
   * the problems found (empty when every player received exactly what was published).
   */
  async stop(ms = 10_000): Promise<string[]> {
    if (this.timer) clearInterval(this.timer);
    const problems: string[] = [];
    try {
      await waitFor(
        () => this.players.every((p) => p.received >= this.published || p.mismatch !== undefined),
        () =>
          `normal players: ${this.players.map((p) => `${p.name} ${p.received}`).join(', ')} of ${this.published}`,
        ms,
      );
    } catch (e) {
      problems.push(String(e));
    }
    await this.pub?.close();
    await Promise.all(this.players.map((p) => p.close()));
    for (const p of this.players) {
      if (p.mismatch !== undefined) problems.push(p.mismatch);
      else if (p.received !== this.published) problems.push(`${p.name}: ${p.received} of ${this.published}`);
    }
    return problems;
  }
}
