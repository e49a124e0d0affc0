import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../test/helpers/fixtures.js';
import { splitAnnexB } from '../codec/nal/index.js';
import { type FlvTag, FlvTagType, parseVideoTagBody } from '../format/flv/index.js';
import { BitWriter } from '../util/bit-writer.js';
import { unhex } from '../util/hex.js';
import { AccessUnitAssembler, type EsToFlvOptions, muxEsToFlv, type VideoAccessUnit } from './es-to-flv.js';
import { type EsVideoUnit, FlvToEs } from './flv-to-es.js';

function fixtureVideo(name: string): EsVideoUnit[] {
  const video: EsVideoUnit[] = [];
  const conv = new FlvToEs({ onVideo: (u) => video.push(u), onAudio: () => {} });
  for (const t of readFixture(name).tags) conv.feedTag(t);
  return video;
}

function units(codec: 'avc' | 'hevc', annexB: Uint8Array[]): VideoAccessUnit[] {
  const asm = new AccessUnitAssembler(codec);
  const out: VideoAccessUnit[] = [];
  for (const part of annexB) {
    for (const nal of splitAnnexB(part)) {
      const au = asm.push(nal);
      if (au) out.push(au);
    }
  }
  const last = asm.flush();
  if (last) out.push(last);
  return out;
}

/** DTS, PTS and composition time of each coded frame, in tag order. */
function times(tags: FlvTag[]): Array<{ dts: number; pts: number; cts: number }> {
  const out = [];
  for (const t of tags) {
    if (t.type !== FlvTagType.Video) continue;
    const b = parseVideoTagBody(t.data);
    if (b.kind !== 'frame') continue;
    out.push({ dts: t.timestampMs, pts: t.timestampMs + b.compositionTimeMs, cts: b.compositionTimeMs });
  }
  return out;
}

function mux(codec: 'avc' | 'hevc', aus: VideoAccessUnit[], opts: Partial<EsToFlvOptions> = {}) {
  return muxEsToFlv({ video: { codec, units: aus } }, { frameRate: 25, ...opts });
}

describe('ES -> FLV: presentation times from the picture order count', () => {
  it('avc-bframes-aac: FLV -> ES -> FLV gives back the encoder timestamps (PTS up to a constant)', () => {
    const video = fixtureVideo('avc-bframes-aac');
    const m = mux(
      'avc',
      units(
        'avc',
        video.map((v) => v.annexB),
      ),
    );
    const got = times(m.tags);
    assert.equal(got.length, video.length);
    assert.deepEqual(
      got.map((f) => f.dts),
      video.map((v) => v.dtsMs),
      'DTS as in the encoder-made FLV',
    );
    const offset = (got[0]?.pts ?? 0) - (video[0]?.ptsMs ?? 0);
    assert.deepEqual(
      got.map((f) => f.pts - offset),
      video.map((v) => v.ptsMs),
      'PTS as the encoder set them, up to a constant',
    );
    assert.ok(got.some((f) => f.cts > 0));
    assert.ok(got.every((f) => f.cts >= 0));
    assert.equal(m.stats.presentation, 'poc');
    assert.equal(m.stats.presentationFallback, undefined);
    assert.equal(m.stats.reorderDelayFrames, got[0] ? got[0].cts / 40 : -1);
    // Presentation order covers the frame grid exactly once.
    const sorted = got.map((f) => f.pts).sort((a, b) => a - b);
    assert.deepEqual(
      sorted,
      got.map((_, i) => Math.round(((i + m.stats.reorderDelayFrames) * 1000) / 25)),
    );
  });

  it("presentation 'decode-order' keeps every composition time 0", () => {
    const video = fixtureVideo('avc-bframes-aac');
    const m = mux(
      'avc',
      units(
        'avc',
        video.map((v) => v.annexB),
      ),
      { presentation: 'decode-order' },
    );
    assert.ok(times(m.tags).every((f) => f.cts === 0));
    assert.equal(m.stats.presentation, 'decode-order');
    assert.equal(m.stats.reorderDelayFrames, 0);
  });

  for (const name of ['avc-aac', 'hevc-aac-id12']) {
    it(`${name}: without B-frames every composition time stays 0`, () => {
      const video = fixtureVideo(name);
      const codec = video[0]?.codec ?? 'avc';
      const m = mux(
        codec,
        units(
          codec,
          video.map((v) => v.annexB),
        ),
      );
      assert.equal(m.stats.presentation, 'poc');
      assert.equal(m.stats.reorderDelayFrames, 0);
      assert.deepEqual(
        times(m.tags),
        video.map((_, i) => ({ dts: i * 40, pts: i * 40, cts: 0 })),
      );
    });
  }

  it('falls back to decoding order, saying why, when a slice header cannot be read', () => {
    const video = fixtureVideo('avc-bframes-aac');
    const aus = units(
      'avc',
      video.map((v) => v.annexB),
    );
    // Frame 5's slice names PPS 5, which the stream never sends.
    const au = aus[5];
    assert.ok(au);
    const at = au.nalus.findIndex((n) => ((n[0] as number) & 0x1f) === 1);
    const bad = Uint8Array.from(au.nalus[at] as Uint8Array);
    const w = new BitWriter()
      .writeBits(8, bad[0] as number)
      .writeUE(0)
      .writeUE(1)
      .writeUE(5);
    bad.set(w.finish().subarray(0, 3), 0);
    au.nalus[at] = bad;
    const m = mux('avc', aus);
    assert.equal(m.stats.presentation, 'decode-order');
    assert.match(m.stats.presentationFallback ?? '', /^picture order count unavailable: avc: slice: .*PPS/);
    assert.ok(times(m.tags).every((f) => f.cts === 0));
  });
});

/*
 * H.265 access units made of libx265's parameter sets and slice segments cut after their headers
 * (`-x265-params bframes=3:keyint=12`; see src/codec/hevc/slice-header.test.ts). The muxer only
 * reads the headers, so the cut slices do for timestamps.
 */
const VPS = '40010c01ffff01600000030090000003000003003c959409';
const SPS = '42010101600000030090000003000003003ca0162024596565924caf016808000003000800000300c840';
const PPS = '4401c172b46240';
/** Decoding order: IDR_N_LP 0, TRAIL 3 2 1 5 4 9 7 6 8, CRA 12, RASL 11 10, TRAIL 16. */
const OPEN_SLICES = [
  '2801af',
  '0201d019',
  '0201e044',
  '0001e024',
  '0201d028',
  '0001e082',
  '0201d048',
  '0201e0e2',
  '0001e0c6',
  '0001e102',
  '2a01ac30',
  '1201e162',
  '1001e146',
  '0201d081',
];
const OPEN_POCS = [0, 3, 2, 1, 5, 4, 9, 7, 6, 8, 12, 11, 10, 16];
const EOS = '4801';

function hevcUnit(slice: string, extra: string[] = []): VideoAccessUnit {
  const t = ((unhex(slice)[0] as number) >> 1) & 0x3f;
  const ps = t >= 16 && t <= 21 ? [VPS, SPS, PPS] : [];
  return { nalus: [...ps, slice, ...extra].map((h) => unhex(h)), keyFrame: t >= 16 && t <= 21 };
}

/** Presentation index of each frame, from its PTS on the 25 fps grid, less the reorder delay. */
function presIndex(m: ReturnType<typeof mux>): number[] {
  return times(m.tags).map((f) => Math.round((f.pts * 25) / 1000) - m.stats.reorderDelayFrames);
}

/** A TRAIL_R slice segment of the OPEN stream's PPS with slice_pic_order_cnt_lsb `lsb` (8 bits). */
function trail(lsb: number): string {
  const w = new BitWriter().writeBits(16, 0x0201).writeBit(1).writeUE(0).writeUE(1).writeBits(8, lsb);
  return Buffer.from(w.writeBit(1).finish()).toString('hex');
}

describe('ES -> FLV: H.265 POC periods', () => {
  it('orders a stream with a CRA and its RASL pictures by POC, in both signallings', () => {
    for (const hevcSignalling of ['id12', 'enhanced'] as const) {
      const m = mux(
        'hevc',
        OPEN_SLICES.map((s) => hevcUnit(s)),
        { hevcSignalling },
      );
      assert.equal(m.stats.presentation, 'poc');
      assert.equal(m.stats.reorderDelayFrames, 2);
      // Ranks of the POCs: one period (the CRA in mid-stream does not restart the count).
      assert.deepEqual(presIndex(m), [0, 3, 2, 1, 5, 4, 9, 7, 6, 8, 12, 11, 10, 13]);
      const t = times(m.tags);
      assert.deepEqual(
        t.map((f) => f.dts),
        t.map((_, i) => i * 40),
      );
      assert.ok(t.every((f) => f.cts >= 0));
      assert.equal(Math.min(...t.map((f) => f.cts)), 0, 'the delay is the smallest that keeps CTS >= 0');
    }
  });

  it('starts a new period at an IDR, after an end of sequence, and at a CRA whose POC goes back (a splice)', () => {
    const first = OPEN_SLICES.slice(0, 10).map((s) => hevcUnit(s)); // POCs 0 3 2 1 5 4 9 7 6 8
    const cra = OPEN_SLICES.slice(10).map((s) => hevcUnit(s)); // POCs 12 11 10 16
    const want = [0, 3, 2, 1, 5, 4, 9, 7, 6, 8];
    const next = (start: number) => [start + 2, start + 1, start, start + 3];
    // A CRA spliced on after POC 8: its POC (12 against prevTid0Pic 8) is above; after POC 16 it is not.
    const spliced = mux('hevc', [...first, ...cra, ...cra]);
    assert.deepEqual(presIndex(spliced), [...want, ...next(10), ...next(14)]);
    // The same with an end of sequence NAL unit before the second CRA.
    const withEos = [...first, ...cra.slice(0, 3), hevcUnit(OPEN_SLICES[13] as string, [EOS]), ...cra];
    assert.deepEqual(presIndex(mux('hevc', withEos)), [...want, ...next(10), ...next(14)]);
    // An IDR restarts the count: the second copy of the stream follows the first.
    const twice = mux('hevc', [...first, ...first]);
    assert.deepEqual(presIndex(twice), [...want, ...want.map((p) => p + 10)]);
    assert.equal(twice.stats.reorderDelayFrames, 2);
  });

  it('falls back to decoding order when the POCs would need more reordering than a decoder holds', () => {
    const idr = hevcUnit(OPEN_SLICES[0] as string);
    const backwards = Array.from({ length: 20 }, (_, k) => hevcUnit(trail(100 - 2 * k)));
    const m = mux('hevc', [idr, ...backwards]);
    assert.equal(m.stats.presentation, 'decode-order');
    assert.match(
      m.stats.presentationFallback ?? '',
      /reorder delay of 19 frames, more than a decoder holds \(16\)/,
    );
    assert.ok(times(m.tags).every((f) => f.cts === 0));
    // 16 frames backwards is still a stream a decoder can hold.
    const ok = mux('hevc', [idr, ...backwards.slice(0, 17)]);
    assert.equal(ok.stats.presentation, 'poc');
    assert.equal(ok.stats.reorderDelayFrames, 16);
  });

  it('matches the POCs the codec tests derive', () => {
    const m = mux(
      'hevc',
      OPEN_SLICES.map((s) => hevcUnit(s)),
    );
    const rank = OPEN_POCS.map((p) => OPEN_POCS.filter((q) => q < p).length);
    assert.deepEqual(presIndex(m), rank);
  });
});
