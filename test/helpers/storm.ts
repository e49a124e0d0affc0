// A connection storm like lal's benchrtmpconnect: N RTMP clients, started within a short spread,
// each does the handshake, connect and publish (or play), then closes. Every client ends as served,
// refused (the server said no: a status, or closed the connection during the setup) or failed (a
// timeout or anything else: a hang). Shared by test/e2e/connection-storm.test.ts and
// bench/rtmp-storm.ts.
import {
  RtmpClosedError,
  RtmpPullSession,
  RtmpPushSession,
  RtmpStatusError,
} from '../../src/protocol/rtmp/index.js';

export interface StormOptions {
  /** `rtmp://host:port/app/` prefix; stream names are appended. */
  baseUrl: string;
  /** Clients in all. */
  n: number;
  /** Starts spread evenly over this many ms. */
  spreadMs: number;
  /** Every `pubEvery`-th client publishes, the others play. Default 2 (half and half). */
  pubEvery?: number;
  /** Distinct stream names used (client i uses stream i mod streams). Default n. */
  streams?: number;
  /** A client not done within this many ms counts as failed. Default 10,000. */
  clientTimeoutMs?: number;
  /** Stream name prefix. Default 'storm'. */
  prefix?: string;
}

export interface StormResult {
  n: number;
  served: number;
  refused: number;
  failed: number;
  /** Refusal and failure reasons with their counts. */
  reasons: Record<string, number>;
  /** Setup time (start() resolved) of each served client, ms. */
  setupMs: number[];
  /** From the first start to the last client done, ms. */
  elapsedMs: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** The p-th percentile (0..100) of `xs`, NaN when empty. */
export function percentile(xs: readonly number[], p: number): number {
  if (xs.length === 0) return Number.NaN;
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number;
}

function reasonOf(e: unknown): { refused: boolean; reason: string } {
  if (e instanceof RtmpStatusError) return { refused: true, reason: `${e.statusCode}: ${e.description}` };
  if (e instanceof RtmpClosedError) return { refused: true, reason: 'closed by the server during setup' };
  const code = (e as { code?: unknown }).code;
  if (code === 'ECONNRESET' || code === 'EPIPE')
    return { refused: true, reason: `connection reset (${code})` };
  return { refused: false, reason: e instanceof Error ? e.message : String(e) };
}

export async function runStorm(o: StormOptions): Promise<StormResult> {
  const r: StormResult = { n: o.n, served: 0, refused: 0, failed: 0, reasons: {}, setupMs: [], elapsedMs: 0 };
  const pubEvery = o.pubEvery ?? 2;
  const streams = o.streams ?? o.n;
  const timeoutMs = o.clientTimeoutMs ?? 10_000;
  const prefix = o.prefix ?? 'storm';
  const t0 = performance.now();
  const one = async (i: number): Promise<void> => {
    await sleep((i * o.spreadMs) / o.n);
    const url = `${o.baseUrl}${prefix}-${i % streams}`;
    const s =
      i % pubEvery === 0
        ? new RtmpPushSession({ startTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs, tickIntervalMs: 500 })
        : new RtmpPullSession(
            {},
            { startTimeoutMs: timeoutMs, connectTimeoutMs: timeoutMs, tickIntervalMs: 500 },
          );
    const started = performance.now();
    let timer: NodeJS.Timeout | undefined;
    try {
      await Promise.race([
        s.start(url),
        new Promise((_, reject) => {
          timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs + 1000);
        }),
      ]);
      r.served++;
      r.setupMs.push(performance.now() - started);
    } catch (e) {
      const { refused, reason } = reasonOf(e);
      if (refused) r.refused++;
      else r.failed++;
      r.reasons[reason] = (r.reasons[reason] ?? 0) + 1;
    } finally {
      if (timer) clearTimeout(timer);
    }
    await s.close();
  };
  await Promise.all(Array.from({ length: o.n }, (_, i) => one(i)));
  r.elapsedMs = performance.now() - t0;
  return r;
}
