import { extname } from 'node:path';
import { CliError, type CliOption, type CliSpec, type ParsedValues } from '../cli.js';
import type { ReportMode } from './tool-report.js';

/** Options every client tool has (merged into each tool's CliSpec). */
export const COMMON_OPTIONS: Record<string, CliOption> = {
  num: {
    short: 'n',
    type: 'string',
    arg: 'N',
    help: 'number of sessions; with {i} in the URL, N streams (i = 0..N-1)',
    default: '1',
  },
  duration: {
    type: 'string',
    arg: 'seconds',
    help: 'stop after this many seconds (default: run until done)',
  },
  reconnect: {
    type: 'boolean',
    help: 'reconnect lost or failed sessions, with back-off (1 s doubling to 30 s)',
  },
  'spread-ms': {
    type: 'string',
    arg: 'ms',
    help: 'start the N sessions spread over this many ms',
    default: '1000',
  },
  interval: { type: 'string', arg: 'seconds', help: 'seconds between stat lines; 0 = none', default: '5' },
  'gap-ms': {
    type: 'string',
    arg: 'ms',
    help: 'count timestamp steps larger than this as gaps',
    default: '1000',
  },
  'connect-timeout': { type: 'string', arg: 'ms', help: 'TCP/TLS connect timeout', default: '5000' },
  insecure: { type: 'boolean', help: 'TLS (rtmps://, https://, wss://): do not verify the certificate' },
  quiet: { short: 'q', type: 'boolean', help: 'no stat lines; only failure lines and the summary' },
  json: { type: 'boolean', help: 'every line (stat, error, summary) as a JSON object on stdout' },
};

/** Help text shared by the tools (exit codes, report lines). */
export const COMMON_EPILOG = [
  'Report: a stat line every --interval seconds (sessions up/failed/lost, reconnects, media kbps in/out,',
  'frames in the interval, timestamp gaps and backward jumps), one line per failure with its reason',
  '(the first 3 per distinct reason; the rest are counted), and a summary with the totals and the',
  "tool's own CPU time and RSS. kbps count media payload bytes (FLV tag bodies).",
  'SIGINT (Ctrl-C) / SIGTERM stop cleanly: sessions closed, output files finished.',
  'Exit code: 0 when every session started, 3 when some never did, 1 when none did, 2 for bad arguments.',
].join('\n');

/** The common settings, parsed. */
export interface CommonSettings {
  num: number;
  durationMs: number;
  reconnect: boolean;
  spreadMs: number;
  intervalMs: number;
  gapMs: number;
  connectTimeoutMs: number;
  insecure: boolean;
  mode: ReportMode;
}

/** A non-negative number option (CliError exit 2 when it is not one). */
export function numberOption(
  spec: CliSpec,
  values: ParsedValues,
  name: string,
  opts: { integer?: boolean; min?: number; max?: number } = {},
): number | undefined {
  const v = values[name];
  if (v === undefined) return undefined;
  const n = typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  const min = opts.min ?? 0;
  if (
    !Number.isFinite(n) ||
    n < min ||
    (opts.max !== undefined && n > opts.max) ||
    (opts.integer && !Number.isInteger(n))
  ) {
    const what = opts.integer ? 'an integer' : 'a number';
    const range = opts.max !== undefined ? ` in ${min}..${opts.max}` : ` >= ${min}`;
    throw new CliError(`${spec.name}: --${name} must be ${what}${range}, got ${String(v)}`, 2);
  }
  return n;
}

export function commonSettings(spec: CliSpec, values: ParsedValues): CommonSettings {
  const num = numberOption(spec, values, 'num', { integer: true, min: 1, max: 100_000 }) ?? 1;
  const duration = numberOption(spec, values, 'duration');
  return {
    num,
    durationMs: duration === undefined ? 0 : Math.round(duration * 1000),
    reconnect: values.reconnect === true,
    spreadMs: numberOption(spec, values, 'spread-ms') ?? 1000,
    intervalMs: Math.round((numberOption(spec, values, 'interval') ?? 5) * 1000),
    gapMs: numberOption(spec, values, 'gap-ms') ?? 1000,
    connectTimeoutMs: numberOption(spec, values, 'connect-timeout', { integer: true }) ?? 5000,
    insecure: values.insecure === true,
    mode: values.json === true ? 'json' : values.quiet === true ? 'quiet' : 'text',
  };
}

/** The URL of session i: `{i}` replaced by i. */
export function expandUrl(template: string, i: number): string {
  return template.replaceAll('{i}', String(i));
}

/**
 * The output file of session i of n: `{i}` replaced by i; without `{i}` and with n > 1, `_i` goes
 * before the extension (`out.flv` -> `out_0.flv`, `out_1.flv`, ...).
 */
export function expandOutput(template: string, i: number, n: number): string {
  if (template.includes('{i}')) return template.replaceAll('{i}', String(i));
  if (n <= 1) return template;
  const ext = extname(template);
  return `${template.slice(0, template.length - ext.length)}_${i}${ext}`;
}

/** When session i of n starts, ms after the tool's start (evenly spread over spreadMs). */
export function spreadOffsetMs(i: number, n: number, spreadMs: number): number {
  return n <= 1 ? 0 : Math.floor((i * spreadMs) / n);
}

/** Back-off before reconnect attempt `attempt` (1, 2, ...): 1 s doubling to 30 s, +-20 % jitter. */
export function backoffMs(attempt: number): number {
  const base = Math.min(30_000, 1000 * 2 ** Math.min(15, Math.max(0, attempt - 1)));
  return Math.round(base * (0.8 + Math.random() * 0.4));
}
