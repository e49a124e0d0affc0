// lal's innertest idea: lals in-process, each fixture pushed over RTMP and pulled back over RTMP,
// HTTP-FLV and WebSocket-FLV at once; every output tag's payload and timestamp equal the input's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, readFixture } from '../helpers/fixtures.js';
import { roundTrip, sameMedia, startLals, type TestLals, tagsToGot } from '../helpers/lals.js';

let lals: TestLals;
before(async () => {
  lals = await startLals();
});
after(async () => {
  await lals.stop();
});

describe('innertest: push each fixture, pull over RTMP, HTTP-FLV and WS-FLV', () => {
  for (const name of FIXTURES) {
    it(`${name}: every tag arrives unchanged on every protocol`, async () => {
      const { header, tags } = readFixture(name);
      const want = tagsToGot(tags);
      const got = await roundTrip(lals, `inner-${name}`, tags);
      for (const [proto, p] of Object.entries(got)) {
        assert.deepEqual(sameMedia(p.got), sameMedia(want), `${proto} output equals the input`);
      }
      for (const p of [got.httpflv, got.wsflv]) {
        assert.deepEqual(
          p.headerFlags,
          { hasAudio: header.hasAudio, hasVideo: header.hasVideo },
          'FLV header flags tell the truth',
        );
      }
    });
  }
});
