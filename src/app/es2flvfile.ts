#!/usr/bin/env node
import { readFile } from 'node:fs/promises';
import { extname } from 'node:path';
import { splitAdts } from '../codec/aac/index.js';
import { splitAnnexB } from '../codec/nal/index.js';
import { AccessUnitAssembler, type EsInput, muxEsToFlv, type VideoAccessUnit } from '../remux/es-to-flv.js';
import { CliError, type CliSpec, parseCli, requireString, runMain } from './cli.js';
import { FlvFileWriter } from './flv-file.js';

const spec: CliSpec = {
  name: 'es2flvfile',
  summary: 'mux H.264/H.265 Annex B and AAC ADTS elementary streams into an FLV file',
  usage: 'es2flvfile -v video.h265 [-a audio.aac] -r 25 [--hevc id12|enhanced] -o out.flv',
  options: {
    video: {
      short: 'v',
      type: 'string',
      arg: 'file',
      help: 'Annex B H.264 (.h264/.264) or H.265 (.h265/.265/.hevc)',
    },
    audio: { short: 'a', type: 'string', arg: 'file', help: 'AAC in ADTS (.aac)' },
    codec: { type: 'string', arg: 'avc|hevc', help: 'video codec, when the extension does not tell' },
    rate: {
      short: 'r',
      type: 'string',
      arg: 'fps',
      help: 'video frame rate (DTS of frame i is i/fps; PTS from the picture order count)',
    },
    hevc: {
      type: 'string',
      arg: 'id12|enhanced',
      help: 'HEVC signalling: codec id 12 or enhanced RTMP hvc1',
      default: 'id12',
    },
    output: { short: 'o', type: 'string', arg: 'file.flv', help: 'output FLV file' },
    quiet: { short: 'q', type: 'boolean', help: 'print nothing on success' },
  },
  epilog:
    'Inputs are read whole into memory. Presentation times (B-frame reordering) come from the picture ' +
    'order count of each frame; when it cannot be read, frames are taken in decoding order (a warning says why).',
};

function videoCodec(path: string, flag: string | undefined): 'avc' | 'hevc' {
  if (flag === 'avc' || flag === 'h264') return 'avc';
  if (flag === 'hevc' || flag === 'h265') return 'hevc';
  if (flag !== undefined) throw new CliError(`${spec.name}: --codec must be avc or hevc, got ${flag}`, 2);
  const ext = extname(path).toLowerCase();
  if (['.h264', '.264', '.avc', '.26l', '.jsv'].includes(ext)) return 'avc';
  if (['.h265', '.265', '.hevc'].includes(ext)) return 'hevc';
  throw new CliError(
    `${spec.name}: cannot tell the codec of ${path} from its extension: pass --codec avc|hevc`,
    2,
  );
}

function* accessUnits(codec: 'avc' | 'hevc', data: Uint8Array): Generator<VideoAccessUnit> {
  const asm = new AccessUnitAssembler(codec);
  for (const nal of splitAnnexB(data)) {
    const au = asm.push(nal);
    if (au) yield au;
  }
  const last = asm.flush();
  if (last) yield last;
}

runMain(spec.name, async () => {
  const values = parseCli(spec);
  const output = requireString(spec, values, 'output');
  const videoPath = typeof values.video === 'string' ? values.video : undefined;
  const audioPath = typeof values.audio === 'string' ? values.audio : undefined;
  if (!videoPath && !audioPath) throw new CliError(`${spec.name}: give -v and/or -a (see --help)`, 2);
  const hevc = values.hevc;
  if (hevc !== 'id12' && hevc !== 'enhanced') {
    throw new CliError(`${spec.name}: --hevc must be id12 or enhanced, got ${String(hevc)}`, 2);
  }
  const input: EsInput = {};
  let frameRate: number | undefined;
  if (videoPath) {
    const codec = videoCodec(videoPath, typeof values.codec === 'string' ? values.codec : undefined);
    frameRate = Number(values.rate);
    if (values.rate === undefined || !(frameRate > 0 && frameRate <= 1000)) {
      throw new CliError(`${spec.name}: -r/--rate <fps> in (0, 1000] is required with video`, 2);
    }
    const data = await readFile(videoPath);
    input.video = { codec, units: accessUnits(codec, data) };
  }
  if (audioPath) {
    const data = await readFile(audioPath);
    const split = splitAdts(data, { resync: true });
    if (split.frames.length === 0) throw new CliError(`${spec.name}: ${audioPath}: no ADTS frames found`);
    input.audio = split.frames;
  }
  const { hasAudio, hasVideo, tags, stats } = muxEsToFlv(input, {
    ...(frameRate !== undefined ? { frameRate } : {}),
    hevcSignalling: hevc,
  });
  if (hasVideo && stats.videoFrames === 0)
    throw new CliError(`${spec.name}: ${videoPath}: no video frames found`);
  const w = new FlvFileWriter(output);
  await w.header({ hasAudio, hasVideo });
  for (const t of tags) await w.tag(t);
  await w.close();
  if (stats.presentationFallback !== undefined && hasVideo) {
    console.error(`${spec.name}: warning: composition times are 0: ${stats.presentationFallback}`);
  }
  if (!values.quiet) {
    console.log(
      `${spec.name}: ${output}: ${stats.videoFrames} video frames (${stats.keyFrames} key` +
        `${stats.width ? `, ${stats.width}x${stats.height}` : ''}), ${stats.audioFrames} audio frames` +
        `${stats.sampleRate ? ` (${stats.sampleRate} Hz, ${stats.channels} ch)` : ''}, ` +
        `${stats.reorderDelayFrames ? `reorder delay ${stats.reorderDelayFrames} frames, ` : ''}` +
        `${(stats.durationMs / 1000).toFixed(3)} s, ${w.bytes} bytes`,
    );
  }
});
