import assert from 'node:assert/strict';
import { createHash, createHmac } from 'node:crypto';
import { describe, it } from 'node:test';
import { InvalidArgError, ProtocolError, UnsupportedError } from '../../util/errors.js';
import { hex } from '../../util/hex.js';
import {
  HandshakeClient,
  type HandshakeClientOptions,
  type HandshakeInfo,
  HandshakeServer,
  HandshakeState,
} from './handshake.js';

// An independent statement of the complex handshake for the checks below (not the code under
// test): keys as librtmp/ffmpeg spell them, digest position as sum of 4 offset bytes % 728.
const tail = 'f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae';
const FP_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Player 001'), Buffer.from(tail, 'hex')]);
const FMS_KEY = Buffer.concat([
  Buffer.from('Genuine Adobe Flash Media Server 001'),
  Buffer.from(tail, 'hex'),
]);

function digestPos(c1: Uint8Array, schema: 0 | 1): number {
  const base = schema === 0 ? 772 : 8;
  let sum = 0;
  for (let i = 0; i < 4; i++) sum += c1[base + i] as number;
  return base + 4 + (sum % 728);
}

function digestOf(c1: Uint8Array, pos: number, key: Uint8Array): Buffer {
  return createHmac('sha256', key)
    .update(Buffer.concat([c1.subarray(0, pos), c1.subarray(pos + 32)]))
    .digest();
}

function validates(c1: Uint8Array, schema: 0 | 1, key: Uint8Array): boolean {
  const pos = digestPos(c1, schema);
  return hex(digestOf(c1, pos, key)) === hex(c1.subarray(pos, pos + 32));
}

/** A complex C1 made by hand, as a Flash Player would send it. */
function complexC1(schema: 0 | 1, seed: number): Buffer {
  const c1 = Buffer.alloc(1536);
  for (let i = 8; i < 1536; i++) c1[i] = (i * 7 + seed) & 0xff;
  c1.writeUInt32BE(0x01020304, 0);
  c1.writeUInt32BE(0x09007c02, 4);
  const pos = digestPos(c1, schema);
  digestOf(c1, pos, FP_KEY.subarray(0, 30)).copy(c1, pos);
  return c1;
}

function fixedRandom(seed: number): (out: Uint8Array) => void {
  let n = seed;
  return (out) => {
    for (let i = 0; i < out.length; i++) {
      n = (n * 1103515245 + 12345) >>> 0;
      out[i] = n >>> 24;
    }
  };
}

function sha(b: Uint8Array): string {
  return createHash('sha256').update(b).digest('hex').slice(0, 16);
}

interface ServerRun {
  sent: Buffer;
  info: HandshakeInfo | null;
  rest: Uint8Array | null;
  server: HandshakeServer;
}

function runServer(input: Uint8Array, pieces = 1): ServerRun {
  const sent: Buffer[] = [];
  const run: ServerRun = {
    sent: Buffer.alloc(0),
    info: null,
    rest: null,
    server: null as unknown as HandshakeServer,
  };
  const server = new HandshakeServer(
    {
      onSend: (b) => sent.push(Buffer.from(b)),
      onDone: (info, rest) => {
        run.info = info;
        run.rest = rest;
      },
    },
    { random: fixedRandom(1), nowMs: () => 5000 },
  );
  run.server = server;
  const step = Math.ceil(input.length / pieces);
  for (let p = 0; p < input.length; p += step) {
    if (server.done) {
      // From here on the bytes belong to the chunk stream, as an adapter would route them.
      run.rest = Buffer.concat([run.rest ?? new Uint8Array(0), input.subarray(p)]);
      break;
    }
    server.feed(input.subarray(p, p + step));
  }
  run.sent = Buffer.concat(sent);
  return run;
}

const c2 = Buffer.alloc(1536, 0x55);
const after = Buffer.from('02000000000004010000000000001000', 'hex');

describe('HandshakeServer', () => {
  it('simple: S1 version 0, S2 echoes C1, bytes after C2 are handed over', () => {
    const c1 = Buffer.alloc(1536);
    for (let i = 8; i < 1536; i++) c1[i] = i & 0xff;
    c1.writeUInt32BE(1234, 0);
    const run = runServer(Buffer.concat([Buffer.of(3), c1, c2, after]));
    assert.equal(run.sent.length, 3073);
    assert.equal(run.sent[0], 3);
    const s1 = run.sent.subarray(1, 1537);
    const s2 = run.sent.subarray(1537);
    assert.equal(s1.readUInt32BE(0), 5000);
    assert.equal(s1.readUInt32BE(4), 0);
    assert.equal(hex(s2), hex(c1), 'S2 echoes C1 byte for byte (what librtmp checks)');
    assert.deepEqual(run.info, {
      mode: 'simple',
      schema: undefined,
      peerVersion: 0,
      peerTimeMs: 1234,
      peerEchoValid: undefined,
    });
    assert.equal(hex(run.rest ?? new Uint8Array(0)), hex(after));
    assert.equal(run.server.state, HandshakeState.Done);
    // Golden bytes for the fixed randomness (regression guard).
    assert.equal(sha(run.sent), '2e78e03ebfbf6f06');
  });

  for (const schema of [0, 1] as const) {
    it(`complex schema ${schema}: detects the schema, S1 digest and S2 signature validate`, () => {
      const c1 = complexC1(schema, 11 + schema);
      assert.ok(validates(c1, schema, FP_KEY.subarray(0, 30)));
      const run = runServer(Buffer.concat([Buffer.of(3), c1, c2]));
      assert.equal(run.info?.mode, 'complex');
      assert.equal(run.info?.schema, schema);
      assert.equal(run.info?.peerVersion, 0x09007c02);
      assert.equal(run.rest?.length, 0);
      const s1 = run.sent.subarray(1, 1537);
      const s2 = run.sent.subarray(1537);
      assert.notEqual(s1.readUInt32BE(4), 0, 'complex S1 carries a version');
      assert.ok(validates(s1, schema, FMS_KEY.subarray(0, 36)), 'S1 digest (FMS key, 36 bytes)');
      // S2 signature = HMAC(HMAC(FMS key 68, C1 digest), S2[0..1504]), as ffmpeg checks it.
      const pos = digestPos(c1, schema);
      const key = createHmac('sha256', FMS_KEY)
        .update(c1.subarray(pos, pos + 32))
        .digest();
      const sig = createHmac('sha256', key).update(s2.subarray(0, 1504)).digest();
      assert.equal(hex(s2.subarray(1504)), hex(sig));
      assert.equal(sha(run.sent), schema === 0 ? '2ea9d99fadfedc14' : '63766b021b6f76e6');
    });
  }

  it('a corrupted C1 digest falls back to simple', () => {
    const c1 = complexC1(1, 3);
    const pos = digestPos(c1, 1);
    c1[pos] = (c1[pos] as number) ^ 0xff;
    const run = runServer(Buffer.concat([Buffer.of(3), c1, c2]));
    assert.equal(run.info?.mode, 'simple');
    assert.equal(run.info?.peerVersion, 0x09007c02);
    assert.equal(run.sent.readUInt32BE(1 + 4), 0, 'simple S1');
    assert.equal(hex(run.sent.subarray(1537 + 8)), hex(c1.subarray(8)), 'S2 echoes C1');
  });

  it('gives the same answer however the input is split', () => {
    const input = Buffer.concat([Buffer.of(3), complexC1(0, 9), c2, after]);
    const whole = runServer(input);
    for (const pieces of [2, 3, 7, 100, input.length]) {
      const split = runServer(input, pieces);
      assert.equal(hex(split.sent), hex(whole.sent));
      assert.deepEqual(split.info, whole.info);
      assert.equal(hex(split.rest ?? new Uint8Array(0)), hex(after));
    }
  });

  it('rejects what is not RTMP and encrypted RTMPE; dead after an error', () => {
    const mk = () =>
      new HandshakeServer({ onSend: () => {}, onDone: () => {} }, { random: fixedRandom(1), nowMs: () => 0 });
    const http = mk();
    assert.throws(
      () => http.feed(Buffer.from('GET / HTTP/1.1\r\n')),
      (e: unknown) => e instanceof ProtocolError && e.message.startsWith('rtmp: handshake'),
    );
    assert.equal(http.state, HandshakeState.Failed);
    assert.throws(() => http.feed(Buffer.of(3)), ProtocolError);
    assert.throws(() => mk().feed(Buffer.of(6)), UnsupportedError);
    assert.throws(() => mk().feed(Buffer.of(4)), UnsupportedError);
    const s = mk();
    s.feed(Buffer.alloc(1 + 1536 + 1536, 0).fill(3, 0, 1));
    assert.equal(s.state, HandshakeState.Done);
    assert.throws(() => s.feed(Buffer.of(1)), InvalidArgError);
  });

  it('exposes the state for a timeout', () => {
    const s = new HandshakeServer({ onSend: () => {}, onDone: () => {} });
    assert.equal(s.state, HandshakeState.WaitC0C1);
    s.feed(Buffer.alloc(1537).fill(3, 0, 1));
    assert.equal(s.state, HandshakeState.WaitC2);
    assert.equal(s.done, false);
  });
});

/** Runs a client and a server against each other in memory. */
function pair(clientOpts: HandshakeClientOptions): {
  client: HandshakeInfo;
  server: HandshakeInfo;
  c0c1: Buffer;
} {
  let clientInfo: HandshakeInfo | null = null;
  let serverInfo: HandshakeInfo | null = null;
  let c0c1: Buffer | null = null;
  const toServer: Uint8Array[] = [];
  const toClient: Uint8Array[] = [];
  const server = new HandshakeServer(
    {
      onSend: (b) => toClient.push(b),
      onDone: (info, rest) => {
        serverInfo = info;
        assert.equal(hex(rest), 'abcd');
      },
    },
    { random: fixedRandom(2), nowMs: () => 1 },
  );
  const client = new HandshakeClient(
    {
      onSend: (b) => {
        if (c0c1 === null) c0c1 = Buffer.from(b);
        toServer.push(b);
      },
      onDone: (info, rest) => {
        clientInfo = info;
        assert.equal(rest.length, 0);
        toServer.push(Buffer.from('abcd', 'hex'));
      },
    },
    { random: fixedRandom(3), nowMs: () => 2, ...clientOpts },
  );
  assert.equal(client.state, HandshakeState.Idle);
  client.start();
  assert.equal(client.state, HandshakeState.WaitS0S1);
  for (let i = 0; i < 4 && !(client.done && server.done); i++) {
    if (toServer.length > 0) server.feed(Buffer.concat(toServer.splice(0)));
    if (toClient.length > 0) client.feed(Buffer.concat(toClient.splice(0)));
  }
  if (toServer.length > 0) server.feed(Buffer.concat(toServer.splice(0)));
  assert.ok(clientInfo && serverInfo && c0c1);
  return { client: clientInfo, server: serverInfo, c0c1 };
}

describe('HandshakeClient', () => {
  it('complex C1 (schema 1 by default, like ffmpeg) against our server', () => {
    const r = pair({});
    assert.ok(validates(r.c0c1.subarray(1), 1, FP_KEY.subarray(0, 30)), 'C1 digest validates');
    assert.equal(r.server.mode, 'complex');
    assert.equal(r.server.schema, 1);
    assert.equal(r.client.mode, 'complex');
    assert.equal(r.client.schema, 1);
    assert.equal(r.client.peerEchoValid, true, 'S2 signature validated');
  });

  it('complex C1 schema 0', () => {
    const r = pair({ schema: 0 });
    assert.ok(validates(r.c0c1.subarray(1), 0, FP_KEY.subarray(0, 30)));
    assert.equal(r.server.schema, 0);
    assert.equal(r.client.schema, 0);
    assert.equal(r.client.peerEchoValid, true);
  });

  it('simple C1', () => {
    const r = pair({ complex: false });
    assert.equal(r.c0c1.readUInt32BE(1 + 4), 0);
    assert.equal(r.server.mode, 'simple');
    assert.equal(r.client.mode, 'simple');
    assert.equal(r.client.peerEchoValid, true, 'S2 echoed C1');
  });

  it('C2 answers a complex S1 with a digest and a simple S1 with an echo', () => {
    const sent: Buffer[] = [];
    let info: HandshakeInfo | null = null;
    const client = new HandshakeClient(
      { onSend: (b) => sent.push(Buffer.from(b)), onDone: (i) => (info = i) },
      { random: fixedRandom(4), nowMs: () => 9 },
    );
    client.start();
    const s1 = complexC1(0, 1); // reuse the builder, then re-sign with the FMS key
    const pos = digestPos(s1, 0);
    digestOf(s1, pos, FMS_KEY.subarray(0, 36)).copy(s1, pos);
    client.feed(Buffer.concat([Buffer.of(3), s1]));
    assert.equal(client.state, HandshakeState.WaitS2);
    const c2out = sent[1];
    assert.ok(c2out);
    const key = createHmac('sha256', FP_KEY)
      .update(s1.subarray(pos, pos + 32))
      .digest();
    const sig = createHmac('sha256', key).update(c2out.subarray(0, 1504)).digest();
    assert.equal(hex(c2out.subarray(1504)), hex(sig), 'C2 signature (FP key, 62 bytes)');
    client.feed(Buffer.alloc(1536)); // a bogus S2 is only reported
    assert.equal((info as HandshakeInfo | null)?.peerEchoValid, false);
    assert.equal((info as HandshakeInfo | null)?.mode, 'complex');

    // A simple server (version 0): C2 echoes S1.
    const sent2: Buffer[] = [];
    const c = new HandshakeClient({ onSend: (b) => sent2.push(Buffer.from(b)), onDone: () => {} });
    c.start();
    const simpleS1 = Buffer.alloc(1536, 0x21);
    simpleS1.writeUInt32BE(77, 0);
    simpleS1.writeUInt32BE(0, 4);
    c.feed(Buffer.concat([Buffer.of(3), simpleS1]));
    assert.equal(sent2[1]?.readUInt32BE(0), 77);
    assert.equal(hex(sent2[1]?.subarray(8) ?? new Uint8Array(0)), hex(simpleS1.subarray(8)));
  });

  it('misuse and garbage are typed errors', () => {
    const c = new HandshakeClient({ onSend: () => {}, onDone: () => {} });
    assert.throws(() => c.feed(Buffer.of(3)), InvalidArgError);
    const d = new HandshakeClient({ onSend: () => {}, onDone: () => {} });
    d.start();
    assert.throws(() => d.start(), InvalidArgError);
    assert.throws(() => d.feed(Buffer.from('HTTP/1.1 400')), ProtocolError);
  });
});
