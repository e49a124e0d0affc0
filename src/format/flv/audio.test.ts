import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgError, ProtocolError, ShortBufferError, UnsupportedError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import {
  type AudioPacket,
  type AudioSingleTrackBody,
  type AudioTagBody,
  packAacFrame,
  packAacSequenceHeader,
  packAudioTagBody,
  parseAudioTagBody,
} from './audio.js';
import {
  AudioChannelOrder,
  type AudioCodec,
  AudioFourCc,
  AudioPacketType,
  AvMultitrackType,
  makeFourCc,
  SoundFormat,
  SoundRate,
  SoundSize,
  SoundType,
} from './constants.js';
import { BODY_AAC_RAW, BODY_AAC_SEQ, BODY_ALAW, BODY_MP3, BODY_MULAW } from './golden.test-data.js';
import { lalErrorOrValue, throwsFlv } from './helpers.test-util.js';
import { modExTimestampOffsetNano } from './mod-ex.js';

const cat = (...parts: Uint8Array[]) => Buffer.concat(parts);
const OPUS = unhex('4f707573');
const FLAC = unhex('664c6143');
const MP4A = unhex('6d703461');
const AC3 = unhex('61632d33');
const EC3 = unhex('65632d33');
const MP3 = unhex('2e6d7033');
/** OpusHead (RFC 7845 5.1): version 1, 2 channels, pre-skip 312, 48 kHz, gain 0, mapping family 0. */
const OPUS_HEAD = unhex('4f70757348656164 01 02 3801 80bb0000 0000 00');

function plain(v: unknown): unknown {
  if (v instanceof Uint8Array) return hex(v);
  if (Array.isArray(v)) return v.map(plain);
  if (v !== null && typeof v === 'object') {
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, plain(x)]));
  }
  return v;
}

function roundTrips(b: Uint8Array): AudioTagBody {
  const a = parseAudioTagBody(b);
  assert.equal(hex(packAudioTagBody(a)), hex(b));
  return a;
}

function one(b: Uint8Array): AudioSingleTrackBody {
  const a = roundTrips(b);
  assert.notEqual(a.kind, 'multitrack');
  return a as AudioSingleTrackBody;
}

describe('audio tag body, legacy (golden bytes from ffmpeg)', () => {
  it('parses the AAC sequence header and a raw frame', () => {
    const s = one(BODY_AAC_SEQ);
    assert.deepEqual(plain(s), {
      kind: 'sequence-header',
      codec: 'aac',
      config: '158856e500', // AudioSpecificConfig: AAC-LC, 8 kHz, mono, + SBR sync extension
      enhanced: false,
      soundRate: SoundRate.Khz44,
      soundSize: SoundSize.Bits16,
      soundType: SoundType.Stereo,
      modEx: [],
    });
    const f = one(BODY_AAC_RAW);
    assert.ok(f.kind === 'frame' && f.codec === 'aac');
    if (f.kind === 'frame') assert.equal(f.data.length, BODY_AAC_RAW.length - 2);
  });
  it('is built by the AAC builders', () => {
    assert.equal(hex(packAacSequenceHeader(unhex('158856e500'))), hex(BODY_AAC_SEQ));
    assert.equal(hex(packAacFrame(BODY_AAC_RAW.subarray(2))), hex(BODY_AAC_RAW));
    assert.equal(
      hex(packAacSequenceHeader(unhex('1588'), { enhanced: true })),
      hex(cat(unhex('90'), MP4A, unhex('1588'))),
    );
    assert.equal(
      hex(packAacFrame(unhex('21'), { enhanced: true })),
      hex(cat(unhex('91'), MP4A, unhex('21'))),
    );
  });
  it('parses MP3 and G.711 A-law / mu-law', () => {
    const m = one(BODY_MP3);
    assert.deepEqual(
      [m.kind, m.codec, m.soundRate, m.soundSize, m.soundType],
      ['frame', 'mp3', SoundRate.Khz22, SoundSize.Bits16, SoundType.Mono],
    );
    if (m.kind === 'frame') assert.equal(hex(m.data.subarray(0, 2)), 'fff3'); // MPEG-2 layer III sync
    const a = one(BODY_ALAW);
    assert.deepEqual([a.kind, a.codec, a.soundRate, a.soundSize, a.soundType], ['frame', 'g711a', 0, 1, 0]);
    const u = one(BODY_MULAW);
    assert.equal(u.codec, 'g711u');
    if (u.kind === 'frame') assert.equal(u.data.length, 80);
  });
  it('parses the other legacy formats as frames', () => {
    const formats: Array<[number, AudioCodec]> = [
      [SoundFormat.Pcm, 'pcm'],
      [SoundFormat.Adpcm, 'adpcm'],
      [SoundFormat.PcmLe, 'pcm-le'],
      [SoundFormat.Nellymoser16k, 'nellymoser-16k'],
      [SoundFormat.Nellymoser8k, 'nellymoser-8k'],
      [SoundFormat.Nellymoser, 'nellymoser'],
      [SoundFormat.Speex, 'speex'],
      [SoundFormat.Mp38k, 'mp3-8k'],
      [SoundFormat.DeviceSpecific, 'device-specific'],
    ];
    for (const [f, codec] of formats) {
      const a = one(Uint8Array.of((f << 4) | 0x06, 1, 2));
      assert.equal(a.codec, codec);
    }
  });
  it('rejects truncated and corrupted twins with typed errors', () => {
    throwsFlv(() => parseAudioTagBody(new Uint8Array(0)), ShortBufferError);
    throwsFlv(() => parseAudioTagBody(BODY_AAC_SEQ.subarray(0, 1)), ShortBufferError);
    const badPt = Buffer.from(BODY_AAC_SEQ);
    badPt[1] = 2;
    throwsFlv(() => parseAudioTagBody(badPt), ProtocolError);
    throwsFlv(() => parseAudioTagBody(unhex('c0 00')), UnsupportedError); // SoundFormat 12
    throwsFlv(() => parseAudioTagBody(unhex('d0 00')), UnsupportedError); // SoundFormat 13
  });
});

describe('audio tag body, Enhanced RTMP', () => {
  it('parses Opus, FLAC, AC-3, E-AC-3, AAC and MP3 by FourCC', () => {
    const s = one(cat(unhex('90'), OPUS, OPUS_HEAD));
    assert.deepEqual(plain(s), {
      kind: 'sequence-header',
      codec: 'opus',
      config: hex(OPUS_HEAD),
      enhanced: true,
      packetType: AudioPacketType.SequenceStart,
      modEx: [],
    });
    const cases: Array<[Uint8Array, AudioCodec]> = [
      [OPUS, 'opus'],
      [FLAC, 'flac'],
      [AC3, 'ac3'],
      [EC3, 'eac3'],
      [MP4A, 'aac'],
      [MP3, 'mp3'],
    ];
    for (const [fourCc, codec] of cases) {
      const f = one(cat(unhex('91'), fourCc, unhex('0102')));
      assert.ok(f.kind === 'frame' && f.codec === codec && f.enhanced);
      const e = one(cat(unhex('92'), fourCc));
      assert.equal(e.kind, 'end-of-sequence');
    }
    assert.equal(AudioFourCc.Flac, makeFourCc('fLaC'));
  });
  it('parses MultichannelConfig in its three channel orders', () => {
    const native = one(cat(unhex('94'), OPUS, unhex('01 06 0000003f')));
    assert.deepEqual(plain(native), {
      kind: 'multichannel-config',
      codec: 'opus',
      channelOrder: AudioChannelOrder.Native,
      channelCount: 6,
      channelFlags: 0x3f,
      enhanced: true,
      packetType: AudioPacketType.MultichannelConfig,
      modEx: [],
    });
    const custom = one(cat(unhex('94'), FLAC, unhex('02 03 00 01 ff')));
    assert.ok(custom.kind === 'multichannel-config' && custom.channelMapping !== undefined);
    if (custom.kind === 'multichannel-config')
      assert.equal(hex(custom.channelMapping ?? new Uint8Array()), '0001ff');
    const unspecified = one(cat(unhex('94'), OPUS, unhex('00 02')));
    assert.ok(unspecified.kind === 'multichannel-config' && unspecified.channelCount === 2);
    throwsFlv(() => parseAudioTagBody(cat(unhex('94'), OPUS, unhex('03 02'))), UnsupportedError);
    throwsFlv(() => parseAudioTagBody(cat(unhex('94'), OPUS, unhex('02 03 00 01'))), ShortBufferError);
  });
  it('parses ModEx (nanosecond offset) in front of the packet type', () => {
    const b = cat(unhex('97 02 000064 01'), MP4A, unhex('2110'));
    const a = one(b);
    assert.ok(a.kind === 'frame' && a.codec === 'aac');
    assert.equal(a.timestampOffsetNano, 100);
    const built = packAudioTagBody({
      kind: 'frame',
      codec: 'aac',
      data: unhex('2110'),
      enhanced: true,
      modEx: [modExTimestampOffsetNano(100)],
    });
    assert.equal(hex(built), hex(b));
  });
  it('parses multitrack bodies (one track, many tracks, many codecs)', () => {
    const oneTrack = one0(cat(unhex('95 01'), OPUS, unhex('00 aabb')));
    assert.equal(oneTrack.tracks.length, 1);
    assert.equal(oneTrack.packetType, AudioPacketType.CodedFrames);
    const many = one0(cat(unhex('95 11'), MP4A, unhex('00 000002 2110 01 000001 21')));
    assert.equal(many.multitrackType, AvMultitrackType.ManyTracks);
    assert.deepEqual(
      many.tracks.map((t) => [t.trackId, t.codec, t.kind === 'frame' ? hex(t.data) : '']),
      [
        [0, 'aac', '2110'],
        [1, 'aac', '21'],
      ],
    );
    const manyCodecs = one0(
      cat(unhex('95 20'), MP4A, unhex('00 000002 1190'), OPUS, unhex('01 000013'), OPUS_HEAD),
    );
    assert.deepEqual(
      manyCodecs.tracks.map((t) => [t.trackId, t.codec, t.kind]),
      [
        [0, 'aac', 'sequence-header'],
        [1, 'opus', 'sequence-header'],
      ],
    );
    throwsFlv(() => parseAudioTagBody(cat(unhex('95 15'), MP4A)), ProtocolError);
    throwsFlv(() => parseAudioTagBody(cat(unhex('95 11'), MP4A, unhex('00 000009 21'))), ShortBufferError);
  });
  it('rejects unknown FourCCs and packet types, and truncation', () => {
    throwsFlv(() => parseAudioTagBody(unhex('91 766f7262')), UnsupportedError); // 'vorb'
    throwsFlv(() => parseAudioTagBody(cat(unhex('93'), OPUS)), UnsupportedError); // reserved 3
    throwsFlv(() => parseAudioTagBody(cat(unhex('98'), OPUS)), UnsupportedError);
    throwsFlv(() => parseAudioTagBody(unhex('91 4f70')), ShortBufferError);
    throwsFlv(() => parseAudioTagBody(unhex('97 02 0000')), ShortBufferError);
  });
  it('rejects what a form cannot carry when packing', () => {
    const opus = parseAudioTagBody(cat(unhex('91'), OPUS, unhex('00')));
    throwsFlv(
      () => packAudioTagBody({ ...(opus as AudioSingleTrackBody), enhanced: false }),
      UnsupportedError,
    );
    const g711 = parseAudioTagBody(BODY_ALAW);
    throwsFlv(
      () => packAudioTagBody({ ...(g711 as AudioSingleTrackBody), enhanced: true }),
      UnsupportedError,
    );
    throwsFlv(() => packAudioTagBody({ ...(g711 as AudioSingleTrackBody), soundRate: 4 }), InvalidArgError);
  });
});

function one0(b: Uint8Array) {
  const a = roundTrips(b);
  if (a.kind !== 'multitrack') throw new Error('expected a multitrack body');
  return a;
}

const payload = fc.uint8Array({ maxLength: 24 });
const exCodec = fc.constantFrom<AudioCodec>('opus', 'flac', 'ac3', 'eac3', 'aac', 'mp3');

const packetArb: fc.Arbitrary<AudioPacket> = fc.oneof(
  fc.record({ codec: exCodec, config: payload }).map((r): AudioPacket => ({ kind: 'sequence-header', ...r })),
  fc.record({ codec: exCodec, data: payload }).map((r): AudioPacket => ({ kind: 'frame', ...r })),
  fc.record({ codec: exCodec, data: payload }).map((r): AudioPacket => ({ kind: 'end-of-sequence', ...r })),
  fc
    .record({
      codec: exCodec,
      order: fc.constantFrom(0, 1, 2),
      count: fc.integer({ min: 0, max: 8 }),
      flags: fc.nat(),
    })
    .map(({ codec, order, count, flags }): AudioPacket => {
      if (order === AudioChannelOrder.Custom) {
        const channelMapping = Uint8Array.from({ length: count }, (_, i) => i);
        return {
          kind: 'multichannel-config',
          codec,
          channelOrder: order,
          channelCount: count,
          channelMapping,
        };
      }
      if (order === AudioChannelOrder.Native) {
        return {
          kind: 'multichannel-config',
          codec,
          channelOrder: order,
          channelCount: count,
          channelFlags: flags,
        };
      }
      return { kind: 'multichannel-config', codec, channelOrder: order, channelCount: count };
    }),
);

const modExArb = fc.array(
  fc.integer({ min: 0, max: 999_999 }).map((n) => modExTimestampOffsetNano(n)),
  { maxLength: 2 },
);

const bodyArb: fc.Arbitrary<AudioTagBody> = fc.oneof(
  fc.tuple(packetArb, modExArb).map(([p, modEx]): AudioTagBody => ({ ...p, enhanced: true, modEx })),
  fc
    .record({
      f: fc.constantFrom(0, 1, 2, 3, 4, 5, 6, 7, 8, 11, 14, 15),
      rate: fc.integer({ min: 0, max: 3 }),
      size: fc.integer({ min: 0, max: 1 }),
      type: fc.integer({ min: 0, max: 1 }),
      data: payload,
    })
    .map(({ f, rate, size, type, data }): AudioTagBody => {
      const b = parseAudioTagBody(Uint8Array.of((f << 4) | (rate << 2) | (size << 1) | type));
      return { ...(b as AudioSingleTrackBody), kind: 'frame', data } as AudioTagBody;
    }),
  fc
    .record({
      mt: fc.constantFrom(0, 1, 2),
      codec: exCodec,
      tracks: fc.array(fc.tuple(packetArb, fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }),
      kind: fc.constantFrom('sequence-header', 'frame', 'end-of-sequence', 'multichannel-config'),
      modEx: modExArb,
    })
    .chain(({ mt, codec, tracks, modEx, kind }): fc.Arbitrary<AudioTagBody | undefined> => {
      const list = (mt === 0 ? tracks.slice(0, 1) : tracks).map(([p, trackId]) => ({
        ...p,
        codec: mt === 2 ? p.codec : codec,
        trackId,
      }));
      const same = list.filter((t) => t.kind === kind);
      if (same.length === 0) return fc.constant(undefined);
      const pt =
        kind === 'sequence-header'
          ? AudioPacketType.SequenceStart
          : kind === 'frame'
            ? AudioPacketType.CodedFrames
            : kind === 'end-of-sequence'
              ? AudioPacketType.SequenceEnd
              : AudioPacketType.MultichannelConfig;
      const body: AudioTagBody = {
        kind: 'multitrack',
        enhanced: true,
        multitrackType: mt,
        packetType: pt,
        tracks: same,
        modEx,
      };
      return fc.constant(body);
    })
    .filter((b): b is AudioTagBody => b !== undefined),
);

function normalize(v: AudioTagBody): unknown {
  const { timestampOffsetNano: _n, ...rest } = v;
  const r: Record<string, unknown> = { ...rest };
  if (v.kind !== 'multitrack') delete r.packetType;
  return plain(r);
}

describe('audio tag body properties', () => {
  it('parse(pack(v)) == v and pack(parse(b)) == b for generated bodies', () => {
    fc.assert(
      fc.property(bodyArb, (v) => {
        const b = packAudioTagBody(v);
        const p = parseAudioTagBody(b);
        assert.deepEqual(normalize(p), normalize(v));
        assert.equal(hex(packAudioTagBody(p)), hex(b));
      }),
      { numRuns: 500 },
    );
  });
  it('parse on random and mutated input ends in a value or a LalError', () => {
    const seeds = [
      BODY_AAC_SEQ,
      BODY_MP3.subarray(0, 8),
      cat(unhex('95 11'), MP4A, unhex('00 000002 2110')),
      cat(unhex('94'), OPUS, unhex('02 03 00 01 ff')),
    ];
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 48 }),
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
          const r = lalErrorOrValue(() => parseAudioTagBody(b));
          if (!(r instanceof Error))
            assert.deepEqual(plain(parseAudioTagBody(packAudioTagBody(r))), plain(r));
        },
      ),
      { numRuns: 2000 },
    );
  });
});
