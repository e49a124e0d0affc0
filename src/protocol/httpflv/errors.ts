import { LalError, LimitError, ProtocolError, UnsupportedError } from '../../util/errors.js';

/**
 * The typed errors of the HTTP-FLV / WebSocket-FLV library. Messages start with `httpflv: `.
 *
 * Server side, the request-head parser throws ProtocolError (answered with 400), LimitError (431)
 * and the two UnsupportedError subclasses below (405, 505); `httpStatusOf` maps any of them to the
 * status the server answers with. WebSocket frame faults carry the close code to send.
 */

/** The request method is not one this server serves (GET, HEAD, OPTIONS): answer 405. */
export class HttpMethodNotAllowedError extends UnsupportedError {
  readonly status = 405;
  readonly method: string;
  constructor(method: string) {
    super(`httpflv: method ${JSON.stringify(method)} is not allowed (GET, HEAD, OPTIONS)`);
    this.method = method;
  }
}

/** The request is not HTTP/1.x: answer 505. */
export class HttpVersionNotSupportedError extends UnsupportedError {
  readonly status = 505;
  constructor(version: string) {
    super(`httpflv: HTTP version ${JSON.stringify(version)} is not supported (HTTP/1.0, HTTP/1.1)`);
  }
}

/** A WebSocket upgrade asked for a version other than 13 (RFC 6455 4.4): answer 426. */
export class WebSocketVersionError extends UnsupportedError {
  readonly status = 426;
  constructor(version: string) {
    super(`httpflv: websocket version ${JSON.stringify(version)} is not supported (13)`);
  }
}

/**
 * What the business layer returns from `onNewHttpFlvSub` to reject a player with a given status
 * (any Error with a numeric `status` in 300..599 works the same; a plain Error means 404). A 3xx
 * with `location` sends the player elsewhere (an edge pointing at its origin, say).
 *
 * Not a LalError: it is a verdict of the business layer, not a fault of the input.
 */
export class HttpFlvRejectError extends Error {
  readonly status: number;
  readonly location: string | undefined;
  constructor(status: number, message: string, options: { location?: string } = {}) {
    super(message);
    this.name = 'HttpFlvRejectError';
    this.status = status;
    this.location = options.location;
  }
}

/** Client side: the server answered with a status other than 200 (HTTP) or 101 (WebSocket). */
export class HttpFlvStatusError extends LalError {
  readonly status: number;
  readonly statusText: string;
  readonly url: string;
  constructor(status: number, statusText: string, url: string) {
    super('ERR_PROTOCOL', `httpflv: HTTP ${status}${statusText ? ` ${statusText}` : ''} from ${url}`);
    this.status = status;
    this.statusText = statusText;
    this.url = url;
  }
}

/** A timer ran out: 'connect' (TCP/TLS), 'read' (no bytes from the peer), 'header' (request head). */
export class HttpFlvTimeoutError extends LalError {
  readonly timer: 'connect' | 'read' | 'header';
  constructor(timer: 'connect' | 'read' | 'header', ms: number, detail = '') {
    super('ERR_TIMEOUT', `httpflv: ${timer} timeout after ${ms} ms${detail ? `: ${detail}` : ''}`);
    this.timer = timer;
  }
}

/** The session closed (locally or by the peer) before the operation could complete. */
export class HttpFlvClosedError extends LalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CLOSED', message, options);
  }
}

/** RFC 6455 7.4.1 close codes this library sends or checks. */
export enum WsCloseCode {
  Normal = 1000,
  GoingAway = 1001,
  ProtocolError = 1002,
  UnsupportedData = 1003,
  /** Reserved: "no status code was present"; never sent on the wire. */
  NoStatus = 1005,
  /** Reserved: "closed abnormally"; never sent on the wire. */
  Abnormal = 1006,
  InvalidPayload = 1007,
  PolicyViolation = 1008,
  MessageTooBig = 1009,
  MandatoryExtension = 1010,
  InternalError = 1011,
}

/** A WebSocket frame the peer must not send (RFC 6455 5.2, 5.4, 5.5): close with `closeCode`. */
export class WebSocketProtocolError extends ProtocolError {
  readonly closeCode: WsCloseCode;
  constructor(message: string, closeCode: WsCloseCode = WsCloseCode.ProtocolError) {
    super(`httpflv: websocket ${message}`);
    this.closeCode = closeCode;
  }
}

/** A WebSocket message larger than the configured limit: close with 1009. */
export class WebSocketLimitError extends LimitError {
  readonly closeCode = WsCloseCode.MessageTooBig;
  constructor(what: string, requested: number, limit: number) {
    super(`httpflv: websocket ${what}`, requested, limit);
  }
}

/**
 * The HTTP status a server answers an error with: the error's own `status` (300..599) when it has
 * one, 431 for a LimitError (head too large, too many headers), 400 for other LalErrors (garbage),
 * and `fallback` for anything else (an observer's plain Error: 404 by default).
 */
export function httpStatusOf(e: unknown, fallback = 404): number {
  if (e !== null && typeof e === 'object') {
    const s = (e as { status?: unknown }).status;
    if (typeof s === 'number' && Number.isInteger(s) && s >= 300 && s <= 599) return s;
  }
  if (e instanceof LimitError) return 431;
  if (e instanceof LalError) return 400;
  return fallback;
}
