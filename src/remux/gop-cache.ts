import type { MediaMessage } from '../base/media-message.js';

/** Options of GopCache; every field has a default. */
export interface GopCacheOptions {
  /** GOPs kept (the newest ones). 0 disables caching: new players wait for the next key frame. Default 2. */
  gopNum?: number;
  /** Most messages (audio + video) held across all cached GOPs. Default 4096. */
  maxMessages?: number;
  /** Most payload bytes held across all cached GOPs. Default 32 MiB. */
  maxBytes?: number;
}

interface Gop {
  msgs: MediaMessage[];
  bytes: number;
}

/**
 * Per-stream cache that lets a new player start at once: the latest metadata and sequence headers,
 * plus the newest `gopNum` GOPs, each starting on a video key frame. Holds references to shared
 * MediaMessages (their packed bytes included), never copies.
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
  metadata: MediaMessage | undefined;
  videoSeqHeader: MediaMessage | undefined;
  audioSeqHeader: MediaMessage | undefined;

  constructor(opts: GopCacheOptions = {}) {
    this.gopNum = opts.gopNum ?? 2;
    this.maxMessages = opts.maxMessages ?? 4096;
    this.maxBytes = opts.maxBytes ?? 32 * 1024 * 1024;
  }

  /** Messages and payload bytes held in GOPs. */
  get size(): { gops: number; messages: number; bytes: number } {
    return { gops: this.gops.length, messages: this.messages, bytes: this.bytes };
  }

  /** Records one message of the stream, in order. */
  push(msg: MediaMessage): void {
    switch (msg.kind) {
      case 'metadata':
        this.metadata = msg;
        return;
      case 'video-sequence-header':
        if (this.videoSeqHeader && !samePayload(this.videoSeqHeader, msg)) this.clearGops();
        this.videoSeqHeader = msg;
        return;
      case 'audio-sequence-header':
        if (this.audioSeqHeader && !samePayload(this.audioSeqHeader, msg)) this.clearGops();
        this.audioSeqHeader = msg;
        return;
      case 'video-key-frame':
        if (this.gopNum === 0) return;
        this.gops.push({ msgs: [], bytes: 0 });
        this.recording = true;
        while (this.gops.length > this.gopNum) this.dropOldest();
        break;
      case 'script':
      case 'unknown':
        return;
      default:
        break;
    }
    if (!this.recording) return;
    const cur = this.gops[this.gops.length - 1];
    if (!cur) return;
    cur.msgs.push(msg);
    cur.bytes += msg.payload.length;
    this.messages++;
    this.bytes += msg.payload.length;
    while (this.messages > this.maxMessages || this.bytes > this.maxBytes) {
      if (this.gops.length === 1) {
        // The current GOP alone is too big: stop caching until the next key frame.
        this.clearGops();
        return;
      }
      this.dropOldest();
    }
  }

  /**
   * What a new player is sent first, in order: metadata, sequence headers, then the newest
   * `maxGops` cached GOPs (default all). The first video frame in it is always a key frame.
   */
  snapshot(maxGops = this.gopNum): MediaMessage[] {
    const out: MediaMessage[] = [];
    if (this.metadata) out.push(this.metadata);
    if (this.videoSeqHeader) out.push(this.videoSeqHeader);
    if (this.audioSeqHeader) out.push(this.audioSeqHeader);
    const from = Math.max(0, this.gops.length - maxGops);
    for (let i = from; i < this.gops.length; i++) {
      const g = this.gops[i] as Gop;
      for (const m of g.msgs) out.push(m);
    }
    return out;
  }

  /** Forgets everything (publisher gone). */
  clear(): void {
    this.clearGops();
    this.metadata = undefined;
    this.videoSeqHeader = undefined;
    this.audioSeqHeader = undefined;
  }

  private clearGops(): void {
    this.gops = [];
    this.messages = 0;
    this.bytes = 0;
    this.recording = false;
  }

  private dropOldest(): void {
    const g = this.gops.shift();
    if (!g) return;
    this.messages -= g.msgs.length;
    this.bytes -= g.bytes;
  }
}

function samePayload(a: MediaMessage, b: MediaMessage): boolean {
  return a.payload.length === b.payload.length && Buffer.compare(a.payload, b.payload) === 0;
}
