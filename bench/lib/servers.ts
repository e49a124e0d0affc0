/**
 * The servers under test, each started on free loopback ports with a configuration written into the
 * run's temporary directory, and stopped by pid:
 *  - lals: this project's server (`node <out>/src/app/lals.js -c conf.json`), log at warn to a file;
 *  - nms: node-media-server (its API, from bench/nms-launcher.ts), logger at warn, no admin/API;
 *  - nginx: nginx + Debian's libnginx-mod-rtmp, `worker_processes 1`, `-p DIR -c DIR/nginx.conf`.
 */
import type { ChildProcess } from 'node:child_process';
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createConnection, createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LALS_NODE_FLAGS } from '../../src/app/lals-node-flags.js';
import { sleep, spawnLogged, stopChild } from './children.js';
import { processTree } from './proc.js';

export type ServerKind = 'lals' | 'nms' | 'nginx';
export const ALL_SERVERS: readonly ServerKind[] = ['lals', 'nms', 'nginx'];

/** The build output root: <out>/bench/lib/servers.js -> <out>. */
export const OUT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
/** The repository root: the nearest folder above the build output with a package.json. */
export const REPO_ROOT = findRepoRoot(OUT_ROOT);

function findRepoRoot(from: string): string {
  let d = from;
  while (!existsSync(join(d, 'package.json'))) {
    const up = dirname(d);
    if (up === d) return resolve(from, '..');
    d = up;
  }
  return d;
}

export const NGINX_RTMP_MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export interface ServerOptions {
  /** lals: enable the debug endpoint (for CPU profiles). */
  pprof?: boolean;
  /** lals: extra `--set section.key=value` overrides. */
  lalsSet?: readonly string[];
  /** Extra node flags for the Node servers (e.g. --cpu-prof). */
  nodeFlags?: readonly string[];
  /** lals: the node flags it runs with (default LALS_NODE_FLAGS, as `npm start` and its shebang). */
  lalsNodeFlags?: readonly string[];
}

export interface RunningServer {
  kind: ServerKind;
  pid: number;
  rtmpPort: number;
  /** HTTP-FLV port (0: the server has none). */
  httpPort: number;
  pprofPort: number;
  child: ChildProcess;
  dir: string;
  /** The server's pids now (nginx: master and workers). */
  tree(): number[];
  stop(): Promise<void>;
}

/** Whether a server can run on this machine (nginx needs the binary and the RTMP module). */
export function serverAvailable(kind: ServerKind): { ok: boolean; why?: string } {
  if (kind === 'nginx') {
    if (!existsSync('/usr/sbin/nginx')) return { ok: false, why: 'no /usr/sbin/nginx' };
    if (!existsSync(NGINX_RTMP_MODULE))
      return { ok: false, why: `no ${NGINX_RTMP_MODULE} (libnginx-mod-rtmp)` };
  }
  if (kind === 'nms' && !existsSync(join(REPO_ROOT, 'node_modules/node-media-server/package.json'))) {
    return { ok: false, why: 'node-media-server is not installed (npm install)' };
  }
  if (kind === 'lals' && !existsSync(join(OUT_ROOT, 'src/app/lals.js'))) {
    return { ok: false, why: `no ${join(OUT_ROOT, 'src/app/lals.js')} (build first)` };
  }
  return { ok: true };
}

/** Versions of the servers, for the report. */
export function serverVersions(): Record<string, string> {
  const out: Record<string, string> = {};
  try {
    out.lals = (
      JSON.parse(readFileSync(join(REPO_ROOT, 'package.json'), 'utf8')) as { version: string }
    ).version;
  } catch {
    out.lals = '?';
  }
  try {
    const p = join(REPO_ROOT, 'node_modules/node-media-server/package.json');
    out.nms = (JSON.parse(readFileSync(p, 'utf8')) as { version: string }).version;
  } catch {
    out.nms = 'not installed';
  }
  // nginx -v prints on stderr.
  const ng = spawnSync('/usr/sbin/nginx', ['-v'], { encoding: 'utf8' });
  out.nginx = ng.error ? 'not installed' : `${ng.stderr}${ng.stdout}`.trim();
  try {
    const v = execFileSync('dpkg-query', ['-W', '-f', '\x24{Version}', 'libnginx-mod-rtmp'], {
      encoding: 'utf8',
    });
    out.nginxRtmp = v.trim();
  } catch {
    out.nginxRtmp = 'not installed';
  }
  return out;
}

/** A free loopback TCP port (bound and released at once). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolvePort(port));
    });
  });
}

/** True when something accepts a TCP connection on 127.0.0.1:`port`. */
export function canConnect(port: number): Promise<boolean> {
  return new Promise((res) => {
    const c = createConnection({ host: '127.0.0.1', port });
    c.once('connect', () => {
      c.destroy();
      res(true);
    });
    c.once('error', () => res(false));
  });
}

async function waitPorts(ports: readonly number[], child: ChildProcess, timeoutMs: number): Promise<void> {
  const deadline = performance.now() + timeoutMs;
  for (const p of ports) {
    while (!(await canConnect(p))) {
      if (child.exitCode !== null || child.signalCode !== null) {
        throw new Error(`server exited (${child.exitCode ?? child.signalCode}) before listening on ${p}`);
      }
      if (performance.now() > deadline) throw new Error(`server not listening on ${p} after ${timeoutMs} ms`);
      await sleep(100);
    }
  }
}

/** Starts one server in `dir` (created) and waits until its ports accept connections. */
export async function startServer(
  kind: ServerKind,
  dir: string,
  opts: ServerOptions = {},
): Promise<RunningServer> {
  mkdirSync(dir, { recursive: true });
  const rtmpPort = await freePort();
  let httpPort = kind === 'nginx' ? 0 : await freePort();
  const pprofPort = kind === 'lals' && opts.pprof ? await freePort() : 0;
  const log = join(dir, `${kind}.out`);
  let child: ChildProcess;
  if (kind === 'lals') {
    const conf = {
      rtmp: { addr: `127.0.0.1:${rtmpPort}` },
      httpflv: { sub_listen_addr: `127.0.0.1:${httpPort}` },
      limits: { max_connections: 100000, max_streams: 100000, max_subs_per_stream: 100000 },
      log: { level: 'warn', filename: join(dir, 'lals.log'), is_to_stdout: false, is_rotate_daily: false },
      pprof: { enable: opts.pprof === true, addr: `127.0.0.1:${pprofPort || 10001}` },
    };
    const confPath = join(dir, 'lals.conf.json');
    writeFileSync(confPath, JSON.stringify(conf, null, 2));
    const setArgs = (opts.lalsSet ?? []).flatMap((s) => ['--set', s]);
    child = spawnLogged(
      process.execPath,
      [
        ...(opts.lalsNodeFlags ?? LALS_NODE_FLAGS),
        ...(opts.nodeFlags ?? []),
        join(OUT_ROOT, 'src/app/lals.js'),
        '-c',
        confPath,
        ...setArgs,
      ],
      log,
    );
  } else if (kind === 'nms') {
    const conf = {
      bind: '127.0.0.1',
      rtmp: { port: rtmpPort },
      http: { port: httpPort },
      webadmin: { enable: false },
      store: { path: join(dir, 'nms-data') },
      notify: { url: '' },
    };
    const confPath = join(dir, 'nms.conf.json');
    writeFileSync(confPath, JSON.stringify(conf, null, 2));
    child = spawnLogged(
      process.execPath,
      [...(opts.nodeFlags ?? []), join(OUT_ROOT, 'bench/nms-launcher.js'), confPath],
      log,
    );
  } else {
    httpPort = 0;
    mkdirSync(join(dir, 'logs'), { recursive: true });
    const conf = [
      `load_module ${NGINX_RTMP_MODULE};`,
      'worker_processes 1;',
      'worker_rlimit_nofile 65536;',
      `pid ${join(dir, 'nginx.pid')};`,
      `error_log ${join(dir, 'logs/error.log')} warn;`,
      'events { worker_connections 20000; }',
      'rtmp {',
      '  server {',
      `    listen 127.0.0.1:${rtmpPort};`,
      '    chunk_size 4096;',
      '    application live { live on; }',
      '  }',
      '}',
      '',
    ].join('\n');
    writeFileSync(join(dir, 'nginx.conf'), conf);
    child = spawnLogged(
      '/usr/sbin/nginx',
      ['-p', dir, '-e', join(dir, 'logs/error.log'), '-c', join(dir, 'nginx.conf'), '-g', 'daemon off;'],
      log,
    );
  }
  const pid = child.pid;
  if (pid === undefined) throw new Error(`${kind}: could not spawn`);
  try {
    await waitPorts(
      [rtmpPort, ...(httpPort ? [httpPort] : []), ...(pprofPort ? [pprofPort] : [])],
      child,
      15000,
    );
  } catch (e) {
    await stopChild(child, 2000, processTree(pid).slice(1));
    throw new Error(`${kind}: ${(e as Error).message} (see ${log})`);
  }
  return {
    kind,
    pid,
    rtmpPort,
    httpPort,
    pprofPort,
    child,
    dir,
    tree: () => processTree(pid),
    stop: async () => {
      const workers = processTree(pid).slice(1);
      await stopChild(child, 5000, workers);
    },
  };
}
