import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { InvalidArgError } from '../../util/errors.js';
import { parseQuery, parseRtmpUrl, splitNameQuery } from './url.js';

describe('parseRtmpUrl', () => {
  it('app/stream with the default port; tcUrl excludes the stream', () => {
    assert.deepEqual(parseRtmpUrl('rtmp://example.com/live/test'), {
      scheme: 'rtmp',
      host: 'example.com',
      port: 1935,
      app: 'live',
      streamName: 'test',
      rawQuery: '',
      streamNameWithQuery: 'test',
      tcUrl: 'rtmp://example.com/live',
    });
  });

  it('multi-level app: the last segment is the stream; the query goes with the stream', () => {
    const u = parseRtmpUrl('rtmp://127.0.0.1:19350/live/inst/test?token=a%20b&x=1');
    assert.equal(u.port, 19350);
    assert.equal(u.app, 'live/inst');
    assert.equal(u.streamName, 'test');
    assert.equal(u.rawQuery, 'token=a%20b&x=1');
    assert.equal(u.streamNameWithQuery, 'test?token=a%20b&x=1');
    assert.equal(u.tcUrl, 'rtmp://127.0.0.1:19350/live/inst');
  });

  it('rtmps default port 443, IPv6 hosts, case-insensitive scheme', () => {
    const u = parseRtmpUrl('RTMPS://[::1]/app/s');
    assert.equal(u.scheme, 'rtmps');
    assert.equal(u.host, '::1');
    assert.equal(u.port, 443);
    assert.equal(u.tcUrl, 'rtmps://[::1]/app');
    assert.equal(parseRtmpUrl('rtmp://[::1]:1936/a/s').port, 1936);
  });

  it('rejects what is not an RTMP URL with an app and a stream', () => {
    for (const bad of [
      'http://h/a/s',
      'rtmp://h',
      'rtmp://h/',
      'rtmp://h/app',
      'rtmp://h/app/',
      'rtmp://:1935/a/s',
      'rtmp://h:0/a/s',
      'rtmp://h:70000/a/s',
      'rtmp://h:x/a/s',
      'rtmp://u:p@h/a/s',
      'rtmp://[::1/a/s',
    ]) {
      assert.throws(() => parseRtmpUrl(bad), InvalidArgError, bad);
    }
  });
});

describe('query helpers', () => {
  it('splitNameQuery splits at the first ?', () => {
    assert.deepEqual(splitNameQuery('test?a=1?b'), ['test', 'a=1?b']);
    assert.deepEqual(splitNameQuery('test'), ['test', '']);
  });

  it('parseQuery decodes, keeps the last of a repeated key, and is prototype-safe', () => {
    const q = parseQuery('a=1&b=x%20y&c&a=2&__proto__=p&d=%E0%A4%A&e=+');
    assert.equal(Object.getPrototypeOf(q), null);
    assert.deepEqual(Object.keys(q), ['a', 'b', 'c', '__proto__', 'd', 'e']);
    assert.deepEqual(Object.values(q), ['2', 'x y', '', 'p', '%E0%A4%A', ' ']);
    assert.deepEqual(Object.keys(parseQuery('')), []);
  });
});
