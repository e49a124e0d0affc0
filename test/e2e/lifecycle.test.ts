// Publisher lifecycle: duplicate publisher refused, vanished publisher detected and the key free
// again, take-over option, players before the publisher, publisher leaving.
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import { HttpFlvStatusError } from '../../src/protocol/httpflv/index.js';
import { RtmpPushSession, RtmpStatusError } from '../../src/protocol/rtmp/index.js';
import { readFixture } from '../helpers/fixtures.js';
import { pullHttp, pullRtmp, push, startLals, tagsToGot, waitFor, writeTags } from '../helpers/lals.js';

describe('publisher lifecycle', () => {
  it('a second publisher on a live stream gets NetStream.Publish.BadName; after the first leaves it can publish', async () => {
    const lals = await startLals();
    try {
      const { tags } = readFixture('avc-aac');
      const first = await push(lals.rtmp('dup'), tags, 0, 10);
      const second = new RtmpPushSession();
      await assert.rejects(
        second.start(lals.rtmp('dup')),
        (e: unknown) => e instanceof RtmpStatusError && e.statusCode === 'NetStream.Publish.BadName',
      );
      await first.close();
      await waitFor(() => lals.server.groups.get('live', 'dup') === undefined, 'group released');
      const third = await push(lals.rtmp('dup'), tags, 0, 10);
      await third.close();
    } finally {
      await lals.stop();
    }
  });

  it('a publisher that vanishes without FIN is reaped at the idle timeout and the key publishes again', async () => {
    const lals = await startLals(['rtmp.idle_timeout_ms=1000']);
    try {
      const { tags } = readFixture('avc-aac');
      const ghost = await push(lals.rtmp('ghost'), tags, 0, 20);
      // Freeze the client: it neither reads nor answers pings any more (a dead peer, no FIN).
      const sock = (ghost as unknown as { socket: Socket }).socket;
      sock.pause();
      sock.removeAllListeners('data');
      const t0 = Date.now();
      await waitFor(
        () => lals.server.groups.get('live', 'ghost') === undefined,
        'dead publisher reaped',
        5000,
      );
      assert.ok(Date.now() - t0 < 4000);
      const next = await push(lals.rtmp('ghost'), tags, 0, 20);
      await next.close();
      sock.destroy();
    } finally {
      await lals.stop();
    }
  });

  it('pub.take_over_stale lets a new publisher replace the current one', async () => {
    const lals = await startLals(['pub.take_over_stale=true']);
    try {
      const { tags } = readFixture('avc-aac');
      const first = await push(lals.rtmp('take'), tags, 0, 10);
      const second = await push(lals.rtmp('take'), tags, 0, 10);
      const reason = await first.done;
      assert.ok(reason.kind === 'peer' || reason.kind === 'error', `first publisher closed (${reason.kind})`);
      assert.equal(lals.server.groups.get('live', 'take')?.pub?.protocol, 'rtmp');
      await second.close();
    } finally {
      await lals.stop();
    }
  });

  it('players wait for the publisher; when it leaves RTMP players get UnpublishNotify and keep waiting, HTTP-FLV responses end', async () => {
    const lals = await startLals();
    try {
      const { tags } = readFixture('avc-aac');
      const rtmp = await pullRtmp(lals.rtmp('life'));
      const http = pullHttp(lals.http('life'));
      await waitFor(() => (lals.server.groups.get('live', 'life')?.subCount ?? 0) === 2, 'waiting players');
      const pub = await push(lals.rtmp('life'), tags);
      const want = tagsToGot(tags).length;
      await waitFor(() => rtmp.got.length >= want && http.got.length >= want, 'first session');
      await pub.close();
      await http.done;
      await waitFor(
        () => rtmp.statuses.some((s) => s.code === 'NetStream.Play.UnpublishNotify'),
        'UnpublishNotify',
      );
      // The RTMP player is still there; a republish reaches it.
      const again = await push(lals.rtmp('life'), tags);
      await waitFor(
        () => rtmp.statuses.some((s) => s.code === 'NetStream.Play.PublishNotify'),
        'PublishNotify',
      );
      await waitFor(() => rtmp.got.length >= 2 * want, 'second session reaches the waiting RTMP player');
      await again.close();
      await rtmp.close();
    } finally {
      await lals.stop();
    }
  });

  it('a player that arrives before the publisher is dropped at sub.wait_publisher_timeout_ms', async () => {
    const lals = await startLals(['sub.wait_publisher_timeout_ms=300']);
    try {
      const http = pullHttp(lals.http('nobody'));
      await assert.rejects(http.started, (e: unknown) => e instanceof Error);
      await http.done;
      await waitFor(() => lals.server.groups.get('live', 'nobody') === undefined, 'group released');
    } finally {
      await lals.stop();
    }
  });

  it('timestamps pass through unchanged across the 32-bit wrap and a backward jump', async () => {
    const lals = await startLals();
    try {
      const { tags } = readFixture('avc-aac');
      const rtmp = await pullRtmp(lals.rtmp('wrap'));
      const http = pullHttp(lals.http('wrap'));
      await waitFor(() => (lals.server.groups.get('live', 'wrap')?.subCount ?? 0) === 2, 'players');
      const base = 2 ** 32 - 1500; // wraps 1.5 s in
      const pub = new RtmpPushSession();
      await pub.start(lals.rtmp('wrap'));
      writeTags(pub, tags, 0, tags.length, base);
      writeTags(pub, tags, 3, 40, 0); // and then a jump back to 0
      const want = tags.length + 37;
      await waitFor(() => rtmp.got.length >= want && http.got.length >= want, 'all messages');
      const expectTs = [
        ...tags.map((t) => (t.timestampMs + base) % 2 ** 32),
        ...tags.slice(3, 40).map((t) => t.timestampMs),
      ];
      assert.deepEqual(
        rtmp.got.map((g) => g.ts),
        expectTs,
      );
      assert.deepEqual(
        http.got.map((g) => g.ts),
        expectTs,
      );
      await pub.close();
      await http.done;
      await rtmp.close();
    } finally {
      await lals.stop();
    }
  });
});

void HttpFlvStatusError;
