/**
 * Interop of the client tools with nginx-rtmp (Debian's libnginx-mod-rtmp) as an independent relay:
 *  - a file pushed with flvfile2rtmppush and pulled back with rtmppull has identical tag payloads and
 *    timestamps from the first key frame on; ffprobe reads the pulled file;
 *  - `--loops 3` keeps timestamps continuous across the loop boundaries, no header repeated;
 *  - a second publisher of the same name gets one line with NetStream.Publish.BadName, exit 1;
 *  - SIGINT stops rtmppull cleanly with a valid file;
 *  - `-n 200` pushers and `-n 200` players all start and all carry media.
 *
 * What nginx-rtmp does (and the comparisons allow for): it sends players its own onMetaData
 * (`meta on`, the default: rebuilt from the codec facts, with "Server: NGINX RTMP"), not the
 * publisher's; it sends the AAC sequence header before the AVC one; it forwards every media message
 * unchanged, the end-of-sequence tag included. Players that join before the publisher get the
 * stream from its start.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fixturePath } from '../helpers/fixtures.js';
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
  startNginx,
} from './client-tools-helpers.js';
import { isAacSequenceHeader, isAvcSequenceHeader, sleep, tempDir } from './rtmp-helpers.js';

describe('client tools through nginx-rtmp', { concurrency: true, timeout: 60_000 }, () => {
  it('push a file, pull it back: identical tags from the first key frame; ffprobe reads it', async (t) => {
    if (!needTool(t, 'nginx') || !needTool(t, 'ffprobe')) return;
    const ngx = await startNginx(t);
    const dir = tempDir(t);
    const out = join(dir, 'pulled.flv');
    const url = `rtmp://127.0.0.1:${ngx.port}/live/same`;
    const pull = startCli(t, 'rtmppull', ['-i', url, '-o', out, '--json', '--interval', '0'], 20_000);
    await sleep(500);
    const push = await runCli(t, 'flvfile2rtmppush', ['-i', fixturePath('avc-aac'), '-o', url, '-q'], 20_000);
    assert.equal(push.code, 0, push.stderr);
    const pr = await pull.done;
    assert.equal(pr.code, 0, `${pr.stderr}\n${ngx.log()}`);
    const s = jsonSummary(pr);
    assert.equal(s.started, 1);
    assert.equal(s.ended, 1, 'ended by NetStream.Play.UnpublishNotify');

    const input = readFlvTags(readFileSync(fixturePath('avc-aac')));
    const file = readFileSync(out);
    const pulled = readFlvTags(file);
    assert.deepEqual(rows(fromFirstKeyFrame(pulled)), rows(fromFirstKeyFrame(input)));
    // The sequence headers arrive (nginx sends audio first) with the same bytes.
    const heads = (tags: typeof input): string[] =>
      tags
        .filter((t) => isAvcSequenceHeader(t.body) || (t.typeId === 8 && isAacSequenceHeader(t.body)))
        .map((t) => `${t.typeId}:${t.body.toString('hex')}`)
        .sort();
    assert.deepEqual(heads(pulled), heads(input));
    // nginx-rtmp replaces the metadata with its own.
    const meta = pulled.filter((t) => t.typeId === 18);
    assert.equal(meta.length, 1);
    assert.match(meta[0]?.body.toString('latin1') ?? '', /NGINX RTMP/);
    assert.deepEqual(headerFlags(file), { audio: true, video: true });
    assert.deepEqual(probeFrames(out), { video: 75, audio: 131 });
  });

  it('--loops 3: timestamps continue across loops, sequence headers and metadata sent once', async (t) => {
    if (!needTool(t, 'nginx') || !needTool(t, 'ffprobe')) return;
    const ngx = await startNginx(t);
    const dir = tempDir(t);
    const short = join(dir, 'short.flv');
    const cut = await runCli(
      t,
      'modflvfile',
      ['-i', fixturePath('avc-aac'), '-o', short, '--end', '1000', '-q'],
      10_000,
    );
    assert.equal(cut.code, 0, cut.stderr);
    const src = readFlvTags(readFileSync(short));
    const perLoop = {
      video: src.filter((t) => t.typeId === 9 && !isAvcSequenceHeader(t.body)).length,
      audio: src.filter((t) => t.typeId === 8 && !isAacSequenceHeader(t.body)).length,
    };
    const out = join(dir, 'loops.flv');
    const url = `rtmp://127.0.0.1:${ngx.port}/live/loop`;
    const pull = startCli(t, 'rtmppull', ['-i', url, '-o', out, '--json', '--interval', '0'], 20_000);
    await sleep(500);
    const push = await runCli(
      t,
      'flvfile2rtmppush',
      ['-i', short, '-o', url, '--loops', '3', '--json', '--interval', '0'],
      20_000,
    );
    assert.equal(push.code, 0, push.stderr);
    assert.equal(jsonSummary(push).loops, 3);
    const pr = await pull.done;
    assert.equal(pr.code, 0, pr.stderr);
    const tags = readFlvTags(readFileSync(out));
    const video = tags.filter((t) => t.typeId === 9 && !isAvcSequenceHeader(t.body));
    const audio = tags.filter((t) => t.typeId === 8 && !isAacSequenceHeader(t.body));
    assert.equal(video.length, perLoop.video * 3);
    assert.equal(audio.length, perLoop.audio * 3);
    assert.equal(tags.filter((t) => isAvcSequenceHeader(t.body)).length, 1, 'one AVC sequence header');
    assert.equal(
      tags.filter((t) => t.typeId === 8 && isAacSequenceHeader(t.body)).length,
      1,
      'one AAC header',
    );
    assert.ok(tags.filter((t) => t.typeId === 18).length <= 1, 'metadata at most once');
    // Strictly increasing per track, no step above about two frames (40 ms video, 23 ms audio).
    const steps = (list: typeof tags): number[] =>
      list.slice(1).map((t, i) => t.timestampMs - (list[i]?.timestampMs ?? 0));
    const vs = steps(video);
    const as = steps(audio);
    assert.ok(
      vs.every((d) => d > 0 && d <= 2 * 40 + 5),
      `video steps ${JSON.stringify(vs.filter((d) => d <= 0 || d > 85))}`,
    );
    assert.ok(
      as.every((d) => d > 0 && d <= 2 * 23 + 5),
      `audio steps ${JSON.stringify(as.filter((d) => d <= 0 || d > 51))}`,
    );
    assert.ok((video.at(-1)?.timestampMs ?? 0) > 2900, 'three loops of about one second');
    assert.deepEqual(probeFrames(out), { video: perLoop.video * 3, audio: perLoop.audio * 3 });
  });

  it('a second publisher of the same stream: one line with NetStream.Publish.BadName, exit 1', async (t) => {
    if (!needTool(t, 'nginx')) return;
    const ngx = await startNginx(t);
    const url = `rtmp://127.0.0.1:${ngx.port}/live/taken`;
    const first = startCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', url, '-r', '-q'],
      20_000,
    );
    await sleep(700);
    const second = await runCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', url, '-q'],
      10_000,
    );
    assert.equal(second.code, 1);
    const lines = second.stderr.trim().split('\n');
    assert.equal(lines.length, 1, second.stderr);
    assert.match(
      lines[0] ?? '',
      /^flvfile2rtmppush: rtmp:\/\/127\.0\.0\.1:\d+\/live\/taken: .*NetStream\.Publish\.BadName/,
    );
    // The first one is still fine; SIGTERM stops it cleanly.
    first.proc.kill('SIGTERM');
    const r = await first.done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /summary: .* started 1 /);
  });

  it('SIGINT stops rtmppull cleanly and leaves a valid FLV file', async (t) => {
    if (!needTool(t, 'nginx') || !needTool(t, 'ffprobe')) return;
    const ngx = await startNginx(t);
    const dir = tempDir(t);
    const out = join(dir, 'interrupted.flv');
    const url = `rtmp://127.0.0.1:${ngx.port}/live/int`;
    const push = startCli(
      t,
      'flvfile2rtmppush',
      ['-i', fixturePath('avc-aac'), '-o', url, '-r', '-q'],
      20_000,
    );
    await sleep(300);
    const pull = startCli(t, 'rtmppull', ['-i', url, '-o', out, '--json', '--interval', '0'], 20_000);
    await sleep(2000);
    pull.proc.kill('SIGINT');
    const pr = await pull.done;
    push.proc.kill('SIGTERM');
    await push.done;
    assert.equal(pr.code, 0, pr.stderr);
    const s = jsonSummary(pr);
    assert.equal(s.started, 1);
    const file = readFileSync(out);
    const tags = readFlvTags(file);
    const frames = probeFrames(out);
    assert.ok(frames.video > 10 && frames.audio > 10, JSON.stringify(frames));
    assert.equal(frames.video, tags.filter((t) => t.typeId === 9 && !isAvcSequenceHeader(t.body)).length);
    assert.deepEqual(headerFlags(file), { audio: true, video: true });
  });
});
