import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import {
  InvalidArgError,
  LalError,
  LimitError,
  ProtocolError,
  ShortBufferError,
  UnsupportedError,
} from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import {
  type AdtsHeader,
  adtsHeaderFieldsForConfig,
  adtsHeaderForConfig,
  adtsHeaderLengthAt,
  ascFromAdtsHeader,
  packAdtsHeader,
  parseAdtsHeader,
} from './adts.js';
import {
  type AudioSpecificConfig,
  makeAudioSpecificConfig,
  packAudioSpecificConfig,
  parseAudioSpecificConfig,
} from './audio-specific-config.js';
import { AAC_CHANNEL_COUNTS, AAC_SAMPLE_RATES } from './sampling.js';

type ErrorClass = new (...args: never[]) => LalError;

function throwsAac(fn: () => unknown, cls: ErrorClass = LalError): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.match((e as Error).message, /^aac: /);
    return true;
  });
}

interface AdtsGolden {
  rate: number;
  channels: number;
  /** The first frame's 7-byte header. */
  header: string;
  frameLength: number;
  /** The AudioSpecificConfig ffmpeg wrote into an FLV with the same settings. */
  flvAsc: string;
}

/**
 * First ADTS headers of `ffmpeg -f lavfi -i sine=frequency=1000:sample_rate=R -t 1 -ac C -c:a aac
 * -f adts` (ffmpeg 5.1.9); ffprobe reports profile LC, rate R, C channels for each. The FLV
 * config is from the same command with -f flv.
 */
const GOLDENS: AdtsGolden[] = [
  { rate: 44100, channels: 1, header: 'fff1504026fffc', frameLength: 311, flvAsc: '120856e500' },
  { rate: 44100, channels: 2, header: 'fff15080299ffc', frameLength: 332, flvAsc: '121056e500' },
  { rate: 44100, channels: 6, header: 'fff1518031fffc', frameLength: 399, flvAsc: '123056e500' },
  { rate: 48000, channels: 1, header: 'fff14c40241ffc', frameLength: 288, flvAsc: '118856e500' },
  { rate: 48000, channels: 2, header: 'fff14c80221ffc', frameLength: 272, flvAsc: '119056e500' },
  { rate: 48000, channels: 6, header: 'fff14d802d1ffc', frameLength: 360, flvAsc: '11b056e500' },
  { rate: 22050, channels: 1, header: 'fff15c403f1ffc', frameLength: 504, flvAsc: '138856e500' },
  { rate: 22050, channels: 2, header: 'fff15c8051dffc', frameLength: 654, flvAsc: '139056e500' },
  { rate: 22050, channels: 6, header: 'fff15d80553ffc', frameLength: 681, flvAsc: '13b056e500' },
  { rate: 8000, channels: 1, header: 'fff16c4047fffc', frameLength: 575, flvAsc: '158856e500' },
  { rate: 8000, channels: 2, header: 'fff16c805b1ffc', frameLength: 728, flvAsc: '159056e500' },
  { rate: 8000, channels: 6, header: 'fff16d80549ffc', frameLength: 676, flvAsc: '15b056e500' },
];

describe('ADTS header goldens (ffmpeg)', () => {
  for (const g of GOLDENS) {
    it(`${g.rate} Hz ${g.channels} ch`, () => {
      const b = unhex(g.header);
      const h = parseAdtsHeader(b);
      assert.equal(h.mpegVersion, 4);
      assert.equal(h.protectionAbsent, true);
      assert.equal(h.profile, 1, 'AAC LC');
      assert.equal(h.sampleRate, g.rate);
      assert.equal(h.channels, g.channels);
      assert.equal(h.channelConfiguration, g.channels);
      assert.equal(h.frameLength, g.frameLength);
      assert.equal(h.bufferFullness, 0x7ff);
      assert.equal(h.numberOfRawDataBlocksInFrame, 0);
      assert.equal(h.headerLength, 7);
      assert.equal(h.crc, undefined);
      assert.equal(hex(packAdtsHeader(h)), g.header, 'pack(parse(x)) == x');
      // Truncated twin.
      throwsAac(() => parseAdtsHeader(b.subarray(0, 6)), ShortBufferError);
      // Corrupted twins: layer 1, a broken syncword, a reserved sampling index.
      const layer = Uint8Array.from(b);
      layer[1] = (layer[1] as number) | 0x02;
      throwsAac(() => parseAdtsHeader(layer), ProtocolError);
      const sync = Uint8Array.from(b);
      sync[1] = (sync[1] as number) & 0x7f;
      throwsAac(() => parseAdtsHeader(sync), ProtocolError);
      const sfi = Uint8Array.from(b);
      sfi[2] = ((sfi[2] as number) & 0xc3) | (13 << 2);
      throwsAac(() => parseAdtsHeader(sfi), ProtocolError);
    });

    it(`${g.rate} Hz ${g.channels} ch: ADTS -> ASC -> ADTS, and the ASC matches ffmpeg's FLV one`, () => {
      const h = parseAdtsHeader(unhex(g.header));
      const asc = ascFromAdtsHeader(h);
      const flv = parseAudioSpecificConfig(unhex(g.flvAsc));
      assert.equal(asc.objectType, flv.objectType);
      assert.equal(asc.samplingFrequencyIndex, flv.samplingFrequencyIndex);
      assert.equal(asc.sampleRate, flv.sampleRate);
      assert.equal(asc.channelConfiguration, flv.channelConfiguration);
      assert.equal(asc.channels, flv.channels);
      assert.equal(
        hex(packAudioSpecificConfig(asc)),
        g.flvAsc.slice(0, 4),
        'the 2-byte core of the FLV config',
      );
      // ffmpeg's adts muxer writes the same defaults as adtsHeaderForConfig.
      assert.equal(hex(adtsHeaderForConfig(asc, h.frameLength - 7)), g.header);
      assert.equal(hex(adtsHeaderForConfig(flv, h.frameLength - 7)), g.header);
    });
  }
});

describe('ADTS header forms', () => {
  it('parses and packs a CRC-protected header (9 bytes)', () => {
    const b = unhex('fff0508001fffc abcd');
    const h = parseAdtsHeader(b);
    assert.equal(h.protectionAbsent, false);
    assert.equal(h.headerLength, 9);
    assert.equal(h.crc, 0xabcd);
    assert.equal(h.frameLength, 15);
    assert.equal(hex(packAdtsHeader(h)), hex(b));
    throwsAac(() => parseAdtsHeader(b.subarray(0, 8)), ShortBufferError);
    assert.equal(adtsHeaderLengthAt(b, 0), 9);
  });

  it('parses and packs a CRC-protected header with 4 raw data blocks (15 bytes)', () => {
    const b = unhex('fff05080051fff 0001 0002 0003 1234');
    const h = parseAdtsHeader(b);
    assert.equal(h.numberOfRawDataBlocksInFrame, 3);
    assert.equal(h.headerLength, 15);
    assert.deepEqual(h.rawDataBlockPositions, [1, 2, 3]);
    assert.equal(h.crc, 0x1234);
    assert.equal(h.frameLength, 40);
    assert.equal(hex(packAdtsHeader(h)), hex(b));
    throwsAac(() => packAdtsHeader({ ...h, rawDataBlockPositions: [1] }), InvalidArgError);
  });

  it('parses an MPEG-2 (ID 1) header and keeps every flag', () => {
    // ID 1, private, original/copy, home, copyright bits all set.
    const b = unhex('fff9 52 bc 01 bf fc');
    const h = parseAdtsHeader(b);
    assert.equal(h.mpegVersion, 2);
    assert.equal(h.privateBit, true);
    assert.equal(h.originalCopy, true);
    assert.equal(h.home, true);
    assert.equal(h.copyrightIdentificationBit, true);
    assert.equal(h.copyrightIdentificationStart, true);
    assert.equal(h.channelConfiguration, 2);
    assert.equal(hex(packAdtsHeader(h)), hex(b));
  });

  it('rejects a frame length shorter than its header', () => {
    // aac_frame_length 6 with a 7-byte header; 8 with a 9-byte one.
    throwsAac(() => parseAdtsHeader(unhex('fff1508000dffc')), ProtocolError);
    throwsAac(() => parseAdtsHeader(unhex('fff05080011ffc0000')), ProtocolError);
    const h = parseAdtsHeader(unhex(GOLDENS[0]?.header ?? ''));
    throwsAac(() => packAdtsHeader({ ...h, frameLength: 6 }), InvalidArgError);
    throwsAac(() => packAdtsHeader({ ...h, frameLength: 8192 }), InvalidArgError);
    throwsAac(() => packAdtsHeader({ ...h, samplingFrequencyIndex: 15 }), InvalidArgError);
  });
});

describe('ASC -> ADTS conversions', () => {
  it('maps HE-AAC configs to their AAC LC core', () => {
    for (const x of ['2b920800', '139056e5a0', 'eb8a0800', '138856e5a54880']) {
      const asc = parseAudioSpecificConfig(unhex(x));
      const h = parseAdtsHeader(adtsHeaderForConfig(asc, 100));
      assert.equal(h.profile, 1);
      assert.equal(h.samplingFrequencyIndex, 7, '22050 Hz core');
      assert.equal(h.channelConfiguration, asc.channelConfiguration);
      assert.equal(h.frameLength, 107);
    }
  });

  it('maps an explicit frequency to its table index when there is one', () => {
    const h = adtsHeaderFieldsForConfig(parseAudioSpecificConfig(unhex('1780562210')), 0);
    assert.equal(h.samplingFrequencyIndex, 4);
    throwsAac(() => adtsHeaderForConfig(parseAudioSpecificConfig(unhex('178055f010')), 0), UnsupportedError);
  });

  it('refuses what ADTS cannot carry', () => {
    const lc = makeAudioSpecificConfig({ sampleRate: 44100 });
    const bad: AudioSpecificConfig[] = [
      { ...lc, objectType: 17, epConfig: 0 },
      { ...lc, channelConfiguration: 11 },
      { ...lc, frameLength: 960 },
      { ...lc, dependsOnCoreCoder: true, coreCoderDelay: 1 },
      { ...lc, extensionFlag: true },
      parseAudioSpecificConfig(unhex(`118004c4040021100d4c61766335392e33372e31303056e500`)),
    ];
    for (const c of bad) throwsAac(() => adtsHeaderForConfig(c, 10), UnsupportedError);
    assert.equal(adtsHeaderForConfig(lc, 8184).length, 7);
    throwsAac(() => adtsHeaderForConfig(lc, 8185), LimitError);
    throwsAac(() => adtsHeaderForConfig(lc, -1), InvalidArgError);
  });

  it('refuses ADTS headers without an ASC equivalent', () => {
    const h = parseAdtsHeader(unhex(GOLDENS[1]?.header ?? ''));
    throwsAac(() => ascFromAdtsHeader({ ...h, channelConfiguration: 0, channels: 0 }), UnsupportedError);
    throwsAac(() => ascFromAdtsHeader({ ...h, mpegVersion: 2, profile: 3 }), ProtocolError);
    assert.equal(ascFromAdtsHeader({ ...h, profile: 3 }).objectType, 4, 'MPEG-4 profile 3 is AAC LTP');
  });
});

const arbHeader: fc.Arbitrary<AdtsHeader> = fc
  .record(
    {
      mpegVersion: fc.constantFrom(2 as const, 4 as const),
      protectionAbsent: fc.boolean(),
      profile: fc.integer({ min: 0, max: 3 }),
      samplingFrequencyIndex: fc.integer({ min: 0, max: 12 }),
      privateBit: fc.boolean(),
      channelConfiguration: fc.integer({ min: 0, max: 7 }),
      originalCopy: fc.boolean(),
      home: fc.boolean(),
      copyrightIdentificationBit: fc.boolean(),
      copyrightIdentificationStart: fc.boolean(),
      frameLength: fc.integer({ min: 15, max: 0x1fff }),
      bufferFullness: fc.integer({ min: 0, max: 0x7ff }),
      numberOfRawDataBlocksInFrame: fc.integer({ min: 0, max: 3 }),
      positions: fc.array(fc.integer({ min: 0, max: 0xffff }), { minLength: 3, maxLength: 3 }),
      crc: fc.integer({ min: 0, max: 0xffff }),
    },
    { noNullPrototype: true },
  )
  .map(({ positions, crc, ...f }) => {
    const h: AdtsHeader = {
      ...f,
      sampleRate: AAC_SAMPLE_RATES[f.samplingFrequencyIndex] ?? 0,
      channels: AAC_CHANNEL_COUNTS[f.channelConfiguration] ?? 0,
      headerLength: f.protectionAbsent ? 7 : 9 + 2 * f.numberOfRawDataBlocksInFrame,
    };
    if (!f.protectionAbsent) {
      if (f.numberOfRawDataBlocksInFrame > 0) {
        h.rawDataBlockPositions = positions.slice(0, f.numberOfRawDataBlocksInFrame);
      }
      h.crc = crc;
    }
    return h;
  });

describe('ADTS properties', () => {
  it('random valid headers round-trip', () => {
    fc.assert(
      fc.property(arbHeader, (h) => {
        const b = packAdtsHeader(h);
        assert.equal(b.length, h.headerLength);
        assert.deepEqual(parseAdtsHeader(b), h);
      }),
      { numRuns: 1000 },
    );
  });

  it('random bytes end in a header or a LalError; a header packs back to its bytes', () => {
    const arbBytes = fc.oneof(
      fc.uint8Array({ maxLength: 20 }),
      fc
        .tuple(fc.integer({ min: 0xf0, max: 0xff }), fc.uint8Array({ maxLength: 16 }))
        .map(([b1, rest]) => Uint8Array.of(0xff, b1, ...rest)),
    );
    fc.assert(
      fc.property(arbBytes, (b) => {
        let h: AdtsHeader;
        try {
          h = parseAdtsHeader(b);
        } catch (e) {
          assert.ok(e instanceof LalError, `not a LalError: ${String(e)}`);
          assert.match(e.message, /^aac: /);
          return;
        }
        assert.equal(hex(packAdtsHeader(h)), hex(b.subarray(0, h.headerLength)));
      }),
      { numRuns: 3000 },
    );
  });

  it('ADTS -> ASC -> ADTS keeps the header for every MPEG-4 profile, rate and layout', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3 }),
        fc.integer({ min: 0, max: 12 }),
        fc.integer({ min: 1, max: 7 }),
        fc.integer({ min: 0, max: 0x1fff - 7 }),
        (profile, sfi, cc, rawLength) => {
          const asc = makeAudioSpecificConfig({
            objectType: profile + 1,
            sampleRate: AAC_SAMPLE_RATES[sfi] ?? 0,
            channelConfiguration: cc,
          });
          const bytes = adtsHeaderForConfig(asc, rawLength);
          const h = parseAdtsHeader(bytes);
          assert.equal(h.frameLength, rawLength + 7);
          assert.deepEqual(ascFromAdtsHeader(h), asc);
          assert.equal(hex(adtsHeaderForConfig(ascFromAdtsHeader(h), rawLength)), hex(bytes));
        },
      ),
      { numRuns: 500 },
    );
  });
});
