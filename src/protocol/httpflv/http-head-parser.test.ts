import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { LalError, LimitError, ProtocolError } from '../../util/errors.js';
import { HttpMethodNotAllowedError, HttpVersionNotSupportedError, httpStatusOf } from './errors.js';
import { parseHttpFlvPath, parseHttpQuery } from './http-flv-path.js';
import {
  type HttpHeadParserOptions,
  type HttpRequestHead,
  HttpRequestHeadParser,
  HttpResponseHeadParser,
  headerHasToken,
} from './http-head-parser.js';

const bytes = (s: string): Buffer => Buffer.from(s, 'latin1');

/** What ffprobe 5/6 sends for `ffprobe http://127.0.0.1:8080/live/test.flv?token=a%20b&x=1`. */
const FFPROBE_GET =
  'GET /live/test.flv?token=a%20b&x=1 HTTP/1.1\r\n' +
  'User-Agent: Lavf/60.16.100\r\n' +
  'Accept: */*\r\n' +
  'Range: bytes=0-\r\n' +
  'Connection: close\r\n' +
  'Host: 127.0.0.1:8080\r\n' +
  'Icy-MetaData: 1\r\n' +
  '\r\n';

/** What a browser sends for `new WebSocket('ws://127.0.0.1:8080/live/sub/t%C3%A9st.flv')`. */
const WS_GET =
  'GET /live/sub/t%C3%A9st.flv HTTP/1.1\r\n' +
  'Host: 127.0.0.1:8080\r\n' +
  'Connection: Upgrade\r\n' +
  'Pragma: no-cache\r\n' +
  'Upgrade: websocket\r\n' +
  'Origin: http://example.com\r\n' +
  'Sec-WebSocket-Version: 13\r\n' +
  'Sec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n' +
  'Sec-WebSocket-Extensions: permessage-deflate; client_max_window_bits\r\n' +
  '\r\n';

type Outcome = { head: HttpRequestHead; rest: string } | { error: string; code: string; status: number };

/** Feeds `input` in pieces of the given sizes; returns the head (and the bytes after it) or the LalError. */
function run(
  input: Uint8Array,
  sizes: number[] = [input.length || 1],
  opts: HttpHeadParserOptions = {},
): Outcome | undefined {
  const p = new HttpRequestHeadParser(opts);
  let off = 0;
  let i = 0;
  const rest: Buffer[] = [];
  let head: HttpRequestHead | undefined;
  try {
    while (off < input.length) {
      const n = Math.max(1, sizes[i++ % sizes.length] ?? 1);
      const chunk = input.subarray(off, off + n);
      off += n;
      if (head !== undefined) {
        rest.push(Buffer.from(chunk));
        continue;
      }
      const r = p.feed(chunk);
      assert.ok(p.buffered <= (opts.maxHeaderSize ?? 8192), 'never buffers past maxHeaderSize');
      if (r !== undefined) {
        head = r.head;
        rest.push(Buffer.from(r.rest));
      }
    }
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    return { error: e.message, code: e.code, status: httpStatusOf(e) };
  }
  return head === undefined ? undefined : { head, rest: Buffer.concat(rest).toString('latin1') };
}

function ok(input: string, opts: HttpHeadParserOptions = {}): { head: HttpRequestHead; rest: string } {
  const r = run(bytes(input), undefined, opts);
  assert.ok(r !== undefined && 'head' in r, `expected a head, got ${JSON.stringify(r)}`);
  return r;
}

function fails(input: string, status: number, opts: HttpHeadParserOptions = {}): string {
  const r = run(bytes(input), undefined, opts);
  assert.ok(r !== undefined && 'error' in r, `expected an error, got ${JSON.stringify(r)}`);
  assert.equal(r.status, status, r.error);
  assert.match(r.error, /^httpflv: /);
  return r.error;
}

describe('HttpRequestHeadParser: golden heads', () => {
  it("parses ffprobe's GET with a query", () => {
    const { head, rest } = ok(FFPROBE_GET);
    assert.equal(head.method, 'GET');
    assert.equal(head.target, '/live/test.flv?token=a%20b&x=1');
    assert.equal(head.version, '1.1');
    assert.equal(head.headSize, FFPROBE_GET.length);
    assert.equal(head.headers.get('host'), '127.0.0.1:8080');
    assert.equal(head.headers.get('range'), 'bytes=0-');
    assert.equal(head.headers.get('icy-metadata'), '1');
    assert.equal(head.headers.size, 6);
    assert.equal(rest, '');
    const path = parseHttpFlvPath(head.target);
    assert.deepEqual(
      { ...path, query: { ...path?.query } },
      {
        path: '/live/test.flv',
        app: 'live',
        streamName: 'test',
        rawQuery: 'token=a%20b&x=1',
        query: { token: 'a b', x: '1' },
      },
    );
  });

  it('parses a WebSocket upgrade with a multi-level app and a URL-encoded name', () => {
    const { head } = ok(WS_GET);
    assert.equal(head.headers.get('upgrade'), 'websocket');
    assert.equal(head.headers.get('sec-websocket-key'), 'dGhlIHNhbXBsZSBub25jZQ==');
    assert.ok(headerHasToken(head.headers.get('connection'), 'upgrade'));
    const path = parseHttpFlvPath(head.target);
    assert.equal(path?.app, 'live/sub');
    assert.equal(path?.streamName, 'tést');
    assert.equal(path?.path, '/live/sub/tést.flv');
  });

  it('returns the bytes after the head (first WebSocket frame, pipelined data)', () => {
    const { head, rest } = ok(`${FFPROBE_GET}\x82\x00abc`);
    assert.equal(head.method, 'GET');
    assert.equal(rest, '\x82\x00abc');
  });

  it('accepts bare LF line ends, leading empty lines, HTTP/1.0, HEAD, OPTIONS, absolute-form', () => {
    assert.equal(ok('GET /a/b.flv HTTP/1.0\nHost: x\n\n').head.version, '1.0');
    assert.equal(ok('\r\nGET /a/b.flv HTTP/1.1\r\n\r\n').head.target, '/a/b.flv');
    assert.equal(ok('HEAD /a/b.flv HTTP/1.1\r\n\r\n').head.method, 'HEAD');
    assert.equal(ok('OPTIONS * HTTP/1.1\r\n\r\n').head.target, '*');
    assert.equal(ok('GET /a/b.flv HTTP/1.9\r\n\r\n').head.version, '1.1');
    const abs = ok('GET http://example.com:8080/live/x.flv?a=1 HTTP/1.1\r\n\r\n').head.target;
    assert.equal(parseHttpFlvPath(abs)?.streamName, 'x');
  });

  it('joins repeated fields and trims optional whitespace', () => {
    const { head } = ok('GET /a/b.flv HTTP/1.1\r\nX-A: 1 \r\nx-a:\t2\r\nEmpty:\r\n\r\n');
    assert.equal(head.headers.get('x-a'), '1, 2');
    assert.equal(head.headers.get('empty'), '');
  });
});

describe('HttpRequestHeadParser: typed errors', () => {
  it('garbage fails at its first byte with 400', () => {
    const p = new HttpRequestHeadParser();
    assert.throws(() => p.feed(Buffer.from([0x16, 0x03, 0x01])), ProtocolError); // a TLS ClientHello
    assert.throws(() => p.feed(bytes('GET')), ProtocolError, 'the error is sticky');
    fails('\x00\x01\x02', 400);
    fails('{"json": true}\r\n\r\n', 400);
    fails(' GET /a/b.flv HTTP/1.1\r\n\r\n', 400);
  });

  it('a bad request line is 400, and fails as soon as the line ends', () => {
    fails('GET /a/b.flv\r\n\r\n', 400);
    fails('GET  /a/b.flv HTTP/1.1\r\n\r\n', 400);
    fails('GET /a/b.flv HTTP/1.1 extra\r\n\r\n', 400);
    fails('GET /a/b.flv HTTX/1.1\r\n\r\n', 400);
    const p = new HttpRequestHeadParser();
    assert.throws(() => p.feed(bytes('GET /a b HTTP/1.1\r\n')), ProtocolError);
  });

  it('a method not served is 405 and a version not 1.x is 505, at the end of the request line', () => {
    const p = new HttpRequestHeadParser();
    assert.throws(() => p.feed(bytes('POST /a/b.flv HTTP/1.1\r\n')), HttpMethodNotAllowedError);
    fails('DELETE /a/b.flv HTTP/1.1\r\n\r\n', 405);
    fails('get /a/b.flv HTTP/1.1\r\n\r\n', 405);
    const q = new HttpRequestHeadParser();
    assert.throws(() => q.feed(bytes('GET /a/b.flv HTTP/2.0\r\n')), HttpVersionNotSupportedError);
    fails('GET /a/b.flv HTTP/0.9\r\n\r\n', 505);
  });

  it('bad field lines are 400', () => {
    fails('GET /a/b.flv HTTP/1.1\r\nNoColon\r\n\r\n', 400);
    fails('GET /a/b.flv HTTP/1.1\r\nBad Name: x\r\n\r\n', 400);
    fails('GET /a/b.flv HTTP/1.1\r\nName : x\r\n\r\n', 400);
    fails('GET /a/b.flv HTTP/1.1\r\nA: 1\r\n folded\r\n\r\n', 400);
    fails('GET /a/b.flv HTTP/1.1\r\nA: 1\rB: 2\r\n\r\n', 400);
    fails('GET /a/b.flv HTTP/1.1\r\nA: \x00\r\n\r\n', 400);
    fails('\r\n\r\n\r\n\r\n\r\nGET /a/b.flv HTTP/1.1\r\n\r\n', 400);
  });

  it('an oversized head is 431 at the limit, without waiting for the rest', () => {
    const big = `GET /a/b.flv HTTP/1.1\r\nX: ${'a'.repeat(200)}\r\n\r\n`;
    assert.match(fails(big, 431, { maxHeaderSize: 100 }), /exceeds the limit of 100/);
    const p = new HttpRequestHeadParser({ maxHeaderSize: 64 });
    assert.equal(p.feed(bytes('GET /a/b.flv HTTP/1.1\r\nX: ')), undefined);
    assert.throws(() => p.feed(Buffer.alloc(1 << 20, 0x61)), LimitError);
    assert.ok(p.buffered <= 64);
    // Exactly at the limit is fine.
    const exact = 'GET /a/b.flv HTTP/1.1\r\n\r\n';
    assert.equal(ok(exact, { maxHeaderSize: exact.length }).head.headSize, exact.length);
    fails(exact, 431, { maxHeaderSize: exact.length - 1 });
  });

  it('too many fields is 431', () => {
    const head = `GET /a/b.flv HTTP/1.1\r\n${'A: 1\r\n'.repeat(5)}\r\n`;
    assert.equal(ok(head, { maxHeaders: 5 }).head.headers.get('a'), '1, 1, 1, 1, 1');
    fails(head, 431, { maxHeaders: 4 });
  });

  it('throws InvalidArgError when fed after the head', () => {
    const p = new HttpRequestHeadParser();
    assert.ok(p.feed(bytes('GET /a/b.flv HTTP/1.1\r\n\r\n')));
    assert.throws(() => p.feed(bytes('x')), { code: 'ERR_INVALID_ARG' });
  });
});

describe('HttpRequestHeadParser: splits and random input', () => {
  const inputs = [
    FFPROBE_GET,
    `${WS_GET}\x81\x85abcd`,
    'GET /a/b.flv HTTP/1.0\n\n',
    'POST /x HTTP/1.1\r\n\r\n',
    'GET /a/b.flv HTTP/1.1\r\nBad Name: 1\r\n\r\n',
    '\x16\x03\x01\x00\xa5',
    `GET /a/b.flv HTTP/1.1\r\nX: ${'y'.repeat(9000)}\r\n\r\n`,
  ];

  it('gives the same result split at every byte boundary, and byte by byte', () => {
    for (const s of inputs) {
      const b = bytes(s);
      const whole = run(b);
      for (let cut = 1; cut < Math.min(b.length, 400); cut++) {
        const p = new HttpRequestHeadParser();
        let got: Outcome | undefined;
        try {
          const r1 = p.feed(b.subarray(0, cut));
          if (r1 !== undefined) {
            got = { head: r1.head, rest: Buffer.concat([r1.rest, b.subarray(cut)]).toString('latin1') };
          } else {
            const r2 = p.feed(b.subarray(cut));
            got =
              r2 === undefined ? undefined : { head: r2.head, rest: Buffer.from(r2.rest).toString('latin1') };
          }
        } catch (e) {
          assert.ok(e instanceof LalError);
          got = { error: e.message, code: e.code, status: httpStatusOf(e) };
        }
        assert.deepEqual(got, whole, `split at ${cut} of ${JSON.stringify(s.slice(0, 40))}`);
      }
      assert.deepEqual(run(b, [1]), whole, 'byte by byte');
    }
  });

  it('random bytes end in a head, a typed error or a wait, within the size limit', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ maxLength: 600 }),
        fc.array(fc.integer({ min: 1, max: 64 }), { minLength: 1 }),
        (b, sizes) => {
          const r = run(b, sizes, { maxHeaderSize: 256 });
          if (r !== undefined && 'error' in r) assert.match(r.error, /^httpflv: /);
        },
      ),
      { numRuns: 500 },
    );
  });

  it('mutated heads end in a head or a typed error, however split', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...inputs.slice(0, 3)),
        fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), { maxLength: 4 }),
        fc.array(fc.integer({ min: 1, max: 32 }), { minLength: 1 }),
        (s, muts, sizes) => {
          const b = bytes(s);
          for (const [i, v] of muts) b[i % b.length] = v;
          const whole = run(b);
          assert.deepEqual(run(b, sizes), whole);
          if (whole !== undefined && 'head' in whole) {
            // Whatever parsed has a token method, a target without spaces and lower-case names.
            assert.match(whole.head.method, /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/);
            assert.ok(!whole.head.target.includes(' '));
            for (const k of whole.head.headers.keys()) assert.equal(k, k.toLowerCase());
            assert.doesNotThrow(() => {
              try {
                parseHttpFlvPath(whole.head.target);
              } catch (e) {
                if (!(e instanceof LalError)) throw e;
              }
            });
          }
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe('HttpResponseHeadParser', () => {
  it('parses status lines and fields', () => {
    const p = new HttpResponseHeadParser();
    const r = p.feed(bytes('HTTP/1.1 404 Not Found\r\nContent-Length: 3\r\n\r\nabc'));
    assert.equal(r?.head.status, 404);
    assert.equal(r?.head.statusText, 'Not Found');
    assert.equal(r?.head.headers.get('content-length'), '3');
    assert.equal(Buffer.from(r?.rest ?? []).toString(), 'abc');
    const q = new HttpResponseHeadParser();
    assert.equal(q.feed(bytes('HTTP/1.0 200\r\n\r\n'))?.head.statusText, '');
  });

  it('fails fast on what is not an HTTP response', () => {
    assert.throws(() => new HttpResponseHeadParser().feed(bytes('FLV\x01')), ProtocolError);
    assert.throws(() => new HttpResponseHeadParser().feed(bytes('HTTP/1.1 2000 OK\r\n')), ProtocolError);
    assert.throws(() => new HttpResponseHeadParser().feed(bytes('HTTP/2 200 OK\r\n')), ProtocolError);
    assert.throws(
      () =>
        new HttpResponseHeadParser({ maxHeaderSize: 32 }).feed(
          bytes(`HTTP/1.1 200 OK\r\nX: ${'a'.repeat(64)}`),
        ),
      LimitError,
    );
  });
});

describe('parseHttpFlvPath / parseHttpQuery', () => {
  it('splits app and stream name, decoding each segment', () => {
    const p = parseHttpFlvPath('/live/sub/a%2Bb%20c.flv?k=v');
    assert.equal(p?.app, 'live/sub');
    assert.equal(p?.streamName, 'a+b c');
    assert.equal(p?.rawQuery, 'k=v');
    assert.equal(parseHttpFlvPath('/l%69ve/test.flv#frag')?.app, 'live');
    assert.equal(parseHttpFlvPath('/a/b/c/d.flv')?.app, 'a/b/c');
  });

  it('is undefined (404) for paths that are not streams', () => {
    for (const t of [
      '/',
      '/test.flv',
      '/live/test',
      '/live/test.mp4',
      '/live/.flv',
      '/live//test.flv',
      '/live/test.flv/',
      '//x.flv',
      '/live/test.FLV',
    ]) {
      assert.equal(parseHttpFlvPath(t), undefined, t);
    }
  });

  it('throws a ProtocolError (400) for targets that are not paths or decode badly', () => {
    for (const t of [
      '*',
      'live/test.flv',
      '/live/%zz.flv',
      '/live/%E0%A4%A.flv',
      '/live/..',
      '/../x.flv',
      '/live/a%2Fb.flv',
      '/live/a%00.flv',
    ]) {
      assert.throws(() => parseHttpFlvPath(t), ProtocolError, t);
    }
  });

  it('decodes queries: + is a space, the last value wins, bad escapes are kept, no prototype', () => {
    const q = parseHttpQuery('a=1&b=x+y%21&a=2&flag&&bad=%zz&__proto__=p');
    assert.equal(q.a, '2');
    assert.equal(q.b, 'x y!');
    assert.equal(q.flag, '');
    assert.equal(q.bad, '%zz');
    assert.equal(Object.getOwnPropertyDescriptor(q, '__proto__')?.value, 'p');
    assert.equal(Object.getPrototypeOf(q), null);
    assert.deepEqual({ ...parseHttpQuery('') }, {});
  });
});
