import { existsSync } from 'node:fs';
import { dirname } from 'node:path';
import { CliError, type CliSpec, parseCli, requireString, runMain } from '../cli.js';
import { PullRunner } from './pull-runner.js';
import { runTool } from './tool-main.js';
import {
  COMMON_EPILOG,
  COMMON_OPTIONS,
  commonSettings,
  expandOutput,
  expandUrl,
  numberOption,
} from './tool-options.js';
import { ToolReport } from './tool-report.js';

/** What differs between rtmppull and httpflvpull. */
export interface PullToolDef {
  name: string;
  protocol: 'rtmp' | 'httpflv';
  summary: string;
  usage: string;
  urlHelp: string;
  schemes: RegExp;
  examples: string[];
}

/** The main of rtmppull / httpflvpull. */
export function runPullTool(def: PullToolDef): void {
  const spec: CliSpec = {
    name: def.name,
    summary: def.summary,
    usage: def.usage,
    options: {
      input: { short: 'i', type: 'string', arg: 'url', help: def.urlHelp },
      output: {
        short: 'o',
        type: 'string',
        arg: 'file.flv',
        help: 'FLV file to write (none: discard the data); with -n > 1, {i} in the name or a _i suffix',
      },
      ...COMMON_OPTIONS,
      'read-timeout': {
        type: 'string',
        arg: 'ms',
        help: 'close a session when nothing arrives for this long',
        default: '10000',
      },
    },
    epilog: [
      'A session ends when the server ends the stream (closes the connection, or for RTMP sends',
      'NetStream.Play.UnpublishNotify / Play.Stop); the tool exits when every session has ended.',
      'With --reconnect ended and lost sessions pull again. Output files are valid at every clean',
      'stop: FLV header (audio/video flags patched to the tracks received), onMetaData as the server',
      'sent it, then the tags as received.',
      COMMON_EPILOG,
      '',
      'examples:',
      ...def.examples,
    ].join('\n'),
  };
  runMain(spec.name, async () => {
    const values = parseCli(spec);
    const input = requireString(spec, values, 'input');
    const common = commonSettings(spec, values);
    if (!def.schemes.test(input)) throw new CliError(`${spec.name}: -i: ${def.urlHelp}; got ${input}`, 2);
    const output = typeof values.output === 'string' && values.output !== '' ? values.output : undefined;
    const readTimeoutMs = numberOption(spec, values, 'read-timeout', { integer: true }) ?? 10_000;
    const n = common.num;
    const urls = Array.from({ length: n }, (_, i) => expandUrl(input, i));
    const outputs = output === undefined ? undefined : urls.map((_, i) => expandOutput(output, i, n));
    if (outputs !== undefined && new Set(outputs).size !== outputs.length) {
      throw new CliError(`${spec.name}: the output names are not distinct`, 2);
    }
    for (const dir of new Set((outputs ?? []).map((o) => dirname(o)))) {
      if (!existsSync(dir)) throw new CliError(`${spec.name}: -o: no such directory: ${dir}`, 2);
    }
    const report = new ToolReport({ tool: spec.name, mode: common.mode, intervalMs: common.intervalMs });
    const runner = new PullRunner({
      protocol: def.protocol,
      urls,
      ...(outputs ? { outputs } : {}),
      report,
      spreadMs: common.spreadMs,
      reconnect: common.reconnect,
      connectTimeoutMs: common.connectTimeoutMs,
      readTimeoutMs,
      gapMs: common.gapMs,
      ...(common.insecure ? { tls: { rejectUnauthorized: false } } : {}),
    });
    await runTool(report, runner, common.durationMs);
  });
}
