// Every resource limit of the config, one test each: just under the limit is served, past it the
// client is refused with a clear reason (the RTMP status code and description it sees, an HTTP
// status, or a closed connection plus a log line naming the limit), and the server goes on.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { AmfValue } from '../../src/format/amf/index.js';
import { HttpFlvStatusError } from '../../src/protocol/httpflv/index.js';
import {
  connectCommand,
  RtmpPullSession,
  RtmpPushSession,
  RtmpStatusError,
} from '../../src/protocol/rtmp/index.js';
import { readFixture } from '../helpers/fixtures.js';
import { checkAlive, pullHttp, pullRtmp, push, startLals, type TestLals, waitFor } from '../helpers/lals.js';
import { closedWithin, httpExchange, openSocket, RawRtmp, statusOf } from '../helpers/raw-rtmp.js';

const { tags } = readFixture('avc-aac');

function ports(lals: TestLals): { rtmp: number; http: number } {
  return { rtmp: Number(new URL(lals.rtmp('x')).port), http: Number(new URL(lals.http('x')).port) };
}

/** Waits for a log line containing `text`. */
async function logged(lals: TestLals, text: string): Promise<string> {
  await waitFor(
    () => lals.logLines.some((l) => l.includes(text)),
    () => `a log line with ${JSON.stringify(text)}; last lines:\n${lals.logLines.slice(-8).join('\n')}`,
  );
  return lals.logLines.find((l) => l.includes(text)) ?? '';
}

function statusError(code: string, description: RegExp): (e: unknown) => boolean {
  return (e) => {
    assert.ok(e instanceof RtmpStatusError, `an RtmpStatusError, got ${String(e)}`);
    assert.equal(e.statusCode, code);
    assert.match(e.description, description);
    return true;
  };
}

/** A nested AMF object `depth` containers deep (the outermost counts). */
function nested(depth: number): AmfValue {
  let v: AmfValue = 'leaf';
  for (let i = 0; i < depth; i++) v = { n: v };
  return v;
}

describe('resource limits', { timeout: 30_000 }, () => {
  it('limits.max_connections counts RTMP and HTTP connections together; past it RTMP connect is rejected with the reason and HTTP gets 503', async () => {
    const lals = await startLals(['limits.max_connections=4'], { captureLog: true });
    try {
      const p = ports(lals);
      // Two RTMP and two HTTP players waiting for a publisher: four connections.
      const r1 = await pullRtmp(lals.rtmp('conn'));
      const r2 = await pullRtmp(lals.rtmp('conn'));
      const h1 = pullHttp(lals.http('conn'));
      const h2 = pullHttp(lals.http('conn'));
      await waitFor(() => (lals.server.groups.get('live', 'conn')?.subCount ?? 0) === 4, 'four players');
      assert.deepEqual(lals.server.connectionCounts(), { rtmp: 2, http: 2 });

      // A fifth (RTMP) connection is refused, and told why at connect.
      await assert.rejects(
        pullRtmp(lals.rtmp('conn')),
        (e: unknown) =>
          e instanceof RtmpStatusError &&
          e.statusCode === 'NetConnection.Connect.Rejected' &&
          /too many connections \(4, limit 4\)/.test(e.description),
      );
      await logged(lals, 'rtmp server: refusing');
      const h3 = pullHttp(lals.http('conn'));
      await assert.rejects(h3.started, (e: unknown) => e instanceof HttpFlvStatusError && e.status === 503);
      const answer = await httpExchange(p.http, 'GET /live/conn.flv HTTP/1.1\r\nHost: x\r\n\r\n');
      assert.equal(statusOf(answer), 503);
      assert.match(answer, /too many connections/);
      await logged(lals, 'httpflv server: refusing');

      // One leaves: a new connection is served again.
      await r2.close();
      await waitFor(() => lals.server.connectionCounts().rtmp === 1, 'the RTMP player gone');
      const r3 = await pullRtmp(lals.rtmp('conn'));
      await assert.rejects(pullRtmp(lals.rtmp('conn2')), Error, 'full again');
      await Promise.all([r1.close(), r3.close(), h1.close(), h2.close()]);
      await waitFor(
        () => lals.server.connectionCounts().rtmp + lals.server.connectionCounts().http === 0,
        'all connections closed',
      );
      await checkAlive(lals, 'after-conn', tags);
    } finally {
      await lals.stop();
    }
  });

  it('limits.max_streams: a new stream past the limit is refused on every protocol, with the reason', async () => {
    const lals = await startLals(['limits.max_streams=2'], { captureLog: true });
    try {
      const a = await push(lals.rtmp('s1'), tags, 0, 10);
      const b = await push(lals.rtmp('s2'), tags, 0, 10);
      const tooMany = /too many streams \(limit 2\)/;
      await assert.rejects(
        new RtmpPushSession().start(lals.rtmp('s3')),
        statusError('NetStream.Publish.BadName', tooMany),
      );
      await assert.rejects(
        new RtmpPullSession({}).start(lals.rtmp('s3')),
        statusError('NetStream.Play.StreamNotFound', tooMany),
      );
      for (const url of [lals.http('s3'), lals.ws('s3')]) {
        const h = pullHttp(url);
        await assert.rejects(h.started, (e: unknown) => e instanceof HttpFlvStatusError && e.status === 503);
      }
      await logged(lals, 'too many streams (limit 2)');
      // Players of the existing streams are still served.
      const r = await pullRtmp(lals.rtmp('s1'));
      await r.close();
      // A stream ends: a new one fits.
      await a.close();
      await waitFor(() => lals.server.groups.size === 1, 'stream s1 gone');
      const c = await push(lals.rtmp('s3'), tags, 0, 10);
      await Promise.all([b.close(), c.close()]);
      await waitFor(() => lals.server.groups.size === 0, 'streams gone');
      await checkAlive(lals, 'after-streams', tags);
    } finally {
      await lals.stop();
    }
  });

  it('limits.max_subs_per_stream: one player too many is refused on every protocol; the others keep playing', async () => {
    const lals = await startLals(['limits.max_subs_per_stream=2'], { captureLog: true });
    try {
      const r = await pullRtmp(lals.rtmp('subs'));
      const h = pullHttp(lals.http('subs'));
      await waitFor(() => (lals.server.groups.get('live', 'subs')?.subCount ?? 0) === 2, 'two players');
      const tooMany = /too many players on live\/subs \(limit 2\)/;
      await assert.rejects(
        new RtmpPullSession({}).start(lals.rtmp('subs')),
        statusError('NetStream.Play.StreamNotFound', tooMany),
      );
      for (const url of [lals.http('subs'), lals.ws('subs')]) {
        const x = pullHttp(url);
        await assert.rejects(x.started, (e: unknown) => e instanceof HttpFlvStatusError && e.status === 503);
      }
      await logged(lals, 'too many players on live/subs (limit 2)');
      const pub = await push(lals.rtmp('subs'), tags);
      const want = tags.length;
      await waitFor(() => r.got.length >= want && h.got.length >= want, 'the two players get the stream');
      await pub.close();
      await h.done;
      await r.close();
      await checkAlive(lals, 'after-subs', tags);
    } finally {
      await lals.stop();
    }
  });

  it('rtmp.handshake_timeout_ms: a handshake left unfinished is closed and logged; a prompt one is served', async () => {
    const lals = await startLals(['rtmp.handshake_timeout_ms=300'], { captureLog: true });
    try {
      const s = await openSocket(ports(lals).rtmp);
      s.write(Buffer.alloc(700, 3)); // C0 and half a C1
      const t0 = Date.now();
      assert.ok(await closedWithin(s, 5000), 'closed');
      assert.ok(Date.now() - t0 >= 250, 'not before the timeout');
      await logged(lals, 'rtmp: handshake timeout after 300 ms');
      s.destroy();
      await checkAlive(lals, 'after-hs', tags);
    } finally {
      await lals.stop();
    }
  });

  it('rtmp.idle_timeout_ms: a client that sends nothing and answers no ping is closed; one that answers pings stays', async () => {
    const lals = await startLals(['rtmp.idle_timeout_ms=600'], { captureLog: true });
    try {
      // A real player waiting for a publisher: it receives nothing but pings and answers them.
      const healthy = await pullRtmp(lals.rtmp('idle'));
      const mute = await RawRtmp.open(ports(lals).rtmp);
      await mute.connect();
      const t0 = Date.now();
      assert.ok(await mute.closedWithin(5000), 'the mute client is closed');
      assert.ok(Date.now() - t0 >= 500, 'not before the timeout');
      await logged(lals, 'rtmp: idle timeout after 600 ms');
      await new Promise((r) => setTimeout(r, 1500));
      assert.equal(lals.server.groups.get('live', 'idle')?.subCount, 1, 'the ping-answering player stays');
      await healthy.close();
      await checkAlive(lals, 'after-idle', tags);
    } finally {
      await lals.stop();
    }
  });

  it('rtmp.max_message_size: a message of exactly the limit passes, one byte more closes the publisher', async () => {
    const max = 4096;
    const lals = await startLals([`rtmp.max_message_size=${max}`], { captureLog: true });
    try {
      const r = await pullRtmp(lals.rtmp('big'));
      const pub = await push(lals.rtmp('big'), tags, 0, 3); // metadata and sequence headers
      // An inter frame (AVC NALU packet) padded to exactly the limit, then one byte larger.
      const frame = (n: number): Buffer => {
        const b = Buffer.alloc(n, 0x55);
        b.set([0x17, 1, 0, 0, 0, 0, 0, 0, n - 9]);
        return b;
      };
      pub.write({ typeId: 9, timestampMs: 40, payload: frame(max) });
      await waitFor(() => r.got.some((g) => g.type === 9 && g.ts === 40), 'the frame at the limit arrives');
      pub.write({ typeId: 9, timestampMs: 80, payload: frame(max + 1) });
      const reason = await pub.done;
      assert.ok(reason.kind === 'peer', `the publisher was closed by the server (${reason.kind})`);
      await logged(lals, `${max + 1}`);
      assert.ok(
        lals.logLines.some((l) => l.includes('closed (error)') && l.includes(String(max))),
        'the close is logged with the limit',
      );
      await r.close();
      await checkAlive(lals, 'after-big', tags);
    } finally {
      await lals.stop();
    }
  });

  it('rtmp.max_chunk_streams: a client using one chunk stream id too many is closed', async () => {
    const lals = await startLals(['rtmp.max_chunk_streams=8'], { captureLog: true });
    try {
      const c = await RawRtmp.open(ports(lals).rtmp);
      await c.connect(); // csid 3
      // Seven more chunk stream ids (Acknowledgement messages, which need no answer): 8 in all.
      for (let csid = 10; csid < 17; csid++) c.send({ typeId: 3, payload: Buffer.alloc(4), csid });
      c.command(['createStream', 2, null]);
      await c.waitCommand((x) => x.name === '_result' && x.transactionId === 2);
      c.send({ typeId: 3, payload: Buffer.alloc(4), csid: 17 }); // the ninth
      assert.ok(await c.closedWithin(3000), 'closed at the ninth chunk stream');
      await logged(lals, 'chunk stream');
      await checkAlive(lals, 'after-csid', tags);
    } finally {
      await lals.stop();
    }
  });

  it('rtmp.max_amf_depth: connect nested to the limit is answered, one level deeper closes the client', async () => {
    const lals = await startLals(['rtmp.max_amf_depth=8'], { captureLog: true });
    try {
      const ok = await RawRtmp.open(ports(lals).rtmp);
      await ok.connect({ deep: nested(7) }); // the command object + 7 = 8 containers
      ok.destroy();
      const bad = await RawRtmp.open(ports(lals).rtmp);
      bad.send({
        typeId: 20,
        payload: connectCommand(1, {
          app: 'live',
          tcUrl: 'rtmp://127.0.0.1/live',
          extra: { deep: nested(8) },
        }),
      });
      assert.ok(await bad.closedWithin(3000), 'closed');
      await logged(lals, 'amf: nesting depth');
      await checkAlive(lals, 'after-amf', tags);
    } finally {
      await lals.stop();
    }
  });

  it('httpflv.max_header_size: a head of exactly the limit is served, a larger one gets 431', async () => {
    const max = 2048;
    const lals = await startLals([`httpflv.max_header_size=${max}`], { captureLog: true });
    try {
      const p = ports(lals).http;
      const head = (size: number): string => {
        const start = 'HEAD /live/hdr.flv HTTP/1.1\r\nHost: x\r\nX-Pad: ';
        return `${start}${'a'.repeat(size - start.length - 4)}\r\n\r\n`;
      };
      assert.equal(head(max).length, max);
      assert.equal(statusOf(await httpExchange(p, head(max))), 200);
      const answer = await httpExchange(p, head(max + 1));
      assert.equal(statusOf(answer), 431);
      assert.match(answer, /head size: 2049 exceeds the limit of 2048/);
      await logged(lals, ': 431: ');
      await checkAlive(lals, 'after-hdr', tags);
    } finally {
      await lals.stop();
    }
  });

  it('httpflv.header_timeout_ms: a request head left unfinished gets 408', async () => {
    const lals = await startLals(['httpflv.header_timeout_ms=300'], { captureLog: true });
    try {
      const t0 = Date.now();
      const answer = await httpExchange(ports(lals).http, 'GET /live/slow.flv HTTP/1.1\r\nHost: x\r\n');
      assert.ok(Date.now() - t0 >= 250, 'not before the timeout');
      assert.equal(statusOf(answer), 408);
      assert.match(answer, /header timeout after 300 ms/);
      await logged(lals, ': 408: ');
      await checkAlive(lals, 'after-408', tags);
    } finally {
      await lals.stop();
    }
  });
});
