import type { FlvHeader } from '../../format/flv/header.js';
import { FlvReader } from '../../format/flv/reader.js';
import type { FlvTag } from '../../format/flv/tag.js';
import { InvalidArgError, LalError, ProtocolError } from '../../util/errors.js';
import { ChunkedDecoder } from './chunked-decoder.js';
import { HttpFlvStatusError } from './errors.js';
import { type HttpResponseHead, HttpResponseHeadParser, headerHasToken } from './http-head-parser.js';
import { type HttpHeaderList, packHttpGetRequest } from './http-response.js';
import { WebSocketConnection } from './websocket-connection.js';
import {
  checkWebSocketUpgradeResponse,
  makeWebSocketKey,
  packWebSocketUpgradeRequest,
} from './websocket-handshake.js';

/** Where to pull from. */
export interface HttpFlvUrl {
  scheme: 'http' | 'https' | 'ws' | 'wss';
  /** Host name or address (IPv6 without brackets). */
  host: string;
  port: number;
  /** Path and query, as sent in the request line (`/live/test.flv?token=1`). */
  target: string;
  /** The Host field: host, with the port when it is not the scheme's default. */
  hostHeader: string;
  /** The URL, normalized. */
  href: string;
}

const DEFAULT_PORT = { http: 80, https: 443, ws: 80, wss: 443 } as const;

/**
 * Parses `http://`, `https://`, `ws://` or `wss://` `host[:port]/path[?query]` (WHATWG URL rules; the
 * fragment is dropped). InvalidArgError for anything else.
 */
export function parseHttpFlvUrl(url: string): HttpFlvUrl {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    throw new InvalidArgError(`httpflv: bad URL ${JSON.stringify(url)}`);
  }
  const scheme = u.protocol.slice(0, -1);
  if (scheme !== 'http' && scheme !== 'https' && scheme !== 'ws' && scheme !== 'wss') {
    throw new InvalidArgError(
      `httpflv: URL scheme ${JSON.stringify(u.protocol)} is not http(s):// or ws(s)://`,
    );
  }
  if (u.hostname === '') throw new InvalidArgError(`httpflv: URL without a host: ${JSON.stringify(url)}`);
  const host = u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
  const port = u.port === '' ? DEFAULT_PORT[scheme] : Number(u.port);
  u.hash = '';
  return {
    scheme,
    host,
    port,
    target: `${u.pathname || '/'}${u.search}`,
    hostHeader: u.host,
    href: u.href,
  };
}

/** How a pull attempt ended. */
export type HttpFlvPullResult =
  /** The server sent us elsewhere: `location` is absolute. */
  | { kind: 'redirect'; status: number; location: string }
  /** The stream ended: body complete, connection closed, or a WebSocket close (`detail` says which). */
  | { kind: 'end'; detail: string }
  /** The server's bytes broke HTTP, WebSocket or FLV, or it answered an error status (HttpFlvStatusError). */
  | { kind: 'error'; error: LalError }
  /** A listener threw. */
  | { kind: 'listener-error'; error: unknown };

/** What a pull attempt reports. Throws in onStart/onHeader/onTag end the attempt ('listener-error'). */
export interface HttpFlvPullCoreEvents {
  /** The answer was accepted (200 for HTTP, a valid 101 for WebSocket). */
  onStart?(head: HttpResponseHead): void;
  /** The FLV header (once). */
  onHeader?(header: FlvHeader): void;
  /** A tag; `tag.data` is shared and read-only and may be retained (a view of a received chunk or a copy). */
  onTag?(tag: FlvTag): void;
  /** The attempt is over; called exactly once. The core has ended its transport (io.end) if needed. */
  onDone?(result: HttpFlvPullResult): void;
}

/** The transport of a pull attempt. */
export interface HttpFlvPullIo {
  /** Bytes to write (a new Buffer each time). */
  send(bytes: Uint8Array): void;
  /** Close the transport (after the bytes sent). */
  end(): void;
}

/** Options of HttpFlvPullCore; every field has a default. */
export interface HttpFlvPullCoreOptions {
  /** Largest response head, bytes. Default 16384. */
  maxHeaderSize?: number;
  /** Largest FLV tag body accepted (FlvReader). Default 16 MiB. */
  maxTagSize?: number;
  /** Extra request fields (sent after ours). */
  headers?: HttpHeaderList;
  /** User-Agent field. Default 'lal.ts-httpflvpull'. */
  userAgent?: string;
  /** WebSocket key (tests); default a random one per attempt. */
  webSocketKey?: string;
}

type Body = 'raw' | 'length' | 'chunked' | 'ws';

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

/**
 * One pull attempt, sans-IO: `start()` sends the GET (or the WebSocket opening handshake), `feed`
 * takes the server's bytes, `eof()` says the transport closed. Reads the response head
 * (HttpResponseHeadParser); a 3xx with Location ends in 'redirect' (the adapter follows it), another
 * status in an HttpFlvStatusError; 200 starts the body, read to the connection's close, to its
 * Content-Length, or through the chunked coding; a WebSocket 101 is checked (Sec-WebSocket-Accept)
 * and the binary messages' bytes form the FLV stream (text messages are dropped). The FLV bytes go
 * through an FlvReader to onHeader/onTag. `feed` and `eof` never throw: everything ends in onDone.
 */
export class HttpFlvPullCore {
  readonly url: HttpFlvUrl;
  private readonly io: HttpFlvPullIo;
  private readonly events: HttpFlvPullCoreEvents;
  private readonly opts: HttpFlvPullCoreOptions;
  private readonly head: HttpResponseHeadParser;
  private readonly reader: FlvReader;
  private readonly wsKey: string;
  private body: Body | undefined;
  private remaining = 0;
  private chunked: ChunkedDecoder | undefined;
  private ws: WebSocketConnection | undefined;
  private result: HttpFlvPullResult | null = null;
  private started = false;
  private bytes = 0;

  constructor(
    url: HttpFlvUrl,
    io: HttpFlvPullIo,
    events: HttpFlvPullCoreEvents,
    opts: HttpFlvPullCoreOptions = {},
  ) {
    this.url = url;
    this.io = io;
    this.events = events;
    this.opts = opts;
    this.head = new HttpResponseHeadParser({ maxHeaderSize: opts.maxHeaderSize ?? 16384, maxHeaders: 128 });
    this.reader = new FlvReader(opts.maxTagSize !== undefined ? { maxTagSize: opts.maxTagSize } : {});
    this.wsKey = opts.webSocketKey ?? makeWebSocketKey();
  }

  get isWebSocket(): boolean {
    return this.url.scheme === 'ws' || this.url.scheme === 'wss';
  }

  /** True once the response was accepted. */
  get isStarted(): boolean {
    return this.started;
  }

  /** The result, once done. */
  get done(): HttpFlvPullResult | null {
    return this.result;
  }

  /** Bytes of the FLV stream received (body bytes, after de-chunking / de-framing). */
  get flvBytes(): number {
    return this.bytes;
  }

  /** Tags read so far. */
  get tagCount(): number {
    return this.reader.tagCount;
  }

  /** Sends the request. Call once, when the transport is connected. */
  start(): void {
    const ua: HttpHeaderList = [['User-Agent', this.opts.userAgent ?? 'lal.ts-httpflvpull']];
    const extra = this.opts.headers ?? [];
    try {
      const req = this.isWebSocket
        ? packWebSocketUpgradeRequest(this.url.target, this.url.hostHeader, this.wsKey, [...ua, ...extra])
        : packHttpGetRequest(this.url.target, this.url.hostHeader, [
            ...ua,
            ['Accept', '*/*'],
            ['Connection', 'close'],
            ...extra,
          ]);
      this.io.send(req);
    } catch (e) {
      this.finish(e instanceof LalError ? { kind: 'error', error: e } : { kind: 'listener-error', error: e });
    }
  }

  /** Bytes from the server, in any pieces (views may be retained: do not mutate them). Never throws. */
  feed(chunk: Uint8Array): void {
    if (this.result !== null) return;
    try {
      if (this.body === undefined) {
        const r = this.head.feed(chunk);
        if (r === undefined) return;
        this.onHead(r.head);
        if (this.result === null && r.rest.length > 0) this.onBody(r.rest);
      } else {
        this.onBody(chunk);
      }
    } catch (e) {
      this.fail(e);
    }
  }

  /** The transport closed (FIN, reset). Never throws. */
  eof(detail = 'connection closed by the server'): void {
    if (this.result !== null) return;
    if (this.body === undefined) {
      this.finish({
        kind: 'error',
        error: new ProtocolError(`httpflv: ${detail} before the response head (${this.url.href})`),
      });
      return;
    }
    this.ws?.lost(detail);
    if (this.result !== null) return;
    this.endOfStream(detail);
  }

  /** Ends the attempt locally (a WebSocket close frame first); onDone gets 'end' with detail 'closed locally'. */
  close(): void {
    if (this.result !== null) return;
    if (this.ws !== undefined) this.ws.close();
    else this.io.end();
    this.finish({ kind: 'end', detail: 'closed locally' });
  }

  private onHead(h: HttpResponseHead): void {
    if (REDIRECTS.has(h.status)) {
      const loc = h.headers.get('location');
      if (loc === undefined || loc === '') {
        throw new ProtocolError(`httpflv: HTTP ${h.status} without Location from ${this.url.href}`);
      }
      let location: string;
      try {
        location = new URL(loc, this.url.href).href;
      } catch {
        throw new ProtocolError(`httpflv: HTTP ${h.status} with a bad Location ${JSON.stringify(loc)}`);
      }
      this.io.end();
      this.finish({ kind: 'redirect', status: h.status, location });
      return;
    }
    if (this.isWebSocket) {
      if (h.status !== 101) throw new HttpFlvStatusError(h.status, h.statusText, this.url.href);
      checkWebSocketUpgradeResponse(h, this.wsKey);
      this.body = 'ws';
      this.ws = new WebSocketConnection(
        this.io,
        {
          onData: (binary, data) => {
            if (binary) this.onFlv(data);
          },
          onClose: (info) => {
            if (info.by === 'error') {
              this.finish({
                kind: 'error',
                error: info.error ?? new ProtocolError(`httpflv: ${info.reason}`),
              });
            } else if (info.by === 'peer') {
              this.endOfStream(
                `websocket closed by the server (${info.code}${info.reason ? ` ${info.reason}` : ''})`,
              );
            }
          },
        },
        { role: 'client' },
      );
    } else {
      if (h.status !== 200) throw new HttpFlvStatusError(h.status, h.statusText, this.url.href);
      const te = h.headers.get('transfer-encoding');
      const cl = h.headers.get('content-length');
      if (te !== undefined) {
        if (!headerHasToken(te.split(',').pop(), 'chunked')) {
          throw new ProtocolError(`httpflv: unsupported Transfer-Encoding ${JSON.stringify(te)}`);
        }
        this.body = 'chunked';
        this.chunked = new ChunkedDecoder((d) => this.onFlv(d));
      } else if (cl !== undefined) {
        if (!/^\d{1,15}$/.test(cl))
          throw new ProtocolError(`httpflv: bad Content-Length ${JSON.stringify(cl)}`);
        this.body = 'length';
        this.remaining = Number(cl);
      } else {
        this.body = 'raw';
      }
    }
    this.started = true;
    this.events.onStart?.(h);
  }

  private onBody(chunk: Uint8Array): void {
    switch (this.body) {
      case 'raw':
        this.onFlv(chunk);
        return;
      case 'length': {
        const n = Math.min(this.remaining, chunk.length);
        this.remaining -= n;
        if (n > 0) this.onFlv(n === chunk.length ? chunk : chunk.subarray(0, n));
        if (this.remaining === 0 && this.result === null) {
          this.io.end();
          this.endOfStream('end of the body (Content-Length)');
        }
        return;
      }
      case 'chunked':
        if (this.chunked?.feed(chunk) === true && this.result === null) {
          this.io.end();
          this.endOfStream('end of the chunked body');
        }
        return;
      case 'ws':
        this.ws?.feed(chunk);
        return;
    }
  }

  /** FLV stream bytes: parse and hand out every complete item. Throws: feed() catches. */
  private onFlv(data: Uint8Array): void {
    if (this.result !== null || data.length === 0) return;
    this.bytes += data.length;
    const r = this.reader;
    r.push(data);
    for (;;) {
      let item: ReturnType<FlvReader['next']>;
      try {
        item = r.next();
      } catch (e) {
        // An FLV fault: not a WebSocket one (onData runs inside the WebSocket parser).
        this.fail(e);
        return;
      }
      if (item === undefined) return;
      try {
        if (item.kind === 'tag') this.events.onTag?.(item.tag);
        else this.events.onHeader?.(item.header);
      } catch (e) {
        this.finishListener(e);
        return;
      }
      if (this.result !== null) return;
    }
  }

  private endOfStream(detail: string): void {
    const pending = this.reader.pending;
    this.finish({
      kind: 'end',
      detail: pending > 0 ? `${detail}, ${pending} bytes of a partial tag dropped` : detail,
    });
  }

  private fail(e: unknown): void {
    if (this.result !== null) return;
    if (e instanceof LalError) {
      if (this.ws !== undefined) this.ws.close(1002, 'bad stream');
      else this.io.end();
      this.finish({ kind: 'error', error: e });
    } else {
      this.finishListener(e);
    }
  }

  private finishListener(e: unknown): void {
    if (this.result !== null) return;
    if (this.ws !== undefined) this.ws.close(1011, 'listener error');
    else this.io.end();
    this.finish({ kind: 'listener-error', error: e });
  }

  private finish(r: HttpFlvPullResult): void {
    if (this.result !== null) return;
    this.result = r;
    try {
      this.events.onDone?.(r);
    } catch {
      // onDone is the adapter's; nothing to do with a throw here.
    }
  }
}
