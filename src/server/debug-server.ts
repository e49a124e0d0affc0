/**
 * The debug HTTP server, lals' equivalent of lal's Go pprof endpoint; started only when the `pprof`
 * section of the configuration enables it.
 *
 *   GET /debug/pprof/profile?seconds=N  V8 CPU profile over N seconds (default 10, 1..300), as a
 *                                       .cpuprofile JSON file (open it in Chrome DevTools >
 *                                       Performance, or VS Code)
 *   GET /debug/pprof/heap               V8 heap snapshot (.heapsnapshot; DevTools > Memory)
 *   GET /debug/groups                   JSON from the `dump` option (the server's streams)
 *   GET /debug/vars                     process memory, CPU time, uptime, event-loop delay, handles
 *
 * Anything else is 404 (405 for another method on a known path). One profile or snapshot at a
 * time: a second request meanwhile gets 409.
 *
 * NEVER EXPOSE IT PUBLICLY. There is no authentication; a heap snapshot contains everything in
 * memory (stream keys, tokens, client addresses); taking one stops the event loop for as long as it
 * takes (often seconds, for every stream), and a CPU profile slows the server while it runs. Keep it
 * on a loopback address (the default `127.0.0.1:10001`) and reach it through an SSH tunnel.
 *
 * Profiles use node:inspector in this process, which works alongside `--inspect` debuggers.
 */

import type { IncomingMessage, ServerResponse } from 'node:http';
import { createServer } from 'node:http';
import { Session } from 'node:inspector/promises';
import type { AddressInfo } from 'node:net';
import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { Logger } from '../base/index.js';
import { nullLogger } from '../base/index.js';
import { parseAddr } from './config.js';

/** Options of startDebugServer. */
export interface DebugServerOptions {
  /** Listen address, `:port`, `host:port` or `[ipv6]:port` (config `pprof.addr`). Required. */
  addr: string;
  /** Returns the JSON-serialisable state shown at /debug/groups. Default: an empty object. */
  dump?: () => unknown;
  /** Where the server logs its start, requests and failures. Default nullLogger. */
  logger?: Logger;
  /** Default CPU profile length when `seconds` is not given. Default 10. */
  defaultProfileSeconds?: number;
  /** Longest CPU profile a request may ask for, in seconds. Default 300. */
  maxProfileSeconds?: number;
}

/** A running debug server. */
export interface DebugServer {
  /** The port it listens on (the real one when `addr` asked for port 0). */
  readonly port: number;
  /** Stops listening, ends a profile in progress and closes every connection. Idempotent. */
  close(): Promise<void>;
}

const ENDPOINTS = [
  'GET /debug/pprof/profile?seconds=N',
  'GET /debug/pprof/heap',
  'GET /debug/groups',
  'GET /debug/vars',
];

function isLoopback(host: string | undefined): boolean {
  return host === 'localhost' || host === '::1' || (host?.startsWith('127.') ?? false);
}

function sendJson(res: ServerResponse, status: number, body: unknown): void {
  const text = `${JSON.stringify(body, null, 2)}\n`;
  res.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}

function sendText(
  res: ServerResponse,
  status: number,
  text: string,
  headers: Record<string, string> = {},
): void {
  res.writeHead(status, {
    'content-type': 'text/plain; charset=utf-8',
    'content-length': Buffer.byteLength(`${text}\n`),
    ...headers,
  });
  res.end(`${text}\n`);
}

function fileStamp(): string {
  return new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '');
}

/** Resolves after `ms`, or early when `signal` aborts. */
function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done);
  });
}

/** Starts the debug server; resolves once it listens. Rejects when the address cannot be bound. */
export async function startDebugServer(opts: DebugServerOptions): Promise<DebugServer> {
  const { host, port } = parseAddr(opts.addr);
  const log = opts.logger ?? nullLogger;
  const dump = opts.dump ?? (() => ({}));
  const defaultSeconds = opts.defaultProfileSeconds ?? 10;
  const maxSeconds = opts.maxProfileSeconds ?? 300;
  const loopDelay = monitorEventLoopDelay({ resolution: 20 });
  /** Aborted by close(): ends a CPU profile in progress. */
  const closing = new AbortController();
  let busy = false;

  async function cpuProfile(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const raw = url.searchParams.get('seconds');
    const seconds = raw === null ? defaultSeconds : Number(raw);
    if (!Number.isInteger(seconds) || seconds < 1 || seconds > maxSeconds) {
      sendText(res, 400, `seconds: expected an integer in 1..${maxSeconds}, got ${JSON.stringify(raw)}`);
      return;
    }
    // The client hanging up ends the profile early (and the result is dropped).
    const stop = new AbortController();
    const onClose = (): void => stop.abort();
    res.on('close', onClose);
    const onClosing = (): void => stop.abort();
    closing.signal.addEventListener('abort', onClosing);
    const session = new Session();
    session.connect();
    try {
      log.info(`debug: CPU profile for ${seconds} s requested by ${req.socket.remoteAddress ?? '?'}`);
      await session.post('Profiler.enable');
      await session.post('Profiler.start');
      await sleep(seconds * 1000, stop.signal);
      const { profile } = await session.post('Profiler.stop');
      if (res.destroyed || closing.signal.aborted) return;
      const body = JSON.stringify(profile);
      res.writeHead(200, {
        'content-type': 'application/json',
        'content-length': Buffer.byteLength(body),
        'content-disposition': `attachment; filename="lals-${fileStamp()}.cpuprofile"`,
        'cache-control': 'no-store',
      });
      res.end(body);
    } finally {
      res.off('close', onClose);
      closing.signal.removeEventListener('abort', onClosing);
      session.disconnect();
    }
  }

  async function heapSnapshot(req: IncomingMessage, res: ServerResponse): Promise<void> {
    log.info(`debug: heap snapshot requested by ${req.socket.remoteAddress ?? '?'}`);
    const session = new Session();
    session.connect();
    res.writeHead(200, {
      'content-type': 'application/json',
      'content-disposition': `attachment; filename="lals-${fileStamp()}.heapsnapshot"`,
      'cache-control': 'no-store',
    });
    // V8 serialises the snapshot synchronously inside takeHeapSnapshot, handing it over in chunks;
    // each is queued on the response at once (the socket drains once the event loop runs again).
    session.on('HeapProfiler.addHeapSnapshotChunk', (m) => {
      res.write(m.params.chunk);
    });
    try {
      await session.post('HeapProfiler.takeHeapSnapshot', { reportProgress: false });
      res.end();
    } finally {
      session.disconnect();
    }
  }

  function vars(): unknown {
    const resources: Record<string, number> = {};
    for (const r of process.getActiveResourcesInfo()) resources[r] = (resources[r] ?? 0) + 1;
    const ms = (ns: number): number => Math.round(ns / 1e4) / 100;
    const out = {
      pid: process.pid,
      node: process.version,
      platform: `${process.platform}/${process.arch}`,
      uptime_sec: Math.round(process.uptime()),
      /** True while a CPU profile or heap snapshot is being taken (another one would get 409). */
      profiling: busy,
      memory: process.memoryUsage(),
      cpu_usage_us: process.cpuUsage(),
      event_loop_delay_ms: {
        min: ms(loopDelay.min),
        mean: ms(loopDelay.mean),
        p50: ms(loopDelay.percentile(50)),
        p99: ms(loopDelay.percentile(99)),
        max: ms(loopDelay.max),
      },
      active_resources: resources,
    };
    loopDelay.reset();
    return out;
  }

  const routes: Record<
    string,
    (req: IncomingMessage, res: ServerResponse, url: URL) => Promise<void> | void
  > = {
    '/debug/pprof/profile': (req, res, url) => exclusive(res, () => cpuProfile(req, res, url)),
    '/debug/pprof/heap': (req, res) => exclusive(res, () => heapSnapshot(req, res)),
    '/debug/groups': (_req, res) => {
      let body: unknown;
      try {
        body = dump();
      } catch (e) {
        sendText(res, 500, `dump failed: ${(e as Error).message ?? String(e)}`);
        return;
      }
      sendJson(res, 200, body);
    },
    '/debug/vars': (_req, res) => sendJson(res, 200, vars()),
  };

  async function exclusive(res: ServerResponse, run: () => Promise<void>): Promise<void> {
    if (busy) {
      sendText(res, 409, 'a profile or heap snapshot is already being taken; try again later');
      return;
    }
    busy = true;
    try {
      await run();
    } finally {
      busy = false;
    }
  }

  function handle(req: IncomingMessage, res: ServerResponse): void {
    const url = new URL(req.url ?? '/', 'http://debug.invalid');
    const route = routes[url.pathname];
    if (!route) {
      sendText(res, 404, `not found; endpoints:\n${ENDPOINTS.join('\n')}`);
      return;
    }
    if (req.method !== 'GET') {
      sendText(res, 405, 'method not allowed', { allow: 'GET' });
      return;
    }
    log.debug(`debug: ${req.method} ${req.url ?? ''} from ${req.socket.remoteAddress ?? '?'}`);
    Promise.resolve()
      .then(() => route(req, res, url))
      .catch((e: unknown) => {
        log.error(`debug: ${url.pathname} failed: ${(e as Error).message ?? String(e)}`);
        if (!res.headersSent) sendText(res, 500, `failed: ${(e as Error).message ?? String(e)}`);
        else res.destroy();
      });
  }

  const server = createServer(handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen({ host, port }, () => {
      server.off('error', reject);
      resolve();
    });
  });
  server.on('error', (e) => log.error(`debug: server error: ${e.message}`));
  loopDelay.enable();
  const actualPort = (server.address() as AddressInfo).port;
  log.info(`debug: server listening on ${opts.addr} (port ${actualPort})`);
  if (!isLoopback(host)) {
    log.warn(
      `debug: server listens on ${host ?? 'every interface'}: it has no authentication and must not be reachable from outside`,
    );
  }

  let closed: Promise<void> | undefined;
  return {
    port: actualPort,
    close() {
      closed ??= new Promise<void>((resolve) => {
        closing.abort();
        loopDelay.disable();
        server.close(() => resolve());
        server.closeAllConnections();
      });
      return closed;
    },
  };
}
