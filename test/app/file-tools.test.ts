// Interop proof of the FLV file tools with ffmpeg/ffprobe as the independent oracle.
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { parseAudioSpecificConfig } from '../../src/codec/aac/index.js';
import { parseAvcDecoderConfigurationRecord, parseAvcSps } from '../../src/codec/avc/index.js';
import {
  hevcRecordParameterSets,
  parseHevcDecoderConfigurationRecord,
  parseHevcSps,
} from '../../src/codec/hevc/index.js';
import {
  FlvTagType,
  parseAudioTagBody,
  parseFlvFile,
  parseVideoTagBody,
} from '../../src/format/flv/index.js';
import { FIXTURES, fixturePath, readFixture, toolPath } from '../helpers/fixtures.js';
import { needTool } from '../helpers/tools.js';

let dir = '';
before(() => {
  dir = mkdtempSync(join(tmpdir(), 'lalts-tools-'));
});
after(() => {
  rmSync(dir, { recursive: true, force: true });
});

function tool(name: string, args: string[]): { status: number | null; stdout: string; stderr: string } {
  const r = spawnSync(process.execPath, [toolPath(name), ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stdout: r.stdout, stderr: r.stderr };
}

interface ProbeStream {
  codec_name: string;
  codec_type: string;
  profile?: string;
  width?: number;
  height?: number;
  sample_rate?: string;
  channels?: number;
  nb_read_frames?: string;
}

function probe(file: string): ProbeStream[] {
  const out = execFileSync(
    'ffprobe',
    [
      '-v',
      'error',
      '-count_frames',
      '-show_entries',
      'stream=codec_name,codec_type,profile,width,height,sample_rate,channels,nb_read_frames',
      '-of',
      'json',
      file,
    ],
    { encoding: 'utf8', timeout: 60_000 },
  );
  return (JSON.parse(out) as { streams: ProbeStream[] }).streams;
}

/** Decoded-picture hashes (ffmpeg framemd5), timestamps left out. */
function frameHashes(file: string): string[] {
  const out = execFileSync('ffmpeg', ['-v', 'error', '-i', file, '-map', '0:v', '-f', 'framemd5', '-'], {
    encoding: 'utf8',
    timeout: 60_000,
    maxBuffer: 64 << 20,
  });
  return out
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.split(',').pop()?.trim() ?? '');
}

function counts(name: string): { video: number; audio: number } {
  const { tags } = readFixture(name);
  let video = 0;
  let audio = 0;
  for (const t of tags) {
    if (t.type === FlvTagType.Video && parseVideoTagBody(t.data).kind === 'frame') video++;
    if (t.type === FlvTagType.Audio && parseAudioTagBody(t.data).kind === 'frame') audio++;
  }
  return { video, audio };
}

const AVC_PROFILES: Record<number, string> = { 66: 'Baseline', 77: 'Main', 100: 'High' };

describe('flvfile2es', () => {
  for (const name of FIXTURES) {
    it(`${name}: the elementary streams decode to the FLV's frame counts, and SPS/ASC facts match ffprobe`, (t) => {
      if (!needTool(t, 'ffprobe')) return;
      const out = join(dir, name);
      const r = tool('flvfile2es', ['-i', fixturePath(name), '-o', out]);
      assert.equal(r.status, 0, r.stderr);
      const want = counts(name);
      const { tags } = readFixture(name);
      const hevc = name.startsWith('hevc');
      if (want.video > 0) {
        const es = `${out}.${hevc ? 'h265' : 'h264'}`;
        const [v] = probe(es);
        assert.equal(v?.codec_name, hevc ? 'hevc' : 'h264');
        assert.equal(Number(v?.nb_read_frames), want.video);
        const seq = tags
          .filter((x) => x.type === FlvTagType.Video)
          .map((x) => parseVideoTagBody(x.data))
          .find((b) => b.kind === 'sequence-header');
        assert.ok(seq && seq.kind === 'sequence-header');
        if (hevc) {
          const sps = hevcRecordParameterSets(parseHevcDecoderConfigurationRecord(seq.config)).sps[0];
          assert.ok(sps);
          const info = parseHevcSps(sps);
          assert.deepEqual([info.width, info.height], [v?.width, v?.height]);
          assert.equal(info.profile === 1 ? 'Main' : String(info.profile), v?.profile);
        } else {
          const sps = parseAvcDecoderConfigurationRecord(seq.config).sps[0];
          assert.ok(sps);
          const info = parseAvcSps(sps);
          const flvProbe = probe(fixturePath(name)).find((s) => s.codec_type === 'video');
          assert.deepEqual([info.width, info.height], [flvProbe?.width, flvProbe?.height]);
          assert.equal(AVC_PROFILES[info.profile], flvProbe?.profile);
          assert.equal(
            Number(flvProbe?.nb_read_frames),
            want.video,
            'ffprobe counts the same frames in the FLV',
          );
          assert.deepEqual(frameHashes(es), frameHashes(fixturePath(name)), 'same decoded pictures');
        }
      }
      if (want.audio > 0) {
        const [a] = probe(`${out}.aac`);
        assert.equal(a?.codec_name, 'aac');
        assert.equal(Number(a?.nb_read_frames), want.audio);
        const seq = tags
          .filter((x) => x.type === FlvTagType.Audio)
          .map((x) => parseAudioTagBody(x.data))
          .find((b) => b.kind === 'sequence-header');
        assert.ok(seq && seq.kind === 'sequence-header');
        const asc = parseAudioSpecificConfig(seq.config);
        assert.equal(String(asc.sampleRate), a?.sample_rate);
        assert.equal(asc.channels, a?.channels);
      }
    });
  }
});

describe('es2flvfile', () => {
  it('muxes ffmpeg-made H.264 + AAC elementary streams into an FLV that ffprobe reads frame for frame', (t) => {
    if (!needTool(t, 'ffmpeg')) return;
    const h264 = join(dir, 'in.h264');
    const aac = join(dir, 'in.aac');
    const lavfi = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=30', '-t', '2'];
    execFileSync('ffmpeg', [...lavfi, '-c:v', 'libx264', '-bf', '0', '-g', '30', '-f', 'h264', h264]);
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'sine=sample_rate=48000',
      '-t',
      '2',
      '-ac',
      '1',
      '-c:a',
      'aac',
      '-f',
      'adts',
      aac,
    ]);
    const flv = join(dir, 'es.flv');
    const r = tool('es2flvfile', ['-v', h264, '-a', aac, '-r', '30', '-o', flv]);
    assert.equal(r.status, 0, r.stderr);
    const streams = probe(flv);
    const v = streams.find((s) => s.codec_type === 'video');
    const a = streams.find((s) => s.codec_type === 'audio');
    assert.equal(v?.codec_name, 'h264');
    assert.deepEqual([v?.width, v?.height], [176, 144]);
    assert.equal(Number(v?.nb_read_frames), Number(probe(h264)[0]?.nb_read_frames));
    assert.equal(a?.codec_name, 'aac');
    assert.equal(a?.sample_rate, '48000');
    assert.equal(a?.channels, 1);
    assert.equal(Number(a?.nb_read_frames), Number(probe(aac)[0]?.nb_read_frames));
    assert.deepEqual(frameHashes(flv), frameHashes(h264), 'same decoded pictures');
    const { tags } = parseFlvFile(readFileSync(flv));
    const video = tags.filter((x) => x.type === FlvTagType.Video);
    assert.deepEqual(
      video.slice(1, 4).map((x) => x.timestampMs),
      [0, 33, 67],
      'DTS from the frame rate',
    );
  });

  it('muxes an H.265 stream in both signallings; the round trip through flvfile2es decodes to the same pictures', (t) => {
    if (!needTool(t, 'ffmpeg')) return;
    const h265 = join(dir, 'in.h265');
    execFileSync('ffmpeg', [
      '-v',
      'error',
      '-y',
      '-f',
      'lavfi',
      '-i',
      'testsrc2=size=192x108:rate=25',
      '-t',
      '1',
      '-c:v',
      'libx265',
      '-x265-params',
      'bframes=0:keyint=10:log-level=error',
      '-f',
      'hevc',
      h265,
    ]);
    for (const mode of ['id12', 'enhanced']) {
      const flv = join(dir, `hevc-${mode}.flv`);
      const r = tool('es2flvfile', ['-v', h265, '-r', '25', '--hevc', mode, '-o', flv]);
      assert.equal(r.status, 0, r.stderr);
      const back = join(dir, `hevc-${mode}-back`);
      assert.equal(tool('flvfile2es', ['-i', flv, '-o', back]).status, 0);
      assert.deepEqual(frameHashes(`${back}.h265`), frameHashes(h265));
    }
  });

  /** pts and dts of each video packet (ffprobe), in milliseconds. */
  function packetTimes(file: string): Array<{ pts: number; dts: number }> {
    const out = execFileSync(
      'ffprobe',
      [
        '-v',
        'error',
        '-select_streams',
        'v',
        '-show_entries',
        'stream=time_base:packet=pts,dts',
        '-of',
        'json',
        file,
      ],
      { encoding: 'utf8', timeout: 60_000 },
    );
    const j = JSON.parse(out) as {
      streams: { time_base: string }[];
      packets: { pts: number; dts: number }[];
    };
    const [num, den] = (j.streams[0]?.time_base ?? '1/1000').split('/').map(Number);
    const ms = (v: number) => Math.round((v * 1000 * (num ?? 1)) / (den ?? 1000));
    return j.packets.map((p) => ({ pts: ms(p.pts), dts: ms(p.dts) }));
  }

  /** The video frames ffmpeg decodes, with their timestamps as they come (no frame-rate conversion). */
  function decodeTimed(file: string): { hashes: string[]; pts: number[]; stderr: string } {
    const r = spawnSync(
      'ffmpeg',
      ['-v', 'warning', '-i', file, '-map', '0:v', '-fps_mode', 'passthrough', '-f', 'framemd5', '-'],
      { encoding: 'utf8', timeout: 60_000, maxBuffer: 64 << 20 },
    );
    assert.equal(r.status, 0, r.stderr);
    const rows = r.stdout
      .split('\n')
      .filter((l) => l && !l.startsWith('#'))
      .map((l) => l.split(',').map((x) => x.trim()));
    return { hashes: rows.map((x) => x[5] ?? ''), pts: rows.map((x) => Number(x[2])), stderr: r.stderr };
  }

  const lavfi = ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc2=size=176x144:rate=25', '-t', '4'];

  for (const [what, params] of [
    ['B-pyramid', ['-bf', '3', '-x264-params', 'b-pyramid=normal']],
    ['two B-frames', ['-bf', '2', '-x264-params', 'b-pyramid=none']],
    ['MBAFF interlaced B-frames', ['-bf', '2', '-x264-params', 'interlaced=1']],
  ] as const) {
    it(`recovers the presentation times of an H.264 stream with ${what} from its picture order count`, (t) => {
      if (!needTool(t, 'ffmpeg')) return;
      // The oracle: the same stream muxed by ffmpeg with the encoder's own timestamps.
      const ref = join(dir, 'bf-ref.flv');
      const h264 = join(dir, 'bf.h264');
      execFileSync('ffmpeg', [...lavfi, '-c:v', 'libx264', '-g', '30', ...params, '-f', 'flv', ref]);
      execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', ref, '-c', 'copy', '-f', 'h264', h264]);
      const flv = join(dir, 'bf.flv');
      const r = tool('es2flvfile', ['-v', h264, '-r', '25', '-o', flv]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '', 'no warning: the POCs were used');
      assert.match(r.stdout, /reorder delay [12] frames/);
      const want = packetTimes(ref);
      const got = packetTimes(flv);
      assert.equal(got.length, 100);
      assert.deepEqual(
        got.map((p) => p.dts),
        want.map((p) => p.dts),
        'DTS as ffmpeg muxed them',
      );
      const offset = (got[0]?.pts ?? 0) - (want[0]?.pts ?? 0);
      // Our delay is the smallest that keeps PTS >= DTS; x264 may hold one frame more (B-pyramid).
      assert.ok(offset <= 0 && offset >= -40, `constant PTS offset ${offset}`);
      assert.deepEqual(
        got.map((p) => p.pts - offset),
        want.map((p) => p.pts),
        'PTS as the encoder set them, up to a constant',
      );
      assert.ok(got.every((p) => p.pts >= p.dts));
      // ffmpeg decodes the FLV to the raw stream's pictures, in order, on a gapless timeline, silently.
      const dec = decodeTimed(flv);
      assert.equal(dec.stderr, '', 'no warning from ffmpeg (pts < dts, non monotonic dts ...)');
      assert.deepEqual(dec.hashes, frameHashes(h264), 'same decoded pictures in the same order');
      assert.deepEqual(
        dec.pts.map((p) => p - (dec.pts[0] ?? 0)),
        dec.pts.map((_, i) => i),
        'one frame per frame period, none dropped or doubled',
      );
    });
  }

  it('recovers the presentation times of an H.265 stream with B-frames and open GOPs; the round trip decodes to the same pictures', (t) => {
    if (!needTool(t, 'ffmpeg')) return;
    // The oracle: an MP4 with the encoder's timestamps (Debian's ffmpeg cannot put HEVC in FLV).
    const ref = join(dir, 'bf5.mp4');
    const h265 = join(dir, 'bf5.h265');
    execFileSync('ffmpeg', [
      ...lavfi,
      '-c:v',
      'libx265',
      '-x265-params',
      'bframes=3:keyint=12:log-level=error',
      ref,
    ]);
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-i', ref, '-c', 'copy', '-f', 'hevc', h265]);
    const want = packetTimes(ref);
    for (const mode of ['id12', 'enhanced']) {
      const flv = join(dir, `bf5-${mode}.flv`);
      const r = tool('es2flvfile', ['-v', h265, '-r', '25', '--hevc', mode, '-o', flv]);
      assert.equal(r.status, 0, r.stderr);
      assert.equal(r.stderr, '');
      const got = parseFlvFile(readFileSync(flv))
        .tags.filter((x) => x.type === FlvTagType.Video)
        .map((x) => ({ dts: x.timestampMs, body: parseVideoTagBody(x.data) }))
        .flatMap((x) =>
          x.body.kind === 'frame' ? [{ dts: x.dts, pts: x.dts + x.body.compositionTimeMs }] : [],
        );
      assert.equal(got.length, want.length);
      const dOff = (got[0]?.dts ?? 0) - (want[0]?.dts ?? 0);
      const pOff = (got[0]?.pts ?? 0) - (want[0]?.pts ?? 0);
      assert.deepEqual(
        got.map((p) => [p.dts - dOff, p.pts - pOff]),
        want.map((p) => [p.dts, p.pts]),
        'DTS and PTS as the encoder set them, up to constants',
      );
      assert.ok(got.every((p) => p.pts >= p.dts));
      assert.ok(got.some((p) => p.pts > p.dts));
      const back = join(dir, `bf5-${mode}-back`);
      assert.equal(tool('flvfile2es', ['-i', flv, '-o', back]).status, 0);
      assert.deepEqual(frameHashes(`${back}.h265`), frameHashes(h265));
    }
  });

  it('needs a frame rate with video and says so', () => {
    const r = tool('es2flvfile', ['-v', 'x.h264', '-o', join(dir, 'x.flv')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--rate/);
  });
});

describe('modflvfile', () => {
  it('cuts a range that ffprobe reads, starting on a key frame, with audio dropped', (t) => {
    if (!needTool(t, 'ffprobe')) return;
    const out = join(dir, 'cut.flv');
    const r = tool('modflvfile', [
      '-i',
      fixturePath('avc-aac'),
      '-o',
      out,
      '--start',
      '1.1s',
      '--end',
      '2500',
      '--rebase',
      '--drop-audio',
    ]);
    assert.equal(r.status, 0, r.stderr);
    const streams = probe(out);
    assert.deepEqual(
      streams.map((s) => s.codec_type),
      ['video'],
    );
    const pkts = execFileSync(
      'ffprobe',
      ['-v', 'error', '-show_entries', 'packet=pts,flags', '-of', 'csv=p=0', out],
      { encoding: 'utf8' },
    )
      .trim()
      .split('\n');
    assert.match(pkts[0] ?? '', /^0,K/, 'first packet is a key frame at 0');
    assert.ok(pkts.length > 5 && pkts.length < 40);
  });

  it('converts HEVC codec id 12 to enhanced RTMP and back losslessly', () => {
    const enh = join(dir, 'to-enh.flv');
    const back = join(dir, 'back.flv');
    assert.equal(
      tool('modflvfile', ['-i', fixturePath('hevc-aac-id12'), '-o', enh, '--hevc', 'enhanced']).status,
      0,
    );
    assert.deepEqual(readFileSync(enh), readFileSync(fixturePath('hevc-aac-enhanced')));
    assert.equal(tool('modflvfile', ['-i', enh, '-o', back, '--hevc', 'id12']).status, 0);
    assert.deepEqual(readFileSync(back), readFileSync(fixturePath('hevc-aac-id12')));
  });
});

describe('file tool errors: one clear line, non-zero exit', () => {
  const cases: Array<[string, string, RegExp]> = [
    ['missing', '/nonexistent/x.flv', /no such file/],
    ['not an FLV', '/etc/hostname', /not an FLV/],
    ['truncated', fixturePath('avc-aac', 'truncated'), /truncated tag at byte \d+/],
    ['corrupt', fixturePath('avc-aac', 'corrupt'), /tag type/],
  ];
  for (const name of ['flvfile2es', 'modflvfile']) {
    for (const [what, file, re] of cases) {
      it(`${name}: ${what} input`, () => {
        const r = tool(name, ['-i', file, '-o', join(dir, `err-${name}`)]);
        assert.equal(r.status, 1);
        const lines = r.stderr.trim().split('\n');
        assert.equal(lines.length, 1, r.stderr);
        assert.match(lines[0] ?? '', new RegExp(`^${name}: `));
        assert.match(lines[0] ?? '', re);
      });
    }
  }
  it('every CLI in package.json bin answers --help with its usage', () => {
    const pkg = JSON.parse(readFileSync('package.json', 'utf8')) as { bin: Record<string, string> };
    assert.ok(Object.keys(pkg.bin).length >= 4);
    for (const name of Object.keys(pkg.bin)) {
      const r = tool(name, ['--help']);
      assert.equal(r.status, 0);
      assert.match(r.stdout, new RegExp(`usage: ${name}`));
    }
  });
});
