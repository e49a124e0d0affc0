import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LalError, ProtocolError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { type AdtsHeader, packAdtsHeader } from './adts.js';
import { type AdtsFrame, AdtsSplitter, type SplitAdtsResult, splitAdts } from './adts-splitter.js';

/**
 * `ffmpeg -f lavfi -i anullsrc=r=44100:cl=stereo -t 0.2 -c:a aac -f adts` (ffmpeg 5.1.9): 10
 * frames (ffprobe -count_frames: 10; 44100 Hz, 2 ch), the first 30 bytes with a fill element
 * carrying "Lavc59.37.100", then 9 silent frames of 13 bytes.
 */
const SILENCE_44100_STEREO = unhex(
  `fff1508003dffcde02004c61766335392e33372e31303000422008c11838${'fff1508001bffc211004608c1c'.repeat(9)}`,
);
/** The same with anullsrc=r=48000:cl=mono -t 0.1: 6 frames (ffprobe: 6; 48000 Hz, 1 ch), 28 + 5 x 11 bytes. */
const SILENCE_48000_MONO = unhex(
  `fff14c40039ffcde02004c61766335392e33372e313030000230400e${'fff14c40017ffc01182007'.repeat(5)}`,
);

function throwsAac(fn: () => unknown, re?: RegExp): void {
  assert.throws(fn, (e: unknown) => {
    assert.ok(e instanceof ProtocolError, `expected ProtocolError, got ${String(e)}`);
    assert.match(e.message, /^aac: /);
    if (re) assert.match(e.message, re);
    return true;
  });
}

/** A comparable summary of frames: offset and bytes. */
function summary(frames: AdtsFrame[]): string[] {
  return frames.map((f) => `${f.offset}:${hex(f.frame)}`);
}

/** Runs AdtsSplitter over `data` cut at the given chunk sizes (cycled). */
function streamSplit(data: Uint8Array, sizes: number[], resync: boolean): SplitAdtsResult {
  const s = new AdtsSplitter({ resync });
  const frames: AdtsFrame[] = [];
  let p = 0;
  let i = 0;
  while (p < data.length) {
    const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    frames.push(...s.push(data.subarray(p, p + n)));
    p += n;
  }
  const end = s.end();
  frames.push(...end.frames);
  return { frames, rest: end.rest, skipped: end.skipped };
}

describe('splitAdts on ffmpeg streams', () => {
  it('splits 10 frames of 44100 Hz stereo', () => {
    const { frames, rest, skipped } = splitAdts(SILENCE_44100_STEREO);
    assert.equal(frames.length, 10);
    assert.equal(rest.length, 0);
    assert.equal(skipped, 0);
    assert.deepEqual(
      frames.map((f) => f.offset),
      [0, 30, 43, 56, 69, 82, 95, 108, 121, 134],
    );
    for (const f of frames) {
      assert.equal(f.header.sampleRate, 44100);
      assert.equal(f.header.channels, 2);
      assert.equal(f.frame.length, f.header.frameLength);
      assert.equal(f.payload.length, f.header.frameLength - 7);
      assert.equal(f.frame.buffer, SILENCE_44100_STEREO.buffer, 'frames are views');
    }
    assert.equal(hex(frames[1]?.payload ?? new Uint8Array(0)), '211004608c1c');
  });

  it('splits 6 frames of 48000 Hz mono, and both streams back to back', () => {
    const mono = splitAdts(SILENCE_48000_MONO).frames;
    assert.equal(mono.length, 6);
    assert.ok(mono.every((f) => f.header.sampleRate === 48000 && f.header.channels === 1));
    const both = Buffer.concat([SILENCE_44100_STEREO, SILENCE_48000_MONO]);
    assert.equal(splitAdts(both).frames.length, 16);
  });

  it('stops cleanly at a truncated tail and returns it', () => {
    const cut = SILENCE_44100_STEREO.subarray(0, SILENCE_44100_STEREO.length - 5);
    const r = splitAdts(cut);
    assert.equal(r.frames.length, 9);
    assert.equal(hex(r.rest), hex(SILENCE_44100_STEREO.subarray(134, 142)));
    // A tail too short for a header.
    const r2 = splitAdts(SILENCE_44100_STEREO.subarray(0, 137));
    assert.equal(r2.frames.length, 9);
    assert.equal(r2.rest.length, 3);
    assert.equal(splitAdts(new Uint8Array(0)).frames.length, 0);
  });

  it('throws on junk and on a frame_length shorter than the header (strict)', () => {
    throwsAac(() => splitAdts(Buffer.concat([unhex('00'), SILENCE_44100_STEREO])), /offset 0/);
    throwsAac(
      () => splitAdts(Buffer.concat([SILENCE_44100_STEREO.subarray(0, 43), unhex('0102')])),
      /offset 43/,
    );
    // Frame 2 (offset 30) with aac_frame_length 3.
    const bad = Uint8Array.from(SILENCE_44100_STEREO);
    bad[30 + 4] = 0;
    bad[30 + 5] = (3 << 5) | 0x1f;
    throwsAac(() => splitAdts(bad), /offset 30: .*shorter than/);
    // A header with layer != 0 (an MPEG audio frame, say).
    const mp3 = Uint8Array.from(SILENCE_44100_STEREO);
    mp3[1] = 0xfb;
    throwsAac(() => splitAdts(mp3), /layer/);
  });

  it('resynchronises past junk, an ID3 tag and a damaged frame', () => {
    const id3 = unhex('494433 0400 0000000010 00112233445566778899aabbccddeeff');
    const r = splitAdts(Buffer.concat([id3, SILENCE_44100_STEREO]), { resync: true });
    assert.equal(r.frames.length, 10);
    assert.equal(r.skipped, id3.length);
    assert.equal(r.frames[0]?.offset, id3.length);

    // A false syncword inside junk, with a length (10) pointing at garbage, is not taken.
    const fake = unhex('00 fff15080 01 5f fc 00 00 00 00 00 00 00 00 00');
    const r2 = splitAdts(Buffer.concat([fake, SILENCE_48000_MONO]), { resync: true });
    assert.equal(r2.frames.length, 6);
    assert.equal(r2.skipped, fake.length);

    // A damaged frame length in the middle: the frames around it survive.
    const bad = Uint8Array.from(SILENCE_44100_STEREO);
    bad[30 + 4] = 0;
    bad[30 + 5] = (3 << 5) | 0x1f;
    const r3 = splitAdts(bad, { resync: true });
    assert.equal(r3.frames.length, 9);
    assert.equal(r3.skipped, 13);
    assert.equal(r3.rest.length, 0);
  });
});

describe('AdtsSplitter', () => {
  it('gives the same frames for every two-piece split of the ffmpeg stream', () => {
    const want = summary(splitAdts(SILENCE_44100_STEREO).frames);
    for (let cut = 0; cut <= SILENCE_44100_STEREO.length; cut++) {
      const s = new AdtsSplitter();
      const got = [
        ...s.push(SILENCE_44100_STEREO.subarray(0, cut)),
        ...s.push(SILENCE_44100_STEREO.subarray(cut)),
      ];
      const end = s.end();
      assert.deepEqual(summary([...got, ...end.frames]), want, `cut at ${cut}`);
      assert.equal(end.rest.length, 0);
    }
  });

  it('gives the same frames fed one byte at a time, with or without resync', () => {
    for (const resync of [false, true]) {
      const data = Buffer.concat([SILENCE_48000_MONO, SILENCE_44100_STEREO]);
      assert.deepEqual(summary(streamSplit(data, [1], resync).frames), summary(splitAdts(data).frames));
    }
  });

  it('returns views for frames inside a chunk and copies for frames across chunks', () => {
    const s = new AdtsSplitter();
    const a = SILENCE_44100_STEREO.subarray(0, 50);
    const b = SILENCE_44100_STEREO.subarray(50);
    const fa = s.push(a);
    assert.equal(fa.length, 2);
    assert.equal(fa[0]?.frame.buffer, SILENCE_44100_STEREO.buffer);
    assert.equal(s.pending, 7);
    const fb = s.push(b);
    assert.equal(fb.length, 8);
    assert.notEqual(fb[0]?.frame.buffer, SILENCE_44100_STEREO.buffer, 'straddling frame is a copy');
    assert.equal(fb[1]?.frame.buffer, SILENCE_44100_STEREO.buffer);
    assert.equal(fb[0]?.offset, 43);
  });

  it('handles maximum-size frames straddling large chunks', () => {
    // Five 8191-byte frames with distinct payloads, with junk before the third (resync case).
    const big = (i: number): Uint8Array => {
      const f = new Uint8Array(8191).fill(i);
      f.set(unhex('fff15083fffffc'));
      return f;
    };
    const data = Buffer.concat([big(0), big(1), unhex('0001020304'), big(2), big(3), big(4)]);
    const whole = splitAdts(data, { resync: true });
    assert.equal(whole.frames.length, 5);
    assert.equal(whole.skipped, 5);
    for (const sizes of [[5000, 20000], [8190], [8192], [8194], [30000], [100, 16000]]) {
      const streamed = streamSplit(data, sizes, true);
      assert.deepEqual(summary(streamed.frames), summary(whole.frames), `chunks ${sizes}`);
      assert.equal(streamed.skipped, 5);
    }
    const strict = Buffer.concat([big(0), big(1), big(2)]);
    assert.equal(streamSplit(strict, [5000, 20000], false).frames.length, 3);
  });

  it('reports a truncated last frame at end()', () => {
    const s = new AdtsSplitter();
    s.push(SILENCE_44100_STEREO.subarray(0, 140));
    const end = s.end();
    assert.equal(end.frames.length, 0);
    assert.equal(end.rest.length, 6);
  });

  it('throws on junk like splitAdts', () => {
    const s = new AdtsSplitter();
    s.push(SILENCE_44100_STEREO.subarray(0, 30));
    throwsAac(() => s.push(unhex('1234')), /offset 30/);
  });
});

// ---- property tests ----

/** A random valid ADTS frame (header + random payload). */
const arbFrame: fc.Arbitrary<Uint8Array> = fc
  .record(
    {
      protectionAbsent: fc.boolean(),
      profile: fc.integer({ min: 0, max: 3 }),
      samplingFrequencyIndex: fc.integer({ min: 0, max: 12 }),
      channelConfiguration: fc.integer({ min: 0, max: 7 }),
      blocks: fc.integer({ min: 0, max: 3 }),
      payload: fc.uint8Array({ maxLength: 60 }),
    },
    { noNullPrototype: true },
  )
  .map((f) => {
    const headerLength = f.protectionAbsent ? 7 : 9 + 2 * f.blocks;
    const h: AdtsHeader = {
      mpegVersion: 4,
      protectionAbsent: f.protectionAbsent,
      profile: f.profile,
      samplingFrequencyIndex: f.samplingFrequencyIndex,
      sampleRate: 0,
      privateBit: false,
      channelConfiguration: f.channelConfiguration,
      channels: 0,
      originalCopy: false,
      home: false,
      copyrightIdentificationBit: false,
      copyrightIdentificationStart: false,
      frameLength: headerLength + f.payload.length,
      bufferFullness: 0x7ff,
      numberOfRawDataBlocksInFrame: f.blocks,
      headerLength,
    };
    if (!f.protectionAbsent) {
      if (f.blocks > 0) h.rawDataBlockPositions = new Array<number>(f.blocks).fill(0);
      h.crc = 0;
    }
    return Uint8Array.from([...packAdtsHeader(h), ...f.payload]);
  });

/** Junk without 0xff bytes, so it cannot hide a syncword. */
const arbJunk = fc.uint8Array({ maxLength: 30 }).map((b) => b.map((x) => (x === 0xff ? 0 : x)));

const arbChunks = fc.array(fc.integer({ min: 1, max: 200 }), { minLength: 1, maxLength: 10 });

describe('ADTS splitter properties', () => {
  it('random valid streams split into their frames, however they are chunked', () => {
    fc.assert(
      fc.property(fc.array(arbFrame, { maxLength: 12 }), arbChunks, (frames, sizes) => {
        const data = Uint8Array.from(frames.flatMap((f) => [...f]));
        const whole = splitAdts(data);
        assert.deepEqual(
          whole.frames.map((f) => hex(f.frame)),
          frames.map((f) => hex(f)),
        );
        assert.equal(whole.rest.length, 0);
        const streamed = streamSplit(data, sizes, false);
        assert.deepEqual(summary(streamed.frames), summary(whole.frames));
      }),
      { numRuns: 300 },
    );
  });

  it('resync finds every frame that follows junk', () => {
    // Groups of junk + at least two frames (a frame found by scanning is only taken when another
    // frame follows it directly), and last a group that may hold a single frame (confirmed by the end).
    const arbGroups = fc
      .tuple(
        fc.array(fc.tuple(arbJunk, fc.array(arbFrame, { minLength: 2, maxLength: 4 })), { maxLength: 5 }),
        fc.option(fc.tuple(arbJunk, arbFrame), { nil: undefined }),
      )
      .map(([groups, last]) => (last === undefined ? groups : [...groups, [last[0], [last[1]]] as const]));
    fc.assert(
      fc.property(arbGroups, arbChunks, (groups, sizes) => {
        const data = Uint8Array.from(groups.flatMap(([j, fs]) => [...j, ...fs.flatMap((f) => [...f])]));
        const whole = splitAdts(data, { resync: true });
        const junk = groups.reduce((n, [j]) => n + j.length, 0);
        assert.deepEqual(
          whole.frames.map((f) => hex(f.frame)),
          groups.flatMap(([, fs]) => fs.map((f) => hex(f))),
        );
        assert.equal(whole.skipped, junk);
        const streamed = streamSplit(data, sizes, true);
        assert.deepEqual(summary(streamed.frames), summary(whole.frames));
        assert.equal(streamed.skipped, whole.skipped);
      }),
      { numRuns: 300 },
    );
  });

  it('random bytes end in a result or a LalError, streamed or not, and account for every byte', () => {
    const arbBytes = fc.oneof(
      fc.uint8Array({ maxLength: 300 }),
      // Mostly syncwords and small lengths, to reach the deeper branches.
      fc
        .array(
          fc.oneof(
            fc.constantFrom(Uint8Array.of(0xff, 0xf1), Uint8Array.of(0xff, 0xf0), Uint8Array.of(0xff)),
            fc.uint8Array({ minLength: 1, maxLength: 12 }),
          ),
          { maxLength: 40 },
        )
        .map((parts) => Uint8Array.from(parts.flatMap((p) => [...p]))),
      fc.tuple(fc.array(arbFrame, { maxLength: 6 }), fc.nat(), fc.nat(255)).map(([frames, at, v]) => {
        const b = Uint8Array.from(frames.flatMap((f) => [...f]));
        if (b.length > 0) b[at % b.length] = v;
        return b;
      }),
    );
    fc.assert(
      fc.property(arbBytes, arbChunks, fc.boolean(), (data, sizes, resync) => {
        let whole: SplitAdtsResult | undefined;
        try {
          whole = splitAdts(data, { resync });
        } catch (e) {
          assert.ok(e instanceof LalError, `not a LalError: ${String(e)}`);
          assert.match(e.message, /^aac: /);
          assert.equal(resync, false, 'resync never throws');
        }
        let streamed: SplitAdtsResult | undefined;
        try {
          streamed = streamSplit(data, sizes, resync);
        } catch (e) {
          assert.ok(e instanceof LalError, `not a LalError: ${String(e)}`);
        }
        assert.equal(streamed === undefined, whole === undefined, 'both throw or neither');
        if (whole === undefined || streamed === undefined) return;
        const used = whole.frames.reduce((n, f) => n + f.frame.length, 0);
        assert.equal(used + whole.skipped + whole.rest.length, data.length);
        assert.deepEqual(summary(streamed.frames), summary(whole.frames));
        assert.equal(streamed.skipped, whole.skipped);
        assert.equal(hex(streamed.rest), hex(whole.rest));
      }),
      { numRuns: 2000 },
    );
  });
});
