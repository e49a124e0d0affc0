#!/usr/bin/env node
/**
 * flvinfo: analyses an FLV file (after lal's app/analyseflv). Streams the file through FlvReader
 * (bounded memory whatever the file size) into the pure FlvAnalyser and prints the header, metadata,
 * codec configurations, optionally one line per tag, and a summary; or all of it as one JSON object.
 * A truncated or corrupt file prints the analysis of what was read, then one error line, exit 1.
 */
import { once } from 'node:events';
import { createReadStream } from 'node:fs';
import { FlvReader, type FlvReaderItem } from '../format/flv/index.js';
import {
  FlvAnalyser,
  formatAudioConfig,
  formatFlvHeader,
  formatFlvSummary,
  formatFlvTagLine,
  formatMetadata,
  formatVideoConfig,
} from '../remux/flv-analyser.js';
import { isLalError } from '../util/errors.js';
import { CliError, type CliSpec, type ParsedValues, parseCli, requireString, runMain } from './cli.js';

const SPEC: CliSpec = {
  name: 'flvinfo',
  summary: 'analyse an FLV file: header, metadata, codec configs, tags, GOPs, bitrates, timestamp gaps',
  usage: 'flvinfo -i <file.flv> [--tags] [--json] [--gap-ms <ms>] [--max-list <n>]',
  options: {
    input: { short: 'i', type: 'string', arg: 'file', help: 'the FLV file to analyse' },
    tags: { type: 'boolean', help: 'print one line per tag before the summary (JSON: a "tags" array)' },
    json: { type: 'boolean', help: 'print the whole analysis as one JSON object instead of text' },
    'gap-ms': {
      type: 'string',
      arg: 'ms',
      help: 'a DTS step within a track larger than this is a gap',
      default: '500',
    },
    'max-list': {
      type: 'string',
      arg: 'n',
      help: 'list at most n gaps, jumps, body errors, config changes (the rest are counted)',
      default: '20',
    },
  },
  epilog: [
    'A truncated or corrupt file prints the analysis of what was read, then the error on stderr (exit 1).',
    '',
    'examples:',
    '  flvinfo -i rec.flv',
    '  flvinfo -i rec.flv --tags | less',
    '  flvinfo -i rec.flv --json --tags > rec.json',
  ].join('\n'),
};

/**
 * Read size (Node's default for file streams). Kept small on purpose: the reader's ByteQueue
 * releases consumed chunks only now and then, so what it can hold on to scales with the chunk size.
 */
const CHUNK_SIZE = 64 * 1024;

function numberOption(values: ParsedValues, name: string, integer: boolean): number {
  const raw = values[name];
  const n = typeof raw === 'string' && raw.trim() !== '' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(n) || n < 0 || (integer && !Number.isInteger(n))) {
    const what = integer ? 'an integer >= 0' : 'a number >= 0';
    throw new CliError(`flvinfo: --${name} must be ${what}, got ${JSON.stringify(raw)} (see --help)`, 2);
  }
  return n;
}

/** Buffers output lines and writes them in one call per input chunk, honouring back-pressure. */
class Output {
  private parts: string[] = [];

  write(s: string): void {
    this.parts.push(s);
  }

  line(s: string): void {
    this.parts.push(s, '\n');
  }

  async flush(): Promise<void> {
    if (this.parts.length === 0) return;
    const s = this.parts.join('');
    this.parts = [];
    if (!process.stdout.write(s)) await once(process.stdout, 'drain');
  }

  /** Flushes and waits until everything handed to stdout is written (before process.exit). */
  async close(): Promise<void> {
    await this.flush();
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
  }
}

/** A one-line reason for a file or parse error; anything else is a bug and is rethrown. */
function reason(e: unknown): string {
  if (isLalError(e)) return e.message;
  const err = e as NodeJS.ErrnoException;
  switch (err?.code) {
    case 'ENOENT':
      return 'no such file or directory';
    case 'EISDIR':
      return 'is a directory';
    case 'EACCES':
    case 'EPERM':
      return 'permission denied';
    default:
      if (typeof err?.code === 'string' && typeof err.message === 'string') return err.message;
      throw e;
  }
}

async function main(): Promise<void> {
  const values = parseCli(SPEC);
  const file = requireString(SPEC, values, 'input');
  const gapMs = numberOption(values, 'gap-ms', false);
  const maxListed = numberOption(values, 'max-list', true);
  const json = values.json === true;
  const withTags = values.tags === true;

  // `flvinfo ... | head` closes the pipe early: stop quietly.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(0);
    throw e;
  });

  const analyser = new FlvAnalyser({ gapMs, maxListed });
  const reader = new FlvReader();
  const out = new Output();
  let headerSeen = false;
  let tagsWritten = 0;

  const handle = (item: FlvReaderItem): void => {
    if (item.kind === 'header') {
      headerSeen = true;
      analyser.header(item.header);
      if (json) {
        out.write(`{\n  "file": ${JSON.stringify(file)}`);
        if (withTags) out.write(',\n  "tags": [');
      } else {
        out.line(`file: ${file}`);
        out.line(formatFlvHeader(item.header));
      }
      return;
    }
    const r = analyser.tag(item.tag, item.offset);
    if (json) {
      if (withTags) out.write(`${tagsWritten++ === 0 ? '\n' : ',\n'}    ${JSON.stringify(r.info)}`);
      return;
    }
    if (withTags) out.line(formatFlvTagLine(r.info));
    if (r.metadata) for (const l of formatMetadata(r.metadata)) out.line(l);
    if (r.videoConfig) out.line(formatVideoConfig(r.videoConfig));
    if (r.audioConfig) out.line(formatAudioConfig(r.audioConfig));
  };

  let failure: string | undefined;
  try {
    const stream = createReadStream(file, { highWaterMark: CHUNK_SIZE });
    for await (const chunk of stream) {
      for (const item of reader.feed(chunk as Buffer)) handle(item);
      await out.flush();
    }
    reader.end();
  } catch (e) {
    failure = reason(e);
  }

  if (headerSeen) {
    const end = { prevTagSizeMismatches: reader.prevTagSizeMismatches, bytesRead: reader.offset };
    const analysis = analyser.finish(failure === undefined ? end : { ...end, error: failure });
    if (json) {
      if (withTags) out.write(tagsWritten > 0 ? '\n  ]' : ']');
      // "{\n  members\n}": splice the members into the object opened at the header.
      const body = JSON.stringify(analysis, null, 2);
      out.write(`,${body.slice(1, -2)}\n}\n`);
    } else {
      for (const l of formatFlvSummary(analysis)) out.line(l);
    }
  }
  await out.close();
  if (failure !== undefined) throw new CliError(`flvinfo: ${file}: ${failure}`);
}

runMain('flvinfo', main);
