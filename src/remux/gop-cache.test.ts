import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../test/helpers/fixtures.js';
import type { MediaMessage } from '../base/media-message.js';
import { FlvTagType } from '../format/flv/index.js';
import { GopCache } from './gop-cache.js';
import { createMediaMessage, flvTagOf, rtmpChunksOf } from './media-packer.js';
import { SlabPool } from './slab-pool.js';

const fixture = (name: string): MediaMessage[] =>
  readFixture(name).tags.map((t) => createMediaMessage(t.type as 8 | 9 | 18, t.timestampMs, t.data));

describe('GopCache', () => {
  for (const gopNum of [0, 1, 2]) {
    it(`gop_num ${gopNum}: a late joiner gets metadata, sequence headers, then ${gopNum} GOPs starting on a key frame`, () => {
      const msgs = fixture('avc-aac');
      const cache = new GopCache({ gopNum });
      for (const m of msgs) cache.push(m);
      const snap = cache.snapshot();
      assert.deepEqual(
        snap.slice(0, 3).map((m) => m.kind),
        ['metadata', 'video-sequence-header', 'audio-sequence-header'],
      );
      const rest = snap.slice(3);
      const firstVideo = rest.find((m) => m.type === FlvTagType.Video);
      const keys = rest.filter((m) => m.kind === 'video-key-frame');
      if (gopNum === 0) {
        assert.equal(rest.length, 0);
        return;
      }
      assert.equal(firstVideo?.kind, 'video-key-frame');
      assert.equal(keys.length, gopNum);
      // The cached messages are exactly the tail of the input, from the gopNum-th last key frame.
      const keyIdx = msgs.map((m, i) => (m.kind === 'video-key-frame' ? i : -1)).filter((i) => i >= 0);
      const from = keyIdx[keyIdx.length - gopNum] ?? 0;
      assert.deepEqual(rest, msgs.slice(from));
      assert.deepEqual(cache.snapshot(1).slice(3), msgs.slice(keyIdx[keyIdx.length - 1]));
    });
  }

  it('a changed sequence header resets the GOPs; the same one does not', () => {
    const msgs = fixture('avc-aac');
    const cache = new GopCache({ gopNum: 2 });
    for (const m of msgs) cache.push(m);
    const seq = msgs.find((m) => m.kind === 'video-sequence-header');
    assert.ok(seq);
    cache.push(createMediaMessage(9, 5000, Uint8Array.from(seq.payload)));
    assert.ok(cache.size.messages > 0, 'identical header keeps the cache');
    const changed = Uint8Array.from(seq.payload);
    changed[changed.length - 1] = (changed[changed.length - 1] ?? 0) ^ 0xff;
    cache.push(createMediaMessage(9, 5000, changed));
    assert.equal(cache.size.messages, 0);
    assert.deepEqual(new Uint8Array(cache.videoSeqHeader?.payload ?? []), changed);
  });

  it('respects the message and byte caps, dropping old GOPs then the oversized current one', () => {
    const msgs = fixture('avc-aac');
    const small = new GopCache({ gopNum: 10, maxMessages: 60 });
    for (const m of msgs) {
      small.push(m);
      assert.ok(small.size.messages <= 60);
    }
    const tiny = new GopCache({ gopNum: 2, maxBytes: 1000 });
    for (const m of msgs) {
      tiny.push(m);
      assert.ok(tiny.size.bytes <= 1000);
    }
    const v = tiny
      .snapshot()
      .slice(3)
      .find((m) => m.type === 9);
    assert.ok(v === undefined || v.kind === 'video-key-frame');
  });

  it('audio-only streams cache only headers', () => {
    const cache = new GopCache({ gopNum: 2 });
    for (const m of fixture('aac-only')) cache.push(m);
    assert.deepEqual(
      cache.snapshot().map((m) => m.kind),
      ['metadata', 'audio-sequence-header'],
    );
  });
});

describe('media packer', () => {
  it('packs RTMP chunks and FLV tags once per message and shares the bytes', () => {
    const [m] = fixture('avc-aac').filter((x) => x.payload.length > 300);
    assert.ok(m);
    const a = rtmpChunksOf(m, 128);
    assert.equal(rtmpChunksOf(m, 128), a, 'cached');
    assert.notEqual(rtmpChunksOf(m, 4096), a, 'another chunk size re-packs');
    const t = flvTagOf(m);
    assert.equal(flvTagOf(m), t);
    assert.equal(t.length, 11 + m.payload.length + 4);
  });
});

describe('GopCache storage', () => {
  const msgs = (): MediaMessage[] => fixture('avc-aac');
  const copyOf = (ms: MediaMessage[]): Buffer[] => ms.map((m) => Buffer.from(m.payload));

  it('keeps no view of the incoming payloads: the cached bytes survive the input being overwritten', () => {
    // Own copies of the fixture's bytes, so overwriting them below touches nothing shared.
    const input = msgs().map((m) => createMediaMessage(m.type, m.timestampMs, Buffer.from(m.payload)));
    const cache = new GopCache({ gopNum: 2 });
    for (const m of input) cache.push(m);
    const before = cache.snapshot();
    const expected = copyOf(before);
    for (const m of input) (m.payload as Uint8Array).fill(0xee);
    const after = cache.snapshot();
    assert.ok(after.length > 10);
    assert.deepEqual(copyOf(after), expected);
  });

  it('reuses the blocks of dropped GOPs that no snapshot exposed, and never those a snapshot did', () => {
    const input = msgs();
    const pool = new SlabPool();
    const cache = new GopCache({ gopNum: 1, pool });
    // Feed the fixture again and again with later timestamps and frames that differ per round (the
    // last byte), so a block overwritten by a later GOP would show.
    const feed = (round: number): void => {
      for (const m of input) {
        const p = Buffer.from(m.payload);
        if (m.kind.endsWith('frame') && p.length > 0) p[p.length - 1] = round;
        cache.push(createMediaMessage(m.type, m.timestampMs + round * 100_000, p));
      }
    };
    feed(0);
    const reusedBefore = pool.reused;
    feed(1);
    assert.ok(pool.reused > reusedBefore, 'blocks of unexposed GOPs come back from the pool');

    // A snapshot exposes the current GOP: its bytes must stay intact while later GOPs reuse blocks.
    const snap = cache.snapshot();
    const frozen = copyOf(snap);
    feed(2);
    feed(3);
    assert.deepEqual(copyOf(snap), frozen, 'exposed payloads are never overwritten');
  });

  it('a shared pool serves several caches; its free bytes stay under the cap', () => {
    const cap = 2 * 1024 * 1024;
    const pool = new SlabPool({ maxFreeBytes: cap });
    const caches = [0, 1, 2].map(() => new GopCache({ gopNum: 1, pool }));
    for (let round = 0; round < 3; round++) {
      for (const m of msgs()) {
        for (const c of caches)
          c.push(createMediaMessage(m.type, m.timestampMs + round * 100_000, m.payload));
      }
      assert.ok(pool.pooledBytes <= cap);
    }
    for (const c of caches) c.clear();
    assert.ok(pool.pooledBytes <= cap);
    assert.ok(pool.reused > 0);
  });
});

describe('SlabPool', () => {
  it('releases, every trim period, the free blocks that stayed unused the whole period', () => {
    let now = 0;
    const pool = new SlabPool({ trimPeriodMs: 5000, nowMs: () => now });
    const blocks = [0, 1, 2, 3].map(() => pool.take(8192));
    for (const b of blocks) pool.give(b);
    assert.equal(pool.pooledBytes, 4 * 8192);
    now = 5000; // first period: the pool was empty at its start, nothing to release
    const b = pool.take(8192);
    assert.equal(pool.pooledBytes, 3 * 8192);
    assert.equal(pool.trimmed, 0);
    now = 7000;
    pool.give(b); // back to 4 free; the low point of this period is 3 blocks
    now = 10_000;
    pool.give(Buffer.allocUnsafeSlow(8192)); // the period ends: 3 blocks were never needed
    assert.equal(pool.trimmed, 3);
    assert.equal(pool.pooledBytes, 2 * 8192);
    now = 15_000; // the period's low point was the one block left after the trim: it goes
    assert.equal(pool.take(4096).length, 4096);
    assert.equal(pool.trimmed, 4);
    assert.equal(pool.pooledBytes, 8192);
  });

  it('hands out power-of-two blocks and takes back only whole pooled blocks', () => {
    assert.equal(SlabPool.blockSize(1), 4096);
    assert.equal(SlabPool.blockSize(5000), 8192);
    assert.equal(SlabPool.blockSize(16384), 16384);
    assert.equal(SlabPool.blockSize(50 * 1024 * 1024), 1024 * 1024);
    const pool = new SlabPool();
    const b = pool.take(8192);
    assert.equal(b.length, 8192);
    pool.give(b.subarray(0, 4096)); // a view: ignored
    pool.give(Buffer.allocUnsafeSlow(5000)); // not a pooled size: ignored
    assert.equal(pool.pooledBytes, 0);
    pool.give(b);
    assert.equal(pool.pooledBytes, 8192);
    assert.equal(pool.take(8192), b);
    assert.equal(pool.pooledBytes, 0);
    assert.deepEqual([pool.allocated, pool.reused], [1, 1]);
  });
});
