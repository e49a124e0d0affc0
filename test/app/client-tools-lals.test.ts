/**
 * The client tools against lals (in-process, 127.0.0.1 port 0):
 *  - one file pushed with flvfile2rtmppush, pulled at the same time with rtmppull, httpflvpull over
 *    HTTP-FLV and over WebSocket-FLV: identical tags (metadata included) from the first key frame,
 *    right header flags, ffprobe counts every frame;
 *  - `-n 200` pushers and `-n 200` players (one per stream): all start, all carry every frame;
 *  - refusals: a second publisher (NetStream.Publish.BadName), HTTP 404; a redirect is followed.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath } from '../helpers/fixtures.js';
import { startLals, waitFor } from '../helpers/lals.js';
import { needTool } from '../helpers/tools.js';
import {
  fromFirstKeyFrame,
  headerFlags,
  jsonSummary,
  probeFrames,
  readFlvTags,
  rows,
  runCli,
  startCli,
} from '../interop/client-tools-helpers.js';
import { sleep, tempDir } from '../interop/rtmp-helpers.js';

const FIXTURE_FRAMES = { video: 75, audio: 131 };

describe('client tools through lals', { concurrency: true, timeout: 60_000 }, () => {
  it('push once; rtmppull, httpflvpull (http and ws) get the same tags; ffprobe reads every file', async (t) => {
    const lals = await startLals();
    t.after(() => lals.stop());
    const dir = tempDir(t);
    const outs = { rtmp: join(dir, 'rtmp.flv'), http: join(dir, 'http.flv'), ws: join(dir, 'ws.flv') };
    const common = ['--json', '--interval', '0'];
    const pulls = [
      startCli(t, 'rtmppull', ['-i', lals.rtmp('one'), '-o', outs.rtmp, ...common], 20_000),
      startCli(t, 'httpflvpull', ['-i', lals.http('one'), '-o', outs.http, ...common], 20_000),
      startCli(t, 'httpflvpull', ['-i', lals.ws('one'), '-o', outs.ws, ...common], 20_000),
    ];
    // All three players must be waiting before the push starts (else one joins from the GOP cache).
    await waitFor(
      () => (lals.server.groups.get('live', 'one')?.subCount ?? 0) === 3,
      'three players',
      15_000,
    );
    const push = await runCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', lals.rtmp('one'), ...common],
      20_000,
    );
    assert.equal(push.code, 0, push.stderr);
    const input = readFlvTags(readFileSync(fixturePath('avc-aac')));
    const inputMeta = input.find((x) => x.typeId === 18)?.body.toString('hex');
    for (const [i, p] of pulls.entries()) {
      const r = await p.done;
      assert.equal(r.code, 0, r.stderr);
      const s = jsonSummary(r);
      assert.equal(s.started, 1);
      assert.equal(s.ended, 1, `pull ${i} ends when the publisher leaves`);
    }
    for (const out of Object.values(outs)) {
      const file = readFileSync(out);
      const tags = readFlvTags(file);
      assert.deepEqual(rows(fromFirstKeyFrame(tags)), rows(fromFirstKeyFrame(input)), out);
      assert.equal(tags.find((x) => x.typeId === 18)?.body.toString('hex'), inputMeta, `${out}: metadata`);
      assert.deepEqual(headerFlags(file), { audio: true, video: true });
    }
    if (!needTool(t, 'ffprobe')) return;
    for (const out of Object.values(outs)) assert.deepEqual(probeFrames(out), FIXTURE_FRAMES, out);
  });

  it('-n 200 pushers and -n 200 players: all up, every player gets every frame', async (t) => {
    const lals = await startLals();
    t.after(() => lals.stop());
    const url = lals.rtmp('load_{i}');
    const pull = startCli(t, 'rtmppull', ['-i', url, '-n', '200', '--json', '--interval', '1'], 30_000);
    // Every player waits on its stream before any push starts.
    await waitFor(() => lals.server.groups.size === 200, '200 waiting players', 20_000);
    const push = await runCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', url, '-n', '200', '--json', '--interval', '1'],
      30_000,
    );
    assert.equal(push.code, 0, push.stderr);
    const ps = jsonSummary(push);
    assert.equal(ps.started, 200);
    assert.equal(ps.withMedia, 200);
    assert.equal(ps.videoFrames, 200 * FIXTURE_FRAMES.video);
    assert.equal(ps.audioFrames, 200 * FIXTURE_FRAMES.audio);
    const pr = await pull.done;
    assert.equal(pr.code, 0, pr.stderr);
    const s = jsonSummary(pr);
    assert.equal(s.started, 200);
    assert.equal(s.withMedia, 200);
    assert.equal(s.ended, 200);
    assert.equal(s.videoFrames, 200 * FIXTURE_FRAMES.video);
    assert.equal(s.audioFrames, 200 * FIXTURE_FRAMES.audio);
    assert.equal(s.gaps, 0);
    assert.equal(s.backJumps, 0);
    process.stderr.write(
      `# -n 200 through lals: push cpu ${ps.cpuUserSec}+${ps.cpuSystemSec} s rss ${ps.maxRssMB} MB; ` +
        `pull cpu ${s.cpuUserSec}+${s.cpuSystemSec} s rss ${s.maxRssMB} MB\n`,
    );
  });

  it('pull --reconnect: rtmppull and httpflvpull come back after the publisher leaves and returns', async (t) => {
    const lals = await startLals();
    t.after(() => lals.stop());
    const common = ['--json', '--interval', '0', '--reconnect', '--duration', '6'];
    const pulls = [
      startCli(t, 'rtmppull', ['-i', lals.rtmp('again'), ...common], 20_000),
      startCli(t, 'httpflvpull', ['-i', lals.http('again'), ...common], 20_000),
    ];
    await sleep(500);
    for (let round = 0; round < 2; round++) {
      const push = await runCli(
        t,
        'flvfile2rtmppush',
        ['-i', fixturePath('avc-only'), '-o', lals.rtmp('again'), '-q'],
        20_000,
      );
      assert.equal(push.code, 0, push.stderr);
      await sleep(1200); // the players are away (back-off), then come back and wait
    }
    for (const p of pulls) {
      const r = await p.done;
      const s = jsonSummary(r);
      assert.ok(Number(s.reconnects) >= 1, `reconnected: ${JSON.stringify(s)}`);
      assert.ok(
        Number(s.videoFrames) > FIXTURE_FRAMES.video,
        `media from both publishes: ${JSON.stringify(s)}`,
      );
    }
  });

  it('refusals: BadName for a second publisher, HTTP 404; redirects are followed', async (t) => {
    const lals = await startLals();
    t.after(() => lals.stop());
    const first = startCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', lals.rtmp('busy'), '-r', '-q'],
      20_000,
    );
    await waitFor(() => lals.server.groups.get('live', 'busy')?.pub !== undefined, 'first publisher', 15_000);
    const second = await runCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', lals.rtmp('busy'), '-q'],
      10_000,
    );
    assert.equal(second.code, 1);
    assert.equal(second.stderr.trim().split('\n').length, 1, second.stderr);
    assert.match(second.stderr, /^flvfile2rtmppush: rtmp:\/\/\S+\/live\/busy: .*NetStream\.Publish\.BadName/);

    const notFlv = lals.http('busy').replace(/\.flv$/, '.mp4');
    const r404 = await runCli(t, 'httpflvpull', ['-i', notFlv, '-q'], 10_000);
    assert.equal(r404.code, 1);
    assert.equal(r404.stderr.trim().split('\n').length, 1, r404.stderr);
    assert.match(r404.stderr, /^httpflvpull: http:\/\/\S+: HTTP 404/);

    // A redirect to the live stream: followed; the pull stops after its --duration.
    const target = lals.http('busy');
    const redirector = createServer((_req, res) => {
      res.writeHead(302, { location: target });
      res.end();
    });
    await new Promise<void>((resolve) => redirector.listen(0, '127.0.0.1', resolve));
    t.after(() => redirector.close());
    const addr = redirector.address();
    const port = typeof addr === 'object' && addr !== null ? addr.port : 0;
    const red = await runCli(
      t,
      'httpflvpull',
      ['-i', `http://127.0.0.1:${port}/go.flv`, '--duration', '1.5', '--json', '--interval', '0'],
      10_000,
    );
    assert.equal(red.code, 0, red.stderr);
    const s = jsonSummary(red);
    assert.equal(s.started, 1);
    assert.ok(Number(s.videoFrames) > 10, JSON.stringify(s));
    first.proc.kill('SIGTERM');
    assert.equal((await first.done).code, 0);
  });
});
