import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { packLengthPrefixed } from '../codec/nal/index.js';
import { AmfTypedObject, ecmaArray } from '../format/amf/index.js';
import {
  FlvReader,
  type FlvTag,
  FlvTagType,
  packAacFrame,
  packAacSequenceHeader,
  packFlvHeader,
  packFlvTag,
  packOnMetaData,
  packScriptTagBody,
  packVideoEndOfSequence,
  packVideoFrame,
  packVideoSequenceHeader,
} from '../format/flv/index.js';
import { unhex } from '../util/hex.js';
import {
  avcLevelName,
  avcProfileName,
  FlvAnalyser,
  type FlvAnalyserOptions,
  type FlvAnalysis,
  type FlvTagResult,
  formatAudioConfig,
  formatFlvSummary,
  formatFlvTagLine,
  formatMetadata,
  formatVideoConfig,
  hevcLevelName,
  toJsonValue,
} from './flv-analyser.js';

/** Goldens from src/codec/avc/avc.test.ts (x264): a1 High 320x240 25 fps, a2 Constrained Baseline 322x242 30 fps. */
const AVC_A1 = unhex(
  '0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000668ebe3cb22c0fdf8f800',
);
const AVC_A2 = unhex('0142c00dffe1001a6742c00dd90150878888c044000003000400000300f03c50a92001000568cb83cb20');
/** From src/codec/hevc/hevc.test.ts (x265): h1 Main 320x240 25 fps, level 2. */
const HEVC_H1 = unhex(
  '0101600000009000000000003cf000fcfdf8f800000f03a00001001840010c01ffff0160000003009000000300000300' +
    '3c959809a10001002a42010101600000030090000003000003003ca00a080f165959a4932bc05a020000030002000003' +
    '003210a2000100074401c172b46240',
);
/** AAC LC 44100 Hz stereo (what lal packs), and HE-AAC v2 hierarchical (AOT 29, mono core 22050, ext 44100). */
const ASC_LC = unhex('1210');
const ASC_HEV2 = unhex('eb8a0800');

const SEI = Uint8Array.of(0x06, 0x05, 0x01);
const IDR = Uint8Array.of(0x65, 0x88, 0x84, 0x00);
const SLICE = Uint8Array.of(0x41, 0x9a, 0x02, 0x03);
const KEY_AU = packLengthPrefixed([SEI, IDR]);
const INTER_AU = packLengthPrefixed([SLICE]);
const AAC_RAW = new Uint8Array(10).fill(0x21);

const video = (timestampMs: number, data: Uint8Array): FlvTag => ({
  type: FlvTagType.Video,
  timestampMs,
  data,
});
const audio = (timestampMs: number, data: Uint8Array): FlvTag => ({
  type: FlvTagType.Audio,
  timestampMs,
  data,
});
const script = (timestampMs: number, data: Uint8Array): FlvTag => ({
  type: FlvTagType.Script,
  timestampMs,
  data,
});

const avcFrame = (key: boolean, cts = 0) =>
  packVideoFrame('avc', key ? KEY_AU : INTER_AU, { keyFrame: key, compositionTimeMs: cts });

/** Packs a file, runs it through FlvReader and the analyser; returns the analysis and every tag result. */
function analyseFile(
  buf: Uint8Array,
  opts: FlvAnalyserOptions = {},
): { analysis: FlvAnalysis; results: FlvTagResult[] } {
  const reader = new FlvReader();
  const an = new FlvAnalyser(opts);
  const results: FlvTagResult[] = [];
  for (const item of reader.feed(buf)) {
    if (item.kind === 'header') an.header(item.header);
    else results.push(an.tag(item.tag, item.offset));
  }
  reader.end();
  const analysis = an.finish({
    prevTagSizeMismatches: reader.prevTagSizeMismatches,
    bytesRead: reader.offset,
  });
  return { analysis, results };
}

function packFile(tags: FlvTag[], flags = { hasAudio: true, hasVideo: true }): Buffer {
  return Buffer.concat([packFlvHeader(flags), ...tags.map(packFlvTag)]);
}

/** Merges two per-track tag queues by timestamp, keeping each track's own order (as a muxer would). */
function interleave(a: FlvTag[], b: FlvTag[]): FlvTag[] {
  const out: FlvTag[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    const x = a[i];
    const y = b[j];
    if (y === undefined || (x !== undefined && x.timestampMs <= y.timestampMs)) {
      out.push(x as FlvTag);
      i++;
    } else {
      out.push(y);
      j++;
    }
  }
  return out;
}

/**
 * The main fixture: 30 AVC frames at 40 ms with a key frame every 10 (3 GOPs), cts cycling 0/40/80,
 * a 1040 ms gap before frame 20 (where the video config changes to a2), and 40 AAC frames at 50 ms
 * with a 250 ms backwards jump at frame 30 and an identical repeat of the AAC config.
 */
function mainFixture(): FlvTag[] {
  const v: FlvTag[] = [video(0, packVideoSequenceHeader('avc', AVC_A1))];
  for (let i = 0; i < 30; i++) {
    const dts = i * 40 + (i >= 20 ? 1000 : 0);
    if (i === 20) v.push(video(dts, packVideoSequenceHeader('avc', AVC_A2)));
    v.push(video(dts, avcFrame(i % 10 === 0, (i % 3) * 40)));
  }
  v.push(video(2160, packVideoEndOfSequence('avc')));
  const a: FlvTag[] = [audio(0, packAacSequenceHeader(ASC_LC))];
  for (let j = 0; j < 40; j++) {
    if (j === 10) a.push(audio(500, packAacSequenceHeader(ASC_LC)));
    a.push(audio(j * 50 - (j >= 30 ? 300 : 0), packAacFrame(AAC_RAW)));
  }
  const meta = packOnMetaData({
    duration: 2.16,
    width: 320,
    height: 240,
    encoder: 'unit test',
    stereo: true,
  });
  return [script(0, meta), ...interleave(v, a)];
}

function lastIndexOf(tags: FlvTag[], pred: (t: FlvTag) => boolean): number {
  const i = tags.findLastIndex(pred);
  assert.ok(i >= 0);
  return i;
}

describe('FlvAnalyser on a synthetic AVC + AAC file', () => {
  const tags = mainFixture();
  const file = packFile(tags);
  const { analysis: a, results } = analyseFile(file);

  it('counts tags, frames, key frames and sequence headers', () => {
    assert.deepEqual(a.tagCounts, { total: 76, audio: 42, video: 33, script: 1, filtered: 0 });
    assert.equal(a.video.codec, 'avc');
    assert.equal(a.video.frames, 30);
    assert.equal(a.video.keyFrames, 3);
    assert.equal(a.video.sequenceHeaders, 2);
    assert.equal(a.video.otherPackets, 1);
    assert.equal(a.video.framesBeforeFirstKeyFrame, 0);
    assert.equal(a.audio.codec, 'aac');
    assert.equal(a.audio.frames, 40);
    assert.equal(a.audio.sequenceHeaders, 2);
    assert.equal(a.bytesRead, file.length);
    assert.equal(a.prevTagSizeMismatches, 0);
    assert.deepEqual(a.bodyErrors, { count: 0, listed: [] });
  });

  it('gives the same analysis whatever the chunking of the input', () => {
    for (const size of [1, 7, 4096]) {
      const reader = new FlvReader();
      const an = new FlvAnalyser();
      for (let off = 0; off < file.length; off += size) {
        for (const item of reader.feed(file.subarray(off, off + size))) {
          if (item.kind === 'header') an.header(item.header);
          else an.tag(item.tag, item.offset);
        }
      }
      reader.end();
      const b = an.finish({ prevTagSizeMismatches: reader.prevTagSizeMismatches, bytesRead: reader.offset });
      assert.deepEqual(b, a, `chunks of ${size}`);
    }
  });

  it('checks the header flags against the content', () => {
    assert.deepEqual(a.header, {
      version: 1,
      hasAudio: true,
      hasVideo: true,
      dataOffset: 9,
      audioFlagMatches: true,
      videoFlagMatches: true,
    });
  });

  it('computes durations, GOPs, frame rate, bitrates and the composition time range', () => {
    assert.equal(a.startMs, 0);
    assert.equal(a.endMs, 2160);
    assert.equal(a.durationMs, 2160);
    assert.equal(a.avStartOffsetMs, 0);
    assert.equal(a.video.startMs, 0);
    assert.equal(a.video.endMs, 2160);
    assert.equal(a.video.durationMs, 2160);
    assert.equal(a.audio.startMs, 0);
    assert.equal(a.audio.endMs, 1650);
    assert.equal(a.audio.durationMs, 1650);
    // GOPs: 0 -> 400 ms, 400 -> 1800 ms (the gap), 1800 -> 2160 + the last step 40.
    assert.deepEqual(a.video.gops, {
      count: 3,
      frames: { min: 10, avg: 10, max: 10 },
      ms: { min: 400, avg: 2200 / 3, max: 1400 },
    });
    assert.equal(a.video.frameRate, (29 * 1000) / 2160);
    // Video bodies: key frame 5 + (4 + 3) + (4 + 4) = 20, inter 5 + 4 + 4 = 13, the sequence headers
    // 5 + 46 (a1) and 5 + 42 (a2), end of sequence 5.
    assert.equal(AVC_A2.length, 42);
    assert.equal(a.video.bytes, 3 * 20 + 27 * 13 + 51 + 47 + 5);
    // AAC frames 2 + 10, sequence headers 2 + 2.
    assert.equal(a.audio.bytes, 40 * 12 + 2 * 4);
    assert.equal(a.video.kbps, (514 * 8) / 2160);
    assert.equal(a.audio.kbps, (488 * 8) / 2160);
    assert.equal(a.totalKbps, ((514 + 488) * 8) / 2160);
    assert.deepEqual(a.video.cts, { minMs: 0, maxMs: 80, nonZeroFrames: 20 });
    assert.equal(a.video.keyFramesWithoutIrap, 0);
    assert.equal(a.video.irapInNonKeyFrames, 0);
  });

  it('lists the gap and the backwards jump with their tag index and timestamps', () => {
    // The frame after the a2 sequence header, both at 1800; the second audio frame at 1200.
    const gapAt =
      lastIndexOf(tags, (t) => t.type === FlvTagType.Video && t.timestampMs === 1800 && t.data[1] === 0) + 1;
    const jumpAt = lastIndexOf(tags, (t) => t.type === FlvTagType.Audio && t.timestampMs === 1200);
    assert.equal(a.gapMs, 500);
    assert.deepEqual(a.gaps, {
      count: 1,
      listed: [
        {
          track: 'video',
          index: gapAt,
          offset: results[gapAt]?.info.offset,
          prevTimestampMs: 760,
          timestampMs: 1800,
          deltaMs: 1040,
        },
      ],
    });
    assert.equal(a.jumps.count, 1);
    assert.deepEqual(
      a.jumps.listed.map(({ offset: _o, ...e }) => e),
      [{ track: 'audio', index: jumpAt, prevTimestampMs: 1450, timestampMs: 1200, deltaMs: -250 }],
    );
  });

  it('decodes the codec configs, reports the change and counts the identical repeat', () => {
    assert.equal(a.videoConfigs.count, 2);
    assert.equal(a.videoConfigRepeats, 0);
    const [first, second] = a.videoConfigs.listed;
    assert.deepEqual(first, {
      index: 1,
      offset: results[1]?.info.offset,
      timestampMs: 0,
      change: false,
      codec: 'avc',
      enhanced: false,
      size: 46,
      valid: true,
      nalLengthSize: 4,
      spsCount: 1,
      ppsCount: 1,
      profileIdc: 100,
      profile: 'High',
      level: '1.3',
      width: 320,
      height: 240,
      codedWidth: 320,
      codedHeight: 240,
      chroma: '4:2:0',
      bitDepthLuma: 8,
      bitDepthChroma: 8,
      frameRate: 25,
    });
    assert.equal(second?.change, true);
    assert.equal(second?.timestampMs, 1800);
    assert.equal(second?.profile, 'Constrained Baseline');
    assert.equal(second?.width, 322);
    assert.equal(second?.height, 242);
    assert.equal(second?.frameRate, 30);
    assert.equal(a.audioConfigs.count, 1);
    assert.equal(a.audioConfigRepeats, 1);
    const ac = a.audioConfigs.listed[0];
    assert.equal(ac?.objectType, 'AacLc (2)');
    assert.equal(ac?.sampleRate, 44100);
    assert.equal(ac?.outputSampleRate, 44100);
    assert.equal(ac?.channels, 2);
    assert.equal(ac?.frameLength, 1024);
    assert.equal(ac?.sbr, undefined);
    // The per-tag results carry the first and changed configs only.
    assert.equal(results.filter((r) => r.videoConfig).length, 2);
    assert.equal(results.filter((r) => r.audioConfig).length, 1);
  });

  it('decodes onMetaData, every key', () => {
    assert.equal(a.metadata.count, 1);
    assert.deepEqual(a.metadata.listed[0], {
      index: 0,
      offset: 13,
      timestampMs: 0,
      name: 'onMetaData',
      value: { duration: 2.16, width: 320, height: 240, encoder: 'unit test', stereo: true },
    });
    assert.deepEqual(formatMetadata(a.metadata.listed[0] ?? assert.fail()), [
      'metadata (tag 0, ts 0): onMetaData',
      '  duration: 2.16',
      '  width: 320',
      '  height: 240',
      '  encoder: "unit test"',
      '  stereo: true',
    ]);
  });

  it('describes each tag', () => {
    const key = results.find((r) => r.info.frameType === 'key' && r.info.packet === 'frame');
    assert.deepEqual(key?.info, {
      index: 2,
      offset: key?.info.offset,
      type: 'video',
      timestampMs: 0,
      size: 20,
      codec: 'avc',
      enhanced: false,
      frameType: 'key',
      packet: 'frame',
      ctsMs: 0,
      nalTypes: [6, 5],
    });
    assert.equal(
      formatFlvTagLine(key?.info ?? assert.fail()),
      `tag      2 @${String(key?.info.offset).padStart(10)} video  ts=0        size=    20 avc legacy key frame cts=0 nal=SEI,IDR`,
    );
    const aac = results[3]?.info ?? assert.fail();
    assert.equal(
      formatFlvTagLine(aac),
      `tag      3 @${String(aac.offset).padStart(10)} audio  ts=0        size=     4 aac sequence-header`,
    );
    assert.match(formatFlvTagLine(results[0]?.info ?? assert.fail()), /script ts=0 +size= +\d+ onMetaData$/);
  });

  it('formats the configs and the summary', () => {
    assert.equal(
      formatVideoConfig(a.videoConfigs.listed[0] ?? assert.fail()),
      'video config (tag 1, ts 0): avc, High profile, level 1.3, 320x240, 4:2:0 8-bit, 25 fps (VUI), 1 SPS, 1 PPS, NAL length 4, 46 bytes',
    );
    assert.match(
      formatVideoConfig(a.videoConfigs.listed[1] ?? assert.fail()),
      /^video config CHANGED \(tag \d+, ts 1800\): avc, Constrained Baseline profile, level 1.3, 322x242 \(coded 336x256\), /,
    );
    assert.equal(
      formatAudioConfig(a.audioConfigs.listed[0] ?? assert.fail()),
      'audio config (tag 3, ts 0): aac, AacLc (2), 44100 Hz, 2 channels, SBR not signalled, PS not signalled, 1024 samples/frame, 2 bytes',
    );
    const text = formatFlvSummary(a).join('\n');
    const gap = a.gaps.listed[0] ?? assert.fail();
    for (const want of [
      'tags:                  76 (video 33, audio 42, script 1)',
      'video:                 avc, 30 frames, 3 key frames, 2 sequence headers, 1 other packet',
      'audio:                 aac, 40 frames, 2 sequence headers',
      'duration:              2160 ms (0 .. 2160; video 0 .. 2160 ms, audio 0 .. 1650 ms)',
      'GOPs:                  3, 10/10/10 frames, 400/733.33/1400 ms (min/avg/max)',
      'frame rate:            13.426 fps (average, from DTS)',
      'bitrate:               video 1.9 kbps, audio 1.8 kbps, total 3.7 kbps',
      'composition time:      0 .. 80 ms, 20 frames with cts != 0 (B-frames)',
      'video config:          1 changes, 0 identical repeats',
      'audio config:          0 changes, 1 identical repeats',
      'gaps (> 500 ms):       1',
      `video tag ${gap.index} @${gap.offset}: 760 -> 1800 ms (+1040 ms)`,
      'jumps (DTS backwards): 1',
      ': 1450 -> 1200 ms (-250 ms)',
      'PreviousTagSize:       all match',
    ]) {
      assert.ok(text.includes(want), `summary lacks ${JSON.stringify(want)}:\n${text}`);
    }
  });
});

describe('FlvAnalyser on damaged content', () => {
  it('reports malformed configs and bodies without stopping', () => {
    const tags: FlvTag[] = [
      video(0, avcFrame(false)), // before any key frame (and before the config)
      video(0, packVideoSequenceHeader('avc', AVC_A1.subarray(0, 20))), // truncated record
      audio(0, packAacSequenceHeader(unhex('12'))), // truncated ASC
      video(40, avcFrame(false)),
      video(80, avcFrame(true)),
      video(120, Uint8Array.of(0x2f, 0x00)), // codec id 15: unknown
      video(160, packVideoFrame('avc', Uint8Array.of(0, 0, 0, 9, 0x41), { keyFrame: false })), // NAL length past the end
      video(200, packVideoFrame('avc', INTER_AU, { keyFrame: true })), // key flag, no IDR
      video(240, packVideoFrame('avc', KEY_AU, { keyFrame: false })), // IDR, no key flag
      { type: FlvTagType.Video, timestampMs: 280, data: Uint8Array.of(1, 2, 3), filter: true },
      script(300, Uint8Array.of(0x02, 0x00, 0x05, 0x41)), // truncated AMF string
    ];
    const { analysis: a, results } = analyseFile(packFile(tags), { maxListed: 2 });
    assert.equal(a.header?.audioFlagMatches, true);
    assert.equal(a.videoConfigs.count, 1);
    const vc = a.videoConfigs.listed[0];
    assert.equal(vc?.valid, false);
    assert.match(vc?.error ?? '', /^avc: /);
    assert.match(formatVideoConfig(vc ?? assert.fail()), /, invalid \(avc: .+\)$/);
    const ac = a.audioConfigs.listed[0];
    assert.equal(ac?.valid, false);
    assert.match(ac?.error ?? '', /^aac: /);
    assert.match(
      formatAudioConfig(ac ?? assert.fail()),
      /^audio config \(tag 2, ts 0\): aac, 1 bytes, invalid \(aac: /,
    );
    assert.equal(a.video.frames, 6);
    assert.equal(a.video.keyFrames, 2);
    assert.equal(a.video.framesBeforeFirstKeyFrame, 2);
    assert.equal(a.video.keyFramesWithoutIrap, 1);
    assert.equal(a.video.irapInNonKeyFrames, 1);
    assert.equal(a.tagCounts.filtered, 1);
    assert.equal(results[9]?.info.filtered, true);
    assert.equal(a.bodyErrors.count, 3);
    assert.equal(a.bodyErrors.listed.length, 2, 'capped by maxListed');
    assert.deepEqual(
      a.bodyErrors.listed.map((e) => [e.index, e.type, e.error]),
      [
        [5, 'video', 'flv: unknown video codec id 15'],
        [6, 'video', 'nal: length-prefixed NAL unit: need 9 bytes, got 1'],
      ],
    );
    assert.equal(results[10]?.info.error?.startsWith('flv: script data: '), true);
    assert.equal(a.metadata.listed[0]?.error?.startsWith('flv: script data: '), true);
    assert.match(
      formatFlvSummary(a).join('\n'),
      /body errors: +3\n {4}video tag 5 @\d+ ts 120: flv: unknown video codec id 15\n.+\n {4}\.\.\. and 1 more/,
    );
  });

  it('caps the gap list and keeps counting', () => {
    const tags = Array.from({ length: 8 }, (_, i) => audio(i * 1000, packAacFrame(AAC_RAW)));
    const { analysis: a } = analyseFile(packFile(tags, { hasAudio: false, hasVideo: true }), {
      gapMs: 999,
      maxListed: 3,
    });
    assert.equal(a.gaps.count, 7);
    assert.deepEqual(
      a.gaps.listed.map((g) => [g.index, g.prevTimestampMs, g.timestampMs, g.deltaMs]),
      [
        [1, 0, 1000, 1000],
        [2, 1000, 2000, 1000],
        [3, 2000, 3000, 1000],
      ],
    );
    assert.equal(a.header?.audioFlagMatches, false);
    assert.equal(a.header?.videoFlagMatches, false);
    assert.equal(a.video.gops, undefined);
    assert.equal(a.avStartOffsetMs, undefined);
    const text = formatFlvSummary(a).join('\n');
    assert.match(
      text,
      /audio flag no, audio tags yes \(MISMATCH\); video flag yes, video tags no \(MISMATCH\)/,
    );
    assert.match(text, /gaps \(> 999 ms\): +7\n(.+\n){3} {4}\.\.\. and 4 more/);
    // A step equal to gapMs is not a gap.
    assert.equal(analyseFile(packFile(tags), { gapMs: 1000 }).analysis.gaps.count, 0);
  });

  it('counts PreviousTagSize mismatches from the reader', () => {
    const file = packFile([audio(0, packAacFrame(AAC_RAW)), audio(20, packAacFrame(AAC_RAW))]);
    file.writeUInt32BE(99, 13 + 11 + 12); // the first tag's PreviousTagSize
    const { analysis: a } = analyseFile(file);
    assert.equal(a.prevTagSizeMismatches, 1);
    assert.match(formatFlvSummary(a).join('\n'), /PreviousTagSize: +1 mismatches/);
  });

  it('keeps the error of an incomplete file', () => {
    const an = new FlvAnalyser();
    const a = an.finish({ prevTagSizeMismatches: 0, bytesRead: 5, error: 'flv: truncated file header' });
    assert.equal(a.error, 'flv: truncated file header');
    assert.equal(a.header, undefined);
    assert.equal(a.durationMs, undefined);
    const text = formatFlvSummary(a).join('\n');
    assert.match(text, /duration: +no media frames/);
    assert.match(text, /INCOMPLETE: +flv: truncated file header/);
  });
});

describe('FlvAnalyser on other codecs', () => {
  it('decodes an enhanced HEVC config and names HEVC NAL units', () => {
    const irap = packLengthPrefixed([Uint8Array.of(0x26, 0x01, 0xaf)]);
    const trail = packLengthPrefixed([Uint8Array.of(0x02, 0x01, 0xd0), Uint8Array.of(0x02, 0x01, 0xd1)]);
    const tags = [
      video(0, packVideoSequenceHeader('hevc', HEVC_H1, { enhanced: true })),
      video(0, packVideoFrame('hevc', irap, { keyFrame: true, enhanced: true })),
      video(40, packVideoFrame('hevc', trail, { keyFrame: false, compositionTimeMs: 40, enhanced: true })),
    ];
    const { analysis: a, results } = analyseFile(packFile(tags, { hasAudio: false, hasVideo: true }));
    const c = a.videoConfigs.listed[0];
    assert.equal(c?.codec, 'hevc');
    assert.equal(c?.enhanced, true);
    assert.equal(c?.profile, 'Main');
    assert.equal(c?.level, '2');
    assert.equal(c?.tier, 'Main');
    assert.equal(c?.width, 320);
    assert.equal(c?.height, 240);
    assert.equal(c?.frameRate, 25);
    assert.deepEqual([c?.vpsCount, c?.spsCount, c?.ppsCount], [1, 1, 1]);
    assert.match(
      formatVideoConfig(c ?? assert.fail()),
      /hevc \(enhanced\), Main profile, level 2 Main tier, 320x240, /,
    );
    assert.deepEqual(results[1]?.info.nalTypes, [19]);
    assert.match(
      formatFlvTagLine(results[1]?.info ?? assert.fail()),
      / hevc enhanced key frame cts=0 nal=IDR_W_RADL$/,
    );
    assert.match(formatFlvTagLine(results[2]?.info ?? assert.fail()), / inter frame cts=40 nal=TRAIL_Rx2$/);
    assert.equal(a.video.keyFramesWithoutIrap, 0);
    assert.equal(a.video.frameRate, 25);
    assert.deepEqual(a.video.gops, {
      count: 1,
      frames: { min: 2, avg: 2, max: 2 },
      ms: { min: 80, avg: 80, max: 80 },
    });
  });

  it('reports HE-AAC v2 output rate and channels, and legacy MP3 header bits', () => {
    const an = new FlvAnalyser();
    const r = an.tag(audio(0, packAacSequenceHeader(ASC_HEV2)), 13);
    assert.equal(r.audioConfig?.sampleRate, 22050);
    assert.equal(r.audioConfig?.outputSampleRate, 44100);
    assert.equal(r.audioConfig?.channels, 2);
    assert.equal(r.audioConfig?.sbr, true);
    assert.equal(r.audioConfig?.ps, true);
    assert.equal(r.audioConfig?.frameLength, 2048);
    assert.match(
      formatAudioConfig(r.audioConfig ?? assert.fail()),
      /22050 Hz \(output 44100 Hz\), 2 channels, SBR yes, PS yes/,
    );

    const mp3 = new FlvAnalyser();
    // SoundFormat 2 (MP3), 44 kHz, 16 bit, stereo.
    mp3.tag(audio(0, Uint8Array.of(0x2f, 0xff, 0xfb)), 13);
    mp3.tag(audio(26, Uint8Array.of(0x2f, 0xff, 0xfb)), 30);
    const a = mp3.finish({ prevTagSizeMismatches: 0, bytesRead: 47 });
    assert.equal(a.audio.codec, 'mp3');
    assert.equal(a.audio.frames, 2);
    assert.deepEqual(a.audio.legacyFormat, { sampleRate: 44100, bits: 16, channels: 2 });
    assert.equal(a.audio.kbps, (6 * 8) / 26);
    assert.match(
      formatFlvSummary(a).join('\n'),
      /mp3, 2 frames, 0 sequence headers, 44100 Hz 16-bit stereo \(legacy header\)/,
    );
  });

  it('keeps non-onMetaData script tags with their values', () => {
    const an = new FlvAnalyser();
    const body = packScriptTagBody({ name: 'onCuePoint', values: [ecmaArray({ name: 'cue1', time: 1.5 })] });
    const r = an.tag(script(1500, body), 13);
    assert.deepEqual(r.metadata?.value, [{ name: 'cue1', time: 1.5 }]);
    assert.equal(r.info.name, 'onCuePoint');
    assert.deepEqual(formatMetadata(r.metadata ?? assert.fail()), [
      'script data (tag 0, ts 1500): onCuePoint',
      '  [{name: "cue1", time: 1.5}]',
    ]);
  });
});

describe('flv-analyser helpers', () => {
  it('names AVC and HEVC profiles and levels', () => {
    assert.equal(avcProfileName(66, 0xc0), 'Constrained Baseline');
    assert.equal(avcProfileName(66, 0x00), 'Baseline');
    assert.equal(avcProfileName(110, 0x10), 'High 10 Intra');
    assert.equal(avcProfileName(7, 0), 'profile 7');
    assert.equal(avcLevelName(31, 100, 0), '3.1');
    assert.equal(avcLevelName(11, 66, 0x10), '1b');
    assert.equal(avcLevelName(11, 100, 0x10), '1.1');
    assert.equal(hevcLevelName(93), '3.1');
    assert.equal(hevcLevelName(123), '4.1');
    assert.equal(hevcLevelName(150), '5');
  });

  it('converts AMF values to JSON', () => {
    const meta = ecmaArray({
      created: new Date(Date.UTC(2024, 0, 2, 3, 4, 5)),
      bytes: Uint8Array.of(0xca, 0xfe),
      nothing: undefined,
      typed: new AmfTypedObject('Cls', { a: 1 }),
      keyframes: ecmaArray({ times: [0, 1, 2], filepositions: [13, 100, 200] }),
    });
    assert.deepEqual(toJsonValue(meta), {
      created: '2024-01-02T03:04:05.000Z',
      bytes: 'cafe',
      nothing: null,
      typed: { className: 'Cls', properties: { a: 1 } },
      keyframes: { times: [0, 1, 2], filepositions: [13, 100, 200] },
    });
    const tricky = toJsonValue(JSON.parse('{"__proto__": {"polluted": true}}')) as Record<string, unknown>;
    assert.deepEqual(Object.keys(tricky), ['__proto__']);
    assert.equal(({} as Record<string, unknown>).polluted, undefined);
  });

  it('summarises long metadata arrays in text', () => {
    const times = Array.from({ length: 100 }, (_, i) => i);
    const lines = formatMetadata({
      index: 0,
      offset: 13,
      timestampMs: 0,
      name: 'onMetaData',
      value: { times },
    });
    assert.deepEqual(lines, [
      'metadata (tag 0, ts 0): onMetaData',
      '  times: [0, 1, 2, 3, 4, 5, 6, 7, ... 92 more]',
    ]);
  });
});
