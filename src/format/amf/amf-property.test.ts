import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ByteReader } from '../../util/byte-reader.js';
import { InvalidArgError, LalError, LimitError, ShortBufferError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import type { AmfObject, AmfValue } from './index.js';
import {
  AMF_UNSUPPORTED,
  AmfDecoder,
  AmfTypedObject,
  AmfXml,
  AmfXmlDocument,
  amfObject,
  decodeAmf0,
  decodeAmf0Value,
  decodeAmf3,
  decodeAmf3MessageBody,
  ecmaArray,
  encodeAmf0,
  encodeAmf0Value,
  encodeAmf3,
  encodeAmf3Value,
  isEcmaArray,
} from './index.js';

// --- generators ------------------------------------------------------------------------------

/** Valid Unicode (no lone surrogates: those cannot survive UTF-8). */
const text = fc.string({ unit: 'binary', maxLength: 12 });
const key = fc.oneof(
  { weight: 4, arbitrary: text },
  { weight: 1, arbitrary: fc.constantFrom('__proto__', 'constructor', 'toString', 'hasOwnProperty', '0') },
);
/** Keys for AMF3 associative/dynamic members, which cannot be "" (it ends the list). */
const key3 = key.filter((k) => k !== '');

const number = fc.oneof(
  fc.double(),
  fc.integer({ min: -0x10000000, max: 0x0fffffff }),
  fc.constantFrom(0, -0, 0x10000000, -0x10000001, Number.MAX_SAFE_INTEGER),
);
const date = fc.date({ noInvalidDate: true }).map((d) => new Date(d.getTime()));
const bytes = fc.uint8Array({ maxLength: 8 });

function entries(value: fc.Arbitrary<AmfValue>, k: fc.Arbitrary<string>) {
  return fc.array(fc.tuple(k, value), { maxLength: 5 });
}

/** AmfValues AMF0 carries exactly (AmfXml is written as an XML document, so it is left out). */
const amf0Value: fc.Arbitrary<AmfValue> = fc.letrec<{ v: AmfValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    fc.boolean(),
    text,
    fc.constantFrom<AmfValue>(null, undefined, AMF_UNSUPPORTED),
    date,
    text.map((s) => new AmfXmlDocument(s)),
    bytes,
    fc.array(tie('v'), { maxLength: 5 }),
    entries(tie('v'), key).map((e) => amfObject(e)),
    entries(tie('v'), key).map((e) => ecmaArray(e)),
    fc.tuple(text, entries(tie('v'), key)).map(([c, e]) => new AmfTypedObject(c, amfObject(e))),
  ),
})).v;

/** AmfValues AMF3 carries exactly: no AMF_UNSUPPORTED, no empty ECMA arrays, no "" member names. */
const amf3Value: fc.Arbitrary<AmfValue> = fc.letrec<{ v: AmfValue }>((tie) => ({
  v: fc.oneof(
    { depthSize: 'small', withCrossShrink: true },
    number,
    fc.boolean(),
    text,
    fc.constantFrom<AmfValue>(null, undefined),
    date,
    text.map((s) => new AmfXmlDocument(s)),
    text.map((s) => new AmfXml(s)),
    bytes,
    fc.array(tie('v'), { maxLength: 5 }),
    entries(tie('v'), key3).map((e) => amfObject(e)),
    fc.array(fc.tuple(key3, tie('v')), { minLength: 1, maxLength: 5 }).map((e) => ecmaArray(e)),
    fc
      .tuple(
        text.filter((c) => c !== ''),
        entries(tie('v'), key3),
      )
      .map(([c, e]) => new AmfTypedObject(c, amfObject(e))),
  ),
})).v;

/** deepStrictEqual ignores the hidden ECMA marker: compare it separately. */
function sameEcmaMarkers(a: AmfValue, b: AmfValue): boolean {
  if (typeof a !== 'object' || a === null || typeof b !== 'object' || b === null) return true;
  if (isEcmaArray(a) !== isEcmaArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) return a.every((x, i) => sameEcmaMarkers(x, b[i]));
  if (a instanceof AmfTypedObject && b instanceof AmfTypedObject) {
    return sameEcmaMarkers(a.properties, b.properties);
  }
  if (Object.getPrototypeOf(a) === null && Object.getPrototypeOf(b) === null) {
    const ao = a as AmfObject;
    const bo = b as AmfObject;
    return Object.keys(ao).every((k) => sameEcmaMarkers(ao[k], bo[k]));
  }
  return true;
}

// --- round trips -----------------------------------------------------------------------------

describe('AMF round trips (property)', () => {
  it('AMF0: decode(encode(values)) equals values, and re-encoding is byte-stable', () => {
    fc.assert(
      fc.property(fc.array(amf0Value, { maxLength: 4 }), (values) => {
        const bytes = encodeAmf0(values);
        const back = decodeAmf0(bytes);
        assert.deepStrictEqual(back, values);
        assert.ok(
          back.every((v, i) => sameEcmaMarkers(v, values[i])),
          'ECMA markers survive',
        );
        assert.equal(hex(encodeAmf0(back)), hex(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('AMF3: decode(encode(values)) equals values, and re-encoding is byte-stable', () => {
    fc.assert(
      fc.property(fc.array(amf3Value, { maxLength: 4 }), (values) => {
        const bytes = encodeAmf3(values);
        const back = decodeAmf3(bytes);
        assert.deepStrictEqual(back, values);
        assert.ok(
          back.every((v, i) => sameEcmaMarkers(v, values[i])),
          'ECMA markers survive',
        );
        assert.equal(hex(encodeAmf3(back)), hex(bytes));
      }),
      { numRuns: 400 },
    );
  });

  it('shared and cyclic values keep their shape through both encodings', () => {
    fc.assert(
      fc.property(amf0Value, (inner) => {
        const holder = amfObject({ a: inner });
        holder.self = holder;
        const outer = [holder, holder];
        const back0 = decodeAmf0(encodeAmf0([outer]))[0];
        assert.ok(Array.isArray(back0));
        assert.equal(back0[0], back0[1]);
        assert.equal((back0[0] as AmfObject).self, back0[0]);
        assert.deepStrictEqual(back0, outer);
      }),
      { numRuns: 200 },
    );
  });
});

// --- hostile input ---------------------------------------------------------------------------

/** Valid AMF0 streams covering every type, seeds for the mutation tests. */
const SEEDS = [
  '02000a6f6e4d65746144617461 08 00000002 0008 6475726174696f6e 00 3ff147ae147ae148 0005 7769647468 00 4074000000000000 000009',
  '020007636f6e6e656374 00 3ff0000000000000 03 0003 617070 02 0004 6c697665 000009',
  '0a 00000002 03 0001 61 05 000009 07 0001',
  '10 0003 466f6f 0001 61 00 3ff0000000000000 000009',
  '0b 4276f5e66e800000 0000 0c 00000003 616263 0f 00000008 3c613e783c2f613e 0d 06 05 0101',
  '11 09 07 01 0a 23 07 466f6f 03 61 03 62 04 01 06 03 78 0a 01 04 02 06 06 0a 02',
  '11 0a0b0103610401 01 11 0d0500ffffffff00000001 11 100500032a0401060378 11 0c07010203',
  '11 09030361040101060378 11 0b113c613e783c2f613e 11 08014276f5e66e800000',
].map((h) => unhex(h));

/** Runs `f`, which must return normally or throw a LalError (nothing else). */
function resultOrLalError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    assert.match(e.message, /^amf: /);
  }
}

describe('AMF decoders on hostile input (property)', () => {
  it('random bytes end in a result or a LalError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (data) => {
        resultOrLalError(() => decodeAmf0(data));
        resultOrLalError(() => decodeAmf3(data));
        resultOrLalError(() => decodeAmf3MessageBody(data));
      }),
      { numRuns: 3000 },
    );
  });

  it('random bytes after each marker end in a result or a LalError', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0x12 }), fc.uint8Array({ maxLength: 32 }), (m, rest) => {
        const data = new Uint8Array(rest.length + 1);
        data[0] = m;
        data.set(rest, 1);
        resultOrLalError(() => decodeAmf0(data));
        resultOrLalError(() => decodeAmf3(data));
      }),
      { numRuns: 3000 },
    );
  });

  it('the mutation seeds are valid', () => {
    for (const s of SEEDS) assert.ok(decodeAmf0(s).length > 0);
  });

  it('mutated goldens end in a result or a LalError', () => {
    const mutation = fc.record({
      golden: fc.integer({ min: 0, max: SEEDS.length - 1 }),
      edits: fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 4 }),
      cut: fc.option(fc.nat()),
    });
    fc.assert(
      fc.property(mutation, ({ golden, edits, cut }) => {
        const src = SEEDS[golden] as Buffer;
        const data = Buffer.from(src);
        for (const [at, b] of edits) data[at % data.length] = b;
        const input = cut === null ? data : data.subarray(0, cut % (data.length + 1));
        resultOrLalError(() => decodeAmf0(input));
        resultOrLalError(() => decodeAmf3(input));
      }),
      { numRuns: 3000 },
    );
  });

  const edit = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 });

  it('mutated AMF0 encodings of random values end in a result or a LalError', () => {
    fc.assert(
      fc.property(amf0Value, edit, (v, edits) => {
        const data = Buffer.from(encodeAmf0Value(v));
        for (const [at, b] of edits) data[at % data.length] = b;
        resultOrLalError(() => decodeAmf0(data));
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated AMF3 encodings of random values end in a result or a LalError', () => {
    fc.assert(
      fc.property(amf3Value, edit, (v, edits) => {
        const data = Buffer.from(encodeAmf3Value(v));
        for (const [at, b] of edits) data[at % data.length] = b;
        resultOrLalError(() => decodeAmf3(data));
      }),
      { numRuns: 1000 },
    );
  });
});

// --- limits ----------------------------------------------------------------------------------

/** `n` nested AMF0 strict arrays of one element around `inner`. */
function nestedAmf0(n: number, inner = '05'): Buffer {
  return unhex('0a00000001'.repeat(n) + inner);
}

/** `n` nested AMF3 dense arrays of one element around null. */
function nestedAmf3(n: number): Buffer {
  return unhex(`${'090301'.repeat(n)}01`);
}

function limitError(re: RegExp): (e: unknown) => boolean {
  return (e) => e instanceof LimitError && re.test(e.message);
}

describe('AMF limits', () => {
  it('allows maxDepth (default 64) nested containers and refuses one more', () => {
    assert.equal(decodeAmf0(nestedAmf0(64)).length, 1);
    assert.throws(
      () => decodeAmf0(nestedAmf0(65)),
      limitError(/^amf: nesting depth: 65 exceeds the limit of 64$/),
    );
    assert.equal(decodeAmf3(nestedAmf3(64)).length, 1);
    assert.throws(() => decodeAmf3(nestedAmf3(65)), LimitError);
    // objects, ECMA arrays and typed objects count alike; AMF3 inside AMF0 continues the count
    const mixed = unhex(
      `${'030001 61'.repeat(30)}${'08000000000001 62'.repeat(30)}${'10000143 000161'.repeat(5)}05${'000009'.repeat(65)}`,
    );
    assert.throws(() => decodeAmf0(mixed), LimitError);
    assert.equal(decodeAmf0(mixed, { maxDepth: 65 }).length, 1);
    assert.throws(() => decodeAmf0(nestedAmf0(60, `11${'090301'.repeat(5)}01`)), LimitError);
    assert.equal(decodeAmf0(nestedAmf0(60, `11${'090301'.repeat(4)}01`)).length, 1);
    assert.throws(() => decodeAmf0(nestedAmf0(3), { maxDepth: 2 }), LimitError);
    assert.deepStrictEqual(decodeAmf0(unhex('05'), { maxDepth: 0 }), [null]);
    assert.throws(() => decodeAmf0(unhex('0a00000000'), { maxDepth: 0 }), LimitError);
  });

  it('survives the deepest nesting the options allow without exhausting the stack', () => {
    const n = 500;
    assert.equal(decodeAmf0(nestedAmf0(n), { maxDepth: n }).length, 1);
    assert.throws(() => decodeAmf0(nestedAmf0(n + 1), { maxDepth: n }), LimitError);
    assert.equal(decodeAmf3(nestedAmf3(n), { maxDepth: n }).length, 1);
    // nested objects cost two stack frames per level
    const objects = unhex(`${'030001 61'.repeat(n)}05${'000009'.repeat(n)}`);
    const [v] = decodeAmf0(objects, { maxDepth: n });
    assert.equal(hex(encodeAmf0Value(v, { maxDepth: n })), hex(objects));
    const objects3 = unhex(`0a0b01 0361 ${'0a01 00'.repeat(n - 1)} 01 ${'01'.repeat(n)}`);
    const [v3] = decodeAmf3(objects3, { maxDepth: n });
    assert.equal(hex(encodeAmf3Value(v3, { maxDepth: n })), hex(objects3));
    // a very deep input with the default options fails fast with LimitError, not RangeError
    assert.throws(() => decodeAmf0(nestedAmf0(100_000)), LimitError);
    assert.throws(() => decodeAmf3(nestedAmf3(100_000)), LimitError);
    let deep: AmfValue = null;
    for (let i = 0; i < n; i++) deep = [deep];
    assert.equal(encodeAmf0Value(deep, { maxDepth: n }).length, n * 5 + 1);
    assert.throws(() => encodeAmf0Value(deep), LimitError);
    assert.throws(() => encodeAmf3Value(deep), LimitError);
  });

  it('refuses huge claimed counts before allocating', () => {
    // strict array of 4 billion elements: LimitError (over maxItems)
    assert.throws(
      () => decodeAmf0(unhex('0a ffffffff 05')),
      limitError(/^amf: strict array elements: 4294967295/),
    );
    // within maxItems but more than the bytes left: ShortBufferError
    assert.throws(() => decodeAmf0(unhex('0a 00001000 05 05')), ShortBufferError);
    // AMF3 dense array / vector / sealed count at the U28 maximum
    assert.throws(() => decodeAmf3(unhex('09 ffffffff 01')), LimitError);
    assert.throws(() => decodeAmf3(unhex('0d ffffffff 00')), LimitError);
    assert.throws(() => decodeAmf3(unhex('10 ffffffff 00 01')), LimitError);
    assert.throws(() => decodeAmf3(unhex('0a ffffff f3 01')), LimitError);
    assert.throws(() => decodeAmf3(unhex('0a 80 ff ff f3 01')), ShortBufferError);
    // an ECMA array claiming 4 billion members is fine: the count is never used
    assert.deepStrictEqual(decodeAmf0(unhex('08 ffffffff 000009')), [ecmaArray()]);
  });

  it('refuses huge claimed string and ByteArray lengths before reading', () => {
    assert.throws(
      () => decodeAmf0(unhex('0c ffffffff 61')),
      limitError(/^amf: long string: 4294967295 exceeds/),
    );
    assert.throws(() => decodeAmf0(unhex('0f 7fffffff 61')), limitError(/^amf: XML document/));
    assert.throws(() => decodeAmf0(unhex('02 ffff 61')), ShortBufferError);
    assert.throws(() => decodeAmf0(unhex('02 0005 6161616161'), { maxStringLength: 4 }), LimitError);
    assert.deepStrictEqual(decodeAmf0(unhex('02 0004 61616161'), { maxStringLength: 4 }), ['aaaa']);
    assert.throws(
      () => decodeAmf0(unhex('03 0005 6161616161 05 000009'), { maxStringLength: 4 }),
      LimitError,
    );
    assert.throws(() => decodeAmf3(unhex('06 ffffffff 61')), limitError(/^amf: AMF3 string: 268435455/));
    assert.throws(() => decodeAmf3(unhex('0c ffffffff 61')), limitError(/^amf: AMF3 ByteArray/));
    assert.throws(() => decodeAmf3(unhex('0c 09 01020304'), { maxByteArrayLength: 3 }), LimitError);
    assert.throws(() => decodeAmf3(unhex('0c 81 01 01020304')), ShortBufferError);
  });

  it('limits members per container with maxItems', () => {
    const obj3 = unhex('03 0001 61 05 0001 62 05 0001 63 05 000009');
    assert.equal(decodeAmf0(obj3, { maxItems: 3 }).length, 1);
    assert.throws(
      () => decodeAmf0(obj3, { maxItems: 2 }),
      limitError(/^amf: object members: 3 exceeds the limit of 2$/),
    );
    assert.throws(
      () => decodeAmf0(unhex('08 00000000 0001 61 05 0001 62 05 000009'), { maxItems: 1 }),
      LimitError,
    );
    assert.throws(() => decodeAmf0(unhex('0a 00000002 05 05'), { maxItems: 1 }), LimitError);
    assert.throws(() => decodeAmf3(unhex('09 05 01 01 01'), { maxItems: 1 }), LimitError);
    assert.throws(() => decodeAmf3(unhex('09 01 03 61 01 03 62 01 01'), { maxItems: 1 }), LimitError);
    assert.throws(() => decodeAmf3(unhex('0a 0b 01 03 61 01 03 62 01 01'), { maxItems: 1 }), LimitError);
  });

  it('ends every object-end scan on truncated input with ShortBufferError', () => {
    // an object that never ends, at every length
    const endless = unhex(`03 ${'0001 61 05 '.repeat(50)}`);
    for (let n = 1; n <= endless.length; n++) {
      assert.throws(() => decodeAmf0(endless.subarray(0, n)), ShortBufferError);
    }
  });

  it('validates options with InvalidArgError', () => {
    for (const bad of [
      { maxDepth: -1 },
      { maxDepth: 501 },
      { maxItems: 1.5 },
      { maxStringLength: Number.NaN },
    ]) {
      assert.throws(() => decodeAmf0(unhex('05'), bad), InvalidArgError);
    }
    assert.throws(() => encodeAmf0Value(null, { maxDepth: 501 }), InvalidArgError);
    assert.equal(decodeAmf0(unhex('05'), { maxDepth: 500 }).length, 1);
    assert.throws(() => new AmfDecoder({ maxByteArrayLength: -5 }), InvalidArgError);
    assert.equal(decodeAmf0Value(new ByteReader(unhex('05'), 'x'), {}), null);
  });
});
