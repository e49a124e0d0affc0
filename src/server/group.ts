import type { Logger } from '../base/logger.js';
import type { MediaMessage } from '../base/media-message.js';
import { GopCache, type GopCacheOptions } from '../remux/gop-cache.js';
import type { SubOutlet } from './sub-outlet.js';

/** The publisher of a group, whatever its protocol. */
export interface GroupPub {
  readonly id: string;
  readonly protocol: string;
  readonly remoteAddress: string;
  /** Closes the publisher's connection (idempotent). */
  close(reason: string): void;
}

/** What the audio/video flags of an FLV header should say. */
export interface AvInfo {
  hasAudio: boolean;
  hasVideo: boolean;
}

/** A player of a group, whatever its protocol: its outlet plus the protocol's lifecycle hooks. */
export interface GroupSub {
  readonly outlet: SubOutlet;
  /** GOPs of the cache this protocol sends a new player (rtmp.gop_num / httpflv.gop_num). */
  readonly gopNum: number;
  /** Before the first media bytes: e.g. HTTP-FLV writes its response head and FLV header. */
  onStart?(info: AvInfo): void;
  /** The publisher left (RTMP: UnpublishNotify and keep waiting; HTTP-FLV: end the response). */
  onPubLeave(): void;
  /** A publisher arrived while this player was waiting after an earlier one left (RTMP: PublishNotify). */
  onPubReturn?(): void;
}

interface SubState {
  sub: GroupSub;
  started: boolean;
  /** This player has seen a publisher leave (so a new one is announced). */
  sawLeave: boolean;
  waitTimer: NodeJS.Timeout | undefined;
}

export interface GroupOptions {
  cache?: GopCacheOptions;
  /** A player that arrives before the publisher waits this long, ms; 0 = as long as it stays. Default 0. */
  waitPublisherTimeoutMs?: number;
  /** A new publisher replaces the current one instead of being refused. Default false. */
  takeOverStale?: boolean;
}

export interface GroupStats {
  messagesIn: number;
  bytesIn: number;
  videoFramesIn: number;
  audioFramesIn: number;
  pubStartedAt: number | undefined;
}

/**
 * One live stream (`app/stream`): its publisher, its GOP cache and its players. The publisher's
 * messages are cached and offered to every started player's outlet; players that arrive before the
 * publisher (or before the stream's audio/video make-up is known) wait and are started with the
 * cache's snapshot. Pure business logic: no sockets, no bytes built here (outlets pack).
 */
export class Group {
  readonly key: string;
  readonly app: string;
  readonly streamName: string;
  readonly cache: GopCache;
  private readonly logger: Logger;
  private readonly opts: GroupOptions;
  private pubSession: GroupPub | undefined;
  private readonly subs = new Map<SubOutlet, SubState>();
  private sawAudio = false;
  private sawVideo = false;
  readonly stats: GroupStats = {
    messagesIn: 0,
    bytesIn: 0,
    videoFramesIn: 0,
    audioFramesIn: 0,
    pubStartedAt: undefined,
  };

  constructor(app: string, streamName: string, logger: Logger, opts: GroupOptions = {}) {
    this.app = app;
    this.streamName = streamName;
    this.key = `${app}/${streamName}`;
    this.logger = logger;
    this.opts = opts;
    this.cache = new GopCache(opts.cache);
  }

  get pub(): GroupPub | undefined {
    return this.pubSession;
  }

  get subCount(): number {
    return this.subs.size;
  }

  get isEmpty(): boolean {
    return this.pubSession === undefined && this.subs.size === 0;
  }

  /** A publisher wants this stream. Returns an Error to refuse it (the stream is taken). */
  setPub(pub: GroupPub): Error | undefined {
    const cur = this.pubSession;
    if (cur) {
      if (!this.opts.takeOverStale) {
        return new Error(
          `stream ${this.key} is already being published (by ${cur.id} from ${cur.remoteAddress})`,
        );
      }
      this.logger.warn(`[${this.key}] ${pub.id} takes over from publisher ${cur.id}`);
      this.removePub(cur, 'taken over by a new publisher');
      // The new publisher owns the group before the old one's close runs (its close handler must not
      // see an empty group and release it).
      this.pubSession = pub;
      cur.close('taken over by a new publisher');
    }
    this.pubSession = pub;
    this.sawAudio = false;
    this.sawVideo = false;
    this.stats.pubStartedAt = Date.now();
    for (const st of this.subs.values()) {
      if (st.sawLeave) {
        st.sawLeave = false;
        st.sub.onPubReturn?.();
      }
    }
    return undefined;
  }

  /** The publisher stopped or its connection closed. */
  removePub(pub: GroupPub, reason: string): void {
    if (this.pubSession !== pub) return;
    this.pubSession = undefined;
    this.cache.clear();
    this.logger.info(`[${this.key}] publisher ${pub.id} left (${reason}); ${this.subs.size} players`);
    for (const [outlet, st] of [...this.subs]) {
      st.sawLeave = true;
      st.started = false;
      // What the publisher sent last (often in the same read as its unpublish) goes out before the
      // leave is announced or the response ends.
      outlet.flush();
      st.sub.onPubLeave();
      if (outlet.isClosed) this.removeSub(outlet);
    }
  }

  /** One message from the publisher (shared; cached and fanned out). */
  onPubMessage(pub: GroupPub, msg: MediaMessage): void {
    if (this.pubSession !== pub) return;
    this.stats.messagesIn++;
    this.stats.bytesIn += msg.payload.length;
    if (msg.type === 9) {
      this.sawVideo = true;
      if (msg.kind === 'video-frame' || msg.kind === 'video-key-frame') this.stats.videoFramesIn++;
    } else if (msg.type === 8) {
      this.sawAudio = true;
      if (msg.kind === 'audio-frame') this.stats.audioFramesIn++;
    }
    if (this.subs.size === 0) {
      this.cache.push(msg);
      return;
    }
    // Players waiting for the stream's make-up start before this message is cached, then get it live.
    if (
      msg.kind !== 'metadata' &&
      msg.kind !== 'video-sequence-header' &&
      msg.kind !== 'audio-sequence-header'
    ) {
      this.startWaiting();
    }
    this.cache.push(msg);
    for (const [outlet, st] of this.subs) {
      if (st.started) outlet.offer(msg);
      if (outlet.isClosed) this.removeSub(outlet);
    }
  }

  /** Adds a player; it starts at once when the publisher is live, else it waits. */
  addSub(sub: GroupSub): void {
    const st: SubState = { sub, started: false, sawLeave: false, waitTimer: undefined };
    this.subs.set(sub.outlet, st);
    if (this.pubSession && this.avInfo()) {
      this.start(st);
      return;
    }
    const ms = this.opts.waitPublisherTimeoutMs ?? 0;
    if (ms > 0 && !this.pubSession) {
      st.waitTimer = setTimeout(() => {
        st.waitTimer = undefined;
        if (!st.started) {
          sub.outlet.closeWith(`no publisher for ${this.key} within ${ms} ms`);
          this.removeSub(sub.outlet);
        }
      }, ms);
      st.waitTimer.unref();
    }
  }

  removeSub(outlet: SubOutlet): void {
    const st = this.subs.get(outlet);
    if (!st) return;
    if (st.waitTimer) clearTimeout(st.waitTimer);
    this.subs.delete(outlet);
  }

  /**
   * The stream's audio/video make-up, once known: from onMetaData's codec ids when present, else from
   * what has arrived once the first frame is seen (sequence headers come before it).
   */
  avInfo(): AvInfo | undefined {
    const c = this.cache;
    const metaKnown = c.metadata !== undefined && this.metaHasCodecIds;
    const hasAudio = this.sawAudio || c.audioSeqHeader !== undefined;
    const hasVideo = this.sawVideo || c.videoSeqHeader !== undefined;
    if (metaKnown) {
      return { hasAudio: hasAudio || this.metaAudio, hasVideo: hasVideo || this.metaVideo };
    }
    if (this.stats.audioFramesIn + this.stats.videoFramesIn > 0) return { hasAudio, hasVideo };
    return undefined;
  }

  private metaHasCodecIds = false;
  private metaAudio = false;
  private metaVideo = false;

  /** The publisher's onMetaData facts (decoded by the caller, once per metadata message). */
  setMetadataFacts(facts: { audio: boolean; video: boolean } | undefined): void {
    this.metaHasCodecIds = facts !== undefined;
    this.metaAudio = facts?.audio ?? false;
    this.metaVideo = facts?.video ?? false;
  }

  private startWaiting(): void {
    let info: AvInfo | undefined;
    for (const st of this.subs.values()) {
      if (st.started) continue;
      info ??= this.avInfoForStart();
      this.start(st, info);
    }
  }

  private avInfoForStart(): AvInfo {
    return this.avInfo() ?? { hasAudio: this.sawAudio, hasVideo: this.sawVideo };
  }

  private start(st: SubState, info = this.avInfoForStart()): void {
    st.started = true;
    if (st.waitTimer) {
      clearTimeout(st.waitTimer);
      st.waitTimer = undefined;
    }
    st.sub.onStart?.(info);
    st.sub.outlet.sendSnapshot(this.cache.snapshot(st.sub.gopNum));
  }

  /** A JSON-able summary for the debug endpoint and logs. */
  dump(): Record<string, unknown> {
    const subs = [...this.subs.entries()].map(([o, st]) => ({
      id: o.sink.id,
      protocol: o.sink.protocol,
      started: st.started,
      queuedBytes: o.queuedBytes(),
      ...o.stats,
    }));
    return {
      key: this.key,
      pub: this.pubSession
        ? {
            id: this.pubSession.id,
            protocol: this.pubSession.protocol,
            remote: this.pubSession.remoteAddress,
          }
        : null,
      stats: this.stats,
      cache: this.cache.size,
      subs,
    };
  }
}
