import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BitReader } from '../../util/bit-reader.js';
import { BitWriter } from '../../util/bit-writer.js';
import {
  InvalidArgError,
  LalError,
  ProtocolError,
  ShortBufferError,
  UnsupportedError,
} from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import {
  type AudioSpecificConfig,
  type AudioSpecificConfigOptions,
  makeAudioSpecificConfig,
  packAudioSpecificConfig,
  parseAudioSpecificConfig,
} from './audio-specific-config.js';
import { AudioObjectType, readAudioObjectType, writeAudioObjectType } from './object-type.js';
import type { ProgramConfigElement } from './program-config-element.js';
import {
  AAC_SAMPLE_RATES,
  nearestSamplingFrequencyIndex,
  sampleRateFromIndex,
  samplingFrequencyIndexOf,
} from './sampling.js';

type ErrorClass = new (...args: never[]) => LalError;

/** Asserts `fn` throws an instance of `cls` whose message starts with `aac: `. */
function throwsAac(fn: () => unknown, cls: ErrorClass = LalError): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof cls, `expected ${cls.name}, got ${String(e)}`);
    assert.match((e as Error).message, /^aac: /);
    return true;
  });
}

interface Golden {
  name: string;
  hex: string;
  /** Facts the parse must report (checked against ffprobe for the ffmpeg-made ones). */
  facts: Partial<AudioSpecificConfig>;
  /** A prefix length that must fail with ShortBufferError. */
  truncateTo: number;
}

/**
 * AudioSpecificConfigs from FLV AAC sequence headers (the tag body after AF 00) written by
 * ffmpeg 5.1.9 (native aac encoder): `ffmpeg -f lavfi -i sine=frequency=1000:sample_rate=R -t 1
 * -ac C -c:a aac -f flv`. ffmpeg appends the backward-compatible sync extension 0x2b7 with
 * extensionAudioObjectType 5 and sbrPresentFlag 0 ("56 e5 00"). ffprobe: profile LC, rate R, C ch.
 */
const FFMPEG_FLV: Golden[] = [
  ['44100', 1, '120856e500'],
  ['44100', 2, '121056e500'],
  ['44100', 6, '123056e500'],
  ['48000', 1, '118856e500'],
  ['48000', 2, '119056e500'],
  ['48000', 6, '11b056e500'],
  ['22050', 1, '138856e500'],
  ['22050', 2, '139056e500'],
  ['22050', 6, '13b056e500'],
  ['8000', 1, '158856e500'],
  ['8000', 2, '159056e500'],
  ['8000', 6, '15b056e500'],
].map(([rate, ch, h]) => ({
  name: `ffmpeg flv ${rate} Hz ${ch} ch`,
  hex: h as string,
  facts: {
    objectType: 2,
    sampleRate: Number(rate),
    channels: ch as number,
    channelConfiguration: ch as number,
    frameLength: 1024,
    sbr: false,
    sbrSignalling: 'backward-compatible',
  },
  truncateTo: 4,
}));

/** The Lavc version string ffmpeg writes into the PCE comment field. */
const LAVC = '4c61766335392e33372e313030';

/**
 * ffmpeg 5.1.9 with `-aac_pce 1 -af aformat=channel_layouts=L` at 48000 Hz: channelConfiguration 0
 * and a program_config_element (comment "Lavc59.37.100"), then the same sync extension.
 * ffprobe: quad 4 ch, 5.1 6 ch, 6.1 7 ch, 7.1 8 ch, hexagonal 6 ch.
 */
const FFMPEG_PCE: Golden[] = [
  ['quad', 4, `118004c4040021100d${LAVC}56e500`],
  ['5.1', 6, `118004c844002000c40d${LAVC}56e500`],
  ['6.1', 7, `118004c848002000c4400d${LAVC}56e500`],
  ['7.1', 8, `118004c848002000c6400d${LAVC}56e500`],
  ['hexagonal', 6, `118004c808002008840d${LAVC}56e500`],
].map(([layout, ch, h]) => ({
  name: `ffmpeg flv PCE ${layout}`,
  hex: h as string,
  facts: { objectType: 2, sampleRate: 48000, channels: ch as number, channelConfiguration: 0, sbr: false },
  truncateTo: 12,
}));

/**
 * Hand-built from ISO/IEC 14496-3 1.6.2.1 / 1.6.5 (the bit strings are spelled out in the tests
 * below); the HE-AAC ones were checked by injecting them into an ffmpeg FLV: ffprobe reports the
 * output rate (44100 / 48000) and, for PS on a mono core, 2 channels.
 */
const HAND: Golden[] = [
  {
    name: 'AAC LC 44100 stereo, plain 2 bytes (what lal packs)',
    hex: '1210',
    facts: { objectType: 2, sampleRate: 44100, samplingFrequencyIndex: 4, channels: 2, frameLength: 1024 },
    truncateTo: 1,
  },
  {
    name: 'AAC LC 48000 stereo, 960-sample frames',
    hex: '1194',
    facts: { objectType: 2, sampleRate: 48000, channels: 2, frameLength: 960 },
    truncateTo: 1,
  },
  {
    name: 'HE-AAC 44100 stereo, explicit hierarchical (FDK-style): AOT 5, core 22050, ext 44100, AOT 2',
    hex: '2b920800',
    facts: {
      objectType: 2,
      sampleRate: 22050,
      samplingFrequencyIndex: 7,
      channels: 2,
      sbr: true,
      sbrSignalling: 'hierarchical',
      extensionSampleRate: 44100,
      extensionSamplingFrequencyIndex: 4,
    },
    truncateTo: 3,
  },
  {
    name: 'HE-AAC 48000 stereo, explicit hierarchical: AOT 5, core 24000, ext 48000',
    hex: '2b118800',
    facts: { objectType: 2, sampleRate: 24000, channels: 2, sbr: true, extensionSampleRate: 48000 },
    truncateTo: 3,
  },
  {
    name: 'HE-AAC v2 44100, explicit hierarchical: AOT 29, mono core 22050, ext 44100',
    hex: 'eb8a0800',
    facts: {
      objectType: 2,
      sampleRate: 22050,
      channelConfiguration: 1,
      channels: 2,
      sbr: true,
      ps: true,
      sbrSignalling: 'hierarchical',
      extensionSampleRate: 44100,
    },
    truncateTo: 3,
  },
  {
    name: 'HE-AAC 44100 stereo, backward-compatible 0x2b7 with sbrPresentFlag 1, 5 bytes',
    hex: '139056e5a0',
    facts: {
      objectType: 2,
      sampleRate: 22050,
      channels: 2,
      sbr: true,
      sbrSignalling: 'backward-compatible',
      extensionSampleRate: 44100,
    },
    truncateTo: 4,
  },
  {
    name: 'HE-AAC v2 44100, backward-compatible 0x2b7 + 0x548 psPresentFlag 1',
    hex: '138856e5a54880',
    facts: {
      objectType: 2,
      sampleRate: 22050,
      channelConfiguration: 1,
      channels: 2,
      sbr: true,
      ps: true,
      sbrSignalling: 'backward-compatible',
      extensionSampleRate: 44100,
    },
    truncateTo: 4,
  },
  {
    name: 'AAC LC explicit frequency: index 15 + 24-bit 44000 Hz, 5 bytes',
    hex: '178055f010',
    facts: { objectType: 2, samplingFrequencyIndex: 15, sampleRate: 44000, channels: 2 },
    truncateTo: 4,
  },
  {
    name: 'AAC LC explicit frequency: index 15 + 24-bit 44100 Hz (a table rate, kept explicit)',
    hex: '1780562210',
    facts: { objectType: 2, samplingFrequencyIndex: 15, sampleRate: 44100, channels: 2 },
    truncateTo: 4,
  },
];

const GOLDENS = [...FFMPEG_FLV, ...FFMPEG_PCE, ...HAND];

/** Sets the 4 samplingFrequencyIndex bits (bits 5..8) of a config with a 5-bit object type. */
function withSamplingIndex(b: Uint8Array, index: number): Uint8Array {
  const out = Uint8Array.from(b);
  out[0] = ((out[0] as number) & 0xf8) | (index >>> 1);
  out[1] = ((out[1] as number) & 0x7f) | ((index & 1) << 7);
  return out;
}

describe('AudioSpecificConfig goldens', () => {
  for (const g of GOLDENS) {
    it(g.name, () => {
      const bytes = Uint8Array.from(unhex(g.hex));
      const asc = parseAudioSpecificConfig(bytes);
      for (const [k, v] of Object.entries(g.facts)) {
        assert.deepEqual(asc[k as keyof AudioSpecificConfig], v, k);
      }
      assert.equal(asc.trailingBits, undefined, 'no unexplained bits');
      assert.equal(hex(packAudioSpecificConfig(asc)), g.hex, 'pack(parse(x)) == x');
      // Truncated twin.
      throwsAac(() => parseAudioSpecificConfig(bytes.subarray(0, g.truncateTo)), ShortBufferError);
      // Corrupted twin: a reserved samplingFrequencyIndex.
      throwsAac(() => parseAudioSpecificConfig(withSamplingIndex(bytes, 13)), ProtocolError);
    });
  }

  it('spells out the bits of the ffmpeg sync extension', () => {
    // 00010 0100 0010 | 0 0 0 | 01010110111 00101 0 | 0000000
    // AAC LC, 44100, stereo | GASpecificConfig | 0x2b7, SBR, sbrPresentFlag 0 | padding
    const w = new BitWriter()
      .writeBits(5, 2)
      .writeBits(4, 4)
      .writeBits(4, 2)
      .writeBits(3, 0)
      .writeBits(11, 0x2b7)
      .writeBits(5, 5)
      .writeBit(0);
    assert.equal(hex(w.finish()), '121056e500');
  });

  it('spells out the bits of explicit hierarchical HE-AAC and HE-AAC v2', () => {
    // AOT 5 | core 22050 (7) | stereo | ext 44100 (4) | AOT 2 | GASpecificConfig 000
    const he = new BitWriter().writeBits(5, 5).writeBits(4, 7).writeBits(4, 2).writeBits(4, 4);
    he.writeBits(5, 2).writeBits(3, 0);
    assert.equal(hex(he.finish()), '2b920800');
    const v2 = new BitWriter().writeBits(5, 29).writeBits(4, 7).writeBits(4, 1).writeBits(4, 4);
    v2.writeBits(5, 2).writeBits(3, 0);
    assert.equal(hex(v2.finish()), 'eb8a0800');
  });

  it('spells out the bits of backward-compatible HE-AAC v2', () => {
    // LC 22050 mono 000 | 0x2b7 | SBR | 1 | ext 44100 | 0x548 | 1
    const w = new BitWriter().writeBits(5, 2).writeBits(4, 7).writeBits(4, 1).writeBits(3, 0);
    w.writeBits(11, 0x2b7).writeBits(5, 5).writeBit(1).writeBits(4, 4).writeBits(11, 0x548).writeBit(1);
    assert.equal(hex(w.finish()), '138856e5a54880');
  });

  it('parses the PCE of ffmpeg 5.1 layout', () => {
    const asc = parseAudioSpecificConfig(unhex(FFMPEG_PCE[1]?.hex ?? ''));
    const pce = asc.programConfig;
    assert.ok(pce);
    assert.equal(pce.objectType, 1, 'PCE object_type is AOT - 1');
    assert.equal(pce.samplingFrequencyIndex, 3);
    // ffmpeg codes its 5.1 PCE as front CPE + SCE, side SCE, back CPE (no LFE element): 6 channels.
    const kinds = (es: { isCpe: boolean }[]): string => es.map((e) => (e.isCpe ? 'cpe' : 'sce')).join(',');
    assert.equal(kinds(pce.front), 'cpe,sce');
    assert.equal(kinds(pce.side), 'sce');
    assert.equal(kinds(pce.back), 'cpe');
    assert.equal(pce.lfe.length, 0);
    assert.equal(Buffer.from(pce.comment).toString('latin1'), 'Lavc59.37.100');
  });
});

describe('AudioSpecificConfig errors', () => {
  it('rejects short input with ShortBufferError', () => {
    throwsAac(() => parseAudioSpecificConfig(new Uint8Array(0)), ShortBufferError);
    throwsAac(() => parseAudioSpecificConfig(unhex('12')), ShortBufferError);
    // Explicit frequency needs 24 more bits.
    throwsAac(() => parseAudioSpecificConfig(unhex('1780')), ShortBufferError);
  });

  it('rejects reserved values with ProtocolError', () => {
    // channelConfiguration 8 (reserved).
    throwsAac(() => parseAudioSpecificConfig(unhex('1240')), ProtocolError);
    // channelConfiguration 15.
    throwsAac(() => parseAudioSpecificConfig(unhex('1278')), ProtocolError);
    // Explicit frequency 0.
    throwsAac(() => parseAudioSpecificConfig(unhex('1780000010')), ProtocolError);
    // Hierarchical SBR with a reserved extensionSamplingFrequencyIndex (14).
    throwsAac(() => parseAudioSpecificConfig(unhex('2b97 0800')), ProtocolError);
    // PCE with a non-zero byte_alignment bit: flip the last alignment bit of the quad golden.
    const quad = Uint8Array.from(unhex(FFMPEG_PCE[0]?.hex ?? ''));
    quad[7] = (quad[7] as number) | 1;
    throwsAac(() => parseAudioSpecificConfig(quad), ProtocolError);
  });

  it('rejects object types without a GASpecificConfig with UnsupportedError', () => {
    // AOT 0 (null), 8 (CELP), 22 (ER BSAC), 5 inside 5.
    for (const aot of [0, 8, 22]) {
      const b = new BitWriter().writeBits(5, aot).writeBits(4, 4).writeBits(4, 2).writeBits(3, 0).finish();
      throwsAac(() => parseAudioSpecificConfig(b), UnsupportedError);
    }
    // Escape: 31 + 6 bits of 7 -> AOT 39 (ER AAC ELD); the message names the decoded type.
    const eld = new BitWriter().writeBits(5, 31).writeBits(6, 7).writeBits(4, 3).writeBits(4, 2).finish();
    assert.throws(
      () => parseAudioSpecificConfig(eld),
      (e: unknown) => e instanceof UnsupportedError && /ErAacEld \(39\)/.test(e.message),
    );
    // ER AAC LC with epConfig 2.
    const ep = new BitWriter()
      .writeBits(5, 17)
      .writeBits(4, 4)
      .writeBits(4, 2)
      .writeBits(3, 0)
      .writeBits(2, 2);
    throwsAac(() => parseAudioSpecificConfig(ep.finish()), UnsupportedError);
  });

  it('refuses to pack what cannot be coded, with InvalidArgError', () => {
    const base = makeAudioSpecificConfig({ sampleRate: 44100 });
    const bad: AudioSpecificConfig[] = [
      { ...base, objectType: 36 },
      { ...base, sampleRate: 48000 },
      { ...base, samplingFrequencyIndex: 13 },
      { ...base, samplingFrequencyIndex: 15, sampleRate: 0 },
      { ...base, channelConfiguration: 9 },
      { ...base, channelConfiguration: 0 },
      { ...base, sbr: true },
      { ...base, sbrSignalling: 'hierarchical' },
      { ...base, sbrSignalling: 'backward-compatible', sbr: false, ps: true },
      { ...base, dependsOnCoreCoder: true },
      { ...base, dependsOnCoreCoder: true, coreCoderDelay: 0x4000 },
      { ...base, frameLength: 512 as 1024 },
    ];
    for (const c of bad) throwsAac(() => packAudioSpecificConfig(c), InvalidArgError);
    throwsAac(() => makeAudioSpecificConfig({ sampleRate: 44100, channelConfiguration: 0 }), InvalidArgError);
    throwsAac(() => makeAudioSpecificConfig({ sampleRate: 0x1000000 }), InvalidArgError);
  });
});

describe('AudioSpecificConfig details', () => {
  it('keeps bits it does not understand so pack reproduces them', () => {
    // Plain LC + one extra byte; LC + 0x2b7 with an extension type other than SBR (22).
    for (const h of ['121000', '1210ff', '121056f6', '2b92080000']) {
      const asc = parseAudioSpecificConfig(unhex(h));
      assert.ok(asc.trailingBits, h);
      assert.equal(hex(packAudioSpecificConfig(asc)), h);
    }
    // Non-zero padding bits are kept as well.
    const asc = parseAudioSpecificConfig(unhex('2b920801'));
    assert.deepEqual(asc.trailingBits, { bitLength: 7, bytes: Uint8Array.of(0x02) });
    assert.equal(hex(packAudioSpecificConfig(asc)), '2b920801');
  });

  it('parses and packs the GASpecificConfig options', () => {
    // AAC scalable (6) depending on a core coder with delay 0x1234, layerNr 5, extensionFlag + extensionFlag3.
    const w = new BitWriter().writeBits(5, 6).writeBits(4, 3).writeBits(4, 1);
    w.writeBit(0).writeBit(1).writeBits(14, 0x1234).writeBit(1).writeBits(3, 5).writeBit(1);
    const bytes = w.finish();
    const asc = parseAudioSpecificConfig(bytes);
    assert.equal(asc.coreCoderDelay, 0x1234);
    assert.equal(asc.layerNr, 5);
    assert.equal(asc.extensionFlag3, true);
    assert.equal(hex(packAudioSpecificConfig(asc)), hex(bytes));
    // ER AAC LD (23) with the resilience flags and epConfig 1.
    const ld = new BitWriter().writeBits(5, 23).writeBits(4, 3).writeBits(4, 1);
    ld.writeBits(3, 0b001).writeBits(3, 0b101).writeBit(0).writeBits(2, 1);
    const ldBytes = ld.finish();
    const ldAsc = parseAudioSpecificConfig(ldBytes);
    assert.deepEqual(ldAsc.resilience, { sectionData: true, scalefactorData: false, spectralData: true });
    assert.equal(ldAsc.epConfig, 1);
    assert.equal(hex(packAudioSpecificConfig(ldAsc)), hex(ldBytes));
  });

  it('returns the PCE comment as a view of the input', () => {
    const bytes = Uint8Array.from(unhex(FFMPEG_PCE[0]?.hex ?? ''));
    const asc = parseAudioSpecificConfig(bytes);
    assert.equal(asc.programConfig?.comment.buffer, bytes.buffer);
  });

  it('codes object types with the escape (GetAudioObjectType)', () => {
    for (const aot of [0, 2, 30, 32, 39, 42, 95]) {
      const w = new BitWriter();
      writeAudioObjectType(w, aot);
      const b = w.finish();
      assert.equal(readAudioObjectType(new BitReader(b)), aot);
      assert.equal(w.bitLength, aot >= 31 ? 11 : 5);
    }
    throwsAac(() => writeAudioObjectType(new BitWriter(), 31), InvalidArgError);
    throwsAac(() => writeAudioObjectType(new BitWriter(), 96), InvalidArgError);
    assert.equal(AudioObjectType.AacLc, 2);
  });
});

describe('sampling frequency helpers', () => {
  it('maps index <-> Hz (Table 1.18)', () => {
    assert.equal(AAC_SAMPLE_RATES.length, 13);
    assert.equal(sampleRateFromIndex(4), 44100);
    assert.equal(sampleRateFromIndex(12), 7350);
    assert.equal(samplingFrequencyIndexOf(48000), 3);
    assert.equal(samplingFrequencyIndexOf(44000), undefined);
    for (const i of [13, 14, 15, -1, 1.5]) throwsAac(() => sampleRateFromIndex(i), ProtocolError);
    AAC_SAMPLE_RATES.forEach((hz, i) => {
      assert.equal(samplingFrequencyIndexOf(hz), i);
      assert.equal(nearestSamplingFrequencyIndex(hz), i === 12 ? 11 : i, `${hz}`);
    });
    assert.equal(nearestSamplingFrequencyIndex(44000), 4);
    assert.equal(nearestSamplingFrequencyIndex(1), 11);
    assert.equal(nearestSamplingFrequencyIndex(192000), 0);
  });
});

// ---- property tests ----

const arbRate = fc.oneof(fc.constantFrom(...AAC_SAMPLE_RATES), fc.integer({ min: 1, max: 0x7fffff }));
const arbCc = fc.constantFrom(1, 2, 3, 4, 5, 6, 7, 11, 12, 13, 14);

const arbOptions: fc.Arbitrary<AudioSpecificConfigOptions> = fc.record(
  {
    objectType: fc.constantFrom(1, 2, 3, 4, 6, 7, 17, 19, 20, 21, 23),
    sampleRate: arbRate,
    channelConfiguration: arbCc,
    frameLength: fc.constantFrom(1024 as const, 960 as const),
    sbr: fc.record(
      {
        signalling: fc.constantFrom('hierarchical' as const, 'backward-compatible' as const),
        ps: fc.boolean(),
        extensionSampleRate: arbRate,
      },
      { requiredKeys: ['signalling'] },
    ),
  },
  { requiredKeys: ['sampleRate'] },
);

const arbNibble = fc.integer({ min: 0, max: 15 });
const arbElement = fc.record({ isCpe: fc.boolean(), tagSelect: arbNibble }, { noNullPrototype: true });
const arbPce: fc.Arbitrary<ProgramConfigElement> = fc.record(
  {
    elementInstanceTag: arbNibble,
    objectType: fc.integer({ min: 0, max: 3 }),
    samplingFrequencyIndex: arbNibble,
    front: fc.array(arbElement, { maxLength: 15 }),
    side: fc.array(arbElement, { maxLength: 15 }),
    back: fc.array(arbElement, { maxLength: 15 }),
    lfe: fc.array(arbNibble, { maxLength: 3 }),
    assocData: fc.array(arbNibble, { maxLength: 7 }),
    cc: fc.array(fc.record({ isIndSw: fc.boolean(), tagSelect: arbNibble }, { noNullPrototype: true }), {
      maxLength: 15,
    }),
    monoMixdownElementNumber: arbNibble,
    stereoMixdownElementNumber: arbNibble,
    matrixMixdown: fc.record(
      { idx: fc.integer({ min: 0, max: 3 }), pseudoSurroundEnable: fc.boolean() },
      { noNullPrototype: true },
    ),
    comment: fc.uint8Array({ maxLength: 20 }),
  },
  {
    noNullPrototype: true,
    requiredKeys: [
      'elementInstanceTag',
      'objectType',
      'samplingFrequencyIndex',
      'front',
      'side',
      'back',
      'lfe',
      'assocData',
      'cc',
      'comment',
    ],
  },
);

describe('AudioSpecificConfig properties', () => {
  it('random valid configs round-trip: parse(pack(c)) equals c', () => {
    fc.assert(
      fc.property(arbOptions, (o) => {
        let c: AudioSpecificConfig;
        try {
          c = makeAudioSpecificConfig(o);
        } catch (e) {
          assert.ok(e instanceof InvalidArgError, String(e));
          return;
        }
        const b = packAudioSpecificConfig(c);
        assert.deepEqual(parseAudioSpecificConfig(b), c);
      }),
      { numRuns: 500 },
    );
  });

  it('configs with a PCE and GASpecificConfig options round-trip', () => {
    fc.assert(
      fc.property(
        arbOptions,
        fc.option(arbPce, { nil: undefined }),
        fc.option(fc.integer({ min: 0, max: 0x3fff }), { nil: undefined }),
        fc.boolean(),
        (o, pce, delay, ext3) => {
          let c: AudioSpecificConfig;
          try {
            c = makeAudioSpecificConfig(o);
          } catch {
            return;
          }
          if (pce !== undefined) {
            c.channelConfiguration = 0;
            c.programConfig = pce;
            const n =
              pce.lfe.length +
              [...pce.front, ...pce.side, ...pce.back].reduce((s, e) => s + (e.isCpe ? 2 : 1), 0);
            c.channels = c.ps === true && n === 1 ? 2 : n;
          }
          if (delay !== undefined) {
            c.dependsOnCoreCoder = true;
            c.coreCoderDelay = delay;
          }
          if (ext3) {
            c.extensionFlag = true;
            c.extensionFlag3 = false;
            if ([17, 19, 20, 23].includes(c.objectType)) {
              c.resilience = { sectionData: true, scalefactorData: false, spectralData: true };
            }
          }
          const b = packAudioSpecificConfig(c);
          assert.deepEqual(parseAudioSpecificConfig(b), c);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('random bytes end in a result or a LalError, and a result packs back to the input', () => {
    const arbBytes = fc.oneof(
      fc.uint8Array({ maxLength: 40 }),
      // Bias towards plausible starts: a GA object type, a valid index, then anything.
      fc
        .tuple(
          fc.constantFrom(0x10, 0x11, 0x12, 0x13, 0x2b, 0xeb, 0x17, 0x88),
          fc.uint8Array({ maxLength: 30 }),
        )
        .map(([b0, rest]) => Uint8Array.of(b0, ...rest)),
      // A golden with random bytes appended or one byte changed.
      fc
        .tuple(
          fc.constantFrom(...GOLDENS.map((g) => g.hex)),
          fc.uint8Array({ maxLength: 8 }),
          fc.nat(),
          fc.nat(255),
        )
        .map(([h, tail, at, v]) => {
          const b = Uint8Array.from([...unhex(h), ...tail]);
          b[at % b.length] = v;
          return b;
        }),
    );
    fc.assert(
      fc.property(arbBytes, (b) => {
        let asc: AudioSpecificConfig;
        try {
          asc = parseAudioSpecificConfig(b);
        } catch (e) {
          assert.ok(e instanceof LalError, `not a LalError: ${String(e)}`);
          assert.match(e.message, /^aac: /);
          return;
        }
        assert.equal(hex(packAudioSpecificConfig(asc)), hex(b));
      }),
      { numRuns: 3000 },
    );
  });
});
