import { LalError } from '../../util/errors.js';

/**
 * The peer answered a command with an error: an `_error` result or an `onStatus` whose level is
 * `error` (e.g. NetStream.Publish.BadName, NetStream.Play.StreamNotFound,
 * NetConnection.Connect.Rejected). `statusCode` names the status for programs.
 */
export class RtmpStatusError extends LalError {
  /** The status code the peer sent (e.g. `NetStream.Publish.BadName`), or `_error` if it sent none. */
  readonly statusCode: string;
  /** The peer's description, possibly empty. */
  readonly description: string;
  constructor(what: string, statusCode: string, description: string) {
    super('ERR_PROTOCOL', `rtmp: ${what} rejected: ${statusCode}${description ? ` (${description})` : ''}`);
    this.statusCode = statusCode;
    this.description = description;
  }
}

/** A session timer ran out (handshake, start, idle/read). */
export class RtmpTimeoutError extends LalError {
  /** Which timer: 'connect' | 'handshake' | 'start' | 'idle' | 'read'. */
  readonly timer: string;
  constructor(timer: string, ms: number, detail = '') {
    super('ERR_TIMEOUT', `rtmp: ${timer} timeout after ${ms} ms${detail ? `: ${detail}` : ''}`);
    this.timer = timer;
  }
}

/** The session closed (by the peer or locally) before the operation could complete. */
export class RtmpClosedError extends LalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_CLOSED', message, options);
  }
}
