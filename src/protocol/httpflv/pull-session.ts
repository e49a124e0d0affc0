import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import type { Logger } from '../../base/logger.js';
import { nullLogger } from '../../base/logger.js';
import type { FlvHeader } from '../../format/flv/header.js';
import type { FlvTag } from '../../format/flv/tag.js';
import { InvalidArgError, LalError, ProtocolError } from '../../util/errors.js';
import type { HttpFlvCloseReason } from './close-reason.js';
import { HttpFlvClosedError, HttpFlvStatusError, HttpFlvTimeoutError } from './errors.js';
import {
  HttpFlvPullCore,
  type HttpFlvPullCoreOptions,
  type HttpFlvPullResult,
  type HttpFlvUrl,
  parseHttpFlvUrl,
} from './pull-core.js';

/** Options of HttpFlvPullSession; every field has a default. */
export interface HttpFlvPullOptions extends Omit<HttpFlvPullCoreOptions, 'webSocketKey'> {
  /** TCP (and TLS) connect timeout, ms; 0 = none. Default 5000. */
  connectTimeoutMs?: number;
  /** Close when nothing arrives for this many ms (the response head included); 0 = never. Default 10,000. */
  readTimeoutMs?: number;
  /** Most redirects (301, 302, 303, 307, 308) followed. Default 5. */
  maxRedirects?: number;
  /** TLS options for https:// and wss:// (ca, rejectUnauthorized, servername, ...). */
  tls?: ConnectionOptions;
  /** Session id for logs; default `httpflv-pull-N`. */
  id?: string;
  /** Default nullLogger. */
  logger?: Logger;
}

/** What pull() resolves with once the stream starts. */
export interface HttpFlvPullStart {
  /** The URL that answered (after redirects). */
  url: string;
  protocol: 'httpflv' | 'wsflv';
  /** 200, or 101 for WebSocket-FLV. */
  status: number;
  headers: ReadonlyMap<string, string>;
  /** Redirects followed. */
  redirects: number;
}

/** What a pull session reports. A throwing listener closes the session (kind 'observer-error'). */
export interface HttpFlvPullEvents {
  /** The FLV header (once, first). */
  onHeader?(header: FlvHeader): void;
  /**
   * Each tag in stream order. `tag.data` is shared and read-only and may be retained: a view of a
   * received socket chunk (or of a copy when the body straddled chunks).
   */
  onTag?(tag: FlvTag): void;
  /** The session closed; called exactly once (also when pull() rejects: then `reason.error` says why). */
  onClose?(reason: HttpFlvCloseReason): void;
}

let counter = 0;

type Attempt = { kind: 'started'; start: HttpFlvPullStart } | { kind: 'redirect'; location: string };

/**
 * HTTP-FLV / WebSocket-FLV pull client (lal `httpflv/client_pull_session.go`), the core of the
 * httpflvpull tool and of load tests with many players: `pull(url)` connects (`http://`, `https://`,
 * `ws://`, `wss://`), follows redirects, and resolves once the server accepted (200 / 101); the FLV
 * header and tags then arrive through the events until the stream ends or close() is called.
 *
 * Failures before the start reject pull() with a LalError: HttpFlvStatusError for an error status
 * (`httpflv: HTTP 404 Not Found from http://...`), HttpFlvTimeoutError ('connect', 'read'),
 * HttpFlvClosedError for a refused or lost connection (the socket error as `cause`), a ProtocolError
 * for a bad answer. The hot path (socket chunk -> de-framing -> FlvReader -> onTag) keeps views and
 * allocates a tag object per tag, nothing per byte.
 */
export class HttpFlvPullSession {
  readonly id: string;
  private readonly events: HttpFlvPullEvents;
  private readonly opts: HttpFlvPullOptions;
  private readonly logger: Logger;
  private socket: Socket | undefined;
  private core: HttpFlvPullCore | undefined;
  private abortAttempt: ((e: LalError) => void) | undefined;
  private closedReason: HttpFlvCloseReason | null = null;
  private closingLocally = false;
  private pulling = false;
  private currentUrl = '';
  private redirectCount = 0;
  private bytesIn = 0;
  private resolveDone: (r: HttpFlvCloseReason) => void = () => {};
  /** Resolves with the close reason when the session closes (never rejects). */
  readonly done: Promise<HttpFlvCloseReason>;

  constructor(events: HttpFlvPullEvents = {}, options: HttpFlvPullOptions = {}) {
    this.id = options.id ?? `httpflv-pull-${++counter}`;
    this.events = events;
    this.opts = options;
    this.logger = options.logger ?? nullLogger;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  get closeReason(): HttpFlvCloseReason | null {
    return this.closedReason;
  }

  /** The URL being pulled (the last one after redirects; '' before pull). */
  get url(): string {
    return this.currentUrl;
  }

  /** Socket bytes received, FLV stream bytes (after de-chunking / de-framing) and tags read. */
  get stats(): { bytesIn: number; flvBytes: number; tags: number; redirects: number } {
    return {
      bytesIn: this.bytesIn,
      flvBytes: this.core?.flvBytes ?? 0,
      tags: this.core?.tagCount ?? 0,
      redirects: this.redirectCount,
    };
  }

  /** Starts pulling `url`; call once. Resolves when the stream starts, rejects when it cannot. */
  pull(url: string): Promise<HttpFlvPullStart> {
    if (this.pulling)
      return Promise.reject(new InvalidArgError('httpflv: pull() may be called once per session'));
    this.pulling = true;
    return this.run(url);
  }

  /** Closes the session (idempotent): a WebSocket close frame, then the socket. onClose follows (kind 'local'). */
  close(): void {
    if (this.closedReason !== null) return;
    this.closingLocally = true;
    const core = this.core;
    if (core?.isStarted === true && core.done === null) {
      core.close();
    } else {
      this.abortAttempt?.(new HttpFlvClosedError('httpflv: pull closed before the stream started'));
      this.socket?.destroy();
    }
    this.finish({ kind: 'local', message: 'closed by the user' });
  }

  private async run(url: string): Promise<HttpFlvPullStart> {
    const maxRedirects = this.opts.maxRedirects ?? 5;
    let next = url;
    try {
      for (;;) {
        const u = parseHttpFlvUrl(next);
        this.currentUrl = u.href;
        const r = await this.attempt(u);
        if (r.kind === 'started') return r.start;
        if (this.redirectCount >= maxRedirects) {
          throw new ProtocolError(`httpflv: more than ${maxRedirects} redirects (the last to ${r.location})`);
        }
        this.redirectCount++;
        this.logger.info(`[${this.id}] redirected from ${u.href} to ${r.location}`);
        next = r.location;
      }
    } catch (e) {
      this.finish(reasonBeforeStart(e));
      throw e;
    }
  }

  private async attempt(u: HttpFlvUrl): Promise<Attempt> {
    if (this.closedReason !== null)
      throw new HttpFlvClosedError('httpflv: pull closed before the stream started');
    const socket = await this.connect(u);
    if (this.closedReason !== null) {
      socket.destroy();
      throw new HttpFlvClosedError('httpflv: pull closed before the stream started');
    }
    this.socket = socket;
    return new Promise<Attempt>((resolve, reject) => {
      let settled = false;
      const settle = (a: Attempt | LalError): void => {
        if (settled) return;
        settled = true;
        this.abortAttempt = undefined;
        if (a instanceof LalError) {
          socket.destroy();
          reject(a);
        } else {
          if (a.kind === 'redirect') socket.destroy();
          resolve(a);
        }
      };
      this.abortAttempt = settle;
      const core = new HttpFlvPullCore(
        u,
        {
          send: (b) => {
            if (!socket.destroyed) socket.write(b);
          },
          end: () => {
            if (socket.destroyed) return;
            socket.end();
            const t = setTimeout(() => socket.destroy(), 1000);
            t.unref();
            socket.once('close', () => clearTimeout(t));
          },
        },
        {
          onStart: (head) =>
            settle({
              kind: 'started',
              start: {
                url: u.href,
                protocol: core.isWebSocket ? 'wsflv' : 'httpflv',
                status: head.status,
                headers: head.headers,
                redirects: this.redirectCount,
              },
            }),
          onHeader: this.events.onHeader ? (h) => this.events.onHeader?.(h) : undefined,
          onTag: this.events.onTag ? (t) => this.events.onTag?.(t) : undefined,
          onDone: (result) => {
            if (!core.isStarted) {
              settle(resultBeforeStart(result, u));
            } else {
              // The core has ended the socket (or it is gone); the end's timer destroys it.
              this.finish(this.reasonAfterStart(result));
            }
          },
        },
        this.opts,
      );
      this.core = core;
      let socketError: Error | undefined;
      socket.on('data', (chunk: Buffer) => {
        this.bytesIn += chunk.length;
        core.feed(chunk);
      });
      socket.on('error', (e) => {
        socketError = e;
      });
      socket.once('close', () => {
        core.eof(socketError ? `connection lost: ${socketError.message}` : undefined);
      });
      const readTimeoutMs = this.opts.readTimeoutMs ?? 10_000;
      if (readTimeoutMs > 0) {
        socket.setTimeout(readTimeoutMs, () => {
          const e = new HttpFlvTimeoutError('read', readTimeoutMs, `nothing from ${u.href}`);
          if (!core.isStarted) settle(e);
          else this.finish({ kind: 'timeout', message: e.message, error: e });
          socket.destroy();
        });
      }
      core.start();
    });
  }

  /** TCP (or TLS) connect with a timeout; Nagle off. */
  private connect(u: HttpFlvUrl): Promise<Socket> {
    const timeoutMs = this.opts.connectTimeoutMs ?? 5000;
    const secure = u.scheme === 'https' || u.scheme === 'wss';
    return new Promise<Socket>((resolve, reject) => {
      const socket: Socket = secure
        ? tlsConnect({
            host: u.host,
            port: u.port,
            ...(isIP(u.host) === 0 ? { servername: u.host } : {}),
            ...this.opts.tls,
          })
        : tcpConnect({ host: u.host, port: u.port });
      const ready = secure ? 'secureConnect' : 'connect';
      let timer: NodeJS.Timeout | undefined;
      const cleanup = (): void => {
        if (timer !== undefined) clearTimeout(timer);
        socket.off('error', onError);
        socket.off(ready, onReady);
        if (this.abortAttempt === abort) this.abortAttempt = undefined;
      };
      const fail = (e: LalError): void => {
        cleanup();
        socket.destroy();
        reject(e);
      };
      const onError = (e: Error): void =>
        fail(
          new HttpFlvClosedError(`httpflv: cannot connect to ${u.host}:${u.port}: ${e.message}`, {
            cause: e,
          }),
        );
      const onReady = (): void => {
        cleanup();
        socket.setNoDelay(true);
        resolve(socket);
      };
      const abort = (e: LalError): void => fail(e);
      this.abortAttempt = abort;
      socket.once('error', onError);
      socket.once(ready, onReady);
      if (timeoutMs > 0) {
        timer = setTimeout(
          () => fail(new HttpFlvTimeoutError('connect', timeoutMs, `${u.host}:${u.port}`)),
          timeoutMs,
        );
      }
    });
  }

  private reasonAfterStart(r: HttpFlvPullResult): HttpFlvCloseReason {
    switch (r.kind) {
      case 'end':
        return this.closingLocally
          ? { kind: 'local', message: 'closed by the user' }
          : { kind: 'peer', message: r.detail };
      case 'error':
        return { kind: 'error', message: r.error.message, error: r.error };
      case 'listener-error':
        return {
          kind: 'observer-error',
          message: `a listener threw: ${errorMessage(r.error)}`,
          error: r.error,
        };
      case 'redirect':
        return { kind: 'error', message: `unexpected redirect to ${r.location}` };
    }
  }

  private finish(reason: HttpFlvCloseReason): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    this.logger.info(`[${this.id}] closed: ${reason.kind}: ${reason.message}`);
    try {
      this.events.onClose?.(reason);
    } catch (e) {
      this.logger.error(`[${this.id}] onClose threw: ${errorMessage(e)}`);
    }
    this.resolveDone(reason);
  }
}

function resultBeforeStart(r: HttpFlvPullResult, u: HttpFlvUrl): Attempt | LalError {
  switch (r.kind) {
    case 'redirect':
      return { kind: 'redirect', location: r.location };
    case 'error':
      return r.error;
    case 'end':
      return new HttpFlvClosedError(`httpflv: ${r.detail} before the stream started (${u.href})`);
    case 'listener-error':
      return new HttpFlvClosedError(`httpflv: a listener threw: ${errorMessage(r.error)}`, {
        cause: r.error,
      });
  }
}

function reasonBeforeStart(e: unknown): HttpFlvCloseReason {
  const message = errorMessage(e);
  if (e instanceof HttpFlvStatusError) return { kind: 'rejected', message, error: e };
  if (e instanceof HttpFlvTimeoutError) return { kind: 'timeout', message, error: e };
  if (e instanceof HttpFlvClosedError && e.message.includes('pull closed before')) {
    return { kind: 'local', message, error: e };
  }
  return { kind: 'error', message, error: e };
}

function errorMessage(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}
