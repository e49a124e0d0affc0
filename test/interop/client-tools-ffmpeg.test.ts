/**
 * Interop of the client tools with ffmpeg as an independent server:
 *  - flvfile2rtmppush -> `ffmpeg -f flv -listen 1 -i rtmp://... -c copy out.flv`: the recorded audio
 *    and video tags equal the input's (type, timestamp, payload);
 *  - `ffmpeg -re -i avc-aac.flv -c copy -f flv -listen 1 rtmp://...` -> rtmppull -o: the same tags,
 *    ffprobe counts every frame;
 *  - `ffmpeg ... -listen 1 http://.../x.flv` -> httpflvpull -o: ffprobe counts every frame.
 * `ffmpeg -listen` takes one connection and cannot be probed: the tools start after a short grace
 * (the pusher with --reconnect, so that a connect that comes too early is retried).
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath } from '../helpers/fixtures.js';
import { needTool } from '../helpers/tools.js';
import { headerFlags, jsonSummary, probeFrames, readFlvTags, rows, runCli } from './client-tools-helpers.js';
import { freePort, sleep, startTool, tempDir } from './rtmp-helpers.js';

const media = (file: string): ReturnType<typeof readFlvTags> =>
  readFlvTags(readFileSync(file)).filter((t) => t.typeId === 8 || t.typeId === 9);

describe('client tools against ffmpeg as the server', { concurrency: true, timeout: 60_000 }, () => {
  it('flvfile2rtmppush -> ffmpeg -listen: the recorded tags equal the input', async (t) => {
    if (!needTool(t, 'ffmpeg')) return;
    const dir = tempDir(t);
    const port = await freePort();
    const out = join(dir, 'ffmpeg-recorded.flv');
    const ff = startTool(
      t,
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-f',
        'flv',
        '-listen',
        '1',
        '-i',
        `rtmp://127.0.0.1:${port}/live/x`,
        '-c',
        'copy',
        '-y',
        out,
      ],
      30_000,
    );
    await sleep(500);
    const push = await runCli(
      t,
      'flvfile2rtmppush',
      [
        '-i',
        fixturePath('avc-aac'),
        '-o',
        `rtmp://127.0.0.1:${port}/live/x`,
        '--reconnect',
        '--json',
        '--interval',
        '0',
      ],
      20_000,
    );
    assert.equal(push.code, 0, push.stderr);
    const s = jsonSummary(push);
    assert.equal(s.videoFrames, 75);
    assert.equal(s.audioFrames, 131);
    await ff.done;
    assert.deepEqual(rows(media(out)), rows(media(fixturePath('avc-aac'))));
  });

  it('ffmpeg -re -listen -> rtmppull -o: the same tags, ffprobe counts every frame', async (t) => {
    if (!needTool(t, 'ffmpeg') || !needTool(t, 'ffprobe')) return;
    const dir = tempDir(t);
    const port = await freePort();
    const out = join(dir, 'rtmppull.flv');
    startTool(
      t,
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-i',
        fixturePath('avc-aac'),
        '-c',
        'copy',
        '-f',
        'flv',
        '-listen',
        '1',
        `rtmp://127.0.0.1:${port}/live/x`,
      ],
      30_000,
    );
    await sleep(500);
    const pull = await runCli(
      t,
      'rtmppull',
      ['-i', `rtmp://127.0.0.1:${port}/live/x`, '-o', out, '--json', '--interval', '0'],
      20_000,
    );
    assert.equal(pull.code, 0, pull.stderr);
    const s = jsonSummary(pull);
    assert.equal(s.ended, 1, 'ffmpeg closes the connection at the end of the file');
    assert.equal(s.videoFrames, 75);
    assert.equal(s.audioFrames, 131);
    const file = readFileSync(out);
    assert.deepEqual(headerFlags(file), { audio: true, video: true });
    assert.deepEqual(rows(media(out)), rows(media(fixturePath('avc-aac'))));
    assert.deepEqual(probeFrames(out), { video: 75, audio: 131 });
  });

  it('ffmpeg -listen http://.../x.flv -> httpflvpull -o: ffprobe counts every frame', async (t) => {
    if (!needTool(t, 'ffmpeg') || !needTool(t, 'ffprobe')) return;
    const dir = tempDir(t);
    const port = await freePort();
    const out = join(dir, 'httpflvpull.flv');
    startTool(
      t,
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-i',
        fixturePath('avc-aac'),
        '-c',
        'copy',
        '-f',
        'flv',
        '-listen',
        '1',
        `http://127.0.0.1:${port}/live/x.flv`,
      ],
      30_000,
    );
    await sleep(500);
    const pull = await runCli(
      t,
      'httpflvpull',
      ['-i', `http://127.0.0.1:${port}/live/x.flv`, '-o', out, '--json', '--interval', '0'],
      20_000,
    );
    assert.equal(pull.code, 0, pull.stderr);
    const s = jsonSummary(pull);
    assert.equal(s.ended, 1);
    assert.equal(s.videoFrames, 75);
    assert.equal(s.audioFrames, 131);
    assert.deepEqual(rows(media(out)), rows(media(fixturePath('avc-aac'))));
    assert.deepEqual(probeFrames(out), { video: 75, audio: 131 });
  });
});
