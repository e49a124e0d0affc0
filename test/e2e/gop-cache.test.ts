// Late joiners start from the GOP cache: metadata, sequence headers, then the newest gop_num GOPs
// (first video frame a key frame); with gop_num 0 they wait for the next key frame.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../helpers/fixtures.js';
import {
  type Got,
  pullHttp,
  pullRtmp,
  push,
  startLals,
  tagsToGot,
  waitFor,
  writeTags,
} from '../helpers/lals.js';

const strip = (g: Got[]) => g.map(({ type, ts, hash }) => ({ type, ts, hash }));

describe('GOP cache: late joiners', () => {
  for (const gopNum of [0, 1, 2]) {
    it(`gop_num ${gopNum}`, async () => {
      const lals = await startLals([`rtmp.gop_num=${gopNum}`, `httpflv.gop_num=${gopNum}`]);
      try {
        const { tags } = readFixture('avc-aac');
        const all = tagsToGot(tags);
        const stream = `gop${gopNum}`;
        // Publish up to a point in the middle of the second GOP (75 frames, GOPs of 25).
        const join = tags.findIndex((t, i) => i > 90 && t.type === 9);
        const pub = await push(lals.rtmp(stream), tags, 0, join);
        await waitFor(
          () => (lals.server.groups.get('live', stream)?.stats.messagesIn ?? 0) === join,
          'ingest',
        );
        const rtmp = await pullRtmp(lals.rtmp(stream));
        const http = pullHttp(lals.http(stream));
        await waitFor(() => (lals.server.groups.get('live', stream)?.subCount ?? 0) === 2, 'players');
        await new Promise((r) => setTimeout(r, 50));
        writeTags(pub, tags, join);
        // Expected: headers, then the cached GOPs from the gop_num-th last key frame before the join.
        const keysBefore = all
          .map((g, i) => (g.kind === 'video-key-frame' && i < join ? i : -1))
          .filter((i) => i >= 0);
        const headers = all.filter((g) =>
          ['metadata', 'video-sequence-header', 'audio-sequence-header'].includes(g.kind),
        );
        let want: Got[];
        if (gopNum > 0) {
          const from = keysBefore[Math.max(0, keysBefore.length - gopNum)] ?? 0;
          want = [...headers, ...all.slice(from)];
        } else {
          // Live from the join: audio at once, video from the next key frame.
          const nextKey = all.findIndex((g, i) => i >= join && g.kind === 'video-key-frame');
          assert.ok(nextKey > join, 'a key frame follows the join');
          want = [...headers, ...all.slice(join).filter((g, k) => g.type !== 9 || join + k >= nextKey)];
        }
        await waitFor(
          () => rtmp.got.length >= want.length && http.got.length >= want.length,
          () => `players to catch up: want ${want.length}, rtmp ${rtmp.got.length}, http ${http.got.length}`,
        );
        await pub.close();
        await http.done;
        await rtmp.close();
        for (const p of [rtmp, http]) {
          assert.deepEqual(strip(p.got), strip(want));
          const firstVideoFrame = p.got.find((g) => g.kind === 'video-key-frame' || g.kind === 'video-frame');
          assert.equal(firstVideoFrame?.kind, 'video-key-frame', 'first video frame is a key frame');
        }
      } finally {
        await lals.stop();
      }
    });
  }

  it('a sequence header change mid-stream reaches every player and resets the cache', async () => {
    const lals = await startLals();
    try {
      const a = readFixture('avc-aac').tags;
      const b = readFixture('avc-bframes-aac').tags; // another encoder config (High profile)
      const pub = await push(lals.rtmp('change'), a);
      await waitFor(
        () => (lals.server.groups.get('live', 'change')?.stats.messagesIn ?? 0) === a.length,
        'ingest',
      );
      const rtmp = await pullRtmp(lals.rtmp('change'));
      await waitFor(() => rtmp.got.length > 3, 'snapshot');
      const last = a[a.length - 1]?.timestampMs ?? 0;
      writeTags(pub, b, 1, b.length, last + 40); // encoder restart: new sequence headers, later timestamps
      const bGot = tagsToGot(b).slice(1);
      await waitFor(() => rtmp.got.length >= 3 + 50 + bGot.length - 1, 'second half');
      const seqs = rtmp.got.filter((g) => g.kind === 'video-sequence-header').map((g) => g.hash);
      assert.equal(new Set(seqs).size, 2, 'the player got both sequence headers');
      const cache = lals.server.groups.get('live', 'change')?.cache;
      const snap = cache?.snapshot() ?? [];
      const vseq = snap.find((m) => m.kind === 'video-sequence-header');
      assert.equal(
        vseq?.payload.length,
        b.find((t) => t.type === 9)?.data.length,
        'cache holds the new header',
      );
      const late = await pullRtmp(lals.rtmp('change'));
      await waitFor(() => late.got.some((g) => g.kind === 'video-key-frame'), 'late joiner key frame');
      assert.equal(late.got.filter((g) => g.kind === 'video-sequence-header').length, 1);
      assert.equal(late.got.find((g) => g.kind === 'video-sequence-header')?.hash, seqs[1]);
      await pub.close();
      await Promise.all([rtmp.close(), late.close()]);
    } finally {
      await lals.stop();
    }
  });
});
