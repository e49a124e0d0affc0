import { ProtocolError } from '../../util/errors.js';

/** The stream a request-target names: `/app[/more/app]/stream.flv?query`. */
export interface HttpFlvPath {
  /** The decoded path, e.g. `/live/sub/test.flv`. */
  path: string;
  /** Every decoded segment but the last, joined with '/': `live/sub`. Never empty. */
  app: string;
  /** The last decoded segment without `.flv`: `test`. Never empty. */
  streamName: string;
  /** The query string without '?', as sent ('' when none). */
  rawQuery: string;
  /** The query decoded into a null-prototype object (see parseHttpQuery). */
  query: Readonly<Record<string, string>>;
}

/** The file suffix that marks an HTTP-FLV / WebSocket-FLV stream. */
export const HTTP_FLV_SUFFIX = '.flv';

const ABSOLUTE_FORM = /^[A-Za-z][A-Za-z0-9+.-]*:\/\/[^/?#]*/;

/**
 * Parses a request-target into app, stream name and query, as lal does: the last path segment is
 * `<stream>.flv` and everything before it is the app, so `/live/sub/test.flv` is app `live/sub`,
 * stream `test`. Segments are URL-decoded one by one (`%20` -> ' '; '+' stays '+' in a path).
 *
 * Accepts origin-form (`/live/test.flv`) and absolute-form (`http://host/live/test.flv`, RFC 9112
 * 3.2.2). Returns undefined when the target does not name an FLV stream (no `.flv` suffix, no app,
 * an empty segment): the server answers 404. Throws a ProtocolError (400) for a target that is not a
 * path, a bad %-escape, or a segment that decodes to '.', '..', or holds '/' or NUL.
 */
export function parseHttpFlvPath(target: string): HttpFlvPath | undefined {
  let t = target;
  const abs = ABSOLUTE_FORM.exec(t);
  if (abs !== null) t = t.slice(abs[0].length) || '/';
  if (!t.startsWith('/')) throw new ProtocolError(`httpflv: request target is not a path: ${clip(target)}`);
  const hash = t.indexOf('#');
  if (hash >= 0) t = t.slice(0, hash);
  const q = t.indexOf('?');
  const rawPath = q < 0 ? t : t.slice(0, q);
  const rawQuery = q < 0 ? '' : t.slice(q + 1);
  const segments = rawPath.slice(1).split('/').map(decodeSegment);
  if (segments.length < 2 || segments.some((s) => s === '')) return undefined;
  const last = segments[segments.length - 1] as string;
  if (!last.endsWith(HTTP_FLV_SUFFIX) || last.length === HTTP_FLV_SUFFIX.length) return undefined;
  return {
    path: `/${segments.join('/')}`,
    app: segments.slice(0, -1).join('/'),
    streamName: last.slice(0, -HTTP_FLV_SUFFIX.length),
    rawQuery,
    query: parseHttpQuery(rawQuery),
  };
}

function decodeSegment(raw: string): string {
  let s: string;
  try {
    s = decodeURIComponent(raw);
  } catch {
    throw new ProtocolError(`httpflv: bad %-escape in the path segment ${clip(raw)}`);
  }
  if (s === '.' || s === '..' || s.includes('/') || s.includes('\0')) {
    throw new ProtocolError(`httpflv: path segment ${clip(raw)} is not allowed`);
  }
  return s;
}

/**
 * Parses a query string (`a=1&b=x%20y+z`, no leading '?') into a null-prototype object: '+' is a
 * space, %-escapes are decoded (a bad one is kept as sent), a repeated key keeps its last value, a
 * key without '=' maps to ''. Never throws. (The same rules as the RTMP library's stream names.)
 */
export function parseHttpQuery(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    out[decodeQueryPart(eq < 0 ? part : part.slice(0, eq))] =
      eq < 0 ? '' : decodeQueryPart(part.slice(eq + 1));
  }
  return out;
}

function decodeQueryPart(s: string): string {
  const plus = s.replace(/\+/g, ' ');
  try {
    return decodeURIComponent(plus);
  } catch {
    return plus;
  }
}

function clip(s: string): string {
  return JSON.stringify(s.length > 64 ? `${s.slice(0, 64)}...` : s);
}
