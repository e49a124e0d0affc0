import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LalError, ProtocolError } from '../../util/errors.js';
import { WebSocketProtocolError, WebSocketVersionError, WsCloseCode } from './errors.js';
import { HttpRequestHeadParser, type HttpResponseHead, HttpResponseHeadParser } from './http-head-parser.js';
import { type WebSocketCloseInfo, WebSocketConnection } from './websocket-connection.js';
import {
  packWebSocketClosePayload,
  packWebSocketFrame,
  packWebSocketFrameHeader,
  parseWebSocketClosePayload,
  WebSocketFrameParser,
  type WebSocketFrameParserOptions,
  WsOpcode,
  webSocketFrameHeaderSize,
} from './websocket-frame.js';
import {
  checkWebSocketUpgradeResponse,
  isWebSocketUpgrade,
  packWebSocketUpgradeRequest,
  packWebSocketUpgradeResponse,
  parseWebSocketUpgrade,
  webSocketAcceptKey,
} from './websocket-handshake.js';

const hex = (s: string): Buffer => Buffer.from(s.replace(/\s+/g, ''), 'hex');
const RFC_KEY = 'dGhlIHNhbXBsZSBub25jZQ==';
const RFC_ACCEPT = 's3pPLMBiTxaQ9kYGzzhZRbK+xOo=';
/** RFC 6455 5.7 masking key. */
const MASK = hex('37fa213d');

function requestHead(extra: string) {
  const p = new HttpRequestHeadParser();
  const r = p.feed(Buffer.from(`GET /live/test.flv HTTP/1.1\r\nHost: x\r\n${extra}\r\n`, 'latin1'));
  assert.ok(r);
  return r.head;
}

function responseHead(b: Buffer): HttpResponseHead {
  const r = new HttpResponseHeadParser().feed(b);
  assert.ok(r);
  return r.head;
}

describe('WebSocket handshake (RFC 6455 1.3, 4)', () => {
  it('computes the RFC 1.3 example accept key', () => {
    assert.equal(webSocketAcceptKey(RFC_KEY), RFC_ACCEPT);
  });

  it('accepts a valid upgrade and packs the golden 101', () => {
    const head = requestHead(
      `Upgrade: websocket\r\nConnection: keep-alive, Upgrade\r\nSec-WebSocket-Key: ${RFC_KEY}\r\nSec-WebSocket-Version: 13\r\nSec-WebSocket-Protocol: chat, superchat\r\n`,
    );
    assert.ok(isWebSocketUpgrade(head));
    const u = parseWebSocketUpgrade(head);
    assert.deepEqual(u, { key: RFC_KEY, accept: RFC_ACCEPT, protocols: ['chat', 'superchat'] });
    assert.equal(
      packWebSocketUpgradeResponse(u.accept, 'chat').toString('latin1'),
      'HTTP/1.1 101 Switching Protocols\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Accept: ${RFC_ACCEPT}\r\nSec-WebSocket-Protocol: chat\r\n\r\n`,
    );
    assert.ok(!packWebSocketUpgradeResponse(u.accept).toString().includes('Sec-WebSocket-Protocol'));
  });

  it('rejects bad upgrades: 426 for another version, 400 for the rest', () => {
    const base = `Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: ${RFC_KEY}\r\n`;
    assert.throws(
      () => parseWebSocketUpgrade(requestHead(`${base}Sec-WebSocket-Version: 8\r\n`)),
      WebSocketVersionError,
    );
    assert.throws(() => parseWebSocketUpgrade(requestHead(base)), WebSocketVersionError);
    const v = 'Sec-WebSocket-Version: 13\r\n';
    assert.throws(
      () => parseWebSocketUpgrade(requestHead(`Upgrade: websocket\r\nConnection: Upgrade\r\n${v}`)),
      ProtocolError,
    );
    assert.throws(
      () =>
        parseWebSocketUpgrade(
          requestHead(`Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: short\r\n${v}`),
        ),
      ProtocolError,
    );
    assert.throws(
      () => parseWebSocketUpgrade(requestHead(`Upgrade: websocket\r\nSec-WebSocket-Key: ${RFC_KEY}\r\n${v}`)),
      /Connection: Upgrade/,
    );
  });

  it('client: packs the opening handshake and checks the 101', () => {
    const req = packWebSocketUpgradeRequest('/live/test.flv', 'h:1', RFC_KEY).toString('latin1');
    assert.equal(
      req,
      'GET /live/test.flv HTTP/1.1\r\nHost: h:1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n' +
        `Sec-WebSocket-Key: ${RFC_KEY}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    const good = packWebSocketUpgradeResponse(RFC_ACCEPT);
    assert.doesNotThrow(() => checkWebSocketUpgradeResponse(responseHead(good), RFC_KEY));
    assert.throws(
      () => checkWebSocketUpgradeResponse(responseHead(good), 'AAAAAAAAAAAAAAAAAAAAAA=='),
      /Sec-WebSocket-Accept/,
    );
    const withProto = packWebSocketUpgradeResponse(RFC_ACCEPT, 'chat');
    assert.throws(() => checkWebSocketUpgradeResponse(responseHead(withProto), RFC_KEY), /subprotocol/);
    assert.doesNotThrow(() => checkWebSocketUpgradeResponse(responseHead(withProto), RFC_KEY, ['chat']));
  });
});

describe('WebSocket frame headers: golden bytes (RFC 6455 5.2, 5.7)', () => {
  it('packs the three length forms', () => {
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Binary, 0), hex('8200'));
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Binary, 125), hex('827d'));
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Binary, 126), hex('827e007e'));
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Binary, 256), hex('827e0100')); // RFC 5.7
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Binary, 65535), hex('827effff'));
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Binary, 65536), hex('827f 0000000000010000')); // RFC 5.7
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Binary, 2 ** 32 + 5), hex('827f 0000000100000005'));
    assert.deepEqual(packWebSocketFrameHeader(WsOpcode.Text, 3, { fin: false }), hex('0103'));
    assert.equal(webSocketFrameHeaderSize(125), 2);
    assert.equal(webSocketFrameHeaderSize(126), 4);
    assert.equal(webSocketFrameHeaderSize(65536, true), 14);
    assert.throws(() => packWebSocketFrameHeader(WsOpcode.Ping, 126), { code: 'ERR_INVALID_ARG' });
  });

  it('packs the RFC 5.7 examples', () => {
    const hello = Buffer.from('Hello');
    assert.deepEqual(packWebSocketFrame(WsOpcode.Text, hello), hex('810548656c6c6f'));
    assert.deepEqual(
      packWebSocketFrame(WsOpcode.Text, hello, { maskKey: MASK }),
      hex('818537fa213d7f9f4d5158'),
    );
    assert.deepEqual(packWebSocketFrame(WsOpcode.Ping, hello), hex('890548656c6c6f'));
    assert.deepEqual(
      packWebSocketFrame(WsOpcode.Pong, hello, { maskKey: MASK }),
      hex('8a8537fa213d7f9f4d5158'),
    );
    assert.equal(hello.toString(), 'Hello', 'the payload is not written');
  });

  it('packs and parses close payloads', () => {
    assert.deepEqual(packWebSocketClosePayload(1000, 'bye'), hex('03e8627965'));
    assert.deepEqual(packWebSocketClosePayload(WsCloseCode.NoStatus), Buffer.alloc(0));
    assert.equal(
      packWebSocketClosePayload(1001, 'é'.repeat(100)).length,
      2 + 122,
      'cut at a character boundary',
    );
    assert.deepEqual(parseWebSocketClosePayload(hex('03e8627965')), { code: 1000, reason: 'bye' });
    assert.deepEqual(parseWebSocketClosePayload(Buffer.alloc(0)), { code: 1005, reason: '' });
    assert.throws(() => parseWebSocketClosePayload(hex('03')), WebSocketProtocolError);
    assert.throws(() => parseWebSocketClosePayload(hex('03ed')), WebSocketProtocolError); // 1005 on the wire
    assert.throws(() => parseWebSocketClosePayload(hex('03e8ff')), { closeCode: 1007 });
  });
});

type Event =
  | { t: 'data'; binary: boolean; data: string; end: boolean }
  | { t: 'ctl'; op: number; payload: string };

/** Parses `input` split in the given sizes; returns the merged events or the error. */
function parse(
  input: Uint8Array,
  opts: WebSocketFrameParserOptions,
  sizes: number[] = [input.length || 1],
): { events: Event[]; error?: string; closeCode?: number } {
  const events: Event[] = [];
  const p = new WebSocketFrameParser(
    {
      onData: (binary, data, end) => {
        // Merge the pieces of a message: splits change the pieces, not the message.
        const last = events.findLast((e) => e.t === 'data');
        if (last !== undefined && last.t === 'data' && !last.end) {
          last.data += Buffer.from(data).toString('hex');
          last.end = end;
        } else {
          events.push({ t: 'data', binary, data: Buffer.from(data).toString('hex'), end });
        }
      },
      onControl: (op, payload) =>
        events.push({ t: 'ctl', op, payload: Buffer.from(payload).toString('hex') }),
    },
    opts,
  );
  let off = 0;
  let i = 0;
  try {
    while (off < input.length) {
      const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
      p.feed(input.subarray(off, off + n));
      off += n;
    }
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    // The message that failed is not a result: how much of it was handed out before the bad byte
    // depends on the split (pieces stream out as they arrive), so it is left out.
    const open = events.findLastIndex((ev) => ev.t === 'data' && !ev.end);
    if (open >= 0) events.splice(open, 1);
    return { events, error: e.message, closeCode: (e as { closeCode?: number }).closeCode };
  }
  return { events };
}

const SERVER: WebSocketFrameParserOptions = { role: 'server', maxMessageSize: 1000 };
const CLIENT: WebSocketFrameParserOptions = { role: 'client' };
const m = (op: WsOpcode, payload: string | Uint8Array, fin = true): Buffer =>
  packWebSocketFrame(op, typeof payload === 'string' ? Buffer.from(payload) : payload, {
    maskKey: MASK,
    fin,
  });

describe('WebSocketFrameParser', () => {
  it('unmasks client frames (RFC 5.7 masked "Hello") and reads control frames', () => {
    const r = parse(
      Buffer.concat([hex('818537fa213d7f9f4d5158'), m(WsOpcode.Ping, 'p'), m(WsOpcode.Close, hex('03e8'))]),
      SERVER,
    );
    assert.deepEqual(r.events, [
      { t: 'data', binary: false, data: Buffer.from('Hello').toString('hex'), end: true },
      { t: 'ctl', op: WsOpcode.Ping, payload: '70' },
      { t: 'ctl', op: WsOpcode.Close, payload: '03e8' },
    ]);
  });

  it('reassembles fragments with control frames in between (RFC 5.4)', () => {
    const input = Buffer.concat([
      m(WsOpcode.Binary, 'ab', false),
      m(WsOpcode.Ping, ''),
      m(WsOpcode.Continuation, '', false),
      m(WsOpcode.Continuation, 'cd', true),
      m(WsOpcode.Binary, ''),
    ]);
    assert.deepEqual(parse(input, SERVER).events, [
      { t: 'data', binary: true, data: '61626364', end: true },
      { t: 'ctl', op: WsOpcode.Ping, payload: '' },
      { t: 'data', binary: true, data: '', end: true },
    ]);
  });

  it('reads the 16- and 64-bit length forms from a server, as views', () => {
    const big = Buffer.alloc(70000, 7);
    const input = Buffer.concat([
      packWebSocketFrame(WsOpcode.Binary, big.subarray(0, 300)),
      packWebSocketFrame(WsOpcode.Binary, big),
    ]);
    const pieces: Uint8Array[] = [];
    const p = new WebSocketFrameParser({ onData: (_b, d) => pieces.push(d), onControl: () => {} }, CLIENT);
    p.feed(input);
    assert.deepEqual(
      pieces.map((x) => x.length),
      [300, 70000],
    );
    assert.equal(pieces[1]?.buffer, input.buffer, 'unmasked payloads are views, not copies');
  });

  it('closes 1002 on protocol errors and 1009 past the size limit', () => {
    const cases: Array<[string, Buffer, WebSocketFrameParserOptions, number]> = [
      ['unmasked client frame', packWebSocketFrame(WsOpcode.Binary, Buffer.from('x')), SERVER, 1002],
      ['masked server frame', m(WsOpcode.Binary, 'x'), CLIENT, 1002],
      ['RSV1 set', hex('c180'), SERVER, 1002],
      ['reserved opcode 3', hex('8380'), SERVER, 1002],
      ['reserved opcode 0xb', hex('8b80'), SERVER, 1002],
      ['fragmented ping', hex('0980'), SERVER, 1002],
      ['ping of 126 bytes', hex('89fe007e'), SERVER, 1002],
      ['continuation first', m(WsOpcode.Continuation, 'x'), SERVER, 1002],
      [
        'data inside a message',
        Buffer.concat([m(WsOpcode.Text, 'a', false), m(WsOpcode.Text, 'b')]),
        SERVER,
        1002,
      ],
      ['64-bit length MSB', hex('82ff8000000000000000 37fa213d'), SERVER, 1002],
      ['bad close code', m(WsOpcode.Close, hex('0000')), SERVER, 1002], // checked by the connection, not here
      ['frame over the limit', m(WsOpcode.Binary, Buffer.alloc(1001)), SERVER, 1009],
      [
        'fragments over the limit',
        Buffer.concat([
          m(WsOpcode.Binary, Buffer.alloc(600), false),
          m(WsOpcode.Continuation, Buffer.alloc(600)),
        ]),
        SERVER,
        1009,
      ],
      ['bad UTF-8 text', m(WsOpcode.Text, hex('c3')), SERVER, 1007],
      ['huge 64-bit length', hex('827f 00000000ffffffff'), { role: 'client', maxMessageSize: 1 << 20 }, 1009],
    ];
    for (const [name, input, opts, code] of cases) {
      const r = parse(input, opts);
      if (name === 'bad close code') {
        assert.equal(r.error, undefined, name);
        continue;
      }
      assert.equal(r.closeCode, code, `${name}: ${r.error}`);
      assert.match(r.error ?? '', /^httpflv: websocket /);
    }
  });

  it('rejects a frame over the limit from its header alone', () => {
    const r = parse(hex('82ff 0000000100000000 37fa213d'), SERVER);
    assert.equal(r.closeCode, 1009);
  });

  it('gives the same messages split at every byte boundary', () => {
    const input = Buffer.concat([
      m(WsOpcode.Text, 'héllo wörld', false),
      m(WsOpcode.Pong, 'pp'),
      m(WsOpcode.Continuation, Buffer.from('é'), true),
      m(WsOpcode.Binary, Buffer.alloc(300, 1)),
      m(WsOpcode.Close, packWebSocketClosePayload(1000, 'done')),
      m(WsOpcode.Binary, hex('ff')),
    ]);
    const whole = parse(input, SERVER);
    assert.equal(whole.events.length, 5);
    for (let cut = 1; cut < input.length; cut++) {
      assert.deepEqual(parse(input, SERVER, [cut, input.length]), whole, `split at ${cut}`);
    }
    assert.deepEqual(parse(input, SERVER, [1]), whole);
    // A UTF-8 sequence split across fragments and chunks is still valid.
    assert.equal(whole.error, undefined);
  });

  it('random and mutated input ends in events or a typed error, never anything else', () => {
    const valid = Buffer.concat([
      m(WsOpcode.Binary, 'abc'),
      m(WsOpcode.Ping, 'x'),
      m(WsOpcode.Text, 'hi', false),
      m(WsOpcode.Continuation, '!'),
    ]);
    fc.assert(
      fc.property(
        fc.oneof(
          fc.uint8Array({ maxLength: 300 }),
          fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 5 }).map((muts) => {
            const b = Buffer.from(valid);
            for (const [i, v] of muts) b[i % b.length] = v;
            return b;
          }),
        ),
        fc.constantFrom<WebSocketFrameParserOptions>(SERVER, CLIENT, { role: 'server', deliverData: false }),
        fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1 }),
        (b, opts, sizes) => {
          const whole = parse(b, opts);
          assert.deepEqual(parse(b, opts, sizes), whole);
          if (whole.error !== undefined)
            assert.ok(whole.closeCode === 1002 || whole.closeCode === 1007 || whole.closeCode === 1009);
        },
      ),
      { numRuns: 500 },
    );
  });
});

/** A connection over memory: what it sends, whether it ended, how it closed. */
function conn(role: 'server' | 'client', maxMessageSize?: number) {
  const sent: Buffer[] = [];
  const out = {
    sent,
    ended: false,
    closed: undefined as WebSocketCloseInfo | undefined,
    data: [] as string[],
  };
  const c = new WebSocketConnection(
    {
      send: (b) => sent.push(Buffer.from(b)),
      end: () => {
        out.ended = true;
      },
    },
    {
      onData: (_b, d) => out.data.push(Buffer.from(d).toString()),
      onClose: (i) => {
        out.closed = i;
      },
    },
    { role, ...(maxMessageSize !== undefined ? { maxMessageSize } : {}), maskKey: () => MASK },
  );
  return { c, out };
}

describe('WebSocketConnection', () => {
  it('server: answers a ping with an unmasked pong carrying its payload', () => {
    const { c, out } = conn('server');
    c.feed(m(WsOpcode.Ping, 'Hello'));
    assert.deepEqual(out.sent, [hex('8a0548656c6c6f')]);
    assert.equal(out.closed, undefined);
  });

  it('server: echoes a close and ends', () => {
    const { c, out } = conn('server');
    c.feed(m(WsOpcode.Close, packWebSocketClosePayload(1001, 'going')));
    assert.deepEqual(out.sent, [hex('880203e9')]);
    assert.ok(out.ended);
    assert.deepEqual(out.closed, { by: 'peer', code: 1001, reason: 'going' });
    c.feed(m(WsOpcode.Ping, 'x'));
    assert.equal(out.sent.length, 1, 'nothing after the close');
  });

  it('server: an empty close is answered with an empty close', () => {
    const { c, out } = conn('server');
    c.feed(hex('8880 00000000'));
    assert.deepEqual(out.sent, [hex('8800')]);
    assert.equal(out.closed?.code, 1005);
  });

  it('server: a protocol error closes with 1002, an oversized message with 1009', () => {
    const a = conn('server');
    a.c.feed(packWebSocketFrame(WsOpcode.Binary, Buffer.from('x')));
    assert.equal(a.out.closed?.by, 'error');
    assert.equal(a.out.closed?.code, 1002);
    assert.equal(a.out.sent[0]?.[0], 0x88, 'an unmasked close frame');
    assert.equal(a.out.sent[0]?.readUInt16BE(2), 1002);
    assert.ok(a.out.ended);
    const b = conn('server', 10);
    b.c.feed(m(WsOpcode.Binary, Buffer.alloc(11)));
    assert.equal(b.out.closed?.code, 1009);
    assert.equal(b.out.sent[0]?.readUInt16BE(2), 1009);
    const c = conn('server');
    c.c.feed(m(WsOpcode.Close, hex('0000')));
    assert.equal(c.out.closed?.code, 1002);
  });

  it('client: masks what it sends and reads unmasked data', () => {
    const { c, out } = conn('client');
    c.feed(packWebSocketFrame(WsOpcode.Ping, Buffer.from('Hello')));
    assert.deepEqual(out.sent, [hex('8a8537fa213d7f9f4d5158')], 'RFC 5.7 masked pong');
    c.feed(packWebSocketFrame(WsOpcode.Binary, Buffer.from('flv')));
    assert.deepEqual(out.data, ['flv']);
    c.close(1000, 'bye');
    assert.deepEqual(
      out.sent[1],
      packWebSocketFrame(WsOpcode.Close, packWebSocketClosePayload(1000, 'bye'), { maskKey: MASK }),
    );
    assert.deepEqual(out.closed, { by: 'local', code: 1000, reason: 'bye' });
    c.close();
    assert.equal(out.sent.length, 2, 'close is idempotent');
  });

  it('a listener that throws closes with 1011, not a crash', () => {
    const sent: Buffer[] = [];
    let info: WebSocketCloseInfo | undefined;
    const c = new WebSocketConnection(
      { send: (b) => sent.push(Buffer.from(b)), end: () => {} },
      {
        onData: () => {
          throw new Error('boom');
        },
        onClose: (i) => {
          info = i;
        },
      },
      { role: 'server' },
    );
    c.feed(m(WsOpcode.Binary, 'x'));
    assert.equal(info?.code, 1011);
    assert.equal(sent[0]?.readUInt16BE(2), 1011);
  });
});
