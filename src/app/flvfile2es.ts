#!/usr/bin/env node
import { FlvToEs } from '../remux/flv-to-es.js';
import { CliError, type CliSpec, parseCli, requireString, runMain } from './cli.js';
import { ByteFileWriter, readFlvFile } from './flv-file.js';

const spec: CliSpec = {
  name: 'flvfile2es',
  summary: 'split an FLV file into elementary streams: H.264/H.265 Annex B and AAC ADTS (or MP3)',
  usage: 'flvfile2es -i in.flv -o out   (writes out.h264 or out.h265, and out.aac or out.mp3)',
  options: {
    input: {
      short: 'i',
      type: 'string',
      arg: 'file.flv',
      help: 'input FLV file (legacy or enhanced RTMP HEVC)',
    },
    output: { short: 'o', type: 'string', arg: 'prefix', help: 'output path prefix; the extension is added' },
    quiet: { short: 'q', type: 'boolean', help: 'print nothing on success' },
  },
  epilog: 'Parameter sets from the sequence header are repeated before every key frame that lacks them.',
};

runMain(spec.name, async () => {
  const values = parseCli(spec);
  const input = requireString(spec, values, 'input');
  const prefix = requireString(spec, values, 'output');
  const outputs = new Map<string, ByteFileWriter>();
  const out = (ext: string): ByteFileWriter => {
    let w = outputs.get(ext);
    if (!w) {
      w = new ByteFileWriter(`${prefix}.${ext}`);
      outputs.set(ext, w);
    }
    return w;
  };
  const pending: Array<{ ext: string; bytes: Uint8Array }> = [];
  const conv = new FlvToEs({
    onVideo: (u) => pending.push({ ext: u.codec === 'avc' ? 'h264' : 'h265', bytes: u.annexB }),
    onAudio: (f) => pending.push({ ext: f.codec, bytes: f.frame }),
  });
  let sawHeader = false;
  try {
    for await (const item of readFlvFile(input)) {
      if (item.kind === 'header') {
        sawHeader = true;
        continue;
      }
      conv.feedTag(item.tag);
      for (const p of pending) await out(p.ext).write(p.bytes);
      pending.length = 0;
    }
  } finally {
    for (const w of outputs.values()) await w.close();
  }
  if (!sawHeader) throw new CliError(`${spec.name}: ${input}: empty file, not an FLV`);
  const s = conv.stats;
  if (outputs.size === 0) {
    throw new CliError(`${spec.name}: ${input}: no H.264/H.265/AAC/MP3 media found`);
  }
  if (!values.quiet) {
    const files = [...outputs.entries()].map(([ext, w]) => `${prefix}.${ext} (${w.bytes} bytes)`).join(', ');
    const skipped = Object.entries(s.skippedByCodec)
      .map(([c, n]) => `${n} ${c}`)
      .join(', ');
    console.log(
      `${spec.name}: ${s.videoUnits} video frames, ${s.audioFrames} audio frames -> ${files}` +
        (skipped ? `; skipped ${skipped} tags (no elementary-stream output for that codec)` : '') +
        (s.framesBeforeSequenceHeader
          ? `; ${s.framesBeforeSequenceHeader} frames before their sequence header dropped`
          : '') +
        (s.sequenceHeaderChanges ? `; ${s.sequenceHeaderChanges} sequence header changes` : ''),
    );
  }
});
