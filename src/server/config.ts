/**
 * The lals configuration: a JSON file with snake_case keys like lal's `conf/lals.conf.json`.
 *
 * Every key has a default, so `{}` is a valid configuration. The keys, their types, defaults, ranges
 * and doc lines live in one declarative table (`SCHEMA` below); the parser, the `LalsConfig` type,
 * `defaultConfig()` and the README section (`configReadmeSection()`) are all derived from it, so code
 * and docs cannot drift (config.test.ts checks README.md against the generated text).
 *
 * Validation stops at the first problem and throws one ConfigError whose message names the source
 * and the key path: `config conf/x.json: rtmp.gop_num: expected an integer >= 0, got "2"`.
 */
import { readFileSync } from 'node:fs';
import { isIPv4, isIPv6 } from 'node:net';
import { LalError } from '../base/index.js';

/** A configuration problem: bad JSON, unknown key, wrong type, out-of-range value, bad address. */
export class ConfigError extends LalError {
  /** Where the configuration came from (a file path, or 'command line'). */
  readonly source: string;
  /** The dotted key path at fault (`rtmp.gop_num`); '' for problems of the file as a whole. */
  readonly keyPath: string;
  constructor(source: string, keyPath: string, problem: string, options?: { cause?: unknown }) {
    super('ERR_INVALID_ARG', `${source}: ${keyPath ? `${keyPath}: ` : ''}${problem}`, options);
    this.source = source;
    this.keyPath = keyPath;
  }
}

// ---------------------------------------------------------------------------------------------
// Value kinds

/** One key of the table: how to check it and how to document it. */
export interface ConfigKeySpec<T> {
  /** The kind shown in the README: boolean, integer, string, address, level. */
  readonly type: string;
  readonly default: T;
  /** One line of documentation (Markdown), shown in the README. */
  readonly doc: string;
  /** Allowed values in short (README column), e.g. `128..65536`; '' when the type says it all. */
  readonly range: string;
  /** What a wrong value is told it should have been: `expected ${expected}, got ...`. */
  readonly expected: string;
  /** Converts a JSON value; undefined when the value is not allowed. */
  readonly convert: (v: unknown) => T | undefined;
}

const KiB = 1024;
const MiB = 1024 * 1024;
const DAY_MS = 24 * 3600 * 1000;

function bool(def: boolean, doc: string): ConfigKeySpec<boolean> {
  return {
    type: 'boolean',
    default: def,
    doc,
    range: '',
    expected: 'true or false',
    convert: (v) => (typeof v === 'boolean' ? v : undefined),
  };
}

function int(def: number, doc: string, min: number, max?: number): ConfigKeySpec<number> {
  const range = max === undefined ? `>= ${min}` : `${min}..${max}`;
  return {
    type: 'integer',
    default: def,
    doc,
    range,
    expected: max === undefined ? `an integer >= ${min}` : `an integer in ${range}`,
    convert: (v) =>
      typeof v === 'number' && Number.isSafeInteger(v) && v >= min && (max === undefined || v <= max)
        ? v
        : undefined,
  };
}

function str(def: string, doc: string): ConfigKeySpec<string> {
  return {
    type: 'string',
    default: def,
    doc,
    range: '',
    expected: 'a string',
    convert: (v) => (typeof v === 'string' ? v : undefined),
  };
}

function addr(def: string, doc: string): ConfigKeySpec<string> {
  return {
    type: 'address',
    default: def,
    doc,
    range: '`:port`, `host:port`, `[ipv6]:port`',
    expected: 'an address ":port", "host:port" or "[ipv6]:port" with a port in 0..65535',
    convert: (v) => (typeof v === 'string' && tryParseAddr(v) !== undefined ? v : undefined),
  };
}

/** lal's log levels. */
export const LogLevel = { Debug: 1, Info: 2, Warn: 3, Error: 4, Fatal: 5 } as const;
export type LogLevel = (typeof LogLevel)[keyof typeof LogLevel];
const LEVEL_NAMES: Record<string, LogLevel> = {
  debug: 1,
  info: 2,
  warn: 3,
  warning: 3,
  error: 4,
  fatal: 5,
};

/** A log level from lal's number (1..5) or a name (`debug`, `info`, `warn`, `error`, `fatal`). */
export function toLogLevel(v: unknown): LogLevel | undefined {
  if (typeof v === 'number') {
    return v === 1 || v === 2 || v === 3 || v === 4 || v === 5 ? v : undefined;
  }
  if (typeof v === 'string') return LEVEL_NAMES[v.toLowerCase()];
  return undefined;
}

function level(def: LogLevel, doc: string): ConfigKeySpec<LogLevel> {
  return {
    type: 'level',
    default: def,
    doc,
    range: '1..5 or name',
    expected: '1..5 or one of "debug", "info", "warn", "error", "fatal"',
    convert: toLogLevel,
  };
}

/** What a failed assertion does: 1 log only, 2 log and exit, 3 log and throw (lal's 3 panics). */
export type AssertBehavior = 1 | 2 | 3;

function assertBehavior(def: AssertBehavior, doc: string): ConfigKeySpec<AssertBehavior> {
  return {
    type: 'integer',
    default: def,
    doc,
    range: '1..3',
    expected: 'an integer in 1..3',
    convert: (v) => (v === 1 || v === 2 || v === 3 ? v : undefined),
  };
}

// ---------------------------------------------------------------------------------------------
// The table

const SCHEMA = {
  rtmp: {
    enable: bool(true, 'Serve RTMP publishers and players.'),
    addr: addr(':1935', 'RTMP listen address; publishers and players both connect here.'),
    gop_num: int(
      1,
      'GOPs sent to a new RTMP player so playback starts at once: 1 = from the latest key frame (the GOP being received, as SRS and node-media-server do), 2 = the previous GOP too (a fuller player buffer, up to one more GOP of delay); 0 = none (a new player waits for the next key frame).',
      0,
    ),
    out_chunk_size: int(
      4096,
      'Chunk size the server sends with (announced by Set Chunk Size); the same for every player, so chunks are packed once per stream.',
      128,
      65536,
    ),
    max_message_size: int(
      8 * MiB,
      'Largest RTMP message a client may send, in bytes (the 24-bit length field allows 16 MiB - 1); a larger one closes the session before anything is allocated.',
      128,
      0xffffff,
    ),
    max_chunk_streams: int(64, 'Most chunk stream ids one client may use (encoders use 3 to 8).', 2, 65599),
    max_amf_depth: int(64, 'Deepest AMF object/array nesting accepted in commands and metadata.', 1, 1024),
    handshake_timeout_ms: int(
      10000,
      'A client must complete the RTMP handshake within this time, in ms; 0 = no limit.',
      0,
      DAY_MS,
    ),
    idle_timeout_ms: int(
      30000,
      'A publisher or player that sends nothing for this long (ms) is closed; 0 = never. A quiet peer is pinged every 10 s (every third of the timeout when that is shorter) and live clients answer, so only a dead or hung one is closed.',
      0,
      DAY_MS,
    ),
  },
  httpflv: {
    enable: bool(true, 'Serve HTTP-FLV (and, with `enable_ws`, WebSocket-FLV) players.'),
    sub_listen_addr: addr(
      ':8080',
      'HTTP-FLV listen address; players fetch `http://host:8080/app/stream.flv`.',
    ),
    gop_num: int(
      1,
      'GOPs sent to a new HTTP-FLV/WebSocket-FLV player (as `rtmp.gop_num`); 0 = start at the next key frame.',
      0,
    ),
    enable_ws: bool(
      true,
      'The same path also serves WebSocket-FLV when the request asks for a WebSocket Upgrade (`ws://host:8080/app/stream.flv`).',
    ),
    max_header_size: int(
      8 * KiB,
      'Largest HTTP request head (request line and headers) accepted, in bytes.',
      1024,
      MiB,
    ),
    header_timeout_ms: int(
      10000,
      'A player must send its complete request head within this time, in ms; 0 = no limit.',
      0,
      DAY_MS,
    ),
  },
  gop_cache: {
    max_messages: int(
      4096,
      "Most messages (audio and video) held in one stream's GOP cache; past it the oldest GOPs are dropped.",
      1,
    ),
    max_bytes: int(
      32 * MiB,
      "Most payload bytes held in one stream's GOP cache; past it the oldest GOPs are dropped.",
      KiB,
    ),
  },
  sub: {
    soft_mark_bytes: int(
      2 * MiB,
      'Bytes queued for a slow player past which it skips video until the next key frame (audio keeps flowing); must not exceed `hard_mark_bytes`.',
      KiB,
    ),
    hard_mark_bytes: int(8 * MiB, 'Bytes queued for a slow player past which it is disconnected.', KiB),
    merge_write_ms: int(
      0,
      "Batch each player's writes over this many ms (one write per player per period, like lal's `merge_write_size` or SRS's `mw_latency`): fewer syscalls and less CPU for up to this much added delay; 0 = write every event-loop turn (lowest delay).",
      0,
      1000,
    ),
    write_timeout_ms: int(
      30000,
      'An HTTP-FLV/WebSocket-FLV player that has bytes queued but takes none of them for this long (ms) is disconnected: a peer gone without a FIN, or one that stopped reading; 0 = never. (RTMP players: `rtmp.idle_timeout_ms`.)',
      0,
      DAY_MS,
    ),
    wait_publisher_timeout_ms: int(
      0,
      'How long (ms) a player that arrives before the publisher waits for it; 0 = as long as its connection lives (as lal).',
      0,
      DAY_MS,
    ),
  },
  pub: {
    take_over_stale: bool(
      false,
      'When a second publisher arrives for a stream that has one: false = refuse the newcomer; true = close the current publisher and let the newcomer take over (for encoders that reconnect before the old connection has timed out).',
    ),
  },
  limits: {
    max_connections: int(10000, 'Most client connections at once, all protocols together.', 1),
    max_streams: int(1000, 'Most streams (`app/stream` groups) at once.', 1),
    max_subs_per_stream: int(5000, 'Most players of one stream, all protocols together.', 1),
  },
  log: {
    level: level(
      LogLevel.Info,
      "Lowest level written: 1 debug, 2 info, 3 warn, 4 error, 5 fatal (lal's numbers), or the name as a string.",
    ),
    filename: str('./logs/lals.log', 'Log file (its directory is created); "" = no file.'),
    is_to_stdout: bool(true, 'Also write every line to standard output.'),
    is_rotate_daily: bool(
      true,
      'When the local date changes the file is renamed to `<filename>.<YYYYMMDD>` and a new one is started.',
    ),
    short_file_flag: bool(
      false,
      "End each line with the caller's `file:line` (costs a stack trace per line; for debugging).",
    ),
    assert_behavior: assertBehavior(
      1,
      'What a failed internal assertion does: 1 log an error, 2 log and exit, 3 log and throw.',
    ),
  },
  pprof: {
    enable: bool(
      false,
      'Start the debug HTTP server (CPU profile, heap snapshot, stream dump, process vars). Never expose it publicly: it has no authentication, and a heap snapshot holds stream keys and stalls every stream while it is taken.',
    ),
    addr: addr(
      '127.0.0.1:10001',
      'Debug server listen address (lal uses `:10001`; the default here listens on loopback only).',
    ),
  },
};

/** One line of doc per section, shown in the README above the section's keys. */
const SECTION_DOCS: { readonly [S in keyof typeof SCHEMA]: string } = {
  rtmp: 'RTMP publishers (OBS, ffmpeg, encoders) and players.',
  httpflv: 'HTTP-FLV and WebSocket-FLV players.',
  gop_cache:
    'Per-stream cache of recent GOPs, shared by all output protocols (each takes its own `gop_num`).',
  sub: 'Every player (subscriber), whatever its protocol.',
  pub: 'Publishers.',
  limits: 'Hard limits against overload; a connection past a limit is refused.',
  log: 'The server log (same keys as lal).',
  pprof: "The debug server (lal's Go pprof equivalent), off by default.",
};

type Schema = typeof SCHEMA;
type ValueOf<K> = K extends ConfigKeySpec<infer T> ? T : never;

/** The parsed lals configuration, read-only; its shape follows the table above. */
export type LalsConfig = {
  readonly [S in keyof Schema]: { readonly [K in keyof Schema[S]]: ValueOf<Schema[S][K]> };
};
export type RtmpConfig = LalsConfig['rtmp'];
export type HttpflvConfig = LalsConfig['httpflv'];
export type GopCacheConfig = LalsConfig['gop_cache'];
export type SubConfig = LalsConfig['sub'];
export type PubConfig = LalsConfig['pub'];
export type LimitsConfig = LalsConfig['limits'];
export type LogConfig = LalsConfig['log'];
export type PprofConfig = LalsConfig['pprof'];

/** One row of the table, flattened (for docs and tools). */
export interface ConfigKeyInfo {
  /** Dotted path, e.g. `rtmp.gop_num`. */
  readonly path: string;
  readonly section: string;
  readonly key: string;
  readonly spec: ConfigKeySpec<unknown>;
}

function sectionsOf(): Array<[string, Record<string, ConfigKeySpec<unknown>>]> {
  return Object.entries(SCHEMA);
}

/** Every key of the configuration, in table order. */
export function configKeys(): ConfigKeyInfo[] {
  const out: ConfigKeyInfo[] = [];
  for (const [section, keys] of sectionsOf()) {
    for (const [key, spec] of Object.entries(keys)) {
      out.push({ path: `${section}.${key}`, section, key, spec });
    }
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Parsing

function describe(v: unknown): string {
  if (v === undefined) return 'nothing';
  const s = JSON.stringify(v);
  return s.length > 60 ? `${s.slice(0, 57)}...` : s;
}

function kindOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? 'an object' : describe(v);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Edit distance, for "did you mean" on unknown keys. */
function distance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) {
      const sub = (prev[j - 1] ?? 0) + (a[i - 1] === b[j - 1] ? 0 : 1);
      cur.push(Math.min((prev[j] ?? 0) + 1, (cur[j - 1] ?? 0) + 1, sub));
    }
    prev = cur;
  }
  return prev[b.length] ?? 0;
}

function unknownKey(known: string[], key: string): string {
  let best = '';
  let bestD = Number.POSITIVE_INFINITY;
  for (const k of known) {
    const d = distance(key.toLowerCase(), k);
    if (d < bestD) {
      bestD = d;
      best = k;
    }
  }
  if (bestD <= Math.max(1, Math.floor(key.length / 3)) && bestD < key.length) {
    return `unknown key; did you mean "${best}"?`;
  }
  return `unknown key (known: ${known.join(', ')})`;
}

function checkValue(source: string, path: string, spec: ConfigKeySpec<unknown>, v: unknown): unknown {
  const out = spec.convert(v);
  if (out === undefined) throw new ConfigError(source, path, `expected ${spec.expected}, got ${describe(v)}`);
  return out;
}

/** Checks relations between keys, after each key passed on its own. */
function checkCross(source: string, cfg: LalsConfig): void {
  if (cfg.sub.soft_mark_bytes > cfg.sub.hard_mark_bytes) {
    throw new ConfigError(
      source,
      'sub.soft_mark_bytes',
      `must not exceed sub.hard_mark_bytes (${cfg.sub.hard_mark_bytes}), got ${cfg.sub.soft_mark_bytes}`,
    );
  }
}

function build(source: string, json: unknown, base: LalsConfig | undefined): LalsConfig {
  if (!isPlainObject(json)) throw new ConfigError(source, '', `expected a JSON object, got ${kindOf(json)}`);
  const sections = sectionsOf();
  const sectionNames = sections.map(([s]) => s);
  for (const name of Object.keys(json)) {
    if (!sectionNames.includes(name)) throw new ConfigError(source, name, unknownKey(sectionNames, name));
  }
  const out: Record<string, Readonly<Record<string, unknown>>> = {};
  for (const [section, keys] of sections) {
    const raw = json[section];
    if (raw !== undefined && !isPlainObject(raw)) {
      throw new ConfigError(source, section, `expected an object, got ${kindOf(raw)}`);
    }
    const rawObj = raw ?? {};
    const keyNames = Object.keys(keys);
    for (const name of Object.keys(rawObj)) {
      if (!keyNames.includes(name)) {
        throw new ConfigError(source, `${section}.${name}`, unknownKey(keyNames, name));
      }
    }
    const baseSection: Record<string, unknown> | undefined = base
      ? (base as unknown as Record<string, Record<string, unknown>>)[section]
      : undefined;
    const sec: Record<string, unknown> = {};
    for (const [key, spec] of Object.entries(keys)) {
      const v = rawObj[key];
      const fallback = baseSection ? baseSection[key] : spec.default;
      sec[key] = v === undefined ? fallback : checkValue(source, `${section}.${key}`, spec, v);
    }
    out[section] = Object.freeze(sec);
  }
  // Every section and key of the table was filled above from a checked value or its default, which
  // is exactly the shape LalsConfig derives from the same table.
  const cfg = Object.freeze(out) as unknown as LalsConfig;
  checkCross(source, cfg);
  return cfg;
}

/** The configuration with every key at its default (what `{}` parses to). */
export function defaultConfig(): LalsConfig {
  return build('defaults', {}, undefined);
}

/**
 * Validates a parsed JSON value as a lals configuration; missing keys take their defaults.
 * `source` names where it came from in error messages (usually the file path). Throws ConfigError.
 */
export function parseConfig(json: unknown, source: string): LalsConfig {
  return build(`config ${source}`, json, undefined);
}

/** Reads, parses and validates a configuration file. Throws ConfigError (also for I/O errors). */
export function loadConfig(path: string): LalsConfig {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    const why = err.code === 'ENOENT' ? 'no such file' : (err.code ?? err.message);
    throw new ConfigError(`config ${path}`, '', `cannot read: ${why}`, { cause: e });
  }
  return parseConfigText(text, path);
}

/** Parses configuration text: JSON syntax errors and duplicate keys give line and column. */
export function parseConfigText(text: string, source: string): LalsConfig {
  const body = text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
  const problem = scanJson(body);
  if (problem) {
    const { line, column } = lineColumn(body, problem.offset);
    const at = `line ${line}, column ${column}`;
    throw new ConfigError(
      `config ${source}`,
      problem.path,
      problem.path ? `${problem.message} at ${at}` : `invalid JSON at ${at}: ${problem.message}`,
    );
  }
  return parseConfig(JSON.parse(body) as unknown, source);
}

// ---------------------------------------------------------------------------------------------
// Command-line overrides

/** Values given on the command line; each replaces the key it names. Every field is optional. */
export interface ConfigOverrides {
  /** `rtmp.addr` (flag --rtmp-addr). */
  rtmpAddr?: string;
  /** `httpflv.sub_listen_addr` (flag --http-addr). */
  httpAddr?: string;
  /** `pprof.addr` (flag --pprof-addr); does not by itself enable the debug server. */
  pprofAddr?: string;
  /** `log.level`, a number 1..5 or a name (flag --log-level). */
  logLevel?: string | number;
  /** `log.filename`; '' = no file (flag --log-file). */
  logFilename?: string;
  /**
   * Any key, as `section.key=value` (flag --set, repeatable). The value is read as JSON when it
   * parses (`rtmp.gop_num=0`, `pub.take_over_stale=true`), else as a string (`rtmp.addr=:1936`).
   */
  set?: readonly string[];
}

const OVERRIDE_PATHS: ReadonlyArray<[keyof ConfigOverrides, string, string]> = [
  ['rtmpAddr', 'rtmp', 'addr'],
  ['httpAddr', 'httpflv', 'sub_listen_addr'],
  ['pprofAddr', 'pprof', 'addr'],
  ['logLevel', 'log', 'level'],
  ['logFilename', 'log', 'filename'],
];

function setPath(
  patch: Record<string, Record<string, unknown>>,
  section: string,
  key: string,
  v: unknown,
): void {
  const sec = patch[section] ?? {};
  sec[key] = v;
  patch[section] = sec;
}

/**
 * Returns `cfg` with command-line values applied, validated like the file (a bad one is a
 * ConfigError from source 'command line'). `cfg` itself is not changed.
 */
export function applyOverrides(cfg: LalsConfig, overrides: ConfigOverrides): LalsConfig {
  const source = 'command line';
  const patch: Record<string, Record<string, unknown>> = {};
  for (const entry of overrides.set ?? []) {
    const eq = entry.indexOf('=');
    const path = eq < 0 ? entry : entry.slice(0, eq);
    const dot = path.indexOf('.');
    if (eq < 0 || dot < 0) {
      throw new ConfigError(source, path, `expected section.key=value, got ${describe(entry)}`);
    }
    const raw = entry.slice(eq + 1);
    let v: unknown = raw;
    try {
      v = JSON.parse(raw) as unknown;
    } catch {
      // not JSON: keep the string
    }
    setPath(patch, path.slice(0, dot), path.slice(dot + 1), v);
  }
  for (const [field, section, key] of OVERRIDE_PATHS) {
    const v = overrides[field];
    if (v !== undefined) setPath(patch, section, key, v);
  }
  return build(source, patch, cfg);
}

// ---------------------------------------------------------------------------------------------
// Addresses

/** A listen address. `host` undefined = every interface (IPv6 and IPv4), as Go's ":port". */
export interface ListenAddr {
  readonly host: string | undefined;
  readonly port: number;
}

const HOSTNAME = /^[A-Za-z0-9]([A-Za-z0-9-]{0,62})(\.[A-Za-z0-9]([A-Za-z0-9-]{0,62}))*\.?$/;

function tryParseAddr(s: string): ListenAddr | undefined {
  let host: string | undefined;
  let portText: string;
  if (s.startsWith('[')) {
    const close = s.indexOf(']');
    if (close < 0 || s[close + 1] !== ':') return undefined;
    host = s.slice(1, close);
    if (!isIPv6(host)) return undefined;
    portText = s.slice(close + 2);
  } else {
    const colon = s.lastIndexOf(':');
    if (colon < 0) return undefined;
    const h = s.slice(0, colon);
    if (h.includes(':')) return undefined; // an IPv6 address needs brackets
    if (h !== '' && !isIPv4(h) && !HOSTNAME.test(h)) return undefined;
    host = h === '' ? undefined : h;
    portText = s.slice(colon + 1);
  }
  if (!/^[0-9]{1,5}$/.test(portText)) return undefined;
  const port = Number(portText);
  if (port > 65535) return undefined;
  return { host, port };
}

/**
 * Parses a listen address: `:1935` (every interface, IPv6 and IPv4, like Go's net.Listen),
 * `127.0.0.1:1935`, `localhost:1935`, `[::1]:1935`. Port 0 asks the system for a free port. Pass
 * the result straight to `server.listen({ host, port })`. Throws ConfigError for anything else.
 */
export function parseAddr(s: string): ListenAddr {
  const a = tryParseAddr(s);
  if (!a) {
    throw new ConfigError(
      'address',
      '',
      `expected ":port", "host:port" or "[ipv6]:port", got ${describe(s)}`,
    );
  }
  return a;
}

// ---------------------------------------------------------------------------------------------
// JSON syntax check with positions (JSON.parse's messages differ between Node versions and often
// carry no position) and duplicate-key detection (JSON.parse silently keeps the last one).

interface JsonProblem {
  offset: number;
  message: string;
  /** Key path for a duplicate key; '' for syntax errors. */
  path: string;
}

class JsonScanFail {
  constructor(
    readonly offset: number,
    readonly message: string,
    readonly path = '',
  ) {}
}

const MAX_JSON_DEPTH = 64;

function scanJson(text: string): JsonProblem | undefined {
  let pos = 0;
  const fail = (message: string, at = pos): never => {
    throw new JsonScanFail(at, message);
  };
  const found = (): string => {
    if (pos >= text.length) return 'the end of the input';
    const word = /^[A-Za-z0-9_.+-]+/.exec(text.slice(pos, pos + 40));
    return describe(word ? word[0] : text[pos]);
  };
  const ws = (): void => {
    while (pos < text.length) {
      const c = text.charCodeAt(pos);
      if (c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d) pos++;
      else break;
    }
  };
  const scanString = (): string => {
    const start = pos;
    pos++; // opening quote
    for (;;) {
      if (pos >= text.length) fail('unterminated string', start);
      const c = text.charCodeAt(pos);
      if (c === 0x22) {
        pos++;
        return JSON.parse(text.slice(start, pos)) as string;
      }
      if (c < 0x20) fail('control character in string (escape it)');
      if (c === 0x5c) {
        const e = text[pos + 1];
        if (e === 'u') {
          if (!/^[0-9A-Fa-f]{4}$/.test(text.slice(pos + 2, pos + 6))) fail('bad \\u escape');
          pos += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          pos += 2;
        } else {
          fail('bad escape in string');
        }
      } else {
        pos++;
      }
    }
  };
  const num = (): void => {
    const m = /^-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/.exec(text.slice(pos, pos + 400));
    if (!m || m[0] === '-' || m[0] === '') fail(`expected a value, found ${found()}`);
    pos += m ? m[0].length : 0;
  };
  const value = (path: string, depth: number): void => {
    if (depth > MAX_JSON_DEPTH) fail('nested too deeply');
    ws();
    const c = text[pos];
    if (c === '{') {
      pos++;
      const seen = new Set<string>();
      ws();
      if (text[pos] === '}') {
        pos++;
        return;
      }
      for (;;) {
        ws();
        if (text[pos] !== '"') fail(`expected a double-quoted property name, found ${found()}`);
        const keyAt = pos;
        const key = scanString();
        const keyPath = path ? `${path}.${key}` : key;
        if (seen.has(key)) throw new JsonScanFail(keyAt, 'duplicate key', keyPath);
        seen.add(key);
        ws();
        if (text[pos] !== ':') fail(`expected ':' after a property name, found ${found()}`);
        pos++;
        value(keyPath, depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === '}') {
          pos++;
          return;
        }
        fail(`expected ',' or '}' after a property value, found ${found()}`);
      }
    }
    if (c === '[') {
      pos++;
      ws();
      if (text[pos] === ']') {
        pos++;
        return;
      }
      for (let i = 0; ; i++) {
        value(`${path}[${i}]`, depth + 1);
        ws();
        if (text[pos] === ',') {
          pos++;
          continue;
        }
        if (text[pos] === ']') {
          pos++;
          return;
        }
        fail(`expected ',' or ']' after an array element, found ${found()}`);
      }
    }
    if (c === '"') {
      scanString();
      return;
    }
    for (const word of ['true', 'false', 'null']) {
      if (text.startsWith(word, pos)) {
        pos += word.length;
        return;
      }
    }
    num();
  };
  try {
    value('', 0);
    ws();
    if (pos < text.length) fail(`unexpected ${found()} after the end of the JSON value`);
    return undefined;
  } catch (e) {
    if (e instanceof JsonScanFail) return { offset: e.offset, message: e.message, path: e.path };
    throw e;
  }
}

function lineColumn(text: string, offset: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let i = 0; i < offset && i < text.length; i++) {
    if (text.charCodeAt(i) === 0x0a) {
      line++;
      lineStart = i + 1;
    }
  }
  return { line, column: offset - lineStart + 1 };
}

// ---------------------------------------------------------------------------------------------
// README

/** Marks around the generated part of README.md's "## Configuration" section. */
export const README_BEGIN =
  '<!-- config keys: generated from src/server/config.ts by configReadmeSection() -->';
export const README_END = '<!-- end of generated config keys -->';

function mdCell(s: string): string {
  return s.replace(/\|/g, '\\|');
}

/**
 * The Markdown table of every key, with its type, default, range and doc line, between
 * README_BEGIN and README_END. README.md must contain exactly this text (config.test.ts checks).
 */
export function configReadmeSection(): string {
  const lines = [README_BEGIN];
  for (const [section, keys] of sectionsOf()) {
    lines.push('', `### \`${section}\``, '', SECTION_DOCS[section as keyof Schema], '');
    lines.push('| key | type | default | allowed | description |', '| --- | --- | --- | --- | --- |');
    for (const [key, spec] of Object.entries(keys)) {
      lines.push(
        `| \`${section}.${key}\` | ${spec.type} | \`${JSON.stringify(spec.default)}\` | ${mdCell(spec.range)} | ${mdCell(spec.doc)} |`,
      );
    }
  }
  lines.push('', README_END);
  return lines.join('\n');
}
