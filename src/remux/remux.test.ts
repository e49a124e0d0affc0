import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { FIXTURES, readFixture } from '../../test/helpers/fixtures.js';
import { parseAdtsHeader, splitAdts } from '../codec/aac/index.js';
import { isAvcKeyFrame } from '../codec/avc/index.js';
import { isHevcIrap } from '../codec/hevc/index.js';
import { splitAnnexB, splitLengthPrefixed } from '../codec/nal/index.js';
import {
  classifyFlvTag,
  type FlvTag,
  FlvTagType,
  parseAudioTagBody,
  parseOnMetaData,
  parseVideoTagBody,
  VideoFourCc,
} from '../format/flv/index.js';
import { AccessUnitAssembler, muxEsToFlv, type VideoAccessUnit } from './es-to-flv.js';
import { FlvRewriter } from './flv-rewriter.js';
import { type EsAudioFrame, type EsVideoUnit, FlvToEs } from './flv-to-es.js';

function toEs(tags: FlvTag[]): { video: EsVideoUnit[]; audio: EsAudioFrame[]; conv: FlvToEs } {
  const video: EsVideoUnit[] = [];
  const audio: EsAudioFrame[] = [];
  const conv = new FlvToEs({ onVideo: (u) => video.push(u), onAudio: (f) => audio.push(f) });
  for (const t of tags) conv.feedTag(t);
  return { video, audio, conv };
}

function concat(parts: Uint8Array[]): Uint8Array {
  return Buffer.concat(parts);
}

function units(codec: 'avc' | 'hevc', annexB: Uint8Array): VideoAccessUnit[] {
  const asm = new AccessUnitAssembler(codec);
  const out: VideoAccessUnit[] = [];
  for (const nal of splitAnnexB(annexB)) {
    const au = asm.push(nal);
    if (au) out.push(au);
  }
  const last = asm.flush();
  if (last) out.push(last);
  return out;
}

/** The coded frames of a tag list: [dts, key, payload NAL units without parameter sets]. */
function videoFrames(tags: FlvTag[]): Array<{ dts: number; key: boolean; cts: number; nalus: string[] }> {
  const out = [];
  for (const t of tags) {
    if (t.type !== FlvTagType.Video) continue;
    const b = parseVideoTagBody(t.data);
    if (b.kind !== 'frame') continue;
    const nalus = splitLengthPrefixed(b.data, 4)
      .filter((n) => {
        const avcType = (n[0] as number) & 0x1f;
        const hevcType = ((n[0] as number) >> 1) & 0x3f;
        return b.codec === 'avc'
          ? avcType !== 7 && avcType !== 8 && avcType !== 9
          : hevcType < 32 || hevcType > 35;
      })
      .map((n) => Buffer.from(n).toString('base64'));
    out.push({ dts: t.timestampMs, key: b.keyFrame, cts: b.compositionTimeMs, nalus });
  }
  return out;
}

function audioFrames(tags: FlvTag[]): Array<{ dts: number; data: string }> {
  const out = [];
  for (const t of tags) {
    if (t.type !== FlvTagType.Audio) continue;
    const b = parseAudioTagBody(t.data);
    if (b.kind === 'frame') out.push({ dts: t.timestampMs, data: Buffer.from(b.data).toString('base64') });
  }
  return out;
}

describe('FlvToEs', () => {
  for (const name of FIXTURES) {
    it(`${name}: every frame becomes an access unit / ADTS frame`, () => {
      const { tags } = readFixture(name);
      const { video, audio, conv } = toEs(tags);
      const vIn = videoFrames(tags);
      const aIn = audioFrames(tags);
      assert.equal(video.length, vIn.length);
      assert.equal(audio.length, aIn.length);
      assert.equal(conv.stats.framesBeforeSequenceHeader, 0);
      for (const [i, u] of video.entries()) {
        const src = vIn[i];
        assert.ok(src);
        assert.equal(u.keyFrame, src.key);
        assert.equal(u.dtsMs, src.dts);
        assert.equal(u.ptsMs, src.dts + src.cts);
        const key = u.codec === 'avc' ? isAvcKeyFrame(u.annexB, 'annexb') : isHevcIrap(u.annexB, 'annexb');
        assert.equal(key, u.keyFrame, 'key frame flag agrees with the NAL units');
        if (u.keyFrame) {
          const types = splitAnnexB(u.annexB).map((n) =>
            u.codec === 'avc' ? (n[0] as number) & 0x1f : ((n[0] as number) >> 1) & 0x3f,
          );
          const want = u.codec === 'avc' ? [7, 8] : [32, 33, 34];
          for (const t of want) assert.ok(types.includes(t), `key frame carries parameter set type ${t}`);
        }
      }
      for (const [i, f] of audio.entries()) {
        const h = parseAdtsHeader(f.frame);
        assert.equal(h.frameLength, f.frame.length);
        assert.equal(Buffer.from(f.frame.subarray(h.headerLength)).toString('base64'), aIn[i]?.data);
      }
    });
  }
});

describe('ES -> FLV (es2flvfile core) round trip', () => {
  for (const name of ['avc-aac', 'hevc-aac-id12', 'avc-only', 'aac-only'] as const) {
    it(`${name}: FLV -> ES -> FLV keeps every video NAL unit and audio frame`, () => {
      const { tags } = readFixture(name);
      const { video, audio } = toEs(tags);
      const codec = video[0]?.codec;
      const adts = concat(audio.map((a) => a.frame));
      const mux = muxEsToFlv(
        {
          ...(codec ? { video: { codec, units: units(codec, concat(video.map((v) => v.annexB))) } } : {}),
          ...(audio.length ? { audio: splitAdts(adts).frames } : {}),
        },
        { frameRate: 25 },
      );
      const vIn = videoFrames(tags);
      const vOut = videoFrames(mux.tags);
      assert.deepEqual(
        vOut.map((f) => [f.key, f.nalus]),
        vIn.map((f) => [f.key, f.nalus]),
      );
      assert.deepEqual(
        vOut.map((f) => f.dts),
        vIn.map((_, i) => Math.round((i * 1000) / 25)),
      );
      assert.deepEqual(
        audioFrames(mux.tags).map((a) => a.data),
        audioFrames(tags).map((a) => a.data),
      );
      assert.equal(mux.hasVideo, vIn.length > 0);
      assert.equal(mux.hasAudio, audio.length > 0);
      // Timestamps never go backwards in the interleaved output.
      for (let i = 1; i < mux.tags.length; i++) {
        assert.ok((mux.tags[i]?.timestampMs ?? 0) >= (mux.tags[i - 1]?.timestampMs ?? 0));
      }
      const meta = parseOnMetaData(mux.tags[0]?.data ?? new Uint8Array());
      assert.ok(meta);
      if (codec) assert.equal(meta.width, 320);
    });
  }

  it('writes HEVC as codec id 12 or enhanced RTMP, matching the fixtures byte for byte', () => {
    const id12 = readFixture('hevc-aac-id12');
    const enh = readFixture('hevc-aac-enhanced');
    const { video, audio } = toEs(id12.tags);
    const input = () => ({
      video: { codec: 'hevc' as const, units: units('hevc', concat(video.map((v) => v.annexB))) },
      audio: splitAdts(concat(audio.map((a) => a.frame))).frames,
    });
    const a = muxEsToFlv(input(), { frameRate: 25, hevcSignalling: 'id12' });
    const b = muxEsToFlv(input(), { frameRate: 25, hevcSignalling: 'enhanced' });
    assert.deepEqual(
      a.tags.map((t) => Buffer.from(t.data)),
      id12.tags.map((t) => Buffer.from(t.data)),
    );
    assert.deepEqual(
      b.tags.map((t) => Buffer.from(t.data)),
      enh.tags.map((t) => Buffer.from(t.data)),
    );
    const firstVideo = b.tags.find((t) => t.type === FlvTagType.Video);
    assert.ok(firstVideo && ((firstVideo.data[0] as number) & 0x80) !== 0, 'enhanced: IsExHeader set');
    assert.equal(parseOnMetaData(b.tags[0]?.data ?? new Uint8Array())?.videocodecid, VideoFourCc.Hevc);
  });

  it('groups NAL units into access units whatever the AUD/SEI layout', () => {
    const { tags } = readFixture('avc-bframes-aac');
    const { video } = toEs(tags);
    const aus = units('avc', concat(video.map((v) => v.annexB)));
    assert.equal(aus.length, video.length);
    assert.deepEqual(
      aus.map((u) => u.keyFrame),
      video.map((v) => v.keyFrame),
    );
  });

  it('rejects a frame rate it cannot use and frames before any parameter set', () => {
    assert.throws(() => muxEsToFlv({ video: { codec: 'avc', units: [] } }, {}), /frame rate/);
    const slice = Uint8Array.of(0x65, 0x88, 0x80);
    assert.throws(
      () =>
        muxEsToFlv(
          { video: { codec: 'avc', units: [{ nalus: [slice], keyFrame: true }] } },
          { frameRate: 25 },
        ),
      /before any parameter set/,
    );
  });
});

describe('FlvRewriter (modflvfile core)', () => {
  const run = (name: string, opts: ConstructorParameters<typeof FlvRewriter>[0]) => {
    const { header, tags } = readFixture(name);
    const rw = new FlvRewriter(opts);
    const out = tags.flatMap((t) => rw.tag(t));
    out.push(...rw.end());
    return { header: rw.header(header), tags: out, stats: rw.stats };
  };

  it('copies unchanged with no options', () => {
    const { tags } = readFixture('avc-aac');
    const r = run('avc-aac', {});
    assert.deepEqual(r.tags, tags);
  });

  it('drops a track and fixes the header flags and metadata', () => {
    const r = run('avc-aac', { dropAudio: true });
    assert.equal(r.header.hasAudio, false);
    assert.ok(r.tags.every((t) => t.type !== FlvTagType.Audio));
    const meta = parseOnMetaData(r.tags[0]?.data ?? new Uint8Array());
    assert.equal(meta?.audiocodecid, undefined);
    assert.equal(meta?.width, 320);
    const v = run('avc-aac', { dropVideo: true });
    assert.ok(v.tags.every((t) => t.type !== FlvTagType.Video));
    assert.equal(v.header.hasVideo, false);
  });

  it('cuts a time range starting on a key frame, keeping the sequence headers, and rebases', () => {
    const r = run('avc-aac', { startMs: 1100, endMs: 2500, rebase: true });
    const cls = r.tags.map((t) => classifyFlvTag(t.type, t.data));
    assert.equal(cls[0], 'metadata');
    assert.ok(cls.includes('video-sequence-header') && cls.includes('audio-sequence-header'));
    const firstVideoFrame = cls.findIndex((c) => c === 'video-key-frame' || c === 'video-frame');
    assert.equal(cls[firstVideoFrame], 'video-key-frame', 'video restarts on a key frame');
    const { tags } = readFixture('avc-aac');
    const firstKeyIn = tags.find(
      (t) => t.timestampMs >= 1100 && classifyFlvTag(t.type, t.data) === 'video-key-frame',
    );
    assert.ok(firstKeyIn);
    const media = r.tags.filter(
      (t) =>
        !['metadata', 'video-sequence-header', 'audio-sequence-header'].includes(
          classifyFlvTag(t.type, t.data),
        ),
    );
    assert.equal(Math.min(...media.map((t) => t.timestampMs)), 0);
    assert.ok(Math.max(...media.map((t) => t.timestampMs)) < 2500 - 1100);
  });

  it('shifts timestamps, clamping below zero', () => {
    const { tags } = readFixture('aac-only');
    const r = run('aac-only', { shiftMs: 1000 });
    assert.deepEqual(
      r.tags.map((t) => t.timestampMs),
      tags.map((t) => t.timestampMs + 1000),
    );
    const n = run('aac-only', { shiftMs: -100 });
    assert.ok(n.stats.clamped > 0);
    assert.ok(n.tags.every((t) => t.timestampMs >= 0));
  });

  it('edits metadata and converts HEVC between codec id 12 and enhanced RTMP', () => {
    const r = run('avc-aac', { setMetadata: { title: 'x', framerate: 30 }, removeMetadata: ['encoder'] });
    const meta = parseOnMetaData(r.tags[0]?.data ?? new Uint8Array());
    assert.equal(meta?.title, 'x');
    assert.equal(meta?.framerate, 30);
    assert.equal(meta?.encoder, undefined);
    const enh = readFixture('hevc-aac-enhanced');
    const id12 = readFixture('hevc-aac-id12');
    const toEnh = run('hevc-aac-id12', { hevc: 'enhanced' });
    assert.deepEqual(
      toEnh.tags.map((t) => Buffer.from(t.data)),
      enh.tags.map((t) => Buffer.from(t.data)),
    );
    const toId12 = run('hevc-aac-enhanced', { hevc: 'id12' });
    assert.deepEqual(
      toId12.tags.map((t) => Buffer.from(t.data)),
      id12.tags.map((t) => Buffer.from(t.data)),
    );
  });

  it('refuses contradictory options', () => {
    assert.throws(() => new FlvRewriter({ dropAudio: true, dropVideo: true }), /nothing/);
    assert.throws(() => new FlvRewriter({ startMs: 10, endMs: 5 }), /not after/);
  });
});
