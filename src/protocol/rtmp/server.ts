import { type AddressInfo, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { createServer as createTlsServer, type TlsOptions } from 'node:tls';
import type { Logger } from '../../base/logger.js';
import { nullLogger } from '../../base/logger.js';
import { readSocket } from '../socket-read.js';
import {
  type RtmpServerObserver,
  RtmpServerSession,
  type RtmpServerSessionOptions,
} from './server-session.js';
import { DEFAULT_CLOSE_GRACE_MS, SocketIo } from './socket-io.js';

/** Options of RtmpServer: the session options plus the listener's own. */
export interface RtmpServerOptions extends Omit<RtmpServerSessionOptions, 'id' | 'remoteAddress' | 'nowMs'> {
  /** Serve `rtmps://`: TLS options with at least `key` and `cert`. Default: plain TCP. */
  tls?: TlsOptions;
  /** How often every session's timers run, ms. Default 1000. */
  tickIntervalMs?: number;
  /** After a session closes, how long to wait for the flush before destroying its socket, ms. Default 2000. */
  closeGraceMs?: number;
  /**
   * Most concurrent connections. A connection past it is refused kindly while few are being refused
   * (it completes the handshake and its `connect` gets `_error` NetConnection.Connect.Rejected with
   * the reason, within the handshake timeout), else closed at once. Default 10,000.
   */
  maxConnections?: number;
  /**
   * The connection count compared with maxConnections, when the limit is shared with other
   * listeners (lals: RTMP and HTTP together). Default: this server's own sessions.
   */
  connectionCount?: () => number;
}

/**
 * RTMP server adapter: listens on TCP (or TLS), gives each connection a sans-IO
 * RtmpServerSession bound to its socket (SocketIo: writes batched per event-loop turn) and runs
 * the session timers from one interval. The observer receives every session event.
 */
export class RtmpServer {
  private readonly observer: RtmpServerObserver;
  private readonly options: RtmpServerOptions;
  private readonly logger: Logger;
  private readonly server: Server;
  private readonly live = new Map<RtmpServerSession, Socket>();
  /** Connections past maxConnections being told why (not counted as connections). */
  private readonly refusing = new Set<RtmpServerSession>();
  private timer: NodeJS.Timeout | undefined;
  private closing: Promise<void> | undefined;

  constructor(observer: RtmpServerObserver, options: RtmpServerOptions = {}) {
    this.observer = observer;
    this.options = options;
    this.logger = options.logger ?? nullLogger;
    const onSocket = (socket: Socket): void => this.accept(socket);
    this.server = options.tls ? createTlsServer(options.tls, onSocket) : createTcpServer(onSocket);
    this.server.on('error', (e) => this.logger.error(`rtmp server: ${e.message}`));
    if (options.tls) {
      // A failed TLS handshake never becomes a session; log it once and move on.
      this.server.on('tlsClientError', (e: Error) =>
        this.logger.warn(`rtmp server: TLS client error: ${e.message}`),
      );
    }
  }

  /**
   * Starts listening (port 0 picks a free port). Resolves with the bound address; rejects if the
   * port cannot be bound.
   */
  listen(port = 1935, host = '0.0.0.0'): Promise<AddressInfo> {
    return new Promise((resolve, reject) => {
      const onError = (e: Error): void => reject(e);
      this.server.once('error', onError);
      this.server.listen(port, host, () => {
        this.server.off('error', onError);
        const interval = this.options.tickIntervalMs ?? 1000;
        this.timer = setInterval(() => this.tick(), interval);
        this.timer.unref();
        resolve(this.server.address() as AddressInfo);
      });
    });
  }

  /** The bound address, or null when not listening. */
  get address(): AddressInfo | null {
    const a = this.server.address();
    return a !== null && typeof a === 'object' ? a : null;
  }

  /** The open sessions. */
  get sessions(): IterableIterator<RtmpServerSession> {
    return this.live.keys();
  }

  get sessionCount(): number {
    return this.live.size;
  }

  /**
   * Stops listening and closes every session (kind 'local'); resolves when all sockets are
   * closed. Idempotent: later calls return the same promise.
   */
  close(): Promise<void> {
    if (this.closing !== undefined) return this.closing;
    if (this.timer !== undefined) clearInterval(this.timer);
    const listenerClosed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    const socketsClosed: Promise<void>[] = [];
    for (const s of [...this.refusing]) s.close('server closing');
    for (const [session, socket] of [...this.live]) {
      if (!socket.destroyed)
        socketsClosed.push(new Promise((resolve) => socket.once('close', () => resolve())));
      session.close('server closing');
    }
    this.closing = Promise.all([listenerClosed, ...socketsClosed]).then(() => {});
    return this.closing;
  }

  private tick(): void {
    for (const s of this.live.keys()) s.tick();
    for (const s of this.refusing) s.tick();
  }

  private accept(socket: Socket): void {
    const max = this.options.maxConnections ?? 10_000;
    const n = this.options.connectionCount?.() ?? this.live.size;
    if (this.closing !== undefined || n >= max) {
      const why = this.closing !== undefined ? 'server closing' : `too many connections (${n}, limit ${max})`;
      const kind = this.closing === undefined && this.refusing.size < MAX_REFUSING;
      this.logger.warn(
        `rtmp server: refusing ${socket.remoteAddress}: ${why}${kind ? ' (told at connect)' : ''}`,
      );
      if (kind) this.refuse(socket, why);
      else socket.destroy();
      return;
    }
    const session = this.startSession(socket, this.observer, () => this.live.delete(session));
    this.live.set(session, socket);
    this.logger.info(`[${session.id}] accepted ${session.remoteAddress}`);
  }

  /** A connection past the limit: handshake, then `connect` is rejected with `why` and it closes. */
  private refuse(socket: Socket, why: string): void {
    const observer: RtmpServerObserver = {
      onConnect: () => new Error(why),
      onNewPubSession: () => new Error(why),
      onPubMessage: () => {},
      onNewSubSession: () => new Error(why),
      onClose: () => this.refusing.delete(session),
    };
    const session = this.startSession(socket, observer, () => this.refusing.delete(session));
    this.refusing.add(session);
  }

  /** Binds a new session to `socket`: reads, writes, errors and the close (`gone` runs first). */
  private startSession(socket: Socket, observer: RtmpServerObserver, gone: () => void): RtmpServerSession {
    socket.setNoDelay(true);
    const io = new SocketIo(socket, this.options.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS, true);
    const remoteAddress = `${socket.remoteAddress ?? ''}:${socket.remotePort ?? ''}`;
    const session = new RtmpServerSession(observer, io, {
      ...this.options,
      remoteAddress,
    });
    let socketError: Error | undefined;
    readSocket(socket, (b) => session.feed(b));
    socket.on('error', (e) => {
      socketError = e;
    });
    socket.on('close', () => {
      gone();
      session.close(
        socketError === undefined
          ? { kind: 'peer', message: 'connection closed by the peer' }
          : { kind: 'peer', message: `connection lost: ${socketError.message}`, error: socketError },
      );
    });
    return session;
  }
}

/** Most connections past maxConnections told why at once; beyond it they are closed without a word. */
const MAX_REFUSING = 64;
