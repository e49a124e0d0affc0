/**
 * Interop, level 4, H.265: the project's RTMP push session publishes the HEVC fixtures to lals and
 * ffprobe plays them back over RTMP and HTTP-FLV.
 *
 * What Debian 12's ffmpeg 5.1 can check here (verified by hand on the fixture files themselves):
 *  - It cannot write HEVC into FLV at all, so ffmpeg cannot be the HEVC publisher.
 *  - hevc-aac-id12.flv (the legacy "codec id 12" convention of lal, SRS and Chinese CDNs): the FLV
 *    demuxer does not know id 12, so the video stream has no codec_name (codec_tag 0x000c) and is not decoded;
 *    but it still demuxes every video tag as a packet (flags from the FLV frame type) and decodes
 *    the AAC. That is what is compared: every packet's DTS, flags and data MD5, and the audio frame
 *    count and codec parameters, against ffprobe of the fixture file.
 *  - hevc-aac-enhanced.flv (Enhanced RTMP, FourCC 'hvc1'): ffmpeg 5.1 predates Enhanced RTMP
 *    (6.1+) and misreads the ex-header tags even from the file ("Truncating packet of size ..."),
 *    so it is not an independent oracle for it; not tested with ffprobe here.
 */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { fixturePath, readFixture } from '../helpers/fixtures.js';
import { push, startLals, waitFor } from '../helpers/lals.js';
import { needTool } from '../helpers/tools.js';
import {
  assertSamePackets,
  codecParams,
  frameCounts,
  probeFile,
  startProbe,
  stream,
} from './lals-helpers.js';

describe('HEVC (codec id 12) through lals, read by ffprobe', { timeout: 30_000 }, () => {
  it('RTMP and HTTP-FLV players get every packet of the fixture; the AAC decodes', async (t) => {
    if (!needTool(t, 'ffprobe')) return;
    const lals = await startLals();
    t.after(() => lals.stop());
    const name = 'hevc12';
    const players = {
      rtmp: startProbe(t, lals.rtmp(name), 20_000),
      http: startProbe(t, lals.http(name), 20_000),
    };
    await waitFor(
      () => (lals.server.groups.get('live', name)?.subCount ?? 0) === 2,
      'ffprobe players waiting',
      10_000,
    );
    const { tags } = readFixture('hevc-aac-id12');
    const pub = await push(lals.rtmp(name), tags);
    await pub.close();
    const want = await probeFile(t, fixturePath('hevc-aac-id12'));
    // The oracle's own view of the file, as described above.
    assert.equal(stream(want, 'video')?.codec_name, undefined);
    assert.equal(stream(want, 'video')?.codec_tag, '0x000c');
    assert.equal(stream(want, 'audio')?.codec_name, 'aac');
    for (const [label, p] of [
      ['RTMP player', players.rtmp],
      ['HTTP-FLV player', players.http],
    ] as const) {
      await t.test(label, async () => {
        const got = await p.result;
        assert.deepEqual(codecParams(stream(got, 'audio')), codecParams(stream(want, 'audio')), label);
        assert.equal(stream(got, 'video')?.codec_tag, '0x000c', `${label}: video stream, FLV codec id 12`);
        assertSamePackets(got, want, label);
        assert.equal(frameCounts(got)[1], frameCounts(want)[1], `${label}: decoded AAC frames`);
      });
    }
  });
});
