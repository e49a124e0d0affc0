/**
 * Per-connection byte counters of the load tools' sockets, from the kernel's TCP info (`ss -ti`):
 * bytes_received (players) and bytes_acked (publishers) of every client socket connected to a
 * server port. Sampled once a second over the measurement window, they give each player's (and
 * each publisher's) delivered bytes and its longest stall, whatever the server under test.
 */
import { execFile } from 'node:child_process';

/**
 * A socket's key: `localPort>serverPort` (two client sockets may share a local port when they go
 * to different server ports, e.g. a publisher to RTMP and a player to HTTP-FLV).
 */
export type SockKey = string;

export interface SockSample {
  /** Socket -> bytes received by it. */
  received: Map<SockKey, number>;
  /** Socket -> bytes sent and acknowledged by the server. */
  acked: Map<SockKey, number>;
  /** Socket -> owning pid (only when sampled with owners). */
  owner: Map<SockKey, number>;
}

function run(args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile('ss', args, { maxBuffer: 64 * 1024 * 1024 }, (err, stdout) => {
      if (err) reject(err);
      else resolve(stdout);
    });
  });
}

/**
 * One sample of the established TCP connections to `127.0.0.1:<port>` (the client side), with the
 * owning pids when `owners` (slower: ss walks /proc/<pid>/fd).
 */
export async function sampleClientSockets(ports: readonly number[], owners = false): Promise<SockSample> {
  const filter = `( ${ports.map((p) => `dport = :${p}`).join(' or ')} )`;
  const out = await run([owners ? '-tinpH' : '-tinH', 'state', 'established', filter]);
  const s: SockSample = { received: new Map(), acked: new Map(), owner: new Map() };
  let port: SockKey | undefined;
  for (const line of out.split('\n')) {
    if (line.length === 0) continue;
    if (line[0] !== ' ' && line[0] !== '\t') {
      // "0 0 127.0.0.1:45678 127.0.0.1:19350 [users:((...,pid=N,...))]"
      const m = /^\S+\s+\S+\s+\S+:(\d+)\s+\S+:(\d+)/.exec(line);
      port = m ? `${m[1]}>${m[2]}` : undefined;
      if (port !== undefined && owners) {
        const o = /pid=(\d+)/.exec(line);
        if (o) s.owner.set(port, Number(o[1]));
      }
      continue;
    }
    if (port === undefined) continue;
    const r = /bytes_received:(\d+)/.exec(line);
    const a = /bytes_acked:(\d+)/.exec(line);
    s.received.set(port, r ? Number(r[1]) : 0);
    s.acked.set(port, a ? Number(a[1]) : 0);
    port = undefined;
  }
  return s;
}

/** What the samples of a window say about one group of sockets (the players, or the publishers). */
export interface FlowCheck {
  /** Sockets of the group at the window's start. */
  sockets: number;
  /** Sockets that moved fewer bytes than the minimum (or vanished). */
  short: number;
  /** Sockets with a stall of >= stallLimit consecutive sample intervals without a byte. */
  stalled: number;
  /** Fewest / median bytes one socket moved in the window, as a fraction of the expected bytes. */
  minFraction: number;
  medianFraction: number;
  /** Longest stall seen on any socket, in sample intervals. */
  longestStallIntervals: number;
}

/**
 * Checks one group's sockets over a series of samples: each must move at least `minBytes` in the
 * window (first to last sample) and never go `stallLimit` intervals in a row without a byte.
 */
export function checkFlow(
  samples: readonly SockSample[],
  ports: readonly SockKey[],
  field: 'received' | 'acked',
  expectedBytes: number,
  minFraction: number,
  stallLimit: number,
): FlowCheck {
  const fractions: number[] = [];
  let short = 0;
  let stalled = 0;
  let longest = 0;
  for (const p of ports) {
    let run = 0;
    let maxRun = 0;
    let prev: number | undefined;
    let firstV: number | undefined;
    let lastV: number | undefined;
    for (const s of samples) {
      const v = s[field].get(p);
      if (v === undefined) {
        run++;
        maxRun = Math.max(maxRun, run);
        continue;
      }
      firstV ??= v;
      lastV = v;
      if (prev !== undefined) {
        if (v === prev) {
          run++;
          maxRun = Math.max(maxRun, run);
        } else run = 0;
      }
      prev = v;
    }
    const moved = firstV === undefined || lastV === undefined ? 0 : lastV - firstV;
    const frac = expectedBytes > 0 ? moved / expectedBytes : 0;
    fractions.push(frac);
    if (frac < minFraction) short++;
    if (maxRun >= stallLimit) stalled++;
    longest = Math.max(longest, maxRun);
  }
  fractions.sort((a, b) => a - b);
  return {
    sockets: ports.length,
    short,
    stalled,
    minFraction: round3(fractions[0] ?? 0),
    medianFraction: round3(fractions[fractions.length >> 1] ?? 0),
    longestStallIntervals: longest,
  };
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}
