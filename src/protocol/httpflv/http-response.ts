import { InvalidArgError } from '../../util/errors.js';
import { isHttpToken } from './http-head-parser.js';

/** A list of header fields to send, in order. */
export type HttpHeaderList = ReadonlyArray<readonly [name: string, value: string]>;

/** Reason phrases of the statuses this library sends or names (RFC 9110 section 15). */
export const HTTP_STATUS_TEXT: Readonly<Record<number, string>> = {
  101: 'Switching Protocols',
  200: 'OK',
  204: 'No Content',
  301: 'Moved Permanently',
  302: 'Found',
  303: 'See Other',
  307: 'Temporary Redirect',
  308: 'Permanent Redirect',
  400: 'Bad Request',
  401: 'Unauthorized',
  403: 'Forbidden',
  404: 'Not Found',
  405: 'Method Not Allowed',
  408: 'Request Timeout',
  409: 'Conflict',
  426: 'Upgrade Required',
  429: 'Too Many Requests',
  431: 'Request Header Fields Too Large',
  500: 'Internal Server Error',
  502: 'Bad Gateway',
  503: 'Service Unavailable',
  504: 'Gateway Timeout',
  505: 'HTTP Version Not Supported',
};

/** The methods the server answers (the Allow header of a 405 and of a CORS preflight). */
export const HTTP_FLV_ALLOWED_METHODS = 'GET, HEAD, OPTIONS';

/** The MIME type of an FLV body. */
export const FLV_CONTENT_TYPE = 'video/x-flv';

/** Longest text body of an error response, characters (a longer message is cut). */
const MAX_ERROR_BODY = 512;

/** CORS: any page may play the stream (lal, SRS and nginx-http-flv send the same). */
const CORS_HEADERS: HttpHeaderList = [['Access-Control-Allow-Origin', '*']];

function checkHeader(name: string, value: string): void {
  if (!isHttpToken(name)) throw new InvalidArgError(`httpflv: bad header name ${JSON.stringify(name)}`);
  if (/[\0\r\n]/.test(value)) {
    throw new InvalidArgError(`httpflv: header ${name} has a CR, LF or NUL in its value`);
  }
}

/**
 * Packs a response head: `HTTP/1.1 <status> <reason>`, the fields in order, the empty line.
 * Field names must be tokens and values free of CR/LF/NUL (InvalidArgError: no header injection).
 * Returns a new Buffer the caller owns.
 */
export function packHttpResponseHead(status: number, headers: HttpHeaderList, statusText?: string): Buffer {
  if (!Number.isInteger(status) || status < 100 || status > 999) {
    throw new InvalidArgError(`httpflv: status ${status} is not a three-digit code`);
  }
  const reason = statusText ?? HTTP_STATUS_TEXT[status] ?? 'Unknown';
  if (/[\0\r\n]/.test(reason)) throw new InvalidArgError('httpflv: reason phrase has a CR, LF or NUL');
  let s = `HTTP/1.1 ${status} ${reason}\r\n`;
  for (const [name, value] of headers) {
    checkHeader(name, value);
    s += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${s}\r\n`, 'latin1');
}

/** Options of packHttpFlvResponseHead. */
export interface HttpFlvResponseHeadOptions {
  /** The Server field; '' leaves it out. Default 'lal.ts'. */
  server?: string;
  /** More fields, appended. */
  extraHeaders?: HttpHeaderList;
}

/**
 * The head of an HTTP-FLV response, as lal sends it: 200, `Content-Type: video/x-flv`,
 * `Connection: close` and neither Content-Length nor chunked encoding (the body is the live stream and
 * runs until the server closes the connection), no caching, and CORS open to any origin so a browser
 * player (flv.js, mpegts.js) on another site may fetch it. The FLV header follows as the body's first
 * 13 bytes. A new Buffer the caller owns (build it once and share it read-only).
 */
export function packHttpFlvResponseHead(opts: HttpFlvResponseHeadOptions = {}): Buffer {
  const server = opts.server ?? 'lal.ts';
  return packHttpResponseHead(200, [
    ...(server ? ([['Server', server]] as const) : []),
    ['Content-Type', FLV_CONTENT_TYPE],
    ['Connection', 'close'],
    ['Cache-Control', 'no-cache'],
    ['Pragma', 'no-cache'],
    ['Expires', '-1'],
    ...CORS_HEADERS,
    ...(opts.extraHeaders ?? []),
  ]);
}

/** Options of packHttpStatusResponse. */
export interface HttpStatusResponseOptions {
  /** Location field (a 3xx). */
  location?: string;
  /** Leave the body out (the answer to a HEAD); Content-Length still gives its size. Default false. */
  headOnly?: boolean;
  /** More fields, appended. */
  extraHeaders?: HttpHeaderList;
}

/**
 * A whole short response that ends the exchange: `status`, a text/plain body (`message` and a
 * newline, cut at 512 characters), Content-Length, `Connection: close`, CORS (so a browser player
 * can read the status). For errors (400, 404, 403, 503, ...), redirects and the like. A new Buffer.
 */
export function packHttpStatusResponse(
  status: number,
  message: string,
  opts: HttpStatusResponseOptions = {},
): Buffer {
  const body = Buffer.from(`${message.slice(0, MAX_ERROR_BODY)}\n`, 'utf8');
  const head = packHttpResponseHead(status, [
    ['Content-Type', 'text/plain; charset=utf-8'],
    ['Content-Length', String(body.length)],
    ['Connection', 'close'],
    ['Cache-Control', 'no-cache'],
    ...CORS_HEADERS,
    ...(opts.location !== undefined ? ([['Location', opts.location]] as const) : []),
    ...(status === 405 ? ([['Allow', HTTP_FLV_ALLOWED_METHODS]] as const) : []),
    ...(opts.extraHeaders ?? []),
  ]);
  return opts.headOnly ? head : Buffer.concat([head, body]);
}

/**
 * The answer to a CORS preflight (`OPTIONS` with Access-Control-Request-Method, Fetch standard
 * "CORS protocol"): 204, any origin, our methods, the request headers the page asked for (when they
 * are a clean token list; else none), cached for a day. Ends the exchange (`Connection: close`).
 */
export function packCorsPreflightResponse(requestHeaders: ReadonlyMap<string, string>): Buffer {
  const asked = requestHeaders.get('access-control-request-headers');
  const names = asked === undefined ? [] : asked.split(',').map((s) => s.trim());
  const allowHeaders = names.length > 0 && names.every(isHttpToken) ? names.join(', ') : undefined;
  return packHttpResponseHead(204, [
    ...CORS_HEADERS,
    ['Access-Control-Allow-Methods', HTTP_FLV_ALLOWED_METHODS],
    ...(allowHeaders !== undefined ? ([['Access-Control-Allow-Headers', allowHeaders]] as const) : []),
    ['Access-Control-Max-Age', '86400'],
    ['Allow', HTTP_FLV_ALLOWED_METHODS],
    ['Content-Length', '0'],
    ['Connection', 'close'],
  ]);
}

/**
 * Packs a GET request head for the pull client: `GET <target> HTTP/1.1`, Host, then `headers` in
 * order. Same checks as packHttpResponseHead. A new Buffer.
 */
export function packHttpGetRequest(target: string, host: string, headers: HttpHeaderList): Buffer {
  if (target.length === 0 || /[^\x21-\x7e]/.test(target)) {
    throw new InvalidArgError(`httpflv: bad request target ${JSON.stringify(target)}`);
  }
  let s = `GET ${target} HTTP/1.1\r\n`;
  for (const [name, value] of [['Host', host] as const, ...headers]) {
    checkHeader(name, value);
    s += `${name}: ${value}\r\n`;
  }
  return Buffer.from(`${s}\r\n`, 'latin1');
}
