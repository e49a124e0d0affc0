import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { LalError } from '../../util/errors.js';
import { parseAudioTagBody } from './audio.js';
import { classifyFlvTag } from './classify.js';
import { FlvTagType } from './constants.js';
import { AUDIO_ONLY_FLV, MP3_FLV, TINY_AV_FLV } from './golden.test-data.js';
import { lalErrorOrValue } from './helpers.test-util.js';
import { FlvReader, type FlvReaderOptions } from './reader.js';
import { parseScriptTagBody } from './script.js';
import { parseVideoTagBody } from './video.js';

/**
 * Feeds `input` in `chunks`-sized pieces, parses every tag body, and ends. Returns the number of tags
 * or the LalError that stopped it; any other exception fails the test. Bounded: each feed consumes or
 * buffers its bytes, so the loop ends after the input is exhausted.
 */
function run(input: Uint8Array, chunkSizes: number[], opts: FlvReaderOptions): number | LalError {
  const r = new FlvReader(opts);
  let tags = 0;
  const res = lalErrorOrValue(() => {
    let p = 0;
    let i = 0;
    while (p < input.length) {
      const n = Math.max(1, chunkSizes[i++ % chunkSizes.length] ?? input.length);
      for (const item of r.feed(input.subarray(p, p + n))) {
        if (item.kind !== 'tag') continue;
        tags++;
        const { type, data } = item.tag;
        classifyFlvTag(type, data);
        if (type === FlvTagType.Video) lalErrorOrValue(() => parseVideoTagBody(data));
        else if (type === FlvTagType.Audio) lalErrorOrValue(() => parseAudioTagBody(data));
        else lalErrorOrValue(() => parseScriptTagBody(data));
      }
      p += n;
    }
    r.end();
    return tags;
  });
  return res;
}

const mutated = fc
  .tuple(
    fc.constantFrom(TINY_AV_FLV, AUDIO_ONLY_FLV, MP3_FLV),
    fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }),
    fc.option(fc.nat(), { nil: undefined }),
  )
  .map(([file, muts, cut]) => {
    const b = Buffer.from(cut === undefined ? file : file.subarray(0, cut % (file.length + 1)));
    for (const [i, x] of muts) if (b.length > 0) b[i % b.length] = x;
    return b;
  });

describe('FLV fuzzing: reader + body parsers', () => {
  it('random bytes end in tags or a LalError', () => {
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 200 }),
          // An FLV header in front of random bytes, so the tag path is exercised.
          fc.uint8Array({ maxLength: 200 }).map((b) => Buffer.concat([TINY_AV_FLV.subarray(0, 13), b])),
        ),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1, maxLength: 8 }),
        fc.boolean(),
        (input, chunks, strict) => {
          run(input, chunks, { strictPrevTagSize: strict, maxTagSize: 4096 });
        },
      ),
      { numRuns: 1500 },
    );
  });
  it('mutated and truncated golden files end in tags or a LalError', () => {
    fc.assert(
      fc.property(
        mutated,
        fc.array(fc.integer({ min: 1, max: 700 }), { minLength: 1, maxLength: 6 }),
        fc.boolean(),
        (input, chunks, strict) => {
          run(input, chunks, { strictPrevTagSize: strict });
        },
      ),
      { numRuns: 1500 },
    );
  });
  it('an intact file read in any chunking gives all its tags', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 1, max: 300 }), { minLength: 1, maxLength: 6 }), (chunks) => {
        assert.equal(run(TINY_AV_FLV, chunks, { strictPrevTagSize: true }), 12);
        assert.equal(run(AUDIO_ONLY_FLV, chunks, { strictPrevTagSize: true }), 4);
      }),
      { numRuns: 200 },
    );
  });
});
