import {
  type MediaKind,
  type MediaMessage,
  type MediaMessageType,
  newMediaMessage,
} from '../base/media-message.js';
import { SlabPool } from './slab-pool.js';

/** Options of GopCache; every field has a default. */
export interface GopCacheOptions {
  /**
   * GOPs kept, the one being received included (1: from the latest key frame on). 0 disables
   * caching: new players wait for the next key frame. Default 1.
   */
  gopNum?: number;
  /** Most messages (audio + video) held across all cached GOPs. Default 4096. */
  maxMessages?: number;
  /** Most payload bytes held across all cached GOPs. Default 32 MiB. */
  maxBytes?: number;
  /**
   * Where the payload blocks come from and go back to. A server shares one among all its streams
   * (see SlabPool); default: a pool of this cache's own.
   */
  pool?: SlabPool;
}
/** Index fields per cached message: block, offset, length, timestamp (as i32), type, kind code. */
const FIELDS = 6;

/** The kinds a GOP holds, as small integers for the index (headers and script data are kept apart). */
const KINDS: readonly MediaKind[] = [
  'video-key-frame',
  'video-frame',
  'video-other',
  'audio-frame',
  'audio-other',
];
/** The index of `kind` in KINDS (a switch: it runs per cached message). */
function kindCode(kind: MediaKind): number {
  switch (kind) {
    case 'video-key-frame':
      return 0;
    case 'video-frame':
      return 1;
    case 'video-other':
      return 2;
    case 'audio-frame':
      return 3;
    default:
      return 4;
  }
}

/**
 * One GOP: payloads copied back to back into blocks from a SlabPool, and a flat index of the
 * messages. No per-message object lives here for longer than a snapshot needs it: the long-lived
 * heap holds a handful of objects per GOP whatever its length. A GOP that no snapshot has exposed
 * gives its blocks back to the pool when dropped, and its index is reused by a later GOP, so a
 * server with thousands of cached streams and no new players allocates almost nothing in steady
 * state and stays out of garbage-collection work (bench/README.md, "GOP cache storage").
 */
class Gop {
  readonly blocks: Buffer[] = [];
  /** Bytes used in the last block. */
  private used = 0;
  private index = new Int32Array(64 * FIELDS);
  count = 0;
  bytes = 0;
  /** Messages handed out by snapshots so far (a prefix of the GOP), shared by later snapshots. */
  private readonly handedOut: MediaMessage[] = [];

  /** True when no snapshot has seen this GOP: its bytes are referenced only here and may be reused. */
  get reusable(): boolean {
    return this.handedOut.length === 0;
  }

  /** Gives the blocks of a reusable GOP back to `pool` and empties it for reuse. */
  recycle(pool: SlabPool): void {
    for (const b of this.blocks) pool.give(b);
    this.blocks.length = 0;
    this.used = 0;
    this.count = 0;
    this.bytes = 0;
  }

  /** Copies `msg` in, taking a new block of `blockSize` bytes (or the payload's size) when needed. */
  add(msg: MediaMessage, kindCode: number, pool: SlabPool, blockSize: number): void {
    const len = msg.payload.length;
    let block = this.blocks[this.blocks.length - 1];
    if (block === undefined || block.length - this.used < len) {
      // A payload larger than a block gets one of its own size (not pooled).
      block = len <= blockSize ? pool.take(blockSize) : Buffer.allocUnsafeSlow(len);
      this.blocks.push(block);
      this.used = 0;
    }
    block.set(msg.payload, this.used);
    let idx = this.index;
    const at = this.count * FIELDS;
    if (at + FIELDS > idx.length) {
      idx = new Int32Array(idx.length * 2);
      idx.set(this.index);
      this.index = idx;
    }
    idx[at] = this.blocks.length - 1;
    idx[at + 1] = this.used;
    idx[at + 2] = len;
    idx[at + 3] = msg.timestampMs | 0;
    idx[at + 4] = msg.type;
    idx[at + 5] = kindCode;
    this.used += len;
    this.count++;
    this.bytes += len;
  }

  /** Appends the GOP's messages to `out`, making message objects only for those not handed out yet. */
  appendTo(out: MediaMessage[]): void {
    const h = this.handedOut;
    const idx = this.index;
    for (let i = h.length; i < this.count; i++) {
      const at = i * FIELDS;
      const block = this.blocks[idx[at] as number] as Buffer;
      const off = idx[at + 1] as number;
      h.push(
        newMediaMessage(
          idx[at + 4] as MediaMessageType,
          (idx[at + 3] as number) >>> 0,
          block.subarray(off, off + (idx[at + 2] as number)),
          KINDS[idx[at + 5] as number] as MediaKind,
        ),
      );
    }
    for (const m of h) out.push(m);
  }
}

/**
 * Per-stream cache that lets a new player start at once: the latest metadata and sequence headers,
 * plus the newest `gopNum` GOPs (the one being received included), each starting on a video key
 * frame.
 *
 * Storage: the payloads of a GOP are copied into pooled blocks (about a quarter of the previous GOP
 * each, rounded to a power of two), with a flat numeric index, instead of keeping the incoming
 * message objects. The publisher's messages are then short-lived (their socket read buffers and
 * packed bytes are freed as soon as they are written), and a dropped GOP's blocks go back to the
 * pool unless a snapshot exposed them. Message objects for the cached frames are made when a player joins, once per
 * GOP: later joiners share them and the bytes packed for them. The headers are copied too, so
 * nothing here keeps a socket read buffer alive.
 *
 * Audio-only streams have no key frames, so nothing but metadata and sequence headers is cached and
 * a player starts with the next audio frame. A sequence header that changes (encoder restart,
 * resolution change) empties the GOPs, since they can no longer be decoded with the new one. When a
 * single GOP outgrows the caps the cache drops it and waits for the next key frame.
 */
export class GopCache {
  readonly gopNum: number;
  private readonly maxMessages: number;
  private readonly maxBytes: number;
  private gops: Gop[] = [];
  private messages = 0;
  private bytes = 0;
  /** True while the current GOP is being recorded (false after an overflow until the next key frame). */
  private recording = false;
  /** A dropped GOP kept for reuse by the next one (its index array; see Gop). */
  private spare: Gop | undefined;
  private readonly pool: SlabPool;
  /** Pooled block size for the current GOP. */
  private blockSize = SlabPool.blockSize(16 * 1024);
  metadata: MediaMessage | undefined;
  videoSeqHeader: MediaMessage | undefined;
  audioSeqHeader: MediaMessage | undefined;

  constructor(opts: GopCacheOptions = {}) {
    this.gopNum = opts.gopNum ?? 1;
    this.maxMessages = opts.maxMessages ?? 4096;
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
    this.pool = opts.pool ?? new SlabPool({ maxFreeBytes: 4 * 1024 * 1024 });
  }

  /** Messages and payload bytes held in GOPs, and the bytes of the blocks holding them. */
  get size(): { gops: number; messages: number; bytes: number; blockBytes: number } {
    let blockBytes = 0;
    for (const g of this.gops) for (const b of g.blocks) blockBytes += b.length;
    return { gops: this.gops.length, messages: this.messages, bytes: this.bytes, blockBytes };
  }

  /** Records one message of the stream, in order (its payload is copied; `msg` is not retained). */
  push(msg: MediaMessage): void {
    switch (msg.kind) {
      case 'metadata':
        this.metadata = ownCopy(msg);
        return;
      case 'video-sequence-header':
        if (this.videoSeqHeader && !samePayload(this.videoSeqHeader, msg)) this.clearGops();
        this.videoSeqHeader = ownCopy(msg);
        return;
      case 'audio-sequence-header':
        if (this.audioSeqHeader && !samePayload(this.audioSeqHeader, msg)) this.clearGops();
        this.audioSeqHeader = ownCopy(msg);
        return;
      case 'video-key-frame': {
        if (this.gopNum === 0) return;
        const prev = this.gops[this.gops.length - 1];
        // Blocks of about a quarter of a GOP: little unused tail, a handful of blocks per GOP.
        if (prev !== undefined && this.recording) this.blockSize = SlabPool.blockSize(prev.bytes / 4);
        while (this.gops.length >= this.gopNum) this.dropOldest();
        this.gops.push(this.newGop());
        this.recording = true;
        break;
      }
      case 'script':
      case 'unknown':
        return;
      default:
        break;
    }
    if (!this.recording) return;
    const cur = this.gops[this.gops.length - 1];
    if (!cur) return;
    const len = msg.payload.length;
    this.messages++;
    this.bytes += len;
    while (this.messages > this.maxMessages || this.bytes > this.maxBytes) {
      if (this.gops.length === 1) {
        // The current GOP alone is too big: stop caching until the next key frame.
        this.clearGops();
        return;
      }
      this.dropOldest();
    }
    cur.add(msg, kindCode(msg.kind), this.pool, this.blockSize);
  }

  /**
   * What a new player is sent first, in order: metadata, sequence headers, then the newest
   * `maxGops` cached GOPs (default all). The first video frame in it is always a key frame. The
   * messages are shared with other snapshots of the same GOPs (read-only, like every MediaMessage).
   */
  snapshot(maxGops = this.gopNum): MediaMessage[] {
    const out: MediaMessage[] = [];
    if (this.metadata) out.push(this.metadata);
    if (this.videoSeqHeader) out.push(this.videoSeqHeader);
    if (this.audioSeqHeader) out.push(this.audioSeqHeader);
    const from = Math.max(0, this.gops.length - maxGops);
    for (let i = from; i < this.gops.length; i++) (this.gops[i] as Gop).appendTo(out);
    return out;
  }

  /** Forgets everything (publisher gone); the blocks go back to the pool. */
  clear(): void {
    this.clearGops();
    this.spare = undefined;
    this.metadata = undefined;
    this.videoSeqHeader = undefined;
    this.audioSeqHeader = undefined;
  }

  private clearGops(): void {
    for (const g of this.gops) this.keepSpare(g);
    this.gops = [];
    this.messages = 0;
    this.bytes = 0;
    this.recording = false;
  }

  private dropOldest(): void {
    const g = this.gops.shift();
    if (!g) return;
    this.messages -= g.count;
    this.bytes -= g.bytes;
    this.keepSpare(g);
  }

  private keepSpare(g: Gop): void {
    if (!g.reusable) return;
    g.recycle(this.pool);
    this.spare ??= g;
  }

  private newGop(): Gop {
    const g = this.spare;
    if (g === undefined) return new Gop();
    this.spare = undefined;
    return g;
  }
}

/** The same message with a payload of its own (not a view into a larger buffer it would keep alive). */
function ownCopy(msg: MediaMessage): MediaMessage {
  const payload = Buffer.allocUnsafeSlow(msg.payload.length);
  payload.set(msg.payload);
  return newMediaMessage(msg.type, msg.timestampMs, payload, msg.kind);
}

function samePayload(a: MediaMessage, b: MediaMessage): boolean {
  return a.payload.length === b.payload.length && Buffer.compare(a.payload, b.payload) === 0;
}
