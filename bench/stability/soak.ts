#!/usr/bin/env node
// Soak test: lals as a child process, --pushers RTMP publishers (paced, looping a fixture) and
// --players players (RTMP, HTTP-FLV, WS-FLV mixed) made with the library's client sessions in this
// process, all joining and leaving at random (a few vanish without a FIN: their sockets freeze and are
// left for the server to reap) for --minutes. Every --sample-sec: lals's RSS, open fds and sockets
// (/proc/<pid>), heapUsed, event-loop delay and its own connection counts (/debug/vars,
// /debug/groups). At the end: the trend of each (start, end, min, max, least-squares slope per hour
// after the first minute), sessions started and ended, refusals, stalls, errors, and lals's WARN/ERROR
// lines. Exit code 1 when lals died or logged an ERROR, or sessions failed unexpectedly.
//
//   npm run build && node dist/bench/stability/soak.js --minutes 30 [--pushers 100 --players 300]
import { readFileSync, writeFileSync } from 'node:fs';
import type { Socket } from 'node:net';
import { parseArgs } from 'node:util';
import type { FlvTag } from '../../src/format/flv/index.js';
import { HttpFlvPullSession } from '../../src/protocol/httpflv/index.js';
import { RtmpPullSession, RtmpPushSession } from '../../src/protocol/rtmp/index.js';
import { Prng } from '../../test/fuzz/socket-fuzzer.js';
import { readFixture } from '../../test/helpers/fixtures.js';
import { getJson, type LalsChild, type ProcSample, procSample, slope, startLalsChild } from './lals-child.js';

const { values: flags } = parseArgs({
  options: {
    minutes: { type: 'string', default: '30' },
    pushers: { type: 'string', default: '100' },
    players: { type: 'string', default: '300' },
    'sample-sec': { type: 'string', default: '10' },
    mix: { type: 'string', default: '1:1:1' },
    'pub-life-sec': { type: 'string', default: '120' },
    'sub-life-sec': { type: 'string', default: '60' },
    vanish: { type: 'string', default: '0.05' },
    'frozen-keep-sec': { type: 'string', default: '240' },
    fixture: { type: 'string', default: 'avc-aac' },
    seed: { type: 'string' },
    set: { type: 'string', multiple: true, default: [] },
    out: { type: 'string' },
    help: { type: 'boolean', short: 'h', default: false },
  },
});
if (flags.help) {
  console.log(
    'usage: soak [--minutes 30] [--pushers 100] [--players 300] [--sample-sec 10] [--mix rtmp:http:ws=1:1:1]\n' +
      '            [--pub-life-sec 120] [--sub-life-sec 60] (mean session lifetimes) [--vanish 0.05] (share of\n' +
      '            leaves that freeze instead of closing) [--frozen-keep-sec 240] [--fixture avc-aac] [--seed N]\n' +
      '            [--set section.key=value ...] [--out report.json]',
  );
  process.exit(0);
}

const minutes = Number(flags.minutes);
const nPushers = Number(flags.pushers);
const nPlayers = Number(flags.players);
const sampleMs = Number(flags['sample-sec']) * 1000;
const mix = (flags.mix ?? '1:1:1').split(':').map(Number);
const pubLifeMs = Number(flags['pub-life-sec']) * 1000;
const subLifeMs = Number(flags['sub-life-sec']) * 1000;
const vanishShare = Number(flags.vanish);
const frozenKeepMs = Number(flags['frozen-keep-sec']) * 1000;
const seed = flags.seed !== undefined ? Number(flags.seed) : (Math.random() * 2 ** 32) >>> 0;
const rng = new Prng(seed);
const { tags } = readFixture(flags.fixture ?? 'avc-aac');
const span = (tags[tags.length - 1]?.timestampMs ?? 0) + 40;
const mb = (b: number): string => (b / 1e6).toFixed(1);
const now = (): number => performance.now();

/** An exponentially distributed lifetime with mean `mean` ms (at least 1 s). */
function lifetime(mean: number): number {
  return Math.max(1000, -Math.log(1 - rng.float()) * mean);
}

function socketOf(s: RtmpPushSession | RtmpPullSession | HttpFlvPullSession): Socket | undefined {
  return (s as unknown as { socket?: Socket | null }).socket ?? undefined;
}

const counters = {
  pushersStarted: 0,
  pushersEnded: 0,
  pusherStartRefused: 0,
  pusherStartFailed: 0,
  pushersLost: 0,
  playersStarted: 0,
  playersEnded: 0,
  playerStartFailed: 0,
  playersEndedByServer: 0,
  playersLost: 0,
  stalls: 0,
  frozen: 0,
  frozenReapedByServer: 0,
  messagesPushed: 0,
  messagesReceived: 0,
};
const failReasons: Record<string, number> = {};
const reapMs: number[] = [];
const keyFreeMs: number[] = [];
const keyFreeVanishedMs: number[] = [];
function fail(what: string, e: unknown): void {
  const msg = `${what}: ${e instanceof Error ? e.message : String(e)}`
    .replace(/127\.0\.0\.1:\d+/g, 'HOST')
    .replace(/\d+/g, 'N');
  failReasons[msg] = (failReasons[msg] ?? 0) + 1;
}

/** Sockets we froze (peers that vanished without a FIN): their ports and when they froze. */
const frozenSockets = new Map<Socket, { local: number; remote: number; at: number; reaped: boolean }>();
/** Set when the run is over and everything is closed on purpose. */
let ending = false;

/**
 * Freezes a client socket: it neither reads nor answers, and sends no FIN (a peer that vanished).
 * lals should drop it. The frozen side cannot see that (it reads nothing, and lals's FIN waits behind
 * the data it could not send), so checkReaped looks at lals's end of the connection in
 * /proc/net/tcp. The client destroys the socket after --frozen-keep-sec.
 */
function freeze(s: Socket | undefined): void {
  if (!s || s.destroyed || s.localPort === undefined || s.remotePort === undefined) return;
  counters.frozen++;
  s.pause();
  s.removeAllListeners('data');
  frozenSockets.set(s, { local: s.localPort, remote: s.remotePort, at: now(), reaped: false });
  const t = setTimeout(() => {
    frozenSockets.delete(s);
    s.destroy();
  }, frozenKeepMs);
  t.unref();
}

/** TCP states of loopback connections by `localPort:remotePort` (/proc/net/tcp, hex fields). */
function tcpStates(): Map<string, string> {
  const out = new Map<string, string>();
  const port = (a: string): number => Number.parseInt(a.slice(a.indexOf(':') + 1), 16);
  for (const line of readFileSync('/proc/net/tcp', 'utf8').split('\n').slice(1)) {
    const f = line.trim().split(/\s+/);
    const [local, remote, st] = [f[1], f[2], f[3]];
    if (local === undefined || remote === undefined || st === undefined) continue;
    out.set(`${port(local)}:${port(remote)}`, st);
  }
  return out;
}

/** Frozen peers lals has let go: its end of the connection is no longer ESTABLISHED (01). */
function checkReaped(): void {
  if (frozenSockets.size === 0) return;
  const states = tcpStates();
  for (const f of frozenSockets.values()) {
    if (f.reaped) continue;
    if (states.get(`${f.remote}:${f.local}`) !== '01') {
      f.reaped = true;
      counters.frozenReapedByServer++;
      reapMs.push(now() - f.at);
    }
  }
}

/** Frozen peers lals still holds. */
function frozenHeld(): number {
  let n = 0;
  for (const f of frozenSockets.values()) if (!f.reaped) n++;
  return n;
}

// ---------------------------------------------------------------------------------------------
// Publishers

interface Pusher {
  key: number;
  session: RtmpPushSession | undefined;
  up: boolean;
  t0: number;
  loop: number;
  pos: number;
  diesAt: number;
  /** When this key's previous publisher left (for "key free again" times), and whether it vanished. */
  leftAt: number | undefined;
  vanished: boolean;
  retryAt: number;
}

let lals: LalsChild;
const pushers: Pusher[] = [];
const live = new Set<number>();
/** When each key's publisher went live (for stall detection). */
const liveSince = new Map<number, number>();

function startPusher(p: Pusher): void {
  const s = new RtmpPushSession(
    { tickIntervalMs: 1000, id: `soak-push-${p.key}` },
    {
      onClose: (r) => {
        if (p.session !== s || !p.up || ending) return;
        // Closed under us (not by our own leave): the server dropped it.
        counters.pushersLost++;
        fail('publisher lost', `${r.kind}: ${r.message}`);
        p.up = false;
        p.session = undefined;
        live.delete(p.key);
        p.leftAt = now();
        p.vanished = false;
        p.retryAt = now() + 1000;
      },
    },
  );
  p.session = s;
  p.retryAt = Number.POSITIVE_INFINITY;
  s.start(lals.rtmp(`soak-${p.key}`)).then(
    () => {
      if (p.session !== s) return;
      counters.pushersStarted++;
      if (p.leftAt !== undefined) (p.vanished ? keyFreeVanishedMs : keyFreeMs).push(now() - p.leftAt);
      p.leftAt = undefined;
      p.up = true;
      p.t0 = now();
      p.loop = 0;
      p.pos = 3;
      p.diesAt = now() + lifetime(pubLifeMs);
      live.add(p.key);
      liveSince.set(p.key, now());
      for (let i = 0; i < 3; i++) {
        const t = tags[i] as FlvTag;
        s.write({ typeId: t.type, timestampMs: t.timestampMs, payload: t.data });
      }
    },
    (e: unknown) => {
      if (p.session !== s) return;
      const refused = e instanceof Error && /BadName/.test(e.message);
      if (refused) counters.pusherStartRefused++;
      else {
        counters.pusherStartFailed++;
        fail('publish', e);
      }
      p.session = undefined;
      p.retryAt = now() + 1000;
    },
  );
}

function pump(p: Pusher, t: number): void {
  const s = p.session;
  if (!p.up || !s) return;
  if (s.bufferedBytes > 4 * 1024 * 1024) return; // the server is not taking it: do not pile up here
  const elapsed = t - p.t0;
  for (;;) {
    const tag = tags[p.pos];
    if (tag === undefined) {
      p.loop++;
      p.pos = 3;
      continue;
    }
    const due = p.loop * span + tag.timestampMs;
    if (due > elapsed) break;
    s.write({ typeId: tag.type, timestampMs: (due >>> 0) % 2 ** 32, payload: tag.data });
    counters.messagesPushed++;
    p.pos++;
  }
}

function leavePusher(p: Pusher): void {
  const s = p.session;
  p.up = false;
  p.session = undefined;
  live.delete(p.key);
  liveSince.delete(p.key);
  counters.pushersEnded++;
  p.leftAt = now();
  p.retryAt = now() + rng.int(1000); // a new publisher for the key soon
  p.vanished = rng.bool(vanishShare);
  if (!s) return;
  if (p.vanished) freeze(socketOf(s));
  else void s.close();
}

// ---------------------------------------------------------------------------------------------
// Players

type Proto = 'rtmp' | 'httpflv' | 'wsflv';
interface Player {
  id: number;
  proto: Proto;
  key: number;
  up: boolean;
  received: number;
  lastRecvAt: number;
  stalled: boolean;
  diesAt: number;
  close: () => void;
  socket: () => Socket | undefined;
}
const players = new Map<number, Player>();
let playerIds = 0;

function pickProto(): Proto {
  const total = (mix[0] ?? 1) + (mix[1] ?? 1) + (mix[2] ?? 1);
  const r = rng.float() * total;
  if (r < (mix[0] ?? 1)) return 'rtmp';
  if (r < (mix[0] ?? 1) + (mix[1] ?? 1)) return 'httpflv';
  return 'wsflv';
}

function startPlayer(): void {
  const id = ++playerIds;
  const proto = pickProto();
  const key = rng.int(nPushers);
  const p: Player = {
    id,
    proto,
    key,
    up: false,
    received: 0,
    lastRecvAt: now(),
    stalled: false,
    diesAt: now() + lifetime(subLifeMs),
    close: () => {},
    socket: () => undefined,
  };
  players.set(id, p);
  const onData = (): void => {
    p.received++;
    counters.messagesReceived++;
    p.lastRecvAt = now();
    p.stalled = false;
  };
  const ended = (byServer: boolean, why: string): void => {
    if (!players.has(id) || ending) return;
    players.delete(id);
    if (byServer) {
      // HTTP-FLV/WS-FLV responses end when the publisher leaves: expected. Anything else is a loss.
      if (/publisher|closed by the server|websocket closed by the server|1000/.test(why))
        counters.playersEndedByServer++;
      else {
        counters.playersLost++;
        fail(`${proto} player lost`, why);
      }
    }
    startPlayer(); // keep the number of players
  };
  if (proto === 'rtmp') {
    const s = new RtmpPullSession(
      {
        onMessage: onData,
        onClose: (r) => ended(r.kind !== 'local', `${r.kind}: ${r.message}`),
      },
      { readTimeoutMs: 0, tickIntervalMs: 1000 },
    );
    p.close = () => void s.close();
    p.socket = () => socketOf(s);
    s.start(lals.rtmp(`soak-${key}`)).then(
      () => {
        p.up = true;
        p.lastRecvAt = now();
        counters.playersStarted++;
      },
      (e: unknown) => {
        counters.playerStartFailed++;
        fail('rtmp play', e);
      },
    );
  } else {
    const s = new HttpFlvPullSession(
      {
        onTag: onData,
        onClose: (r) => ended(r.kind !== 'local', `${r.kind}: ${r.message}`),
      },
      { readTimeoutMs: 0 },
    );
    p.close = () => s.close();
    p.socket = () => socketOf(s);
    // The response starts when the stream does; a player of a key without a publisher waits.
    p.up = true;
    counters.playersStarted++;
    s.pull(proto === 'wsflv' ? lals.ws(`soak-${key}`) : lals.http(`soak-${key}`)).catch((e: unknown) => {
      counters.playerStartFailed++;
      fail(`${proto} pull`, e);
    });
  }
}

function leavePlayer(p: Player): void {
  players.delete(p.id);
  counters.playersEnded++;
  if (rng.bool(vanishShare)) freeze(p.socket());
  else p.close();
  startPlayer();
}

// ---------------------------------------------------------------------------------------------
// Sampling

interface Sample {
  tSec: number;
  /** lals CPU use since the previous sample, % of one core. */
  cpuPct: number;
  proc: ProcSample;
  heapUsed: number;
  /** Buffer memory outside the V8 heap (process.memoryUsage().arrayBuffers in lals). */
  arrayBuffers: number;
  loopP99: number;
  loopMax: number;
  rtmpConns: number;
  httpConns: number;
  groups: number;
  subs: number;
  clientRss: number;
  players: number;
  livePushers: number;
  /** Frozen peers lals has not dropped yet. */
  frozenHeld: number;
}
const samples: Sample[] = [];
let t0 = 0;

async function sample(): Promise<void> {
  try {
    const proc = procSample(lals.pid);
    const vars = (await getJson(lals.pprofPort, '/debug/vars')) as {
      memory?: { heapUsed?: number; arrayBuffers?: number };
      event_loop_delay_ms?: { p99?: number; max?: number };
    };
    const dump = (await getJson(lals.pprofPort, '/debug/groups')) as {
      groups?: Array<{ subs?: unknown[] }>;
      connections?: { rtmp?: number; http?: number };
    };
    const prev = samples[samples.length - 1];
    const tSec = (now() - t0) / 1000;
    const s: Sample = {
      tSec: Math.round(tSec),
      cpuPct: prev ? (100 * (proc.cpuSec - prev.proc.cpuSec)) / Math.max(0.001, tSec - prev.tSec) : 0,
      proc,
      heapUsed: vars.memory?.heapUsed ?? 0,
      arrayBuffers: vars.memory?.arrayBuffers ?? 0,
      loopP99: vars.event_loop_delay_ms?.p99 ?? 0,
      loopMax: vars.event_loop_delay_ms?.max ?? 0,
      rtmpConns: dump.connections?.rtmp ?? 0,
      httpConns: dump.connections?.http ?? 0,
      groups: dump.groups?.length ?? 0,
      subs: (dump.groups ?? []).reduce((n, g) => n + (g.subs?.length ?? 0), 0),
      clientRss: process.memoryUsage().rss,
      players: players.size,
      livePushers: live.size,
      frozenHeld: frozenHeld(),
    };
    samples.push(s);
    console.log(
      `${String(s.tSec).padStart(5)} s  lals CPU ${s.cpuPct.toFixed(0).padStart(3)}%  RSS ${mb(proc.rssBytes).padStart(6)} MB  heap ${mb(s.heapUsed).padStart(5)} MB  buffers ${mb(s.arrayBuffers).padStart(5)} MB  ` +
        `fds ${String(proc.fds).padStart(4)} (sockets ${String(proc.sockets).padStart(4)})  conns rtmp ${s.rtmpConns} http ${s.httpConns}  ` +
        `streams ${s.groups} subs ${s.subs}  loop p99 ${s.loopP99} ms max ${s.loopMax} ms  | pushers up ${s.livePushers}, players ${s.players}, ` +
        `started ${counters.pushersStarted}/${counters.playersStarted}, stalls ${counters.stalls}, frozen ${counters.frozen} (dropped by lals ${counters.frozenReapedByServer}, held ${s.frozenHeld})`,
    );
  } catch (e) {
    fail('sample', e);
  }
}

// ---------------------------------------------------------------------------------------------
// Main

lals = await startLalsChild(flags.set ?? []);
console.log(
  `soak: seed ${seed}, ${minutes} min, ${nPushers} pushers, ${nPlayers} players (mix rtmp:http:ws ${mix.join(':')}), ` +
    `lals pid ${lals.pid} on rtmp ${lals.rtmpPort}, http ${lals.httpPort}`,
);
t0 = now();
await sample();
for (let k = 0; k < nPushers; k++) {
  const p: Pusher = {
    key: k,
    session: undefined,
    up: false,
    t0: 0,
    loop: 0,
    pos: 3,
    diesAt: 0,
    leftAt: undefined,
    vanished: false,
    retryAt: now() + (k * 2000) / nPushers, // spread the first connects over 2 s
  };
  pushers.push(p);
}
for (let i = 0; i < nPlayers; i++) setTimeout(startPlayer, (i * 3000) / nPlayers);

const pumpTimer = setInterval(() => {
  const t = now();
  for (const p of pushers) {
    if (p.up) {
      if (t >= p.diesAt) leavePusher(p);
      else pump(p, t);
    } else if (p.session === undefined && t >= p.retryAt) startPusher(p);
  }
}, 20);
let lastReapCheck = 0;
const churnTimer = setInterval(() => {
  const t = now();
  if (t - lastReapCheck >= 1000) {
    lastReapCheck = t;
    checkReaped();
  }
  for (const p of [...players.values()]) {
    if (!p.up) continue;
    if (t >= p.diesAt) {
      leavePlayer(p);
      continue;
    }
    const since = liveSince.get(p.key);
    // A player of a stream that has been live for 5 s and got nothing for 5 s is stalled.
    if (since !== undefined && t - since > 5000 && t - p.lastRecvAt > 5000 && !p.stalled) {
      p.stalled = true;
      counters.stalls++;
    }
  }
}, 250);
const sampleTimer = setInterval(() => void sample(), sampleMs);

const endAt = t0 + minutes * 60_000;
await new Promise<void>((resolve) => {
  const check = setInterval(() => {
    if (now() >= endAt || lals.exit !== undefined) {
      clearInterval(check);
      resolve();
    }
  }, 500);
});
clearInterval(sampleTimer);
clearInterval(churnTimer);
clearInterval(pumpTimer);
await sample();
const lalsDied = lals.exit !== undefined;

// Everyone leaves; then nothing may be left open in lals.
ending = true;
for (const p of pushers) if (p.session) void p.session.close();
for (const p of [...players.values()]) {
  players.delete(p.id);
  p.close();
}
for (const s of frozenSockets.keys()) s.destroy();
await new Promise((r) => setTimeout(r, 3000));
let leftOpen: unknown;
try {
  leftOpen = ((await getJson(lals.pprofPort, '/debug/groups')) as { connections?: unknown }).connections;
} catch (e) {
  leftOpen = String(e);
}
const finalProc = lalsDied ? undefined : procSample(lals.pid);
const exit = await lals.stop();

// ---------------------------------------------------------------------------------------------
// Report

function trend(
  name: string,
  unit: string,
  scale: number,
  pick: (s: Sample) => number,
): Record<string, unknown> {
  const ys = samples.map(pick);
  const after = samples.filter((s) => s.tSec >= 60);
  const sl = slope(
    after.map((s) => s.tSec / 3600),
    after.map(pick),
  );
  const half = samples.filter((s) => s.tSec >= (samples[samples.length - 1]?.tSec ?? 0) / 2);
  const sl2 = slope(
    half.map((s) => s.tSec / 3600),
    half.map(pick),
  );
  const row = {
    name,
    unit,
    start: ys[0],
    end: ys[ys.length - 1],
    min: Math.min(...ys),
    max: Math.max(...ys),
    slopePerHour: sl,
    slopePerHourSecondHalf: sl2,
  };
  const f = (x: number | undefined): string =>
    x === undefined || Number.isNaN(x) ? '-' : (x / scale).toFixed(1);
  console.log(
    `${name.padEnd(16)} start ${f(row.start).padStart(8)}  end ${f(row.end).padStart(8)}  min ${f(row.min).padStart(8)}  ` +
      `max ${f(row.max).padStart(8)}  slope ${f(sl).padStart(8)} ${unit}/h after the first minute, ${f(sl2).padStart(8)} in the second half`,
  );
  return row;
}

console.log('\n== trend ==');
const trends = [
  trend('lals CPU', '%', 1, (s) => s.cpuPct),
  trend('lals RSS', 'MB', 1e6, (s) => s.proc.rssBytes),
  trend('lals heapUsed', 'MB', 1e6, (s) => s.heapUsed),
  trend('lals buffers', 'MB', 1e6, (s) => s.arrayBuffers),
  trend('lals fds', 'fds', 1, (s) => s.proc.fds),
  trend('lals sockets', 'sockets', 1, (s) => s.proc.sockets),
  trend('rtmp conns', 'conns', 1, (s) => s.rtmpConns),
  trend('http conns', 'conns', 1, (s) => s.httpConns),
  trend('loop delay p99*', 'ms', 1, (s) => s.loopP99),
  trend('frozen held', 'peers', 1, (s) => s.frozenHeld),
  trend('client RSS', 'MB', 1e6, (s) => s.clientRss),
];
console.log(
  '* /debug/vars event_loop_delay_ms: a perf_hooks histogram sampling every 20 ms, so an idle loop shows ~21 ms',
);
const pct = (xs: number[], p: number): number => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length === 0
    ? Number.NaN
    : (s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] as number);
};
console.log('\n== sessions ==');
console.log(JSON.stringify(counters));
console.log(
  `vanished peers (frozen sockets) dropped by lals: ${counters.frozenReapedByServer} of ${counters.frozen}, after ` +
    `median ${pct(reapMs, 50).toFixed(0)} ms, p90 ${pct(reapMs, 90).toFixed(0)} ms, max ${Math.max(0, ...reapMs).toFixed(0)} ms ` +
    `(RTMP: rtmp.idle_timeout_ms; HTTP-FLV/WS-FLV: once the kernel buffers are full, sub.write_timeout_ms, or when the ` +
    `stream ends; a frozen player of a stream without a publisher has nothing queued and waits, as in lal)`,
);
const dist = (xs: number[]): string =>
  `median ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${Math.max(0, ...xs).toFixed(0)} ms (${xs.length} times)`;
console.log(
  `a key published again after its publisher left cleanly (new one after 0-1 s): ${dist(keyFreeMs)}; ` +
    `after it vanished (reaped at rtmp.idle_timeout_ms, retries every 1 s): ${dist(keyFreeVanishedMs)}`,
);
console.log(`failures: ${JSON.stringify(failReasons)}`);
console.log(`lals: ${lals.warnLines.length} WARN lines, ${lals.errorLines.length} ERROR lines, exit ${exit}`);
const warnKinds: Record<string, number> = {};
for (const l of lals.warnLines) {
  const k = l
    .replace(/^\S+ \S+ WARN\s+/, '')
    .replace(/\d+/g, 'N')
    .slice(0, 90);
  warnKinds[k] = (warnKinds[k] ?? 0) + 1;
}
console.log(`WARN kinds: ${JSON.stringify(warnKinds, null, 1)}`);
for (const l of lals.errorLines.slice(0, 10)) console.log(`ERROR: ${l}`);
console.log(`left open after everyone left: ${JSON.stringify(leftOpen)}; final ${JSON.stringify(finalProc)}`);

const bad =
  lalsDied ||
  lals.errorLines.length > 0 ||
  counters.playersLost > 0 ||
  counters.pusherStartFailed > 0 ||
  counters.playerStartFailed > 0 ||
  (exit !== 0 && exit !== 'SIGTERM');
if (flags.out) {
  writeFileSync(
    flags.out,
    JSON.stringify(
      { seed, minutes, nPushers, nPlayers, counters, failReasons, trends, samples, leftOpen, exit },
      null,
      1,
    ),
  );
}
console.log(bad ? 'FAIL' : 'PASS');
process.exit(bad ? 1 : 0);
