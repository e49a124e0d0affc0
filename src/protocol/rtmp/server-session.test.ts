import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import type { Logger } from '../../base/logger.js';
import type { AmfObject, AmfValue } from '../../format/amf/index.js';
import { amfObject, encodeAmf3MessageBody } from '../../format/amf/index.js';
import { LimitError, ProtocolError } from '../../util/errors.js';
import { packAggregate } from './aggregate.js';
import { readCapture } from './capture.test-util.js';
import { ChunkReader } from './chunk-reader.js';
import { packMessage } from './chunk-writer.js';
import { packCommand, parseCommand, readStatusInfo } from './command.js';
import { packControlMessage, parseControlMessage, UserControlEventType } from './control-message.js';
import { dataMessageName, packMetadata, rtmpSampleAccess } from './data-message.js';
import { RtmpTimeoutError } from './errors.js';
import { csidForMessageType, type RtmpMessage, RtmpMsgType } from './message-types.js';
import {
  type RtmpServerObserver,
  RtmpServerSession,
  type RtmpServerSessionOptions,
  type RtmpSubSession,
} from './server-session.js';
import type { RtmpCloseReason, RtmpMediaMessage } from './session-types.js';

const publishCapture = readCapture('ffmpeg-publish.bin');
const playCapture = readCapture('rtmpdump-play.bin');
const HS_LEN = 1 + 2 * 1536;

/** The messages a client sent in a capture, as the server's reader sees them. */
function clientMessages(capture: Buffer): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  new ChunkReader({ onMessage: (m) => out.push(m) }).feed(capture.subarray(HS_LEN));
  return out;
}

/** One line per message the server sent, for readable comparisons. */
function describeMessage(m: RtmpMessage): string {
  const at = `@${m.streamId}/csid${m.csid}`;
  switch (m.typeId) {
    case RtmpMsgType.CommandAmf0: {
      const c = parseCommand(m.typeId, m.payload);
      const info = readStatusInfo(c.args[0] ?? null);
      const rest = info.code !== '' ? info.code : JSON.stringify(c.args);
      return `${c.name} ${c.transactionId} ${at} ${rest}`;
    }
    case RtmpMsgType.DataAmf0:
      return `data ${dataMessageName(m.payload)} ${at}`;
    case RtmpMsgType.Audio:
    case RtmpMsgType.Video:
      return `${m.typeId === 8 ? 'audio' : 'video'} ${m.timestampMs} ${m.payload.length} ${at}`;
    default: {
      const c = parseControlMessage(m.typeId, m.payload);
      switch (c.typeId) {
        case RtmpMsgType.SetChunkSize:
          return `SetChunkSize ${c.chunkSize}`;
        case RtmpMsgType.WindowAckSize:
          return `WindowAckSize ${c.windowSize}`;
        case RtmpMsgType.SetPeerBandwidth:
          return `SetPeerBandwidth ${c.windowSize} ${c.limitType}`;
        case RtmpMsgType.Ack:
          return `Ack ${c.sequenceNumber}`;
        case RtmpMsgType.UserControl: {
          const e = c.event;
          const v = 'streamId' in e ? e.streamId : 'timestampMs' in e ? e.timestampMs : '';
          return `UserControl ${UserControlEventType[e.eventType]} ${v}`;
        }
        default:
          return `control ${c.typeId}`;
      }
    }
  }
}

interface Recorder {
  observer: RtmpServerObserver;
  events: string[];
  media: RtmpMediaMessage[];
  reasons: RtmpCloseReason[];
}

function recorder(overrides: Partial<RtmpServerObserver> = {}): Recorder {
  const events: string[] = [];
  const media: RtmpMediaMessage[] = [];
  const reasons: RtmpCloseReason[] = [];
  const observer: RtmpServerObserver = {
    onConnect: (s) => {
      events.push(`connect ${s.app}`);
      return undefined;
    },
    onNewPubSession: (s) => {
      events.push(`pub ${s.app}/${s.streamName}`);
      return undefined;
    },
    onPubMessage: (_s, m) => {
      media.push(m);
    },
    onPubStop: (_s, cause) => {
      events.push(`pubstop ${cause}`);
    },
    onNewSubSession: (s) => {
      events.push(`sub ${s.app}/${s.streamName}`);
      return undefined;
    },
    onSubStop: (_s, cause) => {
      events.push(`substop ${cause}`);
    },
    onClose: (_s, r) => {
      events.push(`close ${r.kind}`);
      reasons.push(r);
    },
    ...overrides,
  };
  return { observer, events, media, reasons };
}

/** A server session driven from memory, with a fake clock and a client-side view of its output. */
class Harness {
  readonly session: RtmpServerSession;
  readonly sent: Buffer[] = [];
  readonly logs: string[] = [];
  /** Buffers per sendBatch call (with `batchIo`). */
  readonly batches: number[] = [];
  ioCloses = 0;
  now = 1000;
  private seen = 0;
  private clientChunkSize = 128;

  constructor(observer: RtmpServerObserver, options: RtmpServerSessionOptions = {}, batchIo = false) {
    const log =
      (level: string) =>
      (m: string): void => {
        this.logs.push(`${level} ${m}`);
      };
    const logger: Logger = { debug: () => {}, info: log('info'), warn: log('warn'), error: log('error') };
    this.session = new RtmpServerSession(
      observer,
      {
        send: (b) => {
          this.sent.push(Buffer.from(b));
        },
        ...(batchIo
          ? {
              sendBatch: (list: readonly Uint8Array[]) => {
                this.batches.push(list.length);
                for (const b of list) this.sent.push(Buffer.from(b));
              },
            }
          : {}),
        close: () => {
          this.ioCloses++;
        },
      },
      { logger, nowMs: () => this.now, ...options },
    );
  }

  /** A simple handshake: C0 = 3, C1 and C2 all zeros. */
  handshake(): this {
    const b = Buffer.alloc(HS_LEN);
    b[0] = 3;
    this.session.feed(b);
    return this;
  }

  /** Sends a client message at the client's chunk size. */
  message(typeId: number, payload: Uint8Array, streamId = 0, csid = csidForMessageType(typeId)): void {
    this.session.feed(packMessage({ csid, typeId, streamId, timestampMs: 0, payload }, this.clientChunkSize));
  }

  command(name: string, tid: number, obj: AmfObject | null, args: AmfValue[] = [], streamId = 0): void {
    this.message(
      RtmpMsgType.CommandAmf0,
      packCommand(name, tid, obj, ...args),
      streamId,
      streamId === 0 ? 3 : 8,
    );
  }

  connect(app = 'live', extra: Record<string, AmfValue> = {}): void {
    this.command('connect', 1, amfObject({ app, tcUrl: `rtmp://h/${app}`, flashVer: 'test', ...extra }));
  }

  /** Every message the server sent so far. */
  all(): RtmpMessage[] {
    const bytes = Buffer.concat(this.sent);
    const out: RtmpMessage[] = [];
    if (bytes.length > HS_LEN)
      new ChunkReader({ onMessage: (m) => out.push(m) }).feed(bytes.subarray(HS_LEN));
    return out;
  }

  /** Lines for the messages sent since the last call. */
  replies(): string[] {
    const all = this.all();
    const fresh = all.slice(this.seen);
    this.seen = all.length;
    return fresh.map(describeMessage);
  }
}

const CONNECT_REPLIES = [
  'WindowAckSize 2500000',
  'SetPeerBandwidth 2500000 2',
  'SetChunkSize 4096',
  '_result 1 @0/csid3 NetConnection.Connect.Success',
];

describe('RtmpServerSession: the ffmpeg publish capture', () => {
  const captured = clientMessages(publishCapture);
  const capturedMedia = captured.filter((m) => m.typeId === 8 || m.typeId === 9 || m.typeId === 18);

  it('answers every command and hands up every media message with its payload and timestamp', () => {
    const rec = recorder();
    const h = new Harness(rec.observer);
    h.session.feed(publishCapture);
    assert.equal(h.session.handshake?.mode, 'complex');
    assert.deepEqual(h.replies(), [
      ...CONNECT_REPLIES,
      '_result 2 @0/csid3 [null]',
      '_result 3 @0/csid3 [null]',
      '_result 4 @0/csid3 [1]',
      'onFCPublish 0 @1/csid8 NetStream.Publish.Start',
      'onStatus 0 @1/csid8 NetStream.Publish.Start',
      'onFCUnpublish 0 @0/csid3 NetStream.Unpublish.Success',
      '_result 6 @0/csid3 [null]',
      'onStatus 0 @1/csid8 NetStream.Unpublish.Success',
    ]);
    assert.deepEqual(rec.events, ['connect live', 'pub live/x', 'pubstop FCUnpublish']);
    const s = h.session;
    assert.equal(s.role, 'pub');
    assert.equal(s.tcUrl, 'rtmp://127.0.0.1:46595/live');
    assert.equal(s.flashVer, 'FMLE/3.0 (compatible; Lavf59.27.100)');
    assert.equal(s.publishType, 'live');
    assert.equal(s.streamId, 1);
    assert.equal(rec.media.length, capturedMedia.length);
    assert.equal(rec.media.length, 1 + 7 + 22, 'metadata, 7 video, 22 audio');
    for (let i = 0; i < capturedMedia.length; i++) {
      const a = rec.media[i] as RtmpMediaMessage;
      const b = capturedMedia[i] as RtmpMessage;
      assert.deepEqual([a.typeId, a.timestampMs], [b.typeId, b.timestampMs], `message ${i}`);
      assert.equal(Buffer.compare(a.payload, b.payload), 0, `payload ${i}`);
    }
    assert.equal(
      dataMessageName((rec.media[0] as RtmpMediaMessage).payload),
      '@setDataFrame',
      'kept as sent',
    );
    // The connection closes after deleteStream: one onClose, the stop was already reported.
    s.close({ kind: 'peer', message: 'FIN' });
    s.close('again');
    assert.deepEqual(rec.events.slice(-1), ['close peer']);
    assert.equal(h.ioCloses, 1);
    assert.equal(s.closeReason?.kind, 'peer');
  });

  it('gives the same events and replies whatever the pieces the bytes arrive in', () => {
    const ref = recorder();
    const hr = new Harness(ref.observer);
    hr.session.feed(publishCapture);
    const refReplies = hr.replies();
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 1, max: publishCapture.length - 1 }), { maxLength: 60 }),
        (cuts) => {
          const rec = recorder();
          const h = new Harness(rec.observer);
          let p = 0;
          for (const c of cuts.sort((a, b) => a - b)) {
            h.session.feed(publishCapture.subarray(p, c));
            p = c;
          }
          h.session.feed(publishCapture.subarray(p));
          assert.deepEqual(rec.events, ref.events);
          assert.deepEqual(
            rec.media.map((m) => [m.typeId, m.timestampMs, m.payload.length]),
            ref.media.map((m) => [m.typeId, m.timestampMs, m.payload.length]),
          );
          // S1/S2 are random; the replies after the handshake are not.
          assert.deepEqual(h.replies(), refReplies);
        },
      ),
      { numRuns: 40 },
    );
  });

  it('a publisher that just disconnects is reported stopped, then closed', () => {
    const rec = recorder();
    const h = new Harness(rec.observer);
    // Everything up to the first video frame: connect ... publish, metadata, sequence header.
    const cut = HS_LEN + 5000;
    h.session.feed(publishCapture.subarray(0, cut));
    h.session.close({ kind: 'peer', message: 'reset' });
    assert.deepEqual(rec.events, ['connect live', 'pub live/x', 'pubstop close', 'close peer']);
  });
});

describe('RtmpServerSession: the rtmpdump play capture', () => {
  it('answers connect / createStream / play, then sends what the observer wrote, in order', () => {
    const meta = packMetadata({ width: 320 }, false);
    const video = Buffer.from([0x17, 0, 0, 0, 0, 1, 2, 3]);
    let sub: RtmpSubSession | undefined;
    const rec = recorder({
      onNewSubSession: (s) => {
        sub = s;
        // Written during the callback: queued until after Play.Start.
        assert.ok(s.writeMessage({ typeId: RtmpMsgType.DataAmf0, timestampMs: 0, payload: meta }));
        const packed = packMessage(
          { csid: 6, typeId: RtmpMsgType.Video, streamId: s.streamId, timestampMs: 40, payload: video },
          s.outChunkSize,
        );
        assert.ok(s.writeChunks(packed, RtmpMsgType.Video));
        return undefined;
      },
    });
    const h = new Harness(rec.observer);
    h.session.feed(playCapture);
    assert.equal(h.session.handshake?.mode, 'complex');
    assert.deepEqual(h.replies(), [
      ...CONNECT_REPLIES,
      '_result 2 @0/csid3 [1]',
      'UserControl StreamBegin 1',
      'onStatus 0 @1/csid8 NetStream.Play.Reset',
      'onStatus 0 @1/csid8 NetStream.Play.Start',
      'data |RtmpSampleAccess @1/csid5',
      'data onMetaData @1/csid5',
      'video 40 8 @1/csid6',
    ]);
    assert.ok(sub);
    assert.equal(sub.playStart, 0);
    assert.equal(sub.playDuration, -1);
    assert.equal(sub.playReset, true);
    assert.equal(sub.outChunkSize, 4096);
    // After start, writes go straight out; notifications on the play stream.
    assert.ok(
      sub.writeMessage({ typeId: RtmpMsgType.Audio, timestampMs: 50, payload: Buffer.from([0xaf, 1, 9]) }),
    );
    sub.sendUnpublishNotify();
    sub.sendPublishNotify();
    sub.sendPlayStop();
    assert.deepEqual(h.replies(), [
      'audio 50 3 @1/csid4',
      'UserControl StreamEof 1',
      'onStatus 0 @1/csid8 NetStream.Play.UnpublishNotify',
      'UserControl StreamBegin 1',
      'onStatus 0 @1/csid8 NetStream.Play.PublishNotify',
      'onStatus 0 @1/csid8 NetStream.Play.Stop',
    ]);
    // deleteStream stops the player; later writes are dropped.
    h.command('deleteStream', 4, null, [1]);
    assert.deepEqual(rec.events, ['connect live', 'substop deleteStream']);
    assert.equal(
      sub.writeMessage({ typeId: RtmpMsgType.Audio, timestampMs: 60, payload: Buffer.from([0xaf, 1]) }),
      false,
    );
    assert.deepEqual(h.replies(), []);
  });

  it('receiveAudio / receiveVideo false drop that media for this player', () => {
    let sub: RtmpSubSession | undefined;
    const h = new Harness(
      recorder({
        onNewSubSession: (s) => {
          sub = s;
          return undefined;
        },
      }).observer,
    );
    h.session.feed(playCapture);
    h.command('receiveVideo', 0, null, [false], 1);
    assert.ok(sub);
    assert.equal(sub.receiveVideo, false);
    assert.equal(
      sub.writeMessage({ typeId: RtmpMsgType.Video, timestampMs: 0, payload: Buffer.from([0x17, 1]) }),
      false,
    );
    assert.equal(
      sub.writeMessage({ typeId: RtmpMsgType.Audio, timestampMs: 0, payload: Buffer.from([0xaf, 1]) }),
      true,
    );
  });
});

describe('RtmpServerSession: batched writes', () => {
  const packAt = (s: RtmpSubSession, typeId: number, ts: number, payload: Buffer): Buffer =>
    packMessage(
      { csid: csidForMessageType(typeId), typeId, streamId: s.streamId, timestampMs: ts, payload },
      s.outChunkSize,
    );
  const audio = Buffer.from([0xaf, 1, 7]);
  const video = Buffer.from([0x27, 1, 0, 0, 0, 9]);

  for (const batchIo of [true, false]) {
    it(`a batch goes out in order in ${batchIo ? 'one sendBatch call' : 'send calls (io without sendBatch)'}; receiveVideo false filters it`, () => {
      let sub: RtmpSubSession | undefined;
      const rec = recorder({
        onNewSubSession: (s) => {
          sub = s;
          return undefined;
        },
      });
      const h = new Harness(rec.observer, {}, batchIo);
      h.session.feed(playCapture);
      h.replies();
      assert.ok(sub);
      const s = sub;
      assert.equal(s.filtersMedia, false);
      const list = [packAt(s, 8, 10, audio), packAt(s, 9, 20, video), packAt(s, 8, 30, audio)];
      assert.ok(s.writeChunkBatch(list));
      assert.deepEqual(h.replies(), ['audio 10 3 @1/csid4', 'video 20 6 @1/csid6', 'audio 30 3 @1/csid4']);
      assert.deepEqual(h.batches, batchIo ? [3] : []);
      h.command('receiveVideo', 0, null, [false], 1);
      h.replies();
      assert.equal(s.filtersMedia, true);
      assert.ok(s.writeChunkBatch(list, [8, 9, 8]));
      assert.deepEqual(h.replies(), ['audio 10 3 @1/csid4', 'audio 30 3 @1/csid4']);
      h.command('deleteStream', 4, null, [1]);
      assert.equal(s.writeChunkBatch(list), false, 'not playing any more');
    });
  }
});

describe('RtmpServerSession: rejections', () => {
  it('a rejected publish gets NetStream.Publish.BadName with the reason, then the session closes', () => {
    const rec = recorder({ onNewPubSession: () => new Error('stream x is already published') });
    const h = new Harness(rec.observer);
    h.session.feed(publishCapture);
    const r = h.replies();
    assert.deepEqual(r.slice(-1), ['onStatus 0 @1/csid8 NetStream.Publish.BadName']);
    const last = h.all().at(-1) as RtmpMessage;
    const info = readStatusInfo(parseCommand(20, last.payload).args[0] ?? null);
    assert.deepEqual(info, {
      level: 'error',
      code: 'NetStream.Publish.BadName',
      description: 'stream x is already published',
    });
    assert.deepEqual(rec.events, ['connect live', 'close rejected']);
    assert.equal(rec.media.length, 0, 'media after the rejected publish is ignored');
    assert.equal(h.ioCloses, 1);
  });

  it('a rejected play gets NetStream.Play.StreamNotFound; writes made before rejecting are dropped', () => {
    const rec = recorder({
      onNewSubSession: (s) => {
        s.writeMessage({ typeId: RtmpMsgType.Audio, timestampMs: 0, payload: Buffer.from([0xaf, 1]) });
        return new Error('no such stream');
      },
    });
    const h = new Harness(rec.observer);
    h.session.feed(playCapture);
    assert.deepEqual(h.replies().slice(-2), [
      '_result 2 @0/csid3 [1]',
      'onStatus 0 @1/csid8 NetStream.Play.StreamNotFound',
    ]);
    assert.equal(rec.reasons[0]?.kind, 'rejected');
    assert.match(rec.reasons[0]?.message ?? '', /no such stream/);
  });

  it('a rejected connect gets _error NetConnection.Connect.Rejected and nothing else', () => {
    const rec = recorder({ onConnect: () => new Error('bad token') });
    const h = new Harness(rec.observer);
    h.session.feed(playCapture);
    assert.deepEqual(h.replies(), ['_error 1 @0/csid3 NetConnection.Connect.Rejected']);
    assert.deepEqual(rec.events, ['close rejected']);
  });

  it('a second publish or play on the same connection is refused', () => {
    const rec = recorder();
    const h = new Harness(rec.observer).handshake();
    h.connect();
    h.command('createStream', 2, null);
    h.command('publish', 3, null, ['a', 'live'], 1);
    h.command('play', 4, null, ['b'], 1);
    assert.deepEqual(h.replies().slice(-1), ['onStatus 0 @1/csid8 NetStream.Play.StreamNotFound']);
    assert.deepEqual(rec.events, ['connect live', 'pub live/a', 'pubstop close', 'close rejected']);
  });
});

describe('RtmpServerSession: bad input and throwing observers', () => {
  it('garbage after the handshake closes the session with a typed error, logged once', () => {
    const rec = recorder();
    const h = new Harness(rec.observer).handshake();
    h.session.feed(Buffer.from([0xc5, 1, 2, 3])); // fmt 3 on a chunk stream never opened
    assert.deepEqual(rec.events, ['close error']);
    assert.ok(rec.reasons[0]?.error instanceof ProtocolError);
    assert.match(rec.reasons[0]?.message ?? '', /^rtmp: csid 5: fmt 3/);
    assert.equal(h.logs.filter((l) => l.startsWith('warn')).length, 1);
    assert.equal(h.ioCloses, 1);
    h.session.feed(Buffer.from([1, 2, 3])); // ignored, no throw
    assert.equal(rec.events.length, 1);
  });

  it('an HTTP request instead of a handshake closes the session', () => {
    const rec = recorder();
    const h = new Harness(rec.observer);
    h.session.feed(Buffer.from('GET / HTTP/1.1\r\n\r\n'));
    assert.deepEqual(rec.events, ['close error']);
    assert.match(rec.reasons[0]?.message ?? '', /not RTMP/);
  });

  it('a malformed command, a command before connect and an oversize message close with a reason', () => {
    const cases: Array<[string, (h: Harness) => void, RegExp]> = [
      ['bad AMF', (h) => h.message(RtmpMsgType.CommandAmf0, Buffer.from([0x02, 0, 9, 0x61])), /amf/],
      ['before connect', (h) => h.command('createStream', 2, null), /before connect/],
      [
        'oversize',
        (h) =>
          h.session.feed(
            packMessage(
              { csid: 6, typeId: 9, streamId: 1, timestampMs: 0, payload: Buffer.alloc(2000) },
              128,
            ),
          ),
        /exceeds the limit of 1000/,
      ],
    ];
    for (const [what, act, re] of cases) {
      const rec = recorder();
      const h = new Harness(rec.observer, { maxMessageSize: 1000 }).handshake();
      act(h);
      assert.deepEqual(rec.events, ['close error'], what);
      assert.match(rec.reasons[0]?.message ?? '', re, what);
    }
    const rec = recorder();
    const h = new Harness(rec.observer, { maxMessageSize: 1000 }).handshake();
    h.session.feed(
      packMessage({ csid: 6, typeId: 9, streamId: 1, timestampMs: 0, payload: Buffer.alloc(2000) }, 128),
    );
    assert.ok(rec.reasons[0]?.error instanceof LimitError);
  });

  it('a deeply nested command object exceeds maxAmfDepth', () => {
    const rec = recorder();
    const h = new Harness(rec.observer, { maxAmfDepth: 4 }).handshake();
    const deep = amfObject({ a: amfObject({ b: amfObject({ c: amfObject({ d: amfObject({ e: 1 }) }) }) }) });
    h.command('connect', 1, deep);
    assert.equal(rec.reasons[0]?.kind, 'error');
    assert.ok(rec.reasons[0]?.error instanceof LimitError);
  });

  it('a throwing observer closes only its own session', () => {
    let calls = 0;
    const rec = recorder({
      onPubMessage: (_s, m) => {
        calls++;
        if (calls === 3) throw new Error('boom');
        rec.media.push(m);
      },
    });
    const a = new Harness(rec.observer);
    a.session.feed(publishCapture);
    assert.equal(a.session.closeReason?.kind, 'observer-error');
    assert.match(a.session.closeReason?.message ?? '', /onPubMessage threw: boom/);
    assert.equal(rec.media.length, 2);
    assert.deepEqual(rec.events, ['connect live', 'pub live/x', 'pubstop close', 'close observer-error']);
    // Another session with the same observer is unaffected.
    const b = new Harness(rec.observer);
    b.session.feed(publishCapture);
    assert.equal(b.session.closed, false);
    assert.equal(rec.media.length, 2 + 30);
  });

  it('observer callbacks that throw in connect / publish / play / onClose are contained', () => {
    for (const key of ['onConnect', 'onNewPubSession'] as const) {
      const rec = recorder({
        [key]: () => {
          throw new TypeError('oops');
        },
      });
      const h = new Harness(rec.observer);
      h.session.feed(publishCapture);
      assert.equal(h.session.closeReason?.kind, 'observer-error', key);
      assert.ok(!h.replies().some((l) => l.includes('Publish.Start')), key);
    }
    const rec = recorder({
      onClose: () => {
        throw new Error('late');
      },
    });
    const h = new Harness(rec.observer);
    h.session.feed(playCapture);
    assert.doesNotThrow(() => h.session.close('bye'));
    assert.ok(h.logs.some((l) => l.includes('onClose threw')));
  });
});

describe('RtmpServerSession: protocol control and timers', () => {
  it('answers PingRequest, acknowledges the peer window, ignores unknown user control events', () => {
    const h = new Harness(recorder().observer).handshake();
    h.replies();
    h.session.feed(
      packControlMessage(
        {
          typeId: RtmpMsgType.UserControl,
          event: { eventType: UserControlEventType.PingRequest, timestampMs: 4242 },
        },
        128,
      ),
    );
    assert.deepEqual(h.replies(), ['UserControl PingResponse 4242']);
    h.session.feed(Buffer.from('02000000000004040000000000630001', 'hex')); // user control event 99
    assert.equal(h.session.closed, false);
    // Window 100 (counted from the end of the handshake): ping 18 + event 16 + this 16 = 50 bytes.
    h.session.feed(packControlMessage({ typeId: RtmpMsgType.WindowAckSize, windowSize: 100 }, 128));
    assert.deepEqual(h.replies(), []);
    h.message(RtmpMsgType.Audio, Buffer.alloc(80)); // ignored (not publishing), 92 bytes: past the window
    assert.deepEqual(h.replies(), ['Ack 142']);
    h.message(RtmpMsgType.Audio, Buffer.alloc(10)); // 22 more: not yet
    assert.deepEqual(h.replies(), []);
  });

  it('unknown commands get _error when they expect an answer and leave the session open', () => {
    const h = new Harness(recorder().observer).handshake();
    h.connect();
    h.replies();
    h.command('fooBar', 9, null);
    h.command('fooBaz', 0, null);
    h.command('getStreamLength', 10, null, ['x']);
    h.command('FCSubscribe', 11, null, ['x']);
    assert.deepEqual(h.replies(), ['_error 9 @0/csid3 NetConnection.Call.Failed', '_result 10 @0/csid3 [0]']);
    assert.equal(h.session.closed, false);
  });

  it('connect as AMF3 (type 17) echoes objectEncoding 3; queries in app and stream name are parsed', () => {
    const rec = recorder();
    const h = new Harness(rec.observer).handshake();
    h.message(
      RtmpMsgType.CommandAmf3,
      encodeAmf3MessageBody([
        'connect',
        1,
        amfObject({ app: 'live?vhost=v&k=1', tcUrl: 'rtmp://h/live', objectEncoding: 3 }),
      ]),
    );
    const result = h.all().at(-1) as RtmpMessage;
    assert.equal((parseCommand(20, result.payload).args[0] as AmfObject).objectEncoding, 3);
    h.command('createStream', 2, null);
    h.command('publish', 3, null, ['cam?token=t&k=2', 'record'], 1);
    const s = h.session;
    assert.equal(s.app, 'live');
    assert.equal(s.streamName, 'cam');
    assert.equal(s.rawQuery, 'token=t&k=2');
    assert.deepEqual({ ...s.query }, { vhost: 'v', k: '2', token: 't' });
    assert.equal(s.publishType, 'record');
  });

  it('AMF3 data, aggregates and |RtmpSampleAccess from a publisher', () => {
    const rec = recorder();
    const h = new Harness(rec.observer).handshake();
    h.connect();
    h.command('createStream', 2, null);
    h.command('publish', 3, null, ['s'], 1);
    h.message(RtmpMsgType.DataAmf3, Buffer.concat([Buffer.from([0]), packMetadata({ a: 1 })]), 1);
    h.message(RtmpMsgType.DataAmf0, rtmpSampleAccess(), 1);
    h.message(
      RtmpMsgType.Aggregate,
      packAggregate([
        { typeId: 9, timestampMs: 1000, payload: Buffer.from([0x17, 1]) },
        { typeId: 8, timestampMs: 1010, payload: Buffer.from([0xaf, 1]) },
      ]),
      1,
    );
    assert.deepEqual(
      rec.media.map((m) => [m.typeId, m.timestampMs, dataMessageName(m.payload) ?? m.payload.length]),
      [
        [18, 0, '@setDataFrame'],
        [9, 0, 2],
        [8, 10, 2],
      ],
    );
  });

  it('closes a handshake that does not complete in time', () => {
    const rec = recorder();
    const h = new Harness(rec.observer, { handshakeTimeoutMs: 5000 });
    h.session.feed(Buffer.from([3]));
    h.now += 4999;
    h.session.tick();
    assert.equal(h.session.closed, false);
    h.now += 1;
    h.session.tick();
    assert.deepEqual(rec.events, ['close timeout']);
    assert.ok(rec.reasons[0]?.error instanceof RtmpTimeoutError);
    assert.match(rec.reasons[0]?.message ?? '', /handshake timeout after 5000 ms/);
  });

  it('pings a quiet peer, and closes it when nothing comes back (dead peer)', () => {
    const rec = recorder();
    const h = new Harness(rec.observer, { keepAliveIntervalMs: 1000, idleTimeoutMs: 3000 }).handshake();
    h.replies();
    h.now += 999;
    h.session.tick();
    assert.deepEqual(h.replies(), []);
    h.now += 1;
    h.session.tick();
    h.session.tick();
    assert.deepEqual(h.replies(), ['UserControl PingRequest 2000']);
    // The peer answers: the idle clock restarts.
    h.session.feed(
      packControlMessage(
        {
          typeId: RtmpMsgType.UserControl,
          event: { eventType: UserControlEventType.PingResponse, timestampMs: 2000 },
        },
        128,
      ),
    );
    h.now += 2999;
    h.session.tick();
    assert.equal(h.session.closed, false);
    assert.deepEqual(h.replies(), ['UserControl PingRequest 4999']);
    h.now += 1;
    h.session.tick();
    assert.deepEqual(rec.events, ['close timeout']);
    assert.match(rec.reasons[0]?.message ?? '', /idle timeout after 3000 ms/);
  });
});
