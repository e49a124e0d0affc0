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
  Amf0Encoder,
  AmfDecoder,
  AmfTypedObject,
  AmfXml,
  AmfXmlDocument,
  amfObject,
  decodeAmf0,
  decodeAmf0Value,
  ecmaArray,
  encodeAmf0,
  encodeAmf0Value,
  isEcmaArray,
} from './index.js';

type ErrorClass = new (...args: never[]) => LalError;

interface Golden {
  name: string;
  /** Hand-written wire bytes; `|` and spaces are only for reading. */
  hex: string;
  /** What decodeAmf0 must return. */
  values: AmfValue[];
  /** encodeAmf0(values) gives the bytes back (default true). */
  roundTrip?: boolean;
  /** Where a multi-value golden is cut for its truncated twin (default: drop the last byte). */
  truncateAt?: number;
  /** The corrupted twin: byte `at` replaced by `byte` must throw `error`. */
  corrupt: { at: number; byte: number; error: ErrorClass };
}

const o = amfObject;

const selfRef = o({});
selfRef.self = selfRef;
const shared = o({ a: null });

const GOLDENS: Golden[] = [
  {
    name: 'number 1.0 (section 2.2)',
    hex: '00 3ff0000000000000',
    values: [1],
    corrupt: { at: 0, byte: 0x12, error: ProtocolError },
  },
  {
    name: 'number -0',
    hex: '00 8000000000000000',
    values: [-0],
    corrupt: { at: 0, byte: 0x04, error: UnsupportedError },
  },
  {
    name: 'boolean true (2.3)',
    hex: '01 01',
    values: [true],
    corrupt: { at: 0, byte: 0x0e, error: UnsupportedError },
  },
  {
    name: 'boolean false',
    hex: '01 00',
    values: [false],
    corrupt: { at: 0, byte: 0x09, error: ProtocolError },
  },
  {
    name: 'string (2.4)',
    hex: '02 0005 68656c6c6f',
    values: ['hello'],
    corrupt: { at: 2, byte: 0x50, error: ShortBufferError },
  },
  {
    name: 'string, multi-byte UTF-8',
    hex: '02 0006 e4bda0e5a5bd',
    values: ['你好'],
    corrupt: { at: 1, byte: 0x01, error: ShortBufferError },
  },
  {
    name: 'empty string',
    hex: '02 0000',
    values: [''],
    corrupt: { at: 2, byte: 0x01, error: ShortBufferError },
  },
  {
    name: 'anonymous object (2.5)',
    hex: '03 | 0001 61 00 3ff0000000000000 | 0001 62 02 0001 78 | 00 00 09',
    values: [o({ a: 1, b: 'x' })],
    corrupt: { at: 22, byte: 0x0e, error: UnsupportedError },
  },
  {
    name: 'null (2.7)',
    hex: '05',
    values: [null],
    corrupt: { at: 0, byte: 0x13, error: ProtocolError },
  },
  {
    name: 'undefined (2.8)',
    hex: '06',
    values: [undefined],
    corrupt: { at: 0, byte: 0x07, error: ShortBufferError },
  },
  {
    name: 'reference to a shared object (2.9)',
    hex: '0a 00000002 | 03 0001 61 05 000009 | 07 0001',
    values: [[shared, shared]],
    corrupt: { at: 15, byte: 0x05, error: ProtocolError },
  },
  {
    name: 'reference to the object being read (a cycle)',
    hex: '03 0004 73656c66 07 0000 000009',
    values: [selfRef],
    corrupt: { at: 9, byte: 0x01, error: ProtocolError },
  },
  {
    name: 'ECMA array (2.10)',
    hex: '08 00000002 | 0001 61 00 4000000000000000 | 0001 62 01 01 | 000009',
    values: [ecmaArray({ a: 2, b: true })],
    corrupt: { at: 24, byte: 0x04, error: UnsupportedError },
  },
  {
    name: 'strict array (2.12)',
    hex: '0a 00000003 | 00 3ff0000000000000 | 02 0001 78 | 05',
    values: [[1, 'x', null]],
    corrupt: { at: 4, byte: 0x04, error: ShortBufferError },
  },
  {
    name: 'empty strict array',
    hex: '0a 00000000',
    values: [[]],
    corrupt: { at: 1, byte: 0xff, error: LimitError },
  },
  {
    name: 'date 2020-01-01T00:00:00Z (2.13)',
    hex: '0b 4276f5e66e800000 0000',
    values: [new Date(Date.UTC(2020, 0, 1))],
    corrupt: { at: 0, byte: 0x10, error: ShortBufferError },
  },
  {
    name: 'unsupported (2.15)',
    hex: '0d',
    values: [AMF_UNSUPPORTED],
    corrupt: { at: 0, byte: 0x04, error: UnsupportedError },
  },
  {
    name: 'XML document (2.17)',
    hex: '0f 00000008 3c613e783c2f613e',
    values: [new AmfXmlDocument('<a>x</a>')],
    corrupt: { at: 4, byte: 0x09, error: ShortBufferError },
  },
  {
    name: 'typed object (2.18)',
    hex: '10 0003 466f6f | 0001 61 00 3ff0000000000000 | 000009',
    values: [new AmfTypedObject('Foo', { a: 1 })],
    corrupt: { at: 1, byte: 0xff, error: ShortBufferError },
  },
  {
    name: 'AVM+ switch to an AMF3 ByteArray (3.1)',
    hex: '11 0c 07 010203',
    values: [Uint8Array.of(1, 2, 3)],
    corrupt: { at: 2, byte: 0x09, error: ShortBufferError },
  },
  {
    // Captured from ffmpeg 5.1 (Lavf59.27.100) publishing to rtmp://127.0.0.1:19350/live/test.
    name: 'RTMP connect as ffmpeg sends it',
    hex: `02 0007 636f6e6e656374 | 00 3ff0000000000000 |
      03 | 0003 617070 02 0004 6c697665 | 0004 74797065 02 000a 6e6f6e70726976617465 |
      0008 666c617368566572 02 0024 464d4c452f332e302028636f6d70617469626c653b204c61766635392e32372e31303029 |
      0005 746355726c 02 001b 72746d703a2f2f3132372e302e302e313a31393335302f6c697665 |
      000009`,
    values: [
      'connect',
      1,
      o({
        app: 'live',
        type: 'nonprivate',
        flashVer: 'FMLE/3.0 (compatible; Lavf59.27.100)',
        tcUrl: 'rtmp://127.0.0.1:19350/live',
      }),
    ],
    corrupt: { at: 20, byte: 0xff, error: ShortBufferError },
  },
  {
    // The script tag body of `ffmpeg -f lavfi -i testsrc2 -f lavfi -i sine -t 1 -c:v libx264
    // -c:a aac -f flv` (Lavf59.27.100): onMetaData and an ECMA array of 13 members.
    name: 'FLV onMetaData ECMA array as ffmpeg writes it',
    hex: `02000a6f6e4d65746144617461080000000d00086475726174696f6e003ff147
      ae147ae14800057769647468004074000000000000000668656967687400406e
      000000000000000d766964656f64617461726174650000000000000000000009
      6672616d6572617465004039000000000000000c766964656f636f6465636964
      00401c000000000000000d617564696f6461746172617465004050d880000000
      00000f617564696f73616d706c65726174650040e5888000000000000f617564
      696f73616d706c6573697a65004030000000000000000673746572656f010000
      0c617564696f636f64656369640040240000000000000007656e636f64657202
      000d4c61766635392e32372e313030000866696c6573697a650040e6c5400000
      0000000009`,
    values: [
      'onMetaData',
      ecmaArray({
        duration: 1.08,
        width: 320,
        height: 240,
        videodatarate: 0,
        framerate: 25,
        videocodecid: 7,
        audiodatarate: 67.3828125,
        audiosamplerate: 44100,
        audiosamplesize: 16,
        stereo: false,
        audiocodecid: 10,
        encoder: 'Lavf59.27.100',
        filesize: 46634,
      }),
    ],
    corrupt: { at: 292, byte: 0x0a, error: ShortBufferError },
  },
  {
    // The RTMP data message OBS and ffmpeg send before media: @setDataFrame, onMetaData, ECMA array.
    name: 'RTMP @setDataFrame onMetaData as OBS sends it',
    hex: `02 000d 40736574446174614672616d65 | 02 000a 6f6e4d65746144617461 |
      08 00000003 | 0005 7769647468 00 4094000000000000 | 0006 686569676874 00 4086800000000000 |
      0007 656e636f646572 02 0029 6f62732d6f7574707574206d6f64756c6520286c69626f62732076657273696f6e2033302e302e3229 |
      000009`,
    values: [
      '@setDataFrame',
      'onMetaData',
      ecmaArray({ width: 1280, height: 720, encoder: 'obs-output module (libobs version 30.0.2)' }),
    ],
    corrupt: { at: 18, byte: 0xff, error: ShortBufferError },
  },
  {
    // What lal answers to connect.
    name: 'RTMP _result for connect',
    hex: `02 0007 5f726573756c74 | 00 3ff0000000000000 |
      03 | 0006 666d73566572 02 000d 464d532f332c302c312c313233 | 000c 6361706162696c6974696573 00 403f000000000000 | 000009 |
      03 | 0005 6c6576656c 02 0006 737461747573 |
           0004 636f6465 02 001d 4e6574436f6e6e656374696f6e2e436f6e6e6563742e53756363657373 |
           000b 6465736372697074696f6e 02 0015 436f6e6e656374696f6e207375636365656465642e |
           000e 6f626a656374456e636f64696e67 00 0000000000000000 | 000009`,
    values: [
      '_result',
      1,
      o({ fmsVer: 'FMS/3,0,1,123', capabilities: 31 }),
      o({
        level: 'status',
        code: 'NetConnection.Connect.Success',
        description: 'Connection succeeded.',
        objectEncoding: 0,
      }),
    ],
    corrupt: { at: 19, byte: 0x08, error: ShortBufferError },
  },
  {
    name: 'RTMP createStream',
    hex: '02 000c 63726561746553747265616d | 00 4000000000000000 | 05',
    values: ['createStream', 2, null],
    truncateAt: 20,
    corrupt: { at: 24, byte: 0x09, error: ProtocolError },
  },
];

describe('AMF0 golden bytes', () => {
  for (const g of GOLDENS) {
    const bytes = unhex(g.hex);
    describe(g.name, () => {
      it('decodes to the expected values', () => {
        const got = decodeAmf0(bytes);
        assert.deepStrictEqual(got, g.values);
        for (let i = 0; i < got.length; i++) {
          assert.equal(isEcmaArray(got[i]), isEcmaArray(g.values[i]), `value ${i} ECMA marker`);
          assertNullPrototypes(got[i]);
        }
      });
      if (g.roundTrip !== false) {
        it('encodes back to the same bytes', () => {
          assert.equal(hex(encodeAmf0(g.values)), hex(bytes));
          assert.equal(hex(encodeAmf0(decodeAmf0(bytes))), hex(bytes));
        });
      }
      it('truncated twin throws ShortBufferError', () => {
        if (g.values.length === 1) {
          for (let n = 0; n < bytes.length; n++) {
            const r = new ByteReader(bytes.subarray(0, n), 'test');
            assert.throws(() => decodeAmf0Value(r), ShortBufferError, `prefix of ${n} bytes`);
          }
        } else {
          const cut = g.truncateAt ?? bytes.length - 1;
          assert.throws(() => decodeAmf0(bytes.subarray(0, cut)), ShortBufferError);
          // every prefix either ends inside a value (ShortBufferError) or after one of them
          for (let n = 0; n < bytes.length; n++) {
            let got: AmfValue[];
            try {
              got = decodeAmf0(bytes.subarray(0, n));
            } catch (e) {
              assert.ok(e instanceof ShortBufferError, `prefix of ${n} bytes: ${String(e)}`);
              continue;
            }
            assert.deepStrictEqual(got, g.values.slice(0, got.length), `prefix of ${n} bytes`);
          }
        }
      });
      it(`corrupted twin throws ${g.corrupt.error.name}`, () => {
        const bad = Buffer.from(bytes);
        assert.notEqual(bad[g.corrupt.at], g.corrupt.byte, 'the corruption changes a byte');
        bad[g.corrupt.at] = g.corrupt.byte;
        assert.throws(
          () => decodeAmf0(bad),
          (e: unknown) => e instanceof g.corrupt.error && /^amf: /.test((e as Error).message),
        );
      });
    });
  }
});

/** Every object a decoder builds has a null prototype. */
function assertNullPrototypes(v: AmfValue, seen = new Set<unknown>()): void {
  if (typeof v !== 'object' || v === null || seen.has(v)) return;
  seen.add(v);
  if (Array.isArray(v)) {
    for (const x of v) assertNullPrototypes(x, seen);
  } else if (v instanceof AmfTypedObject) {
    assertNullPrototypes(v.properties, seen);
  } else if (Object.getPrototypeOf(v) === null) {
    for (const x of Object.values(v)) assertNullPrototypes(x as AmfValue, seen);
  }
}

describe('AMF0 decoding details', () => {
  it('keeps identity for references and cycles', () => {
    const [arr] = decodeAmf0(unhex('0a 00000002 03 0001 61 05 000009 07 0001'));
    assert.ok(Array.isArray(arr));
    assert.equal(arr[0], arr[1]);
    const [self] = decodeAmf0(unhex('03 0004 73656c66 07 0000 000009'));
    assert.equal((self as Record<string, unknown>).self, self);
  });

  it('counts typed objects and strict arrays in the reference table, in document order', () => {
    // [ Foo{}, [ ], ref 1 (Foo), ref 2 (inner array) ]: table = outer(0), Foo(1), inner(2)
    const bytes = unhex('0a 00000004 10 0003 466f6f 000009 0a 00000000 07 0001 07 0002');
    const [arr] = decodeAmf0(bytes);
    assert.ok(Array.isArray(arr));
    assert.ok(arr[0] instanceof AmfTypedObject);
    assert.equal(arr[2], arr[0]);
    assert.equal(arr[3], arr[1]);
    assert.equal(hex(encodeAmf0([arr])), hex(bytes));
  });

  it('reads a long string (2.14) and writes strings over 65535 bytes as long strings', () => {
    const long = 'a'.repeat(65536);
    const bytes = Buffer.concat([unhex('0c 00010000'), Buffer.from(long)]);
    assert.deepStrictEqual(decodeAmf0(bytes), [long]);
    assert.equal(hex(encodeAmf0([long])), hex(bytes));
    const max = 'b'.repeat(65535);
    assert.equal(hex(encodeAmf0Value(max).subarray(0, 3)), '02ffff');
    // A short long string decodes too (and is written back as a plain string).
    assert.deepStrictEqual(decodeAmf0(unhex('0c 00000003 616263')), ['abc']);
    assert.throws(() => decodeAmf0(bytes.subarray(0, bytes.length - 1)), ShortBufferError);
    const corrupt = Buffer.from(bytes);
    corrupt[4] = 0x01;
    assert.throws(() => decodeAmf0(corrupt), ShortBufferError);
  });

  it('ignores the ECMA array count and reads to the object end', () => {
    // count 0 (some encoders) and count 0xffffffff (a lie): neither is trusted or allocated
    for (const count of ['00000000', 'ffffffff']) {
      const [v] = decodeAmf0(unhex(`08 ${count} 0001 61 05 000009`));
      assert.deepStrictEqual(v, ecmaArray({ a: null }));
      assert.ok(isEcmaArray(v));
    }
  });

  it('ignores the date time zone', () => {
    const [d] = decodeAmf0(unhex('0b 4276f5e66e800000 ff88'));
    assert.deepStrictEqual(d, new Date(Date.UTC(2020, 0, 1)));
  });

  it('reads the member named "" when the empty name is not followed by object-end', () => {
    const [v] = decodeAmf0(unhex('03 0000 05 000009'));
    assert.deepStrictEqual(v, o({ '': null }));
    assert.equal(hex(encodeAmf0([v])), '030000050000' + '09');
  });

  it('never assigns a wire key onto a prototype', () => {
    // { __proto__: { x: 1 }, constructor: "c" }
    const bytes = unhex(
      '03 0009 5f5f70726f746f5f5f 03 0001 78 00 3ff0000000000000 000009 000b 636f6e7374727563746f72 02 0001 63 000009',
    );
    const [v] = decodeAmf0(bytes);
    assert.ok(typeof v === 'object' && v !== null && !Array.isArray(v));
    assert.equal(Object.getPrototypeOf(v), null);
    assert.deepStrictEqual(Object.keys(v), ['__proto__', 'constructor']);
    assert.deepStrictEqual(Object.getOwnPropertyDescriptor(v, '__proto__')?.value, o({ x: 1 }));
    assert.equal(({} as Record<string, unknown>).x, undefined, 'Object.prototype untouched');
    assert.equal(hex(encodeAmf0([v])), hex(bytes));
    // The same through an ECMA array and a typed object.
    const [e] = decodeAmf0(unhex('08 00000001 0009 5f5f70726f746f5f5f 00 3ff0000000000000 000009'));
    assert.equal(Object.getPrototypeOf(e), null);
    assert.equal(Object.getOwnPropertyDescriptor(e, '__proto__')?.value, 1);
    // ecmaArray()/amfObject() copy __proto__ safely too.
    const built = ecmaArray(JSON.parse('{"__proto__": 5}') as Record<string, AmfValue>);
    assert.equal(Object.getPrototypeOf(built), null);
    assert.equal(Object.getOwnPropertyDescriptor(built, '__proto__')?.value, 5);
  });

  it('rejects the reserved and out-of-place markers with typed errors', () => {
    const cases: [string, ErrorClass, RegExp][] = [
      ['04', UnsupportedError, /movieclip/],
      ['0e', UnsupportedError, /recordset/],
      ['09', ProtocolError, /object-end/],
      ['12', ProtocolError, /unknown AMF0 type marker 0x12/],
      ['ff', ProtocolError, /0xff/],
      ['07 0000', ProtocolError, /reference to object 0, but only 0/],
      ['', ShortBufferError, /^amf: AMF0 type marker: need 1 bytes, got 0$/],
    ];
    for (const [h, cls, re] of cases) {
      assert.throws(
        () => decodeAmf0Value(new ByteReader(unhex(h), 'x')),
        (e: unknown) =>
          e instanceof cls && re.test((e as Error).message) && /^amf: /.test((e as Error).message),
        h,
      );
    }
  });

  it('decodes value by value with a reader, sharing tables through AmfDecoder', () => {
    const body = unhex('02 0004 63616c6c 00 4014000000000000 03 0001 61 05 000009 07 0000');
    const r = new ByteReader(body, 'rtmp: command');
    const d = new AmfDecoder();
    assert.equal(d.readAmf0(r), 'call');
    assert.equal(r.pos, 7);
    assert.equal(d.readAmf0(r), 5);
    const obj = d.readAmf0(r);
    assert.equal(d.readAmf0(r), obj, 'the reference in a later value resolves through the shared table');
    assert.equal(r.remaining, 0);
    d.reset();
    assert.throws(() => d.readAmf0(new ByteReader(unhex('07 0000'), 'x')), ProtocolError);
    // A read that fails leaves the reader where it failed and throws a typed error.
    const r2 = new ByteReader(unhex('05 02 0009 61'), 'x');
    assert.equal(decodeAmf0Value(r2), null);
    assert.throws(() => decodeAmf0Value(r2), ShortBufferError);
  });

  it('decodes from a Uint8Array view at an offset as well as from a Buffer', () => {
    const backing = new Uint8Array(20);
    backing.set(unhex('02 0003 616263'), 5);
    assert.deepStrictEqual(decodeAmf0(backing.subarray(5, 11)), ['abc']);
    assert.deepStrictEqual(decodeAmf0Value(new ByteReader(backing, 'x', 5, 11)), 'abc');
  });

  it('copies nothing from the input: decoded values survive the buffer being overwritten', () => {
    const bytes = Buffer.from(unhex('11 0c 07 010203'));
    const [v] = decodeAmf0(bytes);
    bytes.fill(0);
    assert.deepStrictEqual(v, Uint8Array.of(1, 2, 3));
  });
});

describe('AMF0 encoding details', () => {
  it('writes AmfXml as an XML document and Uint8Array through the AVM+ switch', () => {
    assert.equal(hex(encodeAmf0Value(new AmfXml('<a/>'))), '0f000000043c612f3e');
    assert.equal(hex(encodeAmf0([Uint8Array.of(9), Uint8Array.of(9)])), '110c0309110c0309');
    const b = Uint8Array.of(7);
    // the same ByteArray twice: the second is an AMF3 object reference (tables shared per call)
    assert.equal(hex(encodeAmf0([b, b])), '110c0307110c00');
    assert.deepStrictEqual(decodeAmf0(encodeAmf0([b, b])), [b, b]);
  });

  it('writes shared objects as references unless told not to', () => {
    const s = o({ a: 1 });
    const withRefs = encodeAmf0([[s, s]]);
    assert.equal(hex(withRefs.subarray(-3)), '070001');
    const without = encodeAmf0([[s, s]], { useReferences: false });
    assert.deepStrictEqual(decodeAmf0(without), [[o({ a: 1 }), o({ a: 1 })]]);
    assert.ok(without.length > withRefs.length);
  });

  it('encodes plain object literals and objects with a null prototype alike', () => {
    assert.equal(hex(encodeAmf0Value({ a: null })), hex(encodeAmf0Value(o({ a: null }))));
  });

  it('rejects values AMF0 cannot carry with InvalidArgError', () => {
    const bad: unknown[] = [() => 1, Symbol('s'), 10n, new Map(), new (class Foo {})(), { k: new Set() }];
    for (const v of bad) {
      assert.throws(
        () => encodeAmf0Value(v as AmfValue),
        (e: unknown) => e instanceof InvalidArgError && /^amf: cannot encode/.test((e as Error).message),
      );
    }
    assert.throws(() => encodeAmf0Value(o({ ['k'.repeat(65536)]: 1 })), InvalidArgError);
    assert.throws(() => encodeAmf0Value(new AmfTypedObject('C'.repeat(65536))), InvalidArgError);
  });

  it('is usable incrementally through Amf0Encoder', () => {
    const e = new Amf0Encoder();
    e.write('createStream').write(2).write(null);
    assert.equal(hex(e.finish()), '02000c63726561746553747265616d00400000000000000005');
  });
});
