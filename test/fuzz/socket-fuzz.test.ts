// The short socket fuzz run of `npm test` (the long one: bench/fuzz-long.ts). For a few seconds,
// hostile connections made from real sessions (mutated, truncated, oversized, nested, flooded with
// chunk streams, bad HTTP and WebSocket) hit lals on loopback while a paced publisher and an RTMP, an
// HTTP-FLV and a WS-FLV player run a normal stream. Then: the players got every message unchanged,
// no uncaught exception or unhandled rejection happened, every connection and stream is gone, the
// heap is back near where it started, and the server still serves a new publish/play.
//
// Reproduce a failure with FUZZ_SEED=<the printed seed>; FUZZ_MS sets the fuzzing time.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { readFixture } from '../helpers/fixtures.js';
import { checkAlive, startLals, waitFor } from '../helpers/lals.js';
import { NormalTraffic } from './normal-traffic.js';
import { buildCorpus, type FuzzCase, getGc, runFuzz, settledHeap } from './socket-fuzzer.js';

it('socket fuzz: hostile clients do not crash lals, disturb a normal stream or leak', {
  timeout: 30_000,
}, async (t) => {
  const seed = process.env.FUZZ_SEED ? Number(process.env.FUZZ_SEED) : (Math.random() * 2 ** 32) >>> 0;
  const fuzzMs = process.env.FUZZ_MS ? Number(process.env.FUZZ_MS) : 7000;
  t.diagnostic(`seed ${seed} (FUZZ_SEED=${seed} to reproduce)`);
  const faults: string[] = [];
  const inFlight = new Map<number, FuzzCase>();
  const describeInFlight = (): string =>
    [...inFlight].map(([i, c]) => `case ${i} (${c.kind})`).join(', ') || 'none';
  const onUncaught = (e: unknown): void => {
    faults.push(
      `uncaughtException: ${e instanceof Error ? e.stack : String(e)}; in flight: ${describeInFlight()}`,
    );
  };
  const onRejection = (e: unknown): void => {
    faults.push(
      `unhandledRejection: ${e instanceof Error ? e.stack : String(e)}; in flight: ${describeInFlight()}`,
    );
  };
  process.on('uncaughtException', onUncaught);
  process.on('unhandledRejection', onRejection);
  const gc = getGc();
  const lals = await startLals(['rtmp.handshake_timeout_ms=2000', 'httpflv.header_timeout_ms=2000']);
  try {
    const corpus = buildCorpus();
    const { tags } = readFixture('avc-aac');
    const rtmpPort = Number(new URL(lals.rtmp('x')).port);
    const httpPort = Number(new URL(lals.http('x')).port);
    // Warm up (JIT, pools) with one normal round trip before the baseline.
    await checkAlive(lals, 'warmup', tags);
    const normal = new NormalTraffic(lals, 'good', tags, { speed: 2 });
    await normal.start();
    const heap0 = await settledHeap(gc);

    const stats = await runFuzz(
      corpus,
      { host: '127.0.0.1', rtmpPort, httpPort },
      {
        seed,
        durationMs: fuzzMs,
        concurrency: 24,
        caseTimeoutMs: 300,
        onCaseStart: (i, c) => inFlight.set(i, c),
        onCaseEnd: (i) => inFlight.delete(i),
      },
    );
    const problems = await normal.stop();
    t.diagnostic(
      `${stats.cases} cases (${Math.round((stats.cases / stats.elapsedMs) * 1000)}/s), ${stats.connections} connections, ` +
        `${(stats.bytesSent / 1e6).toFixed(1)} MB sent, ${stats.serverClosed} closed by the server, ` +
        `${stats.clientClosed} by the fuzzer, ${stats.connectErrors} connect errors; ` +
        `normal stream: ${normal.publishedCount} messages`,
    );
    t.diagnostic(`cases by kind: ${JSON.stringify(stats.byKind)}`);
    assert.deepEqual(problems, [], 'the normal players received every message unchanged');

    // Everything the fuzzer opened is gone (the server may wait up to its 2 s close grace).
    await waitFor(
      () => {
        const c = lals.server.connectionCounts();
        return c.rtmp + c.http === 0 && lals.server.groups.size === 0;
      },
      () =>
        `connections and streams to drain: ${JSON.stringify(lals.server.connectionCounts())}, groups ${JSON.stringify(lals.server.groups.dump())}`,
      5000,
    );
    await checkAlive(lals, 'after-fuzz', tags);
    const heap1 = await settledHeap(gc);
    t.diagnostic(
      `heapUsed after GC: ${(heap0 / 1e6).toFixed(1)} MB before, ${(heap1 / 1e6).toFixed(1)} MB after`,
    );
    assert.ok(heap1 - heap0 < 24e6, `heap back near its baseline (${heap0} -> ${heap1})`);
    assert.deepEqual(faults, [], 'no uncaught exception or unhandled rejection');
  } finally {
    process.off('uncaughtException', onUncaught);
    process.off('unhandledRejection', onRejection);
    await lals.stop();
  }
});
