// Timestamps crossing the 24-bit boundary of RTMP chunk headers (0xFFFFFF ms = 4.66 h into a
// stream, where the extended timestamp field starts) and the 32-bit wrap (49.7 days), simulated by
// starting the fixture just before them. Publisher and server both send 128-byte chunks, so nearly
// every message is split and its fmt 3 continuation chunks must repeat the extended timestamp
// (what ffmpeg, librtmp and OBS expect) on the way in and on the way out. RTMP, HTTP-FLV and WS-FLV
// players from the start get every message with its timestamp unchanged; players that join after
// the boundary start from the GOP cache and then get the same tail.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { FlvTag } from '../../src/format/flv/index.js';
import { EXTENDED_TIMESTAMP_MARKER, RtmpPushSession } from '../../src/protocol/rtmp/index.js';
import { readFixture } from '../helpers/fixtures.js';
import {
  digest,
  type Got,
  isMedia,
  type Puller,
  pullHttp,
  pullRtmp,
  startLals,
  waitFor,
} from '../helpers/lals.js';

const CHUNK = 128;
const key = (g: Got): string => `${g.type}/${g.ts}/${g.hash}`;

/**
 * Publishes the fixture from `baseTs` on (headers once, then the media `loops` times with continuing
 * timestamps), a few messages per event-loop turn, and returns what was published. `midway` runs once
 * the stream is `midwayMs` in.
 */
async function publish(
  pub: RtmpPushSession,
  tags: FlvTag[],
  baseTs: number,
  loops: number,
  midwayMs: number,
  midway: () => Promise<void>,
): Promise<Got[]> {
  const span = (tags[tags.length - 1]?.timestampMs ?? 0) + 40;
  const out: Got[] = [];
  let ranMidway = false;
  const send = (t: FlvTag, offset: number): void => {
    const ts = (baseTs + offset + t.timestampMs) % 2 ** 32;
    pub.write({ typeId: t.type, timestampMs: ts, payload: t.data });
    const g = digest(t.type, ts, t.data);
    if (isMedia(g)) out.push(g);
  };
  for (let i = 0; i < 3; i++) send(tags[i] as FlvTag, 0);
  for (let loop = 0; loop < loops; loop++) {
    for (let i = 3; i < tags.length; i++) {
      const t = tags[i] as FlvTag;
      send(t, loop * span);
      if (i % 10 === 0) {
        await pub.waitDrain();
        await new Promise((r) => setTimeout(r, 2));
      }
      if (!ranMidway && loop * span + t.timestampMs >= midwayMs) {
        ranMidway = true;
        await midway();
      }
    }
  }
  return out;
}

/** Publishes from 1.5 s before `boundary` (a u32 timestamp) on, and checks every player. */
async function crossing(name: string, boundary: number): Promise<void> {
  const baseTs = (boundary - 1500 + 2 ** 32) % 2 ** 32;
  const rel = (ts: number): number => (ts - baseTs + 2 ** 32) % 2 ** 32;
  const lals = await startLals([`rtmp.out_chunk_size=${CHUNK}`]);
  try {
    const { tags } = readFixture('avc-aac');
    const big = tags.filter((t) => t.data.length > 4 * CHUNK).length;
    assert.ok(big > 10, 'the fixture has messages that span several chunks');
    const early: Array<[string, Puller]> = [
      ['rtmp', await pullRtmp(lals.rtmp(name))],
      ['httpflv', pullHttp(lals.http(name))],
      ['wsflv', pullHttp(lals.ws(name))],
    ];
    await waitFor(() => (lals.server.groups.get('live', name)?.subCount ?? 0) === 3, 'players');
    const pub = new RtmpPushSession({ outChunkSize: CHUNK });
    await pub.start(lals.rtmp(name));
    const late: Array<[string, Puller]> = [];
    // Late players join 3.5 s past the boundary: the GOP cache (2 GOPs of 1 s) starts past it.
    const want = await publish(pub, tags, baseTs, 3, 1500 + 3500, async () => {
      late.push(['rtmp late', await pullRtmp(lals.rtmp(name))], ['httpflv late', pullHttp(lals.http(name))]);
      await waitFor(() => (lals.server.groups.get('live', name)?.subCount ?? 0) === 5, 'late players');
    });
    const before = want.filter((g) => rel(g.ts) < 1500).length;
    assert.ok(
      before > 20 && want.length - before > 100,
      `messages on both sides of the boundary (${before})`,
    );
    await waitFor(
      () => early.every(([, p]) => p.got.length >= want.length),
      () => `early players: ${early.map(([n, p]) => `${n} ${p.got.length}`).join(', ')} of ${want.length}`,
    );
    await waitFor(
      () =>
        late.length === 2 &&
        late.every(([, p]) => p.got.some((g) => key(g) === key(want[want.length - 1] as Got))),
      'late players reach the end',
    );
    for (const [n, p] of early) {
      assert.deepEqual(p.got.map(key), want.map(key), `${n}: every message, timestamps unchanged`);
    }
    const media = want.filter((g) => g.kind !== 'metadata' && !g.kind.endsWith('sequence-header'));
    for (const [n, p] of late) {
      const tail = p.got.filter((g) => g.kind !== 'metadata' && !g.kind.endsWith('sequence-header')).map(key);
      const first = tail[0];
      assert.ok(first !== undefined && p.got.some((g) => g.kind === 'video-key-frame'), `${n} got media`);
      const at = media.findIndex((g) => key(g) === first);
      assert.ok(at >= 0, `${n}: starts on a published message`);
      assert.ok(rel((media[at] as Got).ts) >= 1500, `${n}: starts past the boundary (from the GOP cache)`);
      assert.deepEqual(tail, media.slice(at).map(key), `${n}: from its start on, every message unchanged`);
    }
    await pub.close();
    await Promise.all(
      [...early, ...late].filter(([n]) => n.startsWith('http') || n.startsWith('ws')).map(([, p]) => p.done),
    );
    for (const [n, p] of [...early, ...late]) if (n.startsWith('rtmp')) await p.close();
  } finally {
    await lals.stop();
  }
}

describe('timestamps at the RTMP extended-timestamp boundary and the 32-bit wrap (128-byte chunks)', {
  timeout: 30_000,
}, () => {
  it('crossing 0xFFFFFF ms: RTMP in, RTMP + HTTP-FLV + WS-FLV out, unchanged, early and late players', async () => {
    await crossing('ext24', EXTENDED_TIMESTAMP_MARKER);
  });

  it('crossing 2^32 ms (the wrap) with extended timestamps in every continuation chunk', async () => {
    await crossing('wrap32', 0);
  });
});
