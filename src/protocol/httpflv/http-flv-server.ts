import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Logger } from '../../base/logger.js';
import { nullLogger } from '../../base/logger.js';
import type { HttpFlvCloseReason } from './close-reason.js';
import { HttpFlvTimeoutError, httpStatusOf } from './errors.js';
import { type HttpFlvPath, parseHttpFlvPath } from './http-flv-path.js';
import { type HttpRequestHead, HttpRequestHeadParser } from './http-head-parser.js';
import {
  type HttpHeaderList,
  packCorsPreflightResponse,
  packHttpFlvResponseHead,
  packHttpStatusResponse,
} from './http-response.js';
import { type HttpFlvRequestInfo, HttpFlvSubSession } from './sub-session.js';
import {
  isWebSocketUpgrade,
  parseWebSocketUpgrade,
  type WebSocketUpgrade,
  WS_VERSION,
} from './websocket-handshake.js';

/**
 * The server's business layer (lal's IServerObserver for HTTP-FLV). Every callback is guarded: a
 * throw closes that one session (kind 'observer-error'; a 500 if no answer was sent yet).
 */
export interface HttpFlvServerObserver {
  /**
   * A player asks for `/app/stream.flv` (HTTP-FLV, or WebSocket-FLV with an upgrade). Return an Error
   * to reject it: the player gets the error's `status` (any Error with a numeric `status` in
   * 300..599, e.g. HttpFlvRejectError; a plain Error gives 404), a short text body with its message
   * (and `Location` for a 3xx with `location`), and the connection closes. Return undefined to accept:
   * then call session.writeHeader(...) and session.write(...) (here, for a GOP cache, or later).
   */
  onNewHttpFlvSub(session: HttpFlvSubSession): Error | undefined;
  /** The session closed; called exactly once for every session given to onNewHttpFlvSub, last. */
  onClose?(session: HttpFlvSubSession, reason: HttpFlvCloseReason): void;
  /**
   * A HEAD request for a stream: return an Error to answer its status, undefined to answer 200 with
   * the HTTP-FLV headers and no body. Without it every stream path gets 200.
   */
  onHead?(request: HttpFlvRequestInfo): Error | undefined;
}

/** Options of HttpFlvServer; every field has a default. */
export interface HttpFlvServerOptions {
  /** Largest request head, bytes (431 past it). Default 8192. */
  maxHeaderSize?: number;
  /** Most header fields in a request (431 past it). Default 64. */
  maxHeaders?: number;
  /**
   * A connection must deliver its whole request head within this many ms of being accepted, or it gets
   * 408 and is closed (slowloris). 0 = no limit. Default 10,000.
   */
  headerTimeoutMs?: number;
  /** Most open connections (players and requests being read); past it a 503 and close. Default 10,000. */
  maxConnections?: number;
  /**
   * The connection count compared with maxConnections, when the limit is shared with other
   * listeners (lals: RTMP and HTTP together). Default: this server's own connections.
   */
  connectionCount?: () => number;
  /** After a session or request is done, the wait for the flush before the socket is destroyed, ms. Default 2000. */
  closeGraceMs?: number;
  /** Largest WebSocket message a player may send (they are dropped; 1009 past it). Default 65536. */
  wsMaxMessageSize?: number;
  /** The Server field of responses ('' leaves it out). Default 'lal.ts'. */
  serverName?: string;
  /** Serve `https://` and `wss://`: TLS options with at least `key` and `cert`. Default plain TCP. */
  tls?: TlsOptions;
  /** Default nullLogger. */
  logger?: Logger;
}

let counter = 0;

/** Which socket a connection is and what it has become. */
interface Conn {
  socket: Socket;
  session: HttpFlvSubSession | undefined;
}

/**
 * HTTP-FLV / WebSocket-FLV server adapter on node:net (or node:tls), not node:http: it owns each socket
 * so it writes pre-packed tags with writev and applies its own limits. Per connection: the request
 * head is read by HttpRequestHeadParser within maxHeaderSize and headerTimeoutMs; `OPTIONS` gets a
 * CORS preflight answer; `HEAD` gets the headers only; `GET /app/stream.flv` (with or without a
 * WebSocket upgrade) becomes an HttpFlvSubSession handed to the observer; any other path is 404 and a
 * bad request 400/405/426/431/505, answered with a short text body and `Connection: close`. Garbage
 * from one client closes only that client, with its reason logged.
 */
export class HttpFlvServer {
  private readonly observer: HttpFlvServerObserver;
  private readonly logger: Logger;
  private readonly server: Server;
  private readonly maxHeaderSize: number;
  private readonly maxHeaders: number;
  private readonly headerTimeoutMs: number;
  private readonly maxConnections: number;
  private readonly countConnections: (() => number) | undefined;
  private readonly closeGraceMs: number;
  private readonly wsMaxMessageSize: number;
  private readonly responseHead: Buffer;
  private readonly conns = new Set<Conn>();
  private readonly live = new Set<HttpFlvSubSession>();
  private closing: Promise<void> | undefined;

  constructor(observer: HttpFlvServerObserver, options: HttpFlvServerOptions = {}) {
    this.observer = observer;
    this.logger = options.logger ?? nullLogger;
    this.maxHeaderSize = options.maxHeaderSize ?? 8192;
    this.maxHeaders = options.maxHeaders ?? 64;
    this.headerTimeoutMs = options.headerTimeoutMs ?? 10_000;
    this.maxConnections = options.maxConnections ?? 10_000;
    this.countConnections = options.connectionCount;
    this.closeGraceMs = options.closeGraceMs ?? 2000;
    this.wsMaxMessageSize = options.wsMaxMessageSize ?? 65536;
    this.responseHead = packHttpFlvResponseHead({ server: options.serverName ?? 'lal.ts' });
    const onSocket = (socket: Socket): void => this.accept(socket);
    this.server = options.tls ? createTlsServer(options.tls, onSocket) : createTcpServer(onSocket);
    this.server.on('error', (e) => this.logger.error(`httpflv server: ${e.message}`));
    if (options.tls) {
      this.server.on('tlsClientError', (e: Error) =>
        this.logger.warn(`httpflv server: TLS client error: ${e.message}`),
      );
    }
  }

  /** Starts listening (port 0 picks a free port); resolves with the bound address. */
  listen(port = 8080, host = '0.0.0.0'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** The bound address, or null when not listening. */
  get address(): AddressInfo | null {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? a : null;
  }

  /** The open sessions (players). */
  get sessions(): IterableIterator<HttpFlvSubSession> {
    return this.live.values();
  }

  /** Open connections: players and requests still being read or answered. */
  get connectionCount(): number {
    return this.conns.size;
  }

  /**
   * Stops listening, closes every session (WebSocket close 1001) and every connection still in its
   * request; resolves when all sockets are closed. Idempotent.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    this.closing = new Promise<void>((resolve) => {
      this.server.close(() => resolve());
      for (const c of [...this.conns]) {
        if (c.session !== undefined) c.session.close('server closing', true);
        else c.socket.destroy();
      }
    });
    return this.closing;
  }

  private accept(socket: Socket): void {
    socket.on('error', (e) =>
      this.logger.debug(`httpflv server: ${socket.remoteAddress ?? ''}: ${e.message}`),
    );
    const n = this.countConnections?.() ?? this.conns.size;
    if (this.closing !== undefined || n >= this.maxConnections) {
      this.logger.warn(
        `httpflv server: refusing ${socket.remoteAddress ?? ''}: ${this.closing !== undefined ? 'closing' : `too many connections (${n}, limit ${this.maxConnections})`}`,
      );
      socket.end(packHttpStatusResponse(503, 'too many connections'));
      this.linger(socket);
      return;
    }
    socket.setNoDelay(true);
    const conn: Conn = { socket, session: undefined };
    this.conns.add(conn);
    const remoteAddress = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
    const parser = new HttpRequestHeadParser({
      maxHeaderSize: this.maxHeaderSize,
      maxHeaders: this.maxHeaders,
    });
    let timer: NodeJS.Timeout | undefined;
    const onData = (chunk: Buffer): void => {
      let r: ReturnType<HttpRequestHeadParser['feed']>;
      try {
        r = parser.feed(chunk);
      } catch (e) {
        done();
        this.refuse(socket, remoteAddress, httpStatusOf(e, 400), e);
        return;
      }
      if (r === undefined) return;
      done();
      try {
        this.handle(conn, r.head, r.rest, remoteAddress);
      } catch (e) {
        // A bug of ours must not take the process down: drop this one connection.
        this.logger.error(
          `httpflv server: ${remoteAddress}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`,
        );
        conn.session?.close('internal error');
        socket.destroy();
      }
    };
    const done = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      timer = undefined;
      socket.off('data', onData);
    };
    if (this.headerTimeoutMs > 0) {
      timer = setTimeout(() => {
        done();
        const e = new HttpFlvTimeoutError(
          'header',
          this.headerTimeoutMs,
          `${parser.buffered} bytes of request head`,
        );
        this.refuse(socket, remoteAddress, 408, e);
      }, this.headerTimeoutMs);
    }
    socket.on('data', onData);
    socket.once('close', () => {
      done();
      this.conns.delete(conn);
    });
  }

  /** Answers `status` with a short body and closes (a request we will not serve). */
  private refuse(
    socket: Socket,
    remoteAddress: string,
    status: number,
    e: unknown,
    extra: HttpHeaderList = [],
  ): void {
    const msg = e instanceof Error ? e.message : String(e);
    this.logger.info(`httpflv server: ${remoteAddress}: ${status}: ${msg}`);
    if (!socket.destroyed) socket.end(packHttpStatusResponse(status, msg, { extraHeaders: extra }));
    this.linger(socket);
  }

  private linger(socket: Socket): void {
    if (socket.destroyed) return;
    // Read (and drop) whatever still comes, so the peer's FIN is seen and the socket closes at once
    // instead of sitting out the grace period (a socket nobody reads never sees its end).
    socket.resume();
    const t = setTimeout(() => socket.destroy(), this.closeGraceMs);
    t.unref();
    socket.once('close', () => clearTimeout(t));
  }

  private handle(conn: Conn, head: HttpRequestHead, rest: Uint8Array, remoteAddress: string): void {
    const socket = conn.socket;
    if (head.method === 'OPTIONS') {
      socket.end(packCorsPreflightResponse(head.headers));
      this.linger(socket);
      return;
    }
    let path: HttpFlvPath | undefined;
    try {
      path = parseHttpFlvPath(head.target);
    } catch (e) {
      this.refuse(socket, remoteAddress, 400, e);
      return;
    }
    if (path === undefined) {
      this.refuse(
        socket,
        remoteAddress,
        404,
        new Error(`httpflv: ${head.target} is not a stream (/app/stream.flv)`),
      );
      return;
    }
    const wantsWs = isWebSocketUpgrade(head);
    if (head.method === 'HEAD') {
      this.answerHead(socket, remoteAddress, head, path);
      return;
    }
    let upgrade: WebSocketUpgrade | undefined;
    if (wantsWs) {
      try {
        upgrade = parseWebSocketUpgrade(head);
      } catch (e) {
        const status = httpStatusOf(e, 400);
        this.refuse(
          socket,
          remoteAddress,
          status,
          e,
          status === 426 ? [['Sec-WebSocket-Version', WS_VERSION]] : [],
        );
        return;
      }
    }
    const protocol = upgrade !== undefined ? 'wsflv' : 'httpflv';
    const session = new HttpFlvSubSession({
      id: `${protocol}-sub-${++counter}`,
      socket,
      protocol,
      path,
      headers: head.headers,
      remoteAddress,
      responseHead: this.responseHead,
      upgrade,
      wsMaxMessageSize: this.wsMaxMessageSize,
      closeGraceMs: this.closeGraceMs,
      logger: this.logger,
      onClosed: (s, reason) => this.onSessionClosed(s, reason),
    });
    conn.session = session;
    this.live.add(session);
    this.logger.info(
      `[${session.id}] ${remoteAddress} GET ${session.path} (app ${session.app}, stream ${session.streamName})`,
    );
    let socketError: Error | undefined;
    socket.on('error', (e) => {
      socketError = e;
    });
    socket.once('close', () => session.onSocketGone(socketError));
    socket.on('data', (chunk: Buffer) => session.onSocketData(chunk));

    let rejected: Error | undefined;
    try {
      rejected = this.observer.onNewHttpFlvSub(session);
    } catch (e) {
      this.logger.error(
        `[${session.id}] onNewHttpFlvSub threw: ${e instanceof Error ? e.message : String(e)}`,
      );
      session.reject('observer-error', 500, 'internal error');
      return;
    }
    if (rejected !== undefined) {
      const status = httpStatusOf(rejected, 404);
      const location = (rejected as { location?: unknown }).location;
      session.reject(
        'rejected',
        status,
        rejected.message,
        [],
        typeof location === 'string' ? location : undefined,
      );
      return;
    }
    if (rest.length > 0) session.onSocketData(rest);
  }

  private answerHead(socket: Socket, remoteAddress: string, head: HttpRequestHead, path: HttpFlvPath): void {
    const info: HttpFlvRequestInfo = {
      protocol: 'httpflv',
      method: 'HEAD',
      app: path.app,
      streamName: path.streamName,
      path: path.path,
      rawQuery: path.rawQuery,
      query: path.query,
      headers: head.headers,
      remoteAddress,
    };
    let rejected: Error | undefined;
    try {
      rejected = this.observer.onHead?.(info);
    } catch (e) {
      this.logger.error(`httpflv server: onHead threw: ${e instanceof Error ? e.message : String(e)}`);
      rejected = Object.assign(new Error('internal error'), { status: 500 });
    }
    if (rejected !== undefined) {
      socket.end(packHttpStatusResponse(httpStatusOf(rejected, 404), rejected.message, { headOnly: true }));
    } else {
      socket.end(this.responseHead);
    }
    this.linger(socket);
  }

  private onSessionClosed(session: HttpFlvSubSession, reason: HttpFlvCloseReason): void {
    this.live.delete(session);
    this.logger.info(`[${session.id}] closed: ${reason.kind}: ${reason.message}`);
    try {
      this.observer.onClose?.(session, reason);
    } catch (e) {
      this.logger.error(`[${session.id}] onClose threw: ${e instanceof Error ? e.message : String(e)}`);
    }
  }
}
