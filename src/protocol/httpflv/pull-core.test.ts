import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { packFlvHeader } from '../../format/flv/header.js';
import { type FlvTag, packFlvTag } from '../../format/flv/tag.js';
import { LalError, LimitError, ProtocolError } from '../../util/errors.js';
import { ChunkedDecoder } from './chunked-decoder.js';
import { HttpFlvStatusError } from './errors.js';
import { packHttpFlvResponseHead, packHttpStatusResponse } from './http-response.js';
import { HttpFlvPullCore, type HttpFlvPullResult, parseHttpFlvUrl } from './pull-core.js';
import { packWebSocketClosePayload, packWebSocketFrame, WsOpcode } from './websocket-frame.js';
import { packWebSocketUpgradeResponse, webSocketAcceptKey } from './websocket-handshake.js';

function dechunk(
  input: Uint8Array,
  sizes: number[] = [input.length || 1],
): { body: string; done: boolean } | { error: string } {
  const parts: Buffer[] = [];
  const d = new ChunkedDecoder((b) => parts.push(Buffer.from(b)), { maxLineSize: 64, maxTrailerSize: 64 });
  let off = 0;
  let i = 0;
  let done = false;
  try {
    while (off < input.length && !done) {
      const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
      done = d.feed(input.subarray(off, off + n));
      off += n;
    }
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    return { error: e.message };
  }
  return { body: Buffer.concat(parts).toString('latin1'), done };
}

describe('ChunkedDecoder (RFC 9112 7.1)', () => {
  const golden = Buffer.from(
    '4\r\nWiki\r\n5;ext=1\r\npedia\r\nE\r\n in\r\n\r\nchunks.\r\n0\r\nTrailer: x\r\n\r\n',
  );

  it('decodes the golden body, split at every byte boundary', () => {
    const whole = dechunk(golden);
    assert.deepEqual(whole, { body: 'Wikipedia in\r\n\r\nchunks.', done: true });
    for (let cut = 1; cut < golden.length; cut++)
      assert.deepEqual(dechunk(golden, [cut, golden.length]), whole);
    assert.deepEqual(dechunk(golden, [1]), whole);
    assert.deepEqual(dechunk(Buffer.from('3\nabc\n0\n\n')), { body: 'abc', done: true });
  });

  it('fails with typed errors on bad framing and limits', () => {
    assert.match((dechunk(Buffer.from('x\r\n')) as { error: string }).error, /bad chunk size/);
    assert.match((dechunk(Buffer.from('3\r\nabcX')) as { error: string }).error, /CRLF/);
    assert.match((dechunk(Buffer.from('3-\r\n')) as { error: string }).error, /bad chunk size/);
    assert.match((dechunk(Buffer.from(`${'f'.repeat(14)}\r\n`)) as { error: string }).error, /exceeds/);
    assert.match((dechunk(Buffer.from(`3;${'e'.repeat(100)}`)) as { error: string }).error, /line length/);
    assert.match(
      (dechunk(Buffer.from(`0\r\n${'T: x\r\n'.repeat(20)}`)) as { error: string }).error,
      /trailer/,
    );
    const d = new ChunkedDecoder(() => {});
    assert.throws(() => d.feed(Buffer.from('zz\r\n')), ProtocolError);
    assert.throws(() => d.feed(Buffer.from('0\r\n')), ProtocolError, 'sticky');
  });

  it('random input ends in data, a wait or a typed error, holding only a line', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 300 }),
        fc.array(fc.integer({ min: 1, max: 30 }), { minLength: 1 }),
        (b, sizes) => {
          assert.deepEqual(dechunk(b, sizes), dechunk(b));
        },
      ),
      { numRuns: 300 },
    );
    assert.throws(
      () => new ChunkedDecoder(() => {}, { maxLineSize: 8 }).feed(Buffer.alloc(100, 0x31)),
      LimitError,
    );
  });
});

describe('parseHttpFlvUrl', () => {
  it('parses the four schemes with default ports and the Host field', () => {
    assert.deepEqual(parseHttpFlvUrl('http://h/live/t.flv?a=1#x'), {
      scheme: 'http',
      host: 'h',
      port: 80,
      target: '/live/t.flv?a=1',
      hostHeader: 'h',
      href: 'http://h/live/t.flv?a=1',
    });
    assert.equal(parseHttpFlvUrl('https://h:8443/a/b.flv').hostHeader, 'h:8443');
    assert.equal(parseHttpFlvUrl('wss://h/a/b.flv').port, 443);
    const v6 = parseHttpFlvUrl('ws://[::1]:8080/a/b.flv');
    assert.equal(v6.host, '::1');
    assert.equal(v6.hostHeader, '[::1]:8080');
    assert.throws(() => parseHttpFlvUrl('rtmp://h/a/b'), { code: 'ERR_INVALID_ARG' });
    assert.throws(() => parseHttpFlvUrl('not a url'), { code: 'ERR_INVALID_ARG' });
  });
});

const TAGS: FlvTag[] = [
  { type: 18, timestampMs: 0, data: Buffer.from('\x02\x00\x0aonMetaData\x05', 'latin1') },
  { type: 9, timestampMs: 0, data: Buffer.from([0x17, 0, 0, 0, 0, 1, 2, 3]) },
  { type: 8, timestampMs: 23, data: Buffer.from([0xaf, 1, 9, 9]) },
  { type: 9, timestampMs: 40, data: Buffer.alloc(3000, 0x27) },
];
const FLV = Buffer.concat([packFlvHeader({ hasAudio: true, hasVideo: true }), ...TAGS.map(packFlvTag)]);

/** Runs a core over memory: the server's answer split in pieces, then eof. */
function pull(url: string, answer: Buffer, sizes: number[] = [answer.length], key?: string) {
  const sent: Buffer[] = [];
  const tags: string[] = [];
  let ended = 0;
  let result: HttpFlvPullResult | undefined;
  let headers = 0;
  const core = new HttpFlvPullCore(
    parseHttpFlvUrl(url),
    { send: (b) => sent.push(Buffer.from(b)), end: () => void ended++ },
    {
      onHeader: () => void headers++,
      onTag: (t) => tags.push(Buffer.from(packFlvTag(t)).toString('hex')),
      onDone: (r) => {
        result = r;
      },
    },
    key !== undefined ? { webSocketKey: key } : {},
  );
  core.start();
  let off = 0;
  let i = 0;
  while (off < answer.length) {
    const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
    core.feed(answer.subarray(off, off + n));
    off += n;
  }
  core.eof();
  return { sent, tags, ended, result, headers, core };
}

const WANT = TAGS.map((t) => packFlvTag(t).toString('hex'));

describe('HttpFlvPullCore', () => {
  it('sends a GET and reads a raw HTTP-FLV body to the close, however split', () => {
    const answer = Buffer.concat([packHttpFlvResponseHead(), FLV]);
    const r = pull('http://127.0.0.1:8080/live/test.flv?k=v', answer);
    assert.match(
      r.sent[0]?.toString() ?? '',
      /^GET \/live\/test.flv\?k=v HTTP\/1.1\r\nHost: 127.0.0.1:8080\r\n/,
    );
    assert.deepEqual(r.tags, WANT);
    assert.equal(r.headers, 1);
    assert.deepEqual(r.result, { kind: 'end', detail: 'connection closed by the server' });
    for (const cut of [1, 7, 100, answer.length - 1])
      assert.deepEqual(pull('http://h/a/b.flv', answer, [cut, 1 << 20]).tags, WANT);
    assert.deepEqual(pull('http://h/a/b.flv', answer, [3]).tags, WANT);
  });

  it('reads chunked and Content-Length bodies', () => {
    const chunked = Buffer.concat([
      Buffer.from('HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n'),
      ...[FLV.subarray(0, 20), FLV.subarray(20, 1000), FLV.subarray(1000)].flatMap((p) => [
        Buffer.from(`${p.length.toString(16)}\r\n`),
        p,
        Buffer.from('\r\n'),
      ]),
      Buffer.from('0\r\n\r\n'),
    ]);
    const c = pull('http://h/a/b.flv', chunked, [5]);
    assert.deepEqual(c.tags, WANT);
    assert.deepEqual(c.result, { kind: 'end', detail: 'end of the chunked body' });
    const withLength = Buffer.concat([
      Buffer.from(`HTTP/1.1 200 OK\r\nContent-Length: ${FLV.length}\r\n\r\n`),
      FLV,
      Buffer.from('junk'),
    ]);
    const l = pull('http://h/a/b.flv', withLength);
    assert.deepEqual(l.tags, WANT);
    assert.equal(l.result?.kind, 'end');
  });

  it('reports an error status with the status and the URL', () => {
    const r = pull('http://h:1/live/nope.flv', packHttpStatusResponse(404, 'no such stream'));
    assert.equal(r.result?.kind, 'error');
    const e = r.result?.kind === 'error' ? r.result.error : undefined;
    assert.ok(e instanceof HttpFlvStatusError);
    assert.equal(e.status, 404);
    assert.equal(e.message, 'httpflv: HTTP 404 Not Found from http://h:1/live/nope.flv');
    assert.ok(r.ended > 0);
  });

  it('reports a redirect with an absolute Location', () => {
    const r = pull(
      'http://h/live/a.flv',
      packHttpStatusResponse(302, 'moved', { location: '/edge/a.flv?x=1' }),
    );
    assert.deepEqual(r.result, { kind: 'redirect', status: 302, location: 'http://h/edge/a.flv?x=1' });
    const bad = pull('http://h/live/a.flv', Buffer.from('HTTP/1.1 301 Moved\r\n\r\n'));
    assert.equal(bad.result?.kind, 'error');
  });

  it('fails on a non-HTTP answer, a truncated head, and a corrupt FLV body', () => {
    assert.equal(pull('http://h/a/b.flv', Buffer.from('FLV\x01\x05')).result?.kind, 'error');
    const cut = pull('http://h/a/b.flv', Buffer.from('HTTP/1.1 200 OK\r\n'));
    assert.match(cut.result?.kind === 'error' ? cut.result.error.message : '', /before the response head/);
    const corrupt = Buffer.concat([packHttpFlvResponseHead(), Buffer.from('FLX')]);
    assert.match(pull('http://h/a/b.flv', corrupt).result?.kind === 'error' ? 'error' : '', /error/);
  });

  it('WebSocket-FLV: checks the 101 and reads binary frames, dropping text', () => {
    const key = 'dGhlIHNhbXBsZSBub25jZQ==';
    const frames = [
      packWebSocketFrame(WsOpcode.Binary, FLV.subarray(0, 13)),
      packWebSocketFrame(WsOpcode.Text, Buffer.from('hello')),
      packWebSocketFrame(WsOpcode.Binary, FLV.subarray(13, 500), { fin: false }),
      packWebSocketFrame(WsOpcode.Ping, Buffer.from('p')),
      packWebSocketFrame(WsOpcode.Continuation, FLV.subarray(500)),
      packWebSocketFrame(WsOpcode.Close, packWebSocketClosePayload(1000, '')),
    ];
    const answer = Buffer.concat([packWebSocketUpgradeResponse(webSocketAcceptKey(key)), ...frames]);
    for (const sizes of [[answer.length], [1], [7, 300]]) {
      const r = pull('ws://h/live/test.flv', answer, sizes, key);
      assert.match(r.sent[0]?.toString() ?? '', /Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n/);
      assert.deepEqual(r.tags, WANT);
      assert.equal(r.sent.length, 3, 'request, masked pong, masked close echo');
      assert.equal(((r.sent[1]?.[1] ?? 0) & 0x80) !== 0, true, 'the pong is masked');
      assert.deepEqual(r.result, { kind: 'end', detail: 'websocket closed by the server (1000)' });
    }
    const wrong = pull('ws://h/a/b.flv', packWebSocketUpgradeResponse('nope'), undefined, key);
    assert.match(wrong.result?.kind === 'error' ? wrong.result.error.message : '', /Sec-WebSocket-Accept/);
    const refused = pull('ws://h/a/b.flv', packHttpStatusResponse(403, 'no'), undefined, key);
    assert.match(refused.result?.kind === 'error' ? refused.result.error.message : '', /HTTP 403 Forbidden/);
  });

  it('a listener that throws ends the attempt, not the process', () => {
    const core = new HttpFlvPullCore(
      parseHttpFlvUrl('http://h/a/b.flv'),
      { send: () => {}, end: () => {} },
      {
        onTag: () => {
          throw new Error('boom');
        },
        onDone: (r) => assert.equal(r.kind, 'listener-error'),
      },
    );
    core.start();
    core.feed(Buffer.concat([packHttpFlvResponseHead(), FLV]));
    assert.equal(core.done?.kind, 'listener-error');
  });
});
