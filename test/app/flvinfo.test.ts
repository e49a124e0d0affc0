/**
 * flvinfo CLI, run as a process on files ffmpeg makes, checked against ffprobe; and its error paths
 * (missing, non-FLV, truncated and corrupted files). The CLI is the compiled one next to this test's
 * own build (dist/ under `npm test`, any --outDir otherwise), or FLVINFO_BIN.
 */
import assert from 'node:assert/strict';
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it, type TestContext } from 'node:test';
import { fileURLToPath } from 'node:url';
import { needTool } from '../helpers/tools.js';

const CLI = process.env.FLVINFO_BIN ?? fileURLToPath(new URL('../../src/app/flvinfo.js', import.meta.url));
/** Every child gets a deadline and is killed when it passes it (spawnSync waits for the kill). */
const TIMEOUT_MS = 60_000;

function run(cmd: string, args: string[]): SpawnSyncReturns<string> {
  const r = spawnSync(cmd, args, { encoding: 'utf8', timeout: TIMEOUT_MS, killSignal: 'SIGKILL' });
  if (r.error) throw r.error;
  return r;
}

function flvinfo(...args: string[]): SpawnSyncReturns<string> {
  return run(process.execPath, [CLI, ...args]);
}

/** Asserts exit code 1 and exactly one stderr line matching `re`; returns the match. */
function oneErrorLine(r: SpawnSyncReturns<string>, re: RegExp): RegExpMatchArray {
  assert.equal(r.status, 1, `exit code (stderr: ${r.stderr})`);
  const lines = r.stderr.trimEnd().split('\n');
  assert.equal(lines.length, 1, `one stderr line, got:\n${r.stderr}`);
  const m = (lines[0] ?? '').match(re);
  assert.ok(m, `stderr ${JSON.stringify(lines[0])} does not match ${re}`);
  return m;
}

interface TagJson {
  index: number;
  offset: number;
  type: string;
  timestampMs: number;
  size: number;
  packet?: string;
  frameType?: string;
  ctsMs?: number;
}

interface InfoJson {
  file: string;
  tags?: TagJson[];
  tagCounts: { total: number; audio: number; video: number; script: number };
  videoConfigs: { count: number; listed: Array<Record<string, unknown>> };
  audioConfigs: { count: number; listed: Array<Record<string, unknown>> };
  metadata: { count: number; listed: Array<{ name: string; value: Record<string, unknown> }> };
  video: {
    frames: number;
    keyFrames: number;
    frameRate: number;
    gops: { count: number };
    cts: { minMs: number; maxMs: number; nonZeroFrames: number };
  };
  audio: { frames: number };
  durationMs: number;
  prevTagSizeMismatches: number;
  bytesRead: number;
  error?: string;
}

interface ProbeStream {
  codec_type: string;
  index: number;
  profile?: string;
  width?: number;
  height?: number;
  level?: number;
  pix_fmt?: string;
  r_frame_rate?: string;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
}

interface ProbePacket {
  stream_index: number;
  pts: number;
  dts: number;
  flags: string;
}

describe('flvinfo CLI', () => {
  let dir = '';
  let sample: string | undefined;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'flvinfo-test-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** 2 s of testsrc2 320x240@25 (x264, GOP 25, B-frames) + a 44.1 kHz mono sine (AAC), made once. */
  function sampleFlv(t: TestContext): string | undefined {
    if (!needTool(t, 'ffmpeg') || !needTool(t, 'ffprobe')) return undefined;
    if (sample === undefined) {
      const out = join(dir, 'x.flv');
      const r = run('ffmpeg', [
        ...['-hide_banner', '-loglevel', 'error', '-nostdin', '-y'],
        ...['-f', 'lavfi', '-i', 'testsrc2=size=320x240:rate=25'],
        ...['-f', 'lavfi', '-i', 'sine', '-t', '2'],
        ...['-c:v', 'libx264', '-g', '25', '-c:a', 'aac', '-f', 'flv', out],
      ]);
      assert.equal(r.status, 0, r.stderr);
      sample = out;
    }
    return sample;
  }

  function jsonOf(r: SpawnSyncReturns<string>): InfoJson {
    return JSON.parse(r.stdout) as InfoJson;
  }

  it('agrees with ffprobe on an ffmpeg-made FLV', (t) => {
    const file = sampleFlv(t);
    if (file === undefined) return;
    const probe = run('ffprobe', [
      ...['-v', 'error', '-show_streams', '-show_packets', '-count_frames', '-of', 'json', file],
    ]);
    assert.equal(probe.status, 0, probe.stderr);
    const p = JSON.parse(probe.stdout) as { streams: ProbeStream[]; packets: ProbePacket[] };
    const vs = p.streams.find((s) => s.codec_type === 'video') ?? assert.fail('no video stream');
    const as = p.streams.find((s) => s.codec_type === 'audio') ?? assert.fail('no audio stream');

    const r = flvinfo('-i', file, '--json', '--tags');
    assert.equal(r.status, 0, r.stderr);
    assert.equal(r.stderr, '');
    const info = jsonOf(r);
    const vc = info.videoConfigs.listed[0] ?? assert.fail('no video config');
    const ac = info.audioConfigs.listed[0] ?? assert.fail('no audio config');
    assert.equal(vc.codec, 'avc');
    assert.equal(vc.valid, true);
    assert.equal(vc.width, vs.width);
    assert.equal(vc.height, vs.height);
    assert.equal(vc.profile, vs.profile);
    assert.equal(vc.level, String((vs.level ?? 0) / 10));
    assert.equal(vs.pix_fmt, 'yuv420p');
    assert.equal(vc.chroma, '4:2:0');
    assert.equal(vc.bitDepthLuma, 8);
    const [num, den] = (vs.r_frame_rate ?? '').split('/').map(Number);
    assert.equal(vc.frameRate, (num ?? 0) / (den ?? 1));
    assert.equal(info.video.frameRate, (num ?? 0) / (den ?? 1));
    assert.equal(ac.codec, 'aac');
    assert.equal(ac.sampleRate, Number(as.sample_rate));
    assert.equal(ac.channels, as.channels);
    assert.equal(ac.objectType, 'AacLc (2)');
    assert.equal(info.video.frames, Number(vs.nb_read_frames));
    assert.equal(info.audio.frames, Number(as.nb_read_frames));

    const vPackets = p.packets.filter((k) => k.stream_index === vs.index);
    const keys = vPackets.filter((k) => k.flags.startsWith('K')).length;
    assert.equal(info.video.keyFrames, keys);
    assert.equal(info.video.gops.count, keys);
    // FLV timestamps are ms, and so is ffprobe's FLV time base: cts is pts - dts.
    const cts = vPackets.map((k) => k.pts - k.dts);
    assert.equal(info.video.cts.minMs, Math.min(...cts));
    assert.equal(info.video.cts.maxMs, Math.max(...cts));
    assert.equal(info.video.cts.nonZeroFrames, cts.filter((c) => c !== 0).length);
    const frames = (info.tags ?? []).filter((g) => g.type === 'video' && g.packet === 'frame');
    assert.deepEqual(
      frames.map((g) => [g.timestampMs, g.ctsMs]),
      vPackets.map((k) => [k.dts, k.pts - k.dts]),
    );

    assert.equal(info.tags?.length, info.tagCounts.total);
    assert.equal(info.metadata.listed[0]?.name, 'onMetaData');
    assert.equal(info.metadata.listed[0]?.value.width, vs.width);
    assert.equal(info.prevTagSizeMismatches, 0);
    assert.equal(info.bytesRead, readFileSync(file).length);
    assert.equal(info.error, undefined);
  });

  it('prints text: the configs, one line per tag with --tags, and the summary', (t) => {
    const file = sampleFlv(t);
    if (file === undefined) return;
    const total = jsonOf(flvinfo('-i', file, '--json')).tagCounts.total;
    const r = flvinfo('-i', file, '--tags');
    assert.equal(r.status, 0, r.stderr);
    const lines = r.stdout.split('\n');
    assert.equal(lines.filter((l) => l.startsWith('tag ')).length, total);
    assert.match(r.stdout, /^header: FLV version 1, audio flag yes, video flag yes, data offset 9$/m);
    assert.match(
      r.stdout,
      /^video config \(tag 1, ts 0\): avc, High profile, level 1\.3, 320x240, 4:2:0 8-bit, 25 fps \(VUI\)/m,
    );
    assert.match(r.stdout, /^audio config \(tag 2, ts 0\): aac, AacLc \(2\), 44100 Hz, 1 channel, /m);
    assert.match(r.stdout, /^tag +3 @ +\d+ video +ts=0 +size= +\d+ avc legacy key frame cts=\d+ nal=.*IDR/m);
    assert.match(r.stdout, /^ {2}video: +avc, 50 frames, 2 key frames, 1 sequence header/m);
    assert.match(r.stdout, /^ {2}GOPs: +2, 25\/25\/25 frames, 1000\/1000\/1000 ms/m);
    assert.match(r.stdout, /^ {2}gaps \(> 500 ms\): +none$/m);
    const plain = flvinfo('-i', file);
    assert.equal(plain.status, 0);
    assert.equal(plain.stdout.split('\n').filter((l) => l.startsWith('tag ')).length, 0);
    assert.match(plain.stdout, /^summary:$/m);
    // --gap-ms 30 makes every audio step (23 ms) fine and every video step (40 ms) a gap.
    const gaps = jsonOf(flvinfo('-i', file, '--json', '--gap-ms', '30', '--max-list', '3')) as unknown as {
      gaps: { count: number; listed: Array<{ track: string }> };
    };
    assert.equal(gaps.gaps.listed.length, 3);
    assert.ok(gaps.gaps.count >= 49, `gap count ${gaps.gaps.count}`);
  });

  it('prints what it read of a truncated file, then one error line, exit 1', (t) => {
    const file = sampleFlv(t);
    if (file === undefined) return;
    const tags = jsonOf(flvinfo('-i', file, '--json', '--tags')).tags ?? [];
    const cut = tags[Math.floor(tags.length * 0.6)] ?? assert.fail();
    const truncated = join(dir, 'truncated.flv');
    writeFileSync(truncated, readFileSync(file).subarray(0, cut.offset + 20));

    const r = flvinfo('-i', truncated);
    const m = oneErrorLine(
      r,
      /^flvinfo: .*truncated\.flv: flv: truncated tag at byte (\d+): need \d+ bytes, got 20$/,
    );
    assert.equal(Number(m[1]), cut.offset);
    assert.match(r.stdout, /^summary:$/m);
    assert.match(r.stdout, new RegExp(`^ {2}tags: +${cut.index} `, 'm'));
    assert.match(r.stdout, /^ {2}INCOMPLETE: +flv: truncated tag at byte/m);

    const j = flvinfo('-i', truncated, '--json');
    oneErrorLine(j, /truncated tag/);
    const info = jsonOf(j);
    assert.equal(info.tagCounts.total, cut.index);
    assert.equal(info.bytesRead, cut.offset);
    assert.match(info.error ?? '', /^flv: truncated tag at byte \d+/);
  });

  it('prints what it read of a file with a corrupt tag header, then one error line, exit 1', (t) => {
    const file = sampleFlv(t);
    if (file === undefined) return;
    const tags = jsonOf(flvinfo('-i', file, '--json', '--tags')).tags ?? [];
    const bad = tags[Math.floor(tags.length / 2)] ?? assert.fail();
    const bytes = Buffer.from(readFileSync(file));
    bytes.fill(0xff, bad.offset, bad.offset + 11);
    const corrupt = join(dir, 'corrupt.flv');
    writeFileSync(corrupt, bytes);

    const r = flvinfo('-i', corrupt, '--tags');
    const m = oneErrorLine(r, /^flvinfo: .*corrupt\.flv: flv: unknown tag type 31 at byte (\d+)$/);
    assert.equal(Number(m[1]), bad.offset);
    assert.equal(r.stdout.split('\n').filter((l) => l.startsWith('tag ')).length, bad.index);
    assert.match(r.stdout, /^ {2}INCOMPLETE: +flv: unknown tag type 31/m);
  });

  it('fails with one clear line on a missing file, a non-FLV file, an empty file', () => {
    const missing = flvinfo('-i', join(dir, 'missing.flv'));
    oneErrorLine(missing, /^flvinfo: .*missing\.flv: no such file or directory$/);
    assert.equal(missing.stdout, '');

    const text = join(dir, 'notes.txt');
    writeFileSync(text, 'this is not a video\n');
    const notFlv = flvinfo('-i', text);
    oneErrorLine(notFlv, /^flvinfo: .*notes\.txt: flv: bad signature \(not an FLV file\), byte 0 is 0x74$/);
    assert.equal(notFlv.stdout, '');

    const empty = join(dir, 'empty.flv');
    writeFileSync(empty, '');
    oneErrorLine(
      flvinfo('-i', empty),
      /^flvinfo: .*empty\.flv: flv: truncated file header: need 9 bytes, got 0$/,
    );

    oneErrorLine(flvinfo('-i', dir), /^flvinfo: .*: is a directory$/);
  });

  it('has --help and rejects bad arguments with exit 2', () => {
    const help = flvinfo('--help');
    assert.equal(help.status, 0);
    assert.match(help.stdout, /^usage: flvinfo -i <file\.flv>/m);
    for (const args of [
      [],
      ['--bogus'],
      ['-i', 'x.flv', '--gap-ms', 'soon'],
      ['-i', 'x.flv', '--max-list', '1.5'],
    ]) {
      const r = flvinfo(...args);
      assert.equal(r.status, 2, `${args.join(' ')}: ${r.stderr}`);
      assert.equal(r.stderr.trimEnd().split('\n').length, 1);
      assert.match(r.stderr, /^flvinfo: /);
    }
  });
});
