#!/usr/bin/env node
import { CliError, type CliSpec, parseCli, requireString, runMain } from './cli.js';
import { FlvSource } from './load/flv-source.js';
import { PushScheduler } from './load/push-scheduler.js';
import { runTool } from './load/tool-main.js';
import {
  COMMON_EPILOG,
  COMMON_OPTIONS,
  commonSettings,
  expandUrl,
  numberOption,
} from './load/tool-options.js';
import { ToolReport } from './load/tool-report.js';

const spec: CliSpec = {
  name: 'flvfile2rtmppush',
  summary: 'push an FLV file to an RTMP server in real time; with -n, the multi-stream push load tool',
  usage: 'flvfile2rtmppush -i file.flv -o rtmp://host/app/stream [-n N] [-r] [options]',
  options: {
    input: { short: 'i', type: 'string', arg: 'file.flv', help: 'FLV file to push (read once into memory)' },
    output: {
      short: 'o',
      type: 'string',
      arg: 'url',
      help: 'rtmp:// or rtmps:// URL; {i} is replaced by the stream number (needed with -n > 1)',
    },
    loop: { short: 'r', type: 'boolean', help: 'loop forever without disconnecting, timestamps increasing' },
    loops: { type: 'string', arg: 'K', help: 'loop K times (like -r, but stop after K passes)' },
    ...COMMON_OPTIONS,
    'chunk-size': { type: 'string', arg: 'bytes', help: 'outgoing RTMP chunk size', default: '4096' },
    'simple-handshake': { type: 'boolean', help: 'simple handshake instead of the complex (digest) one' },
    'tick-ms': {
      type: 'string',
      arg: 'ms',
      help: 'scheduler period: due messages go out at this granularity, batched per stream',
      default: '20',
    },
    'max-buffer-kb': {
      type: 'string',
      arg: 'KiB',
      help: "drop media (video to the next key frame) while a stream's socket holds more than this",
      default: '8192',
    },
  },
  epilog: [
    'Looping (-r, --loops): each pass adds the file span plus one frame to the timestamps, so they keep',
    'increasing; metadata and sequence headers are not resent unless the file changes them, and',
    'end-of-sequence tags are dropped between passes. Without -r the session closes at the end of the',
    'file. --reconnect continues on the stream timeline with the headers in force, video from a key frame.',
    COMMON_EPILOG,
    '',
    'examples:',
    '  flvfile2rtmppush -i in.flv -o rtmp://127.0.0.1/live/test',
    '  flvfile2rtmppush -i in.flv -o rtmp://127.0.0.1/live/stream_{i} -n 1000 -r --interval 10',
  ].join('\n'),
};

runMain(spec.name, async () => {
  const values = parseCli(spec);
  const input = requireString(spec, values, 'input');
  const output = requireString(spec, values, 'output');
  const common = commonSettings(spec, values);
  if (!/^rtmps?:\/\//i.test(output)) {
    throw new CliError(`${spec.name}: -o must be an rtmp:// or rtmps:// URL, got ${output}`, 2);
  }
  if (common.num > 1 && !output.includes('{i}')) {
    throw new CliError(
      `${spec.name}: with -n ${common.num} the URL needs {i} (one stream name per session)`,
      2,
    );
  }
  const loopsOpt = numberOption(spec, values, 'loops', { integer: true, min: 1 });
  const loops = values.loop === true ? 0 : (loopsOpt ?? 1);
  const chunkSize =
    numberOption(spec, values, 'chunk-size', { integer: true, min: 128, max: 0x7fffffff }) ?? 4096;
  const tickMs = numberOption(spec, values, 'tick-ms', { min: 1, max: 1000 }) ?? 20;
  const maxBufferKb = numberOption(spec, values, 'max-buffer-kb', { min: 1 }) ?? 8192;
  const urls = Array.from({ length: common.num }, (_, i) => expandUrl(output, i));
  const source = FlvSource.load(input);
  const report = new ToolReport({ tool: spec.name, mode: common.mode, intervalMs: common.intervalMs });
  const scheduler = new PushScheduler({
    urls,
    source,
    report,
    loops,
    chunkSize,
    complexHandshake: values['simple-handshake'] !== true,
    ...(common.insecure ? { tls: { rejectUnauthorized: false } } : {}),
    spreadMs: common.spreadMs,
    reconnect: common.reconnect,
    connectTimeoutMs: common.connectTimeoutMs,
    tickMs,
    gapMs: common.gapMs,
    maxBufferBytes: Math.round(maxBufferKb * 1024),
  });
  await runTool(report, scheduler, common.durationMs);
});
