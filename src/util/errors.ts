/**
 * The error hierarchy of lal.ts. Every library throws one of these, never a raw RangeError or
 * TypeError; the session boundary catches, logs once and closes that one session.
 *
 * Messages start with the library name (`amf: ...`, `flv: ...`, `rtmp: ...`). `code` is stable and
 * meant for programs; the message is meant for people.
 *
 * Lives in util (which imports nothing) so the lowest layers can throw typed errors; `base`
 * re-exports it as part of the public API.
 */

export type LalErrorCode =
  | 'ERR_SHORT_BUFFER'
  | 'ERR_PROTOCOL'
  | 'ERR_UNSUPPORTED'
  | 'ERR_LIMIT'
  | 'ERR_INVALID_ARG'
  | 'ERR_TIMEOUT'
  | 'ERR_CLOSED';

export class LalError extends Error {
  readonly code: LalErrorCode;
  constructor(code: LalErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.code = code;
    this.name = new.target.name;
  }
}

/** Input ended before a structure was complete: `need` bytes were required, `got` were there. */
export class ShortBufferError extends LalError {
  readonly need: number;
  readonly got: number;
  constructor(what: string, need: number, got: number) {
    super('ERR_SHORT_BUFFER', `${what}: need ${need} bytes, got ${got}`);
    this.need = need;
    this.got = got;
  }
}

/** Input is malformed: a value that the spec does not allow. */
export class ProtocolError extends LalError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('ERR_PROTOCOL', message, options);
  }
}

/** Input is well formed but uses a feature this library does not implement. */
export class UnsupportedError extends LalError {
  constructor(message: string) {
    super('ERR_UNSUPPORTED', message);
  }
}

/** Input asks for more than a configured limit allows (size, depth, count). */
export class LimitError extends LalError {
  readonly limit: number;
  readonly requested: number;
  constructor(what: string, requested: number, limit: number) {
    super('ERR_LIMIT', `${what}: ${requested} exceeds the limit of ${limit}`);
    this.limit = limit;
    this.requested = requested;
  }
}

/** A caller passed an argument outside its domain (a programming error on our side of the API). */
export class InvalidArgError extends LalError {
  constructor(message: string) {
    super('ERR_INVALID_ARG', message);
  }
}

/** True when `e` is one of ours (so a caller can tell input faults from bugs). */
export function isLalError(e: unknown): e is LalError {
  return e instanceof LalError;
}
