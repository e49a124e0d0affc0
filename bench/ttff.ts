#!/usr/bin/env node
/**
 * Time to first frame: K new players, one after the other, on a running stream; for each, the time
 * from the start of the connect to the first video key frame received (RTMP: the play session's
 * first key frame message; HTTP-FLV: the first key frame tag). Prints one JSON summary line.
 *
 *   node dist/bench/ttff.js --url rtmp://127.0.0.1:1935/live/s --count 30
 *   node dist/bench/ttff.js --url http://127.0.0.1:8080/live/s.flv --count 30
 */
import { parseArgs } from 'node:util';
import { classifyFlvTag } from '../src/format/flv/index.js';
import { HttpFlvPullSession } from '../src/protocol/httpflv/index.js';
import { RtmpPullSession } from '../src/protocol/rtmp/index.js';
import { summarize } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    url: { type: 'string' },
    count: { type: 'string', default: '30' },
    'timeout-ms': { type: 'string', default: '5000' },
    'pause-ms': { type: 'string', default: '100' },
  },
});
if (values.url === undefined) {
  process.stderr.write('usage: ttff --url rtmp://...|http://... [--count K] [--timeout-ms 5000]\n');
  process.exit(2);
}
const url: string = values.url ?? '';
const count = Math.min(1000, Math.max(1, Number(values.count)));
const timeoutMs = Number(values['timeout-ms']);
const pauseMs = Number(values['pause-ms']);
const rtmp = /^rtmps?:/i.test(url);

/** One player: resolves with [ms to the play start, ms to the first key frame]. */
function onePlayer(): Promise<{ startMs: number; keyMs: number }> {
  const t0 = performance.now();
  let startMs = Number.NaN;
  return new Promise((resolve, reject) => {
    let done = false;
    let close: () => void = () => {};
    const timer = setTimeout(() => finish(new Error(`no key frame within ${timeoutMs} ms`)), timeoutMs);
    const finish = (err?: Error): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      const keyMs = performance.now() - t0;
      close();
      if (err) reject(err);
      else resolve({ startMs, keyMs });
    };
    const onMedia = (type: number, body: Uint8Array): void => {
      if (type === 9 && classifyFlvTag(type, body) === 'video-key-frame') finish();
    };
    if (rtmp) {
      const s = new RtmpPullSession(
        { onMessage: (m) => onMedia(m.typeId, m.payload) },
        { connectTimeoutMs: timeoutMs, closeGraceMs: 200 },
      );
      close = () => void s.close();
      s.start(url).then(
        () => {
          startMs = performance.now() - t0;
        },
        (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
      );
    } else {
      const s = new HttpFlvPullSession(
        { onTag: (t) => onMedia(t.type, t.data) },
        { connectTimeoutMs: timeoutMs },
      );
      close = () => s.close();
      s.pull(url).then(
        () => {
          startMs = performance.now() - t0;
        },
        (e: unknown) => finish(e instanceof Error ? e : new Error(String(e))),
      );
    }
  });
}

const keyTimes: number[] = [];
const startTimes: number[] = [];
const errors: string[] = [];
for (let i = 0; i < count; i++) {
  try {
    const r = await onePlayer();
    keyTimes.push(r.keyMs);
    if (Number.isFinite(r.startMs)) startTimes.push(r.startMs);
  } catch (e) {
    errors.push(e instanceof Error ? e.message : String(e));
  }
  await new Promise((r) => setTimeout(r, pauseMs));
}
process.stdout.write(
  `${JSON.stringify({
    type: 'ttff',
    protocol: rtmp ? 'rtmp' : 'httpflv',
    url,
    players: count,
    ok: keyTimes.length,
    failed: errors.length,
    firstKeyFrameMs: summarize(keyTimes),
    playStartMs: summarize(startTimes),
    errors: [...new Set(errors)].slice(0, 5),
  })}\n`,
);
process.exit(0);
