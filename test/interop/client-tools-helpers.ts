/**
 * Helpers for the client tool tests (not a test file): running the compiled CLIs, an nginx with
 * Debian's RTMP module on a free loopback port (config, prefix and logs in a temp dir, stopped by
 * PID), ffprobe frame counts and tag comparisons with an FLV reader independent of src/format/flv.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { toolPath } from '../helpers/fixtures.js';
import {
  type FlvTag,
  freePort,
  type RunningTool,
  readFlvTags,
  startTool,
  type ToolResult,
  tempDir,
  waitForPort,
} from './rtmp-helpers.js';

/** Starts a compiled CLI of this package (killed by PID after timeoutMs and at the test's end). */
export function startCli(t: TestContext, name: string, args: string[], timeoutMs: number): RunningTool {
  return startTool(t, process.execPath, [toolPath(name), ...args], timeoutMs);
}

/** Runs a compiled CLI to completion. */
export function runCli(t: TestContext, name: string, args: string[], timeoutMs: number): Promise<ToolResult> {
  return startCli(t, name, args, timeoutMs).done;
}

/** The last `{"type":"summary"...}` line of a --json run. */
export function jsonSummary(r: ToolResult): Record<string, number | string | Record<string, number>> {
  const line = r.stdout
    .trim()
    .split('\n')
    .reverse()
    .find((l) => l.startsWith('{"type":"summary"'));
  if (line === undefined) throw new Error(`no summary line in:\n${r.stdout}\n${r.stderr}`);
  return JSON.parse(line) as Record<string, number | string | Record<string, number>>;
}

export interface Nginx {
  port: number;
  dir: string;
  /** The error log so far (for failure messages). */
  log(): string;
}

/** The nginx RTMP module shipped by Debian's libnginx-mod-rtmp. */
export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

/**
 * Starts `nginx -p DIR -c DIR/nginx.conf -g 'daemon off;'` with the RTMP module: one `live`
 * application on 127.0.0.1:<free port>, nginx-rtmp's defaults otherwise (when the publisher stops,
 * players get Stream EOF only, no UnpublishNotify: rtmppull ends on it). The master is killed by
 * PID when the test ends (workers follow it).
 */
export async function startNginx(t: TestContext, extraApp = ''): Promise<Nginx> {
  const dir = tempDir(t);
  const port = await freePort();
  const conf = [
    `load_module ${NGINX_RTMP_MODULE};`,
    'worker_processes 1;',
    `error_log ${join(dir, 'error.log')} info;`,
    `pid ${join(dir, 'nginx.pid')};`,
    'events { worker_connections 8192; }',
    'rtmp {',
    '  server {',
    `    listen 127.0.0.1:${port};`,
    '    chunk_size 4096;',
    '    application live {',
    '      live on;',
    `      ${extraApp}`,
    '    }',
    '  }',
    '}',
    '',
  ].join('\n');
  writeFileSync(join(dir, 'nginx.conf'), conf);
  const errorLog = join(dir, 'error.log');
  const log = (): string => (existsSync(errorLog) ? readFileSync(errorLog, 'utf8') : '');
  // stdio ignored: the workers would inherit pipes and keep them open.
  const master = spawn(
    'nginx',
    ['-p', dir, '-c', join(dir, 'nginx.conf'), '-e', errorLog, '-g', 'daemon off;'],
    {
      stdio: 'ignore',
    },
  );
  const exited = new Promise<void>((resolve) => {
    master.once('exit', () => resolve());
    master.once('error', () => resolve());
  });
  t.after(() => stopNginx(master, exited));
  try {
    await Promise.race([
      waitForPort(port, 5000),
      exited.then(() => {
        throw new Error(`nginx exited (${master.exitCode})`);
      }),
    ]);
  } catch (e) {
    throw new Error(`nginx did not start: ${e instanceof Error ? e.message : String(e)}\n${log()}`);
  }
  return { port, dir, log };
}

/** The PIDs whose parent is `ppid` (the nginx workers of a master), from /proc. */
function childPids(ppid: number): number[] {
  const out: number[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      const stat = readFileSync(`/proc/${name}/stat`, 'utf8');
      // pid (comm) state ppid ...: comm may contain spaces, so split after the last ')'.
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (Number(fields[1]) === ppid) out.push(Number(name));
    } catch {
      // gone
    }
  }
  return out;
}

/** Stops nginx by PID: SIGTERM to the master (it stops its workers), SIGKILL to all of them after 3 s. */
async function stopNginx(master: ChildProcess, exited: Promise<void>): Promise<void> {
  const pid = master.pid;
  if (pid === undefined || master.exitCode !== null || master.signalCode !== null) return;
  const workers = childPids(pid);
  try {
    process.kill(pid, 'SIGTERM');
  } catch {
    return;
  }
  const timer = setTimeout(() => {
    for (const p of [pid, ...workers]) {
      try {
        process.kill(p, 'SIGKILL');
      } catch {
        // gone
      }
    }
  }, 3000);
  await exited;
  clearTimeout(timer);
}

/** ffprobe's decoded frame count per stream type. */
export function probeFrames(file: string): { video: number; audio: number } {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=codec_type,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8', timeout: 30_000 },
  );
  const streams = (JSON.parse(out) as { streams: Array<{ codec_type: string; nb_read_frames?: string }> })
    .streams;
  const count = (type: string): number =>
    streams.filter((s) => s.codec_type === type).reduce((n, s) => n + Number(s.nb_read_frames ?? 0), 0);
  return { video: count('video'), audio: count('audio') };
}

/** The FLV header's TypeFlags: audio (0x04) and video (0x01). */
export function headerFlags(file: Buffer): { audio: boolean; video: boolean } {
  const f = file[4] ?? 0;
  return { audio: (f & 0x04) !== 0, video: (f & 0x01) !== 0 };
}

/** True for a key frame video body (legacy codec ids: frame type 1 in the high nibble). */
export function isKeyFrame(tag: FlvTag): boolean {
  return tag.typeId === 9 && (tag.body[0] as number) >> 4 === 1 && tag.body[1] === 1;
}

/** The audio/video tags from the first video key frame on (what a server with a cache start gives). */
export function fromFirstKeyFrame(tags: readonly FlvTag[]): FlvTag[] {
  const i = tags.findIndex(isKeyFrame);
  return i < 0 ? [] : tags.slice(i).filter((t) => t.typeId === 8 || t.typeId === 9);
}

/** Tags as comparable rows: type, timestamp, payload length and hash. */
export function rows(tags: readonly FlvTag[]): string[] {
  return tags.map(
    (t) =>
      `${t.typeId}@${t.timestampMs}:${t.body.length}:${createHash('sha1').update(t.body).digest('hex').slice(0, 12)}`,
  );
}

export { readFlvTags };
