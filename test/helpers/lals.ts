// In-process lals for end-to-end tests: a server on 127.0.0.1 port 0, push and pull helpers.
import { createHash } from 'node:crypto';
import { Writable } from 'node:stream';
import type { FlvTag } from '../../src/format/flv/index.js';
import { classifyFlvTag } from '../../src/format/flv/index.js';
import { HttpFlvPullSession } from '../../src/protocol/httpflv/index.js';
import { RtmpPullSession, RtmpPushSession, type RtmpStatus } from '../../src/protocol/rtmp/index.js';
import { applyOverrides, defaultConfig } from '../../src/server/config.js';
import { LalsServer } from '../../src/server/lals-server.js';
import { createLogger } from '../../src/server/logger.js';

export interface TestLals {
  server: LalsServer;
  rtmp(stream: string): string;
  http(stream: string): string;
  ws(stream: string): string;
  /** The log lines written so far (only with `captureLog`; else empty). */
  readonly logLines: string[];
  stop(): Promise<void>;
}

export interface StartLalsOptions {
  /** Keep every log line in `logLines` (and still print them when LALS_TEST_LOG is set). */
  captureLog?: boolean;
}

/** Starts lals on loopback with `set` overrides (`section.key=value`), logging off unless LALS_TEST_LOG is set. */
export async function startLals(set: string[] = [], opts: StartLalsOptions = {}): Promise<TestLals> {
  const print = process.env.LALS_TEST_LOG !== undefined && process.env.LALS_TEST_LOG !== '';
  const cfg = applyOverrides(defaultConfig(), {
    set: [
      'rtmp.addr=127.0.0.1:0',
      'httpflv.sub_listen_addr=127.0.0.1:0',
      'log.filename=',
      `log.is_to_stdout=${print || opts.captureLog === true ? 'true' : 'false'}`,
      'log.level=1',
      ...set,
    ],
  });
  const logLines: string[] = [];
  const capture = new Writable({
    write(chunk: Buffer, _enc, cb) {
      const text = chunk.toString();
      for (const line of text.split('\n')) if (line !== '') logLines.push(line);
      if (print) process.stdout.write(text);
      cb();
    },
  });
  const log = createLogger(cfg.log, opts.captureLog ? { stdout: capture } : {});
  const server = new LalsServer(cfg, log);
  const a = await server.start();
  return {
    server,
    rtmp: (s) => `rtmp://127.0.0.1:${a.rtmpPort}/live/${s}`,
    http: (s) => `http://127.0.0.1:${a.httpPort}/live/${s}.flv`,
    ws: (s) => `ws://127.0.0.1:${a.httpPort}/live/${s}.flv`,
    logLines,
    stop: async () => {
      await server.stop();
      await log.close();
    },
  };
}

/** A received message, reduced to what the comparisons need. */
export interface Got {
  type: number;
  ts: number;
  hash: string;
  kind: string;
}

export function digest(type: number, ts: number, payload: Uint8Array): Got {
  return {
    type,
    ts,
    hash: createHash('sha1').update(payload).digest('hex').slice(0, 16),
    kind: classifyFlvTag(type, payload),
  };
}

/** Media and onMetaData only (drops |RtmpSampleAccess and other script data). */
export function isMedia(g: Got): boolean {
  return g.type === 8 || g.type === 9 || g.kind === 'metadata';
}

export const tagsToGot = (tags: FlvTag[]): Got[] =>
  tags.map((t) => digest(t.type, t.timestampMs, t.data)).filter(isMedia);

export interface Puller {
  got: Got[];
  statuses: RtmpStatus[];
  headerFlags?: { hasAudio: boolean; hasVideo: boolean };
  done: Promise<unknown>;
  close(): Promise<void>;
}

export async function pullRtmp(url: string): Promise<Puller> {
  const got: Got[] = [];
  const statuses: RtmpStatus[] = [];
  const s = new RtmpPullSession({
    onMessage: (m) => {
      const g = digest(m.typeId, m.timestampMs, m.payload);
      if (isMedia(g)) got.push(g);
    },
    onStatus: (st) => statuses.push(st),
  });
  await s.start(url);
  return { got, statuses, done: s.done, close: () => s.close() };
}

/** Starts an HTTP-FLV or WS-FLV pull; does not wait for the response (it comes when the stream starts). */
export function pullHttp(url: string): Puller & { started: Promise<unknown> } {
  const got: Got[] = [];
  const p: Puller & { started: Promise<unknown> } = {
    got,
    statuses: [],
    done: Promise.resolve(),
    started: Promise.resolve(),
    close: async () => {
      s.close();
      await s.done;
    },
  };
  const s = new HttpFlvPullSession({
    onHeader: (h) => {
      p.headerFlags = { hasAudio: h.hasAudio, hasVideo: h.hasVideo };
    },
    onTag: (t) => {
      const g = digest(t.type, t.timestampMs, t.data);
      if (isMedia(g)) got.push(g);
    },
  });
  p.started = s.pull(url);
  p.started.catch(() => {});
  p.done = s.done;
  return p;
}

/** Publishes `tags` (unpaced) and returns the open session. */
export async function push(
  url: string,
  tags: FlvTag[],
  from = 0,
  to = tags.length,
): Promise<RtmpPushSession> {
  const s = new RtmpPushSession();
  await s.start(url);
  writeTags(s, tags, from, to);
  return s;
}

export function writeTags(
  s: RtmpPushSession,
  tags: FlvTag[],
  from = 0,
  to = tags.length,
  tsOffset = 0,
): void {
  for (let i = from; i < to; i++) {
    const t = tags[i] as FlvTag;
    s.write({ typeId: t.type, timestampMs: t.timestampMs + tsOffset, payload: t.data });
  }
}

/** Polls `cond` every 10 ms until it holds or `ms` pass (then throws with `what`). */
export async function waitFor(cond: () => boolean, what: string | (() => string), ms = 5000): Promise<void> {
  const end = Date.now() + ms;
  while (!cond()) {
    if (Date.now() > end)
      throw new Error(`timed out waiting for ${typeof what === 'string' ? what : what()}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Proves the server still works: two players (RTMP and HTTP-FLV) of a fresh `stream`, a publisher
 * of the first `n` tags of `tags`; both players get them all, then everything is closed again.
 */
export async function checkAlive(lals: TestLals, stream: string, tags: FlvTag[], n = 40): Promise<void> {
  const rtmp = await pullRtmp(lals.rtmp(stream));
  const http = pullHttp(lals.http(stream));
  await waitFor(() => (lals.server.groups.get('live', stream)?.subCount ?? 0) === 2, `players of ${stream}`);
  const pub = await push(lals.rtmp(stream), tags, 0, n);
  const want = tagsToGot(tags.slice(0, n));
  await waitFor(
    () => rtmp.got.length >= want.length && http.got.length >= want.length,
    () => `alive check ${stream}: rtmp ${rtmp.got.length}, http ${http.got.length} of ${want.length}`,
  );
  const strip = (g: Got[]): string[] => g.map((x) => `${x.type}/${x.ts}/${x.hash}`);
  if (strip(rtmp.got).join() !== strip(want).join() || strip(http.got).join() !== strip(want).join()) {
    throw new Error(`alive check ${stream}: players got different messages than were published`);
  }
  await pub.close();
  await http.done;
  await rtmp.close();
}

/** What each protocol's player received in roundTrip. */
export interface RoundTrip {
  rtmp: Puller;
  httpflv: Puller;
  wsflv: Puller;
}

/**
 * lal's innertest step: an RTMP, an HTTP-FLV and a WS-FLV player of `stream` wait for it, `tags`
 * are published over RTMP, and once every player has them all the publisher leaves (HTTP responses
 * end, RTMP gets UnpublishNotify) and the players close. Compare with `sameMedia`.
 */
export async function roundTrip(lals: TestLals, stream: string, tags: FlvTag[]): Promise<RoundTrip> {
  const want = tagsToGot(tags);
  // Players arrive before the publisher (they wait).
  const rtmp = await pullRtmp(lals.rtmp(stream));
  const httpflv = pullHttp(lals.http(stream));
  const wsflv = pullHttp(lals.ws(stream));
  await waitFor(() => (lals.server.groups.get('live', stream)?.subCount ?? 0) === 3, '3 players registered');
  const pub = await push(lals.rtmp(stream), tags);
  await waitFor(
    () => [rtmp, httpflv, wsflv].every((p) => p.got.length >= want.length),
    `all players to receive ${want.length} messages`,
  );
  await pub.close();
  await Promise.all([httpflv.done, wsflv.done]);
  await waitFor(
    () => rtmp.statuses.some((s) => s.code === 'NetStream.Play.UnpublishNotify'),
    'UnpublishNotify',
  );
  await rtmp.close();
  return { rtmp, httpflv, wsflv };
}

/** The type, timestamp and payload digest of each message, for deepEqual. */
export const sameMedia = (g: Got[]): { type: number; ts: number; hash: string }[] =>
  g.map(({ type, ts, hash }) => ({ type, ts, hash }));
