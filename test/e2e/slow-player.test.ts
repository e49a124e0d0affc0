// A player that never reads next to players that do: past the soft mark it skips video (and past
// the hard mark it is cut off: see sub-outlet.test.ts), server-side queues stay bounded, the
// others get everything.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { it } from 'node:test';
import { readFixture } from '../helpers/fixtures.js';
import { pullHttp, pullRtmp, push, startLals, waitFor, writeTags } from '../helpers/lals.js';

it('a stalled player is bounded; the others receive every message', async () => {
  const soft = 512 * 1024;
  const hard = 2 * 1024 * 1024;
  const lals = await startLals([`sub.soft_mark_bytes=${soft}`, `sub.hard_mark_bytes=${hard}`]);
  try {
    const { tags } = readFixture('avc-aac');
    const loops = 120; // ~9 MB: far more than loopback socket buffers hold
    const url = new URL(lals.http('slow'));
    // The stalled player: asks for the stream and never reads a byte.
    const stalled = connect(Number(url.port), '127.0.0.1');
    stalled.on('error', () => {});
    await new Promise<void>((r) => stalled.once('connect', () => r()));
    stalled.write(`GET ${url.pathname} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n`);
    stalled.pause();
    const rtmp = await pullRtmp(lals.rtmp('slow'));
    const http = pullHttp(lals.http('slow'));
    await waitFor(() => (lals.server.groups.get('live', 'slow')?.subCount ?? 0) === 3, 'players');
    const pub = await push(lals.rtmp('slow'), tags);
    let maxQueued = 0;
    const group = lals.server.groups.get('live', 'slow');
    const sample = setInterval(() => {
      for (const s of (group?.dump().subs as Array<{ queuedBytes: number }>) ?? [])
        maxQueued = Math.max(maxQueued, s.queuedBytes);
    }, 5);
    const span = (tags[tags.length - 1]?.timestampMs ?? 0) + 40;
    for (let i = 1; i < loops; i++) {
      writeTags(pub, tags, 3, tags.length, i * span); // media only; headers were sent once
      await pub.waitDrain();
      await new Promise((r) => setImmediate(r));
    }
    const want = 3 + (tags.length - 3) * loops;
    await waitFor(
      () => rtmp.got.length >= want && http.got.length >= want,
      () => `good players: ${rtmp.got.length}, ${http.got.length} of ${want}`,
      20_000,
    );
    clearInterval(sample);
    const subs =
      (group?.dump().subs as Array<{ id: string; droppedVideo: number; skipEpisodes: number }>) ?? [];
    const slow = subs.find((x) => x.id.startsWith('httpflv') && x.droppedVideo > 0);
    // The stalled player is either cut off at the hard mark or, past the soft mark, skips video.
    assert.ok(subs.length === 2 || (slow !== undefined && slow.skipEpisodes >= 1), JSON.stringify(subs));
    assert.ok(maxQueued <= hard + 128 * 1024, `server-side queue stayed bounded (max ${maxQueued})`);
    assert.equal(rtmp.got.length, want);
    assert.equal(http.got.length, want);
    await pub.close();
    await http.done;
    await rtmp.close();
  } finally {
    await lals.stop();
  }
});
