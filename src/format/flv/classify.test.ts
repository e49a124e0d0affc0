import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { hex, unhex } from '../../util/hex.js';
import { type AudioTagBody, parseAudioTagBody } from './audio.js';
import {
  classifyFlvTag,
  type FlvTagClass,
  isAudioSequenceHeader,
  isVideoKeyFrame,
  isVideoSequenceHeader,
  peekAudioCodec,
  peekVideoCodec,
} from './classify.js';
import { FlvTagType } from './constants.js';
import {
  BODY_AAC_RAW,
  BODY_AAC_SEQ,
  BODY_ALAW,
  BODY_AVC_EOS,
  BODY_AVC_KEY_HEAD,
  BODY_AVC_P_FRAME,
  BODY_AVC_SEQ,
  BODY_MP3,
  HEVC_CONFIG,
} from './golden.test-data.js';
import { lalErrorOrValue } from './helpers.test-util.js';
import { parseVideoTagBody, type VideoTagBody } from './video.js';

const V = FlvTagType.Video;
const A = FlvTagType.Audio;

describe('classifyFlvTag', () => {
  it('classifies legacy AVC/HEVC and AAC/MP3/G.711 goldens', () => {
    const cases: Array<[number, Uint8Array, FlvTagClass]> = [
      [V, BODY_AVC_SEQ, 'video-sequence-header'],
      [V, BODY_AVC_KEY_HEAD, 'video-key-frame'],
      [V, BODY_AVC_P_FRAME, 'video-frame'],
      [V, BODY_AVC_EOS, 'video-other'],
      [V, Buffer.concat([unhex('1c 00 000000'), HEVC_CONFIG]), 'video-sequence-header'],
      [V, unhex('1c 01 000000 00000001 26'), 'video-key-frame'],
      [V, unhex('57 00'), 'video-other'],
      [V, unhex('12 0000'), 'video-key-frame'],
      [A, BODY_AAC_SEQ, 'audio-sequence-header'],
      [A, BODY_AAC_RAW, 'audio-frame'],
      [A, BODY_MP3, 'audio-frame'],
      [A, BODY_ALAW, 'audio-frame'],
      [18, unhex('02 0004 74657374'), 'script'],
      [7, unhex('00'), 'unknown'],
    ];
    for (const [type, body, cls] of cases)
      assert.equal(classifyFlvTag(type, body), cls, hex(body.subarray(0, 8)));
    assert.ok(isVideoSequenceHeader(BODY_AVC_SEQ));
    assert.ok(isVideoKeyFrame(BODY_AVC_KEY_HEAD));
    assert.ok(!isVideoKeyFrame(BODY_AVC_SEQ));
    assert.ok(isAudioSequenceHeader(BODY_AAC_SEQ));
    assert.ok(!isAudioSequenceHeader(BODY_AAC_RAW));
  });
  it('classifies E-RTMP forms: ModEx, multitrack, metadata, commands', () => {
    const cases: Array<[number, string, FlvTagClass]> = [
      [V, '90 68766331 01', 'video-sequence-header'],
      [V, '95 61763031 80', 'video-sequence-header'],
      [V, '93 68766331 00', 'video-key-frame'],
      [V, 'a1 68766331 000028 00', 'video-frame'],
      [V, 'c3 68766331 00', 'video-key-frame'], // generated key frame
      [V, '92 68766331', 'video-other'],
      [V, 'd4 68766331 02', 'video-other'], // metadata, frame type ignored
      [V, 'd1 00', 'video-other'], // command
      [V, '97 02 000001 03 68766331', 'video-key-frame'],
      [V, '97 ff 00', 'unknown'], // a 16-bit ModEx size cut short
      [V, '96 10 68766331 00 000000', 'video-sequence-header'],
      [V, 'a6 13 68766331', 'video-frame'],
      [V, '97 02 000001 06 13 68766331', 'video-key-frame'],
      [V, '98 68766331', 'unknown'],
      [V, '97 02 0000', 'unknown'],
      [A, '90 4f707573', 'audio-sequence-header'],
      [A, '91 664c6143', 'audio-frame'],
      [A, '92 61632d33', 'audio-other'],
      [A, '94 4f707573 0002', 'audio-other'],
      [A, '95 10 6d703461', 'audio-sequence-header'],
      [A, '97 02 000064 01 6d703461', 'audio-frame'],
      [A, '93 4f707573', 'unknown'],
      [A, 'a0 00', 'audio-sequence-header'], // legacy AAC, 5.5 kHz/8 bit/mono flags
      [A, 'af 02', 'unknown'], // AACPacketType 2
    ];
    for (const [type, h, cls] of cases) assert.equal(classifyFlvTag(type, unhex(h)), cls, h);
  });
  it('peeks the codec', () => {
    assert.equal(peekVideoCodec(BODY_AVC_SEQ), 'avc');
    assert.equal(peekVideoCodec(unhex('1c 01')), 'hevc');
    assert.equal(peekVideoCodec(unhex('93 68766331')), 'hevc');
    assert.equal(peekVideoCodec(unhex('97 02 000001 03 61763031')), 'av1');
    assert.equal(peekVideoCodec(unhex('96 10 76703039 00')), 'vp9');
    assert.equal(peekVideoCodec(unhex('96 20 61766331 00')), 'avc');
    assert.equal(peekVideoCodec(unhex('d1 00')), undefined);
    assert.equal(peekVideoCodec(unhex('93 6876')), undefined);
    assert.equal(peekAudioCodec(BODY_MP3), 'mp3');
    assert.equal(peekAudioCodec(unhex('91 4f707573')), 'opus');
    assert.equal(peekAudioCodec(unhex('95 11 6d703461')), 'aac');
    assert.equal(peekAudioCodec(unhex('c0')), undefined);
    assert.equal(peekAudioCodec(new Uint8Array(0)), undefined);
  });
  it('never throws and agrees with the full parsers', () => {
    const expectVideo = (v: VideoTagBody): FlvTagClass[] => {
      const kind = v.kind === 'multitrack' ? v.tracks[0]?.kind : v.kind;
      switch (kind) {
        case 'sequence-header':
        case 'mpeg2ts-sequence-start':
          return ['video-sequence-header'];
        case 'frame':
          return v.frameType === 1 || v.frameType === 4 ? ['video-key-frame'] : ['video-frame'];
        default:
          return ['video-other'];
      }
    };
    const expectAudio = (a: AudioTagBody): FlvTagClass[] => {
      const kind = a.kind === 'multitrack' ? a.tracks[0]?.kind : a.kind;
      if (kind === 'sequence-header') return ['audio-sequence-header'];
      return kind === 'frame' ? ['audio-frame'] : ['audio-other'];
    };
    const seeds = [
      BODY_AVC_SEQ,
      BODY_AVC_P_FRAME,
      unhex('97 02 000001 06 13 68766331 00 000001 aa'),
      unhex('95 11 6d703461 00 000001 21'),
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 40 }),
          fc
            .tuple(
              fc.constantFrom(...seeds),
              fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 3 }),
            )
            .map(([s, muts]) => {
              const b = Buffer.from(s);
              for (const [i, x] of muts) b[i % b.length] = x;
              return b;
            }),
        ),
        (b) => {
          const cv = classifyFlvTag(V, b);
          const v = lalErrorOrValue(() => parseVideoTagBody(b));
          if (!(v instanceof Error)) assert.ok(expectVideo(v).includes(cv), `${hex(b)}: ${cv}`);
          const ca = classifyFlvTag(A, b);
          const a = lalErrorOrValue(() => parseAudioTagBody(b));
          if (!(a instanceof Error)) assert.ok(expectAudio(a).includes(ca), `${hex(b)}: ${ca}`);
          peekVideoCodec(b);
          peekAudioCodec(b);
        },
      ),
      { numRuns: 3000 },
    );
  });
});
