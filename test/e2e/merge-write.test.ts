// sub.merge_write_ms: players' writes batched over a period still carry every tag unchanged, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFixture } from '../helpers/fixtures.js';
import { roundTrip, sameMedia, startLals, type TestLals, tagsToGot } from '../helpers/lals.js';

let lals: TestLals;
before(async () => {
  lals = await startLals(['sub.merge_write_ms=30']);
});
after(async () => {
  await lals.stop();
});

describe('merge write (sub.merge_write_ms=30)', () => {
  it('RTMP, HTTP-FLV and WS-FLV players get every tag unchanged', async () => {
    const { tags } = readFixture('avc-bframes-aac');
    const want = tagsToGot(tags);
    const got = await roundTrip(lals, 'merge', tags);
    for (const [proto, p] of Object.entries(got)) {
      assert.deepEqual(sameMedia(p.got), sameMedia(want), `${proto} output equals the input`);
    }
  });
});
