// lal's innertest idea: lals in-process, each fixture pushed over RTMP and pulled back over RTMP,
// HTTP-FLV and WebSocket-FLV at once; every output tag's payload and timestamp equal the input's.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { FIXTURES, readFixture } from '../helpers/fixtures.js';
import {
  type Got,
  pullHttp,
  pullRtmp,
  push,
  startLals,
  type TestLals,
  tagsToGot,
  waitFor,
} from '../helpers/lals.js';

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
      const stream = `inner-${name}`;
      // Players arrive before the publisher (they wait).
      const rtmp = await pullRtmp(lals.rtmp(stream));
      const http = pullHttp(lals.http(stream));
      const ws = pullHttp(lals.ws(stream));
      await waitFor(
        () => (lals.server.groups.get('live', stream)?.subCount ?? 0) === 3,
        '3 players registered',
      );
      const pub = await push(lals.rtmp(stream), tags);
      await waitFor(
        () => [rtmp, http, ws].every((p) => p.got.length >= want.length),
        `all players to receive ${want.length} messages`,
      );
      await pub.close();
      await Promise.all([http.done, ws.done]); // HTTP responses end when the publisher leaves
      await waitFor(
        () => rtmp.statuses.some((s) => s.code === 'NetStream.Play.UnpublishNotify'),
        'UnpublishNotify',
      );
      await rtmp.close();
      const strip = (g: Got[]) => g.map(({ type, ts, hash }) => ({ type, ts, hash }));
      for (const [proto, p] of [
        ['rtmp', rtmp],
        ['httpflv', http],
        ['wsflv', ws],
      ] as const) {
        assert.deepEqual(strip(p.got), strip(want), `${proto} output equals the input`);
      }
      for (const p of [http, ws]) {
        assert.deepEqual(
          p.headerFlags,
          { hasAudio: header.hasAudio, hasVideo: header.hasVideo },
          'FLV header flags tell the truth',
        );
      }
    });
  }
});
