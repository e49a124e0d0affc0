/**
 * Interop, level 4: rtmpdump (librtmp, an RTMP implementation independent of ffmpeg's and ours)
 * plays from lals while the project's RTMP push session publishes a fixture with B-frames. rtmpdump
 * is there first (lals keeps it waiting for the publisher), ends by itself on the server's
 * NetStream.Play.UnpublishNotify, and writes what it got to an FLV file, which is compared tag by
 * tag with the fixture and read back by ffprobe. Once with librtmp's plain handshake, once with its
 * FP9 (digest) handshake, which SWF verification options turn on.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { push, startLals, waitFor } from '../helpers/lals.js';
import { needTool } from '../helpers/tools.js';
import { assertPlayable, assertSamePackets, frameCounts, probeFile } from './lals-helpers.js';
import { readFlvTags, startTool, tempDir } from './rtmp-helpers.js';

describe('rtmpdump plays from lals', { timeout: 30_000 }, () => {
  it('gets every audio/video tag of the published fixture; ffprobe reads its file', async (t) => {
    if (!needTool(t, 'rtmpdump') || !needTool(t, 'ffprobe')) return;
    const dir = tempDir(t);
    const lals = await startLals();
    t.after(() => lals.stop());
    const name = 'dump';
    const modes: Array<[string, string[]]> = [
      ['simple handshake', []],
      ['FP9 handshake', ['-w', '0'.repeat(64), '-x', '1000']],
    ];
    const dumps = modes.map(([mode, extra], i) => {
      const out = join(dir, `rtmpdump-${i}.flv`);
      // -v: live (no seeking or resuming); -m: give up after 15 s without data.
      const run = startTool(
        t,
        'rtmpdump',
        ['-v', '-m', '15', ...extra, '-r', lals.rtmp(name), '-o', out],
        20_000,
      );
      return { mode, out, run };
    });
    await waitFor(
      () => (lals.server.groups.get('live', name)?.subCount ?? 0) === dumps.length,
      'rtmpdump players waiting',
      10_000,
    );
    const { tags } = readFixture('avc-bframes-aac');
    const pub = await push(lals.rtmp(name), tags);
    await pub.close();
    const fixtureFile = fixturePath('avc-bframes-aac');
    const want = await probeFile(t, fixtureFile);
    // Audio/video tags; librtmp does not write the fixture's trailing AVC end-of-sequence tag
    // (0x17 0x02), whose timestamp is below the last audio tag's, so that one is left out.
    const media = (file: string) =>
      readFlvTags(readFileSync(file)).filter(
        (x) => x.typeId === 8 || (x.typeId === 9 && !(x.body[0] === 0x17 && x.body[1] === 2)),
      );
    const wantTags = media(fixtureFile);
    for (const { mode, out, run } of dumps) {
      await t.test(mode, async () => {
        const r = await run.done;
        // 0 = complete, 2 = "may be incomplete" (librtmp's guess for a live stream that stopped).
        assert.ok(
          r.code === 0 || r.code === 2,
          `${mode}: rtmpdump exit ${r.code} ${r.signal ?? ''}: ${r.stderr}`,
        );
        const size = existsSync(out) ? statSync(out).size : -1;
        assert.ok(size > 13, `${mode}: rtmpdump wrote no FLV tags (file size ${size}): ${r.stderr}`);
        const got = media(out);
        const rows = (list: typeof got) =>
          list.map((x) => `${x.typeId} ${x.timestampMs} ${x.body.toString('base64')}`);
        assert.equal(
          got.length,
          wantTags.length,
          `${mode}: audio/video tags written by rtmpdump (the fixture has ${wantTags.length})`,
        );
        assert.deepEqual(rows(got), rows(wantTags), `${mode}: tags (type, timestamp, body)`);
        const probe = await probeFile(t, out);
        assertPlayable(probe, want, mode);
        assertSamePackets(probe, want, mode);
        assert.deepEqual(frameCounts(probe), frameCounts(want), `${mode}: decoded frame counts`);
        assert.deepEqual(frameCounts(want), [75, 131]);
      });
    }
  });
});
