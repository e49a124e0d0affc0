import { isIP, type Socket, connect as tcpConnect } from 'node:net';
import { type ConnectionOptions, connect as tlsConnect } from 'node:tls';
import { SocketWriter } from '../socket-write.js';
import { RtmpTimeoutError } from './errors.js';
import type { RtmpSessionIo } from './session-types.js';
import type { RtmpUrl } from './url.js';

/** Default wait for the flush after a graceful close before the socket is destroyed, ms. */
export const DEFAULT_CLOSE_GRACE_MS = 2000;

/**
 * RtmpSessionIo over a node:net / node:tls socket (adapter code: the only RTMP file besides
 * server.ts and the client sessions that touches sockets).
 *
 * Writes are batched: the first write of an event-loop turn corks the socket and an immediate
 * uncorks it, so everything a session sends in one turn leaves in one writev syscall (a write
 * costs ~8-10 us whatever its size). Buffers are handed to the socket as they are (Node does not
 * copy them), so callers must never mutate a Buffer once sent. `close()` ends the socket after the
 * flush and destroys it if the peer has not closed within `closeGraceMs`.
 *
 * With `direct` (accepted sockets: lals's players), `sendBatch` writes through a SocketWriter,
 * straight to the libuv handle; `writable` then does not follow the Writable's high-water mark, so
 * clients that wait for 'drain' keep the default.
 */
export class SocketIo implements RtmpSessionIo {
  private readonly socket: Socket;
  private readonly closeGraceMs: number;
  private corked = false;
  private ended = false;
  private readonly writer: SocketWriter | null;
  private readonly uncork = (): void => {
    this.corked = false;
    if (!this.socket.destroyed) this.socket.uncork();
  };

  constructor(socket: Socket, closeGraceMs = DEFAULT_CLOSE_GRACE_MS, direct = false) {
    this.socket = socket;
    this.closeGraceMs = closeGraceMs;
    this.writer = direct ? new SocketWriter(socket) : null;
  }

  send(bytes: Uint8Array): void {
    const s = this.socket;
    if (this.ended || s.destroyed) return;
    if (!this.corked) {
      this.corked = true;
      s.cork();
      setImmediate(this.uncork);
    }
    s.write(bytes);
  }

  /**
   * Writes `list` now, in one syscall: through the SocketWriter when `direct`, else one write for a
   * single buffer or corked writes uncorked at once (one writev). Inside a turn that already corked
   * (control messages), it joins that batch. The media path calls it once per player per turn, so
   * it needs no deferred uncork of its own.
   */
  sendBatch(list: readonly Uint8Array[]): void {
    const s = this.socket;
    if (this.ended || s.destroyed) return;
    if (this.writer !== null && !this.corked) {
      this.writer.writev(list);
      return;
    }
    if (this.corked || list.length === 1) {
      for (const b of list) s.write(b);
      return;
    }
    s.cork();
    for (const b of list) s.write(b);
    s.uncork();
  }

  close(): void {
    if (this.ended) return;
    this.ended = true;
    const s = this.socket;
    if (s.destroyed) return;
    s.end();
    if (this.closeGraceMs <= 0) {
      s.destroy();
      return;
    }
    const t = setTimeout(() => s.destroy(), this.closeGraceMs);
    t.unref();
    s.once('close', () => clearTimeout(t));
  }

  bufferedBytes(): number {
    return this.writer !== null ? this.writer.queuedBytes : this.socket.writableLength;
  }

  /** True when the socket takes more bytes without queueing past its high-water mark. */
  get writable(): boolean {
    return !this.ended && !this.socket.destroyed && !this.socket.writableNeedDrain;
  }
}

/** How a client reaches the server. */
export interface RtmpConnectOptions {
  /** TCP (and TLS) connect timeout, ms; 0 = none. Default 5000. */
  connectTimeoutMs?: number;
  /** TLS options for `rtmps://` (ca, rejectUnauthorized, servername, ...). */
  tls?: ConnectionOptions;
}

/**
 * Opens a TCP connection (or TLS for `rtmps://`) to `url`, with a timeout. Resolves with the
 * connected socket (TLS: after the TLS handshake), Nagle off; rejects with the socket error or an
 * RtmpTimeoutError('connect').
 */
export function connectSocket(url: RtmpUrl, opts: RtmpConnectOptions = {}): Promise<Socket> {
  const timeoutMs = opts.connectTimeoutMs ?? 5000;
  return new Promise<Socket>((resolve, reject) => {
    const socket: Socket =
      url.scheme === 'rtmps'
        ? tlsConnect({
            host: url.host,
            port: url.port,
            ...(isIP(url.host) === 0 ? { servername: url.host } : {}),
            ...opts.tls,
          })
        : tcpConnect({ host: url.host, port: url.port });
    const ready = url.scheme === 'rtmps' ? 'secureConnect' : 'connect';
    let timer: NodeJS.Timeout | undefined;
    const cleanup = (): void => {
      if (timer !== undefined) clearTimeout(timer);
      socket.off('error', onError);
      socket.off(ready, onReady);
    };
    const onError = (e: Error): void => {
      cleanup();
      socket.destroy();
      reject(e);
    };
    const onReady = (): void => {
      cleanup();
      socket.setNoDelay(true);
      resolve(socket);
    };
    socket.once('error', onError);
    socket.once(ready, onReady);
    if (timeoutMs > 0) {
      timer = setTimeout(() => {
        cleanup();
        socket.destroy();
        reject(new RtmpTimeoutError('connect', timeoutMs, `${url.host}:${url.port}`));
      }, timeoutMs);
    }
  });
}
