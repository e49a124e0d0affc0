/**
 * The client tools' shared module (src/app/load) and their failure behaviour:
 *  - FlvSource: loop period, which headers a later loop skips, end-of-sequence tags;
 *  - naming helpers, FlvOutputFile (header flags patched to the tracks seen), ToolReport;
 *  - PushScheduler reconnect against an in-process library server: the new session starts with the
 *    headers in force and a key frame, timestamps continue;
 *  - the CLIs: refused port, HTTP 404, read timeout -> one clear line and exit 1; bad arguments exit 2.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer as createHttpServer } from 'node:http';
import { createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { FlvOutputFile } from '../../src/app/load/flv-output-file.js';
import { FlvSource } from '../../src/app/load/flv-source.js';
import { PushScheduler } from '../../src/app/load/push-scheduler.js';
import { backoffMs, expandOutput, expandUrl, spreadOffsetMs } from '../../src/app/load/tool-options.js';
import { ToolReport } from '../../src/app/load/tool-report.js';
import {
  classifyFlvTag,
  FlvTagType,
  packFlvHeader,
  packFlvTag,
  packOnMetaData,
  parseFlvFile,
} from '../../src/format/flv/index.js';
import { type RtmpMediaMessage, RtmpServer, stripSetDataFrame } from '../../src/protocol/rtmp/index.js';
import { fixturePath, readFixture, toolPath } from '../helpers/fixtures.js';
import { runCli } from '../interop/client-tools-helpers.js';
import { tempDir } from '../interop/rtmp-helpers.js';

function cli(
  name: string,
  args: string[],
  timeoutMs = 15_000,
): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [toolPath(name), ...args], { encoding: 'utf8', timeout: timeoutMs });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

async function listen(server: Server | ReturnType<typeof createHttpServer>): Promise<number> {
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  return typeof a === 'object' && a !== null ? a.port : 0;
}

async function closedPort(): Promise<number> {
  const s = createTcpServer();
  const port = await listen(s);
  await new Promise<void>((resolve) => s.close(() => resolve()));
  return port;
}

function oneLine(stderr: string): string {
  const lines = stderr.trim().split('\n');
  assert.equal(lines.length, 1, `one line expected:\n${stderr}`);
  return lines[0] ?? '';
}

describe('FlvSource', () => {
  it('avc-aac: loop period = longest track span + one frame; later loops skip the unchanged headers', () => {
    const src = FlvSource.load(fixturePath('avc-aac'));
    // Audio 0..3018 in 23 ms steps is the longest track: 3018 + 23.
    assert.equal(src.loopPeriodMs, 3041);
    assert.equal(src.baseTsMs, 0);
    assert.ok(src.hasAudio && src.hasVideo);
    const heads = src.tags.filter((t) => t.cls === 'metadata' || t.cls.endsWith('sequence-header'));
    assert.equal(heads.length, 3);
    assert.ok(heads.every((t) => t.skipInLaterLoops));
    assert.equal(src.tags.filter((t) => t.skipInLaterLoops).length, 3);
    // The AVC end of sequence (the last tag) is flagged; metadata gets @setDataFrame for RTMP.
    assert.deepEqual(
      src.tags.filter((t) => t.endOfSequence).map((t) => [t.type, t.timestampMs]),
      [[9, 2983]],
    );
    assert.equal(
      Buffer.from(src.tags[0]?.payload ?? [])
        .subarray(0, 16)
        .toString('hex'),
      '02000d40736574446174614672616d65' /* AMF0 "@setDataFrame" */,
    );
  });

  it('a header the file changes is resent in later loops; a repeated one is not', () => {
    const { tags } = readFixture('avc-aac');
    const vsh = tags.find((t) => classifyFlvTag(t.type, t.data) === 'video-sequence-header');
    assert.ok(vsh);
    const changed = Buffer.from(vsh.data);
    changed[changed.length - 1] = (changed.at(-1) ?? 0) ^ 1;
    const frames = tags.filter((t) => classifyFlvTag(t.type, t.data).endsWith('frame'));
    const mid = frames.length >> 1;
    const list = [
      vsh,
      ...frames.slice(0, mid),
      { ...vsh, data: changed, timestampMs: frames[mid]?.timestampMs ?? 0 },
      ...frames.slice(mid),
      { ...vsh, data: changed, timestampMs: frames.at(-1)?.timestampMs ?? 0 },
    ];
    const file = Buffer.concat([
      packFlvHeader({ hasAudio: true, hasVideo: true }),
      ...list.map((t) => packFlvTag(t)),
    ]);
    const src = FlvSource.fromBytes('synthetic.flv', file);
    const flags = src.tags.filter((t) => t.cls === 'video-sequence-header').map((t) => t.skipInLaterLoops);
    // In force at a later loop's start: the changed one. So the first (original) is resent, the
    // change is resent, and its repetition at the end is not.
    assert.deepEqual(flags, [false, false, true]);
  });
});

describe('naming and report helpers', () => {
  it('expand URLs and output names, spread the starts, back off', () => {
    assert.equal(expandUrl('rtmp://h/live/s_{i}', 7), 'rtmp://h/live/s_7');
    assert.equal(expandOutput('out.flv', 0, 1), 'out.flv');
    assert.equal(expandOutput('out.flv', 3, 10), 'out_3.flv');
    assert.equal(expandOutput('/tmp/x/{i}-a.flv', 3, 10), '/tmp/x/3-a.flv');
    assert.equal(expandOutput('noext', 2, 3), 'noext_2');
    assert.deepEqual(
      [0, 1, 2, 3].map((i) => spreadOffsetMs(i, 4, 1000)),
      [0, 250, 500, 750],
    );
    assert.equal(spreadOffsetMs(0, 1, 1000), 0);
    for (let a = 1; a < 12; a++) {
      const b = backoffMs(a);
      assert.ok(b >= 800 && b <= 36_000, `${a}: ${b}`);
    }
  });

  it('ToolReport prints the first 3 lines per reason, counts the rest, and sets the exit code', () => {
    const out: string[] = [];
    const err: string[] = [];
    const r = new ToolReport({
      tool: 't',
      mode: 'text',
      intervalMs: 0,
      out: (l) => out.push(l),
      err: (l) => err.push(l),
    });
    r.counters.sessions = 5;
    for (let i = 0; i < 5; i++) r.failure(`rtmp://h/a/s${i}`, 'connect ECONNREFUSED');
    r.failure('rtmp://h/a/x', 'other');
    assert.equal(err.length, 4);
    assert.match(err[2] ?? '', /further failures with this reason are only counted/);
    assert.equal(r.exitCode(), 1);
    r.counters.everUp = 2;
    assert.equal(r.exitCode(), 3);
    r.counters.everUp = 5;
    assert.equal(r.exitCode(), 0);
    r.printSummary();
    assert.match(out[0] ?? '', /summary: .*errors: 5 x connect ECONNREFUSED; 1 x other/);
    const j: string[] = [];
    const rj = new ToolReport({
      tool: 't',
      mode: 'json',
      intervalMs: 0,
      out: (l) => j.push(l),
      err: () => assert.fail('stderr in json mode'),
    });
    rj.failure('u', 'why');
    rj.printSummary();
    assert.deepEqual(JSON.parse(j[0] ?? '{}'), { type: 'error', tool: 't', url: 'u', reason: 'why' });
    assert.equal((JSON.parse(j[1] ?? '{}') as { type: string }).type, 'summary');
  });
});

describe('FlvOutputFile', () => {
  it('writes the header at the first media tag and patches its flags to the tracks seen', async (t) => {
    const dir = tempDir(t);
    const path = join(dir, 'a.flv');
    const f = new FlvOutputFile(path);
    // The metadata announces video too, but only audio arrives.
    const meta = packOnMetaData({ audiocodecid: 10, videocodecid: 7, width: 320 });
    f.write(FlvTagType.Script, 0, meta);
    f.write(FlvTagType.Audio, 0, Uint8Array.of(0xaf, 0x00, 0x12, 0x10));
    f.write(FlvTagType.Audio, 23, Uint8Array.of(0xaf, 0x01, 1, 2, 3));
    await f.close();
    const file = readFileSync(path);
    assert.equal(file[4], 0x04, 'audio only after the patch');
    const { header, tags } = parseFlvFile(file);
    assert.deepEqual(header && { a: header.hasAudio, v: header.hasVideo }, { a: true, v: false });
    assert.deepEqual(
      tags.map((x) => [x.type, x.timestampMs, x.data.length]),
      [
        [18, 0, meta.length],
        [8, 0, 4],
        [8, 23, 5],
      ],
    );
    // A file that got nothing is a bare header.
    const empty = join(dir, 'empty.flv');
    await new FlvOutputFile(empty).close();
    assert.equal(readFileSync(empty).length, 13);
  });
});

describe('PushScheduler reconnect', { timeout: 20_000 }, () => {
  it('after a kick: headers in force first, video from a key frame, timestamps continue', async (t) => {
    const sessions: RtmpMediaMessage[][] = [];
    let kicked = false;
    const server = new RtmpServer({
      onNewPubSession: (s) => {
        sessions.push([]);
        if (!kicked) {
          kicked = true;
          setTimeout(() => s.close('kicked by the test'), 400);
        }
        return undefined;
      },
      onPubMessage: (_s, m) => {
        sessions.at(-1)?.push({ ...m, payload: Buffer.from(m.payload) });
      },
      onNewSubSession: () => new Error('no players here'),
      onClose: () => {},
    });
    const port = (await server.listen(0, '127.0.0.1')).port;
    t.after(() => server.close());
    const out: string[] = [];
    const report = new ToolReport({
      tool: 'flvfile2rtmppush',
      mode: 'json',
      intervalMs: 0,
      out: (l) => out.push(l),
    });
    const sched = new PushScheduler({
      urls: [`rtmp://127.0.0.1:${port}/live/k`],
      source: FlvSource.load(fixturePath('avc-aac')),
      report,
      reconnect: true,
    });
    sched.start();
    await sched.done;
    assert.equal(sessions.length, 2);
    assert.equal(report.counters.reconnects, 1);
    assert.equal(report.counters.lost, 1);
    const [a, b] = sessions as [RtmpMediaMessage[], RtmpMediaMessage[]];
    const cls = (m: RtmpMediaMessage): string =>
      classifyFlvTag(m.typeId, m.typeId === 18 ? stripSetDataFrame(m.payload) : m.payload);
    assert.deepEqual(b.slice(0, 3).map(cls), ['metadata', 'video-sequence-header', 'audio-sequence-header']);
    assert.equal(
      b.find((m) => m.typeId === 9 && cls(m) !== 'video-sequence-header')?.payload[0],
      0x17,
      'key frame first',
    );
    const lastA = Math.max(...a.map((m) => m.timestampMs));
    const firstMediaB = b.find((m) => cls(m).endsWith('frame'));
    assert.ok(
      firstMediaB !== undefined && firstMediaB.timestampMs >= lastA,
      `${firstMediaB?.timestampMs} >= ${lastA}`,
    );
    // The second session ends the file: its last audio is the file's last.
    assert.equal(Math.max(...b.filter((m) => m.typeId === 8).map((m) => m.timestampMs)), 3018);
  });
});

describe('flvfile2rtmppush transport options', { timeout: 30_000 }, () => {
  it('rtmps:// needs --insecure for a self-signed server; --simple-handshake and --chunk-size 128 are honoured', async (t) => {
    const testdata = join(process.cwd(), 'src/protocol/rtmp/testdata');
    const recorded: RtmpMediaMessage[] = [];
    const modes: string[] = [];
    const server = new RtmpServer(
      {
        onNewPubSession: (s) => {
          modes.push(s.handshake?.mode ?? '');
          return undefined;
        },
        onPubMessage: (_s, m) => {
          recorded.push({ ...m, payload: Buffer.from(m.payload) });
        },
        onNewSubSession: () => new Error('no players here'),
        onClose: () => {},
      },
      {
        tls: {
          key: readFileSync(join(testdata, 'test-key.pem')),
          cert: readFileSync(join(testdata, 'test-cert.pem')),
        },
      },
    );
    const port = (await server.listen(0, '127.0.0.1')).port;
    t.after(() => server.close());
    const url = `rtmps://127.0.0.1:${port}/live/tls`;
    const strict = await runCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', url, '-q'],
      15_000,
    );
    assert.equal(strict.code, 1);
    assert.match(oneLine(strict.stderr), /self[- ]signed/i);
    const ok = await runCli(
      t,
      'flvfile2rtmppush',
      [
        '-i',
        fixturePath('avc-aac'),
        '-o',
        url,
        '--insecure',
        '--simple-handshake',
        '--chunk-size',
        '128',
        '-q',
      ],
      15_000,
    );
    assert.equal(ok.code, 0, ok.stderr);
    assert.deepEqual(modes, ['simple']);
    const { tags } = readFixture('avc-aac');
    assert.deepEqual(
      recorded.map((m) => [
        m.typeId,
        m.timestampMs,
        Buffer.from(m.typeId === 18 ? stripSetDataFrame(m.payload) : m.payload).toString('hex'),
      ]),
      tags.map((x) => [x.type, x.timestampMs, Buffer.from(x.data).toString('hex')]),
    );
  });
});

describe('CLI failures', { concurrency: true, timeout: 30_000 }, () => {
  it('refused port: one line with ECONNREFUSED, exit 1 (all three tools)', async () => {
    const port = await closedPort();
    const cases: Array<[string, string[]]> = [
      ['flvfile2rtmppush', ['-i', fixturePath('avc-aac'), '-o', `rtmp://127.0.0.1:${port}/live/x`]],
      ['rtmppull', ['-i', `rtmp://127.0.0.1:${port}/live/x`]],
      ['httpflvpull', ['-i', `http://127.0.0.1:${port}/live/x.flv`]],
    ];
    for (const [name, args] of cases) {
      const r = cli(name, args);
      assert.equal(r.status, 1, `${name}: ${r.stderr}`);
      assert.match(oneLine(r.stderr), new RegExp(`^${name}: \\S+: .*ECONNREFUSED`));
      assert.match(r.stdout, /summary: .*never-started 1 /);
    }
  });

  it('HTTP 404: one line, exit 1', async (t) => {
    const server = createHttpServer((_req, res) => {
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('no such stream');
    });
    const port = await listen(server);
    t.after(() => server.close());
    // Async: the server answers from this process.
    const r = await runCli(t, 'httpflvpull', ['-i', `http://127.0.0.1:${port}/live/none.flv`, '-q'], 15_000);
    assert.equal(r.code, 1);
    assert.match(
      oneLine(r.stderr),
      /^httpflvpull: http:\/\/127\.0\.0\.1:\d+\/live\/none\.flv: HTTP 404 Not Found/,
    );
  });

  it('a server that never answers: read timeout, one line, exit 1', async (t) => {
    const sockets = new Set<Socket>();
    const server = createTcpServer((s) => {
      sockets.add(s);
      s.on('error', () => {});
    });
    const port = await listen(server);
    t.after(() => {
      for (const s of sockets) s.destroy();
      server.close();
    });
    const r1 = await runCli(
      t,
      'rtmppull',
      ['-i', `rtmp://127.0.0.1:${port}/live/x`, '--read-timeout', '500', '-q'],
      15_000,
    );
    assert.equal(r1.code, 1);
    assert.match(oneLine(r1.stderr), /^rtmppull: \S+: read timeout after 500 ms/);
    const r2 = await runCli(
      t,
      'httpflvpull',
      ['-i', `http://127.0.0.1:${port}/live/x.flv`, '--read-timeout', '500', '-q'],
      15_000,
    );
    assert.equal(r2.code, 1);
    assert.match(oneLine(r2.stderr), /^httpflvpull: \S+: read timeout after 500 ms/);
  });

  it('bad arguments exit 2; a missing file exits 1', () => {
    const n = cli('flvfile2rtmppush', [
      '-i',
      fixturePath('avc-aac'),
      '-o',
      'rtmp://127.0.0.1/live/x',
      '-n',
      '2',
    ]);
    assert.equal(n.status, 2);
    assert.match(oneLine(n.stderr), /needs \{i\}/);
    const scheme = cli('rtmppull', ['-i', 'http://127.0.0.1/live/x.flv']);
    assert.equal(scheme.status, 2);
    const num = cli('httpflvpull', ['-i', 'http://127.0.0.1/x.flv', '-n', 'many']);
    assert.equal(num.status, 2);
    assert.match(oneLine(num.stderr), /--num must be an integer/);
    const noDir = cli('rtmppull', ['-i', 'rtmp://127.0.0.1/live/x', '-o', '/nonexistent/dir/x.flv']);
    assert.equal(noDir.status, 2);
    assert.match(oneLine(noDir.stderr), /no such directory: \/nonexistent\/dir/);
    const missing = cli('flvfile2rtmppush', ['-i', '/nonexistent/x.flv', '-o', 'rtmp://127.0.0.1/live/x']);
    assert.equal(missing.status, 1);
    assert.match(oneLine(missing.stderr), /no such file: \/nonexistent\/x\.flv/);
  });
});
