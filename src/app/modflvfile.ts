#!/usr/bin/env node
import type { AmfValue } from '../format/amf/index.js';
import { type FlvRewriteOptions, FlvRewriter } from '../remux/flv-rewriter.js';
import { CliError, type CliSpec, parseCli, requireString, runMain } from './cli.js';
import { FlvFileWriter, readFlvFile } from './flv-file.js';

const spec: CliSpec = {
  name: 'modflvfile',
  summary: 'rewrite an FLV file: timestamps, tracks, time range, metadata, HEVC signalling',
  usage: 'modflvfile -i in.flv -o out.flv [options]',
  options: {
    input: { short: 'i', type: 'string', arg: 'file.flv', help: 'input FLV file' },
    output: { short: 'o', type: 'string', arg: 'file.flv', help: 'output FLV file' },
    'drop-audio': { type: 'boolean', help: 'remove the audio track' },
    'drop-video': { type: 'boolean', help: 'remove the video track' },
    start: {
      type: 'string',
      arg: 'time',
      help: 'keep media from this time on (video restarts on a key frame)',
    },
    end: { type: 'string', arg: 'time', help: 'drop media at or after this time' },
    rebase: { type: 'boolean', help: 'make the first kept media tag timestamp 0' },
    shift: { type: 'string', arg: 'time', help: 'add this to every timestamp; negative as --shift=-500' },
    set: {
      type: 'string',
      multiple: true,
      arg: 'key=value',
      help: 'set an onMetaData key (number, true/false, or text)',
    },
    remove: { type: 'string', multiple: true, arg: 'key', help: 'remove an onMetaData key' },
    hevc: {
      type: 'string',
      arg: 'id12|enhanced',
      help: 'convert HEVC to codec id 12 or to enhanced RTMP (hvc1)',
    },
    quiet: { short: 'q', type: 'boolean', help: 'print nothing on success' },
  },
  epilog: 'Times are milliseconds, or seconds with an "s" suffix (e.g. 1500 or 1.5s).',
};

/** Parses "1500", "1500ms" or "1.5s" into milliseconds. */
function parseTimeMs(name: string, v: string): number {
  const m = /^(-?\d+(?:\.\d+)?)(ms|s)?$/.exec(v.trim());
  if (!m) throw new CliError(`${spec.name}: --${name}: not a time: ${v} (use ms, or seconds with "s")`, 2);
  const n = Number(m[1]);
  return Math.round(m[2] === 's' ? n * 1000 : n);
}

function metaValue(v: string): AmfValue {
  if (v === 'true') return true;
  if (v === 'false') return false;
  if (v !== '' && Number.isFinite(Number(v))) return Number(v);
  return v;
}

function strings(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

runMain(spec.name, async () => {
  const values = parseCli(spec);
  const input = requireString(spec, values, 'input');
  const output = requireString(spec, values, 'output');
  if (input === output) throw new CliError(`${spec.name}: input and output are the same file`, 2);
  const opts: FlvRewriteOptions = {
    dropAudio: values['drop-audio'] === true,
    dropVideo: values['drop-video'] === true,
    rebase: values.rebase === true,
  };
  if (typeof values.start === 'string') opts.startMs = parseTimeMs('start', values.start);
  if (typeof values.end === 'string') opts.endMs = parseTimeMs('end', values.end);
  if (typeof values.shift === 'string') opts.shiftMs = parseTimeMs('shift', values.shift);
  const set = strings(values.set);
  if (set.length > 0) {
    opts.setMetadata = {};
    for (const kv of set) {
      const eq = kv.indexOf('=');
      if (eq <= 0) throw new CliError(`${spec.name}: --set wants key=value, got ${kv}`, 2);
      opts.setMetadata[kv.slice(0, eq)] = metaValue(kv.slice(eq + 1));
    }
  }
  const remove = strings(values.remove);
  if (remove.length > 0) opts.removeMetadata = remove;
  if (values.hevc !== undefined) {
    if (values.hevc !== 'id12' && values.hevc !== 'enhanced') {
      throw new CliError(`${spec.name}: --hevc must be id12 or enhanced, got ${String(values.hevc)}`, 2);
    }
    opts.hevc = values.hevc;
  }
  let rw: FlvRewriter;
  try {
    rw = new FlvRewriter(opts);
  } catch (e) {
    throw new CliError(`${spec.name}: ${(e as Error).message}`, 2);
  }
  const w = new FlvFileWriter(output);
  try {
    for await (const item of readFlvFile(input)) {
      if (item.kind === 'header') await w.header(rw.header(item.header));
      else for (const t of rw.tag(item.tag)) await w.tag(t);
    }
    for (const t of rw.end()) await w.tag(t);
  } finally {
    await w.close();
  }
  if (!values.quiet) {
    const s = rw.stats;
    console.log(
      `${spec.name}: ${output}: ${s.tagsOut} of ${s.tagsIn} tags written, ${s.dropped} dropped` +
        (s.converted ? `, ${s.converted} HEVC tags re-signalled` : '') +
        (s.clamped ? `, ${s.clamped} timestamps clamped to 0` : ''),
    );
  }
});
