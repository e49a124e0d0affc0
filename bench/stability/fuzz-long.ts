#!/usr/bin/env node
// The long socket fuzz run (the short one is test/fuzz/socket-fuzz.test.ts in `npm test`): lals
// in-process on loopback, a paced normal stream with RTMP, HTTP-FLV and WS-FLV players checked
// message by message, and hostile connections for --seconds. Reports cases/s and memory every
// --report-sec; fails (exit 1) on an uncaught exception or unhandled rejection, a normal player
// missing or receiving a wrong message, connections or streams left behind, a dead server, or a heap
// that does not come back near its baseline after a GC.
//
//   npm run build && node --expose-gc dist/bench/stability/fuzz-long.js --seconds 600 [--seed N]
//   ... --target 127.0.0.1:1935:8080   fuzz a running server instead (no in-process checks then)
import { parseArgs } from 'node:util';
import { NormalTraffic } from '../../test/fuzz/normal-traffic.js';
import {
  buildCorpus,
  type FuzzCase,
  type FuzzTarget,
  getGc,
  runFuzz,
  settledHeap,
} from '../../test/fuzz/socket-fuzzer.js';
import { readFixture } from '../../test/helpers/fixtures.js';
import { checkAlive, startLals, type TestLals, waitFor } from '../../test/helpers/lals.js';

const { values: flags } = parseArgs({
  options: {
    seconds: { type: 'string', default: '300' },
    seed: { type: 'string' },
    concurrency: { type: 'string', default: '24' },
    'case-timeout-ms': { type: 'string', default: '300' },
    'report-sec': { type: 'string', default: '10' },
    'heap-slack-mb': { type: 'string', default: '32' },
    target: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(
    'usage: node --expose-gc fuzz-long.js [--seconds 300] [--seed N] [--concurrency 24] [--case-timeout-ms 300]\n' +
      '         [--report-sec 10] [--heap-slack-mb 32] [--set section.key=value ...] [--target host:rtmpPort:httpPort]',
  );
  process.exit(0);
}

const seed = flags.seed !== undefined ? Number(flags.seed) : (Math.random() * 2 ** 32) >>> 0;
const seconds = Number(flags.seconds);
const mb = (b: number): string => (b / 1e6).toFixed(1);
console.log(`fuzz-long: seed ${seed} (--seed ${seed} reproduces the cases), ${seconds} s`);

const faults: string[] = [];
const inFlight = new Map<number, FuzzCase>();
const describeInFlight = (): string =>
  [...inFlight].map(([i, c]) => `case ${i} (${c.kind})`).join(', ') || 'none';
process.on('uncaughtException', (e) => {
  faults.push(`uncaughtException: ${e.stack ?? String(e)}; in flight: ${describeInFlight()}`);
  console.log(faults[faults.length - 1]);
});
process.on('unhandledRejection', (e) => {
  faults.push(
    `unhandledRejection: ${e instanceof Error ? e.stack : String(e)}; in flight: ${describeInFlight()}`,
  );
  console.log(faults[faults.length - 1]);
});

const corpus = buildCorpus();
const { tags } = readFixture('avc-aac');
const gc = getGc();
let lals: TestLals | undefined;
let target: FuzzTarget;
if (flags.target) {
  const [host, r, h] = flags.target.split(':');
  target = { host: host ?? '127.0.0.1', rtmpPort: Number(r), httpPort: Number(h) };
} else {
  lals = await startLals([
    'rtmp.handshake_timeout_ms=2000',
    'httpflv.header_timeout_ms=2000',
    ...(flags.set ?? []),
  ]);
  target = {
    host: '127.0.0.1',
    rtmpPort: Number(new URL(lals.rtmp('x')).port),
    httpPort: Number(new URL(lals.http('x')).port),
  };
}

const problems: string[] = [];
let normal: NormalTraffic | undefined;
let heap0 = 0;
if (lals) {
  await checkAlive(lals, 'warmup', tags);
  normal = new NormalTraffic(lals, 'good', tags, { speed: 2 });
  await normal.start();
  heap0 = await settledHeap(gc);
  console.log(`baseline: heapUsed ${mb(heap0)} MB, RSS ${mb(process.memoryUsage().rss)} MB`);
}

// Fuzz in slices of --report-sec so the progress can be printed (the case numbering continues).
const t0 = performance.now();
const totals = { cases: 0, connections: 0, serverClosed: 0, bytes: 0, byKind: {} as Record<string, number> };
const slice = Number(flags['report-sec']) * 1000;
let firstCase = 0;
while (performance.now() - t0 < seconds * 1000 && faults.length === 0) {
  const stats = await runFuzz(corpus, target, {
    seed,
    firstCase,
    durationMs: Math.min(slice, seconds * 1000 - (performance.now() - t0)),
    concurrency: Number(flags.concurrency),
    caseTimeoutMs: Number(flags['case-timeout-ms']),
    onCaseStart: (i, c) => inFlight.set(i, c),
    onCaseEnd: (i) => inFlight.delete(i),
  });
  firstCase += stats.cases;
  totals.cases += stats.cases;
  totals.connections += stats.connections;
  totals.serverClosed += stats.serverClosed;
  totals.bytes += stats.bytesSent;
  for (const [k, v] of Object.entries(stats.byKind)) totals.byKind[k] = (totals.byKind[k] ?? 0) + v;
  const m = process.memoryUsage();
  const c = lals?.server.connectionCounts();
  console.log(
    `${Math.round((performance.now() - t0) / 1000)} s: ${totals.cases} cases (${Math.round((stats.cases / stats.elapsedMs) * 1000)}/s now), ` +
      `${mb(totals.bytes)} MB sent; heapUsed ${mb(m.heapUsed)} MB, RSS ${mb(m.rss)} MB` +
      (c ? `; open: ${c.rtmp} rtmp, ${c.http} http, ${lals?.server.groups.size} streams` : '') +
      (normal ? `; normal stream ${normal.publishedCount} messages` : ''),
  );
}
const elapsed = (performance.now() - t0) / 1000;
console.log(
  `fuzzed ${elapsed.toFixed(0)} s: ${totals.cases} cases (${(totals.cases / elapsed).toFixed(0)}/s), ` +
    `${totals.connections} connections, ${totals.serverClosed} closed by the server, ${mb(totals.bytes)} MB sent`,
);
console.log(`cases by kind: ${JSON.stringify(totals.byKind)}`);

if (normal) problems.push(...(await normal.stop()));
if (lals) {
  const l = lals;
  try {
    await waitFor(
      () => {
        const c = l.server.connectionCounts();
        return c.rtmp + c.http === 0 && l.server.groups.size === 0;
      },
      () =>
        `nothing left open: ${JSON.stringify(l.server.connectionCounts())}, ${l.server.groups.size} streams`,
      10_000,
    );
  } catch (e) {
    problems.push(String(e));
  }
  try {
    await checkAlive(l, 'after-fuzz', tags);
  } catch (e) {
    problems.push(`not alive: ${String(e)}`);
  }
  const heap1 = await settledHeap(gc);
  const slack = Number(flags['heap-slack-mb']) * 1e6;
  console.log(
    `heapUsed after GC: ${mb(heap0)} MB at the start, ${mb(heap1)} MB at the end ` +
      `(${mb(heap1 - heap0)} MB, ${((heap1 - heap0) / Math.max(1, totals.cases)).toFixed(1)} B per case); ` +
      `RSS ${mb(process.memoryUsage().rss)} MB`,
  );
  if (heap1 - heap0 > slack) problems.push(`heap grew by ${mb(heap1 - heap0)} MB (slack ${mb(slack)} MB)`);
  await l.stop();
}
problems.push(...faults);
if (problems.length > 0) {
  console.log(`FAIL (seed ${seed}):\n${problems.join('\n')}`);
  process.exit(1);
}
console.log(`PASS (seed ${seed})`);
process.exit(0);
