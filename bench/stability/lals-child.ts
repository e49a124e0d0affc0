// lals as a child process on loopback for the stability scripts: free ports, the debug endpoint on,
// readiness, /proc and /debug/vars sampling, stop by PID.
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, readlinkSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LALS_NODE_FLAGS } from '../../src/app/lals-node-flags.js';
import { sleep } from '../lib/children.js';
import { canConnect, freePort } from '../lib/servers.js';

export { sleep };

/** What /proc says about a process. */
export interface ProcSample {
  /** CPU time used so far (user + system), seconds. */
  cpuSec: number;
  rssBytes: number;
  fds: number;
  sockets: number;
  threads: number;
}

export function procSample(pid: number): ProcSample {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  const kb = (key: string): number => Number(new RegExp(`^${key}:\\s+(\\d+)`, 'm').exec(status)?.[1] ?? 0);
  let fds = 0;
  let sockets = 0;
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    fds++;
    try {
      if (readlinkSync(`/proc/${pid}/fd/${fd}`).startsWith('socket:')) sockets++;
    } catch {
      // closed meanwhile
    }
  }
  // /proc/<pid>/stat: utime and stime are fields 14 and 15, in clock ticks (100 per second on Linux).
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const cpuSec = (Number(fields[11]) + Number(fields[12])) / 100;
  return { cpuSec, rssBytes: kb('VmRSS') * 1024, fds, sockets, threads: kb('Threads') };
}

/** GET a JSON document from the child's debug endpoint. */
export function getJson(port: number, path: string, timeoutMs = 5000): Promise<unknown> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, timeout: timeoutMs }, (res) => {
      const parts: Buffer[] = [];
      res.on('data', (b: Buffer) => parts.push(b));
      res.on('end', () => {
        try {
          resolve(JSON.parse(Buffer.concat(parts).toString()));
        } catch (e) {
          reject(e);
        }
      });
    });
    req.on('timeout', () => req.destroy(new Error(`GET ${path}: timeout`)));
    req.on('error', reject);
    req.end();
  });
}

export interface LalsChild {
  readonly pid: number;
  readonly rtmpPort: number;
  readonly httpPort: number;
  readonly pprofPort: number;
  rtmp(stream: string): string;
  http(stream: string): string;
  ws(stream: string): string;
  /** WARN / ERROR / FATAL lines seen on its stdout, and anything on stderr. */
  readonly warnLines: string[];
  readonly errorLines: string[];
  /** Set once it exited: the code or signal. */
  exit: number | string | undefined;
  /** SIGTERM by PID, SIGKILL after `graceMs`; resolves with the exit code or signal. */
  stop(graceMs?: number): Promise<number | string>;
}

/** The compiled lals CLI next to this file (dist/bench/stability -> dist/src/app/lals.js). */
export function lalsPath(): string {
  return fileURLToPath(new URL('../../src/app/lals.js', import.meta.url));
}

/** Starts lals as `npm start` does (LALS_NODE_FLAGS, all defaults, log level warn, no log file) with `set` overrides; resolves once it accepts connections. */
export async function startLalsChild(set: string[] = [], nodeArgs: string[] = []): Promise<LalsChild> {
  const [rtmpPort, httpPort, pprofPort] = [await freePort(), await freePort(), await freePort()];
  // Every default, whatever conf/ holds today; the flags below set the rest.
  const conf = join(mkdtempSync(join(tmpdir(), 'lals-stability-')), 'lals.conf.json');
  writeFileSync(conf, '{}\n');
  const args = [
    ...LALS_NODE_FLAGS,
    ...nodeArgs,
    lalsPath(),
    '-c',
    conf,
    '--rtmp-addr',
    `127.0.0.1:${rtmpPort}`,
    '--http-addr',
    `127.0.0.1:${httpPort}`,
    '--pprof-addr',
    `127.0.0.1:${pprofPort}`,
    '--log-file',
    '',
    '--log-level',
    'warn',
    '--set',
    'pprof.enable=true',
    ...set.flatMap((s) => ['--set', s]),
  ];
  const child: ChildProcess = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  const pid = child.pid;
  if (pid === undefined) throw new Error('lals did not start');
  const warnLines: string[] = [];
  const errorLines: string[] = [];
  const keep = (list: string[], line: string): void => {
    if (list.length < 2000) list.push(line);
  };
  let buf = '';
  child.stdout?.on('data', (b: Buffer) => {
    buf += b.toString();
    let i = buf.indexOf('\n');
    while (i >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      if (/ (ERROR|FATAL) /.test(line)) keep(errorLines, line);
      else if (/ WARN /.test(line)) keep(warnLines, line);
      i = buf.indexOf('\n');
    }
  });
  child.stderr?.on('data', (b: Buffer) => keep(errorLines, `stderr: ${b.toString().trimEnd()}`));
  const result: LalsChild = {
    pid,
    rtmpPort,
    httpPort,
    pprofPort,
    rtmp: (s) => `rtmp://127.0.0.1:${rtmpPort}/live/${s}`,
    http: (s) => `http://127.0.0.1:${httpPort}/live/${s}.flv`,
    ws: (s) => `ws://127.0.0.1:${httpPort}/live/${s}.flv`,
    warnLines,
    errorLines,
    exit: undefined,
    stop: async (graceMs = 10_000) => {
      if (result.exit !== undefined) return result.exit;
      process.kill(pid, 'SIGTERM');
      const t = setTimeout(() => {
        if (result.exit === undefined) process.kill(pid, 'SIGKILL');
      }, graceMs);
      const code = await exited;
      clearTimeout(t);
      return code;
    },
  };
  const exited = new Promise<number | string>((resolve) => {
    child.once('exit', (code, signal) => {
      result.exit = code ?? signal ?? 'unknown';
      resolve(result.exit);
    });
  });
  const t0 = Date.now();
  while (!(await canConnect(rtmpPort)) || !(await canConnect(httpPort))) {
    if (result.exit !== undefined) throw new Error(`lals exited (${result.exit}): ${errorLines.join('\n')}`);
    if (Date.now() - t0 > 10_000) {
      await result.stop();
      throw new Error('lals did not listen within 10 s');
    }
    await sleep(50);
  }
  return result;
}

/** Least-squares slope of y over x (units of y per unit of x); NaN with fewer than 2 points. */
export function slope(xs: readonly number[], ys: readonly number[]): number {
  const n = Math.min(xs.length, ys.length);
  if (n < 2) return Number.NaN;
  let sx = 0;
  let sy = 0;
  for (let i = 0; i < n; i++) {
    sx += xs[i] as number;
    sy += ys[i] as number;
  }
  const mx = sx / n;
  const my = sy / n;
  let num = 0;
  let den = 0;
  for (let i = 0; i < n; i++) {
    const dx = (xs[i] as number) - mx;
    num += dx * ((ys[i] as number) - my);
    den += dx * dx;
  }
  return den === 0 ? Number.NaN : num / den;
}
