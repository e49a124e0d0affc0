import { createHmac, randomFillSync, timingSafeEqual } from 'node:crypto';
import { be32, putBe32 } from '../../util/bele.js';
import { ByteQueue } from '../../util/byte-queue.js';
import { InvalidArgError, type LalError, ProtocolError, UnsupportedError } from '../../util/errors.js';

/*
 * RTMP handshake (Adobe "RTMP Specification 1.0" 5.2):
 *
 *   client                                server
 *   C0 (1: version 3) + C1 (1536)  ---->
 *                                  <----  S0 (1) + S1 (1536) + S2 (1536)
 *   C2 (1536)                      ---->
 *   chunk stream ...               <--->
 *
 *   C1/S1 = time (4) | zero (4) | random (1528)        C2/S2 = time (4) | time2 (4) | echo of S1/C1 random
 *
 * The complex ("digest", "FP9") handshake is not in that spec; it is what Flash Player / FMS do and
 * what ffmpeg, librtmp, nginx-rtmp, SRS and lal implement. C1/S1 keep the 8-byte prefix but the
 * second field is a non-zero version, and the 1528 bytes are two 764-byte blocks:
 *
 *   digest block = offset (4) | random (offset) | digest (32) | random (764 - 4 - 32 - offset)
 *                  offset = (sum of the 4 offset bytes) % 728
 *   key block    = random (offset) | key (128) | random (764 - 128 - 4 - offset) | offset (4)
 *                  (the key is a Diffie-Hellman public key used only by encrypted RTMPE; unused here)
 *   schema 0 = time | version | key block | digest block   -> digest at 776 + sum(c1[772..775]) % 728
 *   schema 1 = time | version | digest block | key block   -> digest at 12 + sum(c1[8..11]) % 728
 *
 *   C1 digest = HMAC-SHA256(key = first 30 bytes of the Flash Player key, C1 without the digest)
 *   S1 digest = HMAC-SHA256(key = first 36 bytes of the FMS key,          S1 without the digest)
 *   S2 = random (1504) | HMAC-SHA256(key = HMAC-SHA256(FMS key (68), C1 digest), S2[0..1504])
 *   C2 = random (1504) | HMAC-SHA256(key = HMAC-SHA256(FP key (62), S1 digest),  C2[0..1504])
 *
 * A server answers a complex C1 with a complex S1/S2 (ffmpeg, when playing, checks both and drops
 * the connection otherwise) and a simple or unverifiable C1 with a simple echo, as nginx-rtmp, SRS
 * and lal do. Nobody checks C2, so the server only waits for its 1536 bytes.
 */

/** RTMP version in C0/S0 (spec 5.2.2). */
export const RTMP_VERSION = 3;
/** Length of C1/S1/C2/S2. */
export const HANDSHAKE_PACKET_SIZE = 1536;

const DIGEST_LEN = 32;
/** The 32 bytes every Genuine Adobe key ends with. */
const KEY_TAIL = Buffer.from('f0eec24a8068bee82e00d0d1029e7e576eec5d2d29806fab93b8e636cfeb31ae', 'hex');
/** "Genuine Adobe Flash Player 001" + tail: the client key (30-byte prefix for C1, 62 bytes for C2). */
const FP_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Player 001', 'latin1'), KEY_TAIL]);
/** "Genuine Adobe Flash Media Server 001" + tail: the server key (36 for S1, 68 bytes for S2). */
const FMS_KEY = Buffer.concat([Buffer.from('Genuine Adobe Flash Media Server 001', 'latin1'), KEY_TAIL]);
const FP_KEY_C1 = FP_KEY.subarray(0, 30);
const FMS_KEY_S1 = FMS_KEY.subarray(0, 36);

/** Version field this server writes in a complex S1 (as nginx-rtmp and lal: 13.14.10.13). */
const SERVER_VERSION = 0x0d0e0a0d;
/** Version field this client writes in a complex C1 (ffmpeg's: Flash Player 9.0.124.2). */
const CLIENT_VERSION = 0x09007c02;

/** Which layout a complex C1/S1 uses (see the file comment). */
export type HandshakeSchema = 0 | 1;

/** What a completed handshake found out about the peer. */
export interface HandshakeInfo {
  /** 'complex' when the peer's C1 (server side) or S1 (client side) digest validated. */
  mode: 'simple' | 'complex';
  /** The layout the peer's digest validated in; undefined in simple mode. */
  schema: HandshakeSchema | undefined;
  /** The peer's C1/S1 version field (bytes 4..7), e.g. 0x09007c02 for Flash Player 9.0.124.2; 0 for simple. */
  peerVersion: number;
  /** The peer's C1/S1 time field (u32, milliseconds on the peer's own epoch). */
  peerTimeMs: number;
  /**
   * Client side only: whether S2 was what a correct server sends (in complex mode its digest
   * validated; in simple mode it echoed C1's random bytes). Informational: real clients go on
   * either way. Undefined on the server side (nobody checks C2).
   */
  peerEchoValid: boolean | undefined;
}

/** Receives what a handshake produces; passed at construction. */
export interface HandshakeHandler {
  /** Bytes to write to the peer, in order. New; the caller owns them. */
  onSend(bytes: Uint8Array): void;
  /**
   * The handshake is complete. `rest` holds the bytes received after it (they belong to the chunk
   * stream: feed them to a ChunkReader); possibly empty; shared, read-only.
   */
  onDone(info: HandshakeInfo, rest: Uint8Array): void;
}

/** Options shared by HandshakeServer and HandshakeClient. */
export interface HandshakeOptions {
  /** Fills a buffer with random bytes. Default node:crypto randomFillSync; inject for golden tests. */
  random?: (out: Uint8Array) => void;
  /** This side's clock for the time fields, in ms (taken modulo 2^32). Default process uptime. */
  nowMs?: () => number;
}

/** Options of HandshakeClient. */
export interface HandshakeClientOptions extends HandshakeOptions {
  /**
   * Send a complex (digest) C1, as Flash Player, ffmpeg and OBS do. Default true: some servers
   * (CDN ingest, FMS-derived) only talk to such clients, and every server accepts it.
   */
  complex?: boolean;
  /** Layout of the complex C1. Default 1 (digest block first), as ffmpeg sends. */
  schema?: HandshakeSchema;
}

/** Where a handshake is. A timeout (the adapter's job) applies to every state before Done. */
export enum HandshakeState {
  /** Client: created, `start()` not yet called. */
  Idle = 'idle',
  /** Server: waiting for C0 + C1. */
  WaitC0C1 = 'wait-c0c1',
  /** Server: S0 + S1 + S2 sent, waiting for C2. */
  WaitC2 = 'wait-c2',
  /** Client: C0 + C1 sent, waiting for S0 + S1. */
  WaitS0S1 = 'wait-s0s1',
  /** Client: C2 sent, waiting for S2. */
  WaitS2 = 'wait-s2',
  Done = 'done',
  Failed = 'failed',
}

function defaultNowMs(): number {
  return Math.floor(performance.now());
}

/** HMAC-SHA256 of `b` without the 32 bytes at `digestOff`. */
function digestExcluding(b: Uint8Array, digestOff: number, key: Uint8Array): Buffer {
  return createHmac('sha256', key)
    .update(b.subarray(0, digestOff))
    .update(b.subarray(digestOff + DIGEST_LEN))
    .digest();
}

function hmac(key: Uint8Array, data: Uint8Array): Buffer {
  return createHmac('sha256', key).update(data).digest();
}

/** Offset of the digest inside a 1536-byte C1/S1 of the given schema. */
function digestOffset(c1: Uint8Array, schema: HandshakeSchema): number {
  const base = schema === 0 ? 772 : 8;
  const sum =
    (c1[base] as number) + (c1[base + 1] as number) + (c1[base + 2] as number) + (c1[base + 3] as number);
  return (sum % 728) + base + 4;
}

/** Finds the schema whose digest validates (schema 0 tried first, as SRS, lal and ffmpeg do). */
function findDigest(c1: Uint8Array, key: Uint8Array): { schema: HandshakeSchema; offset: number } | null {
  for (const schema of [0, 1] as const) {
    const offset = digestOffset(c1, schema);
    const want = digestExcluding(c1, offset, key);
    if (timingSafeEqual(want, c1.subarray(offset, offset + DIGEST_LEN))) return { schema, offset };
  }
  return null;
}

/** Writes the digest of a 1536-byte C1/S1 in place; returns it. */
function imprintDigest(b: Uint8Array, schema: HandshakeSchema, key: Uint8Array): Buffer {
  const offset = digestOffset(b, schema);
  const digest = digestExcluding(b, offset, key);
  b.set(digest, offset);
  return digest;
}

/** Fills a 1536-byte C2/S2 answer to a complex C1/S1 whose digest was `peerDigest`. */
function fillDigestReply(out: Uint8Array, peerDigest: Uint8Array, fullKey: Uint8Array): void {
  const key = hmac(fullKey, peerDigest);
  const sig = hmac(key, out.subarray(0, HANDSHAKE_PACKET_SIZE - DIGEST_LEN));
  out.set(sig, HANDSHAKE_PACKET_SIZE - DIGEST_LEN);
}

function replyValid(reply: Uint8Array, ourDigest: Uint8Array, fullKey: Uint8Array): boolean {
  const key = hmac(fullKey, ourDigest);
  const sig = hmac(key, reply.subarray(0, HANDSHAKE_PACKET_SIZE - DIGEST_LEN));
  return timingSafeEqual(sig, reply.subarray(HANDSHAKE_PACKET_SIZE - DIGEST_LEN));
}

/** Checks C0/S0. 3 is RTMP; 6 and 8 are encrypted RTMPE; 32 and up cannot be RTMP (spec 5.2.2). */
function checkVersion(v: number, what: string): void {
  if (v === RTMP_VERSION) return;
  if (v === 6 || v === 8) {
    throw new UnsupportedError(`rtmp: handshake: ${what} version ${v} (encrypted RTMPE) is not supported`);
  }
  if (v >= 32) {
    throw new ProtocolError(`rtmp: handshake: ${what} version ${v} (0x${v.toString(16)}): not RTMP`);
  }
  throw new UnsupportedError(`rtmp: handshake: ${what} version ${v} is not supported (want 3)`);
}

/** Common plumbing of the two state machines. */
abstract class Handshake {
  protected readonly handler: HandshakeHandler;
  protected readonly random: (out: Uint8Array) => void;
  protected readonly nowMs: () => number;
  protected readonly queue = new ByteQueue();
  protected st: HandshakeState;
  private error: LalError | null = null;

  constructor(handler: HandshakeHandler, options: HandshakeOptions, initial: HandshakeState) {
    this.handler = handler;
    this.random = options.random ?? randomFillSync;
    this.nowMs = options.nowMs ?? defaultNowMs;
    this.st = initial;
  }

  get state(): HandshakeState {
    return this.st;
  }

  /** True once done (then hand the connection over to the chunk layer). */
  get done(): boolean {
    return this.st === HandshakeState.Done;
  }

  /** Bytes received from the peer. Shared: views may be kept until the handshake is done. */
  feed(chunk: Uint8Array): void {
    if (this.error !== null) throw this.error;
    if (this.st === HandshakeState.Done) {
      throw new InvalidArgError('rtmp: handshake: feed after done (send the bytes to the chunk reader)');
    }
    this.queue.push(chunk);
    try {
      this.step();
    } catch (e) {
      this.st = HandshakeState.Failed;
      this.error = e as LalError;
      throw e;
    }
  }

  protected abstract step(): void;

  protected finish(info: HandshakeInfo): void {
    this.st = HandshakeState.Done;
    const rest = this.queue.read(this.queue.length);
    this.queue.clear();
    this.handler.onDone(info, rest);
  }
}

/**
 * Server side of the handshake, sans-IO. Feed it what the client sends; it answers C0+C1 with
 * S0+S1+S2 in one `onSend` (complex when the C1 digest validates in schema 0 or 1, else simple),
 * then waits for C2 and calls `onDone` with any bytes that followed it.
 */
export class HandshakeServer extends Handshake {
  private info: HandshakeInfo | null = null;

  constructor(handler: HandshakeHandler, options: HandshakeOptions = {}) {
    super(handler, options, HandshakeState.WaitC0C1);
  }

  protected step(): void {
    const q = this.queue;
    if (this.st === HandshakeState.WaitC0C1) {
      if (q.length < 1) return;
      checkVersion(q.peekU8(0), 'C0');
      if (q.length < 1 + HANDSHAKE_PACKET_SIZE) return;
      q.skip(1);
      this.answer(q.read(HANDSHAKE_PACKET_SIZE));
      this.st = HandshakeState.WaitC2;
    }
    if (this.st === HandshakeState.WaitC2 && q.length >= HANDSHAKE_PACKET_SIZE && this.info !== null) {
      q.skip(HANDSHAKE_PACKET_SIZE);
      this.finish(this.info);
    }
  }

  private answer(c1: Uint8Array): void {
    const peerTimeMs = be32(c1, 0);
    const peerVersion = be32(c1, 4);
    // A zero version means a simple C1 (nothing to validate); otherwise look for the digest and
    // fall back to simple when it does not validate, like nginx-rtmp, SRS and lal.
    const found = peerVersion === 0 ? null : findDigest(c1, FP_KEY_C1);
    const now = this.nowMs();
    const out = Buffer.allocUnsafe(1 + 2 * HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const s1 = out.subarray(1, 1 + HANDSHAKE_PACKET_SIZE);
    const s2 = out.subarray(1 + HANDSHAKE_PACKET_SIZE);
    putBe32(s1, 0, now);
    this.random(s1.subarray(8));
    if (found === null) {
      putBe32(s1, 4, 0);
      // S2 echoes C1 byte for byte. Spec 5.2.4 puts our read time in bytes 4..7, but librtmp compares
      // all 1536 bytes (and warns), and nginx-rtmp and lal echo C1 whole; clients ignore time2.
      s2.set(c1);
    } else {
      putBe32(s1, 4, SERVER_VERSION);
      imprintDigest(s1, found.schema, FMS_KEY_S1);
      this.random(s2);
      fillDigestReply(s2, c1.subarray(found.offset, found.offset + DIGEST_LEN), FMS_KEY);
    }
    this.info = {
      mode: found === null ? 'simple' : 'complex',
      schema: found?.schema,
      peerVersion,
      peerTimeMs,
      peerEchoValid: undefined,
    };
    this.handler.onSend(out);
  }
}

/**
 * Client side of the handshake, sans-IO. `start()` emits C0+C1; feed it what the server sends. C2
 * goes out as soon as S1 is in (as librtmp does; a server may hold S2 back until then), then the
 * client waits for S2 and calls `onDone` with any bytes that followed it.
 *
 * Checks are lenient as in real clients: when we sent a complex C1 and S1 carries a version and a
 * digest that validates, C2 answers with a digest (which FMS-style servers check); otherwise C2
 * echoes S1. S2 is checked but only reported (`peerEchoValid`).
 */
export class HandshakeClient extends Handshake {
  private readonly complex: boolean;
  private readonly schema: HandshakeSchema;
  private c1: Buffer | null = null;
  private c1Digest: Buffer | null = null;
  private info: HandshakeInfo | null = null;

  constructor(handler: HandshakeHandler, options: HandshakeClientOptions = {}) {
    super(handler, options, HandshakeState.Idle);
    this.complex = options.complex ?? true;
    this.schema = options.schema ?? 1;
  }

  /** Emits C0 + C1 (one `onSend`). Call once, before feeding. */
  start(): void {
    if (this.st !== HandshakeState.Idle) throw new InvalidArgError('rtmp: handshake: start called twice');
    const out = Buffer.allocUnsafe(1 + HANDSHAKE_PACKET_SIZE);
    out[0] = RTMP_VERSION;
    const c1 = out.subarray(1);
    putBe32(c1, 0, this.nowMs());
    putBe32(c1, 4, this.complex ? CLIENT_VERSION : 0);
    this.random(c1.subarray(8));
    if (this.complex) this.c1Digest = imprintDigest(c1, this.schema, FP_KEY_C1);
    this.c1 = c1;
    this.st = HandshakeState.WaitS0S1;
    this.handler.onSend(out);
  }

  protected step(): void {
    const q = this.queue;
    if (this.st === HandshakeState.Idle) {
      throw new InvalidArgError('rtmp: handshake: feed before start');
    }
    if (this.st === HandshakeState.WaitS0S1) {
      if (q.length < 1) return;
      const v = q.peekU8(0);
      // Clients go on whatever version the server answers (librtmp warns, ffmpeg ignores it),
      // but a byte of 32 or more is not RTMP at all.
      if (v >= 32) checkVersion(v, 'S0');
      if (q.length < 1 + HANDSHAKE_PACKET_SIZE) return;
      q.skip(1);
      this.answer(q.read(HANDSHAKE_PACKET_SIZE));
      this.st = HandshakeState.WaitS2;
    }
    if (this.st === HandshakeState.WaitS2 && q.length >= HANDSHAKE_PACKET_SIZE && this.info !== null) {
      const s2 = q.read(HANDSHAKE_PACKET_SIZE);
      const c1 = this.c1 as Buffer;
      const info = this.info;
      if (info.mode === 'complex' && this.c1Digest !== null) {
        info.peerEchoValid = replyValid(s2, this.c1Digest, FMS_KEY);
      } else {
        info.peerEchoValid = Buffer.compare(s2.subarray(8), c1.subarray(8)) === 0;
      }
      this.finish(info);
    }
  }

  private answer(s1: Uint8Array): void {
    const peerTimeMs = be32(s1, 0);
    const peerVersion = be32(s1, 4);
    const found = this.complex && peerVersion !== 0 ? findDigest(s1, FMS_KEY_S1) : null;
    const c2 = Buffer.allocUnsafe(HANDSHAKE_PACKET_SIZE);
    if (found === null) {
      putBe32(c2, 0, peerTimeMs);
      putBe32(c2, 4, this.nowMs());
      c2.set(s1.subarray(8), 8);
    } else {
      this.random(c2);
      fillDigestReply(c2, s1.subarray(found.offset, found.offset + DIGEST_LEN), FP_KEY);
    }
    this.info = {
      mode: found === null ? 'simple' : 'complex',
      schema: found?.schema,
      peerVersion,
      peerTimeMs,
      peerEchoValid: undefined,
    };
    this.handler.onSend(c2);
  }
}
