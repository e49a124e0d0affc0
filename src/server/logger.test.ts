import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { after, describe, it } from 'node:test';
import type { LogConfig } from './config.js';
import { defaultConfig } from './config.js';
import { AssertFailedError, createLogger } from './logger.js';

/** A Writable that keeps what it is given. */
class MemoryStream extends Writable {
  readonly chunks: string[] = [];
  override _write(chunk: Buffer | string, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    this.chunks.push(chunk.toString());
    cb();
  }
  text(): string {
    return this.chunks.join('');
  }
  lines(): string[] {
    return this.text()
      .split('\n')
      .filter((l) => l !== '');
  }
}

/** A Writable whose every write fails like a closed pipe. */
class BrokenPipe extends Writable {
  override _write(_chunk: Buffer, _enc: BufferEncoding, cb: (e?: Error | null) => void): void {
    const e: NodeJS.ErrnoException = new Error('write EPIPE');
    e.code = 'EPIPE';
    cb(e);
  }
}

const turn = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

function logConfig(over: Partial<LogConfig>): LogConfig {
  return { ...defaultConfig().log, filename: '', ...over };
}

const tmpRoot = mkdtempSync(join(tmpdir(), 'lalts-logger-'));
after(() => rmSync(tmpRoot, { recursive: true, force: true }));
let dirCount = 0;
function tmpDir(): string {
  const d = join(tmpRoot, String(dirCount++));
  return d;
}

/** 2026/11/24 22:51:03.123456 local time. */
const T0 = new Date(2026, 10, 24, 22, 51, 3, 123).getTime() + 0.456;

describe('logger', () => {
  it('filters by level before writing', async () => {
    const out = new MemoryStream();
    const log = createLogger(logConfig({ level: 3 }), { stdout: out, now: () => T0 });
    log.debug('d');
    log.info('i');
    log.warn('w');
    log.error('e');
    assert.equal(log.enabled(2), false);
    assert.equal(log.enabled(3), true);
    await log.close();
    await turn();
    assert.deepEqual(
      out.lines().map((l) => l.slice(27)),
      ['WARN  w', 'ERROR e'],
    );
  });

  it('formats lines like lal, with child prefixes', async () => {
    const out = new MemoryStream();
    const log = createLogger(logConfig({ level: 1 }), { stdout: out, now: () => T0 });
    log.info('message');
    log.debug('d');
    const sub = log.child('RTMPPUB1');
    sub.warn('w');
    sub.child('X').error('e');
    await turn();
    assert.deepEqual(out.lines(), [
      '2026/11/24 22:51:03.123456 INFO  message',
      '2026/11/24 22:51:03.123456 DEBUG d',
      '2026/11/24 22:51:03.123456 WARN  [RTMPPUB1] w',
      '2026/11/24 22:51:03.123456 ERROR [RTMPPUB1] [X] e',
    ]);
    await sub.close(); // a child closes nothing
    log.info('still open');
    await turn();
    assert.equal(out.lines().length, 5);
    await log.close();
  });

  it('pads microseconds and follows the clock', async () => {
    const out = new MemoryStream();
    let now = new Date(2026, 0, 2, 3, 4, 5, 6).getTime() + 0.007;
    const log = createLogger(logConfig({}), { stdout: out, now: () => now });
    log.info('a');
    now = new Date(2026, 0, 2, 3, 4, 6, 0).getTime();
    log.info('b');
    await log.close();
    await turn();
    assert.deepEqual(out.lines(), [
      '2026/01/02 03:04:05.006007 INFO  a',
      '2026/01/02 03:04:06.000000 INFO  b',
    ]);
  });

  it('the default clock gives the current time', async () => {
    const out = new MemoryStream();
    const log = createLogger(logConfig({}), { stdout: out });
    const before = new Date();
    log.info('x');
    await log.close();
    await turn();
    const year = Number(out.text().slice(0, 4));
    assert.ok(Math.abs(year - before.getFullYear()) <= 1);
    assert.match(out.text(), /^\d{4}\/\d\d\/\d\d \d\d:\d\d:\d\d\.\d{6} INFO {2}x\n$/);
  });

  it('short_file_flag ends each line with the caller file:line', async () => {
    const out = new MemoryStream();
    const log = createLogger(logConfig({ short_file_flag: true, level: 1 }), { stdout: out, now: () => T0 });
    log.info('a');
    log.child('C').debug('b');
    log.assert(false, 'c');
    await log.close();
    await turn();
    const lines = out.lines();
    assert.equal(lines.length, 3);
    for (const l of lines) assert.match(l, / - logger\.test\.(js|ts):\d+$/);
    assert.ok(lines[0]?.startsWith('2026/11/24 22:51:03.123456 INFO  a - logger.test.'));
  });

  it('without short_file_flag there is no suffix', async () => {
    const out = new MemoryStream();
    const log = createLogger(logConfig({}), { stdout: out, now: () => T0 });
    log.info('a');
    await log.close();
    await turn();
    assert.equal(out.text(), '2026/11/24 22:51:03.123456 INFO  a\n');
  });

  it('writes to a file in append mode, creating its directory; close flushes', async () => {
    const dir = tmpDir();
    const filename = join(dir, 'sub', 'lals.log');
    const log = createLogger(logConfig({ filename, is_to_stdout: false }), { now: () => T0 });
    for (let i = 0; i < 2000; i++) log.info(`line ${i}`);
    await log.close();
    const lines = readFileSync(filename, 'utf8').split('\n');
    assert.equal(lines.length, 2001);
    assert.equal(lines[1999], '2026/11/24 22:51:03.123456 INFO  line 1999');
    await log.close(); // idempotent
    // The file's date must match the injected clock, or the new logger would rotate it at start.
    utimesSync(filename, new Date(T0), new Date(T0));
    const again = createLogger(logConfig({ filename, is_to_stdout: false }), { now: () => T0 });
    again.info('appended');
    await again.close();
    assert.equal(readFileSync(filename, 'utf8').split('\n').length, 2002);
  });

  it('rotates daily when the local date changes', async () => {
    const dir = tmpDir();
    const filename = join(dir, 'lals.log');
    let now = new Date(2026, 10, 24, 23, 59, 59, 900).getTime();
    const log = createLogger(logConfig({ filename, is_to_stdout: false }), { now: () => now });
    log.info('day one a');
    log.info('day one b');
    now = new Date(2026, 10, 25, 0, 0, 0, 100).getTime();
    log.info('day two');
    now = new Date(2026, 10, 25, 12, 0, 0, 0).getTime();
    log.info('day two later');
    await log.close();
    assert.deepEqual(readdirSync(dir).sort(), ['lals.log', 'lals.log.20261124']);
    const old = readFileSync(join(dir, 'lals.log.20261124'), 'utf8');
    const cur = readFileSync(filename, 'utf8');
    assert.deepEqual(
      old.split('\n').map((l) => l.slice(27)),
      ['INFO  day one a', 'INFO  day one b', ''],
    );
    assert.deepEqual(
      cur.split('\n').map((l) => l.slice(27)),
      ['INFO  day two', 'INFO  day two later', ''],
    );
  });

  it('without is_rotate_daily one file keeps every day', async () => {
    const dir = tmpDir();
    const filename = join(dir, 'lals.log');
    let now = new Date(2026, 10, 24, 23, 59, 59, 900).getTime();
    const log = createLogger(logConfig({ filename, is_to_stdout: false, is_rotate_daily: false }), {
      now: () => now,
    });
    log.info('a');
    now += 1000;
    log.info('b');
    await log.close();
    assert.deepEqual(readdirSync(dir), ['lals.log']);
  });

  it('a file left from an earlier day is rotated at start, by its date, without overwriting', async () => {
    const dir = tmpDir();
    const filename = join(dir, 'lals.log');
    const log0 = createLogger(logConfig({ filename, is_to_stdout: false }), { now: () => T0 });
    log0.info('x');
    await log0.close();
    writeFileSync(`${filename}.20260101`, 'taken\n');
    const old = new Date(2026, 0, 1, 12, 0, 0);
    utimesSync(filename, old, old);
    const log = createLogger(logConfig({ filename, is_to_stdout: false }), { now: () => T0 });
    log.info('today');
    await log.close();
    assert.deepEqual(readdirSync(dir).sort(), ['lals.log', 'lals.log.20260101', 'lals.log.20260101.1']);
    assert.equal(readFileSync(`${filename}.20260101`, 'utf8'), 'taken\n');
    assert.match(readFileSync(`${filename}.20260101.1`, 'utf8'), /INFO {2}x\n$/);
    assert.match(readFileSync(filename, 'utf8'), /INFO {2}today\n$/);
  });

  it('a file that cannot be created does not throw: reported once, stdout takes over', async () => {
    const dir = tmpDir();
    const log0 = createLogger(logConfig({ filename: join(dir, 'f') }), { stdout: new MemoryStream() });
    await log0.close();
    // `f` is a regular file, so `f/sub/x.log` cannot be created (ENOTDIR).
    const out = new MemoryStream();
    const err = new MemoryStream();
    const log = createLogger(logConfig({ filename: join(dir, 'f', 'sub', 'x.log'), is_to_stdout: false }), {
      stdout: out,
      stderr: err,
      now: () => T0,
    });
    log.info('one');
    log.info('two');
    await log.close();
    await turn();
    assert.equal(err.lines().length, 1);
    assert.match(
      err.text(),
      /^lals log: cannot write the log file .*x\.log: ENOTDIR .*; logging to stdout only\n$/,
    );
    assert.deepEqual(
      out.lines().map((l) => l.slice(27)),
      ['INFO  one', 'INFO  two'],
    );
  });

  it('a directory as the file name does not throw either', async () => {
    const dir = mkdtempSync(join(tmpRoot, 'isdir-'));
    const out = new MemoryStream();
    const err = new MemoryStream();
    const log = createLogger(logConfig({ filename: dir }), { stdout: out, stderr: err, now: () => T0 });
    log.info('one');
    await turn();
    await new Promise((resolve) => setTimeout(resolve, 20));
    log.info('two');
    await log.close();
    await turn();
    assert.equal(err.lines().length, 1);
    assert.match(err.text(), /EISDIR/);
    assert.deepEqual(
      out.lines().map((l) => l.slice(27)),
      ['INFO  one', 'INFO  two'],
    );
  });

  it('an EPIPE on stdout does not throw: reported once, the file goes on', async () => {
    const dir = tmpDir();
    const filename = join(dir, 'lals.log');
    const err = new MemoryStream();
    const log = createLogger(logConfig({ filename }), {
      stdout: new BrokenPipe(),
      stderr: err,
      now: () => T0,
    });
    log.info('one');
    await turn();
    log.info('two');
    await turn();
    log.info('three');
    await log.close();
    assert.equal(err.lines().length, 1);
    assert.match(err.text(), /stdout: EPIPE/);
    assert.equal(readFileSync(filename, 'utf8').split('\n').length, 4);
  });

  it('a stream far behind drops lines and says how many', async () => {
    const slow = new (class extends Writable {
      readonly chunks: string[] = [];
      pending: Array<() => void> = [];
      override _write(chunk: Buffer, _enc: BufferEncoding, cb: () => void): void {
        this.chunks.push(chunk.toString());
        this.pending.push(cb);
      }
    })({ highWaterMark: 16 });
    const log = createLogger(logConfig({}), { stdout: slow, now: () => T0, maxBufferedBytes: 100 });
    for (let i = 0; i < 10; i++) log.info(`line ${i}`);
    await turn();
    while (slow.pending.length > 0) {
      for (const cb of slow.pending.splice(0)) cb();
      await turn();
    }
    log.info('after');
    await turn();
    while (slow.pending.length > 0) {
      for (const cb of slow.pending.splice(0)) cb();
      await turn();
    }
    const text = slow.chunks.join('');
    assert.match(text, /WARN {2}log: dropped \d+ lines \(stdout too slow\)\n.*INFO {2}after\n$/);
    await log.close();
  });

  it('fatal logs, flushes and exits with 1', async () => {
    const dir = tmpDir();
    const filename = join(dir, 'lals.log');
    const codes: number[] = [];
    let exited: () => void = () => {};
    const done = new Promise<void>((resolve) => {
      exited = resolve;
    });
    const log = createLogger(logConfig({ filename, is_to_stdout: false, level: 5 }), {
      now: () => T0,
      exit: (code) => {
        codes.push(code);
        exited();
      },
    });
    log.error('filtered');
    log.fatal('boom');
    log.fatal('again');
    await done;
    assert.deepEqual(codes, [1]);
    assert.match(readFileSync(filename, 'utf8'), /^2026\/11\/24 22:51:03\.123456 FATAL boom\n/);
  });

  it('assert acts by assert_behavior', async () => {
    const out = new MemoryStream();
    const log1 = createLogger(logConfig({ assert_behavior: 1 }), { stdout: out, now: () => T0 });
    log1.assert(true, 'fine');
    log1.assert(0, 'one');
    const log3 = createLogger(logConfig({ assert_behavior: 3 }), { stdout: out, now: () => T0 });
    assert.throws(() => log3.assert(false, 'three'), AssertFailedError);
    const codes: number[] = [];
    const log2 = createLogger(logConfig({ assert_behavior: 2 }), {
      stdout: out,
      now: () => T0,
      exit: (c) => codes.push(c),
    });
    log2.assert(null, 'two');
    await log2.close();
    await log1.close();
    await log3.close();
    await turn();
    assert.deepEqual(codes, [1]);
    assert.deepEqual(
      out.lines().map((l) => l.slice(27)),
      ['ERROR assert failed: one', 'ERROR assert failed: three', 'FATAL assert failed: two'],
    );
  });
});
