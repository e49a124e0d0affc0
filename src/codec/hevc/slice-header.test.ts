import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BitWriter } from '../../util/bit-writer.js';
import { LalError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { unhex } from '../../util/hex.js';
import { rbspToEbsp, splitLengthPrefixed } from '../nal/index.js';
import {
  type HevcPicOrderCnt,
  HevcPicOrderCounter,
  type HevcPps,
  type HevcSliceSegmentHeader,
  HevcSliceType,
  type HevcSps,
  parseHevcPps,
  parseHevcSliceSegmentHeader,
  parseHevcSps,
} from './index.js';

/*
 * Golden NAL units from libx265 (ffmpeg 5.1), `-f lavfi -i testsrc2=size=176x144:rate=25 -c:v libx265
 * -f hevc` with the -x265-params below. Parameter sets are whole; each slice segment is cut just
 * after slice_pic_order_cnt_lsb (the parser reads no further). The slice header fields agree with
 * `ffmpeg -bsf:v trace_headers`, the POCs with libavcodec's hevc decoder (`-v debug`: "Decoded
 * frame with POC n").
 *
 *   OPEN    -t 1 bframes=3:keyint=12 (first 14 pictures: IDR_N_LP, TRAIL, then a CRA with RASL
 *           leading pictures and the parameter sets repeated)
 *   SLICES  -t 2 bframes=3:keyint=12:slices=2 (first 3 pictures, 2 slice segments each: the second
 *           at slice_segment_address 3 of the 3x3 CTBs)
 *   WRAP    -t 3 bframes=3:keyint=24:temporal-layers=1:log2-max-poc-lsb=4 (75 pictures; x265 codes
 *           6 lsb bits, so slice_pic_order_cnt_lsb wraps at 64; TSA pictures with TemporalId 1; CRAs
 *           with RASL pictures), slices cut the same way, 2-byte length-prefixed, base64
 */
const OPEN = [
  '40010c01ffff01600000030090000003000003003c959409',
  '42010101600000030090000003000003003ca0162024596565924caf016808000003000800000300c840',
  '4401c172b46240',
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
  '40010c01ffff01600000030090000003000003003c959409',
  '42010101600000030090000003000003003ca0162024596565924caf016808000003000800000300c840',
  '4401c172b46240',
  '2a01ac30',
  '1201e162',
  '1001e146',
  '0201d081',
];
const OPEN_POCS = [0, 3, 2, 1, 5, 4, 9, 7, 6, 8, 12, 11, 10, 16];

const SLICES = [
  '40010c01ffff01600000030090000003000003003c959409',
  '42010101600000030090000003000003003ca0162024596565924caf016808000003000800000300c840',
  '4401c172b44240',
  '2801af',
  '280126f1',
  '0201d019',
  '02014d0195',
  '0201e044',
  '02014e04',
];

const WRAP = Buffer.from(
  'ABxAAQwC//8BYAAAAwCQAAADAAADADwAAJWUrKBIAC1CAQIBYAAAAwCQAAADAAADADwAAKAWICRblZSsskmV4C0BAAADAAEAAAMA' +
    'GQgAB0QBwXK0YkAAAygBrwAEAgHQZQAEAgHhEgAEBALgkwAEAgHQogAEBALiCAAEAgHRIgAEAgHjiAAEBALjGwAEBALkCAAEAgHR' +
    'ogAEAgHliAAEBALlGwAEBALmCAAEAgHSAgAEAgHniAAEBALnGwAEAgHSYgAEAgHpCAAEBALomwAEAgHS4gAEAgHqiAAEBALqGwAE' +
    'BALrCAAcQAEMAv//AWAAAAMAkAAAAwAAAwA8AACVlKygSAAtQgECAWAAAAMAkAAAAwAAAwA8AACgFiAkW5WUrLJJleAtAQAAAwAB' +
    'AAADABkIAAdEAcFytGJAAAQqAa2BAAQCAdNFAAQEAuySAAQCAdPHAAQCAe4aAAQEAu2bAAQEAu6IAAQCAdQiAAQCAfAIAAQEAu+b' +
    'AAQCAdRiAAQEAvEIAAQCAdSiAAQEAvIIAAQCAdUiAAQCAfOIAAQEAvMbAAQEAvQIAAQCAdWCAAQCAfWIAAQEAvUbABxAAQwC//8B' +
    'YAAAAwCQAAADAAADADwAAJWUrKBIAC1CAQIBYAAAAwCQAAADAAADADwAAKAWICRblZSsskmV4C0BAAADAAEAAAMAGQgAB0QBwXK0' +
    'YkAABCoBrwEABBIB9wgABBAB9psABBAB94gABAIB1iUABAIB1mcABAQC+RoABAIB1uIABAIB+ogABAQC+hsABAQC+wgABAIB12IA' +
    'BAIB/IgABAQC/BsABAQC/QgABAIB18IABAIB/ogABAQC/hsABAIB0EIABAIB4AgABAQC/5sABAQC4IgABAIB0KIABAIB4ggABAQC' +
    '4ZsAHEABDAL//wFgAAADAJAAAAMAAAMAPAAAlZSsoEgALUIBAgFgAAADAJAAAAMAAAMAPAAAoBYgJFuVlKyySZXgLQEAAAMAAQAA' +
    'AwAZCAAHRAHBcrRiQAAEKgGsgQAEEgHjiAAEEAHjGwAEAgHRRQAEBALkkg==' +
    '',
  'base64',
);
const WRAP_POCS = [
  0, 3, 2, 1, 5, 4, 9, 7, 6, 8, 13, 11, 10, 12, 16, 15, 14, 19, 18, 17, 23, 21, 20, 22, 24, 26, 25, 30, 28,
  27, 29, 33, 32, 31, 35, 34, 37, 36, 41, 39, 38, 40, 44, 43, 42, 48, 46, 45, 47, 49, 51, 50, 55, 53, 52, 54,
  59, 57, 56, 58, 62, 61, 60, 66, 64, 63, 65, 69, 68, 67, 72, 71, 70, 74, 73,
];

interface Tables {
  sps: Map<number, HevcSps>;
  pps: Map<number, HevcPps>;
}

/** Parses a list of NAL units the way a decoder does: parameter sets into tables, slices with them. */
function walk(nalus: Uint8Array[]): {
  headers: HevcSliceSegmentHeader[];
  pocs: HevcPicOrderCnt[];
  tables: Tables;
} {
  const tables: Tables = { sps: new Map(), pps: new Map() };
  const counter = new HevcPicOrderCounter();
  const headers: HevcSliceSegmentHeader[] = [];
  const pocs: HevcPicOrderCnt[] = [];
  for (const nal of nalus) {
    const t = ((nal[0] as number) >> 1) & 0x3f;
    if (t === 33) {
      const s = parseHevcSps(nal);
      tables.sps.set(s.spsId, s);
    } else if (t === 34) {
      const p = parseHevcPps(nal);
      tables.pps.set(p.ppsId, p);
    } else if (t < 32) {
      const h = parseHevcSliceSegmentHeader(nal, tables);
      headers.push(h);
      const sps = tables.sps.get(h.spsId);
      assert.ok(sps);
      if (h.firstSliceSegmentInPic) pocs.push(counter.next(h, sps));
    }
  }
  return { headers, pocs, tables };
}

function resultOrLalError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    assert.match(e.message, /^(nal|hevc): /);
  }
}

describe('hevc: slice segment header (ITU-T H.265 7.3.6.1)', () => {
  it('OPEN: fields as trace_headers reads them', () => {
    const { headers, tables } = walk(OPEN.map((h) => unhex(h)));
    assert.equal(tables.sps.get(0)?.ctbLog2SizeY, 6);
    assert.deepEqual(headers[0], {
      nalUnitType: 20,
      nuhLayerId: 0,
      temporalId: 0,
      firstSliceSegmentInPic: true,
      noOutputOfPriorPics: false,
      ppsId: 0,
      spsId: 0,
      dependentSliceSegment: false,
      sliceSegmentAddress: 0,
      sliceType: HevcSliceType.I,
      picOutputFlag: true,
      slicePicOrderCntLsb: 0,
    });
    assert.deepEqual(
      headers.map((h) => [h.nalUnitType, h.sliceType, h.slicePicOrderCntLsb]),
      [
        [20, 2, 0],
        [1, 1, 3],
        [1, 0, 2],
        [0, 0, 1],
        [1, 1, 5],
        [0, 0, 4],
        [1, 1, 9],
        [1, 0, 7],
        [0, 0, 6],
        [0, 0, 8],
        [21, 2, 12],
        [9, 0, 11],
        [8, 0, 10],
        [1, 1, 16],
      ],
    );
  });

  it('SLICES: the second slice segment of each picture and its address', () => {
    const { headers, pocs } = walk(SLICES.map((h) => unhex(h)));
    assert.deepEqual(
      headers.map((h) => [
        h.firstSliceSegmentInPic,
        h.sliceSegmentAddress,
        h.dependentSliceSegment,
        h.slicePicOrderCntLsb,
      ]),
      [
        [true, 0, false, 0],
        [false, 3, false, 0],
        [true, 0, false, 3],
        [false, 3, false, 3],
        [true, 0, false, 2],
        [false, 3, false, 2],
      ],
    );
    assert.deepEqual(
      pocs.map((p) => p.picOrderCntVal),
      [0, 3, 2],
    );
  });

  it('each golden slice segment cut one byte short is a ShortBufferError', () => {
    for (const list of [OPEN, SLICES]) {
      const nalus = list.map((h) => unhex(h));
      const { tables } = walk(nalus);
      for (const nal of nalus) {
        if (((nal[0] as number) >> 1) & 0x20) continue;
        assert.throws(
          () => parseHevcSliceSegmentHeader(nal.subarray(0, nal.length - 1), tables),
          ShortBufferError,
        );
      }
    }
  });

  /** A hand-made PPS and SPS around the golden ones, for the branches x265 does not write. */
  const { tables: golden } = walk(OPEN.slice(0, 3).map((h) => unhex(h)));
  const sps0 = golden.sps.get(0);
  const pps0 = golden.pps.get(0);
  assert.ok(sps0 && pps0);

  it('dependent slice segments, extra header bits, pic_output_flag, colour planes', () => {
    const sps: HevcSps = {
      ...sps0,
      spsId: 3,
      separateColourPlane: true,
      chromaFormat: 3,
      log2MaxPicOrderCntLsb: 5,
    };
    const pps: HevcPps = {
      ...pps0,
      ppsId: 9,
      spsId: 3,
      dependentSliceSegmentsEnabled: true,
      outputFlagPresent: true,
      numExtraSliceHeaderBits: 2,
    };
    const tables = { sps: new Map([[3, sps]]), pps: new Map([[9, pps]]) };
    // TRAIL_R, TemporalId 2: not first, dependent, address 7 in 4 bits.
    const dep = new BitWriter()
      .writeBits(16, 0x0203)
      .writeBit(0)
      .writeUE(9)
      .writeBit(1)
      .writeBits(4, 7)
      .finish();
    assert.deepEqual(parseHevcSliceSegmentHeader(dep, tables), {
      nalUnitType: 1,
      nuhLayerId: 0,
      temporalId: 2,
      firstSliceSegmentInPic: false,
      ppsId: 9,
      spsId: 3,
      dependentSliceSegment: true,
      sliceSegmentAddress: 7,
    });
    // CRA: first, two reserved bits, slice_type P, pic_output_flag 0, colour plane 1, lsb 17 in 5 bits.
    const w = new BitWriter().writeBits(16, 0x2a01).writeBit(1).writeBit(1).writeUE(9).writeBits(2, 3);
    w.writeUE(HevcSliceType.P).writeBit(0).writeBits(2, 1).writeBits(5, 17);
    assert.deepEqual(parseHevcSliceSegmentHeader(rbspToEbsp(w.finish()), tables), {
      nalUnitType: 21,
      nuhLayerId: 0,
      temporalId: 0,
      firstSliceSegmentInPic: true,
      noOutputOfPriorPics: true,
      ppsId: 9,
      spsId: 3,
      dependentSliceSegment: false,
      sliceSegmentAddress: 0,
      sliceType: HevcSliceType.P,
      picOutputFlag: false,
      colourPlaneId: 1,
      slicePicOrderCntLsb: 17,
    });
  });

  it('rejects reserved and non-VCL types, unknown parameter sets and impossible values', () => {
    const t = golden;
    assert.throws(() => parseHevcSliceSegmentHeader(unhex('4401c1'), t), /type 34 is not/);
    assert.throws(() => parseHevcSliceSegmentHeader(unhex('1401ff'), t), /type 10 is not/);
    assert.throws(() => parseHevcSliceSegmentHeader(unhex('2c01ff'), t), /type 22 is not/);
    assert.throws(() => parseHevcSliceSegmentHeader(unhex('02'), t), ShortBufferError);
    assert.throws(() => parseHevcSliceSegmentHeader(unhex('0200d0'), t), /nuh_temporal_id_plus1 is 0/);
    assert.throws(() => parseHevcSliceSegmentHeader(unhex('2802af'), t), /IRAP picture with TemporalId 1/);
    assert.throws(
      () => parseHevcSliceSegmentHeader(unhex('0201d019'), { sps: new Map(), pps: new Map() }),
      /names no PPS/,
    );
    assert.throws(
      () => parseHevcSliceSegmentHeader(unhex('0201d019'), { sps: new Map(), pps: t.pps }),
      /names SPS 0, not received/,
    );
    const slice = (f: (w: BitWriter) => void) => {
      const w = new BitWriter().writeBits(16, 0x0201);
      f(w);
      return w.finish();
    };
    assert.throws(
      () =>
        parseHevcSliceSegmentHeader(
          slice((w) => w.writeBit(1).writeUE(64)),
          t,
        ),
      /63/,
    );
    assert.throws(
      () =>
        parseHevcSliceSegmentHeader(
          slice((w) => w.writeBit(0).writeUE(0).writeBits(4, 9)),
          t,
        ),
      /address 9/,
    );
    assert.throws(
      () =>
        parseHevcSliceSegmentHeader(
          slice((w) => w.writeBit(1).writeUE(0).writeUE(3)),
          t,
        ),
      /slice_type 3/,
    );
    const bigCtb = { sps: new Map([[0, { ...sps0, ctbLog2SizeY: 9 }]]), pps: t.pps };
    assert.throws(
      () =>
        parseHevcSliceSegmentHeader(
          slice((w) => w.writeBit(0).writeUE(0).writeBits(4, 1)),
          bigCtb,
        ),
      /CtbLog2SizeY 9/,
    );
  });
});

describe('hevc: picture order count (ITU-T H.265 8.3.1)', () => {
  it('on real streams, as libavcodec derives it', () => {
    const open = walk(OPEN.map((h) => unhex(h))).pocs;
    assert.deepEqual(
      open.map((p) => p.picOrderCntVal),
      OPEN_POCS,
    );
    assert.deepEqual(
      open.map((p) => p.reset),
      OPEN_POCS.map((_, i) => i === 0),
      'a CRA in mid-stream has NoRaslOutputFlag 0',
    );
    const { headers, pocs } = walk(splitLengthPrefixed(WRAP, 2));
    assert.ok(headers.some((h) => h.temporalId > 0));
    assert.ok(headers.some((h) => h.nalUnitType === 8 || h.nalUnitType === 9));
    assert.deepEqual(
      pocs.map((p) => p.picOrderCntVal),
      WRAP_POCS,
    );
  });

  const sps = (): HevcSps => {
    const { tables } = walk(OPEN.slice(0, 3).map((h) => unhex(h)));
    const s = tables.sps.get(0);
    assert.ok(s);
    return { ...s, log2MaxPicOrderCntLsb: 4 };
  };
  const pic = (nalUnitType: number, lsb: number, temporalId = 0): HevcSliceSegmentHeader => ({
    nalUnitType,
    nuhLayerId: 0,
    temporalId,
    firstSliceSegmentInPic: true,
    ppsId: 0,
    spsId: 0,
    dependentSliceSegment: false,
    sliceSegmentAddress: 0,
    sliceType: HevcSliceType.B,
    picOutputFlag: true,
    slicePicOrderCntLsb: lsb,
  });

  it('wraps against prevTid0Pic, skipping RASL, RADL, sub-layer non-reference and TemporalId > 0 pictures', () => {
    const s = sps(); // MaxPicOrderCntLsb 16
    const c = new HevcPicOrderCounter();
    const seq: Array<[HevcSliceSegmentHeader, number]> = [
      [pic(19, 0), 0],
      [pic(1, 12), -4], // 12 - 0 > 8: below the IDR
      [pic(1, 4), 4], // prevTid0Pic -4: lsb 12, msb -16; 12 - 4 >= 8: msb 0
      [pic(1, 12), 12],
      [pic(0, 2), 18], // TRAIL_N: not a prevTid0Pic
      [pic(1, 6, 1), 6], // TemporalId 1: against 12 still; not a prevTid0Pic
      [pic(7, 2), 18], // RADL_R: not a prevTid0Pic
      [pic(9, 3), 19], // RASL_R: not a prevTid0Pic
      [pic(1, 6), 6], // against 12, not 19 / 18
      [pic(1, 14), 14],
      [pic(21, 2), 18], // a CRA in mid-stream keeps counting: 14 - 2 >= 8
      [pic(1, 7), 23],
    ];
    for (const [h, want] of seq) {
      const p = c.next(h, s);
      assert.equal(p.picOrderCntVal, want, `type ${h.nalUnitType} lsb ${h.slicePicOrderCntLsb}`);
      assert.equal(p.reset, h.nalUnitType === 19);
    }
  });

  it('NoRaslOutputFlag: the first picture, IDR, BLA, and a CRA after an end of sequence', () => {
    const s = sps();
    const c = new HevcPicOrderCounter();
    assert.deepEqual(c.next(pic(21, 9), s), { picOrderCntVal: 9, noRaslOutputFlag: true, reset: true });
    assert.equal(c.next(pic(8, 6), s).picOrderCntVal, 6); // RASL of the first CRA
    assert.equal(c.next(pic(1, 13), s).picOrderCntVal, 13);
    assert.equal(c.next(pic(1, 2), s).picOrderCntVal, 18);
    assert.deepEqual(c.next(pic(21, 4), s), { picOrderCntVal: 20, noRaslOutputFlag: false, reset: false });
    c.endOfSequence();
    assert.deepEqual(c.next(pic(21, 4), s), { picOrderCntVal: 4, noRaslOutputFlag: true, reset: true });
    assert.deepEqual(c.next(pic(16, 11), s), { picOrderCntVal: 11, noRaslOutputFlag: true, reset: true });
    assert.deepEqual(c.next(pic(20, 0), s), { picOrderCntVal: 0, noRaslOutputFlag: true, reset: true });
  });

  it('rejects a dependent slice segment and a slice of another SPS', () => {
    const c = new HevcPicOrderCounter();
    const { slicePicOrderCntLsb: _, ...dep } = pic(1, 0);
    assert.throws(() => c.next({ ...dep, dependentSliceSegment: true }, sps()), ProtocolError);
    assert.throws(() => c.next({ ...pic(1, 0), spsId: 2 }, sps()), /refers to SPS 2/);
  });
});

describe('hevc: slice segment headers from random and mutated input', () => {
  const { tables } = walk(OPEN.slice(0, 3).map((h) => unhex(h)));
  const goldenSlices = [...OPEN, ...SLICES].map((h) => unhex(h)).filter((n) => (n[0] as number) >> 1 < 32);

  it('random bytes end in a result or a LalError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), (b) => {
        for (const head of [0x28, 0x02, 0x00, 0x2a, 0x10, 0x26]) {
          resultOrLalError(() => parseHevcSliceSegmentHeader(Uint8Array.from([head, 0x01, ...b]), tables));
        }
        resultOrLalError(() => parseHevcSliceSegmentHeader(b, tables));
      }),
      { numRuns: 2000 },
    );
  });

  it('mutated golden slice segments end in a result or a LalError, and the POC counter takes any result', () => {
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 3,
    });
    fc.assert(
      fc.property(fc.nat(), edits, (pick, e) => {
        const b = Uint8Array.from(goldenSlices[pick % goldenSlices.length] as Uint8Array);
        for (const [at, v] of e) b[at % b.length] = v;
        resultOrLalError(() => {
          const h = parseHevcSliceSegmentHeader(b, tables);
          const sps = tables.sps.get(h.spsId);
          assert.ok(sps);
          const p = new HevcPicOrderCounter().next(h, sps);
          assert.ok(Number.isSafeInteger(p.picOrderCntVal));
        });
      }),
      { numRuns: 3000 },
    );
  });
});
