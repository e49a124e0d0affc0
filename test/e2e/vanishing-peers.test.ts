// Peers that vanish without a FIN, hang, or read far too slowly: each is reaped within its limit
// (rtmp.idle_timeout_ms, sub.write_timeout_ms, the back-pressure marks), the server's queues stay
// bounded, the other players get every message, and a stream key is free again at once.
// (lifecycle.test.ts has the publisher that freezes completely; slow-player.test.ts one HTTP-FLV
// player that never reads while the stream is pushed unpaced.)
import assert from 'node:assert/strict';
import type { Socket } from 'node:net';
import { describe, it } from 'node:test';
import type { FlvTag } from '../../src/format/flv/index.js';
import { RtmpPullSession, RtmpPushSession } from '../../src/protocol/rtmp/index.js';
import { NormalTraffic } from '../fuzz/normal-traffic.js';
import { readFixture } from '../helpers/fixtures.js';
import { checkAlive, pullRtmp, push, startLals, type TestLals, waitFor } from '../helpers/lals.js';
import { openSocket } from '../helpers/raw-rtmp.js';

const { tags } = readFixture('avc-aac');

/** The socket under a client session (the ghost-publisher trick of lifecycle.test.ts). */
function socketOf(session: RtmpPushSession | RtmpPullSession): Socket {
  const s = (session as unknown as { socket: Socket | null }).socket;
  if (!s) throw new Error('no socket');
  return s;
}

/** Stops the client process from reading its socket at all: no data, no acks, no pongs, no FIN. */
function freeze(s: Socket): void {
  s.pause();
  s.removeAllListeners('data');
}

/**
 * Lets `s` read at most `bytesPerSec` (pause/resume against a token bucket); data handlers already
 * on it keep working. Returns a stop function.
 */
function throttle(s: Socket, bytesPerSec: number): () => void {
  let tokens = 0;
  const onData = (b: Buffer): void => {
    tokens -= b.length;
    if (tokens < 0) s.pause();
  };
  s.on('data', onData);
  const t = setInterval(() => {
    tokens = Math.min(tokens + bytesPerSec / 20, bytesPerSec / 4);
    if (tokens >= 0 && s.isPaused()) s.resume();
  }, 50);
  t.unref();
  return () => {
    clearInterval(t);
    s.off('data', onData);
    s.resume();
  };
}

/** A raw HTTP-FLV (or WS-FLV) player socket that has sent its request. */
async function rawPlayer(lals: TestLals, stream: string, ws: boolean): Promise<Socket> {
  const port = Number(new URL(lals.http(stream)).port);
  const s = await openSocket(port);
  s.write(
    `GET /live/${stream}.flv HTTP/1.1\r\nHost: 127.0.0.1\r\n` +
      (ws
        ? 'Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n'
        : '') +
      '\r\n',
  );
  return s;
}

function subsOf(
  lals: TestLals,
  stream: string,
): Array<{ id: string; queuedBytes: number; droppedVideo: number }> {
  return (lals.server.groups.get('live', stream)?.dump().subs ?? []) as Array<{
    id: string;
    queuedBytes: number;
    droppedVideo: number;
  }>;
}

describe('vanishing and slow peers', { timeout: 60_000 }, () => {
  it('a frozen RTMP player is reaped at rtmp.idle_timeout_ms; the others get every message', async (t) => {
    const lals = await startLals(['rtmp.idle_timeout_ms=1500'], { captureLog: true });
    try {
      const frozen = new RtmpPullSession({});
      await frozen.start(lals.rtmp('v1'));
      freeze(socketOf(frozen));
      const normal = new NormalTraffic(lals, 'v1', tags, { speed: 1 });
      await normal.start();
      const t0 = Date.now();
      await waitFor(() => subsOf(lals, 'v1').length === 3, 'the frozen player reaped', 6000);
      const ms = Date.now() - t0;
      assert.ok(
        lals.logLines.some((l) => l.includes('rtmp: idle timeout after 1500 ms')),
        'reaped by the idle timeout',
      );
      assert.deepEqual(await normal.stop(), []);
      socketOf(frozen).destroy();
      assert.ok(ms < 6000, `reaped after ${ms} ms`);
      t.diagnostic(`frozen RTMP player reaped ${ms} ms after the stream started (idle timeout 1500 ms)`);
      await checkAlive(lals, 'after-v1', tags);
    } finally {
      await lals.stop();
    }
  });

  it('frozen HTTP-FLV and WS-FLV players are reaped at sub.write_timeout_ms; the others get every message', async (t) => {
    const lals = await startLals(['sub.write_timeout_ms=1000'], { captureLog: true });
    try {
      const http = await rawPlayer(lals, 'v2', false);
      const ws = await rawPlayer(lals, 'v2', true);
      http.pause();
      ws.pause();
      await waitFor(() => subsOf(lals, 'v2').length === 2, 'frozen players registered');
      // The fixture at 40x real time (about 1 MB/s), so the frozen sockets' kernel buffers (some
      // 4 MB on loopback) fill within seconds; then nothing more leaves and the timeout runs.
      const normal = new NormalTraffic(lals, 'v2', tags, { speed: 40 });
      await normal.start();
      let maxQueued = 0;
      const sample = setInterval(() => {
        for (const s of subsOf(lals, 'v2')) maxQueued = Math.max(maxQueued, s.queuedBytes);
      }, 20);
      const t0 = Date.now();
      // About 5 s here (4 MB of kernel buffers at 1 MB/s, then the 1 s timeout); longer where the
      // kernel buffers more.
      await waitFor(() => subsOf(lals, 'v2').length === 3, 'both frozen players reaped', 25_000);
      t.diagnostic(`frozen HTTP-FLV + WS-FLV players reaped ${Date.now() - t0} ms after the stream started`);
      clearInterval(sample);
      const reaped = lals.logLines.filter(
        (l) => l.includes('closed: local: not reading') && l.includes('none written for 1000 ms'),
      );
      assert.equal(reaped.length, 2, `both reaped by the write timeout:\n${reaped.join('\n')}`);
      assert.deepEqual(await normal.stop(), []);
      assert.ok(maxQueued < 8 * 1024 * 1024, `queues stayed under the hard mark (max ${maxQueued})`);
      t.diagnostic(`max bytes queued for a frozen player: ${maxQueued}`);
      http.destroy();
      ws.destroy();
      await checkAlive(lals, 'after-v2', tags);
    } finally {
      await lals.stop();
    }
  });

  it('a stalled publisher that answers pings stays; one that stops answering is reaped at rtmp.idle_timeout_ms and the key publishes again at once', async (t) => {
    const lals = await startLals(['rtmp.idle_timeout_ms=900'], { captureLog: true });
    try {
      // Publishes, then sends nothing at all; its client still answers the server's pings.
      const quiet = await push(lals.rtmp('v3'), tags, 0, 20);
      await new Promise((r) => setTimeout(r, 2500));
      assert.equal(lals.server.groups.get('live', 'v3')?.pub?.protocol, 'rtmp', 'the quiet publisher stays');
      // Now it hangs: the connection stays open and is even read, but nothing is answered.
      const sock = socketOf(quiet);
      sock.removeAllListeners('data');
      sock.on('data', () => {});
      const t0 = Date.now();
      let attempts = 0;
      let next: RtmpPushSession | undefined;
      while (next === undefined && Date.now() - t0 < 6000) {
        attempts++;
        const s = new RtmpPushSession();
        try {
          await s.start(lals.rtmp('v3'));
          next = s;
        } catch {
          await new Promise((r) => setTimeout(r, 50)); // BadName while the hung one holds the key
        }
      }
      const ms = Date.now() - t0;
      assert.ok(next !== undefined, 'a new publisher got the key');
      assert.ok(ms < 6000, `the key was free again after ${ms} ms (${attempts} attempts)`);
      t.diagnostic(
        `hung publisher: key published again ${ms} ms after it hung (idle timeout 900 ms, ${attempts} attempts)`,
      );
      assert.ok(lals.logLines.some((l) => l.includes('rtmp: idle timeout after 900 ms')));
      const p = await pullRtmp(lals.rtmp('v3'));
      next.write({ typeId: 9, timestampMs: 0, payload: (tags[1] as FlvTag).data });
      await next.close();
      await p.close();
      sock.destroy();
      await checkAlive(lals, 'after-v3', tags);
    } finally {
      await lals.stop();
    }
  });

  it('players reading at 10% of the stream rate (RTMP, HTTP-FLV, WS-FLV) stay under the hard mark; the others get every message', async (t) => {
    const soft = 128 * 1024;
    const hard = 512 * 1024;
    const lals = await startLals([`sub.soft_mark_bytes=${soft}`, `sub.hard_mark_bytes=${hard}`], {
      captureLog: true,
    });
    const stops: Array<() => void> = [];
    const sockets: Socket[] = [];
    try {
      // The fixture at 60x real time (about 1.5 MB/s): far more than the 10% readers take plus what
      // their kernel buffers (some 4 MB on loopback) absorb, within seconds.
      const speed = 60;
      const rate = ((78_193 / 3.06) * speed) / 10; // 10% of the fixture's byte rate at `speed`
      const slowRtmp = new RtmpPullSession({});
      await slowRtmp.start(lals.rtmp('v4'));
      sockets.push(socketOf(slowRtmp), await rawPlayer(lals, 'v4', false), await rawPlayer(lals, 'v4', true));
      for (const s of sockets) stops.push(throttle(s, rate));
      await waitFor(() => subsOf(lals, 'v4').length === 3, 'slow players registered');
      const slowIds = subsOf(lals, 'v4').map((s) => s.id);
      const normal = new NormalTraffic(lals, 'v4', tags, { speed });
      await normal.start();
      // Each slow player must be held back: skip video past the soft mark, or be cut at the hard mark.
      let maxQueued = 0;
      const skipped = new Set<string>();
      const cut = (): Set<string> =>
        new Set(
          lals.logLines
            .map((l) => /\[([\w-]+)\] closed.*too slow: .*hard mark/.exec(l)?.[1])
            .filter((x): x is string => x !== undefined),
        );
      const heldBack = (): number => slowIds.filter((id) => skipped.has(id) || cut().has(id)).length;
      const sample = setInterval(() => {
        for (const s of subsOf(lals, 'v4')) {
          maxQueued = Math.max(maxQueued, s.queuedBytes);
          if (s.droppedVideo > 0) skipped.add(s.id);
        }
      }, 10);
      try {
        // About 5 s here; longer where the kernel buffers more.
        await waitFor(
          () => heldBack() === 3,
          () => `slow players held back: ${heldBack()} of 3`,
          25_000,
        );
      } finally {
        clearInterval(sample);
      }
      const problems = await normal.stop();
      assert.deepEqual(problems, [], 'the normal players got every message');
      assert.ok(
        maxQueued <= hard + 64 * 1024,
        `queued bytes stayed bounded (max ${maxQueued}, hard mark ${hard})`,
      );
      const nCut = slowIds.filter((id) => cut().has(id)).length;
      t.diagnostic(
        `10% readers: ${3 - nCut} skipping video, ${nCut} cut at the hard mark; max queued ${maxQueued} (hard mark ${hard})`,
      );
      await checkAlive(lals, 'after-v4', tags);
    } finally {
      for (const stop of stops) stop();
      for (const s of sockets) s.destroy();
      await lals.stop();
    }
  });
});
