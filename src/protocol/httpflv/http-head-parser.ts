import { InvalidArgError, LalError, LimitError, ProtocolError } from '../../util/errors.js';
import { HttpMethodNotAllowedError, HttpVersionNotSupportedError } from './errors.js';

/** Limits of the head parsers; every field has a default. */
export interface HttpHeadParserOptions {
  /**
   * Largest head accepted: start line + header lines + the empty line, line ends included, bytes.
   * Past it the parser throws a LimitError (a server answers 431) without waiting for more. Default 8192.
   */
  maxHeaderSize?: number;
  /** Most header fields accepted (LimitError past it). Default 64. */
  maxHeaders?: number;
}

/** Options of HttpRequestHeadParser. */
export interface HttpRequestHeadParserOptions extends HttpHeadParserOptions {
  /** Methods served; others fail with HttpMethodNotAllowedError (405). Default GET, HEAD, OPTIONS. */
  methods?: readonly string[];
}

/** A parsed request head (RFC 9112 section 3 request line, section 5 field lines). */
export interface HttpRequestHead {
  /** The method as sent (methods are case-sensitive: `GET`). */
  method: string;
  /** The request-target as sent (origin-form `/a/b.flv?x=1`, absolute-form, or `*`). */
  target: string;
  /** The minor version: `1.0` or `1.1` (a later 1.x is read as 1.1). */
  version: '1.0' | '1.1';
  /** Fields by lower-case name; a repeated field's values are joined with `, ` (RFC 9110 5.3). */
  headers: ReadonlyMap<string, string>;
  /** Bytes the head took, line ends and the final empty line included. */
  headSize: number;
}

/** A parsed response head (RFC 9112 section 4 status line). */
export interface HttpResponseHead {
  version: '1.0' | '1.1';
  /** The three-digit status code. */
  status: number;
  /** The reason phrase ('' when the server sent none). */
  statusText: string;
  headers: ReadonlyMap<string, string>;
  headSize: number;
}

/**
 * What a parser returns once the head is complete. `rest` holds the bytes that followed the head in
 * the last chunk fed (a view of it, possibly empty): the body, or the first WebSocket frames.
 */
export interface HttpHeadResult<T> {
  head: T;
  rest: Uint8Array;
}

const DEFAULT_MAX_HEADER_SIZE = 8192;
const DEFAULT_MAX_HEADERS = 64;
const DEFAULT_METHODS: readonly string[] = ['GET', 'HEAD', 'OPTIONS'];
/** Longest method token looked at before the request line is complete. */
const MAX_METHOD_LENGTH = 24;
/** Empty lines tolerated before the start line (RFC 9112 2.2: a server SHOULD ignore at least one). */
const MAX_LEADING_EMPTY_LINES = 4;

const CR = 0x0d;
const LF = 0x0a;
const HT = 0x09;
const SP = 0x20;
const DEL = 0x7f;

/** RFC 9110 5.6.2 tchar. */
const TCHAR = new Uint8Array(128);
for (const c of "!#$%&'*+-.^_`|~0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz") {
  TCHAR[c.charCodeAt(0)] = 1;
}

/** True when every character of `s` is a tchar (a token, RFC 9110 5.6.2). */
export function isHttpToken(s: string): boolean {
  if (s.length === 0) return false;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c >= 128 || TCHAR[c] !== 1) return false;
  }
  return true;
}

const HTTP_PREFIX = [0x48, 0x54, 0x54, 0x50, 0x2f]; // "HTTP/"

/**
 * The byte-level half shared by the request and response parsers: collects a head in bounded memory
 * (never more than maxHeaderSize bytes), checking each byte as it arrives so garbage fails at once
 * rather than at the limit. A line ends with CRLF or a bare LF (RFC 9112 2.2 lets a recipient accept
 * it); a bare CR, NUL or any other control byte but HT is a ProtocolError. Errors are sticky.
 */
abstract class HeadParser<T> {
  protected readonly maxHeaderSize: number;
  protected readonly maxHeaders: number;
  private parts: Uint8Array[] = [];
  private size = 0;
  private lines = 0;
  private lineLen = 0;
  private leadingEmpty = 0;
  private cr = false;
  private done = false;
  private failed: LalError | undefined;

  constructor(opts: HttpHeadParserOptions = {}) {
    this.maxHeaderSize = opts.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    this.maxHeaders = opts.maxHeaders ?? DEFAULT_MAX_HEADERS;
    if (!(this.maxHeaderSize > 0) || !(this.maxHeaders >= 0)) {
      throw new InvalidArgError('httpflv: maxHeaderSize must be > 0 and maxHeaders >= 0');
    }
  }

  /** Bytes held while the head is incomplete (at most maxHeaderSize). */
  get buffered(): number {
    return this.size;
  }

  /** True once the head has been returned. */
  get complete(): boolean {
    return this.done;
  }

  /**
   * Takes the next bytes (a view is kept until the head is complete; do not mutate the chunk).
   * Returns the head and the bytes after it once the empty line has arrived, else undefined. Throws a
   * LalError on a malformed or oversized head, and then on every later call.
   */
  feed(chunk: Uint8Array): HttpHeadResult<T> | undefined {
    if (this.failed) throw this.failed;
    if (this.done) throw new InvalidArgError('httpflv: the head is already complete');
    try {
      return this.scan(chunk);
    } catch (e) {
      if (e instanceof LalError) this.failed = e;
      throw e;
    }
  }

  /** Checks byte `b` at column `col` of the start line (called for non-line-end bytes only). */
  protected abstract checkStartLineByte(b: number, col: number): void;
  /** Parses the start line as soon as it is complete (fail early on a bad request line). */
  protected abstract checkStartLine(line: string): void;
  /** Builds the head from its lines (start line first, no empty line). */
  protected abstract build(lines: string[], headSize: number): T;

  private scan(chunk: Uint8Array): HttpHeadResult<T> | undefined {
    const start = this.size;
    for (let i = 0; i < chunk.length; i++) {
      if (start + i >= this.maxHeaderSize) {
        throw new LimitError('httpflv: head size', start + i + 1, this.maxHeaderSize);
      }
      const b = chunk[i] as number;
      if (this.cr) {
        this.cr = false;
        if (b !== LF) throw new ProtocolError('httpflv: bare CR in the head (CR must be followed by LF)');
        if (this.endOfLine(chunk, i)) return this.finish(chunk, i + 1);
        continue;
      }
      if (b === CR) {
        this.cr = true;
        continue;
      }
      if (b === LF) {
        if (this.endOfLine(chunk, i)) return this.finish(chunk, i + 1);
        continue;
      }
      if ((b < SP && b !== HT) || b === DEL) {
        throw new ProtocolError(`httpflv: control byte 0x${b.toString(16).padStart(2, '0')} in the head`);
      }
      if (this.lines === 0) this.checkStartLineByte(b, this.lineLen);
      this.lineLen++;
    }
    this.size += chunk.length;
    this.parts.push(chunk);
    return undefined;
  }

  /** A line ended at chunk[i] (its LF); true when it was the empty line that ends the head. */
  private endOfLine(chunk: Uint8Array, i: number): boolean {
    if (this.lineLen === 0) {
      if (this.lines > 0) return true;
      if (++this.leadingEmpty > MAX_LEADING_EMPTY_LINES) {
        throw new ProtocolError('httpflv: too many empty lines before the start line');
      }
      return false;
    }
    this.lineLen = 0;
    this.lines++;
    if (this.lines === 1)
      this.checkStartLine(
        this.currentText(chunk, i + 1)
          .split(/\r?\n/)
          .join(''),
      );
    if (this.lines - 1 > this.maxHeaders) {
      throw new LimitError('httpflv: header field count', this.lines - 1, this.maxHeaders);
    }
    return false;
  }

  /** The head so far (parts + chunk[0, end)) as latin1 text, empty lines before the start line dropped. */
  private currentText(chunk: Uint8Array, end: number): string {
    const parts = [...this.parts, chunk.subarray(0, end)];
    return Buffer.concat(parts)
      .toString('latin1')
      .replace(/^(\r?\n)+/, '');
  }

  private finish(chunk: Uint8Array, end: number): HttpHeadResult<T> {
    const headSize = this.size + end;
    const text = this.currentText(chunk, end);
    this.parts = [];
    this.size = 0;
    this.done = true;
    const lines = text.split('\n').map((l) => (l.endsWith('\r') ? l.slice(0, -1) : l));
    // The text ends with the empty line: drop it (and the '' after its LF).
    while (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
    return { head: this.build(lines, headSize), rest: chunk.subarray(end) };
  }
}

/** Parses the header field lines (RFC 9112 5): `name: value`, name a token, no space before ':'. */
function parseFields(lines: string[]): Map<string, string> {
  const headers = new Map<string, string>();
  for (let k = 1; k < lines.length; k++) {
    const line = lines[k] as string;
    const c0 = line.charCodeAt(0);
    if (c0 === SP || c0 === HT) {
      throw new ProtocolError('httpflv: obsolete line folding in a header field (RFC 9112 5.2)');
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw new ProtocolError(`httpflv: header line without a field name: ${clip(line)}`);
    const name = line.slice(0, colon);
    if (!isHttpToken(name)) throw new ProtocolError(`httpflv: bad header field name ${clip(name)}`);
    const value = line.slice(colon + 1).replace(/^[ \t]+|[ \t]+$/g, '');
    const key = name.toLowerCase();
    const prev = headers.get(key);
    headers.set(key, prev === undefined ? value : `${prev}, ${value}`);
  }
  return headers;
}

function parseVersion(v: string): '1.0' | '1.1' {
  const m = /^HTTP\/(\d)\.(\d)$/.exec(v);
  if (m === null) throw new ProtocolError(`httpflv: bad HTTP version ${clip(v)}`);
  if (m[1] !== '1') throw new HttpVersionNotSupportedError(v);
  return m[2] === '0' ? '1.0' : '1.1';
}

function clip(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}...` : s);
}

/**
 * Sans-IO HTTP/1.x request-head parser (RFC 9112 sections 2-3 and 5) for a streaming server: bytes
 * in (any split), `{ head, rest }` out once the empty line arrives.
 *
 * ```
 * request-line = method SP request-target SP HTTP-version CRLF
 * field-line   = field-name ":" OWS field-value OWS CRLF   (repeated)
 * CRLF
 * ```
 * Fails fast with a typed error, never buffering more than `maxHeaderSize`: a non-token method byte
 * (garbage) at the first byte it appears, a bad request line (ProtocolError, 400), a method not served
 * (HttpMethodNotAllowedError, 405) or a version not 1.x (HttpVersionNotSupportedError, 505) as soon as
 * the request line is complete; an oversized head or too many fields (LimitError, 431). The body, if
 * any, is not read (GET/HEAD/OPTIONS carry none): `rest` returns whatever followed the head.
 */
export class HttpRequestHeadParser extends HeadParser<HttpRequestHead> {
  private readonly methods: readonly string[];
  private methodEnded = false;

  constructor(opts: HttpRequestHeadParserOptions = {}) {
    super(opts);
    this.methods = opts.methods ?? DEFAULT_METHODS;
  }

  protected checkStartLineByte(b: number, col: number): void {
    if (this.methodEnded) return;
    if (b === SP && col > 0) {
      this.methodEnded = true;
      return;
    }
    if (b >= 128 || TCHAR[b] !== 1 || col >= MAX_METHOD_LENGTH) {
      throw new ProtocolError(
        `httpflv: not an HTTP request (byte 0x${b.toString(16).padStart(2, '0')} in the method)`,
      );
    }
  }

  protected checkStartLine(line: string): void {
    parseRequestLine(line, this.methods);
  }

  protected build(lines: string[], headSize: number): HttpRequestHead {
    const { method, target, version } = parseRequestLine(lines[0] ?? '', this.methods);
    return { method, target, version, headers: parseFields(lines), headSize };
  }
}

function parseRequestLine(
  line: string,
  methods: readonly string[],
): { method: string; target: string; version: '1.0' | '1.1' } {
  const parts = line.split(' ');
  if (parts.length !== 3) throw new ProtocolError(`httpflv: bad request line ${clip(line)}`);
  const [method, target, v] = parts as [string, string, string];
  if (!isHttpToken(method)) throw new ProtocolError(`httpflv: bad method ${clip(method)}`);
  if (target.length === 0 || /[^\x21-\x7e]/.test(target)) {
    throw new ProtocolError(`httpflv: bad request target ${clip(target)}`);
  }
  const version = parseVersion(v);
  if (!methods.includes(method)) throw new HttpMethodNotAllowedError(method);
  return { method, target, version };
}

/**
 * Sans-IO HTTP/1.x response-head parser (RFC 9112 section 4) for the pull client:
 * `HTTP-version SP status-code SP [reason-phrase] CRLF`, then the fields. Input that does not start
 * with `HTTP/` fails at its first wrong byte. Same limits and errors as the request parser.
 */
export class HttpResponseHeadParser extends HeadParser<HttpResponseHead> {
  protected checkStartLineByte(b: number, col: number): void {
    if (col < HTTP_PREFIX.length && b !== HTTP_PREFIX[col]) {
      throw new ProtocolError(
        `httpflv: not an HTTP response (byte 0x${b.toString(16).padStart(2, '0')} at ${col})`,
      );
    }
  }

  protected checkStartLine(line: string): void {
    parseStatusLine(line);
  }

  protected build(lines: string[], headSize: number): HttpResponseHead {
    return { ...parseStatusLine(lines[0] ?? ''), headers: parseFields(lines), headSize };
  }
}

function parseStatusLine(line: string): { version: '1.0' | '1.1'; status: number; statusText: string } {
  const m = /^(HTTP\/\S+) (\d{3})(?: (.*))?$/.exec(line);
  if (m === null) throw new ProtocolError(`httpflv: bad status line ${clip(line)}`);
  return { version: parseVersion(m[1] as string), status: Number(m[2]), statusText: m[3] ?? '' };
}

/** True when a comma-separated header value lists `token` (case-insensitive), e.g. Connection: keep-alive, Upgrade. */
export function headerHasToken(value: string | undefined, token: string): boolean {
  if (value === undefined) return false;
  const t = token.toLowerCase();
  for (const part of value.split(',')) if (part.trim().toLowerCase() === t) return true;
  return false;
}
