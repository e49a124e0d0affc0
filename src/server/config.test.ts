import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import {
  applyOverrides,
  ConfigError,
  configKeys,
  configReadmeSection,
  defaultConfig,
  loadConfig,
  parseAddr,
  parseConfig,
  parseConfigText,
  README_BEGIN,
  README_END,
} from './config.js';

/** The ConfigError message of `fn`, failing the test when it does not throw one. */
function errorOf(fn: () => unknown): ConfigError {
  try {
    fn();
  } catch (e) {
    assert.ok(e instanceof ConfigError, `expected a ConfigError, got ${String(e)}`);
    return e;
  }
  assert.fail('expected a ConfigError');
}

describe('config: defaults', () => {
  it('{} gives every default', () => {
    const cfg = parseConfig({}, 'x.json');
    assert.deepEqual(cfg, defaultConfig());
    assert.equal(cfg.rtmp.addr, ':1935');
    assert.equal(cfg.rtmp.gop_num, 1);
    assert.equal(cfg.httpflv.gop_num, 1);
    assert.equal(cfg.rtmp.out_chunk_size, 4096);
    assert.equal(cfg.rtmp.max_message_size, 8 * 1024 * 1024);
    assert.equal(cfg.httpflv.sub_listen_addr, ':8080');
    assert.equal(cfg.httpflv.enable_ws, true);
    assert.equal(cfg.gop_cache.max_bytes, 32 * 1024 * 1024);
    assert.equal(cfg.sub.soft_mark_bytes, 2 * 1024 * 1024);
    assert.equal(cfg.sub.hard_mark_bytes, 8 * 1024 * 1024);
    assert.equal(cfg.sub.wait_publisher_timeout_ms, 0);
    assert.equal(cfg.pub.take_over_stale, false);
    assert.equal(cfg.limits.max_connections, 10000);
    assert.equal(cfg.log.level, 2);
    assert.equal(cfg.log.filename, './logs/lals.log');
    assert.equal(cfg.pprof.enable, false);
  });

  it('a partial section keeps the defaults of the keys it leaves out', () => {
    const cfg = parseConfig({ rtmp: { gop_num: 0 }, log: { level: 'debug' } }, 'x.json');
    assert.equal(cfg.rtmp.gop_num, 0);
    assert.equal(cfg.rtmp.addr, ':1935');
    assert.equal(cfg.log.level, 1);
    assert.equal(cfg.log.is_to_stdout, true);
  });

  it('the result is frozen', () => {
    const cfg = parseConfig({}, 'x.json');
    assert.ok(Object.isFrozen(cfg));
    assert.ok(Object.isFrozen(cfg.rtmp));
  });

  it('the shipped conf/lals.conf.json parses and equals the defaults, with every key spelled out', () => {
    const path = join(process.cwd(), 'conf', 'lals.conf.json');
    assert.deepEqual(loadConfig(path), defaultConfig());
    const json = JSON.parse(readFileSync(path, 'utf8')) as Record<string, Record<string, unknown>>;
    for (const { section, key } of configKeys()) {
      assert.ok(json[section] && key in json[section], `conf/lals.conf.json lacks ${section}.${key}`);
    }
  });

  it('log.level takes lal numbers and names', () => {
    for (const [v, want] of [
      [1, 1],
      [5, 5],
      ['info', 2],
      ['WARN', 3],
      ['error', 4],
      ['fatal', 5],
    ] as const) {
      assert.equal(parseConfig({ log: { level: v } }, 'x').log.level, want);
    }
  });
});

describe('config: errors name the key', () => {
  it('unknown top-level key', () => {
    const e = errorOf(() => parseConfig({ rtmpp: {} }, 'conf/x.json'));
    assert.equal(e.message, 'config conf/x.json: rtmpp: unknown key; did you mean "rtmp"?');
    assert.equal(e.keyPath, 'rtmpp');
    const e2 = errorOf(() => parseConfig({ foo: 1 }, 'conf/x.json'));
    assert.match(e2.message, /^config conf\/x\.json: foo: unknown key \(known: rtmp, httpflv, /);
  });

  it('unknown nested key', () => {
    const e = errorOf(() => parseConfig({ rtmp: { gopnum: 2 } }, 'conf/x.json'));
    assert.equal(e.message, 'config conf/x.json: rtmp.gopnum: unknown key; did you mean "gop_num"?');
    assert.equal(e.keyPath, 'rtmp.gopnum');
  });

  it('wrong type', () => {
    assert.equal(
      errorOf(() => parseConfig({ rtmp: { gop_num: '2' } }, 'conf/x.json')).message,
      'config conf/x.json: rtmp.gop_num: expected an integer >= 0, got "2"',
    );
    assert.equal(
      errorOf(() => parseConfig({ httpflv: { enable_ws: 1 } }, 'x')).message,
      'config x: httpflv.enable_ws: expected true or false, got 1',
    );
    assert.equal(
      errorOf(() => parseConfig({ log: { filename: null } }, 'x')).message,
      'config x: log.filename: expected a string, got null',
    );
    assert.equal(
      errorOf(() => parseConfig({ rtmp: [] }, 'x')).message,
      'config x: rtmp: expected an object, got an array',
    );
    assert.equal(
      errorOf(() => parseConfig([1], 'x')).message,
      'config x: expected a JSON object, got an array',
    );
    assert.match(
      errorOf(() => parseConfig({ log: { level: 'loud' } }, 'x')).message,
      /^config x: log\.level: /,
    );
  });

  it('out of range', () => {
    assert.equal(
      errorOf(() => parseConfig({ rtmp: { out_chunk_size: 70000 } }, 'x')).message,
      'config x: rtmp.out_chunk_size: expected an integer in 128..65536, got 70000',
    );
    assert.match(
      errorOf(() => parseConfig({ rtmp: { gop_num: -1 } }, 'x')).message,
      /rtmp\.gop_num: .* got -1$/,
    );
    assert.match(
      errorOf(() => parseConfig({ rtmp: { gop_num: 1.5 } }, 'x')).message,
      /rtmp\.gop_num: .* got 1\.5$/,
    );
    assert.match(
      errorOf(() => parseConfig({ log: { assert_behavior: 4 } }, 'x')).message,
      /log\.assert_behavior/,
    );
    assert.equal(
      errorOf(() => parseConfig({ sub: { soft_mark_bytes: 9 * 1024 * 1024 } }, 'x')).message,
      'config x: sub.soft_mark_bytes: must not exceed sub.hard_mark_bytes (8388608), got 9437184',
    );
  });

  it('bad address', () => {
    for (const bad of [
      '1935',
      'host:',
      ':65536',
      '::1:1935',
      '[::1]1935',
      '[nope]:1',
      'a b:1',
      ':-1',
      ':1e3',
    ]) {
      const e = errorOf(() => parseConfig({ rtmp: { addr: bad } }, 'x'));
      assert.match(e.message, /^config x: rtmp\.addr: expected an address/, bad);
      assert.equal(e.keyPath, 'rtmp.addr');
    }
  });

  it('invalid JSON gives line and column', () => {
    const text = '{\n  "rtmp": {\n    "gop_num": 2,\n  }\n}\n';
    assert.equal(
      errorOf(() => parseConfigText(text, 'conf/x.json')).message,
      'config conf/x.json: invalid JSON at line 4, column 3: expected a double-quoted property name, found "}"',
    );
    assert.match(
      errorOf(() => parseConfigText('{\n  "a": tru\n}', 'x')).message,
      /^config x: invalid JSON at line 2, column 8: expected a value, found "tru"$/,
    );
    assert.match(errorOf(() => parseConfigText('', 'x')).message, /line 1, column 1: .*end of the input/);
    assert.match(
      errorOf(() => parseConfigText('{"rtmp": {"addr": "x\n"}}', 'x')).message,
      /line 1, column 21: control character/,
    );
    assert.match(errorOf(() => parseConfigText('{} {}', 'x')).message, /line 1, column 4/);
  });

  it('a duplicate key is refused with its position', () => {
    const e = errorOf(() => parseConfigText('{"rtmp": {\n  "gop_num": 1,\n  "gop_num": 2\n}}', 'x'));
    assert.equal(e.message, 'config x: rtmp.gop_num: duplicate key at line 3, column 3');
  });

  it('JSON text is otherwise parsed like JSON.parse (BOM, escapes, numbers)', () => {
    const cfg = parseConfigText(
      '\ufeff{"log": {"filename": "a\\u0062\\n"}, "rtmp": {"gop_num": 3e0, "max_amf_depth": 1E1}}',
      'x',
    );
    assert.equal(cfg.log.filename, 'ab\n');
    assert.equal(cfg.rtmp.gop_num, 3);
    assert.equal(cfg.rtmp.max_amf_depth, 10);
  });

  it('an unreadable file is a ConfigError naming it', () => {
    const e = errorOf(() => loadConfig(join(tmpdir(), 'lalts-no-such-dir', 'x.json')));
    assert.match(e.message, /^config .*x\.json: cannot read: no such file$/);
  });

  it('loadConfig reads a file', () => {
    const dir = mkdtempSync(join(tmpdir(), 'lalts-config-'));
    try {
      const path = join(dir, 'c.json');
      writeFileSync(path, '{"rtmp": {"addr": "127.0.0.1:0"}}');
      assert.equal(loadConfig(path).rtmp.addr, '127.0.0.1:0');
      writeFileSync(path, '{"rtmp": {"addr": 1935}}');
      assert.equal(
        errorOf(() => loadConfig(path)).message,
        `config ${path}: rtmp.addr: ${'expected an address ":port", "host:port" or "[ipv6]:port" with a port in 0..65535'}, got 1935`,
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('config: addresses', () => {
  it('parseAddr', () => {
    assert.deepEqual(parseAddr(':1935'), { host: undefined, port: 1935 });
    assert.deepEqual(parseAddr('127.0.0.1:0'), { host: '127.0.0.1', port: 0 });
    assert.deepEqual(parseAddr('localhost:8080'), { host: 'localhost', port: 8080 });
    assert.deepEqual(parseAddr('[::1]:65535'), { host: '::1', port: 65535 });
    assert.deepEqual(parseAddr('[::]:1'), { host: '::', port: 1 });
    assert.throws(() => parseAddr('1935'), ConfigError);
    assert.throws(() => parseAddr(':65536'), ConfigError);
  });
});

describe('config: command-line overrides', () => {
  it('named overrides and --set replace single keys, validated', () => {
    const base = parseConfig({ rtmp: { gop_num: 5 } }, 'x');
    const cfg = applyOverrides(base, {
      rtmpAddr: ':1936',
      httpAddr: '127.0.0.1:8081',
      logLevel: 'debug',
      logFilename: '',
      pprofAddr: '[::1]:10002',
      set: ['pub.take_over_stale=true', 'rtmp.out_chunk_size=60000', 'log.filename=/tmp/x.log'],
    });
    assert.equal(cfg.rtmp.addr, ':1936');
    assert.equal(cfg.rtmp.gop_num, 5, 'keys not overridden keep the base value');
    assert.equal(cfg.rtmp.out_chunk_size, 60000);
    assert.equal(cfg.httpflv.sub_listen_addr, '127.0.0.1:8081');
    assert.equal(cfg.log.level, 1);
    assert.equal(cfg.log.filename, '', 'the named override wins over --set');
    assert.equal(cfg.pprof.addr, '[::1]:10002');
    assert.equal(cfg.pub.take_over_stale, true);
    assert.equal(base.rtmp.addr, ':1935', 'the base config is unchanged');
    assert.deepEqual(applyOverrides(base, {}), base);
  });

  it('a bad override names the key', () => {
    assert.equal(
      errorOf(() => applyOverrides(defaultConfig(), { rtmpAddr: 'nope' })).message,
      'command line: rtmp.addr: expected an address ":port", "host:port" or "[ipv6]:port" with a port in 0..65535, got "nope"',
    );
    assert.equal(
      errorOf(() => applyOverrides(defaultConfig(), { set: ['rtmp.gop_num=x'] })).message,
      'command line: rtmp.gop_num: expected an integer >= 0, got "x"',
    );
    assert.match(
      errorOf(() => applyOverrides(defaultConfig(), { set: ['rtmp.nope=1'] })).message,
      /rtmp\.nope: unknown key/,
    );
    assert.match(
      errorOf(() => applyOverrides(defaultConfig(), { set: ['gop_num'] })).message,
      /expected section\.key=value/,
    );
  });
});

describe('config: README', () => {
  const readme = readFileSync(join(process.cwd(), 'README.md'), 'utf8');

  it('documents every key of the table', () => {
    for (const { path } of configKeys()) assert.ok(readme.includes(`\`${path}\``), `README.md lacks ${path}`);
  });

  it('holds exactly the generated key tables (regenerate with configReadmeSection())', () => {
    const begin = readme.indexOf(README_BEGIN);
    const end = readme.indexOf(README_END);
    assert.ok(begin >= 0 && end > begin, 'README.md lacks the generated config section markers');
    assert.equal(
      readme.slice(begin, end + README_END.length),
      configReadmeSection(),
      'README.md config tables differ from config.ts: replace them with the output of ' +
        'node -e "import(\'./dist/src/server/config.js\').then(m => console.log(m.configReadmeSection()))"',
    );
  });
});
