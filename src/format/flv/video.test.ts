import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgError, ProtocolError, ShortBufferError, UnsupportedError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import {
  AvMultitrackType,
  FlvVideoFrameType,
  ModExType,
  type VideoCodec,
  VideoCommand,
  VideoFourCc,
  VideoPacketType,
} from './constants.js';
import {
  BODY_AVC_EOS,
  BODY_AVC_KEY_HEAD,
  BODY_AVC_P_FRAME,
  BODY_AVC_SEQ,
  HEVC_CONFIG,
  HEVC_IDR,
  HEVC_P,
} from './golden.test-data.js';
import { lalErrorOrValue, throwsFlv } from './helpers.test-util.js';
import { modExTimestampOffsetNano } from './mod-ex.js';
import { packVideoMetadata, parseVideoMetadata } from './script.js';
import {
  convertVideoTagBody,
  packVideoEndOfSequence,
  packVideoFrame,
  packVideoSequenceHeader,
  packVideoTagBody,
  parseVideoTagBody,
  type VideoPacket,
  type VideoSingleTrackBody,
  type VideoTagBody,
} from './video.js';

const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);
const HVC1 = unhex('68766331');
const AVC1 = unhex('61766331');
const AV01 = unhex('61763031');
const VP09 = unhex('76703039');

// Legacy HEVC (codec id 12): the AVC layout, E.4.3.1 with CodecID 12.
const LEGACY_HEVC_SEQ = cat(unhex('1c 00 000000'), HEVC_CONFIG);
const LEGACY_HEVC_KEY = cat(unhex('1c 01 000000'), HEVC_IDR);
const LEGACY_HEVC_P_CTS40 = cat(unhex('2c 01 000028'), HEVC_P);
const LEGACY_HEVC_EOS = unhex('1c 02 000000');
// E-RTMP HEVC: IsExHeader | FrameType << 4 | PacketType, FourCC 'hvc1'.
const ENH_HEVC_SEQ = cat(unhex('90'), HVC1, HEVC_CONFIG); // key, SequenceStart
const ENH_HEVC_KEY_X = cat(unhex('93'), HVC1, HEVC_IDR); // key, CodedFramesX
const ENH_HEVC_P_CTS40 = cat(unhex('a1'), HVC1, unhex('000028'), HEVC_P); // inter, CodedFrames, cts 40
const ENH_HEVC_EOS = cat(unhex('92'), HVC1); // SequenceEnd

/** The parsed body without the payload views, with payloads as hex, for deepEqual. */
function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function roundTrips(b: Uint8Array): VideoTagBody {
  const v = parseVideoTagBody(b);
  assert.equal(hex(packVideoTagBody(v)), hex(b));
  return v;
}

/** roundTrips for a single-track body. */
function one(b: Uint8Array): VideoSingleTrackBody {
  const v = roundTrips(b);
  assert.notEqual(v.kind, 'multitrack');
  return v as VideoSingleTrackBody;
}

describe('video tag body, legacy AVC (golden bytes from ffmpeg/x264)', () => {
  it('parses the sequence header', () => {
    const v = roundTrips(BODY_AVC_SEQ);
    assert.equal(v.kind, 'sequence-header');
    assert.equal(v.codec, 'avc');
    assert.equal(v.enhanced, false);
    assert.equal(v.frameType, FlvVideoFrameType.Key);
    if (v.kind !== 'sequence-header') return;
    assert.equal(hex(v.config.subarray(0, 4)), '014d400a'); // configurationVersion 1, Main, level 1.0
    assert.equal(v.config.buffer, BODY_AVC_SEQ.buffer, 'a view');
  });
  it('parses a key frame and an inter frame with composition times', () => {
    const k = one(BODY_AVC_KEY_HEAD);
    assert.deepEqual(
      { kind: k.kind, frameType: k.frameType, cts: k.compositionTimeMs },
      { kind: 'frame', frameType: 1, cts: 80 },
    );
    assert.ok(k.kind === 'frame' && k.keyFrame);
    const p = roundTrips(BODY_AVC_P_FRAME);
    assert.ok(p.kind === 'frame' && !p.keyFrame);
    assert.equal(p.compositionTimeMs, 160);
    if (p.kind === 'frame') assert.equal(hex(p.data), '0000000641' + '9a230188b0');
  });
  it('parses end of sequence', () => {
    const e = roundTrips(BODY_AVC_EOS);
    assert.equal(e.kind, 'end-of-sequence');
    assert.equal(e.codec, 'avc');
  });
  it('reads a negative composition time', () => {
    const v = one(unhex('27 01 ffffd8 00000001 09'));
    assert.equal(v.compositionTimeMs, -40);
  });
  it('rejects truncated twins with ShortBufferError', () => {
    for (const g of [BODY_AVC_SEQ, BODY_AVC_P_FRAME, BODY_AVC_EOS]) {
      for (let n = 0; n < 5; n++) throwsFlv(() => parseVideoTagBody(g.subarray(0, n)), ShortBufferError);
    }
  });
  it('rejects corrupted twins with typed errors', () => {
    const badPt = Buffer.from(BODY_AVC_P_FRAME);
    badPt[1] = 3;
    throwsFlv(() => parseVideoTagBody(badPt), ProtocolError);
    throwsFlv(() => parseVideoTagBody(unhex('17')), ShortBufferError);
    throwsFlv(() => parseVideoTagBody(unhex('18 01 000000')), UnsupportedError); // codec id 8
    throwsFlv(() => parseVideoTagBody(unhex('10 01 000000')), UnsupportedError); // codec id 0
    throwsFlv(() => parseVideoTagBody(unhex('07 01 000000')), ProtocolError); // frame type 0
    throwsFlv(() => parseVideoTagBody(unhex('67 01 000000')), ProtocolError); // frame type 6
  });
});

describe('video tag body, other legacy codecs and commands', () => {
  it('parses Flash codecs as opaque frames', () => {
    const h263 = roundTrips(unhex('22 000084'));
    assert.deepEqual(plain(h263), {
      kind: 'frame',
      codec: 'h263',
      frameType: 2,
      compositionTimeMs: 0,
      keyFrame: false,
      data: '000084',
      enhanced: false,
      modEx: [],
    });
    const vp6 = roundTrips(unhex('14 00 aabb'));
    assert.ok(vp6.kind === 'frame' && vp6.keyFrame && vp6.codec === 'vp6');
    assert.equal(roundTrips(unhex('35 00 11')).frameType, FlvVideoFrameType.DisposableInter);
    assert.equal(one(unhex('46 00')).codec, 'screen2');
    const gen = roundTrips(unhex('47 01 000000 00'));
    assert.ok(gen.kind === 'frame' && gen.keyFrame, 'a generated key frame is a key frame');
  });
  it('parses a legacy command frame (start/end of client-side seeking)', () => {
    const c = roundTrips(unhex('57 01'));
    assert.deepEqual(plain(c), {
      kind: 'command',
      codec: 'avc',
      frameType: 5,
      compositionTimeMs: 0,
      command: VideoCommand.EndSeek,
      data: '',
      enhanced: false,
      modEx: [],
    });
    throwsFlv(() => parseVideoTagBody(unhex('57')), ShortBufferError);
  });
});

describe('video tag body, legacy HEVC (codec id 12)', () => {
  it('parses and packs sequence header, key frame, inter frame with cts, end of sequence', () => {
    const s = roundTrips(LEGACY_HEVC_SEQ);
    assert.ok(s.kind === 'sequence-header' && s.codec === 'hevc' && !s.enhanced);
    assert.equal(hex(s.config), hex(HEVC_CONFIG));
    const k = roundTrips(LEGACY_HEVC_KEY);
    assert.ok(k.kind === 'frame' && k.keyFrame && k.codec === 'hevc');
    const p = roundTrips(LEGACY_HEVC_P_CTS40);
    assert.ok(p.kind === 'frame' && !p.keyFrame);
    assert.equal(p.compositionTimeMs, 40);
    assert.equal(roundTrips(LEGACY_HEVC_EOS).kind, 'end-of-sequence');
  });
  it('is built by the builders', () => {
    assert.equal(hex(packVideoSequenceHeader('hevc', HEVC_CONFIG)), hex(LEGACY_HEVC_SEQ));
    assert.equal(hex(packVideoFrame('hevc', HEVC_IDR, { keyFrame: true })), hex(LEGACY_HEVC_KEY));
    assert.equal(
      hex(packVideoFrame('hevc', HEVC_P, { keyFrame: false, compositionTimeMs: 40 })),
      hex(LEGACY_HEVC_P_CTS40),
    );
    assert.equal(hex(packVideoEndOfSequence('hevc')), hex(LEGACY_HEVC_EOS));
    assert.equal(hex(packVideoSequenceHeader('avc', BODY_AVC_SEQ.subarray(5))), hex(BODY_AVC_SEQ));
    assert.equal(hex(packVideoEndOfSequence('avc')), hex(BODY_AVC_EOS));
  });
});

describe('video tag body, Enhanced RTMP', () => {
  it('parses HEVC SequenceStart, CodedFramesX, CodedFrames with cts, SequenceEnd', () => {
    const s = roundTrips(ENH_HEVC_SEQ);
    assert.deepEqual(plain(s), {
      kind: 'sequence-header',
      codec: 'hevc',
      frameType: 1,
      compositionTimeMs: 0,
      config: hex(HEVC_CONFIG),
      enhanced: true,
      packetType: VideoPacketType.SequenceStart,
      modEx: [],
    });
    const k = roundTrips(ENH_HEVC_KEY_X);
    assert.ok(k.kind === 'frame' && k.keyFrame && k.packetType === VideoPacketType.CodedFramesX);
    const p = roundTrips(ENH_HEVC_P_CTS40);
    assert.ok(p.kind === 'frame' && !p.keyFrame && p.packetType === VideoPacketType.CodedFrames);
    assert.equal(p.compositionTimeMs, 40);
    if (p.kind === 'frame') assert.equal(hex(p.data), hex(HEVC_P));
    assert.equal(roundTrips(ENH_HEVC_EOS).kind, 'end-of-sequence');
    // CodedFrames with a zero cts is kept as CodedFrames (not turned into CodedFramesX) on re-pack.
    roundTrips(cat(unhex('91'), HVC1, unhex('000000'), HEVC_IDR));
  });
  it('is built by the builders with enhanced: true', () => {
    assert.equal(hex(packVideoSequenceHeader('hevc', HEVC_CONFIG, { enhanced: true })), hex(ENH_HEVC_SEQ));
    assert.equal(
      hex(packVideoFrame('hevc', HEVC_IDR, { keyFrame: true, enhanced: true })),
      hex(ENH_HEVC_KEY_X),
    );
    assert.equal(
      hex(packVideoFrame('hevc', HEVC_P, { keyFrame: false, compositionTimeMs: 40, enhanced: true })),
      hex(ENH_HEVC_P_CTS40),
    );
    assert.equal(hex(packVideoEndOfSequence('hevc', { enhanced: true })), hex(ENH_HEVC_EOS));
    const avc = packVideoFrame('avc', HEVC_P, { keyFrame: false, compositionTimeMs: -5, enhanced: true });
    assert.equal(hex(avc), hex(cat(unhex('a1'), AVC1, unhex('fffffb'), HEVC_P)));
  });
  it('converts HEVC between codec id 12 and hvc1, both ways', () => {
    const pairs: Array<[Uint8Array, Uint8Array]> = [
      [LEGACY_HEVC_SEQ, ENH_HEVC_SEQ],
      [LEGACY_HEVC_KEY, ENH_HEVC_KEY_X],
      [LEGACY_HEVC_P_CTS40, ENH_HEVC_P_CTS40],
      [LEGACY_HEVC_EOS, ENH_HEVC_EOS],
    ];
    for (const [legacy, enhanced] of pairs) {
      assert.equal(hex(convertVideoTagBody(legacy, 'enhanced')), hex(enhanced));
      assert.equal(hex(convertVideoTagBody(enhanced, 'legacy')), hex(legacy));
      assert.equal(hex(convertVideoTagBody(legacy, 'legacy')), hex(legacy));
    }
    // AVC too, and the ModEx chain is dropped going to legacy.
    const withNano = cat(unhex('a7 02 0003e8 01'), AVC1, unhex('000028'), HEVC_P);
    assert.equal(hex(convertVideoTagBody(withNano, 'legacy')), hex(cat(unhex('27 01 000028'), HEVC_P)));
    throwsFlv(
      () => convertVideoTagBody(cat(unhex('90'), AV01, unhex('81000c00')), 'legacy'),
      UnsupportedError,
    );
    throwsFlv(() => convertVideoTagBody(unhex('22 000084'), 'enhanced'), UnsupportedError);
    assert.equal(hex(convertVideoTagBody(unhex('57 00'), 'enhanced')), 'd100');
  });
  it('parses AV1, VP9 and VP8 (CodedFrames carry no composition time for them)', () => {
    const s = roundTrips(cat(unhex('90'), AV01, unhex('81000c00 0a0b0000')));
    assert.ok(s.kind === 'sequence-header' && s.codec === 'av1');
    const f = roundTrips(cat(unhex('a1'), VP09, unhex('000028 aa')));
    assert.ok(f.kind === 'frame' && f.codec === 'vp9');
    assert.equal(f.compositionTimeMs, 0);
    if (f.kind === 'frame') assert.equal(hex(f.data), '000028aa');
    const vp8 = one(cat(unhex('93 76703038 9d012a')));
    assert.equal(vp8.codec, 'vp8');
    assert.equal(
      hex(packVideoFrame('av1', unhex('12000a'), { keyFrame: true })),
      hex(cat(unhex('91'), AV01, unhex('12000a'))),
    );
  });
  it('parses MPEG2TSSequenceStart', () => {
    const v = roundTrips(cat(unhex('95'), AV01, unhex('80 01 02 03')));
    assert.ok(v.kind === 'mpeg2ts-sequence-start' && v.codec === 'av1');
  });
  it('parses Metadata (frame type ignored) and decodes its AMF pairs', () => {
    const amf = packVideoMetadata([['colorInfo', { colorConfig: { bitDepth: 10 } }]]);
    // FFmpeg writes metadata with frame type 5 (command); with PacketType Metadata it is not a command.
    const b = cat(unhex('d4'), HVC1, amf);
    const v = roundTrips(b);
    assert.ok(v.kind === 'metadata' && v.codec === 'hevc' && v.frameType === 5);
    if (v.kind !== 'metadata') return;
    const pairs = parseVideoMetadata(v.data);
    assert.equal(pairs.length, 1);
    assert.equal(pairs[0]?.[0], 'colorInfo');
    assert.deepEqual(JSON.parse(JSON.stringify(pairs[0]?.[1])), { colorConfig: { bitDepth: 10 } });
    roundTrips(cat(unhex('84'), HVC1, amf)); // frame type 0 is fine for metadata
  });
  it('parses a command frame (no FourCC, no payload)', () => {
    const c = roundTrips(unhex('d1 00'));
    assert.ok(c.kind === 'command' && c.codec === undefined && c.command === VideoCommand.StartSeek);
    assert.equal(c.enhanced, true);
  });
  it('parses ModEx: a nanosecond timestamp offset before the real packet type', () => {
    // ModEx, modExDataSize 3 (UI8 2), TimestampOffsetNano 1000, then ModExType 0 | CodedFrames.
    const b = cat(unhex('a7 02 0003e8 01'), HVC1, unhex('000028'), HEVC_P);
    const v = roundTrips(b);
    assert.ok(v.kind === 'frame' && v.codec === 'hevc' && v.compositionTimeMs === 40);
    assert.equal(v.timestampOffsetNano, 1000);
    assert.deepEqual(plain(v.modEx), [{ type: ModExType.TimestampOffsetNano, data: '0003e8' }]);
    assert.equal(v.packetType, VideoPacketType.CodedFrames);
    const built = packVideoTagBody({
      kind: 'frame',
      codec: 'hevc',
      frameType: 2,
      compositionTimeMs: 40,
      keyFrame: false,
      data: HEVC_P,
      enhanced: true,
      modEx: [modExTimestampOffsetNano(1000)],
    });
    assert.equal(hex(built), hex(b));
  });
  it('parses chained ModEx entries and the 16-bit size escape', () => {
    const big = new Uint8Array(300).fill(7);
    // entry 1: UI8 0xff escape, UI16 299 -> 300 bytes, type 3, next ModEx; entry 2: 3 bytes, nano, SequenceStart.
    const b = cat(unhex('97 ff 012b'), big, unhex('37 02 000001 00'), HVC1, HEVC_CONFIG);
    const v = roundTrips(b);
    assert.equal(v.kind, 'sequence-header');
    assert.equal(v.modEx.length, 2);
    assert.equal(v.modEx[0]?.data.length, 300);
    assert.equal(v.modEx[0]?.type, 3);
    assert.equal(v.timestampOffsetNano, 1);
    // Exactly 256 bytes needs the escape too.
    const b256 = cat(unhex('97 ff 00ff'), new Uint8Array(256), unhex('13'), HVC1, HEVC_IDR);
    assert.equal(roundTrips(b256).modEx[0]?.data.length, 256);
    throwsFlv(() => parseVideoTagBody(unhex('97 01 0000 01')), ProtocolError); // nano with 2 bytes
    throwsFlv(() => parseVideoTagBody(unhex('97 05 0000')), ShortBufferError);
    throwsFlv(() => parseVideoTagBody(unhex('97 ff 01')), ShortBufferError);
  });
  it('parses a OneTrack multitrack body', () => {
    // Multitrack, then AvMultitrackType OneTrack | CodedFrames, FourCC, track id 0, the track (no size).
    const b = cat(unhex('a6 01'), HVC1, unhex('00 000028'), HEVC_P);
    const v = roundTrips(b);
    assert.ok(v.kind === 'multitrack');
    if (v.kind !== 'multitrack') return;
    assert.equal(v.multitrackType, AvMultitrackType.OneTrack);
    assert.equal(v.packetType, VideoPacketType.CodedFrames);
    assert.equal(v.tracks.length, 1);
    const t = v.tracks[0];
    assert.ok(t && t.kind === 'frame' && t.trackId === 0 && t.compositionTimeMs === 40 && !t.keyFrame);
  });
  it('parses ManyTracks (one codec) and ManyTracksManyCodecs bodies', () => {
    const t0 = cat(HEVC_IDR);
    const t1 = unhex('00000002 2601');
    const many = cat(
      unhex('96 13'),
      AVC1,
      unhex('00'),
      unhex(len24(t0)),
      t0,
      unhex('01'),
      unhex(len24(t1)),
      t1,
    );
    const v = roundTrips(many);
    assert.ok(v.kind === 'multitrack' && v.multitrackType === AvMultitrackType.ManyTracks);
    if (v.kind !== 'multitrack') return;
    assert.deepEqual(
      v.tracks.map((t) => [t.trackId, t.codec, t.kind, t.kind === 'frame' ? hex(t.data) : '']),
      [
        [0, 'avc', 'frame', hex(t0)],
        [1, 'avc', 'frame', hex(t1)],
      ],
    );
    const cfgA = unhex('01640028ffe1');
    const manyCodecs = cat(
      unhex('90 20'),
      AVC1,
      unhex('00'),
      unhex(len24(cfgA)),
      cfgA,
      HVC1,
      unhex('02'),
      unhex(len24(HEVC_CONFIG)),
      HEVC_CONFIG,
    );
    // b0 0x90 has PacketType 0, not Multitrack: this is a plain SequenceStart with FourCC 0x20617663.
    throwsFlv(() => parseVideoTagBody(manyCodecs), UnsupportedError);
    manyCodecs[0] = 0x96;
    const m = roundTrips(manyCodecs);
    assert.ok(m.kind === 'multitrack' && m.multitrackType === AvMultitrackType.ManyTracksManyCodecs);
    if (m.kind !== 'multitrack') return;
    assert.deepEqual(
      m.tracks.map((t) => [t.trackId, t.codec, t.kind]),
      [
        [0, 'avc', 'sequence-header'],
        [2, 'hevc', 'sequence-header'],
      ],
    );
    // ModEx in front of a multitrack body.
    const withModEx = cat(unhex('97 02 000010 06'), many.subarray(1));
    const w = roundTrips(withModEx);
    assert.ok(w.kind === 'multitrack' && w.timestampOffsetNano === 16);
  });
  it('rejects bad enhanced bodies with typed errors', () => {
    throwsFlv(() => parseVideoTagBody(unhex('91 6e6f7065')), UnsupportedError); // FourCC 'nope'
    throwsFlv(() => parseVideoTagBody(cat(unhex('98'), HVC1)), UnsupportedError); // packet type 8
    throwsFlv(() => parseVideoTagBody(unhex('91 6876')), ShortBufferError);
    throwsFlv(() => parseVideoTagBody(cat(unhex('91'), HVC1, unhex('00'))), ShortBufferError); // cts cut
    throwsFlv(() => parseVideoTagBody(cat(unhex('81'), HVC1)), ProtocolError); // frame type 0
    throwsFlv(() => parseVideoTagBody(cat(unhex('96 16'), HVC1, unhex('00'))), ProtocolError); // nested
    throwsFlv(() => parseVideoTagBody(cat(unhex('96 31'), HVC1, unhex('00'))), UnsupportedError); // type 3
    throwsFlv(() => parseVideoTagBody(cat(unhex('96 11'), HVC1, unhex('00 000010 aa'))), ShortBufferError);
    throwsFlv(() => parseVideoTagBody(cat(unhex('96 11'), HVC1)), ShortBufferError); // no track
  });
  it('rejects what a form cannot carry when packing', () => {
    const cfg = unhex('81000c00');
    throwsFlv(() => packVideoSequenceHeader('av1', cfg, { enhanced: false }), UnsupportedError);
    throwsFlv(() => packVideoSequenceHeader('h263', cfg, { enhanced: true }), UnsupportedError);
    throwsFlv(() => packVideoFrame('vp9', cfg, { keyFrame: true, compositionTimeMs: 1 }), InvalidArgError);
    throwsFlv(
      () => packVideoFrame('avc', cfg, { keyFrame: true, compositionTimeMs: 0x800000 }),
      InvalidArgError,
    );
    const meta = one(cat(unhex('d4'), HVC1, unhex('05')));
    throwsFlv(() => packVideoTagBody({ ...meta, enhanced: false }), UnsupportedError);
    const x = parseVideoTagBody(ENH_HEVC_P_CTS40);
    throwsFlv(() => packVideoTagBody({ ...x, packetType: VideoPacketType.CodedFramesX }), InvalidArgError);
    throwsFlv(() => packVideoTagBody({ ...x, frameType: 8 }), InvalidArgError);
  });
});

function len24(b: Uint8Array): string {
  return b.length.toString(16).padStart(6, '0');
}

// ---------------------------------------------------------------------------------------------------
// Property tests: pack then parse gives the same value back; parse never throws anything but LalError.

const payload = fc.uint8Array({ maxLength: 24 });
const cts = fc.integer({ min: -0x800000, max: 0x7fffff });
const enhancedCodec = fc.constantFrom<VideoCodec>('avc', 'hevc', 'av1', 'vp8', 'vp9');
const frameTypes = fc.constantFrom(1, 2, 3, 4);

function packetArb(codec: fc.Arbitrary<VideoCodec>, kinds: VideoPacket['kind'][]): fc.Arbitrary<VideoPacket> {
  return fc
    .record({ kind: fc.constantFrom(...kinds), codec, frameType: frameTypes, cts, data: payload })
    .map(({ kind, codec: c, frameType, cts: t, data }): VideoPacket => {
      const hasCts = c === 'avc' || c === 'hevc';
      switch (kind) {
        case 'sequence-header':
          return { kind, codec: c, frameType, compositionTimeMs: 0, config: data };
        case 'frame':
          return {
            kind,
            codec: c,
            frameType,
            compositionTimeMs: hasCts ? t : 0,
            keyFrame: frameType === 1 || frameType === 4,
            data,
          };
        default:
          return { kind, codec: c, frameType, compositionTimeMs: 0, data };
      }
    });
}

const modExArb = fc.array(
  fc.oneof(
    fc.integer({ min: 0, max: 999_999 }).map((n) => modExTimestampOffsetNano(n)),
    fc.record({
      type: fc.integer({ min: 1, max: 15 }),
      data: fc.uint8Array({ minLength: 1, maxLength: 300 }),
    }),
  ),
  { maxLength: 2 },
);

const singleEnhanced = fc
  .tuple(
    packetArb(enhancedCodec, [
      'sequence-header',
      'frame',
      'end-of-sequence',
      'metadata',
      'mpeg2ts-sequence-start',
    ]),
    modExArb,
  )
  .map(([p, modEx]): VideoTagBody => ({ ...p, enhanced: true, modEx }));

const legacy = packetArb(fc.constantFrom<VideoCodec>('avc', 'hevc'), [
  'sequence-header',
  'frame',
  'end-of-sequence',
]).map(
  (p): VideoTagBody => ({
    ...p,
    compositionTimeMs: p.kind === 'frame' ? p.compositionTimeMs : 0,
    enhanced: false,
    modEx: [],
  }),
);

const multitrack = fc
  .record({
    mt: fc.constantFrom(
      AvMultitrackType.OneTrack,
      AvMultitrackType.ManyTracks,
      AvMultitrackType.ManyTracksManyCodecs,
    ),
    codec: enhancedCodec,
    frameType: frameTypes,
    pt: fc.constantFrom(
      VideoPacketType.SequenceStart,
      VideoPacketType.CodedFrames,
      VideoPacketType.CodedFramesX,
      VideoPacketType.SequenceEnd,
    ),
    tracks: fc.array(
      fc.record({ codec: enhancedCodec, data: payload, cts, trackId: fc.integer({ min: 0, max: 255 }) }),
      {
        minLength: 1,
        maxLength: 4,
      },
    ),
    modEx: modExArb,
  })
  .map(({ mt, codec, frameType, pt, tracks, modEx }): VideoTagBody => {
    const list = mt === AvMultitrackType.OneTrack ? tracks.slice(0, 1) : tracks;
    return {
      kind: 'multitrack',
      enhanced: true,
      frameType,
      multitrackType: mt,
      packetType: pt,
      modEx,
      tracks: list.map((t) => {
        const c = mt === AvMultitrackType.ManyTracksManyCodecs ? t.codec : codec;
        const hasCts = (c === 'avc' || c === 'hevc') && pt === VideoPacketType.CodedFrames;
        const base = { codec: c, frameType, compositionTimeMs: 0, trackId: t.trackId };
        if (pt === VideoPacketType.SequenceStart) return { ...base, kind: 'sequence-header', config: t.data };
        if (pt === VideoPacketType.SequenceEnd) return { ...base, kind: 'end-of-sequence', data: t.data };
        return {
          ...base,
          kind: 'frame',
          compositionTimeMs: hasCts ? t.cts : 0,
          keyFrame: frameType === 1 || frameType === 4,
          data: t.data,
        };
      }),
    };
  });

/** Drops the parse-only fields so a generated value compares with its parse. */
function normalize(v: VideoTagBody): unknown {
  const {
    packetType: _p,
    timestampOffsetNano: _n,
    ...rest
  } = v as VideoTagBody & { timestampOffsetNano?: number };
  return plain(v.kind === 'multitrack' ? { ...rest, packetType: v.packetType } : rest);
}

describe('video tag body properties', () => {
  it('parse(pack(v)) == v and pack(parse(b)) == b for generated bodies', () => {
    fc.assert(
      fc.property(fc.oneof(singleEnhanced, legacy, multitrack), (v) => {
        const b = packVideoTagBody(v);
        const p = parseVideoTagBody(b);
        assert.deepEqual(normalize(p), normalize(v));
        assert.equal(hex(packVideoTagBody(p)), hex(b));
      }),
      { numRuns: 500 },
    );
  });
  it('parse on random and mutated input ends in a value or a LalError', () => {
    const seeds = [BODY_AVC_SEQ, BODY_AVC_P_FRAME, ENH_HEVC_P_CTS40, LEGACY_HEVC_SEQ, ENH_HEVC_SEQ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 64 }),
          fc
            .tuple(
              fc.constantFrom(...seeds),
              fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
              fc.nat(),
            )
            .map(([s, muts, cut]) => {
              const b = Buffer.from(s.subarray(0, Math.max(1, s.length - (cut % 8))));
              for (const [i, x] of muts) b[i % b.length] = x;
              return b;
            }),
        ),
        (b) => {
          const r = lalErrorOrValue(() => parseVideoTagBody(b));
          // Whatever parses packs again, and packing is idempotent through parse.
          if (!(r instanceof Error))
            assert.deepEqual(plain(parseVideoTagBody(packVideoTagBody(r))), plain(r));
        },
      ),
      { numRuns: 2000 },
    );
  });
});

describe('VideoFourCc values', () => {
  it('are the big-endian ASCII codes', () => {
    assert.equal(VideoFourCc.Hevc, 0x68766331);
    assert.equal(hex(AVC1), VideoFourCc.Avc.toString(16));
  });
});
