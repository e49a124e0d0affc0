import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LimitError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { classifyFlvTag } from './classify.js';
import { FlvTagType } from './constants.js';
import { ALAW_FLV, AUDIO_ONLY_FLV, MP3_FLV, TINY_AV_FLV } from './golden.test-data.js';
import { packFlvHeader } from './header.js';
import { throwsFlv } from './helpers.test-util.js';
import { FlvReader, type FlvReaderItem, parseFlvFile } from './reader.js';
import { packFlvTag } from './tag.js';

/** A comparable summary of what a reader yields. */
function summary(items: FlvReaderItem[]): string[] {
  return items.map((it) =>
    it.kind === 'header'
      ? `header@${it.offset} ${JSON.stringify(it.header)}`
      : `tag@${it.offset} ${it.tag.type} ${it.tag.timestampMs} ${it.tag.streamId} ${it.tag.filter} ${hex(it.tag.data)}`,
  );
}

function readChunks(chunks: Uint8Array[], opts = {}): FlvReaderItem[] {
  const r = new FlvReader(opts);
  const out: FlvReaderItem[] = [];
  for (const c of chunks) for (const it of r.feed(c)) out.push(it);
  r.end();
  return out;
}

function splitAt(buf: Uint8Array, cuts: number[]): Uint8Array[] {
  const out: Uint8Array[] = [];
  let p = 0;
  for (const c of [...cuts, buf.length]) {
    out.push(buf.subarray(p, c));
    p = c;
  }
  return out;
}

/** True when `v` shares memory with `whole` (a view, not a copy). */
function isViewOf(v: Uint8Array | undefined, whole: Uint8Array): boolean {
  return (
    v !== undefined &&
    v.buffer === whole.buffer &&
    v.byteOffset >= whole.byteOffset &&
    v.byteOffset + v.length <= whole.byteOffset + whole.length
  );
}

const ONE_SHOT = summary(readChunks([TINY_AV_FLV]));

describe('FlvReader', () => {
  it('reads the golden A+V file: header, then every tag in order', () => {
    const { header, tags, prevTagSizeMismatches } = parseFlvFile(TINY_AV_FLV, { strictPrevTagSize: true });
    assert.deepEqual(header, { version: 1, hasAudio: true, hasVideo: true, dataOffset: 9 });
    assert.equal(tags.length, 12);
    assert.equal(prevTagSizeMismatches, 0);
    assert.deepEqual(
      tags.map((t) => classifyFlvTag(t.type, t.data)),
      [
        'metadata',
        'video-sequence-header',
        'audio-sequence-header',
        'audio-frame',
        'video-key-frame',
        'video-frame',
        'video-frame',
        'audio-frame',
        'video-frame',
        'video-frame',
        'audio-frame',
        'video-other',
      ],
    );
    assert.deepEqual(
      tags.map((t) => t.timestampMs),
      [0, 0, 0, 0, 48, 88, 128, 128, 168, 208, 256, 208],
    );
    assert.equal(ONE_SHOT.length, 13);
  });

  it('re-packs the golden file byte for byte', () => {
    const { header, tags } = parseFlvFile(TINY_AV_FLV);
    assert.ok(header);
    const packed = Buffer.concat([packFlvHeader(header), ...tags.map((t) => packFlvTag(t))]);
    assert.equal(hex(packed), hex(TINY_AV_FLV));
  });

  it('hands out views when a body lies inside one chunk, copies only across chunks', () => {
    const r = new FlvReader();
    const items = [...r.feed(TINY_AV_FLV)];
    for (const it of items) if (it.kind === 'tag') assert.ok(isViewOf(it.tag.data, TINY_AV_FLV));
    // Cut at 320: tag 0 (onMetaData, body 24..292) lies inside the first chunk, the body of tag 1
    // (307..349) straddles the cut, tag 2 lies inside the second chunk.
    const r2 = new FlvReader();
    const got = [...r2.feed(TINY_AV_FLV.subarray(0, 320)), ...r2.feed(TINY_AV_FLV.subarray(320))];
    const tags = got.flatMap((it) => (it.kind === 'tag' ? [it.tag] : []));
    assert.ok(isViewOf(tags[0]?.data, TINY_AV_FLV));
    assert.ok(!isViewOf(tags[1]?.data, TINY_AV_FLV));
    assert.ok(isViewOf(tags[2]?.data, TINY_AV_FLV));
  });

  it('yields identical items for the file split at every byte boundary', () => {
    for (let i = 0; i <= TINY_AV_FLV.length; i++) {
      assert.deepEqual(summary(readChunks(splitAt(TINY_AV_FLV, [i]))), ONE_SHOT, `split at ${i}`);
    }
  });

  it('yields identical items for one-byte chunks', () => {
    const chunks = Array.from({ length: TINY_AV_FLV.length }, (_, i) => TINY_AV_FLV.subarray(i, i + 1));
    assert.deepEqual(summary(readChunks(chunks)), ONE_SHOT);
  });

  it('yields identical items for random chunkings', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: TINY_AV_FLV.length - 1 }), { maxLength: 40 }),
        (cuts) => {
          cuts.sort((x, y) => x - y);
          assert.deepEqual(summary(readChunks(splitAt(TINY_AV_FLV, cuts))), ONE_SHOT);
        },
      ),
      { numRuns: 300 },
    );
  });

  it('reads audio-only, MP3 and G.711 files', () => {
    const a = parseFlvFile(AUDIO_ONLY_FLV, { strictPrevTagSize: true });
    assert.equal(a.header?.hasVideo, false);
    assert.equal(a.header?.hasAudio, true);
    assert.deepEqual(
      a.tags.map((t) => classifyFlvTag(t.type, t.data)),
      ['metadata', 'audio-sequence-header', 'audio-frame', 'audio-frame'],
    );
    const m = parseFlvFile(MP3_FLV, { strictPrevTagSize: true });
    assert.equal(m.tags.length, 5);
    assert.ok(m.tags.slice(1).every((t) => t.type === FlvTagType.Audio && t.data[0] === 0x2a));
    assert.equal(parseFlvFile(ALAW_FLV, { strictPrevTagSize: true }).tags.length, 2);
  });

  it('reports a truncated file at end() with ShortBufferError, for every cut', () => {
    const { tags } = parseFlvFile(TINY_AV_FLV);
    // Offsets where a whole tag + its PreviousTagSize ends, and where only the PreviousTagSize is missing.
    const complete = new Set<number>([13]);
    const noPts = new Set<number>([9]);
    let off = 13;
    for (const t of tags) {
      off += 11 + t.data.length;
      noPts.add(off);
      off += 4;
      complete.add(off);
    }
    for (let n = 0; n <= TINY_AV_FLV.length; n++) {
      const cut = TINY_AV_FLV.subarray(0, n);
      for (const strict of [false, true]) {
        const r = new FlvReader({ strictPrevTagSize: strict });
        for (const _ of r.feed(cut)) {
          // drain
        }
        if (complete.has(n) || (noPts.has(n) && !strict)) {
          r.end();
          if (noPts.has(n)) assert.equal(r.prevTagSizeMismatches, 1, `cut ${n}`);
        } else {
          throwsFlv(() => r.end(), ShortBufferError);
          throwsFlv(() => r.end(), ShortBufferError); // sticky
        }
      }
    }
  });

  it('says which tag is truncated and how many bytes it needed', () => {
    const r = new FlvReader();
    for (const _ of r.feed(TINY_AV_FLV.subarray(0, 300))) {
      // drain
    }
    assert.throws(
      () => r.end(),
      (e: unknown) =>
        e instanceof ShortBufferError &&
        /^flv: truncated tag at byte 296/.test(e.message) &&
        e.need === 11 + 42 &&
        e.got === 4,
    );
  });

  it('rejects a bad signature at the first byte that differs', () => {
    const r = new FlvReader();
    throwsFlv(() => [...r.feed(unhex('46'))].length === 0 && [...r.feed(unhex('4d'))], ProtocolError);
    throwsFlv(() => r.next(), ProtocolError); // sticky
    throwsFlv(() => r.push(unhex('00')), ProtocolError);
    throwsFlv(() => parseFlvFile(unhex('3c68746d6c3e')), ProtocolError); // "<html>"
  });

  it('checks the tag size limit before buffering the body', () => {
    const r = new FlvReader({ maxTagSize: 1000 });
    const items = [...r.feed(TINY_AV_FLV.subarray(0, 13))];
    assert.equal(items.length, 1);
    throwsFlv(() => [...r.feed(unhex('09 0003e9'))], LimitError);
    const ok = new FlvReader({ maxTagSize: 1306 });
    throwsFlv(() => [...ok.feed(TINY_AV_FLV)], LimitError); // the 1307-byte key frame
  });

  it('is tolerant of PreviousTagSize mismatches by default and strict on request', () => {
    const bad = Buffer.from(TINY_AV_FLV);
    bad[12] = 1; // PreviousTagSize0
    bad[295] = 0xff; // the PreviousTagSize after onMetaData
    const t = parseFlvFile(bad);
    assert.equal(t.tags.length, 12);
    assert.equal(t.prevTagSizeMismatches, 2);
    throwsFlv(() => parseFlvFile(bad, { strictPrevTagSize: true }), ProtocolError);
  });

  it('rejects an unknown tag type', () => {
    const bad = Buffer.from(TINY_AV_FLV);
    bad[13] = 0x13;
    throwsFlv(() => parseFlvFile(bad), ProtocolError);
  });

  it('skips extra header bytes up to maxHeaderSize', () => {
    const head = unhex('464c5601 05 0000000c aabbcc 00000000');
    const body = TINY_AV_FLV.subarray(13);
    const { header, tags } = parseFlvFile(Buffer.concat([head, body]), { strictPrevTagSize: true });
    assert.equal(header?.dataOffset, 12);
    assert.equal(tags.length, 12);
    throwsFlv(() => parseFlvFile(Buffer.concat([head, body]), { maxHeaderSize: 11 }), LimitError);
  });

  it('reads a bare tag stream without a file header', () => {
    const tagsOnly = TINY_AV_FLV.subarray(13);
    const items = readChunks([tagsOnly], { expectHeader: false, strictPrevTagSize: true });
    assert.deepEqual(
      summary(items).map((s) => s.replace(/^tag@(\d+)/, (_, n) => `tag@${Number(n) + 13}`)),
      ONE_SHOT.slice(1),
    );
  });

  it('next() returns undefined until an item is complete and tracks offsets', () => {
    const r = new FlvReader();
    r.push(TINY_AV_FLV.subarray(0, 5));
    assert.equal(r.next(), undefined);
    r.push(TINY_AV_FLV.subarray(5, 20));
    assert.equal(r.next()?.kind, 'header');
    assert.equal(r.next(), undefined);
    assert.equal(r.offset, 13);
    assert.equal(r.pending, 7);
    assert.equal(r.tagCount, 0);
  });

  it('keeps items that were not iterated for the next call', () => {
    const r = new FlvReader();
    r.feed(TINY_AV_FLV.subarray(0, 1000)); // not iterated: the chunk is still pushed
    const items = [...r.feed(TINY_AV_FLV.subarray(1000))];
    r.end();
    assert.deepEqual(summary(items), ONE_SHOT);
  });
});
