import { InvalidArgError } from '../../util/errors.js';

/** Default TCP port of `rtmp://` (Adobe "RTMP Specification 1.0" 5.1 leaves it to convention: 1935). */
export const RTMP_DEFAULT_PORT = 1935;
/** Default TCP port of `rtmps://` (RTMP over TLS, as CDN ingest endpoints use it). */
export const RTMPS_DEFAULT_PORT = 443;

/** The parts of an RTMP URL that the client sends (see parseRtmpUrl). */
export interface RtmpUrl {
  scheme: 'rtmp' | 'rtmps';
  /** Host name or address, IPv6 without brackets. */
  host: string;
  port: number;
  /** The application: every path segment but the last, joined by '/' (e.g. `live` or `live/inst`). */
  app: string;
  /** The last path segment, without the query. */
  streamName: string;
  /** The query without the leading '?', '' if none. */
  rawQuery: string;
  /** `streamName` plus `?rawQuery` when there is one: the name sent in `publish` / `play`. */
  streamNameWithQuery: string;
  /** `scheme://authority/app`, the `tcUrl` of `connect` (no stream name, no query). */
  tcUrl: string;
}

/**
 * Parses `rtmp[s]://host[:port]/app[/inst...]/stream[?query]`. The last path segment is the stream
 * name and the query goes with it (as ffmpeg, OBS and lal's client do); the app may have several
 * segments. Throws InvalidArgError for anything else (other schemes, user info, no app or stream).
 */
export function parseRtmpUrl(url: string): RtmpUrl {
  const m = /^(rtmps?):\/\/([^/?#]+)\/([^#]*)$/i.exec(url);
  if (m === null) throw new InvalidArgError(`rtmp: not an rtmp:// or rtmps:// URL with a path: ${url}`);
  const scheme = (m[1] as string).toLowerCase() as 'rtmp' | 'rtmps';
  const authority = m[2] as string;
  if (authority.includes('@')) throw new InvalidArgError(`rtmp: user info in URLs is not supported: ${url}`);
  let host: string;
  let portText: string | undefined;
  if (authority.startsWith('[')) {
    const end = authority.indexOf(']');
    if (end < 0) throw new InvalidArgError(`rtmp: bad IPv6 host in ${url}`);
    host = authority.slice(1, end);
    const after = authority.slice(end + 1);
    if (after !== '' && !after.startsWith(':')) throw new InvalidArgError(`rtmp: bad host in ${url}`);
    portText = after === '' ? undefined : after.slice(1);
  } else {
    const colon = authority.indexOf(':');
    host = colon < 0 ? authority : authority.slice(0, colon);
    portText = colon < 0 ? undefined : authority.slice(colon + 1);
  }
  if (host === '') throw new InvalidArgError(`rtmp: no host in ${url}`);
  let port = scheme === 'rtmps' ? RTMPS_DEFAULT_PORT : RTMP_DEFAULT_PORT;
  if (portText !== undefined) {
    if (!/^\d{1,5}$/.test(portText) || Number(portText) < 1 || Number(portText) > 65535) {
      throw new InvalidArgError(`rtmp: bad port '${portText}' in ${url}`);
    }
    port = Number(portText);
  }
  const [path, rawQuery] = splitNameQuery(m[3] as string);
  const segments = path.split('/');
  const streamName = segments.pop() ?? '';
  const app = segments.join('/');
  if (app === '' || streamName === '') {
    throw new InvalidArgError(`rtmp: URL needs an app and a stream name (rtmp://host/app/stream): ${url}`);
  }
  return {
    scheme,
    host,
    port,
    app,
    streamName,
    rawQuery,
    streamNameWithQuery: rawQuery === '' ? streamName : `${streamName}?${rawQuery}`,
    tcUrl: `${scheme}://${authority}/${app}`,
  };
}

/** Splits `name?query` at the first '?': [name, query without '?'] ('' when there is none). */
export function splitNameQuery(s: string): [name: string, rawQuery: string] {
  const q = s.indexOf('?');
  return q < 0 ? [s, ''] : [s.slice(0, q), s.slice(q + 1)];
}

/**
 * Parses a query string (`a=1&b=x%20y`, no leading '?') into a null-prototype object; a repeated
 * key keeps its last value, a key without '=' maps to ''. Never throws (bad escapes are kept as is).
 */
export function parseQuery(rawQuery: string): Record<string, string> {
  const out: Record<string, string> = Object.create(null);
  if (rawQuery === '') return out;
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const k = decode(eq < 0 ? part : part.slice(0, eq));
    out[k] = eq < 0 ? '' : decode(part.slice(eq + 1));
  }
  return out;
}

function decode(s: string): string {
  try {
    return decodeURIComponent(s.replace(/\+/g, ' '));
  } catch {
    return s;
  }
}
