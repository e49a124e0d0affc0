// A socket-level fuzzer for lals: hostile clients made from real sessions (the ffmpeg and rtmpdump
// captures in src/protocol/rtmp/testdata, and sessions of our own push and pull clients recorded in
// memory), mutated, truncated, or built to hit the limits (huge claimed lengths, thousands of chunk
// stream ids, deep AMF nesting, hostile control messages, garbage media, mutated HTTP requests and
// WebSocket frames). Each case is reproducible from (seed, case index); see runFuzz.
//
// Used by test/fuzz/socket-fuzz.test.ts (short, in `npm test`) and bench/fuzz-long.ts (long runs).
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { resolve } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { type AmfValue, ecmaArray, encodeAmf0 } from '../../src/format/amf/index.js';
import type { FlvTag } from '../../src/format/flv/index.js';
import {
  connectCommand,
  createStreamCommand,
  packMessage,
  playCommand,
  publishCommand,
  RtmpPullCore,
  RtmpPushCore,
  RtmpServerSession,
  type RtmpSessionIo,
} from '../../src/protocol/rtmp/index.js';
import { readFixture } from '../helpers/fixtures.js';

// ---------------------------------------------------------------------------------------------
// PRNG

/** mulberry32: small, fast, good enough for fuzzing; the same seed gives the same cases. */
export class Prng {
  private s: number;
  constructor(seed: number) {
    this.s = seed >>> 0;
  }
  next(): number {
    this.s = (this.s + 0x6d2b79f5) >>> 0;
    let t = this.s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (t ^ (t >>> 14)) >>> 0;
  }
  /** [0, 1) */
  float(): number {
    return this.next() / 0x100000000;
  }
  /** An integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.float() * n);
  }
  /** An integer in [a, b]. */
  range(a: number, b: number): number {
    return a + this.int(b - a + 1);
  }
  bool(p = 0.5): boolean {
    return this.float() < p;
  }
  pick<T>(arr: readonly T[]): T {
    if (arr.length === 0) throw new Error('pick from an empty list');
    return arr[this.int(arr.length)] as T;
  }
  bytes(n: number): Buffer {
    const b = Buffer.allocUnsafe(n);
    for (let i = 0; i < n; i += 4) {
      const v = this.next();
      b[i] = v & 0xff;
      if (i + 1 < n) b[i + 1] = (v >>> 8) & 0xff;
      if (i + 2 < n) b[i + 2] = (v >>> 16) & 0xff;
      if (i + 3 < n) b[i + 3] = v >>> 24;
    }
    return b;
  }
  /** Sizes that find bugs: small, around powers of two, and the odd large one. */
  size(max: number): number {
    const r = this.int(10);
    if (r < 5) return this.range(0, Math.min(max, 64));
    if (r < 8) {
      const p = 2 ** this.range(1, Math.max(1, Math.floor(Math.log2(Math.max(2, max)))));
      return Math.min(max, Math.max(0, p + this.range(-2, 2)));
    }
    return this.range(0, max);
  }
}

/** The seed of case `index` of a run with `seed` (each case is reproducible on its own). */
export function caseSeed(seed: number, index: number): number {
  let h = (seed ^ Math.imul(index + 1, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b) >>> 0;
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35) >>> 0;
  return (h ^ (h >>> 16)) >>> 0;
}

// ---------------------------------------------------------------------------------------------
// Corpus

/** A recorded client-to-server RTMP byte stream, handshake included. */
export interface RtmpSessionBytes {
  name: string;
  bytes: Buffer;
}

export interface FuzzCorpus {
  rtmpSessions: RtmpSessionBytes[];
  /** A recorded player session per fuzz stream name. */
  pullSessions: Map<string, Buffer>;
  /** Media and metadata tags of several fixtures (AVC, HEVC id 12 and enhanced, AAC). */
  tags: FlvTag[];
  /** Sequence headers and metadata only (the bytes codec parsers look at hardest). */
  headerTags: FlvTag[];
}

/** C0 + C1 + C2: 3073 bytes (the server checks neither C1's digest nor C2). */
const HANDSHAKE_LEN = 1 + 1536 + 1536;
/** Names used by fuzz publishers and players (kept apart from the test's own streams). */
export const FUZZ_STREAMS: readonly string[] = Array.from({ length: 12 }, (_, i) => `fuzz-${i}`);

/**
 * Records what one of our client cores sends while publishing `tags` (or playing), against an
 * in-memory RtmpServerSession that accepts everything.
 */
function recordClient(kind: 'push' | 'pull', stream: string, tags: FlvTag[], chunkSize: number): Buffer {
  const out: Buffer[] = [];
  const queue: Array<() => void> = [];
  let server: RtmpServerSession | undefined;
  let client: RtmpPushCore | RtmpPullCore | undefined;
  const clientIo: RtmpSessionIo = {
    send: (b) => {
      const copy = Buffer.from(b);
      out.push(copy);
      queue.push(() => server?.feed(copy));
    },
    close: () => {},
  };
  const serverIo: RtmpSessionIo = {
    send: (b) => {
      const copy = Buffer.from(b);
      queue.push(() => client?.feed(copy));
    },
    close: () => {},
  };
  server = new RtmpServerSession(
    {
      onNewPubSession: () => undefined,
      onPubMessage: () => {},
      onNewSubSession: () => undefined,
      onClose: () => {},
    },
    serverIo,
  );
  const url = `rtmp://127.0.0.1/live/${stream}`;
  client =
    kind === 'push'
      ? new RtmpPushCore(url, clientIo, {}, { outChunkSize: chunkSize })
      : new RtmpPullCore(url, clientIo, {}, { outChunkSize: chunkSize });
  const drain = (): void => {
    for (let f = queue.shift(); f !== undefined; f = queue.shift()) f();
  };
  client.start();
  drain();
  if (client instanceof RtmpPushCore) {
    for (const t of tags) client.write({ typeId: t.type, timestampMs: t.timestampMs, payload: t.data });
    drain();
  }
  client.close();
  drain();
  return Buffer.concat(out);
}

/** Reads the captures and fixtures and records our own clients' sessions. Synchronous, ~50 ms. */
export function buildCorpus(): FuzzCorpus {
  const dir = resolve(process.cwd(), 'src/protocol/rtmp/testdata');
  const rtmpSessions: RtmpSessionBytes[] = [
    { name: 'ffmpeg-publish', bytes: readFileSync(resolve(dir, 'ffmpeg-publish.bin')) },
    { name: 'rtmpdump-play', bytes: readFileSync(resolve(dir, 'rtmpdump-play.bin')) },
  ];
  const tags: FlvTag[] = [];
  const headerTags: FlvTag[] = [];
  for (const name of ['avc-aac', 'hevc-aac-id12', 'hevc-aac-enhanced', 'aac-only', 'avc-bframes-aac']) {
    const fx = readFixture(name).tags;
    tags.push(...fx);
    headerTags.push(...fx.slice(0, 3));
  }
  const avc = readFixture('avc-aac').tags.slice(0, 40);
  const hevc = readFixture('hevc-aac-enhanced').tags.slice(0, 30);
  rtmpSessions.push(
    { name: 'push-avc-128', bytes: recordClient('push', 'fuzz-0', avc, 128) },
    { name: 'push-hevc-4096', bytes: recordClient('push', 'fuzz-1', hevc, 4096) },
    { name: 'pull', bytes: recordClient('pull', 'fuzz-2', [], 4096) },
  );
  const pullSessions = new Map<string, Buffer>();
  for (const stream of FUZZ_STREAMS) pullSessions.set(stream, recordClient('pull', stream, [], 4096));
  return { rtmpSessions, pullSessions, tags, headerTags };
}

// ---------------------------------------------------------------------------------------------
// Mutators

const INTERESTING = [0x00, 0x01, 0x02, 0x03, 0x7f, 0x80, 0xfe, 0xff, 0x09, 0x14, 0x12, 0x08, 0x16, 0x0f];

/** 1..n random edits of `b` (a new Buffer; `b` is not changed). */
export function mutate(rng: Prng, b: Uint8Array, n = rng.range(1, 8)): Buffer {
  let out: Buffer = Buffer.from(b);
  for (let k = 0; k < n; k++) {
    if (out.length === 0) {
      out = rng.bytes(rng.range(1, 16));
      continue;
    }
    const at = rng.int(out.length);
    switch (rng.int(9)) {
      case 0: // bit flip
        out[at] = (out[at] as number) ^ (1 << rng.int(8));
        break;
      case 1: // interesting byte
        out[at] = rng.pick(INTERESTING);
        break;
      case 2: // random byte run
        out.set(rng.bytes(Math.min(out.length - at, rng.range(1, 8))), at);
        break;
      case 3: {
        // a big-endian length-ish field set to an extreme
        const w = rng.pick([2, 3, 4]);
        if (at + w <= out.length) out.fill(rng.pick([0x00, 0xff, 0x7f]), at, at + w);
        break;
      }
      case 4: // delete a range
        out = Buffer.concat([out.subarray(0, at), out.subarray(Math.min(out.length, at + rng.size(256)))]);
        break;
      case 5: // insert random bytes
        out = Buffer.concat([out.subarray(0, at), rng.bytes(rng.size(64)), out.subarray(at)]);
        break;
      case 6: {
        // duplicate a range
        const len = Math.min(out.length - at, rng.size(512));
        out = Buffer.concat([out.subarray(0, at + len), out.subarray(at, at + len), out.subarray(at + len)]);
        break;
      }
      case 7: // truncate
        out = out.subarray(0, at);
        break;
      default: {
        // swap two ranges' bytes
        const other = rng.int(out.length);
        const len = Math.min(rng.size(32), out.length - Math.max(at, other));
        const tmp = Buffer.from(out.subarray(at, at + len));
        out.copy(out, at, other, other + len);
        tmp.copy(out, other);
      }
    }
  }
  return out;
}

/** Cuts `b` into 1..n pieces at random points (the server must resume mid-anything). */
function split(rng: Prng, b: Buffer, maxPieces = 6): Buffer[] {
  const n = rng.range(1, maxPieces);
  if (n === 1 || b.length < 2) return [b];
  const cuts = new Set<number>();
  for (let i = 1; i < n; i++) cuts.add(rng.range(1, b.length - 1));
  const sorted = [...cuts].sort((x, y) => x - y);
  const out: Buffer[] = [];
  let prev = 0;
  for (const c of sorted) {
    out.push(b.subarray(prev, c));
    prev = c;
  }
  out.push(b.subarray(prev));
  return out;
}

// ---------------------------------------------------------------------------------------------
// Generators

/** How a case ends once its bytes are sent. */
export type CaseEnd = 'fin' | 'rst' | 'hold' | 'freeze';

/** One hostile connection. */
export interface FuzzCase {
  kind: string;
  target: 'rtmp' | 'http';
  pieces: Buffer[];
  /** Pause between pieces, ms. */
  gapMs: number;
  end: CaseEnd;
  /** Connections opened before this one and held while it runs (e.g. players of a fuzzed stream). */
  companions?: FuzzCase[];
}

function handshake(rng: Prng): Buffer {
  const hs = rng.bytes(HANDSHAKE_LEN);
  hs[0] = 3;
  hs.fill(0, 5, 9); // C1 zero field: simple handshake
  return hs;
}

/** One message packed in chunks; bad arguments yield random bytes instead of an exception. */
function chunk(
  rng: Prng,
  typeId: number,
  payload: Uint8Array,
  opts: { csid?: number; streamId?: number; ts?: number; chunkSize?: number } = {},
): Buffer {
  try {
    return packMessage(
      {
        csid: opts.csid ?? 3,
        typeId,
        streamId: opts.streamId ?? 0,
        timestampMs: opts.ts ?? 0,
        payload,
      },
      opts.chunkSize ?? 128,
    );
  } catch {
    return rng.bytes(16);
  }
}

function cmd(rng: Prng, values: AmfValue[], streamId = 0, chunkSize = 128): Buffer {
  return chunk(rng, 20, encodeAmf0(values), { csid: streamId === 0 ? 3 : 8, streamId, chunkSize });
}

/** connect + createStream + publish or play of `stream`, at chunk size 128. */
function sessionStart(rng: Prng, verb: 'publish' | 'play', stream: string): Buffer[] {
  return [
    handshake(rng),
    chunk(rng, 20, connectCommand(1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live' })),
    chunk(rng, 20, createStreamCommand(2)),
    chunk(rng, 20, verb === 'publish' ? publishCommand(3, stream) : playCommand(3, stream), {
      csid: 8,
      streamId: 1,
    }),
  ];
}

/** A random AMF value up to `depth` containers deep. */
function randomAmf(rng: Prng, depth: number): AmfValue {
  const r = rng.int(depth > 0 ? 10 : 6);
  switch (r) {
    case 0:
      return rng.pick([0, -0, 1.5, Number.NaN, Number.POSITIVE_INFINITY, 2 ** 53, -1, 0xffffffff]);
    case 1:
      return rng.bool();
    case 2:
      return rng.bytes(rng.size(40)).toString('latin1');
    case 3:
      return null;
    case 4:
      return undefined;
    case 5:
      return rng.bool(0.1) ? 'x'.repeat(rng.range(65536, 70000)) : 'live';
    case 6:
    case 7: {
      const o: Record<string, AmfValue> = {};
      for (let i = rng.int(5); i > 0; i--)
        o[rng.bytes(rng.range(0, 8)).toString('hex')] = randomAmf(rng, depth - 1);
      return r === 7 ? ecmaArray(o) : o;
    }
    default: {
      const a: AmfValue[] = [];
      for (let i = rng.int(5); i > 0; i--) a.push(randomAmf(rng, depth - 1));
      return a;
    }
  }
}

/** Hand-made AMF0 nested `depth` containers deep (no encoder recursion on our side). */
function deepAmf0(rng: Prng, depth: number): Buffer {
  const open: Buffer[] = [];
  const close: Buffer[] = [];
  for (let i = 0; i < depth; i++) {
    switch (rng.int(3)) {
      case 0: // object { a: ... }
        open.push(Buffer.from([0x03, 0, 1, 0x61]));
        close.push(Buffer.from([0, 0, 9]));
        break;
      case 1: // ECMA array, count 1, { a: ... }
        open.push(Buffer.from([0x08, 0, 0, 0, 1, 0, 1, 0x61]));
        close.push(Buffer.from([0, 0, 9]));
        break;
      default: // strict array of 1
        open.push(Buffer.from([0x0a, 0, 0, 0, 1]));
        close.push(Buffer.alloc(0));
    }
  }
  return Buffer.concat([...open, Buffer.from([0x05]), ...close.reverse()]);
}

/** AMF3 (after the 0x11 switch): dense arrays of 1 nested `depth` deep. */
function deepAmf3(depth: number): Buffer {
  const b = Buffer.alloc(depth * 3 + 2);
  b[0] = 0x11;
  for (let i = 0; i < depth; i++) b.set([0x09, 0x03, 0x01], 1 + i * 3); // array, 1 dense, empty assoc
  b[1 + depth * 3] = 0x01; // null
  return b;
}

type Gen = (rng: Prng, c: FuzzCorpus) => FuzzCase;

function ends(rng: Prng): CaseEnd {
  return rng.pick(['fin', 'rst', 'hold', 'hold', 'freeze'] as const);
}

const GENERATORS: Array<[string, number, Gen]> = [
  [
    'rtmp-random',
    4,
    (rng) => {
      const b = rng.bytes(rng.size(8192) + 1);
      if (rng.bool()) b[0] = 3;
      return {
        kind: 'rtmp-random',
        target: 'rtmp',
        pieces: split(rng, b),
        gapMs: rng.int(5),
        end: ends(rng),
      };
    },
  ],
  [
    'rtmp-handshake-then-random',
    5,
    (rng) => ({
      kind: 'rtmp-handshake-then-random',
      target: 'rtmp',
      pieces: [handshake(rng), ...split(rng, rng.bytes(rng.size(16384) + 1))],
      gapMs: rng.int(5),
      end: ends(rng),
    }),
  ],
  [
    'rtmp-mutated-session',
    14,
    (rng, c) => {
      const s = rng.pick(c.rtmpSessions);
      const body = mutate(rng, s.bytes.subarray(HANDSHAKE_LEN), rng.range(1, 12));
      return {
        kind: 'rtmp-mutated-session',
        target: 'rtmp',
        pieces: [handshake(rng), ...split(rng, body, 10)],
        gapMs: rng.int(3),
        end: ends(rng),
      };
    },
  ],
  [
    'rtmp-truncated-session',
    6,
    (rng, c) => {
      const s = rng.pick(c.rtmpSessions);
      const cut = rng.bool(0.2) ? rng.int(HANDSHAKE_LEN) : rng.int(s.bytes.length);
      return {
        kind: 'rtmp-truncated-session',
        target: 'rtmp',
        pieces: split(rng, s.bytes.subarray(0, cut), 8),
        gapMs: rng.int(3),
        end: ends(rng),
      };
    },
  ],
  [
    'rtmp-huge-length',
    5,
    (rng) => {
      const pieces = [handshake(rng)];
      if (rng.bool()) pieces.push(chunk(rng, 20, connectCommand(1, { app: 'live', tcUrl: 'rtmp://h/live' })));
      const n = rng.range(1, 6);
      for (let i = 0; i < n; i++) {
        const len = rng.pick([0xffffff, 0x800001, 0x800000, 0x7fffff, 0x100000, rng.range(0, 0xffffff)]);
        const h = Buffer.alloc(12);
        h[0] = rng.range(2, 63);
        h.writeUIntBE(rng.bool(0.2) ? 0xffffff : rng.int(0xffffff), 1, 3);
        h.writeUIntBE(len, 4, 3);
        h[7] = rng.pick([8, 9, 18, 20, 22, 15, 17, 1, 4]);
        h.writeUInt32LE(rng.int(3), 8);
        pieces.push(h, rng.bytes(rng.size(4096)));
      }
      return { kind: 'rtmp-huge-length', target: 'rtmp', pieces, gapMs: rng.int(3), end: ends(rng) };
    },
  ],
  [
    'rtmp-many-csids',
    4,
    (rng) => {
      const n = rng.range(100, 4000);
      const parts: Buffer[] = [];
      for (let i = 0; i < n; i++) {
        const csid = rng.bool(0.7) ? 320 + rng.int(65599 - 320) : rng.range(2, 319);
        const len = rng.pick([4, 100, 200, 4096, 65536]);
        // basic header (2 or 3 bytes), fmt 0 message header, then the first chunk's data (<= 128)
        const basic =
          csid < 320 ? Buffer.from([0, csid - 64]) : Buffer.from([1, (csid - 64) & 0xff, (csid - 64) >>> 8]);
        if (csid < 64) basic[0] = csid;
        const h = Buffer.alloc(11);
        h.writeUIntBE(rng.int(1000), 0, 3);
        h.writeUIntBE(len, 3, 3);
        h[6] = rng.pick([8, 9, 3, 18]);
        h.writeUInt32LE(rng.int(2), 7);
        parts.push(csid < 64 ? basic.subarray(0, 1) : basic, h, rng.bytes(Math.min(len, 128)));
      }
      return {
        kind: 'rtmp-many-csids',
        target: 'rtmp',
        pieces: [handshake(rng), ...split(rng, Buffer.concat(parts), 8)],
        gapMs: 0,
        end: ends(rng),
      };
    },
  ],
  [
    'rtmp-deep-amf',
    4,
    (rng) => {
      const depth = rng.pick([30, 63, 64, 65, 100, 1000, 5000, rng.range(1, 20000)]);
      const where = rng.int(4);
      const pieces: Buffer[] = [];
      if (where === 0) {
        // connect whose command object nests
        const payload = Buffer.concat([encodeAmf0(['connect', 1]), deepAmf0(rng, depth)]);
        pieces.push(handshake(rng), chunk(rng, 20, payload, { chunkSize: 128 }));
      } else if (where === 1) {
        // AMF3 command (type 17: a 0 byte, then AMF0 with the AMF3 switch)
        const payload = Buffer.concat([Buffer.from([0]), encodeAmf0(['connect', 1]), deepAmf3(depth)]);
        pieces.push(handshake(rng), chunk(rng, 17, payload));
      } else {
        // metadata of a live publisher (AMF0 or AMF3 data)
        const stream = rng.pick(FUZZ_STREAMS);
        pieces.push(...sessionStart(rng, 'publish', stream));
        const meta =
          where === 2
            ? Buffer.concat([encodeAmf0(['@setDataFrame', 'onMetaData']), deepAmf0(rng, depth)])
            : Buffer.concat([Buffer.from([0]), encodeAmf0(['onMetaData']), deepAmf3(depth)]);
        pieces.push(chunk(rng, where === 2 ? 18 : 15, meta, { csid: 5, streamId: 1 }));
      }
      return { kind: 'rtmp-deep-amf', target: 'rtmp', pieces, gapMs: 0, end: ends(rng) };
    },
  ],
  [
    'rtmp-control',
    5,
    (rng, c) => {
      const pieces = [handshake(rng)];
      const n = rng.range(1, 12);
      for (let i = 0; i < n; i++) {
        const type = rng.pick([1, 2, 3, 4, 5, 6]);
        let payload: Buffer;
        if (type === 1) {
          payload = Buffer.alloc(4);
          payload.writeUInt32BE(
            rng.pick([0, 1, 127, 128, 65536, 0x7fffffff, 0x80000000, 0xffffffff, 0xffffff]),
          );
        } else if (type === 4) {
          payload = Buffer.alloc(rng.pick([0, 1, 2, 6, 10, 12]));
          if (payload.length >= 2) payload.writeUInt16BE(rng.int(65536));
          if (payload.length > 2) payload.set(rng.bytes(payload.length - 2), 2);
        } else {
          payload = rng.bytes(rng.pick([0, 1, 3, 4, 5, 8]));
        }
        pieces.push(chunk(rng, type, payload, { csid: 2 }));
      }
      const s = rng.pick(c.rtmpSessions);
      pieces.push(...split(rng, mutate(rng, s.bytes.subarray(HANDSHAKE_LEN), rng.range(0, 3))));
      return { kind: 'rtmp-control', target: 'rtmp', pieces, gapMs: rng.int(3), end: ends(rng) };
    },
  ],
  [
    'rtmp-command-soup',
    6,
    (rng) => {
      const names = [
        'connect',
        'createStream',
        'publish',
        'play',
        'play2',
        'deleteStream',
        'closeStream',
        'releaseStream',
        'FCPublish',
        'FCUnpublish',
        'getStreamLength',
        'receiveAudio',
        'receiveVideo',
        'pause',
        'seek',
        '_result',
        '_error',
        'onStatus',
        'zzz',
        '',
      ];
      const pieces = [handshake(rng)];
      if (rng.bool(0.8))
        pieces.push(chunk(rng, 20, connectCommand(1, { app: 'live', tcUrl: 'rtmp://h/live' })));
      const n = rng.range(1, 30);
      for (let i = 0; i < n; i++) {
        const name = rng.pick(names);
        const commandObject = rng.bool(0.8) ? null : randomAmf(rng, 2);
        const args: AmfValue[] = [name, rng.pick([0, 1, 2, 3, rng.int(1e6), -1, 1.5]), commandObject];
        const argc = rng.int(4);
        for (let k = 0; k < argc; k++) {
          args.push(
            rng.bool(0.4) ? rng.pick([...FUZZ_STREAMS, 'good', '', 'a/b?c=d', 1, null]) : randomAmf(rng, 3),
          );
        }
        const streamId = rng.pick([0, 0, 1, 1, 2, 0xffffffff]);
        pieces.push(cmd(rng, args, streamId));
        if (rng.bool(0.2)) {
          const t = rng.pick([8, 9, 18, 22]);
          pieces.push(chunk(rng, t, rng.bytes(rng.size(300)), { csid: 6, streamId }));
        }
      }
      return { kind: 'rtmp-command-soup', target: 'rtmp', pieces, gapMs: rng.int(3), end: ends(rng) };
    },
  ],
  [
    'rtmp-garbage-media',
    12,
    (rng, c) => {
      const stream = rng.pick(FUZZ_STREAMS);
      const pieces = sessionStart(rng, 'publish', stream);
      const chunkSize = rng.pick([128, 4096, 60]);
      if (chunkSize !== 128) {
        const b = Buffer.alloc(4);
        b.writeUInt32BE(chunkSize);
        pieces.push(chunk(rng, 1, b, { csid: 2 }));
      }
      let ts = rng.pick([0, 0xfffff0, 0xffffff - 200, 0xffffffff - 300, rng.next()]);
      const n = rng.range(5, 120);
      for (let i = 0; i < n; i++) {
        const t = rng.bool(0.3) ? rng.pick(c.headerTags) : rng.pick(c.tags);
        let payload: Buffer = Buffer.from(t.data);
        const r = rng.int(10);
        if (r < 4) payload = mutate(rng, payload, rng.range(1, 6));
        else if (r < 5) payload = payload.subarray(0, rng.int(Math.min(payload.length, 8) + 1));
        else if (r < 6) payload = rng.bytes(rng.size(2048));
        let type = t.type as number;
        if (rng.bool(0.05)) type = rng.pick([8, 9, 18, 15, 22]);
        if (type === 18 && rng.bool(0.5)) payload = Buffer.concat([encodeAmf0(['@setDataFrame']), payload]);
        if (type === 22) {
          // an aggregate with one sub-message whose size may lie
          const sub = Buffer.alloc(11);
          sub[0] = rng.pick([8, 9, 18, 22]);
          sub.writeUIntBE(rng.bool(0.5) ? payload.length : rng.int(0xffffff), 1, 3);
          const back = Buffer.alloc(4);
          back.writeUInt32BE(rng.bool(0.5) ? payload.length + 11 : rng.next());
          payload = Buffer.concat([sub, payload, back]);
        }
        ts = rng.bool(0.1) ? rng.next() : (ts + rng.range(0, 80)) >>> 0;
        pieces.push(chunk(rng, type, payload, { csid: type === 8 ? 4 : 6, streamId: 1, ts, chunkSize }));
      }
      // Sometimes players of the same stream watch the garbage go by (the packers see it).
      const companions: FuzzCase[] = [];
      if (rng.bool(0.5)) {
        companions.push({
          kind: 'httpflv-player',
          target: 'http',
          pieces: [Buffer.from(`GET /live/${stream}.flv HTTP/1.1\r\nHost: x\r\n\r\n`)],
          gapMs: 0,
          end: rng.bool(0.8) ? 'hold' : 'freeze',
        });
      }
      if (rng.bool(0.3)) {
        const pull = c.pullSessions.get(stream);
        if (pull)
          companions.push({ kind: 'rtmp-player', target: 'rtmp', pieces: [pull], gapMs: 0, end: 'hold' });
      }
      return {
        kind: 'rtmp-garbage-media',
        target: 'rtmp',
        pieces,
        gapMs: rng.int(2),
        end: rng.pick(['fin', 'rst', 'hold'] as const),
        companions,
      };
    },
  ],
  [
    'http-random',
    3,
    (rng) => ({
      kind: 'http-random',
      target: 'http',
      pieces: split(rng, rng.bytes(rng.size(8192) + 1)),
      gapMs: rng.int(5),
      end: ends(rng),
    }),
  ],
  [
    'http-mutated-request',
    10,
    (rng) => {
      const req = httpRequest(rng);
      const bytes = rng.bool(0.8) ? mutateText(rng, req) : Buffer.from(req);
      return {
        kind: 'http-mutated-request',
        target: 'http',
        pieces: split(rng, bytes, 5),
        gapMs: rng.int(5),
        end: ends(rng),
      };
    },
  ],
  [
    'http-slow',
    1,
    (rng) => {
      const req = Buffer.from(httpRequest(rng));
      const cut = rng.range(1, req.length);
      const pieces: Buffer[] = [];
      for (let i = 0; i < Math.min(cut, 40); i++) pieces.push(req.subarray(i, i + 1));
      return { kind: 'http-slow', target: 'http', pieces, gapMs: rng.range(5, 20), end: 'hold' };
    },
  ],
  [
    'ws-frames',
    10,
    (rng) => {
      const stream = rng.bool(0.3) ? 'good' : rng.pick(FUZZ_STREAMS);
      const head = Buffer.from(
        `GET /live/${stream}.flv HTTP/1.1\r\nHost: x\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n` +
          `Sec-WebSocket-Key: ${rng.bytes(16).toString('base64')}\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      );
      const frames: Buffer[] = [];
      const n = rng.range(1, 20);
      for (let i = 0; i < n; i++) frames.push(wsFrame(rng));
      let body: Buffer = Buffer.concat(frames);
      if (rng.bool(0.3)) body = mutate(rng, body, rng.range(1, 4));
      return {
        kind: 'ws-frames',
        target: 'http',
        pieces: [head, ...split(rng, body, 6)],
        gapMs: rng.int(3),
        end: ends(rng),
      };
    },
  ],
];

const TOTAL_WEIGHT = GENERATORS.reduce((n, [, w]) => n + w, 0);

/** The generator names (for reports). */
export const CASE_KINDS: readonly string[] = GENERATORS.map(([k]) => k);

function httpRequest(rng: Prng): string {
  const stream = rng.bool(0.3) ? 'good' : rng.pick(FUZZ_STREAMS);
  const path = rng.pick([
    `/live/${stream}.flv`,
    `/live/${stream}.flv?token=${'a'.repeat(rng.size(3000))}`,
    `/live/sub/${stream}.flv`,
    `/${'a/'.repeat(rng.size(500))}x.flv`,
    '/live/%zz.flv',
    '/live/%00.flv',
    '/live/..%2f..%2fetc.flv',
    '/',
    '/live/x.mp4',
    '*',
    `http://h/live/${stream}.flv`,
  ]);
  const method = rng.pick(['GET', 'GET', 'GET', 'HEAD', 'OPTIONS', 'POST', 'PUT', 'get', 'G\x00T', '']);
  const version = rng.pick(['HTTP/1.1', 'HTTP/1.1', 'HTTP/1.0', 'HTTP/2.0', 'HTTP/1.1x', '']);
  const headers = ['Host: x'];
  if (rng.bool(0.3)) {
    headers.push(
      'Upgrade: websocket',
      'Connection: Upgrade',
      `Sec-WebSocket-Key: ${rng.bool(0.8) ? rng.bytes(16).toString('base64') : 'short'}`,
      `Sec-WebSocket-Version: ${rng.pick(['13', '8', '', '13, 8'])}`,
    );
  }
  if (rng.bool(0.2))
    headers.push(`Transfer-Encoding: chunked`, `Content-Length: ${rng.pick(['0', '-1', '99999999999'])}`);
  if (rng.bool(0.1)) for (let i = rng.range(50, 300); i > 0; i--) headers.push(`X-${i}: ${i}`);
  if (rng.bool(0.1)) headers.push(`X-Big: ${'b'.repeat(rng.range(4000, 20000))}`);
  if (rng.bool(0.1)) headers.push(' folded: continuation', 'NoColon', ': empty-name', 'Bad\x01Name: v');
  return `${method} ${path} ${version}\r\n${headers.join('\r\n')}\r\n\r\n`;
}

function mutateText(rng: Prng, s: string): Buffer {
  let t = s;
  const n = rng.range(1, 4);
  for (let i = 0; i < n; i++) {
    const at = rng.int(t.length + 1);
    switch (rng.int(6)) {
      case 0:
        t = t.slice(0, at) + t.slice(at + rng.range(1, 4)); // delete (a CR, an LF, a colon...)
        break;
      case 1:
        t =
          t.slice(0, at) +
          rng.pick(['\r\n', '\n', '\r', '\x00', ':', ' ', '\r\n\r\n', '%', 'é', '\xff']) +
          t.slice(at);
        break;
      case 2: {
        const lines = t.split('\r\n');
        const k = rng.int(lines.length);
        lines.splice(k, 0, lines[k] ?? '');
        t = lines.join('\r\n');
        break;
      }
      default:
        return mutate(rng, Buffer.from(t, 'latin1'), rng.range(1, 3));
    }
  }
  return Buffer.from(t, 'latin1');
}

/** One client WebSocket frame: usually well-formed, often not. */
function wsFrame(rng: Prng): Buffer {
  const opcode = rng.pick([0x0, 0x1, 0x2, 0x8, 0x9, 0xa, 0x3, 0xb, 0xf]);
  const fin = rng.bool(0.8);
  const masked = rng.bool(0.9);
  const rsv = rng.bool(0.05) ? rng.range(1, 7) << 4 : 0;
  let payload: Buffer;
  if (opcode === 0x8) {
    payload = Buffer.alloc(rng.pick([0, 1, 2, 2, 10]));
    if (payload.length >= 2)
      payload.writeUInt16BE(rng.pick([1000, 1001, 1005, 1006, 999, 4999, 5000, 0xffff]));
    if (payload.length > 2) payload.set(rng.bytes(payload.length - 2), 2);
  } else if (opcode === 0x1) {
    payload = rng.bool(0.5) ? Buffer.from('hello') : Buffer.from([0xc3, 0x28, 0xff]);
  } else {
    payload = rng.bytes(rng.pick([0, 5, 125, 126, 200, rng.size(70000)]));
  }
  let len: number | bigint = payload.length;
  if (rng.bool(0.1)) len = rng.pick<number | bigint>([2 ** 53, 2 ** 32, 65536 * 2, 0x7fffffffffffffffn]);
  const head: number[] = [(fin ? 0x80 : 0) | rsv | opcode];
  const m = masked ? 0x80 : 0;
  let ext = Buffer.alloc(0);
  if (typeof len === 'bigint' || len > 0xffff) {
    head.push(m | 127);
    ext = Buffer.alloc(8);
    ext.writeBigUInt64BE(BigInt(len));
  } else if (len < 126) {
    head.push(m | len);
  } else {
    head.push(m | 126);
    ext = Buffer.alloc(2);
    ext.writeUInt16BE(len);
  }
  const key = masked ? rng.bytes(4) : Buffer.alloc(0);
  const body = Buffer.from(payload);
  if (masked) for (let i = 0; i < body.length; i++) body[i] = (body[i] as number) ^ (key[i & 3] as number);
  return Buffer.concat([Buffer.from(head), ext, key, body]);
}

/** Case `index` of a run with `seed`. */
export function makeCase(seed: number, index: number, corpus: FuzzCorpus): FuzzCase {
  const rng = new Prng(caseSeed(seed, index));
  let r = rng.int(TOTAL_WEIGHT);
  for (const [, w, gen] of GENERATORS) {
    if (r < w) return gen(rng, corpus);
    r -= w;
  }
  const last = GENERATORS[GENERATORS.length - 1];
  if (!last) throw new Error('no generators');
  return last[2](rng, corpus);
}

// ---------------------------------------------------------------------------------------------
// Runner

export interface FuzzTarget {
  host: string;
  rtmpPort: number;
  httpPort: number;
}

export interface FuzzOptions {
  seed: number;
  /** Stop starting new cases after this long, ms. */
  durationMs: number;
  /** The first case index (a long run goes on in slices). Default 0. */
  firstCase?: number;
  /** Cases in flight at once. Default 16. */
  concurrency?: number;
  /** Longest a case's connection is kept (then destroyed), ms. Default 400. */
  caseTimeoutMs?: number;
  /** Called when a case starts (to name the cases in flight if something goes wrong). */
  onCaseStart?(index: number, c: FuzzCase): void;
  onCaseEnd?(index: number): void;
}

export interface FuzzStats {
  seed: number;
  cases: number;
  connections: number;
  byKind: Record<string, number>;
  /** Connections the server closed before the case's time was up. */
  serverClosed: number;
  /** Connections we closed (fin/rst) or destroyed at the case timeout. */
  clientClosed: number;
  connectErrors: number;
  bytesSent: number;
  elapsedMs: number;
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Runs one connection of a case; resolves when it is closed (by either side). */
function runConnection(c: FuzzCase, target: FuzzTarget, timeoutMs: number, stats: FuzzStats): Promise<void> {
  return new Promise((resolve) => {
    const port = c.target === 'rtmp' ? target.rtmpPort : target.httpPort;
    const s: Socket = connect(port, target.host);
    stats.connections++;
    let done = false;
    let connected = false;
    let timer: NodeJS.Timeout | undefined;
    const finish = (byServer: boolean): void => {
      if (done) return;
      done = true;
      if (timer) clearTimeout(timer);
      if (byServer) stats.serverClosed++;
      else stats.clientClosed++;
      s.destroy();
      resolve();
    };
    s.on('error', () => {
      if (!connected) stats.connectErrors++;
      finish(connected);
    });
    s.on('close', () => finish(true));
    s.on('end', () => finish(true));
    s.on('data', () => {});
    timer = setTimeout(() => finish(false), timeoutMs);
    s.once('connect', async () => {
      connected = true;
      for (const p of c.pieces) {
        if (done || s.destroyed) return;
        s.write(p);
        stats.bytesSent += p.length;
        if (c.gapMs > 0) await sleep(c.gapMs);
      }
      if (done) return;
      switch (c.end) {
        case 'fin':
          s.end();
          break;
        case 'rst':
          s.resetAndDestroy();
          finish(false);
          break;
        case 'freeze':
          s.pause();
          s.removeAllListeners('data');
          break;
        default:
          break; // hold: read until the server closes or the time is up
      }
    });
  });
}

async function runCase(c: FuzzCase, target: FuzzTarget, timeoutMs: number, stats: FuzzStats): Promise<void> {
  const companions = (c.companions ?? []).map((x) => runConnection(x, target, timeoutMs + 200, stats));
  if (companions.length > 0) await sleep(5);
  await runConnection(c, target, timeoutMs, stats);
  await Promise.all(companions);
}

/**
 * Runs cases 0, 1, 2, ... of `seed` against `target`, `concurrency` at a time, until `durationMs` has
 * passed. Never throws for what the server does (refusals, resets, silence are all fine).
 */
export async function runFuzz(corpus: FuzzCorpus, target: FuzzTarget, opts: FuzzOptions): Promise<FuzzStats> {
  const stats: FuzzStats = {
    seed: opts.seed,
    cases: 0,
    connections: 0,
    byKind: {},
    serverClosed: 0,
    clientClosed: 0,
    connectErrors: 0,
    bytesSent: 0,
    elapsedMs: 0,
  };
  const t0 = performance.now();
  const end = t0 + opts.durationMs;
  const timeoutMs = opts.caseTimeoutMs ?? 400;
  let next = opts.firstCase ?? 0;
  const worker = async (): Promise<void> => {
    while (performance.now() < end) {
      const index = next++;
      const c = makeCase(opts.seed, index, corpus);
      stats.cases++;
      stats.byKind[c.kind] = (stats.byKind[c.kind] ?? 0) + 1;
      opts.onCaseStart?.(index, c);
      await runCase(c, target, timeoutMs, stats);
      opts.onCaseEnd?.(index);
    }
  };
  await Promise.all(Array.from({ length: opts.concurrency ?? 16 }, () => worker()));
  stats.elapsedMs = performance.now() - t0;
  return stats;
}

// ---------------------------------------------------------------------------------------------
// Memory

/** A full GC (node --expose-gc, or switched on here through V8 flags). */
export function getGc(): () => void {
  if (typeof globalThis.gc === 'function') {
    const g = globalThis.gc;
    return () => {
      g();
    };
  }
  setFlagsFromString('--expose_gc');
  const g = runInNewContext('gc') as () => void;
  return g;
}

/** heapUsed after a few full GCs, bytes. */
export async function settledHeap(gc: () => void): Promise<number> {
  for (let i = 0; i < 3; i++) {
    gc();
    await sleep(20);
  }
  return process.memoryUsage().heapUsed;
}
