#!/usr/bin/env node
/**
 * Forwarding delay through an RTMP server, like lal's calcrtmpdelay: one process publishes an FLV
 * file in real time (looped) and plays the same stream back; every audio/video message is matched
 * by a hash of its payload (the server passes payloads through unchanged) and the delay is the time
 * from handing the message to the publishing socket to receiving it on the playing one, both on
 * this process's clock. Messages sent in the first `--skip-ms` (start-up, GOP-cache burst) are not
 * counted. Prints one JSON summary line.
 *
 *   node dist/bench/delay.js -i stream.flv --url rtmp://127.0.0.1:1935/live/delay --duration 30
 */
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { FlvSource } from '../src/app/load/flv-source.js';
import { RtmpPullSession, RtmpPushSession } from '../src/protocol/rtmp/index.js';
import { r2, summarize } from './lib/stats.js';

const { values } = parseArgs({
  options: {
    input: { type: 'string', short: 'i' },
    url: { type: 'string' },
    duration: { type: 'string', default: '30' },
    'skip-ms': { type: 'string', default: '3000' },
    'play-delay-ms': { type: 'string', default: '1000' },
  },
});
if (values.input === undefined || values.url === undefined) {
  process.stderr.write(
    'usage: delay -i file.flv --url rtmp://host:port/app/stream [--duration s] [--skip-ms ms]\n',
  );
  process.exit(2);
}
const url = values.url;
const src = FlvSource.load(values.input);
const durationMs = Number(values.duration) * 1000;
const skipMs = Number(values['skip-ms']);
const playDelayMs = Number(values['play-delay-ms']);

/** Payload hash -> send times (FIFO: the file's payloads repeat once per loop). */
const pending = new Map<string, number[]>();
const delays: number[] = [];
let sent = 0;
let received = 0;
let unmatched = 0;
let expired = 0;
let measureFromMs = Number.POSITIVE_INFINITY;
const MAX_AGE_MS = 5000;

function key(payload: Uint8Array): string {
  return createHash('sha1').update(payload).digest('base64');
}

const t0 = performance.now();
const push = new RtmpPushSession({ connectTimeoutMs: 5000 });
await push.start(url);

// Real-time pacer: tag k of loop L is due at start + L * period + (ts_k - base).
const startMs = performance.now();
let loop = 0;
let pos = 0;
let timer: NodeJS.Timeout | undefined;
let stopped = false;
function pump(): void {
  timer = undefined;
  if (stopped) return;
  const now = performance.now();
  for (;;) {
    const tag = src.tags[pos];
    if (tag === undefined) {
      loop++;
      pos = 0;
      continue;
    }
    const due = startMs + loop * src.loopPeriodMs + (tag.timestampMs - src.baseTsMs);
    if (due > now) {
      timer = setTimeout(pump, Math.max(0, due - performance.now()));
      return;
    }
    pos++;
    if (loop > 0 && (tag.skipInLaterLoops || tag.endOfSequence)) continue;
    const frame = tag.cls === 'video-frame' || tag.cls === 'video-key-frame' || tag.cls === 'audio-frame';
    if (frame) {
      const k = key(tag.payload);
      const at = performance.now();
      const list = pending.get(k);
      if (list) list.push(at);
      else pending.set(k, [at]);
      sent++;
    }
    push.write({
      typeId: tag.type,
      timestampMs: tag.timestampMs + loop * src.loopPeriodMs,
      payload: tag.payload,
    });
  }
}
pump();

await new Promise((r) => setTimeout(r, playDelayMs));
const pull = new RtmpPullSession({
  onMessage: (m) => {
    if (m.typeId !== 8 && m.typeId !== 9) return;
    const now = performance.now();
    const k = key(m.payload);
    const list = pending.get(k);
    if (list === undefined) {
      unmatched++;
      return;
    }
    // Drop entries too old to be this message (sent before the player joined, or lost).
    while (list.length > 0 && (list[0] as number) < now - MAX_AGE_MS) {
      list.shift();
      expired++;
    }
    const at = list.shift();
    if (list.length === 0) pending.delete(k);
    if (at === undefined) {
      unmatched++;
      return;
    }
    received++;
    if (at >= measureFromMs) delays.push(now - at);
  },
});
await pull.start(url);
measureFromMs = t0 + skipMs;

await new Promise((r) => setTimeout(r, Math.max(0, t0 + durationMs - performance.now())));
stopped = true;
if (timer !== undefined) clearTimeout(timer);
await Promise.race([Promise.all([pull.close(), push.close()]), new Promise((r) => setTimeout(r, 3000))]);
const s = summarize(delays);
process.stdout.write(
  `${JSON.stringify({
    type: 'delay',
    url,
    measuredSec: r2((performance.now() - Math.max(t0, measureFromMs)) / 1000),
    sent,
    received,
    unmatched,
    expired,
    delayMs: s,
  })}\n`,
);
process.exit(0);
