import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BitWriter } from '../../util/bit-writer.js';
import { LalError, ProtocolError, ShortBufferError, UnsupportedError } from '../../util/errors.js';
import { unhex } from '../../util/hex.js';
import { rbspToEbsp, splitLengthPrefixed } from '../nal/index.js';
import {
  type AvcPicOrderCnt,
  AvcPicOrderCounter,
  type AvcPpsSliceFields,
  type AvcSliceHeader,
  AvcSliceType,
  type AvcSps,
  parseAvcPpsSliceFields,
  parseAvcSliceHeader,
  parseAvcSps,
} from './index.js';

/*
 * Golden NAL units from libx264 (ffmpeg 5.1), `-f lavfi -i testsrc2=size=176x144:rate=25 -c:v libx264 -f h264`
 * plus the options below. Parameter sets are whole; each slice is cut just after its header
 * (through dec_ref_pic_marking(): the parser reads no further), so the streams stay small. The
 * expected slice header fields agree with `ffmpeg -bsf:v trace_headers` and the POCs with what
 * `ffmpeg -debug pict` prints (libavcodec's h264 decoder, whose POC is offset by 65536 for
 * pic_order_cnt_type 0: subtracted here).
 *
 *   PYRAMID  -t 1 -bf 3 -g 12 -x264-params b-pyramid=normal (first 14 pictures: two IDRs, B
 *            references with memory_management_control_operation 1)
 *   MBAFF    -t 1 -bf 2 -g 12 -x264-params interlaced=1 (frame_mbs_only_flag 0, field_pic_flag 0,
 *            delta_pic_order_cnt_bottom -1)
 *   POC2     -t 1 -bf 0 (pic_order_cnt_type 2)
 *   SLICES   -t 3 -bf 2 -g 12 -x264-params weightb=1:weightp=2:ref=4:b-pyramid=strict:slices=3
 *            (first 2 pictures, 3 slices each: pred_weight_table, first_mb_in_slice > 0)
 *   WRAP     -t 3 -bf 3 -g 300 -x264-params b-pyramid=normal (75 pictures, one IDR: pic_order_cnt_lsb
 *            wraps at 64 twice), slices cut the same way, 2-byte length-prefixed, base64
 */
const PYRAMID = [
  '6764000bacd942c4ec0440000003004000000c83c50a6580',
  '68ebe3cb22c0',
  '65888400',
  '419a246c44',
  '419e4278',
  '019e617442',
  '019e636a42',
  '419a6849a84168994c08',
  '419e8645112c',
  '019ea57442',
  '019ea76a42',
  '419aab49a8416c994c08',
  '419ec945152c',
  '019eea6a42',
  '6764000bacd942c4ec0440000003004000000c83c50a6580',
  '68ebe3cb22c0',
  '65888200',
  '419a246c44',
];
const PYRAMID_POCS = [0, 8, 4, 2, 6, 16, 12, 10, 14, 22, 18, 20, 0, 8];

const MBAFF = [
  '67640015acd942cafcb8088000000300800000190f8a14cb',
  '68fba3cb22c0',
  '6588820b0d',
  '419a21de44',
  '419e40df88',
  '019e615ea4',
  '419a635b4b444d',
];
/** [TopFieldOrderCnt, BottomFieldOrderCnt] per picture. */
const MBAFF_POCS = [
  [1, 0],
  [7, 6],
  [3, 2],
  [5, 4],
  [13, 12],
];

const POC2 = [
  '6764000bacb20589d808800000030080000019078a1524',
  '68ebc3cb22c0',
  '658884',
  '419a3b11',
  '419a4f0864ca61',
  '419a727843c994c0',
];

const SLICES = [
  '6764000bacd902c4ec0440000003004000000c83c50a6580',
  '68e938f2c8b0',
  '65888400',
  '6504422100',
  '650218884003',
  '419a236c44',
  '41044688db10',
  '410219a236c4',
];

const WRAP = Buffer.from(
  'ABhnZAALrNlCxOwEQAAAAwBAAAAMg8UKZYAABmjr48siwAAEZYiEAQAFQZokbH8ABEGeQngABQGeYXRCAAUBnmNqQgAKQZpoSahB' +
    'aJlMDwAGQZ6GRREsAAUBnqV0QgAFAZ6nakIACkGarEmoQWyZTA8ABkGeykUVLAAFAZ7pdEIABQGe62pCAApBmvBJqEFsmUwPAAZB' +
    'nw5FFSwABQGfLXRCAAUBny9qQgAKQZs0SahBbJlMDwAGQZ9SRRUsAAUBn3F0QgAFAZ9zakIACkGbd0moQWyZTA8ABkGflUUVLAAF' +
    'AZ+2akIACkGbu0moQWyZTA8ABkGf2UUVLAAFAZ/4dEIABQGf+mpCAApBm/9JqEFsmUwPAAZBnh1FFSwABQGePHRCAAUBnj5qQgAK' +
    'QZojSahBbJlMDwAGQZ5BRRUsAAUBnmB0QgAFAZ5iakIACkGaZ0moQWyZTA8ABkGehUUVLAAFAZ6kdEIABQGepmpCAAtBmqlJqEFs' +
    'mUwUTwAFAZ7IakIACkGazUnhClJlMCsABkGe60U0TAAFAZ8KdEIABQGfDGpCAApBmxFJqEFomUwKAAZBny9FESwABQGfTnRCAAUB' +
    'n1BqQgAKQZtVSahBbJlMCQAGQZ9zRRUsAAUBn5J0QgAFAZ+UakIACkGbmUmoQWyZTAkABkGft0UVLAAFAZ/WdEIABQGf2GpCAApB' +
    'm91JqEFsmUwJAAZBn/tFFSwABQGeGnRCAAUBnhxqQgAKQZoASahBbJlMCAAGQZ4+RRUsAAUBnl9qQgAKQZpESahBbJlMCAAGQZ5i' +
    'RRUsAAUBnoF0QgAFAZ6DakIACkGahUmoQWyZTAgACkGaqUnhClJlMCEABkGex0U0TAAFAZ7mdEIABQGe6GpCAApBmupJqEFomUwI' +
    '',
  'base64',
);
/** TopFieldOrderCnt (= BottomFieldOrderCnt) of WRAP's 75 pictures, from ffmpeg -debug pict. */
const WRAP_POCS = [
  0, 8, 4, 2, 6, 16, 12, 10, 14, 24, 20, 18, 22, 32, 28, 26, 30, 40, 36, 34, 38, 46, 42, 44, 54, 50, 48, 52,
  62, 58, 56, 60, 70, 66, 64, 68, 78, 74, 72, 76, 82, 80, 90, 86, 84, 88, 98, 94, 92, 96, 106, 102, 100, 104,
  114, 110, 108, 112, 122, 118, 116, 120, 128, 124, 126, 136, 132, 130, 134, 138, 146, 142, 140, 144, 148,
];

interface Tables {
  sps: Map<number, AvcSps>;
  pps: Map<number, AvcPpsSliceFields>;
}

/** Parses a list of NAL units the way a decoder does: parameter sets into tables, slices with them. */
function walk(nalus: Uint8Array[]): { headers: AvcSliceHeader[]; pocs: AvcPicOrderCnt[]; tables: Tables } {
  const tables: Tables = { sps: new Map(), pps: new Map() };
  const counter = new AvcPicOrderCounter();
  const headers: AvcSliceHeader[] = [];
  const pocs: AvcPicOrderCnt[] = [];
  for (const nal of nalus) {
    const t = (nal[0] as number) & 0x1f;
    if (t === 7) {
      const s = parseAvcSps(nal);
      tables.sps.set(s.spsId, s);
    } else if (t === 8) {
      const p = parseAvcPpsSliceFields(nal);
      tables.pps.set(p.ppsId, p);
    } else {
      const h = parseAvcSliceHeader(nal, tables);
      headers.push(h);
      const sps = tables.sps.get(h.spsId);
      assert.ok(sps);
      if (h.firstMbInSlice === 0) pocs.push(counter.next(h, sps));
    }
  }
  return { headers, pocs, tables };
}

function resultOrLalError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    assert.match(e.message, /^(nal|avc): /);
  }
}

describe('avc: PPS fields for slice headers', () => {
  it('reads the x264 PPS', () => {
    assert.deepEqual(parseAvcPpsSliceFields(unhex(PYRAMID[1] as string)), {
      ppsId: 0,
      spsId: 0,
      entropyCodingModeFlag: true,
      bottomFieldPicOrderInFramePresent: false,
      numSliceGroups: 1,
      numRefIdxL0DefaultActive: 3,
      numRefIdxL1DefaultActive: 1,
      weightedPred: true,
      weightedBipredIdc: 2,
      deblockingFilterControlPresent: true,
      constrainedIntraPred: false,
      redundantPicCntPresent: false,
    });
    assert.equal(parseAvcPpsSliceFields(unhex(MBAFF[1] as string)).bottomFieldPicOrderInFramePresent, true);
  });

  it('skips every slice group map type', () => {
    for (const mapType of [0, 1, 2, 3, 4, 5, 6]) {
      const w = new BitWriter().writeBits(8, 0x68).writeUE(7).writeUE(2).writeBit(0).writeBit(1);
      w.writeUE(2).writeUE(mapType); // three slice groups
      if (mapType === 0) for (let i = 0; i < 3; i++) w.writeUE(10 + i);
      if (mapType === 2) for (let i = 0; i < 2; i++) w.writeUE(1).writeUE(20);
      if (mapType >= 3 && mapType <= 5) w.writeBit(1).writeUE(4);
      if (mapType === 6) {
        w.writeUE(98); // 99 map units, two bits each
        for (let i = 0; i < 99; i++) w.writeBits(2, i % 3);
      }
      w.writeUE(4).writeUE(1).writeBit(0).writeBits(2, 1).writeSE(-3).writeSE(0).writeSE(2);
      w.writeBit(1).writeBit(1).writeBit(1).writeBits(1, 1);
      const p = parseAvcPpsSliceFields(rbspToEbsp(w.finish()));
      assert.deepEqual(p, {
        ppsId: 7,
        spsId: 2,
        entropyCodingModeFlag: false,
        bottomFieldPicOrderInFramePresent: true,
        numSliceGroups: 3,
        sliceGroupMapType: mapType,
        numRefIdxL0DefaultActive: 5,
        numRefIdxL1DefaultActive: 2,
        weightedPred: false,
        weightedBipredIdc: 1,
        deblockingFilterControlPresent: true,
        constrainedIntraPred: true,
        redundantPicCntPresent: true,
      });
    }
  });

  it('rejects values out of range and short input', () => {
    const w = new BitWriter().writeBits(8, 0x68).writeUE(0).writeUE(0).writeBit(0).writeBit(0).writeUE(8);
    assert.throws(() => parseAvcPpsSliceFields(w.finish()), /num_slice_groups_minus1 8/);
    const big = new BitWriter().writeBits(8, 0x68).writeUE(0).writeUE(0).writeBit(0).writeBit(0);
    big.writeUE(1).writeUE(6).writeUE(100000).writeBits(8, 0);
    assert.throws(() => parseAvcPpsSliceFields(big.finish()), ShortBufferError);
    assert.throws(() => parseAvcPpsSliceFields(unhex('68ebe3')), ShortBufferError);
    assert.throws(() => parseAvcPpsSliceFields(unhex('67ebe3cb22c0')), ProtocolError);
  });
});

describe('avc: slice header (ITU-T H.264 7.3.3)', () => {
  it('PYRAMID: fields as trace_headers reads them', () => {
    const { headers } = walk(PYRAMID.map((h) => unhex(h)));
    assert.deepEqual(headers[0], {
      nalUnitType: 5,
      nalRefIdc: 3,
      idr: true,
      firstMbInSlice: 0,
      sliceType: 7,
      ppsId: 0,
      spsId: 0,
      frameNum: 0,
      fieldPic: false,
      bottomField: false,
      idrPicId: 0,
      picOrderCntLsb: 0,
      noOutputOfPriorPics: false,
      longTermReference: false,
      mmcos: [],
      mmco5: false,
    });
    assert.equal(headers[12]?.idrPicId, 1, 'the second IDR has another idr_pic_id');
    assert.deepEqual(
      headers.map((h) => [h.sliceType % 5, h.frameNum, h.nalRefIdc > 0]),
      [
        [AvcSliceType.I, 0, true],
        [AvcSliceType.P, 1, true],
        [AvcSliceType.B, 2, true],
        [AvcSliceType.B, 3, false],
        [AvcSliceType.B, 3, false],
        [AvcSliceType.P, 3, true],
        [AvcSliceType.B, 4, true],
        [AvcSliceType.B, 5, false],
        [AvcSliceType.B, 5, false],
        [AvcSliceType.P, 5, true],
        [AvcSliceType.B, 6, true],
        [AvcSliceType.B, 7, false],
        [AvcSliceType.I, 0, true],
        [AvcSliceType.P, 1, true],
      ],
    );
    // B references that end the list of short-term references with two sliding-window MMCOs.
    assert.deepEqual(headers[6]?.mmcos, [1, 1]);
    assert.equal(headers[6]?.mmco5, false);
  });

  it('MBAFF: field_pic_flag and delta_pic_order_cnt_bottom', () => {
    const { headers } = walk(MBAFF.map((h) => unhex(h)));
    for (const h of headers) {
      assert.equal(h.fieldPic, false);
      assert.equal(h.deltaPicOrderCntBottom, -1);
    }
    assert.deepEqual(
      headers.map((h) => h.picOrderCntLsb),
      [1, 7, 3, 5, 13],
    );
  });

  it('SLICES: three slices a picture, with pred_weight_table', () => {
    const { headers, pocs } = walk(SLICES.map((h) => unhex(h)));
    assert.deepEqual(
      headers.map((h) => [h.firstMbInSlice, h.sliceType, h.frameNum, h.picOrderCntLsb]),
      [
        [0, 7, 0, 0],
        [33, 7, 0, 0],
        [66, 7, 0, 0],
        [0, 5, 1, 6],
        [33, 5, 1, 6],
        [66, 5, 1, 6],
      ],
    );
    assert.deepEqual(
      pocs.map((p) => p.picOrderCnt),
      [0, 6],
    );
  });

  it('each golden slice cut one byte short is a ShortBufferError', () => {
    for (const list of [PYRAMID, MBAFF, POC2, SLICES]) {
      const nalus = list.map((h) => unhex(h));
      const { tables } = walk(nalus);
      for (const nal of nalus) {
        const t = (nal[0] as number) & 0x1f;
        if (t !== 1 && t !== 5) continue;
        assert.throws(() => parseAvcSliceHeader(nal.subarray(0, nal.length - 1), tables), ShortBufferError);
      }
    }
  });

  it('rejects other NAL unit types, unknown parameter sets and impossible values', () => {
    const { tables } = walk(PYRAMID.slice(0, 2).map((h) => unhex(h)));
    assert.throws(() => parseAvcSliceHeader(unhex('6764'), tables), /type 7 carries no slice header/);
    assert.throws(() => parseAvcSliceHeader(unhex('74aa'), tables), UnsupportedError);
    assert.throws(() => parseAvcSliceHeader(new Uint8Array(0), tables), ShortBufferError);
    assert.throws(
      () => parseAvcSliceHeader(unhex('65888400'), { sps: new Map(), pps: new Map() }),
      /names no PPS/,
    );
    assert.throws(
      () => parseAvcSliceHeader(unhex('65888400'), { sps: new Map(), pps: tables.pps }),
      /names SPS 0, not received/,
    );
    const slice = (f: (w: BitWriter) => void, header = 0x65) => {
      const w = new BitWriter().writeBits(8, header);
      f(w);
      return rbspToEbsp(w.finish());
    };
    assert.throws(
      () =>
        parseAvcSliceHeader(
          slice((w) => w.writeUE(99).writeUE(7).writeUE(0)),
          tables,
        ),
      /first_mb_in_slice 99/,
    );
    assert.throws(
      () =>
        parseAvcSliceHeader(
          slice((w) => w.writeUE(0).writeUE(10)),
          tables,
        ),
      /slice_type 10/,
    );
    assert.throws(
      () =>
        parseAvcSliceHeader(
          slice((w) => w.writeUE(0).writeUE(5).writeUE(0)),
          tables,
        ),
      /IDR slice of slice_type 5/,
    );
    assert.throws(
      () =>
        parseAvcSliceHeader(
          slice((w) => w.writeUE(0).writeUE(7).writeUE(0), 0x05),
          tables,
        ),
      /nal_ref_idc 0/,
    );
    assert.throws(
      () =>
        parseAvcSliceHeader(
          slice((w) => w.writeUE(0).writeUE(7).writeUE(0).writeBits(4, 3)),
          tables,
        ),
      /IDR slice with frame_num 3/,
    );
  });
});

/** A hand-made SPS (the fields the slice header and POC derivation use). */
function makeSps(over: Partial<AvcSps>): AvcSps {
  return {
    profile: 77,
    constraintFlags: 0,
    level: 30,
    spsId: 0,
    chromaFormat: 1,
    separateColourPlane: false,
    bitDepthLuma: 8,
    bitDepthChroma: 8,
    scalingMatrixPresent: false,
    log2MaxFrameNum: 4,
    picOrderCntType: 0,
    log2MaxPicOrderCntLsb: 4,
    maxNumRefFrames: 4,
    frameMbsOnly: true,
    codedWidth: 64,
    codedHeight: 64,
    crop: { left: 0, right: 0, top: 0, bottom: 0 },
    width: 64,
    height: 64,
    ...over,
  };
}

const PPS: AvcPpsSliceFields = {
  ppsId: 0,
  spsId: 0,
  entropyCodingModeFlag: false,
  bottomFieldPicOrderInFramePresent: true,
  numSliceGroups: 1,
  numRefIdxL0DefaultActive: 1,
  numRefIdxL1DefaultActive: 1,
  weightedPred: true,
  weightedBipredIdc: 1,
  deblockingFilterControlPresent: false,
  constrainedIntraPred: false,
  redundantPicCntPresent: true,
};

describe('avc: slice header branches x264 does not write', () => {
  it('pic_order_cnt_type 1 fields, separate colour planes, explicit B weights, MMCO 5', () => {
    const sps = makeSps({
      picOrderCntType: 1,
      pocType1: {
        deltaPicOrderAlwaysZero: false,
        offsetForNonRefPic: -1,
        offsetForTopToBottomField: 1,
        offsetForRefFrame: [2],
      },
      chromaFormat: 3,
      separateColourPlane: true,
      frameMbsOnly: false,
    });
    const tables = { sps: new Map([[0, sps]]), pps: new Map([[0, PPS]]) };
    const w = new BitWriter().writeBits(8, 0x21); // nal_ref_idc 1, non-IDR slice
    w.writeUE(3).writeUE(AvcSliceType.B).writeUE(0).writeBits(2, 2); // first_mb 3, B, PPS 0, colour plane 2
    w.writeBits(4, 9).writeBit(1).writeBit(1); // frame_num 9, bottom field
    w.writeSE(-4); // delta_pic_order_cnt[0] (no [1] in a field)
    w.writeUE(1); // redundant_pic_cnt
    w.writeBit(1); // direct_spatial_mv_pred_flag
    w.writeBit(1).writeUE(1).writeUE(0); // override: 2 refs in list 0, 1 in list 1
    w.writeBit(1).writeUE(0).writeUE(0).writeUE(3); // list 0 modification: idc 0, then 3
    w.writeBit(0); // list 1: none
    // pred_weight_table with ChromaArrayType 0: luma only
    w.writeUE(5).writeBit(1).writeSE(3).writeSE(-2).writeBit(0); // list 0
    w.writeBit(1).writeSE(1).writeSE(1); // list 1
    w.writeBit(1).writeUE(1).writeUE(0).writeUE(5).writeUE(0); // adaptive marking: MMCO 1, MMCO 5
    const h = parseAvcSliceHeader(rbspToEbsp(w.finish()), tables);
    assert.deepEqual(h, {
      nalUnitType: 1,
      nalRefIdc: 1,
      idr: false,
      firstMbInSlice: 3,
      sliceType: 1,
      ppsId: 0,
      spsId: 0,
      colourPlaneId: 2,
      frameNum: 9,
      fieldPic: true,
      bottomField: true,
      deltaPicOrderCnt: [-4, 0],
      redundantPicCnt: 1,
      mmcos: [1, 5],
      mmco5: true,
    });
    // A frame slice of the same picture carries delta_pic_order_cnt[1] too.
    const f = new BitWriter()
      .writeBits(8, 0x01)
      .writeUE(0)
      .writeUE(AvcSliceType.I)
      .writeUE(0)
      .writeBits(2, 0);
    f.writeBits(4, 2).writeBit(0).writeSE(1).writeSE(-1).writeUE(0);
    assert.deepEqual(parseAvcSliceHeader(f.finish(), tables).deltaPicOrderCnt, [1, -1]);
  });

  it('rejects a marking or list modification that never ends', () => {
    const sps = makeSps({});
    const tables = { sps: new Map([[0, sps]]), pps: new Map([[0, { ...PPS, weightedPred: false }]]) };
    const w = new BitWriter()
      .writeBits(8, 0x41)
      .writeUE(0)
      .writeUE(0)
      .writeUE(0)
      .writeBits(4, 1)
      .writeBits(4, 2);
    w.writeUE(0).writeBit(0).writeBit(1);
    for (let i = 0; i < 80; i++) w.writeUE(0).writeUE(0);
    assert.throws(() => parseAvcSliceHeader(w.finish(), tables), /ref_pic_list_modification does not end/);
  });
});

describe('avc: picture order count (ITU-T H.264 8.2.1)', () => {
  it('type 0 on real streams, as libavcodec derives it', () => {
    assert.deepEqual(
      walk(PYRAMID.map((h) => unhex(h))).pocs.map((p) => [
        p.topFieldOrderCnt,
        p.bottomFieldOrderCnt,
        p.reset,
      ]),
      PYRAMID_POCS.map((p, i) => [p, p, i === 0 || i === 12]),
    );
    assert.deepEqual(
      walk(MBAFF.map((h) => unhex(h))).pocs.map((p) => [
        p.topFieldOrderCnt,
        p.bottomFieldOrderCnt,
        p.picOrderCnt,
      ]),
      MBAFF_POCS.map(([t, b]) => [t, b, Math.min(t ?? 0, b ?? 0)]),
    );
    const wrap = walk(splitLengthPrefixed(WRAP, 2)).pocs;
    assert.deepEqual(
      wrap.map((p) => p.picOrderCnt),
      WRAP_POCS,
    );
    assert.deepEqual(
      wrap.map((p) => p.reset),
      WRAP_POCS.map((_, i) => i === 0),
    );
  });

  it('type 2 on a real stream', () => {
    assert.deepEqual(
      walk(POC2.map((h) => unhex(h))).pocs.map((p) => p.picOrderCnt),
      [0, 2, 4, 6],
    );
  });

  const pic = (over: Partial<AvcSliceHeader>): AvcSliceHeader => ({
    nalUnitType: 1,
    nalRefIdc: 1,
    idr: false,
    firstMbInSlice: 0,
    sliceType: AvcSliceType.P,
    ppsId: 0,
    spsId: 0,
    frameNum: 0,
    fieldPic: false,
    bottomField: false,
    mmcos: [],
    mmco5: false,
    ...over,
  });
  const idr = pic({ nalUnitType: 5, idr: true, idrPicId: 0, picOrderCntLsb: 0, sliceType: AvcSliceType.I });

  it('type 0: lsb wraps both ways, and only reference pictures carry the state', () => {
    const sps = makeSps({}); // MaxPicOrderCntLsb 16
    const c = new AvcPicOrderCounter();
    const seq = [
      [idr, 0],
      [pic({ picOrderCntLsb: 14, nalRefIdc: 0 }), -2], // 14 - 0 > 8: the previous period's MSB
      [pic({ picOrderCntLsb: 8 }), 8],
      [pic({ picOrderCntLsb: 12 }), 12],
      [pic({ picOrderCntLsb: 2, nalRefIdc: 0 }), 18], // 12 - 2 >= 8: next MSB
      [pic({ picOrderCntLsb: 6 }), 6], // against the reference 12, not the non-reference 18
      [pic({ picOrderCntLsb: 14 }), 14],
      [pic({ picOrderCntLsb: 4 }), 20],
      [pic({ picOrderCntLsb: 12 }), 28],
      [pic({ picOrderCntLsb: 2 }), 34],
    ] as const;
    for (const [h, want] of seq) assert.equal(c.next(h, sps).picOrderCnt, want);
  });

  it('type 0: fields, and MMCO 5 restarting the count', () => {
    const sps = makeSps({ frameMbsOnly: false });
    const c = new AvcPicOrderCounter();
    assert.deepEqual(c.next({ ...idr, fieldPic: true }, sps), {
      picOrderCnt: 0,
      reset: true,
      topFieldOrderCnt: 0,
    });
    assert.deepEqual(c.next(pic({ fieldPic: true, bottomField: true, picOrderCntLsb: 1 }), sps), {
      picOrderCnt: 1,
      reset: false,
      bottomFieldOrderCnt: 1,
    });
    // A frame with MMCO 5: top 8, bottom 8 - 2 = 6; afterwards 8 - 6 = 2 and 0.
    const m = c.next(pic({ picOrderCntLsb: 8, deltaPicOrderCntBottom: -2, mmco5: true, mmcos: [5] }), sps);
    assert.deepEqual(m, { picOrderCnt: 0, reset: true, topFieldOrderCnt: 2, bottomFieldOrderCnt: 0 });
    // prevPicOrderCntMsb 0, prevPicOrderCntLsb 2 (the TopFieldOrderCnt left after MMCO 5).
    assert.equal(c.next(pic({ picOrderCntLsb: 15, nalRefIdc: 0 }), sps).picOrderCnt, -1);
    assert.equal(c.next(pic({ picOrderCntLsb: 4 }), sps).picOrderCnt, 4);
  });

  it('type 1: expected counts from the cycle, frame_num wrapping, non-reference offsets, fields', () => {
    const pocType1 = {
      deltaPicOrderAlwaysZero: false,
      offsetForNonRefPic: -2,
      offsetForTopToBottomField: 1,
      offsetForRefFrame: [4],
    };
    const sps = makeSps({ picOrderCntType: 1, pocType1, log2MaxPicOrderCntLsb: 0, frameMbsOnly: false });
    const c = new AvcPicOrderCounter();
    const frame = (frameNum: number, ref: boolean, d: [number, number] = [0, 0]) =>
      c.next(pic({ frameNum, nalRefIdc: ref ? 1 : 0, deltaPicOrderCnt: d }), sps);
    assert.deepEqual(c.next({ ...idr, deltaPicOrderCnt: [0, 0] }, sps), {
      picOrderCnt: 0,
      reset: true,
      topFieldOrderCnt: 0,
      bottomFieldOrderCnt: 1,
    });
    assert.equal(frame(1, true).picOrderCnt, 4);
    assert.equal(frame(2, false).picOrderCnt, 2); // absFrameNum 2 - 1 = 1: 4, then -2
    assert.equal(frame(2, true, [1, 0]).picOrderCnt, 9);
    // frame_num runs 3..15, then wraps to 0 (MaxFrameNum 16): FrameNumOffset 16.
    for (let n = 3; n < 16; n++) assert.equal(frame(n, true).picOrderCnt, 4 * n);
    assert.equal(frame(0, true).picOrderCnt, 64);
    assert.equal(frame(1, true, [0, -3]).picOrderCnt, 66); // bottom 68 + 1 - 3 = 66 < top 68
    // Fields: the top from the expected count, the bottom with offset_for_top_to_bottom_field.
    assert.deepEqual(c.next(pic({ frameNum: 2, fieldPic: true, deltaPicOrderCnt: [0, 0] }), sps), {
      picOrderCnt: 72,
      reset: false,
      topFieldOrderCnt: 72,
    });
    assert.deepEqual(
      c.next(pic({ frameNum: 2, fieldPic: true, bottomField: true, deltaPicOrderCnt: [2, 0] }), sps),
      {
        picOrderCnt: 75,
        reset: false,
        bottomFieldOrderCnt: 75,
      },
    );
    // delta_pic_order_always_zero_flag: no deltas in the slice, and an empty cycle.
    const zero = makeSps({
      picOrderCntType: 1,
      pocType1: { ...pocType1, deltaPicOrderAlwaysZero: true, offsetForRefFrame: [] },
    });
    const z = new AvcPicOrderCounter();
    assert.equal(z.next(idr, zero).picOrderCnt, 0);
    assert.equal(z.next(pic({ frameNum: 1, nalRefIdc: 0 }), zero).picOrderCnt, -2);
  });

  it('type 2: twice the frame number, minus one for non-reference pictures, wrapping and MMCO 5', () => {
    const sps = makeSps({ picOrderCntType: 2, log2MaxPicOrderCntLsb: 0 });
    const c = new AvcPicOrderCounter();
    assert.equal(c.next(idr, sps).picOrderCnt, 0);
    assert.equal(c.next(pic({ frameNum: 1 }), sps).picOrderCnt, 2);
    assert.equal(c.next(pic({ frameNum: 2, nalRefIdc: 0 }), sps).picOrderCnt, 3);
    for (let n = 2; n < 16; n++) assert.equal(c.next(pic({ frameNum: n }), sps).picOrderCnt, 2 * n);
    assert.equal(c.next(pic({ frameNum: 0 }), sps).picOrderCnt, 32);
    const m = c.next(pic({ frameNum: 1, mmco5: true, mmcos: [5] }), sps);
    assert.deepEqual(m, { picOrderCnt: 0, reset: true, topFieldOrderCnt: 0, bottomFieldOrderCnt: 0 });
    // After MMCO 5 the picture counts as frame_num 0 with FrameNumOffset 0.
    assert.equal(c.next(pic({ frameNum: 1 }), sps).picOrderCnt, 2);
  });

  it('rejects a slice of another SPS and type 1 without its parameters', () => {
    const c = new AvcPicOrderCounter();
    assert.throws(() => c.next(pic({ spsId: 1 }), makeSps({})), /refers to SPS 1/);
    assert.throws(() => c.next(pic({}), makeSps({ picOrderCntType: 1 })), ProtocolError);
  });
});

describe('avc: slice headers from random and mutated input', () => {
  const { tables } = walk([...PYRAMID, ...MBAFF.slice(0, 2)].map((h) => unhex(h)));
  const goldenSlices = [...PYRAMID, ...SLICES, ...POC2]
    .map((h) => unhex(h))
    .filter((n) => [1, 5].includes((n[0] as number) & 0x1f));

  it('random bytes end in a result or a LalError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        for (const head of [0x65, 0x41, 0x01, 0x21, 0x42]) {
          resultOrLalError(() => parseAvcSliceHeader(Uint8Array.from([head, ...b]), tables));
        }
        resultOrLalError(() => parseAvcSliceHeader(b, tables));
        resultOrLalError(() => parseAvcPpsSliceFields(Uint8Array.from([0x68, ...b])));
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated golden slices end in a result or a LalError, and the POC counter takes any result', () => {
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 3,
    });
    fc.assert(
      fc.property(fc.nat(), edits, (pick, e) => {
        const b = Uint8Array.from(goldenSlices[pick % goldenSlices.length] as Uint8Array);
        for (const [at, v] of e) b[at % b.length] = v;
        resultOrLalError(() => {
          const h = parseAvcSliceHeader(b, tables);
          const sps = tables.sps.get(h.spsId);
          assert.ok(sps);
          const p = new AvcPicOrderCounter().next(h, sps);
          assert.ok(Number.isSafeInteger(p.picOrderCnt));
        });
      }),
      { numRuns: 3000 },
    );
  });
});
