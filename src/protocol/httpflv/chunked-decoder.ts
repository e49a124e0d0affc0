import { LalError, LimitError, ProtocolError } from '../../util/errors.js';

/** Limits of ChunkedDecoder. */
export interface ChunkedDecoderOptions {
  /** Longest chunk-size line (size + extensions) or trailer line, bytes. Default 4096. */
  maxLineSize?: number;
  /** Largest trailer section, bytes. Default 8192. */
  maxTrailerSize?: number;
}

type State = 'size' | 'data' | 'data-cr' | 'data-lf' | 'trailer' | 'done';

const CR = 0x0d;
const LF = 0x0a;
/** At most 13 hex digits: sizes below 2^52 stay exact. */
const MAX_HEX_DIGITS = 13;

/**
 * Sans-IO decoder of the chunked transfer coding (RFC 9112 7.1), for pulling from servers that send
 * HTTP-FLV with `Transfer-Encoding: chunked` (SRS, nginx-http-flv-module):
 * ```
 * chunked-body = *chunk last-chunk trailer-section CRLF
 * chunk        = chunk-size [ chunk-ext ] CRLF chunk-data CRLF
 * last-chunk   = 1*"0" [ chunk-ext ] CRLF
 * ```
 * Chunk data streams out as views of the fed chunks (never buffered, shared, read-only); only a size
 * line or trailer line is held, within its limit. Extensions and trailers are skipped. Errors are
 * typed (ProtocolError, LimitError) and sticky.
 */
export class ChunkedDecoder {
  private readonly onData: (data: Uint8Array) => void;
  private readonly maxLine: number;
  private readonly maxTrailer: number;
  private state: State = 'size';
  private line = '';
  private lineBytes = 0;
  private trailerBytes = 0;
  private remaining = 0;
  private failed: LalError | undefined;

  /** `onData` receives each piece of body data in order (a view of a fed chunk). */
  constructor(onData: (data: Uint8Array) => void, opts: ChunkedDecoderOptions = {}) {
    this.onData = onData;
    this.maxLine = opts.maxLineSize ?? 4096;
    this.maxTrailer = opts.maxTrailerSize ?? 8192;
  }

  /** True once the last chunk and the trailer section have been read. */
  get done(): boolean {
    return this.state === 'done';
  }

  /**
   * Decodes the next bytes. Returns true once the body is complete (later bytes are not part of it and
   * are ignored). Throws the LalError that stops the stream; an onData throw propagates as is.
   */
  feed(chunk: Uint8Array): boolean {
    if (this.failed) throw this.failed;
    try {
      return this.scan(chunk);
    } catch (e) {
      if (e instanceof LalError) this.failed = e;
      throw e;
    }
  }

  private scan(chunk: Uint8Array): boolean {
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      switch (this.state) {
        case 'done':
          return true;
        case 'data': {
          const take = Math.min(this.remaining, n - p);
          this.remaining -= take;
          if (this.remaining === 0) this.state = 'data-cr';
          this.onData(chunk.subarray(p, p + take));
          p += take;
          break;
        }
        case 'data-cr': {
          const b = chunk[p++] as number;
          if (b === CR) this.state = 'data-lf';
          else if (b === LF) this.state = 'size';
          else throw new ProtocolError('httpflv: chunked body: chunk data not followed by CRLF');
          break;
        }
        case 'data-lf': {
          if (chunk[p++] !== LF)
            throw new ProtocolError('httpflv: chunked body: chunk data not followed by CRLF');
          this.state = 'size';
          break;
        }
        case 'size':
        case 'trailer': {
          const b = chunk[p++] as number;
          if (b === LF) {
            this.endLine();
            break;
          }
          if (++this.lineBytes > this.maxLine) {
            throw new LimitError('httpflv: chunked body line length', this.lineBytes, this.maxLine);
          }
          if (this.state === 'trailer' && ++this.trailerBytes > this.maxTrailer) {
            throw new LimitError('httpflv: chunked body trailer size', this.trailerBytes, this.maxTrailer);
          }
          // Only the start of a line is kept: the hex digits of a size line (what follows them is
          // checked loosely), enough of a trailer line to tell an empty one.
          if (this.line.length <= (this.state === 'size' ? MAX_HEX_DIGITS : 1))
            this.line += String.fromCharCode(b);
          break;
        }
      }
    }
    return this.state === 'done';
  }

  private endLine(): void {
    const text = this.line.endsWith('\r') ? this.line.slice(0, -1) : this.line;
    const bytes = this.lineBytes;
    this.line = '';
    this.lineBytes = 0;
    if (this.state === 'trailer') {
      // An empty line (maybe just CR) ends the trailer section.
      if (bytes <= 1 && text === '') this.state = 'done';
      return;
    }
    const m = /^[0-9A-Fa-f]+/.exec(text);
    if (m === null)
      throw new ProtocolError(`httpflv: chunked body: bad chunk size line ${JSON.stringify(text)}`);
    const digits = m[0];
    if (digits.length > MAX_HEX_DIGITS) {
      throw new LimitError('httpflv: chunked body chunk-size digits', digits.length, MAX_HEX_DIGITS);
    }
    const after = text.charCodeAt(digits.length);
    // After the digits: the end of the line, BWS, or ';' (an extension). CR is stripped above.
    if (text.length > digits.length && after !== 0x3b && after !== 0x20 && after !== 0x09 && after !== CR) {
      throw new ProtocolError(`httpflv: chunked body: bad chunk size line ${JSON.stringify(text)}`);
    }
    const size = Number.parseInt(digits, 16);
    if (size === 0) {
      this.state = 'trailer';
      this.trailerBytes = 0;
    } else {
      this.remaining = size;
      this.state = 'data';
    }
  }
}
