/**
 * Interop, level 4: lals between independent third-party peers. ffmpeg (libavformat's own RTMP
 * client and FLV muxer) publishes a real-time test pattern to lals; ffprobe (libavformat's RTMP and
 * HTTP clients and FLV demuxer, libavcodec's decoders) plays it back over RTMP and HTTP-FLV, both from
 * the start (waiting for the publisher) and as a late joiner served from the GOP cache. ffmpeg's tee
 * muxer writes the same FLV packets to a file, the reference of what was published.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { startLals, type TestLals, waitFor } from '../helpers/lals.js';
import { needTool } from '../helpers/tools.js';
import {
  assertPlayable,
  assertSamePackets,
  assertSuffixOf,
  frameCounts,
  probeFile,
  startFfmpegPublisher,
  startProbe,
} from './lals-helpers.js';
import { sleep, tempDir } from './rtmp-helpers.js';

describe('ffmpeg publishes to lals, ffprobe plays over RTMP and HTTP-FLV', { concurrency: true }, () => {
  let lals: TestLals;
  before(async () => {
    // One cached GOP: a player that joins 1.5 s in starts on the key frame at 1 s.
    lals = await startLals(['rtmp.gop_num=1', 'httpflv.gop_num=1']);
  });
  after(async () => {
    await lals.stop();
  });

  for (const bframes of [0, 2]) {
    it(`H.264 (-bf ${bframes}) + AAC: early and late players see what was published`, {
      timeout: 30_000,
    }, async (t) => {
      if (!needTool(t, 'ffmpeg') || !needTool(t, 'ffprobe')) return;
      const dir = tempDir(t);
      const name = `ff-bf${bframes}`;
      const ref = join(dir, 'published.flv');
      const group = () => lals.server.groups.get('live', name);
      // Players that are there first: lals keeps them waiting for the publisher.
      const early = {
        rtmp: startProbe(t, lals.rtmp(name), 25_000),
        http: startProbe(t, lals.http(name), 25_000),
      };
      await waitFor(() => (group()?.subCount ?? 0) === 2, 'ffprobe players waiting', 10_000);
      const pub = startFfmpegPublisher(t, lals.rtmp(name), ref, bframes);
      // Late players, 1.5 s (about 1.5 GOPs) into the stream.
      await waitFor(() => (group()?.stats.messagesIn ?? 0) > 0, 'the publisher', 10_000);
      await sleep(1500);
      const late = {
        rtmp: startProbe(t, lals.rtmp(name), 25_000),
        http: startProbe(t, lals.http(name), 25_000),
      };
      const published = await pub.done;
      assert.equal(published.code, 0, `ffmpeg publisher: ${published.stderr}`);
      const want = await probeFile(t, ref);
      const [wantVideo, wantAudio] = frameCounts(want);
      assert.equal(wantVideo, 75, 'the reference has 3 s of video at 25 fps');
      assert.ok(wantAudio >= 129, `the reference has 3 s of AAC (${wantAudio} frames)`);
      if (bframes > 0) {
        // The B-frames variant really has reordered frames (PTS != DTS somewhere).
        assert.ok(
          want.packets.some((k) => k.codec_type === 'video' && k.pts !== k.dts),
          'B-frames reorder the pictures',
        );
      }

      // Each player is judged in its own subtest, so that one report shows all of them.
      for (const [label, p] of [
        ['early RTMP player', early.rtmp],
        ['early HTTP-FLV player', early.http],
      ] as const) {
        await t.test(`${label}: every packet, every frame`, async () => {
          const got = await p.result;
          assertPlayable(got, want, label);
          assertSamePackets(got, want, label);
          assert.deepEqual(frameCounts(got), [wantVideo, wantAudio], `${label}: decoded frame counts`);
        });
      }
      for (const [label, p] of [
        ['late RTMP player', late.rtmp],
        ['late HTTP-FLV player', late.http],
      ] as const) {
        await t.test(`${label}: starts on the cached key frame, then every packet`, async () => {
          const got = await p.result;
          assertPlayable(got, want, label);
          const skipped = assertSuffixOf(got, want, label);
          assert.ok(skipped > 0, `${label}: started from the GOP cache, not from the first frame`);
          const [v] = frameCounts(got);
          assert.equal(v, wantVideo - skipped, `${label}: every video packet from its key frame on decodes`);
        });
      }
    });
  }
});
