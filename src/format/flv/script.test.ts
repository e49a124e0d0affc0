import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LimitError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { encodeAmf0, isEcmaArray } from '../amf/index.js';
import { classifyFlvTag, hasSetDataFrame, isMetadataBody } from './classify.js';
import { FlvTagType } from './constants.js';
import { BODY_ON_META_DATA } from './golden.test-data.js';
import { lalErrorOrValue, throwsFlv } from './helpers.test-util.js';
import {
  addSetDataFrame,
  ON_META_DATA,
  packOnMetaData,
  packScriptTagBody,
  parseOnMetaData,
  parseScriptTagBody,
  parseVideoMetadata,
  SET_DATA_FRAME,
  stripSetDataFrame,
} from './script.js';

const SET_DATA_FRAME_AMF = unhex('02 000d 40736574446174614672616d65'); // "@setDataFrame"

describe('script data (E.4.4.1 SCRIPTDATA)', () => {
  it('parses the golden onMetaData and packs it back byte for byte', () => {
    const sd = parseScriptTagBody(BODY_ON_META_DATA);
    assert.equal(sd.name, ON_META_DATA);
    assert.equal(sd.values.length, 1);
    const meta = sd.values[0];
    assert.ok(isEcmaArray(meta));
    assert.deepEqual(Object.keys(meta), [
      'duration',
      'width',
      'height',
      'videodatarate',
      'framerate',
      'videocodecid',
      'audiodatarate',
      'audiosamplerate',
      'audiosamplesize',
      'stereo',
      'audiocodecid',
      'filesize',
    ]);
    assert.equal(meta.width, 32);
    assert.equal(meta.videocodecid, 7);
    assert.equal(meta.audiocodecid, 10);
    assert.equal(meta.stereo, false);
    assert.equal(hex(packScriptTagBody(sd)), hex(BODY_ON_META_DATA));
  });
  it('strips and adds the @setDataFrame wrapper, both ways', () => {
    const wrapped = addSetDataFrame(BODY_ON_META_DATA);
    assert.equal(hex(wrapped), hex(Buffer.concat([SET_DATA_FRAME_AMF, BODY_ON_META_DATA])));
    assert.ok(hasSetDataFrame(wrapped));
    assert.ok(!hasSetDataFrame(BODY_ON_META_DATA));
    const stripped = stripSetDataFrame(wrapped);
    assert.equal(hex(stripped), hex(BODY_ON_META_DATA));
    assert.equal(stripped.buffer, wrapped.buffer, 'stripping is a view');
    assert.equal(stripSetDataFrame(BODY_ON_META_DATA), BODY_ON_META_DATA);
    assert.equal(hex(addSetDataFrame(wrapped)), hex(wrapped), 'adding twice does not double the prefix');
    const sd = parseScriptTagBody(wrapped);
    assert.equal(sd.name, SET_DATA_FRAME);
    assert.equal(sd.values[0], ON_META_DATA);
  });
  it('reads the metadata object from either form', () => {
    for (const body of [BODY_ON_META_DATA, addSetDataFrame(BODY_ON_META_DATA)]) {
      const meta = parseOnMetaData(body);
      assert.ok(meta);
      assert.equal(meta.height, 32);
      assert.equal(Object.getPrototypeOf(meta), null);
      assert.ok(isMetadataBody(body));
      assert.equal(classifyFlvTag(FlvTagType.Script, body), 'metadata');
    }
    const other = encodeAmf0(['onCuePoint', { name: 'x' }]);
    assert.equal(parseOnMetaData(other), undefined);
    assert.equal(classifyFlvTag(FlvTagType.Script, other), 'script');
    const setOther = encodeAmf0(['@setDataFrame', 'onTextData', { text: 'x' }]);
    assert.equal(classifyFlvTag(FlvTagType.Script, setOther), 'script');
    throwsFlv(() => parseOnMetaData(encodeAmf0(['onMetaData', 5])), ProtocolError);
    throwsFlv(() => parseOnMetaData(encodeAmf0(['onMetaData'])), ProtocolError);
  });
  it('builds onMetaData bodies', () => {
    const meta = { duration: 0, width: 32, height: 32 };
    const body = packOnMetaData(meta);
    assert.equal(
      hex(body),
      hex(
        unhex(`02 000a 6f6e4d65746144617461  08 00000003
               0008 6475726174696f6e 00 0000000000000000
               0005 7769647468 00 4040000000000000
               0006 686569676874 00 4040000000000000
               000009`),
      ),
    );
    assert.equal(hex(packOnMetaData(meta, { setDataFrame: true })), hex(addSetDataFrame(body)));
    const asObject = packOnMetaData(meta, { ecmaArray: false });
    assert.equal(asObject[13], 0x03);
    assert.deepEqual({ ...parseOnMetaData(asObject) }, meta);
  });
  it('decodes E-RTMP video metadata pairs', () => {
    const body = encodeAmf0(['colorInfo', { colorConfig: { bitDepth: 10 } }]);
    const pairs = parseVideoMetadata(body);
    assert.equal(pairs[0]?.[0], 'colorInfo');
    throwsFlv(() => parseVideoMetadata(encodeAmf0(['colorInfo'])), ProtocolError);
    throwsFlv(() => parseVideoMetadata(encodeAmf0([1, 2])), ProtocolError);
  });
  it('rejects truncated and corrupted twins with typed flv errors', () => {
    for (let n = 1; n < BODY_ON_META_DATA.length - 3; n += 7) {
      throwsFlv(() => parseScriptTagBody(BODY_ON_META_DATA.subarray(0, n)));
    }
    assert.throws(
      () => parseScriptTagBody(BODY_ON_META_DATA.subarray(0, 20)),
      (e: unknown) => e instanceof ShortBufferError && /^flv: script data: amf/.test(e.message),
    );
    const notString = Buffer.from(BODY_ON_META_DATA);
    notString[0] = 0x05; // null instead of the name
    throwsFlv(() => parseScriptTagBody(notString), ProtocolError);
    const badMarker = Buffer.from(BODY_ON_META_DATA);
    badMarker[13] = 0x1f;
    throwsFlv(() => parseScriptTagBody(badMarker));
    throwsFlv(() => parseScriptTagBody(BODY_ON_META_DATA, { maxItems: 3 }), LimitError);
    throwsFlv(() => parseScriptTagBody(new Uint8Array(0)), ProtocolError);
  });
  it('never throws anything but a LalError on random and mutated script bodies', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }).map((muts) => {
            const b = Buffer.from(BODY_ON_META_DATA);
            for (const [i, x] of muts) b[i % b.length] = x;
            return b;
          }),
        ),
        (b) => {
          lalErrorOrValue(() => parseScriptTagBody(b));
          lalErrorOrValue(() => parseOnMetaData(b));
          classifyFlvTag(FlvTagType.Script, b);
        },
      ),
      { numRuns: 1000 },
    );
  });
});
