/**
 * The test stream: a ~220 kbps H.264 + AAC FLV made from ffmpeg's synthetic sources (testsrc2
 * 640x360 25 fps, 160 kbps video with a 2 s GOP, 48 kbps AAC sine), made once and cached.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, renameSync } from 'node:fs';
import { dirname } from 'node:path';
import { classifyFlvTag, parseFlvFile } from '../../src/format/flv/index.js';

export interface StreamFacts {
  path: string;
  /** One pass of the file, ms (the push tool's loop period, about the duration). */
  durationMs: number;
  /** Audio + video payload bytes per second (FLV tag bodies, what the tools count). */
  payloadBytesPerSec: number;
  /** Audio + video messages per second. */
  messagesPerSec: number;
  videoFramesPerSec: number;
  audioFramesPerSec: number;
  kbps: number;
  /** GOP length, ms. */
  gopMs: number;
}

/** ffmpeg arguments that make the test stream (10 s). */
export function ffmpegArgs(out: string): string[] {
  // biome-ignore format: one option per line reads better
  return [
    '-hide_banner', '-loglevel', 'error', '-y',
    '-f', 'lavfi', '-i', 'testsrc2=size=640x360:rate=25',
    '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=48000',
    '-t', '10', '-map', '0:v', '-map', '1:a',
    '-c:v', 'libx264', '-preset', 'veryfast', '-profile:v', 'main', '-pix_fmt', 'yuv420p',
    '-b:v', '160k', '-maxrate', '160k', '-bufsize', '320k',
    '-g', '50', '-keyint_min', '50', '-sc_threshold', '0',
    '-c:a', 'aac', '-b:a', '48k', '-ar', '48000', '-ac', '2',
    '-f', 'flv', out,
  ];
}

/** Makes the stream at `path` unless it is there, and returns its facts. */
export function ensureTestStream(path: string): StreamFacts {
  if (!existsSync(path)) {
    mkdirSync(dirname(path), { recursive: true });
    const tmp = `${path}.tmp.flv`;
    execFileSync('ffmpeg', ffmpegArgs(tmp), { stdio: 'inherit' });
    renameSync(tmp, path);
  }
  return streamFacts(path);
}

export function streamFacts(path: string): StreamFacts {
  const { tags } = parseFlvFile(readFileSync(path));
  let bytes = 0;
  let msgs = 0;
  let v = 0;
  let a = 0;
  let first = Number.POSITIVE_INFINITY;
  let last = 0;
  const keys: number[] = [];
  for (const t of tags) {
    if (t.type !== 8 && t.type !== 9) continue;
    bytes += t.data.length;
    msgs++;
    const c = classifyFlvTag(t.type, t.data);
    if (c === 'video-frame' || c === 'video-key-frame') {
      v++;
      first = Math.min(first, t.timestampMs);
      last = Math.max(last, t.timestampMs);
    }
    if (c === 'video-key-frame') keys.push(t.timestampMs);
    if (c === 'audio-frame') a++;
  }
  // The push tool's loop period: the video span plus one frame.
  const durationMs = last - first + (v > 1 ? (last - first) / (v - 1) : 40);
  const sec = durationMs / 1000;
  const gopMs =
    keys.length > 1 ? ((keys[keys.length - 1] as number) - (keys[0] as number)) / (keys.length - 1) : 0;
  return {
    path,
    durationMs: Math.round(durationMs),
    payloadBytesPerSec: Math.round(bytes / sec),
    messagesPerSec: Math.round((msgs / sec) * 10) / 10,
    videoFramesPerSec: Math.round((v / sec) * 10) / 10,
    audioFramesPerSec: Math.round((a / sec) * 10) / 10,
    kbps: Math.round((bytes * 8) / 1000 / sec),
    gopMs: Math.round(gopMs),
  };
}
