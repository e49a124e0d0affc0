import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  InvalidArgError,
  LalError,
  ProtocolError,
  ShortBufferError,
  UnsupportedError,
} from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import {
  type ControlMessage,
  isControlMessageType,
  PeerBandwidthLimitType,
  packControlMessage,
  packControlPayload,
  parseControlMessage,
  UserControlEventType,
} from './control-message.js';
import { RtmpMsgType } from './message-types.js';

/** [message, payload hex] pairs from spec 5.4 / 7.1.7. */
const golden: [ControlMessage, string][] = [
  [{ typeId: RtmpMsgType.SetChunkSize, chunkSize: 4096 }, '00001000'],
  [{ typeId: RtmpMsgType.SetChunkSize, chunkSize: 0x7fffffff }, '7fffffff'],
  [{ typeId: RtmpMsgType.Abort, csid: 6 }, '00000006'],
  [{ typeId: RtmpMsgType.Ack, sequenceNumber: 0xfffffffe }, 'fffffffe'],
  [{ typeId: RtmpMsgType.WindowAckSize, windowSize: 2500000 }, '002625a0'],
  [
    { typeId: RtmpMsgType.SetPeerBandwidth, windowSize: 2500000, limitType: PeerBandwidthLimitType.Dynamic },
    '002625a0 02',
  ],
  [
    { typeId: RtmpMsgType.SetPeerBandwidth, windowSize: 5000000, limitType: PeerBandwidthLimitType.Hard },
    '004c4b40 00',
  ],
  [
    { typeId: RtmpMsgType.UserControl, event: { eventType: UserControlEventType.StreamBegin, streamId: 1 } },
    '0000 00000001',
  ],
  [
    { typeId: RtmpMsgType.UserControl, event: { eventType: UserControlEventType.StreamEof, streamId: 1 } },
    '0001 00000001',
  ],
  [
    { typeId: RtmpMsgType.UserControl, event: { eventType: UserControlEventType.StreamDry, streamId: 2 } },
    '0002 00000002',
  ],
  [
    {
      typeId: RtmpMsgType.UserControl,
      event: { eventType: UserControlEventType.SetBufferLength, streamId: 1, bufferLengthMs: 3000 },
    },
    '0003 00000001 00000bb8',
  ],
  [
    {
      typeId: RtmpMsgType.UserControl,
      event: { eventType: UserControlEventType.StreamIsRecorded, streamId: 1 },
    },
    '0004 00000001',
  ],
  [
    {
      typeId: RtmpMsgType.UserControl,
      event: { eventType: UserControlEventType.PingRequest, timestampMs: 0x12345678 },
    },
    '0006 12345678',
  ],
  [
    {
      typeId: RtmpMsgType.UserControl,
      event: { eventType: UserControlEventType.PingResponse, timestampMs: 0x12345678 },
    },
    '0007 12345678',
  ],
  [
    {
      typeId: RtmpMsgType.UserControl,
      event: { eventType: UserControlEventType.BufferEmpty, data: unhex('00000001') },
    },
    '001f 00000001',
  ],
];

describe('protocol control and user control messages', () => {
  it('pack and parse the golden payloads', () => {
    for (const [msg, payloadHex] of golden) {
      const want = unhex(payloadHex);
      assert.equal(hex(packControlPayload(msg)), hex(want), JSON.stringify(msg));
      const parsed = parseControlMessage(msg.typeId, want);
      if (msg.typeId === RtmpMsgType.UserControl && 'data' in msg.event && 'event' in parsed) {
        assert.ok('data' in parsed.event);
        assert.equal(hex(parsed.event.data), hex(msg.event.data));
      } else {
        assert.deepEqual(parsed, msg);
      }
    }
  });

  it('packs whole chunks on csid 2, stream 0, timestamp 0', () => {
    // Set Chunk Size 4096 as ffmpeg sends it.
    const scs = packControlMessage({ typeId: RtmpMsgType.SetChunkSize, chunkSize: 4096 }, 128);
    assert.equal(hex(scs), hex(unhex('02 000000 000004 01 00000000 00001000')));
    const ack = packControlMessage({ typeId: RtmpMsgType.Ack, sequenceNumber: 2500000 }, 128);
    assert.equal(hex(ack), hex(unhex('02 000000 000004 03 00000000 002625a0')));
    const ping = packControlMessage(
      {
        typeId: RtmpMsgType.UserControl,
        event: { eventType: UserControlEventType.PingResponse, timestampMs: 7 },
      },
      128,
    );
    assert.equal(hex(ping), hex(unhex('02 000000 000006 04 00000000 0007 00000007')));
    const bw = packControlMessage(
      {
        typeId: RtmpMsgType.SetPeerBandwidth,
        windowSize: 2500000,
        limitType: PeerBandwidthLimitType.Dynamic,
      },
      128,
    );
    assert.equal(hex(bw), hex(unhex('02 000000 000005 06 00000000 002625a0 02')));
    // A tiny outgoing chunk size still cuts the message correctly.
    const cut = packControlMessage({ typeId: RtmpMsgType.WindowAckSize, windowSize: 1 }, 3);
    assert.equal(hex(cut), hex(unhex('02 000000 000004 05 00000000 000000 | c2 01')));
  });

  it('truncated twins are ShortBufferErrors naming the message', () => {
    for (const [msg, payloadHex] of golden) {
      const want = unhex(payloadHex);
      if ('event' in msg && 'data' in msg.event) continue;
      assert.throws(
        () => parseControlMessage(msg.typeId, want.subarray(0, want.length - 1)),
        (e: unknown) => e instanceof ShortBufferError && e.message.startsWith('rtmp: '),
      );
    }
  });

  it('rejects values the spec does not allow', () => {
    assert.throws(() => parseControlMessage(RtmpMsgType.SetChunkSize, unhex('00000000')), ProtocolError);
    assert.throws(() => parseControlMessage(RtmpMsgType.SetChunkSize, unhex('80000000')), ProtocolError);
    assert.throws(
      () => parseControlMessage(RtmpMsgType.SetPeerBandwidth, unhex('0000000003')),
      ProtocolError,
    );
    assert.throws(
      () => parseControlMessage(RtmpMsgType.UserControl, unhex('0005 00000000')),
      (e: unknown) => e instanceof UnsupportedError && /^rtmp: user control event type 5/.test(e.message),
    );
    assert.throws(() => parseControlMessage(RtmpMsgType.Video, unhex('00')), InvalidArgError);
    assert.throws(
      () => packControlPayload({ typeId: RtmpMsgType.SetChunkSize, chunkSize: 0 }),
      InvalidArgError,
    );
    assert.ok(isControlMessageType(1) && isControlMessageType(6));
    assert.ok(!isControlMessageType(0) && !isControlMessageType(7));
  });

  it('never throws anything but a LalError on random payloads', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 6 }), fc.uint8Array({ maxLength: 12 }), (typeId, payload) => {
        try {
          const m = parseControlMessage(typeId, payload);
          assert.equal(m.typeId, typeId);
        } catch (e) {
          assert.ok(e instanceof LalError, String(e));
        }
      }),
    );
  });
});
