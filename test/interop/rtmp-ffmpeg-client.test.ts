/**
 * Interop, our client sessions against ffmpeg as an RTMP server (`-listen 1`):
 *  - RtmpPushSession publishes an FLV file's tags to `ffmpeg -listen 1 -i rtmp://... -c copy out.flv`;
 *    ffprobe checks out.flv;
 *  - RtmpPullSession plays from `ffmpeg -re -i in.flv -c copy -f flv -listen 1 rtmp://...`.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import {
  type RtmpMediaMessage,
  RtmpMsgType,
  RtmpPullSession,
  RtmpPushSession,
  stripSetDataFrame,
} from '../../src/protocol/rtmp/index.js';
import { needTool } from '../helpers/tools.js';
import { type FlvTag, freePort, readFlvTags, runTool, sleep, startTool, tempDir } from './rtmp-helpers.js';

/** Makes a 2 s 160x120 H.264 + AAC FLV file with ffmpeg; returns its path. */
async function makeFlv(t: TestContext, dir: string): Promise<string> {
  const file = join(dir, 'in.flv');
  const r = await runTool(
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
      file,
    ],
    20_000,
  );
  assert.equal(r.code, 0, `ffmpeg could not make the test file: ${r.stderr}`);
  return file;
}

/** Retries `attempt` while the tool is not listening yet (connection refused), up to the deadline. */
async function retryConnect<T>(attempt: () => Promise<T>, timeoutMs: number): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await attempt();
    } catch (e) {
      const code = (e as { code?: string }).code;
      if (code !== 'ECONNREFUSED' || Date.now() > deadline) throw e;
      await sleep(50);
    }
  }
}

function av(tags: readonly (FlvTag | RtmpMediaMessage)[]): Array<[number, number, string]> {
  return tags
    .filter((x) => x.typeId === RtmpMsgType.Audio || x.typeId === RtmpMsgType.Video)
    .map((x) => {
      const body = 'body' in x ? x.body : x.payload;
      return [x.typeId, x.timestampMs, Buffer.from(body).toString('base64')];
    });
}

describe('our client sessions against ffmpeg -listen', { timeout: 60_000 }, () => {
  it('RtmpPushSession publishes to ffmpeg, which writes a valid FLV', async (t) => {
    if (!needTool(t, 'ffmpeg') || !needTool(t, 'ffprobe')) return;
    const dir = tempDir(t);
    const tags = readFlvTags(readFileSync(await makeFlv(t, dir)));
    const port = await freePort();
    const out = join(dir, 'out.flv');
    const ff = startTool(
      t,
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-listen',
        '1',
        '-i',
        `rtmp://127.0.0.1:${port}/live/x`,
        '-c',
        'copy',
        '-f',
        'flv',
        out,
      ],
      20_000,
    );
    const push = await retryConnect(async () => {
      const p = new RtmpPushSession({ startTimeoutMs: 5000 });
      await p.start(`rtmp://127.0.0.1:${port}/live/x`);
      return p;
    }, 10_000);
    t.after(() => push.close());
    let paced = 0;
    for (const tag of tags) {
      assert.ok(push.write({ typeId: tag.typeId, timestampMs: tag.timestampMs, payload: tag.body }));
      if (!push.writable) {
        paced++;
        await push.waitDrain();
      }
    }
    await push.close();
    const r = await ff.done;
    assert.equal(r.code, 0, `ffmpeg -listen failed: ${r.stderr}`);
    // ffmpeg -c copy rewrote every audio/video tag with the same bytes and timestamps.
    assert.deepEqual(av(readFlvTags(readFileSync(out))), av(tags), `paced ${paced} times`);
    const probe = await runTool(
      t,
      'ffprobe',
      [
        '-v',
        'error',
        '-count_frames',
        '-show_entries',
        'stream=codec_type,codec_name,width,height,nb_read_frames',
        '-of',
        'json',
        out,
      ],
      15_000,
    );
    assert.equal(probe.code, 0, probe.stderr);
    const streams = (JSON.parse(probe.stdout) as { streams: Array<Record<string, string | number>> }).streams;
    const v = streams.find((s) => s.codec_type === 'video');
    assert.equal(v?.codec_name, 'h264');
    assert.equal(v?.width, 160);
    assert.equal(v?.height, 120);
    assert.equal(Number(v?.nb_read_frames), 50);
    assert.equal(streams.find((s) => s.codec_type === 'audio')?.codec_name, 'aac');
  });

  it('RtmpPullSession plays from ffmpeg -re ... -listen 1', async (t) => {
    if (!needTool(t, 'ffmpeg')) return;
    const dir = tempDir(t);
    const file = await makeFlv(t, dir);
    const tags = readFlvTags(readFileSync(file));
    const port = await freePort();
    const ff = startTool(
      t,
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-i',
        file,
        '-c',
        'copy',
        '-f',
        'flv',
        '-listen',
        '1',
        `rtmp://127.0.0.1:${port}/live/x`,
      ],
      20_000,
    );
    const got: RtmpMediaMessage[] = [];
    const pull = await retryConnect(async () => {
      const p = new RtmpPullSession(
        { onMessage: (m) => got.push({ ...m, payload: Buffer.from(m.payload) }) },
        { startTimeoutMs: 5000 },
      );
      await p.start(`rtmp://127.0.0.1:${port}/live/x`);
      return p;
    }, 10_000);
    t.after(() => pull.close());
    const reason = await pull.done;
    assert.equal(reason.kind, 'peer', `closed by ffmpeg at the end: ${reason.message}`);
    const r = await ff.done;
    assert.equal(r.code, 0, `ffmpeg -listen failed: ${r.stderr}`);
    assert.deepEqual(av(got), av(tags));
    const meta = got.find((m) => m.typeId === RtmpMsgType.DataAmf0);
    assert.ok(meta, 'metadata received');
    assert.equal(
      Buffer.from(stripSetDataFrame(meta.payload)).subarray(3, 13).toString('latin1'),
      'onMetaData',
    );
  });
});
