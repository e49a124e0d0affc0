import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { connect, createServer, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { packMessage } from './chunk-writer.js';
import { packMetadata, stripSetDataFrame } from './data-message.js';
import { RtmpStatusError } from './errors.js';
import { csidForMessageType, RtmpMsgType } from './message-types.js';
import { RtmpPullSession } from './pull-session.js';
import { RtmpPushSession } from './push-session.js';
import { RtmpServer, type RtmpServerOptions } from './server.js';
import type { RtmpServerObserver, RtmpSubSession } from './server-session.js';
import type { RtmpCloseReason, RtmpMediaMessage } from './session-types.js';
import { SocketIo } from './socket-io.js';

const testdata = resolve(process.cwd(), 'src/protocol/rtmp/testdata');
const key = readFileSync(resolve(testdata, 'test-key.pem'));
const cert = readFileSync(resolve(testdata, 'test-cert.pem'));

/**
 * A tiny relay built from the library, as the server layer will do it: every publisher message
 * is recorded, packed once per message (metadata without @setDataFrame) and the same Buffer is
 * written to every player of the stream.
 */
class Relay {
  readonly server: RtmpServer;
  readonly received = new Map<string, RtmpMediaMessage[]>();
  readonly handshakes: string[] = [];
  readonly closes: RtmpCloseReason[] = [];
  private readonly subs = new Map<string, Set<RtmpSubSession>>();

  constructor(options: RtmpServerOptions = {}) {
    const observer: RtmpServerObserver = {
      onNewPubSession: (s) => {
        if (this.received.has(s.streamName)) return new Error(`${s.streamName} is already published`);
        this.received.set(s.streamName, []);
        this.handshakes.push(s.handshake?.mode ?? '');
        return undefined;
      },
      onPubMessage: (s, m) => {
        this.received.get(s.streamName)?.push({ ...m, payload: Buffer.from(m.payload) });
        const players = this.subs.get(s.streamName);
        if (players === undefined || players.size === 0) return;
        const first = players.values().next().value as RtmpSubSession;
        const packed = packMessage(
          {
            csid: csidForMessageType(m.typeId),
            typeId: m.typeId,
            streamId: first.streamId,
            timestampMs: m.timestampMs,
            payload: m.typeId === RtmpMsgType.DataAmf0 ? stripSetDataFrame(m.payload) : m.payload,
          },
          first.outChunkSize,
        );
        for (const p of players) p.writeChunks(packed, m.typeId);
      },
      onPubStop: (s) => {
        for (const p of this.subs.get(s.streamName) ?? []) p.sendUnpublishNotify();
      },
      onNewSubSession: (s) => {
        let set = this.subs.get(s.streamName);
        if (set === undefined) {
          set = new Set();
          this.subs.set(s.streamName, set);
        }
        set.add(s);
        return undefined;
      },
      onClose: (s, r) => {
        this.subs.get(s.streamName)?.delete(s as RtmpSubSession);
        this.closes.push(r);
      },
    };
    this.server = new RtmpServer(observer, options);
  }
}

function mediaList(n: number): RtmpMediaMessage[] {
  const out: RtmpMediaMessage[] = [
    {
      typeId: RtmpMsgType.DataAmf0,
      timestampMs: 0,
      payload: packMetadata({ width: 320, height: 240 }, false),
    },
    { typeId: RtmpMsgType.Video, timestampMs: 0, payload: Buffer.from([0x17, 0, 0, 0, 0, 1, 0x64, 0, 0x1f]) },
    { typeId: RtmpMsgType.Audio, timestampMs: 0, payload: Buffer.from([0xaf, 0, 0x12, 0x10]) },
  ];
  for (let i = 0; i < n; i++) {
    const size = i % 25 === 0 ? 200_000 : 300 + ((i * 7919) % 9000);
    const b = Buffer.alloc(size);
    for (let k = 0; k < size; k += 97) b[k] = (i + k) & 0xff;
    b[0] = i % 25 === 0 ? 0x17 : 0x27;
    b[1] = 1;
    out.push({ typeId: RtmpMsgType.Video, timestampMs: i * 40, payload: b });
    out.push({
      typeId: RtmpMsgType.Audio,
      timestampMs: i * 40 + 3,
      payload: Buffer.from([0xaf, 1, i & 0xff, 9]),
    });
  }
  return out;
}

function same(got: readonly RtmpMediaMessage[], want: readonly RtmpMediaMessage[], what: string): void {
  assert.equal(got.length, want.length, `${what}: count`);
  for (let i = 0; i < want.length; i++) {
    const a = got[i] as RtmpMediaMessage;
    const b = want[i] as RtmpMediaMessage;
    if (
      a.typeId !== b.typeId ||
      a.timestampMs !== b.timestampMs ||
      Buffer.compare(a.payload, b.payload) !== 0
    ) {
      assert.fail(`${what}: message ${i} differs (${a.typeId}/${a.timestampMs}/${a.payload.length})`);
    }
  }
}

async function until(cond: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Publishes `list`, pacing on the socket, then closes cleanly. */
async function publish(push: RtmpPushSession, list: readonly RtmpMediaMessage[]): Promise<void> {
  for (const m of list) {
    assert.ok(push.write(m));
    if (!push.writable) await push.waitDrain();
  }
}

for (const tls of [false, true]) {
  const scheme = tls ? 'rtmps' : 'rtmp';
  describe(`loopback over ${tls ? 'TLS' : 'TCP'}: our client sessions against our server`, {
    timeout: 30_000,
  }, () => {
    let relay: Relay;
    let base = '';
    const clientTls = tls ? { tls: { ca: cert } } : {};

    before(async () => {
      relay = new Relay(tls ? { tls: { key, cert } } : {});
      const a = await relay.server.listen(0, '127.0.0.1');
      base = `${scheme}://${tls ? 'localhost' : '127.0.0.1'}:${a.port}/live`;
    });
    after(() => relay.server.close());

    for (const complexHandshake of [true, false]) {
      it(`push (${complexHandshake ? 'complex' : 'simple'} handshake): the server sees every message, same payload and timestamp`, async () => {
        const name = `push-${complexHandshake}`;
        const list = mediaList(120);
        const push = new RtmpPushSession({ complexHandshake, ...clientTls });
        await push.start(`${base}/${name}`);
        assert.equal(push.session?.handshake?.mode, complexHandshake ? 'complex' : 'simple');
        await publish(push, list);
        await push.close();
        await until(() => (relay.received.get(name)?.length ?? 0) >= list.length);
        const got = relay.received.get(name) ?? [];
        assert.equal(stripSetDataFrame((got[0] as RtmpMediaMessage).payload).length, list[0]?.payload.length);
        same(got.slice(1), list.slice(1), name);
        assert.equal((await push.done).kind, 'local');
      });
    }

    it('pull receives what the relay forwards (metadata, sequence headers, frames), then UnpublishNotify', async () => {
      const name = 'relayed';
      const got: RtmpMediaMessage[] = [];
      const statuses: string[] = [];
      const pull = new RtmpPullSession(
        {
          onMessage: (m) => got.push({ ...m, payload: Buffer.from(m.payload) }),
          onStatus: (s) => statuses.push(s.code),
        },
        clientTls,
      );
      await pull.start(`${base}/${name}`);
      const list = mediaList(60);
      const push = new RtmpPushSession(clientTls);
      await push.start(`${base}/${name}`);
      await publish(push, list);
      await push.close();
      await until(() => statuses.includes('NetStream.Play.UnpublishNotify'));
      same(got, list, 'pulled');
      await pull.close();
      assert.equal((await pull.done).kind, 'local');
    });

    it('a rejected publish rejects start() with the status code', async () => {
      const first = new RtmpPushSession(clientTls);
      await first.start(`${base}/taken`);
      const second = new RtmpPushSession(clientTls);
      await assert.rejects(second.start(`${base}/taken`), (e) => {
        assert.ok(e instanceof RtmpStatusError);
        assert.equal(e.statusCode, 'NetStream.Publish.BadName');
        assert.match(e.message, /taken is already published/);
        return true;
      });
      assert.equal((await second.done).kind, 'rejected');
      await first.close();
      await first.close();
    });
  });
}

describe('adapters', { timeout: 30_000 }, () => {
  it('a TLS client that does not trust the certificate fails to start', async () => {
    const relay = new Relay({ tls: { key, cert } });
    const a = await relay.server.listen(0, '127.0.0.1');
    const push = new RtmpPushSession({ connectTimeoutMs: 3000 });
    await assert.rejects(push.start(`rtmps://127.0.0.1:${a.port}/live/x`), /self[- ]signed/i);
    await relay.server.close();
  });

  it('connection refused and connect timeouts reject start()', async () => {
    const probe = createServer();
    await new Promise<void>((r) => probe.listen(0, '127.0.0.1', () => r()));
    const port = (probe.address() as { port: number }).port;
    await new Promise<void>((r) => probe.close(() => r()));
    const push = new RtmpPushSession();
    await assert.rejects(push.start(`rtmp://127.0.0.1:${port}/live/x`), { code: 'ECONNREFUSED' });
    await assert.rejects(push.start(`rtmp://127.0.0.1:${port}/live/x`), /start called twice/);
    await assert.rejects(new RtmpPullSession({}).start('http://x/y/z'), /not an rtmp/);
  });

  it('a server that accepts TCP but never answers times the client out', async () => {
    const sockets: Socket[] = [];
    const mute = createServer((s) => sockets.push(s));
    await new Promise<void>((r) => mute.listen(0, '127.0.0.1', () => r()));
    const port = (mute.address() as { port: number }).port;
    const pull = new RtmpPullSession({}, { startTimeoutMs: 300, tickIntervalMs: 50 });
    await assert.rejects(pull.start(`rtmp://127.0.0.1:${port}/live/x`), /start timeout after 300 ms/);
    for (const s of sockets) s.destroy();
    await new Promise<void>((r) => mute.close(() => r()));
  });

  it('RtmpServer.close() closes every session and is idempotent; the server drops a dead peer', async () => {
    const relay = new Relay({ handshakeTimeoutMs: 200, tickIntervalMs: 50 });
    const a = await relay.server.listen(0, '127.0.0.1');
    // A peer that connects and says nothing is closed by the handshake timeout.
    const silent = connect({ host: '127.0.0.1', port: a.port });
    await new Promise<void>((r) => silent.once('close', () => r()));
    await until(() => relay.closes.some((c) => c.kind === 'timeout'));
    const push = new RtmpPushSession();
    await push.start(`rtmp://127.0.0.1:${a.port}/live/x`);
    assert.equal(relay.server.sessionCount, 1);
    const p1 = relay.server.close();
    const p2 = relay.server.close();
    assert.equal(p1, p2);
    await p1;
    const reason = await push.done;
    assert.equal(reason.kind, 'peer');
    assert.equal(relay.server.sessionCount, 0);
    assert.equal(relay.server.address, null);
  });

  it('SocketIo batches the writes of one event-loop turn into one writev', async () => {
    const received: Buffer[] = [];
    const srv = createServer((s) => s.on('data', (b: Buffer) => received.push(b)));
    await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
    const sock = connect({ host: '127.0.0.1', port: (srv.address() as { port: number }).port });
    await new Promise<void>((r) => sock.once('connect', () => r()));
    let writev = 0;
    let write = 0;
    const w = sock as unknown as {
      _writev: (...a: unknown[]) => unknown;
      _write: (...a: unknown[]) => unknown;
    };
    const origV = w._writev.bind(sock);
    const orig = w._write.bind(sock);
    w._writev = (...a) => {
      writev++;
      return origV(...a);
    };
    w._write = (...a) => {
      write++;
      return orig(...a);
    };
    const io = new SocketIo(sock);
    for (let turn = 0; turn < 3; turn++) {
      for (let i = 0; i < 50; i++) io.send(Buffer.alloc(100, i));
      await new Promise((r) => setImmediate(r));
      await new Promise((r) => setImmediate(r));
    }
    assert.equal(writev + write, 3, `writev ${writev}, write ${write}`);
    io.close();
    await new Promise<void>((r) => sock.once('close', () => r()));
    await until(() => Buffer.concat(received).length === 3 * 50 * 100);
    await new Promise<void>((r) => srv.close(() => r()));
  });
});
