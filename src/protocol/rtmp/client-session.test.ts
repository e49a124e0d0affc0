import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ProtocolError } from '../../util/errors.js';
import {
  type RtmpClientCore,
  type RtmpClientEvents,
  RtmpPullCore,
  type RtmpPullOptions,
  RtmpPushCore,
  type RtmpPushOptions,
  type RtmpStatus,
} from './client-session.js';
import { dataMessageName, packMetadata } from './data-message.js';
import { RtmpClosedError, RtmpStatusError, RtmpTimeoutError } from './errors.js';
import { RtmpMsgType } from './message-types.js';
import {
  type RtmpServerObserver,
  RtmpServerSession,
  type RtmpServerSessionOptions,
  type RtmpSubSession,
} from './server-session.js';
import type { RtmpCloseReason, RtmpMediaMessage } from './session-types.js';

/** Records what the server side sees. */
function serverObserver(overrides: Partial<RtmpServerObserver> = {}): {
  observer: RtmpServerObserver;
  events: string[];
  media: RtmpMediaMessage[];
} {
  const events: string[] = [];
  const media: RtmpMediaMessage[] = [];
  return {
    events,
    media,
    observer: {
      onNewPubSession: (s) => {
        events.push(`pub ${s.app}/${s.streamName}?${s.rawQuery} ${s.handshake?.mode}`);
        return undefined;
      },
      onPubMessage: (_s, m) => {
        media.push({ ...m, payload: Buffer.from(m.payload) });
      },
      onPubStop: (_s, c) => {
        events.push(`pubstop ${c}`);
      },
      onNewSubSession: (s) => {
        events.push(`sub ${s.app}/${s.streamName} ${s.handshake?.mode}`);
        return undefined;
      },
      onSubStop: (_s, c) => {
        events.push(`substop ${c}`);
      },
      onClose: (_s, r) => {
        events.push(`close ${r.kind}`);
      },
      ...overrides,
    },
  };
}

/** What the client side reports. */
class ClientLog implements RtmpClientEvents {
  started = 0;
  messages: RtmpMediaMessage[] = [];
  statuses: RtmpStatus[] = [];
  closes: RtmpCloseReason[] = [];
  streamEofs = 0;
  throwOnMessage = false;
  onStreamEof(): void {
    this.streamEofs++;
  }
  onStart(): void {
    this.started++;
  }
  onMessage(m: RtmpMediaMessage): void {
    if (this.throwOnMessage) throw new Error('listener bug');
    this.messages.push({ ...m, payload: Buffer.from(m.payload) });
  }
  onStatus(s: RtmpStatus): void {
    this.statuses.push(s);
  }
  onClose(r: RtmpCloseReason): void {
    this.closes.push(r);
  }
}

/**
 * A client core and a server session joined in memory. Bytes are queued and delivered by pump()
 * (never re-entrantly); a side's io.close() delivers what it sent, then closes the other side.
 */
class Link<C extends RtmpClientCore> {
  readonly server: RtmpServerSession;
  readonly client: C;
  now = 0;
  private toServer: Uint8Array[] = [];
  private toClient: Uint8Array[] = [];
  private clientEnded = false;
  private serverEnded = false;

  constructor(
    observer: RtmpServerObserver,
    makeClient: (io: { send(b: Uint8Array): void; close(): void }, nowMs: () => number) => C,
    serverOptions: RtmpServerSessionOptions = {},
  ) {
    const nowMs = (): number => this.now;
    this.server = new RtmpServerSession(
      observer,
      {
        send: (b) => this.toClient.push(b),
        close: () => {
          this.serverEnded = true;
        },
      },
      { nowMs, ...serverOptions },
    );
    this.client = makeClient(
      {
        send: (b) => this.toServer.push(b),
        close: () => {
          this.clientEnded = true;
        },
      },
      nowMs,
    );
  }

  pump(): void {
    for (let i = 0; i < 10_000; i++) {
      const a = this.toServer.shift();
      if (a !== undefined) this.server.feed(a);
      const b = this.toClient.shift();
      if (b !== undefined) this.client.feed(b);
      if (a === undefined && b === undefined) break;
    }
    if (this.clientEnded && !this.server.closed) {
      this.server.close({ kind: 'peer', message: 'FIN' });
      this.pump();
    }
    if (this.serverEnded && !this.client.closed) {
      this.client.transportClosed();
      this.pump();
    }
  }
}

const URL = 'rtmp://127.0.0.1/live/test?token=t';

function pushLink(
  observer: RtmpServerObserver,
  log: ClientLog,
  options: RtmpPushOptions = {},
  serverOptions: RtmpServerSessionOptions = {},
): Link<RtmpPushCore> {
  return new Link(
    observer,
    (io, nowMs) => new RtmpPushCore(URL, io, log, { nowMs, ...options }),
    serverOptions,
  );
}

function pullLink(
  observer: RtmpServerObserver,
  log: ClientLog,
  options: RtmpPullOptions = {},
  serverOptions: RtmpServerSessionOptions = {},
): Link<RtmpPullCore> {
  return new Link(
    observer,
    (io, nowMs) => new RtmpPullCore(URL, io, log, { nowMs, ...options }),
    serverOptions,
  );
}

const video = (n: number, ts: number): RtmpMediaMessage => ({
  typeId: RtmpMsgType.Video,
  timestampMs: ts,
  payload: Buffer.alloc(n, ts & 0xff),
});

describe('RtmpPushCore against RtmpServerSession (in memory)', () => {
  for (const complexHandshake of [true, false]) {
    it(`publishes (${complexHandshake ? 'complex' : 'simple'} handshake): the server sees every message as sent`, () => {
      const srv = serverObserver();
      const log = new ClientLog();
      const link = pushLink(srv.observer, log, { complexHandshake });
      assert.equal(link.client.write(video(10, 0)), false, 'nothing is written before start');
      link.client.start();
      link.pump();
      assert.equal(log.started, 1);
      assert.equal(link.client.state, 'started');
      assert.equal(link.client.streamId, 1);
      assert.deepEqual(srv.events, [`pub live/test?token=t ${complexHandshake ? 'complex' : 'simple'}`]);
      const sent: RtmpMediaMessage[] = [
        { typeId: RtmpMsgType.DataAmf0, timestampMs: 0, payload: packMetadata({ width: 2 }, false) },
        { typeId: RtmpMsgType.Audio, timestampMs: 0, payload: Buffer.from([0xaf, 0, 0x12, 0x10]) },
        video(5000, 0),
        video(30_000, 40),
        { typeId: RtmpMsgType.Audio, timestampMs: 0xffffff + 5, payload: Buffer.from([0xaf, 1, 7]) },
        video(100, 2 ** 32 - 1),
      ];
      for (const m of sent) assert.ok(link.client.write(m));
      link.pump();
      assert.equal(srv.media.length, sent.length);
      // Metadata went out with @setDataFrame, as ffmpeg and OBS send it.
      assert.equal(dataMessageName((srv.media[0] as RtmpMediaMessage).payload), '@setDataFrame');
      for (let i = 1; i < sent.length; i++) {
        const a = srv.media[i] as RtmpMediaMessage;
        const b = sent[i] as RtmpMediaMessage;
        assert.deepEqual([a.typeId, a.timestampMs], [b.typeId, b.timestampMs]);
        assert.equal(Buffer.compare(a.payload, b.payload), 0);
      }
      link.client.close();
      link.pump();
      assert.deepEqual(srv.events.slice(1), ['pubstop FCUnpublish', 'close peer']);
      assert.deepEqual(
        log.closes.map((r) => r.kind),
        ['local'],
      );
      assert.equal(link.client.write(video(1, 1)), false);
    });
  }

  it('BadName, Connect.Rejected and _error fail the start with an error naming the status code', () => {
    const cases: Array<[string, Partial<RtmpServerObserver>, RtmpServerSessionOptions, string]> = [
      ['publish', { onNewPubSession: () => new Error('taken') }, {}, 'NetStream.Publish.BadName'],
      ['connect', { onConnect: () => new Error('bad token') }, {}, 'NetConnection.Connect.Rejected'],
      ['createStream', {}, { maxStreams: 0 }, 'NetConnection.Call.Failed'],
    ];
    for (const [verb, overrides, serverOptions, code] of cases) {
      const log = new ClientLog();
      const link = pushLink(serverObserver(overrides).observer, log, {}, serverOptions);
      link.client.start();
      link.pump();
      assert.equal(log.started, 0, verb);
      const r = log.closes[0];
      assert.equal(r?.kind, 'rejected', verb);
      assert.ok(r?.error instanceof RtmpStatusError, verb);
      assert.equal(r.error.statusCode, code);
      assert.match(r.error.message, new RegExp(`^rtmp: ${verb} rejected: ${code.replace(/\./g, '\\.')}`));
    }
  });

  it('times out when the server never answers', () => {
    const log = new ClientLog();
    let now = 0;
    const core = new RtmpPushCore(URL, { send: () => {}, close: () => {} }, log, {
      nowMs: () => now,
      startTimeoutMs: 3000,
    });
    core.start();
    now = 2999;
    core.tick();
    assert.equal(core.closed, false);
    now = 3000;
    core.tick();
    assert.equal(log.closes[0]?.kind, 'timeout');
    assert.ok(log.closes[0]?.error instanceof RtmpTimeoutError);
    assert.match(log.closes[0]?.message ?? '', /start timeout after 3000 ms: still in state handshake/);
  });

  it('a connection lost before start fails it with RtmpClosedError; garbage from the server with its parse error', () => {
    const log = new ClientLog();
    const core = new RtmpPushCore(URL, { send: () => {}, close: () => {} }, log);
    core.start();
    core.transportClosed();
    assert.ok(log.closes[0]?.error instanceof RtmpClosedError);
    const log2 = new ClientLog();
    const core2 = new RtmpPushCore(URL, { send: () => {}, close: () => {} }, log2);
    core2.start();
    core2.feed(Buffer.from('HTTP/1.1 400 Bad Request\r\n'));
    assert.equal(log2.closes[0]?.kind, 'error');
    assert.ok(log2.closes[0]?.error instanceof ProtocolError);
  });
});

describe('RtmpPullCore against RtmpServerSession (in memory)', () => {
  it('plays: receives what the server writes, statuses after start, and stops cleanly', () => {
    let sub: RtmpSubSession | undefined;
    const srv = serverObserver({
      onNewSubSession: (s) => {
        sub = s;
        s.writeMessage({
          typeId: RtmpMsgType.DataAmf0,
          timestampMs: 0,
          payload: packMetadata({ w: 1 }, false),
        });
        s.writeMessage(video(3000, 0));
        return undefined;
      },
    });
    const log = new ClientLog();
    const link = pullLink(srv.observer, log);
    link.client.start();
    link.pump();
    assert.equal(log.started, 1);
    assert.ok(sub);
    assert.equal(sub.rawQuery, 'token=t');
    assert.equal(sub.playStart, -2);
    for (let i = 1; i <= 5; i++) sub.writeMessage(video(100 * i, 40 * i));
    sub.sendUnpublishNotify();
    link.pump();
    assert.deepEqual(
      log.messages.map((m) => [m.typeId, m.timestampMs, m.payload.length]),
      [
        [18, 0, 33],
        [9, 0, 3000],
        [9, 40, 100],
        [9, 80, 200],
        [9, 120, 300],
        [9, 160, 400],
        [9, 200, 500],
      ],
    );
    assert.equal(dataMessageName((log.messages[0] as RtmpMediaMessage).payload), 'onMetaData');
    assert.deepEqual(
      log.statuses.map((s) => s.code),
      ['NetStream.Play.UnpublishNotify'],
    );
    assert.equal(log.streamEofs, 1, 'Stream EOF (sent with UnpublishNotify) is reported');
    sub.sendStreamEof(); // alone, as nginx-rtmp ends a stream
    link.pump();
    assert.equal(log.streamEofs, 2);
    link.client.close();
    link.pump();
    assert.deepEqual(srv.events.slice(-2), ['substop deleteStream', 'close peer']);
  });

  it('StreamNotFound fails the start; a throwing onMessage listener closes only the client', () => {
    const log = new ClientLog();
    const link = pullLink(serverObserver({ onNewSubSession: () => new Error('no stream') }).observer, log);
    link.client.start();
    link.pump();
    const e = log.closes[0]?.error;
    assert.ok(e instanceof RtmpStatusError);
    assert.equal(e.statusCode, 'NetStream.Play.StreamNotFound');
    assert.equal(e.description, 'no stream');

    let sub: RtmpSubSession | undefined;
    const log2 = new ClientLog();
    const link2 = pullLink(
      serverObserver({
        onNewSubSession: (s) => {
          sub = s;
          return undefined;
        },
      }).observer,
      log2,
    );
    link2.client.start();
    link2.pump();
    log2.throwOnMessage = true;
    sub?.writeMessage(video(10, 0));
    link2.pump();
    assert.equal(log2.closes[0]?.kind, 'observer-error');
    assert.match(log2.closes[0]?.message ?? '', /onMessage threw: listener bug/);
  });

  it("answers the server's keep-alive pings, so a quiet but healthy player is not timed out", () => {
    const srv = serverObserver();
    const log = new ClientLog();
    const link = pullLink(
      srv.observer,
      log,
      { readTimeoutMs: 0 },
      { keepAliveIntervalMs: 1000, idleTimeoutMs: 2500 },
    );
    link.client.start();
    link.pump();
    for (let t = 0; t < 20; t++) {
      link.now += 500;
      link.server.tick();
      link.pump();
    }
    assert.equal(link.server.closed, false);
    assert.equal(link.client.closed, false);
  });

  it('the read timeout closes a pull when nothing arrives', () => {
    const srv = serverObserver();
    const log = new ClientLog();
    const link = pullLink(srv.observer, log, { readTimeoutMs: 2000 }, { keepAliveIntervalMs: 0 });
    link.client.start();
    link.pump();
    link.now += 2000;
    link.client.tick();
    assert.equal(log.closes[0]?.kind, 'timeout');
    assert.match(log.closes[0]?.message ?? '', /read timeout after 2000 ms/);
  });
});
