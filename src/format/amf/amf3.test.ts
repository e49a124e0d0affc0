import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ByteReader } from '../../util/byte-reader.js';
import type { LalError } from '../../util/errors.js';
import {
  InvalidArgError,
  LimitError,
  ProtocolError,
  ShortBufferError,
  UnsupportedError,
} from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import type { AmfValue } from './index.js';
import {
  AMF_UNSUPPORTED,
  AmfDecoder,
  AmfTypedObject,
  AmfXml,
  AmfXmlDocument,
  amfObject,
  decodeAmf0,
  decodeAmf3,
  decodeAmf3MessageBody,
  decodeAmf3Value,
  ecmaArray,
  encodeAmf3,
  encodeAmf3MessageBody,
  encodeAmf3Value,
  isEcmaArray,
} from './index.js';

type ErrorClass = new (...args: never[]) => LalError;

interface Golden3 {
  name: string;
  hex: string;
  value: AmfValue;
  /** encodeAmf3Value(value) gives the bytes back (default true). */
  roundTrip?: boolean;
  corrupt: { at: number; byte: number; error: ErrorClass };
}

const o = amfObject;
const foo1 = new AmfTypedObject('Foo', { a: 1, b: 'x' });
const foo2 = new AmfTypedObject('Foo', { a: 2, b: 'x' });

const GOLDENS: Golden3[] = [
  {
    name: 'undefined (3.2)',
    hex: '00',
    value: undefined,
    corrupt: { at: 0, byte: 0x12, error: ProtocolError },
  },
  { name: 'null (3.3)', hex: '01', value: null, corrupt: { at: 0, byte: 0x11, error: UnsupportedError } },
  { name: 'false (3.4)', hex: '02', value: false, corrupt: { at: 0, byte: 0x04, error: ShortBufferError } },
  { name: 'true (3.5)', hex: '03', value: true, corrupt: { at: 0, byte: 0x05, error: ShortBufferError } },
  {
    name: 'integer 0 (3.6)',
    hex: '04 00',
    value: 0,
    corrupt: { at: 1, byte: 0x80, error: ShortBufferError },
  },
  { name: 'integer 127', hex: '04 7f', value: 127, corrupt: { at: 1, byte: 0xff, error: ShortBufferError } },
  {
    name: 'integer 128',
    hex: '04 81 00',
    value: 128,
    corrupt: { at: 2, byte: 0x80, error: ShortBufferError },
  },
  {
    name: 'integer 16383',
    hex: '04 ff 7f',
    value: 16383,
    corrupt: { at: 0, byte: 0x20, error: ProtocolError },
  },
  {
    name: 'integer 16384',
    hex: '04 81 80 00',
    value: 16384,
    corrupt: { at: 3, byte: 0x80, error: ShortBufferError },
  },
  {
    name: 'integer 2097151',
    hex: '04 ff ff 7f',
    value: 2097151,
    corrupt: { at: 3, byte: 0xff, error: ShortBufferError },
  },
  {
    name: 'integer 2097152',
    hex: '04 80 c0 80 00',
    value: 2097152,
    corrupt: { at: 0, byte: 0x06, error: ProtocolError },
  },
  {
    name: 'integer max 2^28-1',
    hex: '04 bf ff ff ff',
    value: 0x0fffffff,
    corrupt: { at: 0, byte: 0x0c, error: LimitError },
  },
  {
    name: 'integer -1 (sign-extended)',
    hex: '04 ff ff ff ff',
    value: -1,
    corrupt: { at: 0, byte: 0x08, error: ShortBufferError },
  },
  {
    name: 'integer min -2^28',
    hex: '04 c0 80 80 00',
    value: -0x10000000,
    corrupt: { at: 0, byte: 0x05, error: ShortBufferError },
  },
  {
    name: 'double 1.5 (3.7)',
    hex: '05 3ff8000000000000',
    value: 1.5,
    corrupt: { at: 0, byte: 0xa0, error: ProtocolError },
  },
  {
    name: 'string (3.8)',
    hex: '06 0b 68656c6c6f',
    value: 'hello',
    corrupt: { at: 1, byte: 0x0d, error: ShortBufferError },
  },
  { name: 'empty string', hex: '06 01', value: '', corrupt: { at: 1, byte: 0x00, error: ProtocolError } },
  {
    name: 'string reference (string table)',
    hex: '09 05 01 | 06 0b 68656c6c6f | 06 00',
    value: ['hello', 'hello'],
    corrupt: { at: 11, byte: 0x02, error: ProtocolError },
  },
  {
    name: 'XMLDocument (3.9)',
    hex: '07 11 3c613e783c2f613e',
    value: new AmfXmlDocument('<a>x</a>'),
    corrupt: { at: 1, byte: 0x13, error: ShortBufferError },
  },
  {
    name: 'date (3.10)',
    hex: '08 01 4276f5e66e800000',
    value: new Date(Date.UTC(2020, 0, 1)),
    corrupt: { at: 1, byte: 0x00, error: ProtocolError },
  },
  {
    name: 'dense array (3.11)',
    hex: '09 07 01 | 04 01 04 02 04 03',
    value: [1, 2, 3],
    corrupt: { at: 1, byte: 0x09, error: ShortBufferError },
  },
  {
    name: 'associative array (3.11)',
    hex: '09 01 | 03 61 04 01 | 03 62 06 03 78 | 01',
    value: ecmaArray({ a: 1, b: 'x' }),
    corrupt: { at: 11, byte: 0x04, error: ShortBufferError },
  },
  {
    name: 'array with associative and dense parts',
    hex: '09 03 | 03 61 04 01 | 01 | 06 03 78',
    value: ecmaArray({ a: 1, 0: 'x' }),
    roundTrip: false,
    corrupt: { at: 1, byte: 0x05, error: ShortBufferError },
  },
  {
    name: 'anonymous dynamic object (3.12)',
    hex: '0a 0b 01 | 03 61 04 01 | 01',
    value: o({ a: 1 }),
    corrupt: { at: 1, byte: 0x07, error: UnsupportedError },
  },
  {
    name: 'typed object with sealed members (3.12)',
    hex: '0a 23 07 466f6f 03 61 03 62 | 04 01 06 03 78',
    value: foo1,
    roundTrip: false,
    corrupt: { at: 1, byte: 0x05, error: ProtocolError },
  },
  {
    name: 'traits reference, string reference and object reference',
    hex: `09 07 01 |
      0a 23 07 466f6f 03 61 03 62 04 01 06 03 78 |
      0a 01 04 02 06 06 |
      0a 02`,
    value: [foo1, foo2, foo1],
    roundTrip: false,
    corrupt: { at: 19, byte: 0x05, error: ProtocolError },
  },
  {
    name: 'object with sealed and dynamic members',
    hex: '0a 1b 01 03 61 | 04 01 | 03 62 05 3ff8000000000000 01',
    value: o({ a: 1, b: 1.5 }),
    roundTrip: false,
    corrupt: { at: 7, byte: 0x0e, error: ProtocolError },
  },
  {
    name: 'XML (3.13)',
    hex: '0b 11 3c613e783c2f613e',
    value: new AmfXml('<a>x</a>'),
    corrupt: { at: 1, byte: 0x02, error: ProtocolError },
  },
  {
    name: 'ByteArray (3.14)',
    hex: '0c 07 010203',
    value: Uint8Array.of(1, 2, 3),
    corrupt: { at: 1, byte: 0x0b, error: ShortBufferError },
  },
  {
    name: 'Vector.<int> (3.15)',
    hex: '0d 05 00 ffffffff 00000001',
    value: [-1, 1],
    roundTrip: false,
    corrupt: { at: 1, byte: 0x07, error: ShortBufferError },
  },
  {
    name: 'Vector.<uint>',
    hex: '0e 03 01 ffffffff',
    value: [0xffffffff],
    roundTrip: false,
    corrupt: { at: 1, byte: 0x04, error: ProtocolError },
  },
  {
    name: 'Vector.<Number>',
    hex: '0f 03 00 3ff8000000000000',
    value: [1.5],
    roundTrip: false,
    corrupt: { at: 1, byte: 0x05, error: ShortBufferError },
  },
  {
    name: 'Vector.<Object>',
    hex: '10 05 00 03 2a | 04 01 06 03 78',
    value: [1, 'x'],
    roundTrip: false,
    corrupt: { at: 3, byte: 0x02, error: ProtocolError },
  },
];

describe('AMF3 golden bytes', () => {
  for (const g of GOLDENS) {
    const bytes = unhex(g.hex);
    describe(g.name, () => {
      it('decodes to the expected value', () => {
        const got = decodeAmf3(bytes);
        assert.deepStrictEqual(got, [g.value]);
        assert.equal(isEcmaArray(got[0]), isEcmaArray(g.value));
        // and the same value through the AMF0 AVM+ switch
        assert.deepStrictEqual(decodeAmf0(Buffer.concat([unhex('11'), bytes])), [g.value]);
      });
      if (g.roundTrip !== false) {
        it('encodes back to the same bytes', () => {
          assert.equal(hex(encodeAmf3Value(g.value)), hex(bytes));
        });
      }
      it('truncated twin throws ShortBufferError', () => {
        for (let n = 0; n < bytes.length; n++) {
          const r = new ByteReader(bytes.subarray(0, n), 'test');
          assert.throws(() => decodeAmf3Value(r), ShortBufferError, `prefix of ${n} bytes`);
        }
      });
      it(`corrupted twin throws ${g.corrupt.error.name}`, () => {
        const bad = Buffer.from(bytes);
        assert.notEqual(bad[g.corrupt.at], g.corrupt.byte, 'the corruption changes a byte');
        bad[g.corrupt.at] = g.corrupt.byte;
        assert.throws(
          () => decodeAmf3(bad),
          (e: unknown) => e instanceof g.corrupt.error && /^amf: /.test((e as Error).message),
        );
      });
    });
  }
});

describe('AMF3 decoding details', () => {
  it('keeps object identity through references and cycles', () => {
    const [arr] = decodeAmf3(
      unhex('09 07 01 0a 23 07 466f6f 03 61 03 62 04 01 06 03 78 0a 01 04 02 06 06 0a 02'),
    );
    assert.ok(Array.isArray(arr));
    assert.equal(arr[2], arr[0]);
    assert.notEqual(arr[1], arr[0]);
    // { self: <itself> }: the object is in the table before its members are read
    const [self] = decodeAmf3(unhex('0a 0b 01 09 73656c66 0a 00 01'));
    assert.equal((self as Record<string, unknown>).self, self);
    // an array holding itself
    const [a] = decodeAmf3(unhex('09 03 01 09 00'));
    assert.ok(Array.isArray(a));
    assert.equal(a[0], a);
  });

  it('puts dates, XML and ByteArrays in the object table', () => {
    // [date, bytes, xml, ref0 (the array), ref1 (date), ref2 (bytes), ref3 (xml)]
    const [arr] = decodeAmf3(
      unhex('09 0f 01 08 01 4276f5e66e800000 0c 03 09 0b 03 61 09 00 08 02 0c 04 0b 06'),
    );
    assert.ok(Array.isArray(arr));
    assert.equal(arr[3], arr);
    assert.equal(arr[4], arr[0]);
    assert.equal(arr[5], arr[1]);
    assert.equal(arr[6], arr[2]);
    assert.ok(arr[2] instanceof AmfXml);
  });

  it('rejects externalizable objects and dictionaries as unsupported', () => {
    // flex.messaging.io.ArrayCollection, the usual externalizable class
    const ext = unhex('0a 07 43 666c65782e6d6573736167696e672e696f2e4172726179436f6c6c656374696f6e 09 01 01');
    assert.throws(
      () => decodeAmf3(ext),
      (e: unknown) => e instanceof UnsupportedError && /ArrayCollection/.test((e as Error).message),
    );
    assert.throws(() => decodeAmf3(unhex('11 03 00')), UnsupportedError);
  });

  it('rejects bad table references with ProtocolError', () => {
    for (const h of [
      '06 00',
      '06 04',
      '09 00',
      '0a 00',
      '0a 01',
      '0a 05',
      '08 00',
      '0c 00',
      '07 02',
      '0d 00',
    ]) {
      assert.throws(
        () => decodeAmf3(unhex(h)),
        (e: unknown) =>
          e instanceof ProtocolError &&
          /^amf: AMF3 .* reference \d+, but the .* table holds \d+$/.test((e as Error).message),
        h,
      );
    }
  });

  it('never assigns a wire key onto a prototype', () => {
    // anonymous object { __proto__: 1 } and associative array { __proto__: 2 }
    for (const h of ['0a 0b 01 13 5f5f70726f746f5f5f 04 01 01', '09 01 13 5f5f70726f746f5f5f 04 02 01']) {
      const [v] = decodeAmf3(unhex(h));
      assert.equal(Object.getPrototypeOf(v), null);
      assert.deepStrictEqual(Object.keys(v as object), ['__proto__']);
    }
  });
});

describe('RTMP AMF3 message bodies (type 15/17)', () => {
  it('decodes a type-17 createStream: format selector 0, then AMF0', () => {
    const body = unhex('00 | 02 000c 63726561746553747265616d | 00 4000000000000000 | 05');
    assert.deepStrictEqual(decodeAmf3MessageBody(body), ['createStream', 2, null]);
    assert.equal(hex(encodeAmf3MessageBody(['createStream', 2, null])), hex(body));
  });

  it('decodes AVM+ switched values, the switch applying to one value, tables shared in the body', () => {
    // call, 0, null, AMF3 {a: "hello"}, AMF3 string ref 1 ("hello"), AMF0 number 5
    const body = unhex(`00 | 02 0004 63616c6c | 00 0000000000000000 | 05 |
      11 0a 0b 01 03 61 06 0b 68656c6c6f 01 | 11 06 02 | 00 4014000000000000`);
    assert.deepStrictEqual(decodeAmf3MessageBody(body), ['call', 0, null, o({ a: 'hello' }), 'hello', 5]);
  });

  it('rejects unknown format selectors and empty bodies', () => {
    assert.throws(() => decodeAmf3MessageBody(unhex('03 05')), UnsupportedError);
    assert.throws(() => decodeAmf3MessageBody(new Uint8Array(0)), ShortBufferError);
    assert.throws(() => decodeAmf3MessageBody(unhex('00 02 0004 6361')), ShortBufferError);
  });
});

describe('AMF3 encoder', () => {
  it('uses integers where they fit and doubles elsewhere', () => {
    assert.equal(hex(encodeAmf3Value(-0)), '058000000000000000');
    assert.equal(hex(encodeAmf3Value(0x10000000)), '0541b0000000000000');
    assert.equal(hex(encodeAmf3Value(-0x10000001)), '05c1b0000001000000');
    assert.equal(hex(encodeAmf3Value(0.5)), '053fe0000000000000');
  });

  it('sends repeated strings, traits and objects by reference', () => {
    const a = o({ k: 'v' });
    const b = o({ k: 'v' });
    const bytes = encodeAmf3([[a, b, a]]);
    // array(3) | {k:"v"} new traits | {k:"v"} traits ref, string refs | object ref 1
    assert.equal(hex(bytes), '090701' + '0a0b01036b06037601' + '0a0100060201' + '0a02');
    const [arr] = decodeAmf3(bytes);
    assert.ok(Array.isArray(arr));
    assert.equal(arr[2], arr[0]);
    assert.deepStrictEqual(arr, [a, b, a]);
  });

  it('shares one AmfDecoder table set with a reader-based caller', () => {
    const bytes = encodeAmf3(['hello', 'hello']);
    assert.equal(hex(bytes), '060b68656c6c6f' + '0600');
    const d = new AmfDecoder();
    const r = new ByteReader(bytes, 'x');
    assert.equal(d.readAmf3(r), 'hello');
    assert.equal(d.readAmf3(r), 'hello');
    assert.throws(() => decodeAmf3Value(new ByteReader(bytes, 'x', 7)), ProtocolError);
  });

  it('rejects what AMF3 cannot carry with InvalidArgError', () => {
    assert.throws(() => encodeAmf3Value(AMF_UNSUPPORTED), InvalidArgError);
    assert.throws(() => encodeAmf3Value(o({ '': 1 })), InvalidArgError);
    assert.throws(() => encodeAmf3Value(ecmaArray({ '': 1 })), InvalidArgError);
    assert.throws(() => encodeAmf3Value(new Map() as unknown as AmfValue), InvalidArgError);
  });

  it('limits depth, so a cycle without references ends in LimitError', () => {
    const c = o({});
    c.c = c;
    assert.throws(() => encodeAmf3Value(c, { useReferences: false }), LimitError);
    assert.deepStrictEqual(decodeAmf3(encodeAmf3Value(c)), [c]);
  });
});
