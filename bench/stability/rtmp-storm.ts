#!/usr/bin/env node
// RTMP connection storm against lals in its own process (lal's benchrtmpconnect): N clients started
// within --spread-ms, each handshake + connect + publish or play, then close. Reports served /
// refused / failed, setup latency, lals's RSS and open fds before and after, and checks that lals
// still serves a publish/play afterwards. Exit code 1 when a client hung or failed, or lals died.
//
//   npm run build && node dist/bench/stability/rtmp-storm.js --n 1000 --spread-ms 1000
//   ... --set limits.max_connections=100       (lals config overrides, repeatable)
//   ... --url rtmp://127.0.0.1:1935/live/      (an already running server instead)
import { parseArgs } from 'node:util';
import { RtmpPullSession, RtmpPushSession } from '../../src/protocol/rtmp/index.js';
import { percentile, runStorm } from '../../test/helpers/storm.js';
import { getJson, type LalsChild, procSample, sleep, startLalsChild } from './lals-child.js';

const { values: flags } = parseArgs({
  options: {
    n: { type: 'string', default: '1000' },
    'spread-ms': { type: 'string', default: '1000' },
    rounds: { type: 'string', default: '1' },
    set: { type: 'string', multiple: true, default: [] },
    url: { type: 'string' },
    json: { type: 'boolean', default: false },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(
    'usage: rtmp-storm [--n 1000] [--spread-ms 1000] [--rounds 1] [--set section.key=value ...] [--url rtmp://host:port/app/] [--json]',
  );
  process.exit(0);
}

const n = Number(flags.n);
const spreadMs = Number(flags['spread-ms']);
const rounds = Number(flags.rounds);

/** A publish of a few messages and a play of them: true when the player got them. */
async function alive(base: string): Promise<boolean> {
  let got = 0;
  const player = new RtmpPullSession({
    onMessage: (m) => {
      if (m.typeId === 9) got++;
    },
  });
  try {
    await player.start(`${base}storm-alive`);
    const pub = new RtmpPushSession();
    await pub.start(`${base}storm-alive`);
    pub.write({
      typeId: 9,
      timestampMs: 0,
      payload: Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f, 0xff]),
    });
    for (let i = 1; i <= 5; i++) {
      pub.write({
        typeId: 9,
        timestampMs: i * 40,
        payload: Buffer.from([0x17, 1, 0, 0, 0, 0, 0, 0, 1, 0x65]),
      });
    }
    for (let i = 0; i < 100 && got < 6; i++) await sleep(20);
    await pub.close();
    await player.close();
    return got >= 6;
  } catch {
    await player.close();
    return false;
  }
}

let child: LalsChild | undefined;
let base = flags.url ?? '';
if (!flags.url) {
  child = await startLalsChild(flags.set ?? []);
  base = child.rtmp('');
}
const before = child ? procSample(child.pid) : undefined;
let bad = false;
const results: unknown[] = [];
for (let round = 1; round <= rounds; round++) {
  const r = await runStorm({ baseUrl: base, n, spreadMs, prefix: `storm${round}` });
  results.push({
    ...r,
    setupMs: undefined,
    setupP50: percentile(r.setupMs, 50),
    setupP99: percentile(r.setupMs, 99),
  });
  if (r.failed > 0 || r.served + r.refused !== n) bad = true;
  if (!flags.json) {
    console.log(
      `round ${round}: ${n} clients over ${spreadMs} ms -> done in ${Math.round(r.elapsedMs)} ms: ` +
        `${r.served} served, ${r.refused} refused, ${r.failed} failed; setup p50 ${percentile(r.setupMs, 50).toFixed(1)} ms, ` +
        `p99 ${percentile(r.setupMs, 99).toFixed(1)} ms, max ${Math.max(0, ...r.setupMs).toFixed(1)} ms` +
        (Object.keys(r.reasons).length > 0 ? `; reasons ${JSON.stringify(r.reasons)}` : ''),
    );
    if (child) {
      const v = (await getJson(child.pprofPort, '/debug/vars')) as { memory?: { heapUsed?: number } };
      const p = procSample(child.pid);
      console.log(
        `  lals now: RSS ${(p.rssBytes / 1e6).toFixed(1)} MB, heapUsed ${((v.memory?.heapUsed ?? 0) / 1e6).toFixed(1)} MB, ${p.fds} fds`,
      );
    }
  }
}
await sleep(2500); // the server's close grace
const after = child ? procSample(child.pid) : undefined;
const ok = await alive(base);
if (!ok) bad = true;
if (child && child.exit !== undefined) bad = true;
const summary = {
  n,
  spreadMs,
  rounds: results,
  lals: child
    ? {
        before,
        after,
        exit: child.exit,
        warnLines: child.warnLines.length,
        errorLines: child.errorLines.slice(0, 20),
      }
    : undefined,
  aliveAfter: ok,
  verdict: bad ? 'FAIL' : 'PASS',
};
if (flags.json) console.log(JSON.stringify(summary, null, 2));
else {
  if (before && after) {
    console.log(
      `lals: RSS ${(before.rssBytes / 1e6).toFixed(1)} -> ${(after.rssBytes / 1e6).toFixed(1)} MB, ` +
        `fds ${before.fds} -> ${after.fds}, sockets ${before.sockets} -> ${after.sockets}; ` +
        `${child?.warnLines.length ?? 0} WARN lines, ${child?.errorLines.length ?? 0} ERROR lines`,
    );
  }
  console.log(`alive after: ${ok}; ${summary.verdict}`);
}
if (child) {
  const code = await child.stop();
  if (code !== 0) {
    console.log(`lals exit: ${code}`);
    bad = true;
  }
}
process.exit(bad ? 1 : 0);
