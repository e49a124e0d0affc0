// The lals command: configuration errors, start, logs, debug endpoint, graceful shutdown.
import assert from 'node:assert/strict';
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { get } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readFixture, toolPath } from '../helpers/fixtures.js';
import { pullHttp, push, tagsToGot, waitFor } from '../helpers/lals.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lals-cli-'));
});
after(() => rmSync(dir, { recursive: true, force: true }));

function lalsSync(args: string[]) {
  return spawnSync(process.execPath, [toolPath('lals'), ...args], { encoding: 'utf8', timeout: 20_000 });
}

describe('lals configuration errors: one line naming the key, exit code 2', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['unknown key', '{"rtmp": {"gopnum": 1}}', /rtmp\.gopnum: unknown key/],
    ['wrong type', '{"rtmp": {"gop_num": "2"}}', /rtmp\.gop_num: expected an integer/],
    ['bad address', '{"httpflv": {"sub_listen_addr": "nowhere"}}', /httpflv\.sub_listen_addr/],
    ['invalid JSON', '{"rtmp": {', /invalid JSON at line 1/],
  ];
  for (const [what, text, re] of cases) {
    it(what, () => {
      const file = join(dir, `${what.replace(/ /g, '-')}.json`);
      writeFileSync(file, text);
      const r = lalsSync(['-c', file]);
      assert.equal(r.status, 2, r.stderr);
      const lines = r.stderr.trim().split('\n');
      assert.equal(lines.length, 1, r.stderr);
      assert.match(lines[0] ?? '', re);
    });
  }
  it('a missing config file', () => {
    const r = lalsSync(['-c', join(dir, 'nope.json')]);
    assert.notEqual(r.status, 0);
    assert.match(r.stderr, /nope\.json/);
  });
  it('a bad --set override', () => {
    const r = lalsSync(['--set', 'rtmp.out_chunk_size=1']);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /rtmp\.out_chunk_size/);
  });
});

describe('lals runs, logs sessions, serves the debug endpoint and stops gracefully', () => {
  it('start, publish, play, /debug/groups, SIGTERM -> exit 0 with the log flushed', async () => {
    const logFile = join(dir, 'logs', 'lals.log');
    const conf = join(dir, 'run.json');
    writeFileSync(
      conf,
      JSON.stringify({
        rtmp: { addr: '127.0.0.1:0' },
        httpflv: { sub_listen_addr: '127.0.0.1:0' },
        pprof: { enable: true, addr: '127.0.0.1:0' },
        log: { level: 'info', filename: logFile, is_to_stdout: true },
      }),
    );
    const child: ChildProcess = spawn(process.execPath, [toolPath('lals'), '-c', conf], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    child.stdout?.on('data', (b: Buffer) => {
      out += b.toString();
    });
    const exited = new Promise<number | null>((r) => child.once('exit', (code) => r(code)));
    try {
      await waitFor(
        () => /lals started/.test(out),
        () => `lals to start: ${out}`,
        10_000,
      );
      const rtmpPort = Number(/rtmp listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      const httpPort = Number(/httpflv \+ ws-flv listening on 127\.0\.0\.1:(\d+)/.exec(out)?.[1]);
      const debugPort = Number(/debug: server listening on 127\.0\.0\.1:\d+ \(port (\d+)\)/.exec(out)?.[1]);
      assert.ok(rtmpPort > 0 && httpPort > 0, out);
      const { tags } = readFixture('avc-aac');
      const http = pullHttp(`http://127.0.0.1:${httpPort}/live/cli.flv`);
      await waitFor(() => /play start live\/cli/.test(out), 'player registered');
      const pub = await push(`rtmp://127.0.0.1:${rtmpPort}/live/cli`, tags);
      await waitFor(() => http.got.length >= tagsToGot(tags).length, 'player got the stream');
      assert.ok(debugPort > 0, `debug endpoint address logged: ${out}`);
      {
        const body = await new Promise<string>((resolve, reject) => {
          get(`http://127.0.0.1:${debugPort}/debug/groups`, (res) => {
            let s = '';
            res.on('data', (c: Buffer) => {
              s += c.toString();
            });
            res.on('end', () => resolve(s));
          }).on('error', reject);
        });
        const dump = JSON.parse(body) as { groups: Array<{ key: string; subs: unknown[] }> };
        assert.equal(dump.groups[0]?.key, 'live/cli');
        assert.equal(dump.groups[0]?.subs.length, 1);
      }
      await pub.close();
      await http.done;
      await waitFor(() => /play stop live\/cli/.test(out), 'play stop logged');
      child.kill('SIGTERM');
      assert.equal(await exited, 0);
      const log = readFileSync(logFile, 'utf8');
      assert.match(log, /publish start live\/cli from 127\.0\.0\.1:\d+/);
      assert.match(log, /publish stop live\/cli .* \d+ messages, \d+ bytes/);
      assert.match(log, /play stop live\/cli .*\(httpflv.*\d+ bytes/);
      assert.match(log, /SIGTERM: stopping/);
      assert.match(log, /lals stopped/);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
});
