import type { Socket } from 'node:net';
import { InvalidArgError } from '../../util/errors.js';
import type { RtmpClientCore, RtmpClientEvents } from './client-session.js';
import { RtmpClosedError } from './errors.js';
import type { RtmpCloseReason } from './session-types.js';
import { connectSocket, DEFAULT_CLOSE_GRACE_MS, type RtmpConnectOptions, SocketIo } from './socket-io.js';
import { parseRtmpUrl, type RtmpUrl } from './url.js';

/** Socket-level options of the client sessions. */
export interface RtmpClientSocketOptions extends RtmpConnectOptions {
  /** How often the session's start/read timers run, ms. Default 250. */
  tickIntervalMs?: number;
  /** After close, how long to wait for the flush before destroying the socket, ms. Default 2000. */
  closeGraceMs?: number;
}

/**
 * Binds a client core (push or pull) to a socket: connect (TCP or TLS), feed, timers, batched
 * writes, and the start/close promises. Subclasses only make the core and add their methods.
 */
export abstract class RtmpClientAdapter<C extends RtmpClientCore> {
  protected core: C | null = null;
  protected io: SocketIo | null = null;
  private socket: Socket | null = null;
  private readonly socketOptions: RtmpClientSocketOptions;
  private readonly userEvents: RtmpClientEvents;
  private resolveDone: (r: RtmpCloseReason) => void = () => {};
  private socketClosed: Promise<void> = Promise.resolve();
  private startCalled = false;
  private closeCalled = false;
  /** Resolves with the close reason once the session is closed. */
  readonly done: Promise<RtmpCloseReason>;

  constructor(events: RtmpClientEvents, socketOptions: RtmpClientSocketOptions) {
    this.userEvents = events;
    this.socketOptions = socketOptions;
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  protected abstract makeCore(url: RtmpUrl, io: SocketIo, events: RtmpClientEvents): C;

  /**
   * Connects to `url` (`rtmp://` or `rtmps://`) and runs the handshake and commands. Resolves once
   * publishing / playing; rejects with the connect error, an RtmpTimeoutError, an RtmpStatusError
   * naming the server's status code, or an RtmpClosedError. Call once.
   */
  async start(url: string): Promise<void> {
    if (this.startCalled) throw new InvalidArgError('rtmp: start called twice');
    this.startCalled = true;
    const u = parseRtmpUrl(url);
    let socket: Socket;
    try {
      socket = await connectSocket(u, this.socketOptions);
    } catch (e) {
      this.resolveDone({ kind: 'error', message: e instanceof Error ? e.message : String(e), error: e });
      throw e;
    }
    if (this.closeCalled) {
      socket.destroy();
      const error = new RtmpClosedError('rtmp: closed before the session started');
      this.resolveDone({ kind: 'local', message: error.message, error });
      throw error;
    }
    this.socket = socket;
    const io = new SocketIo(socket, this.socketOptions.closeGraceMs ?? DEFAULT_CLOSE_GRACE_MS);
    this.io = io;
    this.socketClosed = new Promise((resolve) => socket.once('close', () => resolve()));
    return new Promise<void>((resolve, reject) => {
      let started = false;
      const timer = setInterval(() => this.core?.tick(), this.socketOptions.tickIntervalMs ?? 250);
      timer.unref();
      const ev = this.userEvents;
      const core = this.makeCore(u, io, {
        onStart: () => {
          started = true;
          resolve();
          ev.onStart?.();
        },
        onMessage: (m) => ev.onMessage?.(m),
        onStatus: (s) => ev.onStatus?.(s),
        onStreamEof: () => ev.onStreamEof?.(),
        onClose: (r) => {
          clearInterval(timer);
          if (!started) reject(r.error ?? new RtmpClosedError(`rtmp: ${r.message}`));
          this.resolveDone(r);
          ev.onClose?.(r);
        },
      });
      this.core = core;
      let socketError: Error | undefined;
      socket.on('data', (b: Buffer) => core.feed(b));
      socket.on('error', (e) => {
        socketError = e;
      });
      socket.on('close', () => core.transportClosed(socketError));
      core.start();
    });
  }

  /** True while the socket takes more bytes without queueing past its high-water mark. */
  get writable(): boolean {
    return this.io?.writable ?? false;
  }

  /** Bytes queued in the socket, not yet written. */
  get bufferedBytes(): number {
    return this.io?.bufferedBytes() ?? 0;
  }

  /** Resolves when the socket has drained (at once if it is not backed up or is closed). */
  waitDrain(): Promise<void> {
    const s = this.socket;
    if (s === null || s.destroyed || !s.writableNeedDrain) return Promise.resolve();
    return new Promise((resolve) => {
      const done = (): void => {
        s.off('drain', done);
        s.off('close', done);
        resolve();
      };
      s.on('drain', done);
      s.on('close', done);
    });
  }

  /**
   * Closes cleanly: the goodbye commands (deleteStream, ...), FIN after the flush; resolves when the
   * socket is closed. Idempotent.
   */
  async close(): Promise<void> {
    this.closeCalled = true;
    this.core?.close();
    await this.socketClosed;
  }

  /** The sans-IO core (state, stream id, handshake info, stats), null before start connects. */
  get session(): C | null {
    return this.core;
  }
}
