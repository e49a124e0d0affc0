// Hostile clients at every layer each lose only their own connection, with a logged reason; a
// normal stream with an RTMP and an HTTP-FLV player keeps flowing and loses nothing.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { connect, type Socket } from 'node:net';
import { it } from 'node:test';
import { encodeAmf0 } from '../../src/format/amf/index.js';
import { HandshakeClient, packMessage } from '../../src/protocol/rtmp/index.js';
import { readFixture } from '../helpers/fixtures.js';
import { pullHttp, pullRtmp, push, startLals, tagsToGot, waitFor, writeTags } from '../helpers/lals.js';

function open(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.on('error', reject);
  });
}

/** Resolves when the server closes `s` (true) or after `ms` (false). */
function closedWithin(s: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (s.destroyed) return resolve(true);
    const t = setTimeout(() => resolve(false), ms);
    s.on('data', () => {});
    s.once('close', () => {
      clearTimeout(t);
      resolve(true);
    });
  });
}

/** A TCP connection to the RTMP port that has completed a real handshake. */
async function handshaken(port: number): Promise<Socket> {
  const s = await open(port);
  await new Promise<void>((resolve, reject) => {
    const hs = new HandshakeClient({
      onSend: (b) => s.write(b),
      onDone: () => {
        s.removeAllListeners('data');
        resolve();
      },
    });
    s.on('data', (b: Buffer) => {
      try {
        hs.feed(b);
      } catch (e) {
        reject(e);
      }
    });
    hs.start();
  });
  return s;
}

it('garbage, oversized messages, bad AMF, HTTP garbage and slowloris close only their own sessions', async () => {
  const lals = await startLals([
    'rtmp.max_message_size=65536',
    'httpflv.header_timeout_ms=500',
    'rtmp.handshake_timeout_ms=500',
  ]);
  try {
    const { tags } = readFixture('avc-aac');
    const rtmpPort = Number(new URL(lals.rtmp('x')).port);
    const httpPort = Number(new URL(lals.http('x')).port);
    const good = { rtmp: await pullRtmp(lals.rtmp('good')), http: pullHttp(lals.http('good')) };
    await waitFor(() => (lals.server.groups.get('live', 'good')?.subCount ?? 0) === 2, 'good players');
    const pub = await push(lals.rtmp('good'), tags, 0, 100);

    const attacks: Array<[string, Promise<Socket>, (s: Socket) => void]> = [
      ['random bytes instead of a handshake', open(rtmpPort), (s) => s.write(randomBytes(4096))],
      ['a stalled handshake', open(rtmpPort), (s) => s.write(Uint8Array.of(3))],
      ['garbage chunks after the handshake', handshaken(rtmpPort), (s) => s.write(randomBytes(8192))],
      [
        'a message larger than max_message_size',
        handshaken(rtmpPort),
        (s) => s.write(Uint8Array.of(0x03, 0, 0, 0, 0x01, 0x00, 0x01, 0x14, 0, 0, 0, 0)), // claims 65537 bytes
      ],
      [
        'a 16 MiB claim',
        handshaken(rtmpPort),
        (s) => s.write(Uint8Array.of(0x03, 0, 0, 0, 0xff, 0xff, 0xff, 0x09, 1, 0, 0, 0)),
      ],
      [
        'invalid AMF in connect',
        handshaken(rtmpPort),
        (s) =>
          s.write(
            packMessage(
              {
                csid: 3,
                typeId: 20,
                streamId: 0,
                timestampMs: 0,
                payload: Uint8Array.of(
                  2,
                  0,
                  7,
                  0x63,
                  0x6f,
                  0x6e,
                  0x6e,
                  0x65,
                  0x63,
                  0x74,
                  0x00,
                  0x3f,
                  0xf0,
                  0x00,
                  0x11,
                  0xff,
                  0xff,
                  0xff,
                ),
              },
              128,
            ),
          ),
      ],
      [
        'deeply nested AMF',
        handshaken(rtmpPort),
        (s) => {
          const nest = Buffer.alloc(2000 * 5);
          for (let i = 0; i < 2000; i++) nest.set([0x0a, 0, 0, 0, 1], i * 5); // strict arrays of 1, nested
          const payload = Buffer.concat([encodeAmf0(['connect', 1]), nest]);
          s.write(packMessage({ csid: 3, typeId: 20, streamId: 0, timestampMs: 0, payload }, 128));
        },
      ],
      ['HTTP garbage', open(httpPort), (s) => s.write(randomBytes(2048))],
      [
        'an oversized HTTP head',
        open(httpPort),
        (s) => s.write(`GET /live/good.flv HTTP/1.1\r\nX: ${'a'.repeat(20_000)}\r\n`),
      ],
      ['slowloris', open(httpPort), (s) => s.write('GET /live/good.flv HTTP/1.1\r\n')],
    ];
    const results = await Promise.all(
      attacks.map(async ([what, sp, act]) => {
        const s = await sp;
        s.on('error', () => {});
        act(s);
        const closed = await closedWithin(s, 5000);
        s.destroy();
        return [what, closed] as const;
      }),
    );
    for (const [what, closed] of results) assert.ok(closed, `server closed the connection: ${what}`);

    writeTags(pub, tags, 100);
    const want = tagsToGot(tags).length;
    await waitFor(
      () => good.rtmp.got.length >= want && good.http.got.length >= want,
      'good players got everything',
    );
    assert.equal(good.rtmp.got.length, want);
    assert.equal(good.http.got.length, want);
    await pub.close();
    await good.http.done;
    await good.rtmp.close();
    assert.equal(lals.server.groups.size, 0, 'no group left behind');
  } finally {
    await lals.stop();
  }
});
