import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../../test/helpers/fixtures.js';
import type { MediaMessage } from '../base/media-message.js';
import { FlvTagType } from '../format/flv/index.js';
import { GopCache } from './gop-cache.js';
import { createMediaMessage, flvTagOf, rtmpChunksOf } from './media-packer.js';

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
    assert.equal(cache.videoSeqHeader?.payload, changed);
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
