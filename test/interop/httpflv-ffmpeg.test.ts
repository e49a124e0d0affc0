// Interop: ffprobe and ffmpeg (independent HTTP and FLV implementations) read what HttpFlvServer
// serves, and see the same streams, frame counts, codec parameters and decoded pictures as in the
// fixture file itself.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { after, before, describe, it } from 'node:test';
import { FlvTagType, parseAudioTagBody, parseVideoTagBody } from '../../src/format/flv/index.js';
import { FixtureObserver, loadFixture } from '../../src/protocol/httpflv/helpers.test-util.js';
import { HttpFlvServer } from '../../src/protocol/httpflv/index.js';
import { needTool } from '../helpers/tools.js';

const TOOL_TIMEOUT_MS = 20_000;
const T = { timeout: 30_000 };

/**
 * Runs a tool asynchronously (the server under test lives in this process, so a synchronous spawn
 * would deadlock it), with a time limit; the child is killed by its PID when the limit passes or the
 * test ends early.
 */
function run(cmd: string, args: string[]): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    const out: Buffer[] = [];
    const err: Buffer[] = [];
    child.stdout.on('data', (b: Buffer) => out.push(b));
    child.stderr.on('data', (b: Buffer) => err.push(b));
    const timer = setTimeout(() => {
      if (child.pid !== undefined && child.exitCode === null) process.kill(child.pid, 'SIGKILL');
    }, TOOL_TIMEOUT_MS);
    child.on('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({
        code,
        stdout: Buffer.concat(out).toString('utf8'),
        stderr: Buffer.concat(err).toString('utf8'),
      });
    });
  });
}

interface ProbeStream {
  codec_name: string;
  codec_type: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
}

async function probe(input: string): Promise<ProbeStream[]> {
  const r = await run('ffprobe', [
    '-v',
    'error',
    '-count_frames',
    '-show_entries',
    'stream=codec_name,codec_type,profile,width,height,pix_fmt,sample_rate,channels,nb_read_frames',
    '-of',
    'json',
    input,
  ]);
  assert.equal(r.code, 0, `ffprobe ${input}: ${r.stderr}`);
  return (JSON.parse(r.stdout) as { streams: ProbeStream[] }).streams.sort((a, b) =>
    a.codec_type.localeCompare(b.codec_type),
  );
}

/** Per-frame MD5 of every decoded video picture and audio frame (ffmpeg framemd5), timestamps left out. */
async function frameHashes(input: string): Promise<string[]> {
  const r = await run('ffmpeg', ['-v', 'error', '-nostdin', '-i', input, '-f', 'framemd5', '-']);
  assert.equal(r.code, 0, `ffmpeg ${input}: ${r.stderr}`);
  return r.stdout
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const f = l.split(',').map((x) => x.trim());
      return `${f[0]}:${f[f.length - 1]}`;
    });
}

describe('HTTP-FLV interop with ffprobe and ffmpeg', () => {
  const fx = loadFixture('avc-aac');
  const observer = new FixtureObserver(fx.header, fx.packed);
  const server = new HttpFlvServer(observer);
  let base = '';
  before(async () => {
    const { port } = await server.listen(0, '127.0.0.1');
    base = `http://127.0.0.1:${port}`;
  });
  after(async () => {
    observer.stop();
    await server.close();
  });

  const fixtureFile = `${process.cwd()}/testdata/avc-aac.flv`;
  // Coded frames only: not sequence headers, not the end-of-sequence tag.
  const videoFrames = fx.tags.filter(
    (t) => t.type === FlvTagType.Video && parseVideoTagBody(t.data).kind === 'frame',
  ).length;
  const audioFrames = fx.tags.filter(
    (t) => t.type === FlvTagType.Audio && parseAudioTagBody(t.data).kind === 'frame',
  ).length;

  it(
    "ffprobe -count_frames reads the served stream with the fixture's frame counts and codec parameters",
    T,
    async (t) => {
      if (!needTool(t, 'ffprobe')) return;
      const served = await probe(`${base}/live/test.flv`);
      const file = await probe(fixtureFile);
      assert.deepEqual(served, file);
      const audio = served.find((s) => s.codec_type === 'audio');
      const video = served.find((s) => s.codec_type === 'video');
      assert.equal(video?.codec_name, 'h264');
      assert.equal(audio?.codec_name, 'aac');
      assert.equal(Number(video?.nb_read_frames), videoFrames);
      assert.equal(Number(audio?.nb_read_frames), audioFrames);
    },
  );

  it('ffmpeg decodes the served stream to the same pictures and audio frames as the file', T, async (t) => {
    if (!needTool(t, 'ffmpeg')) return;
    const served = await frameHashes(`${base}/live/test.flv`);
    const file = await frameHashes(fixtureFile);
    assert.equal(served.length, videoFrames + audioFrames);
    assert.deepEqual(served, file);
  });

  it('ffprobe reports the status of a rejected request', T, async (t) => {
    if (!needTool(t, 'ffprobe')) return;
    const r = await run('ffprobe', ['-v', 'error', `${base}/live/nope.flv`]);
    assert.notEqual(r.code, 0);
    assert.match(r.stderr, /404 Not Found/);
  });
});
