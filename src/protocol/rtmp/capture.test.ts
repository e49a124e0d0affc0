import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { ChunkReader } from './chunk-reader.js';
import { packMessage } from './chunk-writer.js';
import { HandshakeClient, type HandshakeInfo, HandshakeServer } from './handshake.js';
import type { RtmpMessage } from './message-types.js';

// Real byte streams captured from ffmpeg 5.1 (see testdata/README.md for how they were made).
// Tests run with the repository root as the working directory (both `npm test` and the per-folder
// build do), so the fixtures are found from there whichever dist directory holds this file.
const dir = resolve(process.cwd(), 'src/protocol/rtmp/testdata');
const publish = readFileSync(resolve(dir, 'ffmpeg-publish.bin'));
const listenPlay = readFileSync(resolve(dir, 'ffmpeg-listen-play.bin'));
const rtmpdump = readFileSync(resolve(dir, 'rtmpdump-play.bin'));

type Summary = [csid: number, typeId: number, streamId: number, timestampMs: number, length: number];

function readAll(input: Uint8Array, cuts: readonly number[]): RtmpMessage[] {
  const out: RtmpMessage[] = [];
  const r = new ChunkReader({ onMessage: (m) => out.push(m) });
  let p = 0;
  for (const c of cuts) {
    r.feed(input.subarray(p, c));
    p = c;
  }
  r.feed(input.subarray(p));
  return out;
}

function same(a: readonly RtmpMessage[], b: readonly RtmpMessage[], what: string): void {
  assert.equal(a.length, b.length, what);
  for (let i = 0; i < a.length; i++) {
    const x = a[i] as RtmpMessage;
    const y = b[i] as RtmpMessage;
    if (
      x.csid !== y.csid ||
      x.typeId !== y.typeId ||
      x.streamId !== y.streamId ||
      x.timestampMs !== y.timestampMs ||
      Buffer.compare(x.payload, y.payload) !== 0
    ) {
      assert.fail(`${what}: message ${i} differs`);
    }
  }
}

function summary(msgs: readonly RtmpMessage[]): Summary[] {
  return msgs.map((m) => [m.csid, m.typeId, m.streamId, m.timestampMs, m.payload.length]);
}

function splitEverywhere(chunks: Uint8Array, reference: readonly RtmpMessage[]): void {
  for (let k = 1; k < chunks.length; k++) same(readAll(chunks, [k]), reference, `split at ${k}`);
  const oneByOne: number[] = [];
  for (let k = 1; k < chunks.length; k++) oneByOne.push(k);
  same(readAll(chunks, oneByOne), reference, 'byte by byte');
  fc.assert(
    fc.property(
      fc.uniqueArray(fc.integer({ min: 1, max: chunks.length - 1 }), { maxLength: 200 }),
      (cuts) => {
        same(
          readAll(
            chunks,
            cuts.sort((a, b) => a - b),
          ),
          reference,
          'random cuts',
        );
      },
    ),
    { numRuns: 200 },
  );
}

describe('ffmpeg publishing (client to server bytes)', () => {
  // ffmpeg -re -f lavfi -i testsrc2=size=320x240:rate=10 -f lavfi -i sine=...:sample_rate=11025:samples_per_frame=256
  //   -t 0.5 -c:v libx264 -g 5 -c:a pcm_s16le -output_ts_offset 16777.5 -f flv rtmp://...
  // Timestamps start beyond 0xFFFFFF: the first video/audio deltas use extended timestamps in
  // fmt 1 headers and in a fmt 3 continuation chunk; constant-size PCM audio gives fmt 2 and fmt 3
  // headers starting new messages; ffmpeg switches to chunk size 4096 after connect.
  let chunks: Uint8Array = new Uint8Array(0);
  let info: HandshakeInfo | null = null;

  it('our server detects the complex handshake, schema 1, in ffmpeg C1', () => {
    const hs = new HandshakeServer({
      onSend: () => {},
      onDone: (i, rest) => {
        info = i;
        chunks = Buffer.from(rest);
      },
    });
    hs.feed(publish);
    assert.ok(info);
    const got = info as HandshakeInfo;
    assert.equal(got.mode, 'complex');
    assert.equal(got.schema, 1);
    assert.equal(got.peerVersion, 0x09007c02, 'Flash Player 9.0.124.2, as ffmpeg claims');
    assert.equal(chunks.length, publish.length - 3073);
  });

  it('reads every message', () => {
    const r = new ChunkReader({ onMessage: () => {} });
    const msgs = readAll(chunks, []);
    r.feed(chunks);
    assert.equal(r.chunkSize, 4096);
    const s = summary(msgs);
    assert.equal(s.length, 38);
    assert.deepEqual(s.slice(0, 12), [
      [3, 20, 0, 0, 140], // connect (two chunks at size 128)
      [2, 1, 0, 0, 4], // Set Chunk Size 4096
      [3, 20, 0, 0, 30], // releaseStream
      [3, 20, 0, 0, 26], // FCPublish
      [3, 20, 0, 0, 25], // createStream
      [8, 20, 1, 0, 31], // publish
      [4, 18, 1, 0, 309], // @setDataFrame onMetaData
      [6, 9, 1, 0, 51], // AVC sequence header
      [6, 9, 1, 16777300, 5407], // key frame: fmt 1 + extended delta, fmt 3 + extended continuation
      [6, 9, 1, 16777400, 2645],
      [6, 9, 1, 16777500, 1611],
      [4, 8, 1, 16777500, 513], // first PCM frame: fmt 1 + extended delta
    ]);
    const audio = s.filter((m) => m[1] === 8);
    assert.equal(audio.length, 22);
    // 256 samples at 11025 Hz: deltas of 23 or 24 ms, sent as fmt 2 or as fmt 3 starting a message.
    for (let i = 1; i < audio.length; i++) {
      const d = (audio[i] as Summary)[3] - (audio[i - 1] as Summary)[3];
      assert.ok(d === 23 || d === 24, `audio delta ${d}`);
    }
    assert.deepEqual(s.slice(-2), [
      [3, 20, 0, 0, 28], // FCUnpublish
      [3, 20, 0, 0, 34], // deleteStream
    ]);
    assert.equal(
      Buffer.from(msgs[0]?.payload ?? [])
        .subarray(3, 10)
        .toString('latin1'),
      'connect',
    );
  });

  it('gives identical messages split at every byte boundary and at random', () => {
    splitEverywhere(chunks, readAll(chunks, []));
  });

  it('repacked by our writer and read back gives the same messages', () => {
    const msgs = readAll(chunks, []);
    // The Set Chunk Size inside is applied by the reader: repack with the sizes in force.
    const wire2: Buffer[] = [];
    let size = 128;
    for (const m of msgs) {
      wire2.push(packMessage(m, size));
      if (m.typeId === 1) size = Buffer.from(m.payload).readUInt32BE(0);
    }
    same(readAll(Buffer.concat(wire2), []), msgs, 'repacked');
  });
});

describe('ffmpeg -listen as a server (server to client bytes)', () => {
  // ffmpeg -re -f lavfi -i testsrc2=size=160x120:rate=10 -t 0.6 -c:v libx264 -g 5 -f flv -listen 1 rtmp://...
  // played by our HandshakeClient plus hand-made connect/createStream/play commands. ffmpeg's
  // server answers a simple S1 and keeps chunk size 128: many fmt 3 continuation chunks.
  let chunks: Uint8Array = new Uint8Array(0);

  it('our client completes the handshake against ffmpeg S0 S1 S2', () => {
    let info: HandshakeInfo | null = null;
    const sent: Uint8Array[] = [];
    const c = new HandshakeClient({
      onSend: (b) => sent.push(b),
      onDone: (i, rest) => {
        info = i;
        chunks = Buffer.from(rest);
      },
    });
    c.start();
    c.feed(listenPlay);
    assert.equal(sent.length, 2, 'C0 C1, then C2');
    const got = info as HandshakeInfo | null;
    assert.equal(got?.mode, 'simple');
    assert.equal(got?.peerVersion, 0);
    assert.equal(got?.peerEchoValid, false, 'S2 echoes the C1 of the capture run, not ours');
    assert.equal(chunks.length, listenPlay.length - 3073);
  });

  it('reads every message, protocol control first', () => {
    const msgs: RtmpMessage[] = [];
    const acks: number[] = [];
    const r = new ChunkReader({ onMessage: (m) => msgs.push(m), onAckDue: (n) => acks.push(n) });
    r.feed(chunks);
    assert.equal(r.windowAckSize, 2500000);
    assert.equal(r.chunkSize, 128);
    assert.deepEqual(acks, []);
    assert.deepEqual(summary(msgs).slice(0, 12), [
      [2, 5, 0, 0, 4], // Window Acknowledgement Size 2500000
      [2, 6, 0, 0, 5], // Set Peer Bandwidth
      [2, 4, 0, 0, 6], // Stream Begin
      [2, 1, 0, 0, 4], // Set Chunk Size 128
      [3, 20, 0, 0, 190], // _result (connect)
      [3, 20, 0, 0, 30], // onBWDone
      [3, 20, 0, 0, 29], // _result (createStream)
      [2, 4, 0, 0, 6], // Stream Begin 1
      [3, 20, 1, 0, 100], // onStatus NetStream.Play.Start
      [4, 18, 0, 0, 200], // @setDataFrame
      [6, 9, 0, 0, 51], // AVC sequence header
      [6, 9, 0, 0, 3269], // key frame, 26 chunks
    ]);
    assert.equal(msgs.length, 20);
  });

  it('gives identical messages split at every byte boundary and at random', () => {
    splitEverywhere(chunks, readAll(chunks, []));
  });
});

describe('rtmpdump (librtmp) playing (client to server bytes)', () => {
  // rtmpdump -r rtmp://... -w <zero hash> -x 1000 -o /dev/null: the SWF hash options make librtmp
  // send a complex (FP9) C1; it then validated our S1 digest and S2 signature ("Genuine Adobe
  // Flash Media Server") and sent connect, Window Ack Size, Set Buffer Length, createStream, play.
  it('our server detects the librtmp complex C1, and the chunks read at every split', () => {
    let info: HandshakeInfo | null = null;
    let chunks: Uint8Array = new Uint8Array(0);
    new HandshakeServer({
      onSend: () => {},
      onDone: (i, rest) => {
        info = i;
        chunks = Buffer.from(rest);
      },
    }).feed(rtmpdump);
    const got = info as HandshakeInfo | null;
    assert.equal(got?.mode, 'complex');
    assert.equal(got?.schema, 1);
    assert.equal(got?.peerVersion, 0x0a002d02, 'librtmp claims 10.0.45.2');
    const msgs = readAll(chunks, []);
    assert.deepEqual(summary(msgs), [
      [3, 20, 0, 0, 198], // connect
      [2, 5, 0, 0, 4], // Window Acknowledgement Size
      [2, 4, 0, 0, 10], // Set Buffer Length (fmt 1 header)
      [3, 20, 0, 0, 25], // createStream
      [8, 20, 1, 0, 30], // play
      [2, 4, 0, 0, 10], // Set Buffer Length 1 (fmt 3 header starting a message)
    ]);
    splitEverywhere(chunks, msgs);
  });
});
