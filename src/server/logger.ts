/**
 * The lals server log: lal's line format, levels and daily-rotated file, behind the `Logger`
 * interface the libraries take.
 *
 *   2026/11/24 22:51:03.123456 INFO  [RTMPPUB1] message - server.ts:123
 *
 * Local time with microseconds, the level padded to five, the child prefixes, the message, and with
 * `short_file_flag` the caller's file:line (a stack trace per line, so only when enabled). A call
 * below the configured level returns before formatting anything.
 *
 * Output goes to standard output and/or a file opened in append mode (its directory created).
 * Writes go through streams, corked for the rest of the event-loop turn so a burst of lines costs
 * one write; a stream that falls more than `maxBufferedBytes` behind drops lines (counted, and
 * reported in the log once it catches up) instead of growing memory. A file error (EACCES, ENOSPC,
 * EISDIR...) or an EPIPE on stdout never throws: it is reported once on stderr and logging goes on
 * to the outputs that still work (stdout takes over from a failed file even if `is_to_stdout` is
 * false, so the server never logs into the void).
 *
 * With `is_rotate_daily`, when the local date of a line differs from the date of the lines in the
 * file, the file is renamed to `<filename>.<YYYYMMDD>` (that older date; `.1`, `.2`... appended if
 * the name is taken) and a new file is started. The check costs one comparison per line (the date is
 * recomputed when the second changes). A file left from an earlier day when the server starts is
 * rotated the same way, by its modification date.
 */

import type { WriteStream } from 'node:fs';
import { createWriteStream, existsSync, mkdirSync, openSync, renameSync, statSync } from 'node:fs';
import { dirname } from 'node:path';
import { performance } from 'node:perf_hooks';
import type { Writable } from 'node:stream';
import { finished } from 'node:stream/promises';
import type { Logger } from '../base/index.js';
import type { LogConfig, LogLevel } from './config.js';

/** The server's logger: the library Logger plus fatal, assert, per-session children and close. */
export interface LalsLogger extends Logger {
  /** Logs at FATAL, flushes the outputs and ends the process with exit code 1 (as lal's Fatal). */
  fatal(msg: string): void;
  /**
   * When `cond` is falsy, acts by `assert_behavior`: 1 logs an error, 2 logs at FATAL and exits
   * (as `fatal`), 3 logs an error and throws an AssertFailedError.
   */
  assert(cond: unknown, msg: string): void;
  /**
   * A logger whose lines carry `[prefix] ` after the level (nested children add theirs in order),
   * sharing this logger's level and outputs. For per-session tags: `log.child('RTMPPUB1')`.
   */
  child(prefix: string): LalsLogger;
  /** True when lines of `level` are written (to skip building an expensive message). */
  enabled(level: LogLevel): boolean;
  /**
   * Flushes and closes the file; later lines still go to stdout. Idempotent. Only the logger from
   * createLogger owns the outputs: on a child this resolves at once and closes nothing.
   */
  close(): Promise<void>;
}

/** Thrown by `assert` with assert_behavior 3. */
export class AssertFailedError extends Error {
  constructor(message: string) {
    super(`assert failed: ${message}`);
    this.name = 'AssertFailedError';
  }
}

/** Options of createLogger beyond the config; every field has a default. */
export interface LoggerOptions {
  /**
   * The wall clock, in ms since the epoch; a fractional part gives the microseconds. Default:
   * performance.now() anchored to Date.now() (microsecond resolution, kept within 1 ms of the
   * system clock).
   */
  now?: () => number;
  /** Where stdout lines go. Default process.stdout. */
  stdout?: Writable;
  /** Where the logger reports its own failures (once each). Default process.stderr. */
  stderr?: Writable;
  /** Ends the process after `fatal` (called once the outputs are flushed). Default process.exit. */
  exit?: (code: number) => void;
  /** Bytes a stream may have pending before further lines to it are dropped. Default 16 MiB. */
  maxBufferedBytes?: number;
}

const LEVEL_TEXT = ['', 'DEBUG', 'INFO ', 'WARN ', 'ERROR', 'FATAL'] as const;

type EntryPoint = (...args: never[]) => unknown;

/** performance.now() on the epoch scale, re-anchored whenever it leaves Date.now()'s millisecond. */
function defaultClock(): () => number {
  let offset = Date.now() - performance.now();
  return () => {
    const p = performance.now();
    const wall = Date.now();
    const t = offset + p;
    if (t >= wall && t < wall + 1) return t;
    offset = wall - p;
    return wall;
  };
}

function pad2(n: number): string {
  return n < 10 ? `0${n}` : String(n);
}

function dayKeyOf(d: Date): string {
  return `${d.getFullYear()}${pad2(d.getMonth() + 1)}${pad2(d.getDate())}`;
}

/** The caller's `file:line`: the first frame above `entry` (one frame captured, so it is cheap). */
function callerSite(entry: EntryPoint): string {
  const holder: { stack?: string } = {};
  const limit = Error.stackTraceLimit;
  Error.stackTraceLimit = 1;
  Error.captureStackTrace(holder, entry);
  Error.stackTraceLimit = limit;
  const frame = holder.stack?.split('\n')[1] ?? '';
  const m = /([^/\\( ]+):(\d+):\d+\)?\s*$/.exec(frame);
  return m ? `${m[1]}:${m[2]}` : '?';
}

/** One output stream with its failure and back-pressure state. */
class Output {
  dropped = 0;
  dead = false;
  private readonly onError = (e: Error): void => this.sink.outputFailed(this, e);

  constructor(
    readonly stream: Writable,
    readonly name: string,
    private readonly sink: LogSink,
  ) {
    stream.on('error', this.onError);
  }

  write(line: string): void {
    if (this.dead) return;
    const s = this.stream;
    if (s.writableLength > this.sink.maxBufferedBytes) {
      this.dropped++;
      return;
    }
    if (!s.writableCorked) {
      s.cork();
      process.nextTick(uncork, s);
    }
    if (this.dropped > 0) {
      s.write(`${this.sink.stampNow()} WARN  log: dropped ${this.dropped} lines (${this.name} too slow)\n`);
      this.dropped = 0;
    }
    s.write(line);
  }

  /** Writes out what is corked now. */
  flush(): void {
    uncork(this.stream);
  }

  /** Ends a stream we own and waits until its data is written (or it failed). */
  async end(): Promise<void> {
    this.stream.end();
    try {
      await finished(this.stream);
    } catch {
      // reported through the 'error' listener, which stays: a late error (on close) must not crash
    }
  }
}

function uncork(s: Writable): void {
  if (s.writableCorked) s.uncork();
}

/** The outputs and clock shared by a root logger and its children. */
class LogSink {
  readonly level: LogLevel;
  readonly maxBufferedBytes: number;
  readonly shortFile: boolean;
  readonly assertBehavior: 1 | 2 | 3;
  private readonly now: () => number;
  private readonly stderr: Writable;
  private readonly exit: (code: number) => void;
  private readonly filename: string;
  private readonly rotateDaily: boolean;
  private stdout: Output | undefined;
  private readonly stdoutStream: Writable;
  private file: Output | undefined;
  /** YYYYMMDD of the lines in the current file. */
  private fileDay = '';
  private readonly ending: Array<Promise<void>> = [];
  private readonly reported = new Set<string>();
  private cachedSec = Number.NaN;
  private cachedText = '';
  private cachedDay = '';
  private closing: Promise<void> | undefined;
  private exiting = false;

  constructor(cfg: LogConfig, opts: LoggerOptions) {
    this.level = cfg.level;
    this.shortFile = cfg.short_file_flag;
    this.assertBehavior = cfg.assert_behavior;
    this.filename = cfg.filename;
    this.rotateDaily = cfg.is_rotate_daily;
    this.now = opts.now ?? defaultClock();
    this.stderr = opts.stderr ?? process.stderr;
    this.exit = opts.exit ?? ((code) => process.exit(code));
    this.maxBufferedBytes = opts.maxBufferedBytes ?? 16 * 1024 * 1024;
    this.stdoutStream = opts.stdout ?? process.stdout;
    if (cfg.is_to_stdout) this.stdout = new Output(this.stdoutStream, 'stdout', this);
    if (this.filename !== '') this.openInitialFile();
  }

  /** Formats the time `t` (epoch ms) and updates the cached local second and date. */
  private stamp(t: number): string {
    const us = Math.round(t * 1000);
    const sec = Math.floor(us / 1e6);
    if (sec !== this.cachedSec) {
      const d = new Date(sec * 1000);
      this.cachedSec = sec;
      this.cachedText = `${d.getFullYear()}/${pad2(d.getMonth() + 1)}/${pad2(d.getDate())} ${pad2(d.getHours())}:${pad2(d.getMinutes())}:${pad2(d.getSeconds())}`;
      this.cachedDay = dayKeyOf(d);
    }
    return `${this.cachedText}.${String(us - sec * 1e6).padStart(6, '0')}`;
  }

  stampNow(): string {
    return this.stamp(this.now());
  }

  write(level: LogLevel, prefix: string, msg: string, entry: EntryPoint): void {
    const src = this.shortFile ? ` - ${callerSite(entry)}` : '';
    const line = `${this.stamp(this.now())} ${LEVEL_TEXT[level]} ${prefix}${msg}${src}\n`;
    if (this.file && this.rotateDaily && this.cachedDay !== this.fileDay && !this.closing) this.rotate();
    this.stdout?.write(line);
    this.file?.write(line);
  }

  private openInitialFile(): void {
    this.fileDay = dayKeyOf(new Date(this.now()));
    try {
      mkdirSync(dirname(this.filename), { recursive: true });
      if (this.rotateDaily && existsSync(this.filename)) {
        const st = statSync(this.filename);
        const day = dayKeyOf(st.mtime);
        if (st.isFile() && st.size > 0 && day !== this.fileDay) this.renameAside(day);
      }
    } catch (e) {
      this.fileFailed(e);
      return;
    }
    this.openFile();
  }

  /**
   * Opens the file synchronously (at start and once a day), so that it exists at once: a rotation
   * right after can rename it, and lines still queued for the old stream follow it through its fd.
   */
  private openFile(): void {
    let fd: number;
    try {
      fd = openSync(this.filename, 'a');
    } catch (e) {
      this.fileFailed(e);
      return;
    }
    const stream: WriteStream = createWriteStream(this.filename, { fd });
    this.file = new Output(stream, this.filename, this);
  }

  /** Renames the current file to `<filename>.<day>` (or `.<day>.N` when taken). */
  private renameAside(day: string): void {
    let target = `${this.filename}.${day}`;
    for (let n = 1; existsSync(target); n++) target = `${this.filename}.${day}.${n}`;
    renameSync(this.filename, target);
  }

  private rotate(): void {
    const old = this.file;
    if (!old) return;
    const oldDay = this.fileDay;
    this.fileDay = this.cachedDay;
    try {
      // Lines still pending in the old stream land in the renamed file: its fd follows the inode.
      this.renameAside(oldDay);
    } catch (e) {
      // Keep appending to the same file rather than have two streams on it.
      this.report(`rotate:${this.filename}`, `cannot rotate ${this.filename}: ${errText(e)}`);
      return;
    }
    this.ending.push(old.end());
    this.openFile();
  }

  private fileFailed(e: unknown): void {
    this.file = undefined;
    this.fallBackToStdout(`cannot write the log file ${this.filename}: ${errText(e)}`);
  }

  private fallBackToStdout(what: string): void {
    if (!this.stdout && !this.closing) {
      this.stdout = new Output(this.stdoutStream, 'stdout', this);
      this.report(what, `${what}; logging to stdout only`);
    } else {
      this.report(what, `${what}; ${this.stdout?.dead ? 'no log output left' : 'logging to stdout only'}`);
    }
  }

  /** An output's stream emitted 'error': stop using it and say so once. */
  outputFailed(out: Output, e: Error): void {
    if (out.dead) return;
    out.dead = true;
    if (out === this.file) {
      this.fileFailed(e);
    } else if (out === this.stdout) {
      this.report('stdout', `cannot write the log to stdout: ${errText(e)}; logging to the file only`);
    } else {
      this.report(`old:${out.name}`, `cannot finish writing ${out.name}: ${errText(e)}`);
    }
  }

  /** Writes a line about the logger itself to stderr, once per `key`. */
  private report(key: string, text: string): void {
    if (this.reported.has(key)) return;
    this.reported.add(key);
    try {
      this.stderr.write(`lals log: ${text}\n`);
    } catch {
      // nowhere left to say it
    }
  }

  fatalExit(): void {
    if (this.exiting) return;
    this.exiting = true;
    void this.close().then(() => this.exit(1));
  }

  close(): Promise<void> {
    this.closing ??= (async () => {
      const file = this.file;
      this.file = undefined;
      if (file) this.ending.push(file.end());
      // stdout stays in use (lines logged during shutdown) and keeps its error listener.
      this.stdout?.flush();
      await Promise.all(this.ending);
    })();
    return this.closing;
  }
}

function errText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  return err.code ? `${err.code} (${err.message})` : String(err.message ?? e);
}

class LalsLoggerImpl implements LalsLogger {
  constructor(
    private readonly sink: LogSink,
    private readonly prefix: string,
    private readonly root: boolean,
  ) {}

  debug(msg: string): void {
    if (this.sink.level <= 1) this.sink.write(1, this.prefix, msg, LalsLoggerImpl.prototype.debug);
  }

  info(msg: string): void {
    if (this.sink.level <= 2) this.sink.write(2, this.prefix, msg, LalsLoggerImpl.prototype.info);
  }

  warn(msg: string): void {
    if (this.sink.level <= 3) this.sink.write(3, this.prefix, msg, LalsLoggerImpl.prototype.warn);
  }

  error(msg: string): void {
    if (this.sink.level <= 4) this.sink.write(4, this.prefix, msg, LalsLoggerImpl.prototype.error);
  }

  fatal(msg: string): void {
    this.sink.write(5, this.prefix, msg, LalsLoggerImpl.prototype.fatal);
    this.sink.fatalExit();
  }

  assert(cond: unknown, msg: string): void {
    if (cond) return;
    const entry = LalsLoggerImpl.prototype.assert;
    switch (this.sink.assertBehavior) {
      case 1:
        if (this.sink.level <= 4) this.sink.write(4, this.prefix, `assert failed: ${msg}`, entry);
        return;
      case 2:
        this.sink.write(5, this.prefix, `assert failed: ${msg}`, entry);
        this.sink.fatalExit();
        return;
      case 3:
        if (this.sink.level <= 4) this.sink.write(4, this.prefix, `assert failed: ${msg}`, entry);
        throw new AssertFailedError(msg);
    }
  }

  child(prefix: string): LalsLogger {
    return new LalsLoggerImpl(this.sink, `${this.prefix}[${prefix}] `, false);
  }

  enabled(level: LogLevel): boolean {
    return level >= this.sink.level;
  }

  close(): Promise<void> {
    return this.root ? this.sink.close() : Promise.resolve();
  }
}

/**
 * Creates the server logger from the `log` section of the configuration. Never throws for output
 * problems (see the file comment); call `close()` before exit to flush the file.
 */
export function createLogger(cfg: LogConfig, opts: LoggerOptions = {}): LalsLogger {
  return new LalsLoggerImpl(new LogSink(cfg, opts), '', true);
}
