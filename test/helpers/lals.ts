// In-process lals for end-to-end tests: a server on 127.0.0.1 port 0, push and pull helpers.
import { createHash } from 'node:crypto';
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
  stop(): Promise<void>;
}

/** Starts lals on loopback with `set` overrides (`section.key=value`), logging off unless LALS_TEST_LOG is set. */
export async function startLals(set: string[] = []): Promise<TestLals> {
  const cfg = applyOverrides(defaultConfig(), {
    set: [
      'rtmp.addr=127.0.0.1:0',
      'httpflv.sub_listen_addr=127.0.0.1:0',
      'log.filename=',
      `log.is_to_stdout=${process.env.LALS_TEST_LOG ? 'true' : 'false'}`,
      'log.level=1',
      ...set,
    ],
  });
  const log = createLogger(cfg.log);
  const server = new LalsServer(cfg, log);
  const a = await server.start();
  return {
    server,
    rtmp: (s) => `rtmp://127.0.0.1:${a.rtmpPort}/live/${s}`,
    http: (s) => `http://127.0.0.1:${a.httpPort}/live/${s}.flv`,
    ws: (s) => `ws://127.0.0.1:${a.httpPort}/live/${s}.flv`,
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
