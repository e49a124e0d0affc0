import assert from 'node:assert/strict';
import { once } from 'node:events';
import { type AddressInfo, connect, createServer, type Socket } from 'node:net';
import { describe, it } from 'node:test';
import { readSocket } from '../socket-read.js';
import { SocketIo } from './socket-io.js';

/** A loopback server whose first accepted socket is read with readSocket; resolves what it saw. */
async function acceptOne(): Promise<{
  client: Socket;
  mode: Promise<string>;
  chunks: Buffer[];
  closed: Promise<void>;
  server: ReturnType<typeof createServer>;
  accepted: Promise<Socket>;
}> {
  const chunks: Buffer[] = [];
  let setMode!: (m: string) => void;
  const mode = new Promise<string>((r) => {
    setMode = r;
  });
  let setAccepted!: (s: Socket) => void;
  const accepted = new Promise<Socket>((r) => {
    setAccepted = r;
  });
  let setClosed!: () => void;
  const closed = new Promise<void>((r) => {
    setClosed = r;
  });
  const server = createServer((s) => {
    setMode(readSocket(s, (b) => chunks.push(b)));
    s.on('close', () => setClosed());
    setAccepted(s);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const client = connect((server.address() as AddressInfo).port, '127.0.0.1');
  await once(client, 'connect');
  return { client, mode, chunks, closed, server, accepted };
}

describe('readSocket', () => {
  it('takes the shared-buffer path on this Node; chunks are independent copies, in order; close still fires', async (t) => {
    const { client, mode, chunks, closed, server } = await acceptOne();
    t.after(() => {
      client.destroy();
      server.close();
    });
    assert.equal(await mode, 'user-buffer', `Node ${process.version}: the fast read path is not available`);
    const sent: Buffer[] = [];
    for (let i = 0; i < 50; i++) {
      const b = Buffer.alloc(1000 + i * 997, i);
      sent.push(b);
      client.write(b);
      // Let some writes arrive as separate reads.
      if (i % 10 === 0) await new Promise((r) => setTimeout(r, 5));
    }
    const total = sent.reduce((n, b) => n + b.length, 0);
    const deadline = Date.now() + 5000;
    while (chunks.reduce((n, b) => n + b.length, 0) < total && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 5));
    }
    assert.ok(chunks.length > 1, 'several reads');
    // Every chunk kept from an early read still holds its bytes after all the later reads.
    assert.deepEqual(Buffer.concat(chunks), Buffer.concat(sent));
    client.end();
    await closed;
  });
});

describe('SocketIo.sendBatch', () => {
  for (const direct of [false, true]) {
    it(`writes a batch in order (single buffer and several), also inside a corked turn (direct ${direct})`, async (t) => {
      const { client, server, accepted } = await acceptOne();
      t.after(async () => {
        client.destroy();
        (await accepted).destroy();
        server.close();
      });
      const received: Buffer[] = [];
      client.on('data', (b: Buffer) => received.push(b));
      const io = new SocketIo(await accepted, 2000, direct);
      io.sendBatch([Buffer.from('a')]);
      io.sendBatch([Buffer.from('bc'), Buffer.from('d')]);
      io.send(Buffer.from('e')); // corks this turn
      io.sendBatch([Buffer.from('f'), Buffer.from('g')]);
      await new Promise((r) => setTimeout(r, 50));
      assert.equal(Buffer.concat(received).toString(), 'abcdefg');
    });
  }
});
