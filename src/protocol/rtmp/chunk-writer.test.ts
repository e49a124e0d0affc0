import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { packMessage } from './chunk-writer.js';
import { csidForMessageType, RtmpCsid, RtmpMsgType } from './message-types.js';

function bytes(n: number, start = 0): Uint8Array {
  const b = new Uint8Array(n);
  for (let i = 0; i < n; i++) b[i] = (start + i) & 0xff;
  return b;
}

describe('packMessage golden bytes', () => {
  it('one chunk, 1-byte csid, fmt 0', () => {
    const out = packMessage(
      { csid: 3, typeId: 20, streamId: 1, timestampMs: 1000, payload: unhex('01020304') },
      128,
    );
    // fmt 0 csid 3 | ts 0003e8 | len 000004 | type 14 | stream id 01000000 (LE) | data
    assert.equal(hex(out), unhex('03 0003e8 000004 14 01000000 01020304').toString('hex'));
  });

  it('continuation chunks are fmt 3 on the same csid', () => {
    const out = packMessage({ csid: 6, typeId: 9, streamId: 1, timestampMs: 40, payload: bytes(5) }, 2);
    assert.equal(hex(out), hex(unhex('06 000028 000005 09 01000000 0001 | c6 0203 | c6 04')));
  });

  it('2-byte basic header (csid 64..319)', () => {
    const out = packMessage({ csid: 64 + 36, typeId: 8, streamId: 0, timestampMs: 0, payload: bytes(3) }, 2);
    assert.equal(hex(out), hex(unhex('00 24 000000 000003 08 00000000 0001 | c0 24 02')));
    const hi = packMessage({ csid: 319, typeId: 8, streamId: 0, timestampMs: 0, payload: bytes(1) }, 2);
    assert.equal(hex(hi.subarray(0, 2)), '00ff');
  });

  it('3-byte basic header (csid 320..65599, little-endian csid - 64)', () => {
    const out = packMessage({ csid: 400, typeId: 8, streamId: 0, timestampMs: 0, payload: bytes(3) }, 2);
    // 400 - 64 = 336 = 0x0150 -> 50 01
    assert.equal(hex(out), hex(unhex('01 5001 000000 000003 08 00000000 0001 | c1 5001 02')));
    const max = packMessage({ csid: 65599, typeId: 8, streamId: 0, timestampMs: 0, payload: bytes(1) }, 2);
    assert.equal(hex(max.subarray(0, 3)), '01ffff');
  });

  it('extended timestamp, repeated in every fmt 3 chunk', () => {
    const out = packMessage(
      { csid: 4, typeId: 9, streamId: 1, timestampMs: 0x01000000, payload: bytes(5) },
      2,
    );
    assert.equal(
      hex(out),
      hex(unhex('04 ffffff 000005 09 01000000 01000000 0001 | c4 01000000 0203 | c4 01000000 04')),
    );
  });

  it('timestamp 0xFFFFFF itself is extended; 0xFFFFFE is not', () => {
    const a = packMessage({ csid: 4, typeId: 8, streamId: 0, timestampMs: 0xffffff, payload: bytes(1) }, 128);
    assert.equal(hex(a), hex(unhex('04 ffffff 000001 08 00000000 00ffffff 00')));
    const b = packMessage({ csid: 4, typeId: 8, streamId: 0, timestampMs: 0xfffffe, payload: bytes(1) }, 128);
    assert.equal(hex(b), hex(unhex('04 fffffe 000001 08 00000000 00')));
  });

  it('timestamps are taken modulo 2^32', () => {
    const a = packMessage(
      { csid: 4, typeId: 8, streamId: 0, timestampMs: 2 ** 32 + 5, payload: bytes(0) },
      128,
    );
    assert.equal(hex(a), hex(unhex('04 000005 000000 08 00000000')));
    const b = packMessage({ csid: 4, typeId: 8, streamId: 0, timestampMs: -1, payload: bytes(0) }, 128);
    assert.equal(hex(b), hex(unhex('04 ffffff 000000 08 00000000 ffffffff')));
  });

  it('an empty message is one header-only chunk; an exact multiple has no empty tail chunk', () => {
    const out = packMessage({ csid: 3, typeId: 20, streamId: 0, timestampMs: 0, payload: bytes(0) }, 128);
    assert.equal(out.length, 12);
    const even = packMessage({ csid: 3, typeId: 20, streamId: 0, timestampMs: 0, payload: bytes(4) }, 2);
    assert.equal(hex(even), hex(unhex('03 000000 000004 14 00000000 0001 | c3 0203')));
  });

  it('rejects arguments outside their domain', () => {
    const base = { csid: 3, typeId: 20, streamId: 0, timestampMs: 0, payload: bytes(1) };
    assert.throws(() => packMessage({ ...base, csid: 1 }, 128), InvalidArgError);
    assert.throws(() => packMessage({ ...base, csid: 65600 }, 128), InvalidArgError);
    assert.throws(() => packMessage(base, 0), InvalidArgError);
    assert.throws(() => packMessage(base, 0x80000000), InvalidArgError);
    assert.throws(() => packMessage({ ...base, typeId: 256 }, 128), InvalidArgError);
    assert.throws(() => packMessage({ ...base, streamId: -1 }, 128), InvalidArgError);
    assert.throws(() => packMessage({ ...base, payload: new Uint8Array(0x1000000) }, 128), InvalidArgError);
  });
});

describe('csid per message type', () => {
  it('follows RtmpCsid', () => {
    assert.equal(csidForMessageType(RtmpMsgType.SetChunkSize), RtmpCsid.ProtocolControl);
    assert.equal(csidForMessageType(RtmpMsgType.UserControl), 2);
    assert.equal(csidForMessageType(RtmpMsgType.Audio), 4);
    assert.equal(csidForMessageType(RtmpMsgType.Video), 6);
    assert.equal(csidForMessageType(RtmpMsgType.DataAmf0), 5);
    assert.equal(csidForMessageType(RtmpMsgType.CommandAmf0), 3);
  });
});
