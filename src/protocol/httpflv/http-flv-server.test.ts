import assert from 'node:assert/strict';
import { once } from 'node:events';
import { after, before, describe, it } from 'node:test';
import { packFlvTag } from '../../format/flv/tag.js';
import type { HttpFlvCloseReason } from './close-reason.js';
import { HttpFlvClosedError, HttpFlvRejectError, HttpFlvStatusError, HttpFlvTimeoutError } from './errors.js';
import { FixtureObserver, loadFixture, rawConnect, rawExchange } from './helpers.test-util.js';
import { HttpFlvServer, type HttpFlvServerOptions } from './http-flv-server.js';
import { HttpResponseHeadParser } from './http-head-parser.js';
import { type HttpFlvPullOptions, HttpFlvPullSession, type HttpFlvPullStart } from './pull-session.js';
import type { HttpFlvSubSession } from './sub-session.js';
import { TEST_CERT, TEST_KEY } from './tls.test-data.js';
import { packWebSocketClosePayload, packWebSocketFrame, WsOpcode } from './websocket-frame.js';
import { webSocketAcceptKey } from './websocket-handshake.js';

const fx = loadFixture('avc-aac');
const WANT = fx.packed.map((b) => b.toString('hex'));
const T = { timeout: 15_000 };

async function startServer(
  observer: FixtureObserver,
  opts: HttpFlvServerOptions = {},
): Promise<{ server: HttpFlvServer; port: number }> {
  const server = new HttpFlvServer(observer, opts);
  const { port } = await server.listen(0, '127.0.0.1');
  return { server, port };
}

interface Pulled {
  start: HttpFlvPullStart;
  header: string;
  tags: string[];
  reason: HttpFlvCloseReason;
  session: HttpFlvPullSession;
}

/** Pulls `url` to the end; every tag re-packed to compare bytes. */
async function pullAll(url: string, opts: HttpFlvPullOptions = {}): Promise<Pulled> {
  const tags: string[] = [];
  let header = '';
  const session = new HttpFlvPullSession(
    {
      onHeader: (h) => {
        header = JSON.stringify(h);
      },
      onTag: (t) => tags.push(packFlvTag(t).toString('hex')),
    },
    { readTimeoutMs: 5000, ...opts },
  );
  const start = await session.pull(url);
  const reason = await session.done;
  return { start, header, tags, reason, session };
}

function statusOf(raw: Buffer): { status: number; headers: ReadonlyMap<string, string>; body: string } {
  const r = new HttpResponseHeadParser().feed(raw);
  assert.ok(r, `no response head in ${JSON.stringify(raw.toString('latin1').slice(0, 100))}`);
  return { status: r.head.status, headers: r.head.headers, body: Buffer.from(r.rest).toString('latin1') };
}

describe('HttpFlvServer + HttpFlvPullSession over loopback', () => {
  const observer = new FixtureObserver(fx.header, fx.packed, {
    streams: ['test', 'slow', 'hold'],
    slow: ['slow'],
    intervalMs: 5,
    hold: ['hold'],
  });
  let server: HttpFlvServer;
  let port = 0;
  before(async () => {
    ({ server, port } = await startServer(observer, { closeGraceMs: 500 }));
  });
  after(async () => {
    observer.stop();
    await server.close();
  });

  it('serves the fixture over http:// with identical tag bytes', T, async () => {
    const r = await pullAll(`http://127.0.0.1:${port}/live/test.flv?k=v`);
    assert.equal(r.start.protocol, 'httpflv');
    assert.equal(r.start.status, 200);
    assert.equal(r.start.headers.get('content-type'), 'video/x-flv');
    assert.equal(r.start.headers.get('access-control-allow-origin'), '*');
    assert.equal(r.start.headers.get('connection'), 'close');
    assert.equal(r.start.headers.has('content-length'), false);
    assert.equal(r.start.headers.has('transfer-encoding'), false);
    assert.deepEqual(JSON.parse(r.header), fx.header);
    assert.equal(r.tags.length, fx.tags.length);
    assert.deepEqual(r.tags, WANT);
    assert.equal(r.reason.kind, 'peer');
    assert.equal(r.session.stats.flvBytes, fx.file.length, 'the body is the fixture file, byte for byte');
  });

  it('serves the fixture over ws:// with identical tag bytes', T, async () => {
    const r = await pullAll(`ws://127.0.0.1:${port}/live/test.flv`);
    assert.equal(r.start.protocol, 'wsflv');
    assert.equal(r.start.status, 101);
    assert.deepEqual(r.tags, WANT);
    assert.match(r.reason.message, /websocket closed by the server \(1000/);
    const last = observer.closes.at(-1);
    assert.equal(last?.reason.kind, 'local');
  });

  it('rejections reach the pull client as HTTP statuses', T, async () => {
    const cases: Array<[string, number, string]> = [
      [`http://127.0.0.1:${port}/live/nope.flv`, 404, 'Not Found'],
      [`http://127.0.0.1:${port}/live/test.flv?token=deny`, 403, 'Forbidden'],
      [`ws://127.0.0.1:${port}/live/nope.flv`, 404, 'Not Found'],
      [`http://127.0.0.1:${port}/live/test.mp4`, 404, 'Not Found'],
    ];
    for (const [url, status, text] of cases) {
      let closed: HttpFlvCloseReason | undefined;
      const s = new HttpFlvPullSession({
        onClose: (r) => {
          closed = r;
        },
      });
      await assert.rejects(s.pull(url), (e: unknown) => {
        assert.ok(e instanceof HttpFlvStatusError);
        assert.equal(e.status, status);
        assert.equal(e.message, `httpflv: HTTP ${status} ${text} from ${url}`);
        return true;
      });
      assert.equal(closed?.kind, 'rejected');
    }
    assert.ok(
      observer.closes.some((c) => c.reason.kind === 'rejected' && c.reason.message.startsWith('403')),
    );
  });

  it(
    'follows redirects (an observer answering 302 with a location), and stops after maxRedirects',
    T,
    async () => {
      const target = `http://127.0.0.1:${port}/live/test.flv`;
      const edge = new HttpFlvServer({
        onNewHttpFlvSub: (s) =>
          s.streamName === 'loop'
            ? new HttpFlvRejectError(307, 'again', { location: '/live/loop.flv' })
            : s.streamName === 'evil'
              ? new HttpFlvRejectError(302, 'injection', { location: '/x\r\nSet-Cookie: a=b' })
              : new HttpFlvRejectError(302, 'go to the origin', { location: target }),
      });
      const { port: edgePort } = await edge.listen(0, '127.0.0.1');
      try {
        const r = await pullAll(`http://127.0.0.1:${edgePort}/live/test.flv`);
        assert.equal(r.start.url, target);
        assert.equal(r.start.redirects, 1);
        assert.deepEqual(r.tags, WANT);
        // The ws:// redirect points at an http:// URL: followed as HTTP-FLV.
        const ws = await pullAll(`ws://127.0.0.1:${edgePort}/live/test.flv`);
        assert.equal(ws.start.protocol, 'httpflv');
        assert.deepEqual(ws.tags, WANT);
        const loop = new HttpFlvPullSession({}, { maxRedirects: 3 });
        await assert.rejects(
          loop.pull(`http://127.0.0.1:${edgePort}/live/loop.flv`),
          /more than 3 redirects/,
        );
        assert.equal(loop.stats.redirects, 3);
        // A Location with CR/LF is never sent: the player gets a 500 instead.
        const evil = statusOf(await rawExchange(edgePort, 'GET /live/evil.flv HTTP/1.1\r\n\r\n'));
        assert.equal(evil.status, 500);
        assert.equal(evil.headers.has('set-cookie'), false);
      } finally {
        await edge.close();
      }
    },
  );

  it('pulls the same stream to many players at once', T, async () => {
    const all = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        pullAll(`${i % 2 ? 'ws' : 'http'}://127.0.0.1:${port}/live/test.flv`),
      ),
    );
    for (const r of all) assert.deepEqual(r.tags, WANT);
  });

  it('garbage gets 400 and a close, while a concurrent player keeps going', T, async () => {
    const good = pullAll(`ws://127.0.0.1:${port}/live/slow.flv`, {});
    await new Promise((r) => setTimeout(r, 20));
    const garbage = await rawExchange(
      port,
      Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01, 0x00, 0x01, 0xfc]),
    );
    assert.equal(statusOf(garbage).status, 400);
    const text = await rawExchange(port, 'hello world\r\n\r\n');
    assert.equal(statusOf(text).status, 400);
    assert.match(statusOf(text).body, /^httpflv: /);
    const r = await good;
    assert.deepEqual(r.tags, WANT);
  });

  it(
    'answers HEAD with the headers only, OPTIONS with a CORS preflight, and bad requests with their status',
    T,
    async () => {
      const head = statusOf(await rawExchange(port, 'HEAD /live/test.flv HTTP/1.1\r\nHost: x\r\n\r\n'));
      assert.equal(head.status, 200);
      assert.equal(head.headers.get('content-type'), 'video/x-flv');
      assert.equal(head.body, '');
      const pre = statusOf(
        await rawExchange(
          port,
          'OPTIONS /live/test.flv HTTP/1.1\r\nOrigin: http://a\r\nAccess-Control-Request-Method: GET\r\nAccess-Control-Request-Headers: range\r\n\r\n',
        ),
      );
      assert.equal(pre.status, 204);
      assert.equal(pre.headers.get('access-control-allow-origin'), '*');
      assert.equal(pre.headers.get('access-control-allow-methods'), 'GET, HEAD, OPTIONS');
      assert.equal(pre.headers.get('access-control-allow-headers'), 'range');
      const post = statusOf(
        await rawExchange(port, 'POST /live/test.flv HTTP/1.1\r\nContent-Length: 0\r\n\r\n'),
      );
      assert.equal(post.status, 405);
      assert.equal(post.headers.get('allow'), 'GET, HEAD, OPTIONS');
      assert.equal(statusOf(await rawExchange(port, 'GET /index.html HTTP/1.1\r\n\r\n')).status, 404);
      assert.equal(statusOf(await rawExchange(port, 'GET /live/%zz.flv HTTP/1.1\r\n\r\n')).status, 400);
      assert.equal(statusOf(await rawExchange(port, 'GET /live/test.flv HTTP/2.0\r\n\r\n')).status, 505);
      assert.equal(
        statusOf(await rawExchange(port, `GET /live/test.flv HTTP/1.1\r\nX: ${'a'.repeat(9000)}\r\n\r\n`))
          .status,
        431,
      );
      const v8 = statusOf(
        await rawExchange(
          port,
          'GET /live/test.flv HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 8\r\n\r\n',
        ),
      );
      assert.equal(v8.status, 426);
      assert.equal(v8.headers.get('sec-websocket-version'), '13');
    },
  );

  it("answers a WebSocket player's ping, echoes its close and reports the close", T, async () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const before = observer.closes.length;
    const s = await rawConnect(port);
    const closed = once(s, 'close');
    const got: Buffer[] = [];
    s.on('data', (b) => got.push(b));
    s.write(
      `GET /live/hold.flv HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${key}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: flv\r\n\r\n`,
    );
    const mask = Buffer.from([1, 2, 3, 4]);
    await waitFor(() => Buffer.concat(got).includes('\r\n\r\n'));
    const all = Buffer.concat(got);
    const head = statusOf(all);
    assert.equal(head.status, 101);
    assert.equal(head.headers.get('sec-websocket-accept'), webSocketAcceptKey(key));
    assert.equal(head.headers.get('sec-websocket-protocol'), 'flv');
    const ping = packWebSocketFrame(WsOpcode.Ping, Buffer.from('are you there'), { maskKey: mask });
    s.write(ping);
    const pong = packWebSocketFrame(WsOpcode.Pong, Buffer.from('are you there'));
    await waitFor(() => Buffer.concat(got).includes(pong));
    s.write(packWebSocketFrame(WsOpcode.Close, packWebSocketClosePayload(1001, 'bye'), { maskKey: mask }));
    await closed;
    const echo = packWebSocketFrame(WsOpcode.Close, packWebSocketClosePayload(1001));
    assert.ok(Buffer.concat(got).subarray(-echo.length).equals(echo), 'the close is echoed last');
    await waitFor(() => observer.closes.length > before);
    assert.equal(observer.closes.at(-1)?.reason.kind, 'peer');
  });

  it('a WebSocket player sending an unmasked frame is closed with 1002', T, async () => {
    const s = await rawConnect(port);
    const closed = once(s, 'close');
    const got: Buffer[] = [];
    s.on('data', (b) => got.push(b));
    s.write(
      'GET /live/hold.flv HTTP/1.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n',
    );
    await waitFor(() => Buffer.concat(got).includes('\r\n\r\n'));
    s.write(packWebSocketFrame(WsOpcode.Binary, Buffer.from('x')));
    await closed;
    const all = Buffer.concat(got);
    const close = all.lastIndexOf(Buffer.from([0x88]));
    assert.ok(close > 0);
    assert.equal(all.readUInt16BE(close + 2), 1002);
  });

  it(
    'pull: a refused connection, a read timeout and close() before the start are clear errors',
    T,
    async () => {
      const dead = new HttpFlvServer(observer);
      const { port: deadPort } = await dead.listen(0, '127.0.0.1');
      await dead.close();
      await assert.rejects(
        new HttpFlvPullSession().pull(`http://127.0.0.1:${deadPort}/live/test.flv`),
        (e: unknown) => {
          assert.ok(e instanceof HttpFlvClosedError);
          assert.match(e.message, /cannot connect to 127\.0\.0\.1:\d+: connect ECONNREFUSED/);
          return true;
        },
      );
      // A server that accepts and never answers.
      const silent = new HttpFlvServer({ onNewHttpFlvSub: () => undefined }, { headerTimeoutMs: 0 });
      const { port: silentPort } = await silent.listen(0, '127.0.0.1');
      try {
        await assert.rejects(
          new HttpFlvPullSession({}, { readTimeoutMs: 150 }).pull(
            `http://127.0.0.1:${silentPort}/live/x.flv`,
          ),
          (e: unknown) => e instanceof HttpFlvTimeoutError && e.timer === 'read',
        );
        const s = new HttpFlvPullSession({}, { readTimeoutMs: 5000 });
        const p = s.pull(`http://127.0.0.1:${silentPort}/live/x.flv`);
        setTimeout(() => s.close(), 50);
        await assert.rejects(p, HttpFlvClosedError);
        assert.equal((await s.done).kind, 'local');
      } finally {
        await silent.close();
      }
    },
  );

  it(
    'pull: close() after the start ends the stream as local; the server sees the player leave',
    T,
    async () => {
      const slowObserver = new FixtureObserver(fx.header, fx.packed, {
        streams: ['test'],
        intervalMs: 20,
        batch: 1,
      });
      const { server: s2, port: p2 } = await startServer(slowObserver);
      try {
        for (const scheme of ['http', 'ws']) {
          let n = 0;
          const s = new HttpFlvPullSession({ onTag: () => void n++ });
          await s.pull(`${scheme}://127.0.0.1:${p2}/live/test.flv`);
          await waitFor(() => n >= 3);
          s.close();
          s.close();
          assert.equal((await s.done).kind, 'local');
          await waitFor(() => slowObserver.closes.length > 0 && slowObserver.sessions.every((x) => x.closed));
          const last = slowObserver.closes.at(-1);
          assert.equal(last?.reason.kind, 'peer', `${scheme}: ${last?.reason.message}`);
        }
      } finally {
        slowObserver.stop();
        await s2.close();
      }
    },
  );
});

describe('HttpFlvServer limits', () => {
  it('closes a slowloris client (one header byte at a time) at the header timeout with 408', T, async () => {
    const observer = new FixtureObserver(fx.header, fx.packed);
    const { server, port } = await startServer(observer, { headerTimeoutMs: 300, closeGraceMs: 200 });
    try {
      const request = 'GET /live/test.flv HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slowloris\r\n\r\n';
      const s = await rawConnect(port);
      const closed = once(s, 'close');
      const got: Buffer[] = [];
      s.on('data', (b) => got.push(b));
      let sent = 0;
      const timer = setInterval(() => {
        if (sent < request.length && !s.destroyed) s.write(request[sent++] as string);
      }, 50);
      await closed;
      clearInterval(timer);
      assert.ok(
        sent < request.length,
        `closed before the head was complete (${sent} of ${request.length} bytes)`,
      );
      assert.equal(statusOf(Buffer.concat(got)).status, 408);
      assert.equal(observer.sessions.length, 0);
      await waitFor(() => server.connectionCount === 0);
    } finally {
      await server.close();
    }
  });

  it('answers 503 past maxConnections', T, async () => {
    const observer = new FixtureObserver(fx.header, fx.packed);
    const { server, port } = await startServer(observer, { maxConnections: 1, headerTimeoutMs: 2000 });
    try {
      const first = await rawConnect(port);
      await waitFor(() => server.connectionCount === 1);
      const second = statusOf(await rawExchange(port, ''));
      assert.equal(second.status, 503);
      first.destroy();
      await waitFor(() => server.connectionCount === 0);
      const r = await pullAll(`http://127.0.0.1:${port}/live/test.flv`);
      assert.deepEqual(r.tags, WANT);
    } finally {
      await server.close();
    }
  });

  it(
    'session API: write after close is refused, close is idempotent, onClose once, bufferedBytes tracks the socket',
    T,
    async () => {
      const reasons: HttpFlvCloseReason[] = [];
      let buffered = -1;
      const server = new HttpFlvServer({
        onNewHttpFlvSub: (s) => {
          assert.equal(s.protocol, 'httpflv');
          assert.equal(s.app, 'live/sub');
          assert.equal(s.streamName, 'a b');
          assert.equal(s.query.x, '1');
          assert.match(s.remoteAddress, /^127\.0\.0\.1:\d+$/);
          assert.match(s.id, /^httpflv-sub-\d+$/);
          assert.equal(s.headers.get('user-agent'), 'lal.ts-httpflvpull');
          s.writeHeader({ hasAudio: false, hasVideo: true });
          assert.ok(s.write([Buffer.alloc(1 << 20, 0)]), 'a big write is queued');
          buffered = s.bufferedBytes;
          s.close('done');
          s.close('again');
          assert.equal(s.write([Buffer.alloc(10)]), false);
          assert.equal(s.writeHeader(), false);
          return undefined;
        },
        onClose: (_s, r) => reasons.push(r),
      });
      const { port } = await server.listen(0, '127.0.0.1');
      try {
        const raw = await rawExchange(
          port,
          'GET /live/sub/a%20b.flv?x=1 HTTP/1.1\r\nUser-Agent: lal.ts-httpflvpull\r\n\r\n',
        );
        const { body } = statusOf(raw);
        assert.equal(body.length, 13 + (1 << 20));
        assert.deepEqual(
          Buffer.from(body.slice(0, 13), 'latin1'),
          Buffer.from('464c5601010000000900000000', 'hex'),
        );
        assert.ok(buffered >= 0);
        assert.deepEqual(reasons, [{ kind: 'local', message: 'done' }]);
      } finally {
        await server.close();
      }
    },
  );

  it('abort() drops a player that does not read at once, queued bytes and all', T, async () => {
    const reasons: HttpFlvCloseReason[] = [];
    let sub: HttpFlvSubSession | undefined;
    const server = new HttpFlvServer({
      onNewHttpFlvSub: (s) => {
        sub = s;
        s.writeHeader();
        return undefined;
      },
      onClose: (_s, r) => reasons.push(r),
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      const player = await rawConnect(port);
      const closed = once(player, 'close');
      player.pause(); // a player that stops reading
      player.write('GET /live/test.flv HTTP/1.1\r\n\r\n');
      await waitFor(() => sub !== undefined);
      const s = sub as HttpFlvSubSession;
      const tag = Buffer.alloc(64 * 1024, 0x27);
      while (s.bufferedBytes < 4 << 20) s.write([tag, tag, tag, tag]);
      s.abort('too slow');
      s.abort('again');
      assert.equal(s.write([tag]), false);
      assert.deepEqual(reasons, [{ kind: 'local', message: 'too slow' }]);
      player.resume();
      await closed;
    } finally {
      await server.close();
    }
  });

  it('an observer that throws gets the player a 500, and the server keeps serving', T, async () => {
    let calls = 0;
    const server = new HttpFlvServer({
      onNewHttpFlvSub: () => {
        calls++;
        throw new Error('bug in the business layer');
      },
    });
    const { port } = await server.listen(0, '127.0.0.1');
    try {
      assert.equal(statusOf(await rawExchange(port, 'GET /live/a.flv HTTP/1.1\r\n\r\n')).status, 500);
      assert.equal(statusOf(await rawExchange(port, 'GET /live/b.flv HTTP/1.1\r\n\r\n')).status, 500);
      assert.equal(calls, 2);
    } finally {
      await server.close();
    }
  });

  it('serves https:// and wss:// with TLS', T, async () => {
    const observer = new FixtureObserver(fx.header, fx.packed);
    const { server, port } = await startServer(observer, { tls: { key: TEST_KEY, cert: TEST_CERT } });
    try {
      for (const scheme of ['https', 'wss']) {
        const r = await pullAll(`${scheme}://127.0.0.1:${port}/live/test.flv`, { tls: { ca: TEST_CERT } });
        assert.deepEqual(r.tags, WANT, scheme);
      }
      await assert.rejects(
        new HttpFlvPullSession().pull(`https://127.0.0.1:${port}/live/test.flv`),
        /self.signed|certificate/i,
      );
    } finally {
      await server.close();
    }
  });

  it('server close() closes its players (WebSocket 1001) and resolves', T, async () => {
    const observer = new FixtureObserver(fx.header, fx.packed, { intervalMs: 50, batch: 1 });
    const { server, port } = await startServer(observer);
    const s = new HttpFlvPullSession();
    await s.pull(`ws://127.0.0.1:${port}/live/test.flv`);
    await server.close();
    observer.stop();
    const r = await s.done;
    assert.match(r.message, /1001/);
  });
});

async function waitFor(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const t0 = Date.now();
  while (!cond()) {
    if (Date.now() - t0 > timeoutMs) throw new Error('waitFor: timed out');
    await new Promise((r) => setTimeout(r, 5));
  }
}
