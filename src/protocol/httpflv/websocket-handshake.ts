import { createHash, randomBytes } from 'node:crypto';
import { ProtocolError } from '../../util/errors.js';
import { WebSocketVersionError } from './errors.js';
import {
  type HttpRequestHead,
  type HttpResponseHead,
  headerHasToken,
  isHttpToken,
} from './http-head-parser.js';
import { type HttpHeaderList, packHttpGetRequest, packHttpResponseHead } from './http-response.js';

/** RFC 6455 1.3: the GUID appended to the key before hashing. */
export const WS_GUID = '258EAFA5-E914-47DA-95CA-C5AB0DC85B11';
/** The only protocol version of RFC 6455 (4.1, 4.4). */
export const WS_VERSION = '13';

/** Sec-WebSocket-Accept for a Sec-WebSocket-Key: base64(SHA-1(key + GUID)) (RFC 6455 1.3, 4.2.2). */
export function webSocketAcceptKey(key: string): string {
  return createHash('sha1')
    .update(key + WS_GUID, 'latin1')
    .digest('base64');
}

/** A random Sec-WebSocket-Key: 16 random bytes in base64 (RFC 6455 4.1). */
export function makeWebSocketKey(): string {
  return randomBytes(16).toString('base64');
}

/** True when the request asks to upgrade to WebSocket (its Upgrade field lists `websocket`). */
export function isWebSocketUpgrade(head: HttpRequestHead): boolean {
  return headerHasToken(head.headers.get('upgrade'), 'websocket');
}

/** A valid opening handshake, from the server's side. */
export interface WebSocketUpgrade {
  /** Sec-WebSocket-Key as sent. */
  key: string;
  /** The Sec-WebSocket-Accept to answer. */
  accept: string;
  /** Sec-WebSocket-Protocol values offered, in the client's order (empty when none). */
  protocols: string[];
}

const KEY_RE = /^[A-Za-z0-9+/]{22}==$/;

/**
 * Checks a client's opening handshake (RFC 6455 4.2.1): GET, HTTP/1.1, `Upgrade: websocket`,
 * `Connection` listing `Upgrade`, a Sec-WebSocket-Key that is 16 bytes in base64, and
 * `Sec-WebSocket-Version: 13`. Throws ProtocolError (answer 400) or WebSocketVersionError (426, with
 * `Sec-WebSocket-Version: 13`). Host and Origin are not checked (the business layer may look at them).
 */
export function parseWebSocketUpgrade(head: HttpRequestHead): WebSocketUpgrade {
  const h = head.headers;
  if (head.method !== 'GET') throw new ProtocolError(`httpflv: websocket upgrade with method ${head.method}`);
  if (head.version !== '1.1') throw new ProtocolError('httpflv: websocket upgrade needs HTTP/1.1');
  if (!headerHasToken(h.get('upgrade'), 'websocket')) {
    throw new ProtocolError('httpflv: websocket upgrade without Upgrade: websocket');
  }
  if (!headerHasToken(h.get('connection'), 'upgrade')) {
    throw new ProtocolError('httpflv: websocket upgrade without Connection: Upgrade');
  }
  const version = h.get('sec-websocket-version');
  if (version !== WS_VERSION) throw new WebSocketVersionError(version ?? '');
  const key = h.get('sec-websocket-key');
  if (key === undefined || !KEY_RE.test(key)) {
    throw new ProtocolError(`httpflv: bad Sec-WebSocket-Key ${JSON.stringify(key ?? '')}`);
  }
  const offered = h.get('sec-websocket-protocol');
  const protocols =
    offered === undefined
      ? []
      : offered
          .split(',')
          .map((s) => s.trim())
          .filter((s) => s !== '');
  if (!protocols.every(isHttpToken)) throw new ProtocolError('httpflv: bad Sec-WebSocket-Protocol');
  return { key, accept: webSocketAcceptKey(key), protocols };
}

/**
 * The 101 answer (RFC 6455 4.2.2). `protocol` is echoed in Sec-WebSocket-Protocol only when given,
 * and a server must only give one the client offered (a browser fails the connection otherwise, and
 * also when it offered some and none comes back). No extension is accepted. A new Buffer.
 */
export function packWebSocketUpgradeResponse(
  accept: string,
  protocol?: string,
  extraHeaders: HttpHeaderList = [],
): Buffer {
  return packHttpResponseHead(101, [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Accept', accept],
    ...(protocol !== undefined ? ([['Sec-WebSocket-Protocol', protocol]] as const) : []),
    ...extraHeaders,
  ]);
}

/** The opening handshake of a client (RFC 6455 4.1): a GET with the upgrade fields. A new Buffer. */
export function packWebSocketUpgradeRequest(
  target: string,
  host: string,
  key: string,
  extraHeaders: HttpHeaderList = [],
): Buffer {
  return packHttpGetRequest(target, host, [
    ['Upgrade', 'websocket'],
    ['Connection', 'Upgrade'],
    ['Sec-WebSocket-Key', key],
    ['Sec-WebSocket-Version', WS_VERSION],
    ...extraHeaders,
  ]);
}

/**
 * Checks a server's 101 answer to our handshake (RFC 6455 4.1, client steps 1-6): `Upgrade:
 * websocket`, `Connection: Upgrade`, the right Sec-WebSocket-Accept, no extension, and a
 * subprotocol only if one was offered. Throws a ProtocolError naming what is wrong. The status is
 * the caller's business (anything but 101 is not an upgrade).
 */
export function checkWebSocketUpgradeResponse(
  head: HttpResponseHead,
  key: string,
  offeredProtocols: readonly string[] = [],
): void {
  const h = head.headers;
  if (head.status !== 101) throw new ProtocolError(`httpflv: websocket upgrade answered with ${head.status}`);
  if (!headerHasToken(h.get('upgrade'), 'websocket')) {
    throw new ProtocolError('httpflv: websocket 101 without Upgrade: websocket');
  }
  if (!headerHasToken(h.get('connection'), 'upgrade')) {
    throw new ProtocolError('httpflv: websocket 101 without Connection: Upgrade');
  }
  const accept = h.get('sec-websocket-accept');
  if (accept !== webSocketAcceptKey(key)) {
    throw new ProtocolError(
      `httpflv: websocket 101 with a wrong Sec-WebSocket-Accept ${JSON.stringify(accept ?? '')}`,
    );
  }
  if (h.has('sec-websocket-extensions')) {
    throw new ProtocolError('httpflv: websocket 101 accepts an extension that was not offered');
  }
  const proto = h.get('sec-websocket-protocol');
  if (proto !== undefined && !offeredProtocols.includes(proto)) {
    throw new ProtocolError(
      `httpflv: websocket 101 selects the subprotocol ${JSON.stringify(proto)} not offered`,
    );
  }
}
