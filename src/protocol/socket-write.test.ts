import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Server, type Socket } from 'node:net';
import { describe, it, type TestContext } from 'node:test';
import { createServer as createTlsServer, connect as tlsConnect } from 'node:tls';
import { TEST_CERT, TEST_KEY } from './httpflv/tls.test-data.js';
import { SocketWriter } from './socket-write.js';

/** A loopback TCP (or TLS) pair: the accepted socket and the client; both closed after the test. */
async function pair(t: TestContext, tls = false): Promise<{ server: Socket; client: Socket }> {
  let setAccepted!: (s: Socket) => void;
  const accepted = new Promise<Socket>((r) => {
    setAccepted = r;
  });
  const listener: Server = tls
    ? createTlsServer({ key: TEST_KEY, cert: TEST_CERT }, setAccepted)
    : createServer(setAccepted);
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const port = (listener.address() as AddressInfo).port;
  const client = tls
    ? tlsConnect({ port, host: '127.0.0.1', ca: TEST_CERT, servername: 'localhost' })
    : connect(port, '127.0.0.1');
  const server = await accepted;
  t.after(() => {
    client.destroy();
    server.destroy();
    listener.close();
  });
  return { server, client };
}

/** Everything `client` receives until it has `n` bytes (or 10 s). */
async function receive(client: Socket, n: number): Promise<Buffer> {
  const got: Buffer[] = [];
  let have = 0;
  client.on('data', (b: Buffer) => {
    got.push(b);
    have += b.length;
  });
  client.resume();
  const deadline = Date.now() + 10_000;
  while (have < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
  return Buffer.concat(got);
}

describe('SocketWriter', () => {
  it('writes straight to the handle on plain TCP, in order with socket.write, also when the kernel queue is full', async (t) => {
    const { server, client } = await pair(t);
    client.pause();
    const w = new SocketWriter(server);
    assert.equal(w.isDirect, true, `Node ${process.version}: the direct write path is not available`);
    const expected: Buffer[] = [];
    const put = (b: Buffer, how: 'write' | 'writev' | 'socket'): void => {
      expected.push(b);
      if (how === 'write') w.write(b);
      else if (how === 'socket') server.write(b);
      else w.writev([b.subarray(0, 7), b.subarray(7)]);
    };
    // 12 MB while the peer reads nothing: far more than loopback's kernel buffers, so most of it
    // waits in libuv's queue (asynchronous writes that must keep their buffers alive).
    for (let i = 0; i < 240; i++) {
      put(Buffer.alloc(50_000, i), i % 3 === 0 ? 'write' : i % 3 === 1 ? 'writev' : 'socket');
    }
    const total = expected.reduce((n, b) => n + b.length, 0);
    assert.equal(w.bytesAccepted, total);
    assert.ok(w.queuedBytes > 1_000_000, `queued while the peer sleeps: ${w.queuedBytes}`);
    const got = await receive(client, total);
    assert.equal(got.length, total);
    assert.ok(got.equals(Buffer.concat(expected)), 'bytes in order');
    assert.equal(w.queuedBytes, 0);
  });

  it('joins the Writable queue while socket.write has bytes pending (order kept), and drops writes after end or destroy', async (t) => {
    const { server, client } = await pair(t);
    const ended = once(client, 'end');
    const w = new SocketWriter(server);
    server.cork();
    server.write('a');
    w.write(Buffer.from('b')); // corked socket: goes behind 'a'
    server.uncork();
    w.writev([Buffer.from('c'), Buffer.from(''), Buffer.from('d')]);
    w.write(Buffer.alloc(0));
    server.end();
    w.write(Buffer.from('X'));
    w.writev([Buffer.from('Y'), Buffer.from('Z')]);
    const got = await receive(client, 4);
    await ended;
    assert.equal(got.toString(), 'abcd');
  });

  it('a write failing later (peer reset with bytes queued) destroys the socket with the error', async (t) => {
    const { server, client } = await pair(t);
    client.pause();
    const w = new SocketWriter(server);
    const errors: Error[] = [];
    server.on('error', (e) => errors.push(e));
    for (let i = 0; i < 100; i++) w.write(Buffer.alloc(100_000, i));
    assert.ok(w.queuedBytes > 0);
    client.resetAndDestroy();
    // The pending writes fail (or the next one does) and the socket closes.
    const deadline = Date.now() + 5000;
    while (!server.destroyed && Date.now() < deadline) {
      w.write(Buffer.alloc(1000));
      await new Promise((r) => setTimeout(r, 10));
    }
    assert.equal(server.destroyed, true, 'socket destroyed');
    assert.ok(errors.length >= 1, 'an error was emitted');
    assert.match((errors[0] as NodeJS.ErrnoException).code ?? '', /^E[A-Z]+$/);
  });

  it('falls back to socket.write on TLS sockets, with the same results', async (t) => {
    const { server, client } = await pair(t, true);
    const w = new SocketWriter(server);
    assert.equal(w.isDirect, false);
    w.write(Buffer.from('hello '));
    w.writev([Buffer.from('tls '), Buffer.from('world')]);
    assert.equal(w.bytesAccepted, server.bytesWritten);
    const got = await receive(client, 15);
    assert.equal(got.toString(), 'hello tls world');
  });
});
