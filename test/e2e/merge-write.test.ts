// sub.merge_write_ms: players' writes batched over a period still carry every tag unchanged, in order.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { readFixture } from '../helpers/fixtures.js';
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
  lals = await startLals(['sub.merge_write_ms=30']);
});
after(async () => {
  await lals.stop();
});

describe('merge write (sub.merge_write_ms=30)', () => {
  it('RTMP, HTTP-FLV and WS-FLV players get every tag unchanged', async () => {
    const { tags } = readFixture('avc-bframes-aac');
    const want = tagsToGot(tags);
    const stream = 'merge';
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
    await Promise.all([http.done, ws.done]);
    await rtmp.close();
    const strip = (g: Got[]) => g.map(({ type, ts, hash }) => ({ type, ts, hash }));
    for (const [proto, p] of [
      ['rtmp', rtmp],
      ['httpflv', http],
      ['wsflv', ws],
    ] as const) {
      assert.deepEqual(strip(p.got), strip(want), `${proto} output equals the input`);
    }
  });
});
