import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LalError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { packAggregate, splitAggregate } from './aggregate.js';
import { type RtmpMessage, RtmpMsgType } from './message-types.js';

// Two sub-messages as FMS sends them: a video tag at sub timestamp 0x01000010 (the fourth
// timestamp byte is the high byte, FLV style) and an audio tag 23 ms later. Stream ids in the
// sub-headers are 0x000001 and are overridden by the aggregate's.
const body = unhex(`
  09 000003 000010 01 000001 | 170001 | 0000000e
  08 000002 000027 01 000001 | af01   | 0000000d
`);

describe('aggregate messages (spec 7.1.6)', () => {
  it('splits and rebases timestamps onto the aggregate timestamp', () => {
    const agg: RtmpMessage = {
      csid: 5,
      typeId: RtmpMsgType.Aggregate,
      streamId: 7,
      timestampMs: 1000,
      payload: body,
    };
    const subs = splitAggregate(agg);
    assert.equal(subs.length, 2);
    assert.deepEqual(
      subs.map((s) => [s.csid, s.typeId, s.streamId, s.timestampMs, hex(s.payload)]),
      [
        [5, 9, 7, 1000, '170001'],
        [5, 8, 7, 1023, 'af01'],
      ],
    );
    assert.equal(subs[0]?.payload.buffer, body.buffer, 'sub payloads are views');
  });

  it('rebasing wraps modulo 2^32', () => {
    const agg: RtmpMessage = {
      csid: 5,
      typeId: RtmpMsgType.Aggregate,
      streamId: 1,
      timestampMs: 0xfffffff0,
      payload: body,
    };
    assert.deepEqual(
      splitAggregate(agg).map((s) => s.timestampMs),
      [0xfffffff0, (0xfffffff0 + 23) % 2 ** 32],
    );
  });

  it('packs the golden body', () => {
    const packed = packAggregate([
      { typeId: 9, timestampMs: 0x01000010, payload: unhex('170001') },
      { typeId: 8, timestampMs: 0x01000027, payload: unhex('af01') },
    ]);
    // Same as the golden body except the sub stream ids, which packAggregate writes as 0.
    const want = Buffer.from(body);
    want.fill(0, 8, 11);
    want.fill(0, 26, 29);
    assert.equal(hex(packed), hex(want));
    assert.equal(
      splitAggregate({ csid: 5, typeId: 22, streamId: 0, timestampMs: 0, payload: new Uint8Array(0) }).length,
      0,
    );
  });

  it('truncated twins and nesting are typed errors', () => {
    const agg = (payload: Uint8Array): RtmpMessage => ({
      csid: 5,
      typeId: 22,
      streamId: 1,
      timestampMs: 0,
      payload,
    });
    for (let n = 1; n < body.length; n++) {
      if (n === 18) continue; // exactly one whole sub-message
      assert.throws(
        () => splitAggregate(agg(body.subarray(0, n))),
        (e: unknown) => e instanceof ShortBufferError && e.message.startsWith('rtmp: aggregate'),
        `cut at ${n}`,
      );
    }
    const nested = Buffer.from(body);
    nested[0] = RtmpMsgType.Aggregate;
    assert.throws(() => splitAggregate(agg(nested)), ProtocolError);
  });

  it('round-trips random sub-messages and never throws anything but a LalError', () => {
    const sub = fc.record({
      typeId: fc.constantFrom(8, 9, 18),
      timestampMs: fc.integer({ min: 0, max: 0xffffffff }),
      payload: fc.uint8Array({ maxLength: 40 }),
    });
    fc.assert(
      fc.property(fc.array(sub, { maxLength: 6 }), fc.integer({ min: 0, max: 0xffffffff }), (subs, aggTs) => {
        const payload = packAggregate(subs);
        const out = splitAggregate({ csid: 5, typeId: 22, streamId: 3, timestampMs: aggTs, payload });
        assert.equal(out.length, subs.length);
        const first = subs[0]?.timestampMs ?? 0;
        out.forEach((m, i) => {
          const s = subs[i];
          assert.ok(s);
          assert.equal(m.typeId, s.typeId);
          assert.equal(m.timestampMs, (s.timestampMs - first + aggTs) >>> 0);
          assert.equal(hex(m.payload), hex(s.payload));
        });
      }),
    );
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (payload) => {
        try {
          splitAggregate({ csid: 5, typeId: 22, streamId: 0, timestampMs: 0, payload });
        } catch (e) {
          assert.ok(e instanceof LalError);
        }
      }),
    );
  });
});
