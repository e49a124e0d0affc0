/**
 * Helpers for the lals interop tests (not a test file): ffprobe's view of a stream (streams and
 * packets with a hash of each packet's data), the checks the tests make on it, an ffmpeg test-pattern
 * publisher that also keeps a reference copy of what it published, and a paced, looping fixture
 * publisher built on the project's RTMP push session.
 */
import assert from 'node:assert/strict';
import type { TestContext } from 'node:test';
import type { FlvTag } from '../../src/format/flv/index.js';
import { classifyFlvTag } from '../../src/format/flv/index.js';
import { RtmpPushSession } from '../../src/protocol/rtmp/index.js';
import { type RunningTool, runTool, startTool } from './rtmp-helpers.js';

export interface ProbeStream {
  index: number;
  codec_type: string;
  /** Absent when libavcodec does not know the codec (FLV video codec id 12: HEVC). */
  codec_name?: string;
  /** The FLV codec id, e.g. `0x000c` for codec id 12. */
  codec_tag?: string;
  profile?: string;
  width?: number;
  height?: number;
  pix_fmt?: string;
  sample_rate?: string;
  channels?: number;
  extradata_hash?: string;
  nb_read_frames?: string;
}

export interface ProbePacket {
  codec_type: string;
  stream_index: number;
  pts?: number;
  dts?: number;
  size: string;
  flags: string;
  data_hash?: string;
}

export interface Probe {
  streams: ProbeStream[];
  packets: ProbePacket[];
}

/** The ffprobe arguments of every probe here: streams, packets (with an MD5 of their data), frame counts. */
export function ffprobeArgs(input: string): string[] {
  return [
    '-v',
    'error',
    '-show_streams',
    '-show_packets',
    '-count_frames',
    '-show_data_hash',
    'MD5',
    '-of',
    'json',
    input,
  ];
}

export function parseProbe(stdout: string, what: string): Probe {
  let p: Partial<Probe>;
  try {
    p = JSON.parse(stdout) as Partial<Probe>;
  } catch (e) {
    throw new Error(`${what}: ffprobe printed no JSON (${String(e)}): ${stdout.slice(0, 200)}`);
  }
  return { streams: p.streams ?? [], packets: p.packets ?? [] };
}

/** Starts ffprobe on `input` (a URL: it plays until the stream ends); `result` parses its JSON. */
export function startProbe(
  t: TestContext,
  input: string,
  timeoutMs: number,
): RunningTool & { result: Promise<Probe> } {
  const r = startTool(t, 'ffprobe', ffprobeArgs(input), timeoutMs);
  const result = r.done.then((d) => {
    assert.equal(d.code, 0, `ffprobe ${input}: exit ${d.code} ${d.signal ?? ''}: ${d.stderr}`);
    return parseProbe(d.stdout, input);
  });
  result.catch(() => {});
  return { ...r, result };
}

/** ffprobe of a file, to completion. */
export async function probeFile(t: TestContext, file: string): Promise<Probe> {
  const d = await runTool(t, 'ffprobe', ffprobeArgs(file), 20_000);
  assert.equal(d.code, 0, `ffprobe ${file}: ${d.stderr}`);
  return parseProbe(d.stdout, file);
}

export function stream(p: Probe, type: 'audio' | 'video'): ProbeStream | undefined {
  return p.streams.find((s) => s.codec_type === type);
}

/** One stream's packets, as comparable rows. */
export function packets(p: Probe, type: 'audio' | 'video'): Array<[number | undefined, string, string]> {
  return p.packets
    .filter((k) => k.codec_type === type)
    .map((k) => [k.dts, k.flags, k.data_hash ?? `size ${k.size}`]);
}

/** Codec parameters only (what a player learns from the stream; not counts or stream order). */
export function codecParams(s: ProbeStream | undefined): Partial<ProbeStream> | undefined {
  if (s === undefined) return undefined;
  const { codec_name, profile, width, height, pix_fmt, sample_rate, channels, extradata_hash } = s;
  return { codec_name, profile, width, height, pix_fmt, sample_rate, channels, extradata_hash };
}

/**
 * What every player of the H.264+AAC test pattern must see: 320x240 H.264, AAC at 44.1 or 48 kHz
 * with 1 or 2 channels (codec parameters equal to the published reference), a key frame first, and
 * strictly increasing DTS in each stream.
 */
export function assertPlayable(got: Probe, ref: Probe, label: string): void {
  const v = stream(got, 'video');
  const a = stream(got, 'audio');
  assert.equal(v?.codec_name, 'h264', `${label}: video codec`);
  assert.equal(v?.width, 320, `${label}: width`);
  assert.equal(v?.height, 240, `${label}: height`);
  assert.equal(a?.codec_name, 'aac', `${label}: audio codec`);
  assert.ok(['44100', '48000'].includes(a?.sample_rate ?? ''), `${label}: sample rate ${a?.sample_rate}`);
  assert.ok(a?.channels === 1 || a?.channels === 2, `${label}: channels ${a?.channels}`);
  assert.deepEqual(codecParams(v), codecParams(stream(ref, 'video')), `${label}: video codec parameters`);
  assert.deepEqual(codecParams(a), codecParams(stream(ref, 'audio')), `${label}: audio codec parameters`);
  const video = packets(got, 'video');
  assert.ok(video.length > 0, `${label}: no video packets`);
  assert.match(video[0]?.[1] ?? '', /^K/, `${label}: the first video packet is a key frame`);
  for (const type of ['audio', 'video'] as const) {
    const dts = packets(got, type).map((k) => k[0] ?? Number.NaN);
    for (let i = 1; i < dts.length; i++) {
      assert.ok(
        (dts[i] as number) > (dts[i - 1] as number),
        `${label}: ${type} DTS not increasing at packet ${i}: ${dts[i - 1]} then ${dts[i]}`,
      );
    }
  }
}

/**
 * The player's packets of each stream are the reference's from some point on (a late player starts
 * on a cached key frame), to the end: same DTS, flags and data. Returns how many video packets the
 * player missed at the start.
 */
export function assertSuffixOf(got: Probe, ref: Probe, label: string): number {
  let skippedVideo = 0;
  for (const type of ['video', 'audio'] as const) {
    const g = packets(got, type);
    const r = packets(ref, type);
    const first = g[0];
    assert.ok(first !== undefined, `${label}: no ${type} packets`);
    const at = r.findIndex((k) => k[0] === first[0] && k[2] === first[2]);
    assert.ok(at >= 0, `${label}: the first ${type} packet (dts ${first[0]}) is not in the reference`);
    if (type === 'video') skippedVideo = at;
    sameRows(g, r.slice(at), `${label}: ${type} packets from #${at}`);
  }
  return skippedVideo;
}

type Row = ReturnType<typeof packets>[number];

/** `got` equals `want`; when it is a strict prefix, says how many packets at the end never arrived. */
function sameRows(got: Row[], want: Row[], what: string): void {
  if (got.length < want.length) {
    const lost = want.slice(got.length);
    assert.deepEqual(got, want.slice(0, got.length), `${what} differ from the published ones`);
    assert.fail(
      `${what}: the last ${lost.length} of ${want.length} never arrived (DTS ${lost.map((k) => k[0]).join(', ')})`,
    );
  }
  assert.deepEqual(got, want, `${what} differ from the published ones`);
}

/** Each stream's packets equal the reference's (DTS, flags, data MD5). */
export function assertSamePackets(got: Probe, ref: Probe, label: string): void {
  for (const type of ['video', 'audio'] as const) {
    sameRows(packets(got, type), packets(ref, type), `${label}: ${type} packets`);
  }
}

/** Decoded frame counts (ffprobe -count_frames) of a probe, video then audio. */
export function frameCounts(p: Probe): [number, number] {
  return [Number(stream(p, 'video')?.nb_read_frames), Number(stream(p, 'audio')?.nb_read_frames)];
}

/**
 * ffmpeg publishes a 3 s test pattern in real time (-re): 320x240 H.264 at 25 fps, a key frame
 * every 25 frames, `bframes` B-frames, and a sine tone in AAC; the tee muxer writes the very same
 * FLV packets to `refFile` as the reference of what was published.
 */
export function startFfmpegPublisher(
  t: TestContext,
  url: string,
  refFile: string,
  bframes: number,
): RunningTool {
  return startTool(
    t,
    'ffmpeg',
    [
      '-hide_banner',
      '-nostdin',
      '-loglevel',
      'error',
      '-re',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=320x240:rate=25',
      '-f',
      'lavfi',
      '-i',
      'sine',
      '-t',
      '3',
      '-map',
      '0:v',
      '-map',
      '1:a',
      '-c:v',
      'libx264',
      '-preset',
      'veryfast',
      '-pix_fmt',
      'yuv420p',
      '-g',
      '25',
      '-bf',
      String(bframes),
      '-c:a',
      'aac',
      '-f',
      'tee',
      `[f=flv]${url}|[f=flv]${refFile}`,
    ],
    30_000,
  );
}

/** Audio/video frames of a fixture (no metadata, sequence headers or end-of-sequence tags). */
export function mediaFrames(tags: FlvTag[]): FlvTag[] {
  return tags.filter((x) => {
    const k = classifyFlvTag(x.type, x.data);
    return k === 'video-key-frame' || k === 'video-frame' || k === 'audio-frame';
  });
}

export interface LoopingPublisher {
  /** Messages written so far. */
  readonly written: () => number;
  stop(): Promise<void>;
}

/**
 * Publishes a fixture over RTMP in real time, looped: its headers (metadata, sequence headers)
 * once, then its audio/video frames again and again with timestamps shifted by the fixture's
 * length, each written when the wall clock reaches its timestamp (checked every 10 ms).
 */
export async function startLoopingPublisher(url: string, tags: FlvTag[]): Promise<LoopingPublisher> {
  const headers = tags.filter((x) => {
    const k = classifyFlvTag(x.type, x.data);
    return k === 'metadata' || k === 'video-sequence-header' || k === 'audio-sequence-header';
  });
  const frames = mediaFrames(tags);
  const span = Math.max(...frames.map((x) => x.timestampMs)) + 40;
  const s = new RtmpPushSession();
  await s.start(url);
  for (const h of headers) s.write({ typeId: h.type, timestampMs: h.timestampMs, payload: h.data });
  const t0 = Date.now();
  let i = 0;
  let written = headers.length;
  const timer = setInterval(() => {
    const now = Date.now() - t0;
    for (;;) {
      const f = frames[i % frames.length] as FlvTag;
      const ts = f.timestampMs + Math.floor(i / frames.length) * span;
      if (ts > now) break;
      s.write({ typeId: f.type, timestampMs: ts, payload: f.data });
      written++;
      i++;
    }
  }, 10);
  return {
    written: () => written,
    stop: async () => {
      clearInterval(timer);
      await s.close();
    },
  };
}
