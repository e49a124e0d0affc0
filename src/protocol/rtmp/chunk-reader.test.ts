import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgError, LalError, LimitError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { ChunkReader, type ChunkReaderOptions } from './chunk-reader.js';
import { packMessage } from './chunk-writer.js';
import { packControlMessage } from './control-message.js';
import { type RtmpMessage, RtmpMsgType } from './message-types.js';

interface Got {
  csid: number;
  typeId: number;
  streamId: number;
  timestampMs: number;
  payload: string;
}

function simplify(m: RtmpMessage): Got {
  return {
    csid: m.csid,
    typeId: m.typeId,
    streamId: m.streamId,
    timestampMs: m.timestampMs,
    payload: hex(m.payload),
  };
}

/** Feeds `input` in pieces of the given sizes (cycled) and returns what came out. */
function read(
  input: Uint8Array,
  opts: ChunkReaderOptions = {},
  splits: number[] = [input.length || 1],
): Got[] {
  const out: Got[] = [];
  const r = new ChunkReader({ onMessage: (m) => out.push(simplify(m)) }, opts);
  let p = 0;
  let i = 0;
  while (p < input.length) {
    const n = Math.max(1, splits[i++ % splits.length] as number);
    r.feed(input.subarray(p, p + n));
    p += n;
  }
  return out;
}

function bytes(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) & 0xff;
  return b;
}

function isRtmpError(ctor: new (...args: never[]) => LalError, re?: RegExp): (e: unknown) => boolean {
  return (e) =>
    e instanceof ctor && e.message.startsWith('rtmp: ') && (re === undefined || re.test(e.message));
}

describe('ChunkReader golden chunk headers', () => {
  it('fmt 0, 1, 2, 3 (new message) and 3 (continuation), spec 5.3.1.2', () => {
    // Chunk size 2 throughout.
    const input = unhex(`
      03 0003e8 000004 14 01000000 | 0102
      c3                           | 0304
      43 000014 000002 08          | aabb
      83 00000a                    | ccdd
      c3                           | eeff
      03 000000 000003 09 02000000 | 1122
      c3                           | 33
    `);
    const want: Got[] = [
      { csid: 3, typeId: 20, streamId: 1, timestampMs: 1000, payload: '01020304' },
      { csid: 3, typeId: 8, streamId: 1, timestampMs: 1020, payload: 'aabb' },
      { csid: 3, typeId: 8, streamId: 1, timestampMs: 1030, payload: 'ccdd' },
      { csid: 3, typeId: 8, streamId: 1, timestampMs: 1040, payload: 'eeff' },
      { csid: 3, typeId: 9, streamId: 2, timestampMs: 0, payload: '112233' },
    ];
    assert.deepEqual(read(input, { chunkSize: 2 }), want);
    assert.deepEqual(read(input, { chunkSize: 2 }, [1]), want, 'byte by byte');
  });

  it('fmt 3 starting a message after a fmt 0 header adds the fmt 0 timestamp again (ffmpeg, librtmp, SRS)', () => {
    const input = unhex('05 000064 000001 08 01000000 aa | c5 bb | c5 cc');
    assert.deepEqual(
      read(input).map((m) => m.timestampMs),
      [100, 200, 300],
    );
  });

  it('2-byte and 3-byte basic headers', () => {
    const input = unhex(`
      00 24   000001 000001 08 00000000 | 01
      01 5001 000002 000001 08 00000000 | 02
      40 24   000001 000001 08          | 03
      c1 5001                           | 04
      01 ffff 000000 000001 08 00000000 | 05
      00 00   000000 000001 08 00000000 | 06
      01 0000 000000 000001 08 00000000 | 07
    `);
    assert.deepEqual(
      read(input).map((m) => [m.csid, m.timestampMs, m.payload]),
      [
        [100, 1, '01'],
        [400, 2, '02'],
        [100, 2, '03'],
        [400, 4, '04'],
        [65599, 0, '05'],
        [64, 0, '06'],
        [64, 0, '07'],
      ],
    );
  });

  it('extended timestamp in fmt 0, repeated in fmt 3 continuation chunks', () => {
    const input = unhex(`
      04 ffffff 000005 09 01000000 01000000 | 0001
      c4 01000000                           | 0203
      c4 01000000                           | 04
    `);
    assert.deepEqual(read(input, { chunkSize: 2 }), [
      { csid: 4, typeId: 9, streamId: 1, timestampMs: 0x01000000, payload: '0001020304' },
    ]);
    // Exactly what packMessage writes.
    const packed = packMessage(
      { csid: 4, typeId: 9, streamId: 1, timestampMs: 0x01000000, payload: bytes(5) },
      2,
    );
    assert.equal(hex(packed), hex(input));
  });

  it('extended timestamp deltas in fmt 1/2 and in a fmt 3 chunk starting a message', () => {
    const input = unhex(`
      06 000010 000001 09 01000000          | 01
      46 ffffff 000001 09          01000000 | 02
      c6                           01000001 | 03
      86 000005                             | 04
      c6                                    | 05
    `);
    assert.deepEqual(
      read(input).map((m) => m.timestampMs),
      [0x10, 0x01000010, 0x02000011, 0x02000016, 0x0200001b],
    );
  });

  it('timestamps wrap modulo 2^32', () => {
    const input = unhex(`
      06 ffffff 000001 09 01000000 fffffff0 | 01
      86 000020                             | 02
      c6                                    | 03
    `);
    assert.deepEqual(
      read(input).map((m) => m.timestampMs),
      [0xfffffff0, 0x10, 0x30],
    );
  });

  it('interleaved chunk streams', () => {
    // Video on csid 6 (5 bytes in chunks of 2) interleaved with audio on csid 4.
    const input = unhex(`
      06 000000 000005 09 01000000 | 0001
      04 000000 000001 08 01000000 | aa
      c6                           | 0203
      44 000017 000001 08          | bb
      c6                           | 04
    `);
    assert.deepEqual(
      read(input, { chunkSize: 2 }).map((m) => [m.csid, m.timestampMs, m.payload]),
      [
        [4, 0, 'aa'],
        [4, 23, 'bb'],
        [6, 0, '0001020304'],
      ],
    );
  });

  it('a chunk stream may open with fmt 1 (librtmp sends its first ping that way)', () => {
    const input = unhex('42 000000 000006 04 | 0006 00000d0f');
    assert.deepEqual(read(input), [
      { csid: 2, typeId: 4, streamId: 0, timestampMs: 0, payload: '000600000d0f' },
    ]);
  });

  it('a zero-length message', () => {
    assert.deepEqual(read(unhex('03 000001 000000 14 00000000 | c3')), [
      { csid: 3, typeId: 20, streamId: 0, timestampMs: 1, payload: '' },
      { csid: 3, typeId: 20, streamId: 0, timestampMs: 2, payload: '' },
    ]);
  });

  it('payload is a view when the message arrived in one piece, else assembled once', () => {
    const input = packMessage({ csid: 6, typeId: 9, streamId: 1, timestampMs: 0, payload: bytes(100) }, 128);
    const seen: RtmpMessage[] = [];
    new ChunkReader({ onMessage: (m) => seen.push(m) }).feed(input);
    assert.equal(seen[0]?.payload.buffer, input.buffer);
    // (5000 bytes: larger than Buffer's pool slab, so neither buffer comes from the shared pool.)
    const multi = packMessage({ csid: 6, typeId: 9, streamId: 1, timestampMs: 0, payload: bytes(5000) }, 128);
    const seen2: RtmpMessage[] = [];
    new ChunkReader({ onMessage: (m) => seen2.push(m) }).feed(multi);
    assert.notEqual(seen2[0]?.payload.buffer, multi.buffer);
    assert.equal(hex(seen2[0]?.payload ?? new Uint8Array(0)), hex(bytes(5000)));
  });
});

describe('ChunkReader protocol control', () => {
  it('applies Set Chunk Size at once, also in the middle of another message', () => {
    const scs = packControlMessage({ typeId: RtmpMsgType.SetChunkSize, chunkSize: 4 }, 2);
    const input = Buffer.concat([
      unhex('06 000000 00000a 09 01000000 | 0001'), // chunk size 2: first 2 bytes
      scs, // from now on 4
      unhex('c6 02030405 | c6 060708 09'),
    ]);
    const out: Got[] = [];
    const r = new ChunkReader({ onMessage: (m) => out.push(simplify(m)) }, { chunkSize: 2 });
    r.feed(input);
    assert.equal(r.chunkSize, 4);
    assert.deepEqual(
      out.map((m) => [m.typeId, m.payload]),
      [
        [1, '00000004'],
        [9, '00010203040506070809'],
      ],
    );
  });

  it('Abort drops the partial message of that chunk stream', () => {
    const abort = packControlMessage({ typeId: RtmpMsgType.Abort, csid: 6 }, 2);
    const input = Buffer.concat([
      unhex('06 000000 000004 09 01000000 | 0001'),
      abort,
      unhex('06 000005 000002 09 01000000 | aabb'),
    ]);
    assert.deepEqual(
      read(input, { chunkSize: 2 }).map((m) => [m.typeId, m.timestampMs, m.payload]),
      [
        [2, 0, '00000006'],
        [9, 5, 'aabb'],
      ],
    );
  });

  it('says when an Acknowledgement is due after the peer window', () => {
    const acks: number[] = [];
    const r = new ChunkReader({ onMessage: () => {}, onAckDue: (n) => acks.push(n) });
    const was = packControlMessage({ typeId: RtmpMsgType.WindowAckSize, windowSize: 100 }, 128);
    r.feed(was); // 16 bytes
    assert.equal(r.windowAckSize, 100);
    const msg = packMessage({ csid: 6, typeId: 9, streamId: 1, timestampMs: 0, payload: bytes(40) }, 128); // 52
    r.feed(msg);
    assert.deepEqual(acks, []);
    r.feed(msg); // 120 bytes in
    assert.deepEqual(acks, [120]);
    r.feed(msg);
    r.feed(msg); // 224: 104 since the last ack
    assert.deepEqual(acks, [120, 224]);
    assert.equal(r.bytesReceived, 224);
  });

  it('a throwing handler passes through and leaves the reader usable', () => {
    let n = 0;
    const r = new ChunkReader({
      onMessage: () => {
        if (n++ === 0) throw new Error('listener bug');
      },
    });
    const m = packMessage({ csid: 3, typeId: 20, streamId: 0, timestampMs: 0, payload: bytes(3) }, 128);
    assert.throws(() => r.feed(Buffer.concat([m, m])), /listener bug/);
    r.feed(new Uint8Array(0));
    assert.equal(n, 2);
    assert.equal(r.failure, null);
  });
});

describe('ChunkReader limits and impossible headers', () => {
  it('message length over maxMessageSize', () => {
    const input = unhex('06 000000 000101 09 01000000');
    assert.throws(() => read(input, { maxMessageSize: 256 }), isRtmpError(LimitError, /message length/));
    assert.doesNotThrow(() => read(unhex('06 000000 000100 09 01000000'), { maxMessageSize: 256 }));
    // fmt 1 declares a new length too.
    assert.throws(
      () => read(unhex('06 000000 000001 09 01000000 | aa | 46 000000 000101 09'), { maxMessageSize: 256 }),
      LimitError,
    );
  });

  it('more chunk streams than allowed', () => {
    const parts: Uint8Array[] = [];
    for (let csid = 2; csid < 6; csid++) {
      parts.push(packMessage({ csid, typeId: 8, streamId: 0, timestampMs: 0, payload: bytes(1) }, 128));
    }
    const input = Buffer.concat(parts);
    assert.equal(read(input, { maxChunkStreams: 4 }).length, 4);
    assert.throws(() => read(input, { maxChunkStreams: 3 }), isRtmpError(LimitError, /chunk streams/));
  });

  it('set chunk size of 0, with the top bit set, or over maxChunkSize', () => {
    const scs = (v: string) => unhex(`02 000000 000004 01 00000000 ${v}`);
    assert.throws(() => read(scs('00000000')), isRtmpError(ProtocolError, /set chunk size 0/));
    assert.throws(() => read(scs('80000000')), isRtmpError(ProtocolError));
    assert.throws(
      () => read(scs('00010001'), { maxChunkSize: 0x10000 }),
      isRtmpError(LimitError, /set chunk size/),
    );
    assert.doesNotThrow(() => read(scs('00010000'), { maxChunkSize: 0x10000 }));
    assert.throws(() => read(unhex('02 000000 000002 01 00000000 0001')), isRtmpError(ShortBufferError));
  });

  it('total of messages in progress over maxPendingMessageBytes', () => {
    // Three chunk streams each start a 300-byte message (chunk size 128): 900 bytes in progress.
    const starts = [3, 4, 5].map((csid) =>
      packMessage({ csid, typeId: 9, streamId: 1, timestampMs: 0, payload: bytes(300) }, 128).subarray(
        0,
        140,
      ),
    );
    const input = Buffer.concat(starts);
    assert.throws(
      () => read(input, { maxPendingMessageBytes: 899 }),
      isRtmpError(LimitError, /messages in progress: 900 exceeds the limit of 899/),
    );
    assert.doesNotThrow(() => read(input, { maxPendingMessageBytes: 900 }));
    // Completed and aborted messages give their share back.
    const whole = packMessage({ csid: 3, typeId: 9, streamId: 1, timestampMs: 0, payload: bytes(300) }, 128);
    assert.equal(read(Buffer.concat([whole, whole, whole]), { maxPendingMessageBytes: 300 }).length, 3);
    const abort = packControlMessage({ typeId: RtmpMsgType.Abort, csid: 3 }, 128);
    assert.doesNotThrow(() =>
      read(Buffer.concat([whole.subarray(0, 140), abort, whole]), { maxPendingMessageBytes: 300 }),
    );
  });

  it('rejects options outside their domain', () => {
    assert.throws(() => new ChunkReader({ onMessage: () => {} }, { chunkSize: 0 }), InvalidArgError);
    assert.throws(() => new ChunkReader({ onMessage: () => {} }, { maxChunkStreams: 0 }), InvalidArgError);
    assert.throws(() => new ChunkReader({ onMessage: () => {} }, { maxMessageSize: -1 }), InvalidArgError);
  });

  it('fmt 2/3 on a chunk stream never opened', () => {
    assert.throws(() => read(unhex('c3 00')), isRtmpError(ProtocolError, /fmt 3 .*never opened/));
    assert.throws(() => read(unhex('83 000000 00')), isRtmpError(ProtocolError, /fmt 2 .*never opened/));
  });

  it('a fmt 0 header or a changed length in the middle of a message', () => {
    const start = '06 000000 000004 09 01000000 | 0001';
    assert.throws(
      () => read(unhex(`${start} | 06 000000 000004 09 01000000`), { chunkSize: 2 }),
      isRtmpError(ProtocolError, /fmt 0 header inside a message/),
    );
    assert.throws(
      () => read(unhex(`${start} | 46 000000 000005 09`), { chunkSize: 2 }),
      isRtmpError(ProtocolError, /changed mid-message/),
    );
    // The same length and type in a fmt 1/2 header is tolerated as a continuation (as SRS does).
    assert.deepEqual(
      read(unhex(`${start} | 46 000007 000004 09 | 0203`), { chunkSize: 2 }).map((m) => [
        m.timestampMs,
        m.payload,
      ]),
      [[0, '00010203']],
    );
  });

  it('is dead after an error: every later feed throws the same error', () => {
    const r = new ChunkReader({ onMessage: () => {} });
    assert.throws(() => r.feed(unhex('c3')), ProtocolError);
    const err = r.failure;
    assert.ok(err instanceof ProtocolError);
    assert.throws(
      () => r.feed(unhex('03 000000 000000 14 00000000')),
      (e: unknown) => e === err,
    );
  });
});

// ---------------------------------------------------------------------------------------------
// A reference encoder that compresses headers the way ffmpeg's ff_rtmp_packet_write does (fmt 0
// for a new chunk stream, a new stream id or a timestamp going back; fmt 1 when length or type
// change; fmt 2 when only the delta changes; fmt 3 when nothing changes; extended timestamp for
// values >= 0xFFFFFF, repeated in every continuation chunk). `wrapDeltas` sends deltas modulo 2^32
// instead of falling back to fmt 0, to exercise wrap-around. Returns each message's chunks
// separately so a test can interleave chunk streams.

interface Prev {
  timestampMs: number;
  tsField: number;
  length: number;
  typeId: number;
  streamId: number;
}

class RefEncoder {
  private readonly prev = new Map<number, Prev>();
  constructor(private readonly wrapDeltas: boolean) {}

  chunks(m: RtmpMessage, chunkSize: number): Uint8Array[] {
    const prev = this.prev.get(m.csid);
    const useDelta =
      prev !== undefined &&
      prev.streamId === m.streamId &&
      (this.wrapDeltas || m.timestampMs >= prev.timestampMs);
    const value = useDelta ? (m.timestampMs - prev.timestampMs) >>> 0 : m.timestampMs;
    const ext = value >= 0xffffff;
    const tsField = ext ? 0xffffff : value;
    let fmt = 0;
    if (useDelta) {
      fmt =
        m.payload.length === prev.length && m.typeId === prev.typeId ? (tsField === prev.tsField ? 3 : 2) : 1;
    }
    this.prev.set(m.csid, {
      timestampMs: m.timestampMs,
      tsField,
      length: m.payload.length,
      typeId: m.typeId,
      streamId: m.streamId,
    });
    const out: Uint8Array[] = [];
    let off = 0;
    do {
      const h: number[] = basic(off === 0 ? fmt : 3, m.csid);
      if (off === 0 && fmt < 3) {
        h.push((tsField >>> 16) & 0xff, (tsField >>> 8) & 0xff, tsField & 0xff);
        if (fmt < 2) {
          const l = m.payload.length;
          h.push((l >>> 16) & 0xff, (l >>> 8) & 0xff, l & 0xff, m.typeId);
          if (fmt === 0) {
            const s = m.streamId;
            h.push(s & 0xff, (s >>> 8) & 0xff, (s >>> 16) & 0xff, s >>> 24);
          }
        }
      }
      if (ext) h.push(value >>> 24, (value >>> 16) & 0xff, (value >>> 8) & 0xff, value & 0xff);
      const n = Math.min(chunkSize, m.payload.length - off);
      out.push(Buffer.concat([Uint8Array.from(h), m.payload.subarray(off, off + n)]));
      off += n;
    } while (off < m.payload.length);
    return out;
  }
}

function basic(fmt: number, csid: number): number[] {
  if (csid < 64) return [(fmt << 6) | csid];
  if (csid < 320) return [fmt << 6, csid - 64];
  return [(fmt << 6) | 1, (csid - 64) & 0xff, (csid - 64) >>> 8];
}

const timestampArb = fc.oneof(
  fc.integer({ min: 0, max: 100000 }),
  fc.integer({ min: 0xffff00, max: 0x1000100 }),
  fc.integer({ min: 0xffffff00, max: 0xffffffff }),
  fc.integer({ min: 0, max: 0xffffffff }),
);

const messageArb = (maxLen: number) =>
  fc.record({
    csid: fc.oneof(fc.integer({ min: 2, max: 8 }), fc.constantFrom(63, 64, 100, 319, 320, 1000, 65599)),
    typeId: fc.constantFrom(8, 9, 18, 20),
    streamId: fc.oneof(fc.constant(1), fc.integer({ min: 0, max: 0xffffffff })),
    timestampMs: timestampArb,
    payload: fc.uint8Array({ maxLength: maxLen }),
  });

function byCsid(msgs: readonly Got[]): Map<number, Got[]> {
  const m = new Map<number, Got[]>();
  for (const x of msgs) {
    const l = m.get(x.csid) ?? [];
    l.push(x);
    m.set(x.csid, l);
  }
  return m;
}

describe('ChunkReader round trips (property)', () => {
  it('reads back what packMessage wrote, however the bytes are split', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 300 }),
        fc.array(messageArb(700), { maxLength: 12 }),
        fc.array(fc.integer({ min: 1, max: 400 }), { minLength: 1, maxLength: 8 }),
        (chunkSize, msgs, splits) => {
          const wire = Buffer.concat(msgs.map((m) => packMessage(m, chunkSize)));
          const got = read(wire, { chunkSize, maxChunkStreams: 100 }, splits);
          assert.deepEqual(got, msgs.map(simplify));
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads back header-compressed, interleaved chunk streams (ffmpeg-style writer)', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 1, max: 200 }),
        fc.array(messageArb(500), { maxLength: 16 }),
        fc.array(fc.nat(), { minLength: 1, maxLength: 50 }),
        fc.boolean(),
        fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 8 }),
        (chunkSize, msgs, picks, wrapDeltas, splits) => {
          // Per csid, the chunks of its messages in order; then interleave chunk streams.
          const enc = new RefEncoder(wrapDeltas);
          const queues = new Map<number, Uint8Array[]>();
          for (const m of msgs) {
            const q = queues.get(m.csid) ?? [];
            q.push(...enc.chunks(m, chunkSize));
            queues.set(m.csid, q);
          }
          const parts: Uint8Array[] = [];
          let pi = 0;
          for (;;) {
            const live = [...queues.values()].filter((q) => q.length > 0);
            if (live.length === 0) break;
            const q = live[(picks[pi++ % picks.length] as number) % live.length] as Uint8Array[];
            parts.push(q.shift() as Uint8Array);
          }
          const got = read(Buffer.concat(parts), { chunkSize, maxChunkStreams: 100 }, splits);
          const gotByCsid = byCsid(got);
          assert.equal(got.length, msgs.length);
          for (const [csid, l] of byCsid(msgs.map(simplify)))
            assert.deepEqual(gotByCsid.get(csid), l, `csid ${csid}`);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('ChunkReader on hostile input (property)', () => {
  /** Runs `fn` recording the largest Buffer.allocUnsafe request. */
  function maxAlloc(fn: () => void): number {
    const orig = Buffer.allocUnsafe;
    let max = 0;
    Buffer.allocUnsafe = ((n: number) => {
      if (n > max) max = n;
      return orig(n);
    }) as typeof Buffer.allocUnsafe;
    try {
      fn();
    } finally {
      Buffer.allocUnsafe = orig;
    }
    return max;
  }

  function survive(input: Uint8Array, splits: number[], opts: ChunkReaderOptions): void {
    let n = 0;
    const r = new ChunkReader(
      {
        onMessage: (m) => {
          n++;
          assert.ok(m.payload.length <= (opts.maxMessageSize ?? Number.POSITIVE_INFINITY));
        },
        onAckDue: () => {},
      },
      opts,
    );
    let p = 0;
    let i = 0;
    try {
      while (p < input.length) {
        const k = Math.max(1, splits[i++ % splits.length] as number);
        r.feed(input.subarray(p, p + k));
        p += k;
      }
    } catch (e) {
      assert.ok(e instanceof LalError, `not a LalError: ${String(e)}`);
      assert.ok(e.message.startsWith('rtmp: '), e.message);
    }
    assert.ok(n <= input.length, 'at most one message per byte');
  }

  it('random bytes end in messages or a typed error, never a big allocation', () => {
    const opts = { maxMessageSize: 1000, maxChunkStreams: 8, maxChunkSize: 5000 };
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 5 }),
        (input, splits) => {
          const max = maxAlloc(() => survive(input, splits, opts));
          assert.ok(max <= opts.maxMessageSize, `allocated ${max}`);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('mutated valid streams end in messages or a typed error, never a big allocation', () => {
    const opts = { maxMessageSize: 2000, maxChunkStreams: 16, chunkSize: 64, maxChunkSize: 4096 };
    fc.assert(
      fc.property(
        fc.array(messageArb(300), { minLength: 1, maxLength: 6 }),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 6 }),
        fc.nat(),
        fc.array(fc.integer({ min: 1, max: 100 }), { minLength: 1, maxLength: 5 }),
        (msgs, flips, cut, splits) => {
          const enc = new RefEncoder(false);
          const wire = Buffer.concat(msgs.flatMap((m) => enc.chunks(m, 64)));
          for (const [pos, v] of flips) wire[pos % wire.length] = v;
          const input = wire.subarray(0, wire.length - (cut % 8));
          const max = maxAlloc(() => survive(input, splits, opts));
          assert.ok(max <= opts.maxMessageSize, `allocated ${max}`);
        },
      ),
      { numRuns: 500 },
    );
  });
});
