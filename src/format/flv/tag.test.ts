import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgError, LimitError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { FLV_TAG_HEADER_SIZE, FlvTagType } from './constants.js';
import { FILE_HEADER_AV, TAG_AAC_SEQ, TAG_AVC_P_FRAME } from './golden.test-data.js';
import { packFlvHeader, parseFlvHeader } from './header.js';
import { throwsFlv } from './helpers.test-util.js';
import {
  flvTagByteLength,
  packFlvTag,
  packFlvTagHeader,
  packFlvTagInto,
  parseFlvTag,
  parseFlvTagHeader,
} from './tag.js';

describe('FLV file header (E.2)', () => {
  it('parses and packs the golden header', () => {
    const h = parseFlvHeader(FILE_HEADER_AV);
    assert.deepEqual(h, { version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 });
    assert.equal(hex(packFlvHeader(h)), hex(FILE_HEADER_AV));
    assert.equal(hex(packFlvHeader(h, { withPrevTagSize0: false })), hex(FILE_HEADER_AV.subarray(0, 9)));
  });
  it('packs audio-only and video-only flags', () => {
    assert.equal(hex(packFlvHeader({ hasAudio: true, hasVideo: false })), '464c5601040000000900000000');
    assert.equal(hex(packFlvHeader({ hasAudio: false, hasVideo: true })), '464c5601010000000900000000');
    const h = parseFlvHeader(unhex('464c560101000000 09'));
    assert.equal(h.hasAudio, false);
    assert.equal(h.hasVideo, true);
  });
  it('rejects a truncated twin with ShortBufferError', () => {
    for (let n = 0; n < 9; n++)
      throwsFlv(() => parseFlvHeader(FILE_HEADER_AV.subarray(0, n)), ShortBufferError);
  });
  it('rejects a bad signature and a DataOffset below 9 with ProtocolError', () => {
    const bad = Buffer.from(FILE_HEADER_AV);
    bad[1] = 0x4d;
    throwsFlv(() => parseFlvHeader(bad), ProtocolError);
    throwsFlv(() => parseFlvHeader(bad.subarray(0, 2)), ProtocolError);
    const low = Buffer.from(FILE_HEADER_AV);
    low[8] = 8;
    throwsFlv(() => parseFlvHeader(low), ProtocolError);
  });
  it('accepts a larger DataOffset (the reader skips the extra bytes)', () => {
    assert.equal(parseFlvHeader(unhex('464c5601 05 00000010')).dataOffset, 16);
  });
});

describe('FLV tag header (E.4.1)', () => {
  it('parses and packs the golden AAC sequence header tag header', () => {
    const h = parseFlvTagHeader(TAG_AAC_SEQ);
    assert.deepEqual(h, { type: FlvTagType.Audio, filter: false, dataSize: 7, timestampMs: 0, streamId: 0 });
    assert.equal(hex(packFlvTagHeader(h)), hex(TAG_AAC_SEQ.subarray(0, 11)));
  });
  it('joins the extended timestamp byte as the upper 8 bits', () => {
    const b = unhex('09 000005 123456 78 000000');
    const h = parseFlvTagHeader(b);
    assert.equal(h.timestampMs, 0x78123456);
    assert.equal(hex(packFlvTagHeader(h)), hex(b));
    const max = parseFlvTagHeader(unhex('12 000000 ffffff ff 000000'));
    assert.equal(max.timestampMs, 0xffffffff);
    assert.equal(max.type, FlvTagType.Script);
  });
  it('reads the filter bit and the stream id', () => {
    const h = parseFlvTagHeader(unhex('28 000001 000000 00 000102'));
    assert.equal(h.type, FlvTagType.Audio);
    assert.equal(h.filter, true);
    assert.equal(h.streamId, 0x102);
    assert.equal(hex(packFlvTagHeader(h)), '2800000100000000000102');
  });
  it('round-trips random headers', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(FlvTagType.Audio, FlvTagType.Video, FlvTagType.Script),
        fc.boolean(),
        fc.integer({ min: 0, max: 0xffffff }),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.integer({ min: 0, max: 0xffffff }),
        (type, filter, dataSize, timestampMs, streamId) => {
          const h = { type, filter, dataSize, timestampMs, streamId };
          assert.deepEqual(parseFlvTagHeader(packFlvTagHeader(h)), h);
        },
      ),
    );
  });
  it('rejects truncated and unknown-type headers', () => {
    for (let n = 0; n < FLV_TAG_HEADER_SIZE; n++) {
      throwsFlv(() => parseFlvTagHeader(TAG_AAC_SEQ.subarray(0, n)), ShortBufferError);
    }
    const bad = Buffer.from(TAG_AAC_SEQ);
    bad[0] = 7;
    throwsFlv(() => parseFlvTagHeader(bad), ProtocolError);
  });
  it('rejects out-of-range fields when packing', () => {
    const ok = { type: FlvTagType.Video, filter: false, dataSize: 0, timestampMs: 0, streamId: 0 };
    throwsFlv(() => packFlvTagHeader({ ...ok, dataSize: 0x1000000 }), InvalidArgError);
    throwsFlv(() => packFlvTagHeader({ ...ok, timestampMs: -1 }), InvalidArgError);
    throwsFlv(() => packFlvTagHeader({ ...ok, timestampMs: 2 ** 32 }), InvalidArgError);
    throwsFlv(() => packFlvTagHeader({ ...ok, timestampMs: 1.5 }), InvalidArgError);
    throwsFlv(() => packFlvTagHeader({ ...ok, streamId: 0x1000000 }), InvalidArgError);
    throwsFlv(() => packFlvTagHeader({ ...ok, type: 10 as FlvTagType }), InvalidArgError);
  });
});

describe('FLV tag (header + body + PreviousTagSize)', () => {
  it('parses and packs the golden tags', () => {
    for (const golden of [TAG_AAC_SEQ, TAG_AVC_P_FRAME]) {
      const p = parseFlvTag(golden);
      assert.equal(p.byteLength, golden.length);
      assert.equal(p.prevTagSize, golden.length - 4);
      assert.equal(p.tag.data.buffer, golden.buffer, 'the body is a view');
      assert.equal(hex(packFlvTag(p.tag)), hex(golden));
    }
    const p = parseFlvTag(TAG_AVC_P_FRAME).tag;
    assert.equal(p.type, FlvTagType.Video);
    assert.equal(p.timestampMs, 88);
    assert.equal(p.data.length, 15);
  });
  it('parses at an offset and packs into a caller buffer', () => {
    const buf = Buffer.concat([TAG_AAC_SEQ, TAG_AVC_P_FRAME]);
    const second = parseFlvTag(buf, TAG_AAC_SEQ.length);
    assert.equal(second.tag.timestampMs, 88);
    const out = Buffer.alloc(buf.length + 3);
    const n1 = packFlvTagInto(parseFlvTag(buf).tag, out, 3);
    const n2 = packFlvTagInto(second.tag, out, 3 + n1);
    assert.equal(n1 + n2, buf.length);
    assert.equal(hex(out.subarray(3)), hex(buf));
    throwsFlv(() => packFlvTagInto(second.tag, Buffer.alloc(10)), InvalidArgError);
    assert.equal(flvTagByteLength(15), TAG_AVC_P_FRAME.length);
  });
  it('packs the defaults (filter off, stream id 0) and an extended timestamp', () => {
    const b = packFlvTag({ type: FlvTagType.Script, timestampMs: 0x01000002, data: unhex('0a0b') });
    assert.equal(hex(b), '12000002000002010000000a0b0000000d');
  });
  it('rejects a truncated twin with ShortBufferError', () => {
    for (let n = 0; n < TAG_AVC_P_FRAME.length; n++) {
      throwsFlv(() => parseFlvTag(TAG_AVC_P_FRAME.subarray(0, n)), ShortBufferError);
    }
  });
  it('rejects a corrupted PreviousTagSize unless told to tolerate it', () => {
    const bad = Buffer.from(TAG_AVC_P_FRAME);
    bad[bad.length - 1] = (bad[bad.length - 1] as number) ^ 0x01;
    throwsFlv(() => parseFlvTag(bad), ProtocolError);
    const p = parseFlvTag(bad, 0, { strictPrevTagSize: false });
    assert.equal(p.prevTagSize, TAG_AVC_P_FRAME.length - 4 + 1);
  });
  it('applies the size limit before looking at the body', () => {
    throwsFlv(() => parseFlvTag(TAG_AVC_P_FRAME, 0, { maxTagSize: 14 }), LimitError);
    throwsFlv(() => parseFlvTag(unhex('09 ffffff 000000 00 000000'), 0, { maxTagSize: 1000 }), LimitError);
  });
  it('round-trips random tags', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(FlvTagType.Audio, FlvTagType.Video, FlvTagType.Script),
        fc.integer({ min: 0, max: 0xffffffff }),
        fc.uint8Array({ maxLength: 300 }),
        (type, timestampMs, data) => {
          const b = packFlvTag({ type, timestampMs, data });
          assert.equal(b.length, flvTagByteLength(data.length));
          const p = parseFlvTag(b);
          assert.deepEqual(
            { ...p.tag, data: hex(p.tag.data) },
            { type, timestampMs, data: hex(data), filter: false, streamId: 0 },
          );
          assert.equal(hex(packFlvTag(p.tag)), hex(b));
        },
      ),
    );
  });
});
