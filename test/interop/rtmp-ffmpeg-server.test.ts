/**
 * Interop, our server side against ffmpeg/ffprobe as clients:
 *  - ffmpeg publishes a synthetic H.264 + AAC stream to a minimal server built from the library,
 *    which records every message;
 *  - ffprobe and ffmpeg play the recording back from that server: frame counts, codec parameters,
 *    monotonic timestamps.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { dataMessageName, hasSetDataFrame, RtmpMsgType } from '../../src/protocol/rtmp/index.js';
import { needTool } from '../helpers/tools.js';
import {
  isAacSequenceHeader,
  isAvcSequenceHeader,
  MiniServer,
  type Recorded,
  readFlvTags,
  runTool,
  startTool,
  tempDir,
} from './rtmp-helpers.js';

const FPS = 25;
const SECONDS = 2;
const SAMPLE_RATE = 44100;

interface ProbeStream {
  codec_type: string;
  codec_name: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  nb_read_frames?: string;
}

interface ProbePacket {
  stream_index: number;
  dts_time?: string;
  pts_time?: string;
}

function monotonic(values: number[]): boolean {
  for (let i = 1; i < values.length; i++) if ((values[i] as number) < (values[i - 1] as number)) return false;
  return true;
}

describe('ffmpeg publishes to our server, ffprobe/ffmpeg play from it', { timeout: 60_000 }, () => {
  it('records what ffmpeg publishes and serves it back', async (t) => {
    if (!needTool(t, 'ffmpeg') || !needTool(t, 'ffprobe')) return;
    const dir = tempDir(t);
    const mini = new MiniServer();
    t.after(() => mini.close());
    const port = await mini.listen();
    const url = `rtmp://127.0.0.1:${port}/live/test`;

    // 1. ffmpeg publishes 2 s of 320x240 H.264 + 44.1 kHz AAC.
    const stopped = mini.nextPublishStop();
    const pub = await runTool(
      t,
      'ffmpeg',
      [
        '-hide_banner',
        '-loglevel',
        'error',
        '-re',
        '-f',
        'lavfi',
        '-i',
        `testsrc2=size=320x240:rate=${FPS}`,
        '-f',
        'lavfi',
        '-i',
        `sine=frequency=440:sample_rate=${SAMPLE_RATE}`,
        '-t',
        String(SECONDS),
        '-c:v',
        'libx264',
        '-preset',
        'ultrafast',
        '-g',
        String(FPS),
        '-pix_fmt',
        'yuv420p',
        '-c:a',
        'aac',
        '-f',
        'flv',
        url,
      ],
      20_000,
    );
    assert.equal(pub.code, 0, `ffmpeg publish failed: ${pub.stderr}`);
    await stopped;
    assert.deepEqual(mini.published, ['test']);
    assert.deepEqual(mini.stopped, ['test']);
    assert.deepEqual(mini.handshakes, ['complex'], 'ffmpeg sends a complex C1');
    const rec = mini.recorded.get('test') ?? [];
    const data = rec.filter((m) => m.typeId === RtmpMsgType.DataAmf0);
    const video = rec.filter((m) => m.typeId === RtmpMsgType.Video);
    const audio = rec.filter((m) => m.typeId === RtmpMsgType.Audio);
    assert.equal(data.length, 1, 'one metadata message');
    const meta = data[0] as Recorded;
    assert.ok(hasSetDataFrame(meta.payload), 'ffmpeg sends @setDataFrame');
    assert.ok(
      isAvcSequenceHeader((video[0] as Recorded).payload),
      'first video message: AVC sequence header',
    );
    assert.ok(
      isAacSequenceHeader((audio[0] as Recorded).payload),
      'first audio message: AAC sequence header',
    );
    // AVC packet type 1 = coded frames (ffmpeg also sends an end-of-sequence tag, type 2, at the end).
    const videoFrames = video.filter((m) => m.payload[1] === 1).length;
    const audioFrames = audio.length - 1;
    assert.equal(videoFrames, FPS * SECONDS);
    // 2 s of AAC at 1024 samples per frame (ffmpeg may add or drop a frame at the ends).
    assert.ok(Math.abs(audioFrames - (SAMPLE_RATE * SECONDS) / 1024) <= 2, `audio frames ${audioFrames}`);
    assert.ok(monotonic(video.map((m) => m.timestampMs)), 'video timestamps monotonic');
    assert.ok(monotonic(audio.map((m) => m.timestampMs)), 'audio timestamps monotonic');

    // 2. ffprobe plays it back: codecs, sizes, frame counts, monotonic timestamps.
    mini.serve('test', rec);
    const probe = await runTool(
      t,
      'ffprobe',
      [
        '-v',
        'error',
        '-count_frames',
        '-show_entries',
        'stream=codec_type,codec_name,width,height,sample_rate,nb_read_frames:packet=stream_index,dts_time',
        '-of',
        'json',
        url,
      ],
      20_000,
    );
    assert.equal(probe.code, 0, `ffprobe failed: ${probe.stderr}`);
    const parsed = JSON.parse(probe.stdout) as { streams: ProbeStream[]; packets: ProbePacket[] };
    const vs = parsed.streams.find((s) => s.codec_type === 'video');
    const as = parsed.streams.find((s) => s.codec_type === 'audio');
    assert.ok(vs && as, `two streams in ${probe.stdout.slice(0, 300)}`);
    assert.equal(vs.codec_name, 'h264');
    assert.equal(vs.width, 320);
    assert.equal(vs.height, 240);
    assert.equal(Number(vs.nb_read_frames), videoFrames);
    assert.equal(as.codec_name, 'aac');
    assert.equal(as.sample_rate, String(SAMPLE_RATE));
    assert.equal(Number(as.nb_read_frames), audioFrames);
    const vIndex = parsed.streams.indexOf(vs);
    const aIndex = parsed.streams.indexOf(as);
    for (const idx of [vIndex, aIndex]) {
      const dts = parsed.packets.filter((p) => p.stream_index === idx).map((p) => Number(p.dts_time));
      assert.ok(dts.length > 0 && monotonic(dts), `stream ${idx} dts monotonic`);
    }

    // 3. ffmpeg plays it and copies to FLV: every tag arrives with its payload and timestamp.
    const out = join(dir, 'played.flv');
    const play = await runTool(
      t,
      'ffmpeg',
      ['-hide_banner', '-loglevel', 'error', '-i', url, '-c', 'copy', '-f', 'flv', out],
      20_000,
    );
    assert.equal(play.code, 0, `ffmpeg play failed: ${play.stderr}`);
    const tags = readFlvTags(readFileSync(out));
    const outVideo = tags.filter((x) => x.typeId === RtmpMsgType.Video);
    const outAudio = tags.filter((x) => x.typeId === RtmpMsgType.Audio);
    assert.equal(outVideo.length, video.length, 'video tags (sequence header included)');
    assert.equal(outAudio.length, audio.length, 'audio tags (sequence header included)');
    // ffmpeg -c copy keeps the frame bytes: compare the coded frames (not the headers it rebuilds).
    for (let i = 1; i < video.length; i++) {
      assert.ok(
        Buffer.compare((outVideo[i] as { body: Buffer }).body, (video[i] as Recorded).payload) === 0,
        `video frame ${i} bytes`,
      );
    }
    assert.equal(dataMessageName(stripMetaName(tags)), 'onMetaData');
  });

  it("a player of an unknown stream is refused with the observer's reason", async (t) => {
    if (!needTool(t, 'ffprobe')) return;
    const mini = new MiniServer();
    t.after(() => mini.close());
    const port = await mini.listen();
    const r = await startTool(t, 'ffprobe', ['-v', 'error', `rtmp://127.0.0.1:${port}/live/nothing`], 15_000)
      .done;
    assert.notEqual(r.code, 0);
    // ffmpeg prints the status description the server sent with NetStream.Play.StreamNotFound.
    assert.match(r.stderr, /no stream 'nothing'/);
  });
});

function stripMetaName(tags: ReturnType<typeof readFlvTags>): Uint8Array {
  return tags.find((x) => x.typeId === RtmpMsgType.DataAmf0)?.body ?? new Uint8Array(0);
}
