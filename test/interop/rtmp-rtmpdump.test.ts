/**
 * Interop, our server side against rtmpdump (librtmp) as a player: the minimal server serves a
 * message list made from an ffmpeg-encoded FLV; rtmpdump writes what it receives to an FLV file.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { RtmpMsgType } from '../../src/protocol/rtmp/index.js';
import { needTool } from '../helpers/tools.js';
import { MiniServer, readFlvTags, runTool, tempDir } from './rtmp-helpers.js';

describe('rtmpdump plays from our server', { timeout: 60_000 }, () => {
  it('receives every audio/video message with its bytes and timestamp', async (t) => {
    if (!needTool(t, 'ffmpeg') || !needTool(t, 'rtmpdump')) return;
    const dir = tempDir(t);
    const src = join(dir, 'in.flv');
    const mk = await runTool(
      t,
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'lavfi',
        '-i',
        'testsrc2=size=160x120:rate=25',
        '-f',
        'lavfi',
        '-i',
        'sine=frequency=440:sample_rate=44100',
        '-t',
        '2',
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        '25',
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-f',
        'flv',
        src,
      ],
      20_000,
    );
    assert.equal(mk.code, 0, mk.stderr);
    const tags = readFlvTags(readFileSync(src));
    const mini = new MiniServer();
    t.after(() => mini.close());
    const port = await mini.listen();
    mini.serve(
      'test',
      tags.map((x) => ({ typeId: x.typeId, timestampMs: x.timestampMs, payload: x.body })),
    );
    // rtmpdump does not write ffmpeg's trailing AVC end-of-sequence tag (0x17 0x02, whose
    // timestamp is below the last audio tag's), so compare everything else.
    const isEndOfSequence = (x: (typeof tags)[number]): boolean =>
      x.typeId === RtmpMsgType.Video && x.body[1] === 2;
    const pick = (list: typeof tags): Array<[number, number, string]> =>
      list
        .filter(
          (x) => (x.typeId === RtmpMsgType.Audio || x.typeId === RtmpMsgType.Video) && !isEndOfSequence(x),
        )
        .map((x) => [x.typeId, x.timestampMs, x.body.toString('base64')]);
    // Plain (simple handshake), then with SWF verification options, which make librtmp use its
    // complex (FP9) handshake and check our S1 digest and S2 signature.
    const modes: Array<[string, string[]]> = [
      ['simple handshake', []],
      ['complex handshake', ['-w', '0'.repeat(64), '-x', '1000']],
    ];
    for (const [mode, extra] of modes) {
      const out = join(dir, `out-${extra.length}.flv`);
      // -v (live): no resume/seek logic; the server ends the stream with NetStream.Play.Stop.
      const r = await runTool(
        t,
        'rtmpdump',
        ['-q', '-v', ...extra, '-r', `rtmp://127.0.0.1:${port}/live/test`, '-o', out],
        20_000,
      );
      // 0 = complete, 2 = "may be incomplete" (librtmp's guess from the metadata duration).
      assert.ok(r.code === 0 || r.code === 2, `${mode}: rtmpdump exit ${r.code}: ${r.stderr}`);
      const got = readFlvTags(readFileSync(out));
      assert.deepEqual(pick(got), pick(tags), mode);
      assert.ok(
        got.some(
          (x) =>
            x.typeId === RtmpMsgType.DataAmf0 && x.body.subarray(3, 13).toString('latin1') === 'onMetaData',
        ),
        `${mode}: onMetaData tag written`,
      );
    }
    assert.deepEqual(mini.played, ['test', 'test']);
    assert.deepEqual(mini.handshakes, ['simple', 'complex']);
  });
});
