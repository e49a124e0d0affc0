import type { Socket } from 'node:net';
import type { Logger } from '../../base/logger.js';
import { packFlvHeader } from '../../format/flv/header.js';
import { SocketWriter } from '../socket-write.js';
import type { HttpFlvCloseReason } from './close-reason.js';
import { WsCloseCode } from './errors.js';
import type { HttpFlvPath } from './http-flv-path.js';
import { type HttpHeaderList, packHttpStatusResponse } from './http-response.js';
import { WebSocketConnection } from './websocket-connection.js';
import {
  packWebSocketFrame,
  packWebSocketFrameHeaderInto,
  WsOpcode,
  webSocketFrameHeaderSize,
} from './websocket-frame.js';
import { packWebSocketUpgradeResponse, type WebSocketUpgrade } from './websocket-handshake.js';

/** How a player reaches the stream: HTTP-FLV (the body of a GET) or WebSocket-FLV. */
export type HttpFlvProtocol = 'httpflv' | 'wsflv';

/** What the server knows about a request for a stream (a sub session, or a HEAD check). */
export interface HttpFlvRequestInfo {
  readonly protocol: HttpFlvProtocol;
  /** 'GET' (or 'HEAD' for the HEAD check). */
  readonly method: string;
  /** From the path: `/live/sub/test.flv` -> app `live/sub`, streamName `test` (both decoded). */
  readonly app: string;
  readonly streamName: string;
  /** The decoded path. */
  readonly path: string;
  /** The query without '?' as sent ('' when none), and decoded (null-prototype object). */
  readonly rawQuery: string;
  readonly query: Readonly<Record<string, string>>;
  /** The request's header fields by lower-case name (Origin, Referer, User-Agent, Cookie, ...). */
  readonly headers: ReadonlyMap<string, string>;
  /** `address:port` of the player. */
  readonly remoteAddress: string;
}

/** Flags of the FLV header (E.2 TypeFlagsAudio / TypeFlagsVideo). */
export interface FlvHeaderFlags {
  hasAudio: boolean;
  hasVideo: boolean;
}

/** What the server gives a session (internal wiring; not part of the public API). */
export interface HttpFlvSubSessionInit {
  id: string;
  socket: Socket;
  protocol: HttpFlvProtocol;
  path: HttpFlvPath;
  headers: ReadonlyMap<string, string>;
  remoteAddress: string;
  /** The shared, pre-packed 200 head (HTTP-FLV). */
  responseHead: Buffer;
  /** The client's handshake (WebSocket-FLV). */
  upgrade: WebSocketUpgrade | undefined;
  wsMaxMessageSize: number;
  closeGraceMs: number;
  logger: Logger;
  /** Called once, when the session closes. */
  onClosed: (session: HttpFlvSubSession, reason: HttpFlvCloseReason) => void;
}

/** Shared, read-only FLV headers (with PreviousTagSize0) by flags: index audio*2 + video. */
const FLV_HEADERS: readonly Buffer[] = [0, 1, 2, 3].map((i) =>
  packFlvHeader({ hasAudio: i >= 2, hasVideo: (i & 1) === 1 }),
);
/** The same, each in one WebSocket binary frame. */
const WS_FLV_HEADERS: readonly Buffer[] = FLV_HEADERS.map((h) => packWebSocketFrame(WsOpcode.Binary, h));

/**
 * One player of an HTTP-FLV or WebSocket-FLV stream, server side (lal `httpflv/server_sub_session.go`).
 * Made by HttpFlvServer and handed to the observer's onNewHttpFlvSub; the business layer then calls
 * writeHeader once and write() with pre-packed FLV tags, watching bufferedBytes.
 *
 * HTTP-FLV: `HTTP/1.1 200`, `Content-Type: video/x-flv`, `Connection: close` and no length (the body
 * runs until the connection closes), then the 13-byte FLV header and the tags.
 *
 * WebSocket-FLV: the 101 answer, then one binary frame with the 13-byte FLV header (header and
 * PreviousTagSize0), then ONE FLV TAG PER BINARY FRAME (each Buffer given to write() becomes one
 * frame): what flv.js/mpegts.js and lal do. Frames are never masked (server to client), so the
 * shared tag Buffer is written as is after its 2..10-byte frame header. Pings are answered, a close
 * frame is echoed and closes the session, data messages from the player are read and dropped
 * (bounded by wsMaxMessageSize: 1009 past it), a protocol fault closes with 1002.
 */
export class HttpFlvSubSession implements HttpFlvRequestInfo {
  readonly id: string;
  readonly protocol: HttpFlvProtocol;
  readonly method = 'GET';
  readonly app: string;
  readonly streamName: string;
  readonly path: string;
  readonly rawQuery: string;
  readonly query: Readonly<Record<string, string>>;
  readonly headers: ReadonlyMap<string, string>;
  readonly remoteAddress: string;
  private readonly socket: Socket;
  /** Media writes (straight to the handle on plain TCP); the head and control frames use socket.write. */
  private readonly writer: SocketWriter;
  private readonly responseHead: Buffer;
  private readonly upgrade: WebSocketUpgrade | undefined;
  private readonly ws: WebSocketConnection | undefined;
  private readonly closeGraceMs: number;
  private readonly logger: Logger;
  private readonly onClosed: HttpFlvSubSessionInit['onClosed'];
  private headerSent = false;
  private ended = false;
  private closedReason: HttpFlvCloseReason | null = null;

  constructor(init: HttpFlvSubSessionInit) {
    this.id = init.id;
    this.protocol = init.protocol;
    this.app = init.path.app;
    this.streamName = init.path.streamName;
    this.path = init.path.path;
    this.rawQuery = init.path.rawQuery;
    this.query = init.path.query;
    this.headers = init.headers;
    this.remoteAddress = init.remoteAddress;
    this.socket = init.socket;
    this.writer = new SocketWriter(init.socket);
    this.responseHead = init.responseHead;
    this.upgrade = init.upgrade;
    this.closeGraceMs = init.closeGraceMs;
    this.logger = init.logger;
    this.onClosed = init.onClosed;
    if (init.protocol === 'wsflv') {
      this.ws = new WebSocketConnection(
        {
          // Control answers (pong, close) go out only once the 101 has: before it they would
          // corrupt the HTTP answer (and a client must not send frames before it anyway).
          send: (frame) => {
            if (this.headerSent && !this.ended && !this.socket.destroyed) this.socket.write(frame);
          },
          end: () => this.endSocket(),
        },
        {
          onClose: (info) => {
            if (info.by === 'local') return;
            this.finish(
              info.by === 'peer'
                ? {
                    kind: 'peer',
                    message: `websocket closed by the player (${info.code}${info.reason ? ` ${info.reason}` : ''})`,
                  }
                : { kind: 'error', message: info.reason, error: info.error },
            );
          },
        },
        { role: 'server', maxMessageSize: init.wsMaxMessageSize },
      );
    }
  }

  /** True once the session is closed (writes are dropped). */
  get closed(): boolean {
    return this.closedReason !== null;
  }

  /** Why it closed (null while open). */
  get closeReason(): HttpFlvCloseReason | null {
    return this.closedReason;
  }

  /** True once writeHeader has run. */
  get headerWritten(): boolean {
    return this.headerSent;
  }

  /**
   * Bytes handed to the socket and not yet written to the network (SocketWriter.queuedBytes): the input
   * of the server's back-pressure policy (skip video past a soft mark, close past a hard one).
   */
  get bufferedBytes(): number {
    return this.writer.queuedBytes;
  }

  /** Bytes written to the network so far (response head and frame headers included). */
  get bytesWritten(): number {
    return this.writer.bytesAccepted;
  }

  /**
   * Starts the response: the HTTP 200 head (HTTP-FLV) or the 101 answer (WebSocket-FLV), then the FLV
   * header with these flags (default both), in one syscall. Call once, at or after onNewHttpFlvSub;
   * later calls are ignored. Returns false when the session is closed.
   */
  writeHeader(flags: FlvHeaderFlags = { hasAudio: true, hasVideo: true }): boolean {
    if (this.closedReason !== null || this.ended) return false;
    if (this.headerSent) return true;
    this.headerSent = true;
    const i = (flags.hasAudio ? 2 : 0) + (flags.hasVideo ? 1 : 0);
    const s = this.socket;
    s.cork();
    if (this.upgrade !== undefined) {
      // Echo the first subprotocol offered: a browser that offered some fails without one back.
      s.write(packWebSocketUpgradeResponse(this.upgrade.accept, this.upgrade.protocols[0]));
      s.write(WS_FLV_HEADERS[i] as Buffer);
    } else {
      s.write(this.responseHead);
      s.write(FLV_HEADERS[i] as Buffer);
    }
    s.uncork();
    return true;
  }

  /**
   * Writes a batch of packed FLV tags (header + body + PreviousTagSize each) in one syscall (corked
   * writes leave in one writev). The Buffers are shared and read-only: the same ones may go to every
   * player and are retained until written, so they must never be mutated. For WebSocket-FLV each
   * Buffer becomes one binary frame (give one tag per Buffer): the frame headers are packed into one
   * new Buffer per batch and interleaved, the tags are not copied. Writes the FLV header first when
   * writeHeader has not run. Call it at most once per event-loop turn with everything you have.
   * Returns false (and writes nothing) when the session is closed.
   */
  write(buffers: readonly Uint8Array[]): boolean {
    if (this.closedReason !== null || this.ended || this.socket.destroyed) return false;
    if (!this.headerSent) this.writeHeader();
    if (this.ws === undefined) {
      this.writer.writev(buffers);
      return true;
    }
    let total = 0;
    for (const b of buffers) total += webSocketFrameHeaderSize(b.length);
    const headers = Buffer.allocUnsafe(total);
    const list: Uint8Array[] = [];
    let off = 0;
    for (const b of buffers) {
      const n = packWebSocketFrameHeaderInto(headers, off, WsOpcode.Binary, b.length);
      list.push(headers.subarray(off, off + n));
      if (b.length > 0) list.push(b);
      off += n;
    }
    this.writer.writev(list);
    return true;
  }

  /**
   * Closes the session (idempotent): WebSocket-FLV sends a close frame (1000, or 1001 for a server
   * shutdown), then the socket is ended after what is queued is flushed, and destroyed if that takes
   * longer than the server's closeGraceMs. The observer's onClose follows at once (kind 'local').
   */
  close(reason = 'closed by the server', goingAway = false): void {
    if (this.closedReason !== null) return;
    this.finish({ kind: 'local', message: reason });
    this.shutdown(goingAway ? WsCloseCode.GoingAway : WsCloseCode.Normal, reason);
  }

  /**
   * Drops the player at once (idempotent): the socket is destroyed with whatever is still queued, no
   * close frame. For the hard back-pressure mark, where flushing the backlog is the problem. The
   * observer's onClose follows at once (kind 'local').
   */
  abort(reason = 'aborted by the server'): void {
    if (this.closedReason !== null) return;
    this.ended = true;
    this.socket.destroy();
    this.finish({ kind: 'local', message: reason });
  }

  // ---- used by HttpFlvServer ----

  /** Socket bytes after the head: WebSocket frames from the player; ignored for HTTP-FLV. */
  onSocketData(chunk: Uint8Array): void {
    if (this.ws !== undefined && this.closedReason === null) this.ws.feed(chunk);
  }

  /** The socket closed or failed. */
  onSocketGone(error: Error | undefined): void {
    if (this.closedReason !== null) return;
    this.ws?.lost();
    this.finish(
      error === undefined
        ? { kind: 'peer', message: 'connection closed by the player' }
        : { kind: 'peer', message: `connection lost: ${error.message}`, error },
    );
  }

  /**
   * Answers an HTTP status instead of the stream (the observer rejected the player, or threw) and
   * closes. Only before writeHeader; after it the session just closes.
   */
  reject(
    kind: 'rejected' | 'observer-error',
    status: number,
    message: string,
    extra: HttpHeaderList = [],
    location?: string,
  ): void {
    if (this.closedReason !== null) return;
    this.finish({ kind, message: `${status} ${message}` });
    if (!this.headerSent && !this.ended && !this.socket.destroyed) {
      this.headerSent = true;
      let answer: Buffer;
      try {
        answer = packHttpStatusResponse(status, message, {
          extraHeaders: extra,
          ...(location ? { location } : {}),
        });
      } catch (e) {
        // A Location with CR/LF (header injection) from the business layer: refuse to send it.
        this.logger.error(
          `[${this.id}] cannot answer ${status}: ${e instanceof Error ? e.message : String(e)}`,
        );
        answer = packHttpStatusResponse(500, 'internal error');
      }
      this.socket.write(answer);
    }
    this.endSocket();
  }

  private shutdown(code: WsCloseCode, reason: string): void {
    if (this.ws !== undefined && this.headerSent) this.ws.close(code, reason);
    else this.endSocket();
  }

  private finish(reason: HttpFlvCloseReason): void {
    if (this.closedReason !== null) return;
    this.closedReason = reason;
    if (reason.kind !== 'local' && reason.kind !== 'peer') {
      this.logger.info(`[${this.id}] closing ${this.remoteAddress}: ${reason.message}`);
    }
    if (reason.kind === 'error') this.endSocket();
    this.onClosed(this, reason);
  }

  private endSocket(): void {
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
}
