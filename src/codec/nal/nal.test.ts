import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgError, LalError, LimitError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { unhex } from '../../util/hex.js';
import {
  AnnexBSplitter,
  annexBToLengthPrefixed,
  ebspToRbsp,
  findStartCode,
  iterateLengthPrefixed,
  lengthPrefixedToAnnexB,
  packAnnexB,
  packLengthPrefixed,
  rbspToEbsp,
  scanNalHeaders,
  splitAnnexB,
  splitLengthPrefixed,
  startsWithStartCode,
} from './index.js';

/** Runs `f`; passes when it returns or throws a LalError, fails on anything else. */
function resultOrLalError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    assert.match(e.message, /^(nal|avc|hevc): /);
  }
}

const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');
const hexList = (l: readonly Uint8Array[]): string[] => l.map(hexOf);

/** Feeds `buf` to a fresh splitter cut at `cuts` (sorted offsets) and returns the NAL units. */
function splitInChunks(buf: Uint8Array, cuts: readonly number[]): Uint8Array[] {
  const s = new AnnexBSplitter();
  const out: Uint8Array[] = [];
  let from = 0;
  for (const c of [...cuts, buf.length]) {
    out.push(...s.push(buf.subarray(from, c)));
    from = c;
  }
  out.push(...s.flush());
  return out;
}

/**
 * NAL units as an encoder writes them: a non-zero header byte, an escaped payload (no start code
 * emulation) and a last byte that is not zero (rbsp_trailing_bits).
 */
const arbNalu = fc
  .tuple(fc.integer({ min: 1, max: 255 }), fc.uint8Array({ maxLength: 64 }))
  .map(([h, body]) => {
    const rbsp = new Uint8Array(body.length + 2);
    rbsp[0] = h;
    rbsp.set(body, 1);
    rbsp[body.length + 1] = 0x80;
    return rbspToEbsp(rbsp);
  });

// A stream the way x264 writes it: 4-byte start codes before the SPS, PPS and non-first slices,
// 3-byte ones before the SEI and the first slice (bytes shortened from a real stream).
const SPS = unhex('6742c00ada11ec0440000003004000000c83c489a8');
const PPS = unhex('68ce0fc8');
const IDR = unhex('6588843a0c6001 6c42 11e5 051b 8e26 32b4 07fe f0');
const P = unhex('419a 3807 80');
const STREAM = unhex(
  `00000001 ${hexOf(SPS)} 00000001 ${hexOf(PPS)} 000001 ${hexOf(IDR)} 00000001 ${hexOf(P)}`,
);

describe('nal: start codes', () => {
  it('finds 3- and 4-byte start codes', () => {
    assert.equal(findStartCode(unhex('000001')), 0);
    assert.equal(findStartCode(unhex('00000001')), 1);
    assert.equal(findStartCode(unhex('ff000001')), 1);
    assert.equal(findStartCode(unhex('ff0000ff000001')), 4);
    assert.equal(findStartCode(unhex('0000020000')), -1);
    assert.equal(findStartCode(unhex('0100')), -1);
    assert.equal(findStartCode(STREAM, 5), 4 + SPS.length + 1);
    assert.equal(findStartCode(unhex('000001000001'), 1), 3);
    assert.equal(findStartCode(unhex('000001'), 0, 2), -1);
  });
  it('agrees with a naive scan on random bytes', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }).map(biasZeros), fc.nat(64), (b, from) => {
        let want = -1;
        for (let i = from; i + 2 < b.length; i++) {
          if (b[i] === 0 && b[i + 1] === 0 && b[i + 2] === 1) {
            want = i;
            break;
          }
        }
        assert.equal(findStartCode(b, from), want);
      }),
    );
  });
  it('tells whether a buffer starts with a start code', () => {
    assert.equal(startsWithStartCode(unhex('00000167')), true);
    assert.equal(startsWithStartCode(unhex('0000000167')), true);
    assert.equal(startsWithStartCode(unhex('0000000067')), false);
    assert.equal(startsWithStartCode(unhex('000000')), false);
    assert.equal(startsWithStartCode(unhex('00001a67')), false);
  });
});

/** Maps random bytes so that 0x00 and 0x01 are frequent (start codes and escapes appear). */
function biasZeros(b: Uint8Array): Uint8Array {
  return b.map((x) => (x < 128 ? 0 : x < 160 ? 1 : x < 176 ? 3 : x));
}

describe('nal: splitAnnexB', () => {
  it('splits a stream with mixed start codes into views', () => {
    const nalus = splitAnnexB(STREAM);
    assert.deepEqual(hexList(nalus), hexList([SPS, PPS, IDR, P]));
    for (const n of nalus) assert.equal(n.buffer, STREAM.buffer, 'a view, not a copy');
  });
  it('drops leading and trailing zero bytes and empty units', () => {
    const b = unhex('0000 00000001 6701 000000 000001 000001 6802 0000 00000001 00');
    assert.deepEqual(hexList(splitAnnexB(b)), ['6701', '6802']);
  });
  it('keeps bytes that only look like a start code prefix', () => {
    assert.deepEqual(hexList(splitAnnexB(unhex('000001 65 0000 02 00 0300'))), ['650000020003']);
  });
  it('gives [] for empty input or zeros only', () => {
    assert.deepEqual(splitAnnexB(new Uint8Array(0)), []);
    assert.deepEqual(splitAnnexB(new Uint8Array(7)), []);
  });
  it('rejects data without a start code or with garbage before the first one', () => {
    assert.throws(() => splitAnnexB(unhex('6742c0')), ProtocolError);
    assert.throws(() => splitAnnexB(unhex('ff 000001 67')), /^ProtocolError: nal: 1 non-zero bytes/);
    assert.throws(() => splitAnnexB(unhex('00000167').subarray(1)), ProtocolError);
  });
});

describe('nal: AnnexBSplitter', () => {
  it('gives the same NAL units for every single cut and byte by byte', () => {
    const want = hexList(splitAnnexB(STREAM));
    for (let c = 0; c <= STREAM.length; c++)
      assert.deepEqual(hexList(splitInChunks(STREAM, [c])), want, `cut ${c}`);
    const every = Array.from({ length: STREAM.length }, (_, i) => i);
    assert.deepEqual(hexList(splitInChunks(STREAM, every)), want);
  });
  it('gives the same NAL units however random streams are cut', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(arbNalu, fc.constantFrom('000001', '00000001', '0000000001')), { maxLength: 8 }),
        fc.nat(3),
        fc.array(fc.nat(600)),
        (units, tailZeros, rawCuts) => {
          const stream = unhex(units.map(([n, sc]) => sc + hexOf(n)).join('') + '00'.repeat(tailZeros));
          const cuts = [...new Set(rawCuts.map((c) => c % (stream.length + 1)))].sort((a, b) => a - b);
          const want = units.map(([n]) => hexOf(n));
          assert.deepEqual(hexList(splitAnnexB(stream)), want);
          assert.deepEqual(hexList(splitInChunks(stream, cuts)), want);
        },
      ),
    );
  });
  it('gives the same result as splitAnnexB on random bytes, cut anywhere', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }).map(biasZeros), fc.array(fc.nat(80)), (b, rawCuts) => {
        const cuts = [...new Set(rawCuts.map((c) => c % (b.length + 1)))].sort((x, y) => x - y);
        let want: string[] | string;
        try {
          want = hexList(splitAnnexB(b));
        } catch (e) {
          assert.ok(e instanceof ProtocolError);
          want = 'error';
        }
        let got: string[] | string;
        try {
          got = hexList(splitInChunks(b, cuts));
        } catch (e) {
          assert.ok(e instanceof ProtocolError);
          got = 'error';
        }
        assert.deepEqual(got, want);
      }),
    );
  });
  it('returns views for units inside one chunk and copies across chunks', () => {
    const s = new AnnexBSplitter();
    const a = STREAM.subarray(0, 20);
    const b = STREAM.slice(20);
    const first = s.push(a);
    assert.deepEqual(first, []);
    const second = s.push(b);
    assert.deepEqual(hexList(second), hexList([SPS, PPS, IDR]));
    assert.notEqual(second[0]?.buffer, b.buffer, 'the SPS spans both chunks: a copy');
    assert.equal(second[1]?.buffer, b.buffer, 'the PPS lies in the second chunk: a view');
    assert.deepEqual(hexList(s.flush()), [hexOf(P)]);
    assert.deepEqual(s.flush(), [], 'flush resets');
  });
  it('caps the bytes it holds', () => {
    const s = new AnnexBSplitter({ maxNaluSize: 8 });
    s.push(unhex('000001 6501020304'));
    assert.throws(() => s.push(unhex('0506070809')), LimitError);
    const g = new AnnexBSplitter({ maxNaluSize: 4 });
    assert.throws(() => g.push(unhex('ffffffffff')), LimitError);
  });
  it('reports a stream with no start code at flush', () => {
    const s = new AnnexBSplitter();
    assert.deepEqual(s.push(unhex('0000')), []);
    assert.deepEqual(s.push(unhex('6742')), []);
    assert.throws(() => s.flush(), ProtocolError);
    assert.deepEqual(s.flush(), [], 'reset after the error');
  });
});

describe('nal: length-prefixed', () => {
  it('splits with 1, 2, 3 and 4 byte lengths into views', () => {
    const nalus = [SPS, PPS, IDR, P];
    for (const size of [1, 2, 3, 4]) {
      const lp = packLengthPrefixed(nalus, size);
      assert.equal(
        lp.length,
        nalus.reduce((n, u) => n + size + u.length, 0),
      );
      const got = splitLengthPrefixed(lp, size);
      assert.deepEqual(hexList(got), hexList(nalus));
      for (const n of got) assert.equal(n.buffer, lp.buffer);
      assert.deepEqual(hexList([...iterateLengthPrefixed(lp, size)]), hexList(nalus));
    }
    assert.deepEqual(hexList(splitLengthPrefixed(unhex('0002 6701 0000 0001 68'), 2)), ['6701', '68']);
  });
  it('rejects a length that runs past the end', () => {
    assert.throws(
      () => splitLengthPrefixed(unhex('00000002 6701 00000005 68'), 4),
      (e: unknown) =>
        e instanceof ShortBufferError && e.need === 5 && e.got === 1 && /^nal: /.test(e.message),
    );
    assert.throws(() => splitLengthPrefixed(unhex('00000002 6701 0000'), 4), ShortBufferError);
    const it = iterateLengthPrefixed(unhex('02 6701 09 68'), 1);
    assert.equal(hexOf(it.next().value as Uint8Array), '6701');
    assert.throws(() => it.next(), ShortBufferError);
  });
  it('rejects length sizes other than 1..4', () => {
    assert.throws(() => splitLengthPrefixed(SPS, 0), InvalidArgError);
    assert.throws(() => splitLengthPrefixed(SPS, 5), InvalidArgError);
    assert.throws(() => packLengthPrefixed([SPS], 8), InvalidArgError);
    assert.throws(() => iterateLengthPrefixed(SPS, 0).next(), InvalidArgError);
  });
  it('refuses to pack a unit too long for its length field', () => {
    assert.throws(() => packLengthPrefixed([new Uint8Array(256)], 1), LimitError);
    assert.equal(packLengthPrefixed([new Uint8Array(255)], 1).length, 256);
  });
});

describe('nal: conversions', () => {
  it('converts Annex B to length-prefixed and back', () => {
    const lp = annexBToLengthPrefixed(STREAM);
    assert.deepEqual(hexList(splitLengthPrefixed(lp, 4)), hexList([SPS, PPS, IDR, P]));
    const ab = lengthPrefixedToAnnexB(lp);
    assert.equal(hexOf(ab), hexOf(packAnnexB([SPS, PPS, IDR, P])));
    assert.equal(hexOf(annexBToLengthPrefixed(ab, 4)), hexOf(lp));
    assert.equal(hexOf(lengthPrefixedToAnnexB(annexBToLengthPrefixed(STREAM, 2), 2)), hexOf(ab));
  });
  it('round-trips random NAL units through both formats', () => {
    fc.assert(
      fc.property(fc.array(arbNalu, { maxLength: 10 }), fc.constantFrom(2, 3, 4), (nalus, size) => {
        const lp = packLengthPrefixed(nalus, size);
        const ab = lengthPrefixedToAnnexB(lp, size);
        assert.deepEqual(hexList(splitAnnexB(ab)), hexList(nalus));
        assert.equal(hexOf(annexBToLengthPrefixed(ab, size)), hexOf(lp));
      }),
    );
  });
});

describe('nal: emulation prevention', () => {
  // The SPS of a real x264 stream: two emulation_prevention_three_bytes.
  const ebsp = unhex('6764000dacd94141fb011000000300100000030320f1429960');
  const rbsp = unhex('6764000dacd94141fb01100000001000000320f1429960');
  it('removes emulation_prevention_three_bytes', () => {
    assert.equal(hexOf(ebspToRbsp(ebsp)), hexOf(rbsp));
    assert.equal(hexOf(ebspToRbsp(unhex('000003'))), '0000');
    assert.equal(hexOf(ebspToRbsp(unhex('0000030000030000'))), '00000000' + '0000');
    assert.equal(hexOf(ebspToRbsp(unhex('00000303'))), '000003');
    assert.equal(hexOf(ebspToRbsp(unhex('0003000003'))), '00030000');
  });
  it('returns the input itself when there is nothing to remove', () => {
    const b = unhex('6742c00ada11ec04400000');
    assert.equal(ebspToRbsp(b), b);
    const noZeros = b.subarray(0, 6);
    assert.equal(rbspToEbsp(noZeros), noZeros);
  });
  it('inserts emulation_prevention_three_bytes', () => {
    assert.equal(hexOf(rbspToEbsp(rbsp)), hexOf(ebsp));
    assert.equal(hexOf(rbspToEbsp(unhex('000000'))), '00000300');
    assert.equal(hexOf(rbspToEbsp(unhex('00000100000200000304'))), '00000301000003020000030304');
    // A trailing cabac_zero_word gets a final 0x03.
    assert.equal(hexOf(rbspToEbsp(unhex('800000'))), '80000003');
  });
  it('round-trips and never leaves a start code emulation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }).map(biasZeros), (r) => {
        const e = rbspToEbsp(r);
        assert.equal(hexOf(ebspToRbsp(e)), hexOf(r));
        for (let i = 0; i + 2 < e.length; i++) {
          assert.ok(!(e[i] === 0 && e[i + 1] === 0 && (e[i + 2] as number) <= 2), `at ${i}`);
        }
      }),
    );
  });
});

describe('nal: scanNalHeaders', () => {
  const collect = (data: Uint8Array, framing: 'annexb' | number, stopAt = -1): string[] => {
    const out: string[] = [];
    scanNalHeaders(data, framing, (b0, b1) => {
      out.push(`${b0.toString(16)}:${b1}`);
      return b0 === stopAt;
    });
    return out;
  };
  it('visits the header bytes of each unit in both framings', () => {
    const want = ['67:66', '68:206', '65:136', '41:154'];
    assert.deepEqual(collect(STREAM, 'annexb'), want);
    assert.deepEqual(collect(annexBToLengthPrefixed(STREAM, 4), 4), want);
    assert.deepEqual(collect(annexBToLengthPrefixed(STREAM, 2), 2), want);
  });
  it('stops when the visitor says so', () => {
    assert.deepEqual(collect(STREAM, 'annexb', 0x68), ['67:66', '68:206']);
  });
  it('skips zero-led and empty units, reports one-byte units', () => {
    assert.deepEqual(collect(unhex('000001 00 000001 09 00000001 67'), 'annexb'), ['9:0', '67:-1']);
    assert.deepEqual(collect(unhex('0000 0002 09f0'), 2), ['9:240']);
    assert.deepEqual(collect(unhex('00 01 09'), 1), ['9:-1']);
  });
  it('rejects Annex B data without a start code and bad lengths', () => {
    assert.throws(() => collect(unhex('6742'), 'annexb'), ProtocolError);
    assert.deepEqual(collect(new Uint8Array(0), 'annexb'), []);
    assert.throws(() => collect(unhex('00000009 67'), 4), ShortBufferError);
    assert.throws(() => collect(unhex('67'), 7), InvalidArgError);
  });
});

describe('nal: random input', () => {
  it('every entry point ends in a result or a LalError', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 200 }),
        fc.boolean(),
        fc.integer({ min: 0, max: 5 }),
        (raw, bias, size) => {
          const b = bias ? biasZeros(raw) : raw;
          resultOrLalError(() => splitAnnexB(b));
          resultOrLalError(() => splitLengthPrefixed(b, size));
          resultOrLalError(() => [...iterateLengthPrefixed(b, size)]);
          resultOrLalError(() => annexBToLengthPrefixed(b, size));
          resultOrLalError(() => lengthPrefixedToAnnexB(b, size));
          resultOrLalError(() => scanNalHeaders(b, 'annexb', () => false));
          resultOrLalError(() => scanNalHeaders(b, size, () => false));
          resultOrLalError(() => {
            const s = new AnnexBSplitter({ maxNaluSize: 64 });
            s.push(b.subarray(0, 7));
            s.push(b.subarray(7));
            s.flush();
          });
          resultOrLalError(() => ebspToRbsp(b));
          resultOrLalError(() => rbspToEbsp(b));
        },
      ),
      { numRuns: 500 },
    );
  });
});
