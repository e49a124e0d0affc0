#!/usr/bin/env node
// Regenerates the FLV fixtures in testdata/ from ffmpeg's synthetic sources (testsrc2 + sine).
// Needs ffmpeg (with libx264, libx265 and the native aac encoder) and a built tree (npm run build),
// because the HEVC fixtures are muxed by our own es2flvfile (Debian's ffmpeg cannot write HEVC
// into FLV). Each fixture gets a truncated twin (cut inside a tag) and a corrupt twin (one tag
// header in the middle overwritten with 0xff).
//
// usage: node scripts/make-fixtures.mjs [outdir=testdata]
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const out = process.argv[2] ?? 'testdata';
const tmp = mkdtempSync(join(tmpdir(), 'lalts-fixtures-'));
const seconds = '3';
const fps = '25';
const video = ['-f', 'lavfi', '-i', `testsrc2=size=320x240:rate=${fps}`];
const audio = ['-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=44100:beep_factor=4'];
const x264 = ['-c:v', 'libx264', '-preset', 'veryfast', '-threads', '1', '-g', fps, '-keyint_min', fps];
const x264Rc = ['-sc_threshold', '0', '-b:v', '150k', '-maxrate', '200k', '-bufsize', '200k'];
const aac = ['-c:a', 'aac', '-b:a', '48k', '-ac', '2'];
const common = ['-hide_banner', '-loglevel', 'error', '-y', '-t', seconds];

function ffmpeg(args) {
  execFileSync('ffmpeg', [...common.slice(0, 4), ...args], { stdio: 'inherit' });
}

function flvTagOffsets(buf) {
  const offsets = [];
  let p = 9 + 4;
  while (p + 11 <= buf.length) {
    const size = buf.readUIntBE(p + 1, 3);
    if (p + 11 + size + 4 > buf.length) break;
    offsets.push(p);
    p += 11 + size + 4;
  }
  return offsets;
}

function twins(name) {
  const file = join(out, `${name}.flv`);
  const buf = readFileSync(file);
  const tags = flvTagOffsets(buf);
  const mid = tags[Math.floor(tags.length / 2)];
  // Truncated: cut 5 bytes into the body of the middle tag.
  writeFileSync(join(out, `${name}.truncated.flv`), buf.subarray(0, mid + 11 + 5));
  // Corrupt: the middle tag's header (type, size, timestamp) overwritten with 0xff.
  const bad = Buffer.from(buf);
  bad.fill(0xff, mid, mid + 11);
  writeFileSync(join(out, `${name}.corrupt.flv`), bad);
  console.log(`${file}: ${buf.length} bytes, ${tags.length} tags (+ truncated, corrupt twins)`);
}

const t = ['-t', seconds];
ffmpeg([
  ...video,
  ...audio,
  ...t,
  ...x264,
  ...x264Rc,
  '-profile:v',
  'main',
  '-bf',
  '0',
  ...aac,
  '-f',
  'flv',
  join(out, 'avc-aac.flv'),
]);
twins('avc-aac');
ffmpeg([
  ...video,
  ...audio,
  ...t,
  ...x264,
  ...x264Rc,
  '-profile:v',
  'high',
  '-bf',
  '2',
  ...aac,
  '-f',
  'flv',
  join(out, 'avc-bframes-aac.flv'),
]);
twins('avc-bframes-aac');
ffmpeg([
  ...video,
  ...t,
  ...x264,
  ...x264Rc,
  '-profile:v',
  'main',
  '-bf',
  '0',
  '-f',
  'flv',
  join(out, 'avc-only.flv'),
]);
twins('avc-only');
ffmpeg([...audio, ...t, ...aac, '-f', 'flv', join(out, 'aac-only.flv')]);
twins('aac-only');

// HEVC: elementary streams from ffmpeg, muxed into FLV by our es2flvfile in both signallings.
const h265 = join(tmp, 'v.h265');
const adts = join(tmp, 'a.aac');
ffmpeg([
  ...video,
  ...t,
  '-c:v',
  'libx265',
  '-preset',
  'veryfast',
  '-b:v',
  '150k',
  '-x265-params',
  `keyint=${fps}:min-keyint=${fps}:scenecut=0:bframes=0:pools=1:frame-threads=1:log-level=error`,
  '-f',
  'hevc',
  h265,
]);
ffmpeg([...audio, ...t, ...aac, '-f', 'adts', adts]);
for (const [name, mode] of [
  ['hevc-aac-id12', 'id12'],
  ['hevc-aac-enhanced', 'enhanced'],
]) {
  execFileSync(
    process.execPath,
    [
      'dist/src/app/es2flvfile.js',
      '-v',
      h265,
      '-a',
      adts,
      '-r',
      fps,
      '--hevc',
      mode,
      '-o',
      join(out, `${name}.flv`),
    ],
    { stdio: 'inherit' },
  );
  twins(name);
}
rmSync(tmp, { recursive: true, force: true });
