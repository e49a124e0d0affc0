import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  be16,
  be24,
  be24s,
  be32,
  beF64,
  le16,
  le24,
  le32,
  putBe24,
  putBe32,
  putBeF64,
  putLe32,
} from './bele.js';
import { BitReader } from './bit-reader.js';
import { BitWriter } from './bit-writer.js';
import { ByteQueue } from './byte-queue.js';
import { ByteReader } from './byte-reader.js';
import { ByteWriter } from './byte-writer.js';
import { LalError, ProtocolError, ShortBufferError } from './errors.js';
import { hex, unhex } from './hex.js';

describe('bele', () => {
  const b = unhex('01 02 03 04 ff fe fd fc');
  it('reads big and little endian', () => {
    assert.equal(be16(b, 0), 0x0102);
    assert.equal(be24(b, 0), 0x010203);
    assert.equal(be32(b, 0), 0x01020304);
    assert.equal(be32(b, 4), 0xfffefdfc);
    assert.equal(le16(b, 0), 0x0201);
    assert.equal(le24(b, 0), 0x030201);
    assert.equal(le32(b, 4), 0xfcfdfeff);
    assert.equal(be24s(unhex('ffffff'), 0), -1);
    assert.equal(be24s(unhex('800000'), 0), -0x800000);
    assert.equal(be24s(unhex('7fffff'), 0), 0x7fffff);
  });
  it('writes what it reads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 0xffffffff }), (v) => {
        const o = new Uint8Array(4);
        putBe32(o, 0, v);
        assert.equal(be32(o, 0), v);
        putLe32(o, 0, v);
        assert.equal(le32(o, 0), v);
        putBe24(o, 0, v & 0xffffff);
        assert.equal(be24(o, 0), v & 0xffffff);
      }),
    );
    fc.assert(
      fc.property(fc.double(), (v) => {
        const o = new Uint8Array(8);
        putBeF64(o, 0, v);
        assert.ok(Object.is(beF64(o, 0), v));
      }),
    );
    const o = new Uint8Array(8);
    putBeF64(o, 0, 1);
    assert.equal(hex(o), '3ff0000000000000');
  });
});

describe('ByteReader', () => {
  it('reads fields in order and returns views', () => {
    const buf = Uint8Array.from(unhex('01 0203 040506 0708090a 3ff0000000000000 aabb'));
    const r = new ByteReader(buf, 'test');
    assert.equal(r.u8(), 1);
    assert.equal(r.u16(), 0x0203);
    assert.equal(r.u24(), 0x040506);
    assert.equal(r.u32(), 0x0708090a);
    assert.equal(r.f64(), 1);
    const v = r.bytes(2);
    assert.equal(v.buffer, buf.buffer, 'bytes() is a view');
    assert.equal(r.remaining, 0);
  });
  it('throws ShortBufferError naming what it needed', () => {
    const r = new ByteReader(unhex('0102'), 'flv: tag header');
    r.u8();
    assert.throws(
      () => r.u32(),
      (e: unknown) =>
        e instanceof ShortBufferError && e.need === 4 && e.got === 1 && /^flv: tag header/.test(e.message),
    );
    assert.throws(() => r.bytes(5), ShortBufferError);
    assert.equal(r.u8(), 2, 'a failed read does not advance');
  });
  it('respects start/end bounds', () => {
    const r = new ByteReader(unhex('00 11 22 33'), 'x', 1, 3);
    assert.equal(r.u16(), 0x1122);
    assert.throws(() => r.u8(), ShortBufferError);
  });
});

describe('ByteWriter', () => {
  it('grows and packs big endian', () => {
    const w = new ByteWriter(1);
    w.u8(1).u16(0x0203).u24(0x040506).u32(0xfffefdfc).f64(1).bytes(unhex('aabb'));
    w.patchU24(1, 0x0a0b0c);
    assert.equal(hex(w.finish()), '010a0b0c0506fffefdfc3ff0000000000000aabb');
  });
});

describe('BitReader / BitWriter', () => {
  it('reads bits MSB first and exp-Golomb (ITU-T H.264 9.1 table 9-2)', () => {
    // ue: 1 -> 0, 010 -> 1, 011 -> 2, 00100 -> 3; se: 010 -> +1, 011 -> -1
    const r = new BitReader(Uint8Array.of(0b10100110, 0b01000000 | 0b00001011, 0b00000000), 'sps');
    assert.equal(r.readUE(), 0);
    assert.equal(r.readUE(), 1);
    assert.equal(r.readUE(), 2);
    assert.equal(r.readUE(), 3);
    assert.equal(r.readBits(4), 0b1011);
    assert.equal(r.bitsLeft, 8);
  });
  it('round-trips random fields', () => {
    const field = fc.oneof(
      fc.record({ k: fc.constant('bits' as const), n: fc.integer({ min: 0, max: 32 }), v: fc.nat() }),
      fc.record({ k: fc.constant('ue' as const), v: fc.integer({ min: 0, max: 0xfffffffe }) }),
      fc.record({ k: fc.constant('se' as const), v: fc.integer({ min: -0x7fffffff, max: 0x7fffffff }) }),
    );
    fc.assert(
      fc.property(fc.array(field, { maxLength: 40 }), (fields) => {
        const w = new BitWriter();
        const expect: number[] = [];
        for (const f of fields) {
          if (f.k === 'bits') {
            const v = f.n === 0 ? 0 : f.v % 2 ** f.n;
            w.writeBits(f.n, v);
            expect.push(v);
          } else if (f.k === 'ue') {
            w.writeUE(f.v);
            expect.push(f.v);
          } else {
            w.writeSE(f.v);
            expect.push(f.v);
          }
        }
        const r = new BitReader(w.finish());
        fields.forEach((f, i) => {
          const got = f.k === 'bits' ? r.readBits(f.n) : f.k === 'ue' ? r.readUE() : r.readSE();
          assert.equal(got, expect[i]);
        });
      }),
    );
  });
  it('throws typed errors on short input and overlong codes', () => {
    const r = new BitReader(Uint8Array.of(0xff), 'sps');
    r.readBits(7);
    assert.throws(() => r.readBits(2), ShortBufferError);
    assert.throws(() => new BitReader(new Uint8Array(8)).readUE(), ProtocolError);
    assert.throws(() => new BitReader(new Uint8Array(2)).readUE(), ShortBufferError);
  });
  it('never throws anything but a LalError on random input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 16 }), (b) => {
        const r = new BitReader(b);
        try {
          for (;;) r.readSE();
        } catch (e) {
          assert.ok(e instanceof LalError);
        }
      }),
    );
  });
});

describe('ByteQueue', () => {
  it('returns views inside a chunk and copies across chunks', () => {
    const q = new ByteQueue();
    const a = Uint8Array.of(0, 1, 2, 3);
    q.push(a);
    q.push(unhex('0405'));
    assert.equal(q.length, 6);
    const v = q.read(2);
    assert.equal(v.buffer, a.buffer, 'contiguous read is a view');
    assert.equal(q.peekUIntBE(0, 4), 0x02030405);
    const c = q.read(3);
    assert.notEqual(c.buffer, a.buffer, 'read across chunks is a copy');
    assert.equal(hex(c), '020304');
    assert.equal(q.peekU8(0), 5);
    assert.throws(() => q.read(2), ShortBufferError);
    q.skip(1);
    assert.equal(q.length, 0);
  });
  it('gives the same bytes however the input is split', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 1, maxLength: 200 }),
        fc.array(fc.integer({ min: 1, max: 50 }), { minLength: 1, maxLength: 20 }),
        fc.array(fc.integer({ min: 0, max: 30 }), { minLength: 1, maxLength: 20 }),
        (data, splits, reads) => {
          const q = new ByteQueue();
          let p = 0;
          let si = 0;
          while (p < data.length) {
            const n = splits[si++ % splits.length] as number;
            q.push(data.subarray(p, p + n));
            p += n;
          }
          const out: number[] = [];
          let ri = 0;
          while (q.length > 0) {
            const n = Math.min(q.length, reads[ri++ % reads.length] as number);
            if (n > 0) {
              assert.equal(q.peekUIntBE(0, Math.min(n, 4)), be(q.peek(Math.min(n, 4))));
            }
            out.push(...q.read(n));
            if (ri > 1000) break;
          }
          assert.deepEqual(Uint8Array.from(out), data.subarray(0, out.length));
        },
      ),
    );
  });
});

function be(b: Uint8Array): number {
  let v = 0;
  for (const x of b) v = v * 256 + x;
  return v;
}

describe('ByteQueue memory', () => {
  it('releases consumed chunks even when reads never end on a chunk boundary', () => {
    const q = new ByteQueue();
    const chunk = new Uint8Array(1000);
    q.push(chunk);
    q.skip(1);
    for (let i = 0; i < 10_000; i++) {
      q.push(chunk);
      q.skip(1000); // always ends 1 byte into a chunk, never on a boundary
      assert.equal(q.length, 999);
    }
    const internal = q as unknown as { chunks: Uint8Array[]; head: number };
    assert.ok(internal.chunks.length - internal.head <= 2, 'live chunks bounded');
    assert.ok(internal.chunks.length < 200, `slot list bounded (${internal.chunks.length})`);
  });
});
