import type { Logger } from '../base/logger.js';
import type { MediaMessage } from '../base/media-message.js';

/** Where an outlet's bytes go: one player's connection, any protocol. */
export interface SubSink {
  readonly id: string;
  /** 'rtmp' | 'httpflv' | 'wsflv' (for stats and logs). */
  readonly protocol: string;
  /** Bytes accepted but not yet written to the network (the socket's queue). */
  bufferedBytes(): number;
  /**
   * Writes a batch of shared, read-only buffers in order (the sink makes it one syscall). `msgs`
   * are the messages the buffers came from, same order (sinks that pack per session use them).
   */
  writeBatch(bufs: Buffer[], msgs: MediaMessage[]): void;
  /** Closes the connection with a reason, gracefully (idempotent). */
  close(reason: string): void;
  /** Drops the connection at once, discarding its backlog (hard mark). Default: close. */
  abort?(reason: string): void;
  /**
   * Bytes handed on to the network so far (written minus still queued), for the write timeout.
   * Without it the outlet cannot tell a stalled player and the write timeout does not apply.
   */
  flushedBytes?(): number;
}

/** Back-pressure marks of an outlet (the `sub` section of the config). */
export interface OutletOptions {
  /** Past this many queued bytes the player skips video until the next key frame. Default 2 MiB. */
  softMarkBytes?: number;
  /** Past this many queued bytes the player is disconnected. Default 8 MiB. */
  hardMarkBytes?: number;
  /**
   * A player with bytes queued and none flushed for this long (ms) is disconnected (see
   * checkWriteStall); 0 = never. Default 0.
   */
  writeTimeoutMs?: number;
}

export interface OutletStats {
  /** Messages written. */
  messages: number;
  /** Bytes written (handed to the sink). */
  bytes: number;
  /** Video messages skipped by the back-pressure policy or while waiting for a key frame. */
  droppedVideo: number;
  /** Episodes of video skipping (each logged once). */
  skipEpisodes: number;
}

type PackFn = (msg: MediaMessage) => Buffer;

/**
 * One player's outlet: turns shared media messages into that player's wire bytes (packed once per
 * message and shared, by `pack`), batches them per event-loop turn, and applies the back-pressure
 * policy: past the soft mark video is skipped until the next key frame (audio keeps flowing), past
 * the hard mark the player is disconnected. A new outlet also waits for a key frame before its first
 * video frame unless it was started from a GOP cache snapshot (which begins on one).
 */
export class SubOutlet {
  readonly sink: SubSink;
  readonly stats: OutletStats = { messages: 0, bytes: 0, droppedVideo: 0, skipEpisodes: 0 };
  private readonly pack: PackFn;
  private readonly soft: number;
  private readonly hard: number;
  private readonly logger: Logger;
  private readonly schedule: (o: SubOutlet) => void;
  private pendingBufs: Buffer[] = [];
  private pendingMsgs: MediaMessage[] = [];
  private pendingBytes = 0;
  /**
   * The sink's queue right after the last flush: an upper bound of it until the next flush (only
   * completed writes change it in between, and they shrink it; control messages add a few bytes).
   * Lets offer() skip asking the socket while far below the soft mark.
   */
  private sinkQueuedAtFlush = 0;
  /** Drop video until a key frame (start of play, or a back-pressure episode). */
  private waitKey = true;
  private skipping = false;
  private closed = false;
  private readonly writeTimeoutMs: number;
  private lastFlushed = -1;
  private flushedAtMs = 0;
  readonly startedAt = Date.now();

  constructor(
    sink: SubSink,
    pack: PackFn,
    schedule: (o: SubOutlet) => void,
    logger: Logger,
    opts: OutletOptions = {},
  ) {
    this.sink = sink;
    this.pack = pack;
    this.schedule = schedule;
    this.logger = logger;
    this.soft = opts.softMarkBytes ?? 2 * 1024 * 1024;
    this.hard = opts.hardMarkBytes ?? 8 * 1024 * 1024;
    this.writeTimeoutMs = opts.writeTimeoutMs ?? 0;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Bytes queued for this player: batched here plus the socket's queue. */
  queuedBytes(): number {
    return this.pendingBytes + this.sink.bufferedBytes();
  }

  /**
   * Starts the player from a GOP cache snapshot (metadata, sequence headers, GOPs starting on a key
   * frame): everything is sent, and video flows from the snapshot's key frame on.
   */
  sendSnapshot(msgs: MediaMessage[]): void {
    let sawKey = false;
    for (const m of msgs) {
      if (m.kind === 'video-key-frame') sawKey = true;
      if (m.type === 9 && !sawKey && (m.kind === 'video-frame' || m.kind === 'video-other')) continue;
      this.enqueue(m);
    }
    if (sawKey) this.waitKey = false;
  }

  /** Offers one live message to this player (policy applied). */
  offer(msg: MediaMessage): void {
    if (this.closed) return;
    // Exact only when it can matter: every threshold below is at or above the soft mark.
    let queued = this.pendingBytes + this.sinkQueuedAtFlush;
    if (queued > this.soft) queued = this.queuedBytes();
    if (queued > this.hard) {
      this.closeWith(`too slow: ${queued} bytes queued, over the hard mark of ${this.hard}`, true);
      return;
    }
    if (
      msg.type === 9 &&
      (msg.kind === 'video-frame' || msg.kind === 'video-key-frame' || msg.kind === 'video-other')
    ) {
      if (this.waitKey || this.skipping) {
        if (msg.kind === 'video-key-frame' && queued <= this.soft) {
          this.waitKey = false;
          if (this.skipping) {
            this.skipping = false;
            this.logger.info(
              `[${this.sink.id}] caught up, video resumes on a key frame (${this.stats.droppedVideo} dropped so far)`,
            );
          }
        } else {
          this.stats.droppedVideo++;
          return;
        }
      } else if (queued > this.soft) {
        this.skipping = true;
        this.stats.skipEpisodes++;
        this.stats.droppedVideo++;
        this.logger.warn(
          `[${this.sink.id}] slow player: ${queued} bytes queued (soft mark ${this.soft}), skipping video to the next key frame`,
        );
        return;
      }
    }
    this.enqueue(msg);
  }

  private enqueue(msg: MediaMessage): void {
    const buf = this.pack(msg);
    if (this.pendingBufs.length === 0) this.schedule(this);
    this.pendingBufs.push(buf);
    this.pendingMsgs.push(msg);
    this.pendingBytes += buf.length;
  }

  /** Writes everything batched this turn (called once per turn by the scheduler). */
  flush(): void {
    if (this.closed || this.pendingBufs.length === 0) return;
    const bufs = this.pendingBufs;
    const msgs = this.pendingMsgs;
    this.stats.messages += bufs.length;
    this.stats.bytes += this.pendingBytes;
    this.pendingBufs = [];
    this.pendingMsgs = [];
    this.pendingBytes = 0;
    this.sink.writeBatch(bufs, msgs);
    this.sinkQueuedAtFlush = this.sink.bufferedBytes();
  }

  /**
   * The write timeout, run periodically (every fraction of the timeout): a player whose socket has
   * bytes queued but has flushed none of them since `writeTimeoutMs` ago is dropped. A peer that
   * vanished without a FIN, or stopped reading, is found this way even when the stream is too slow
   * to reach the hard mark. Progress is seen per completed socket write, so the timeout must exceed
   * the time a slow but live player needs for one batch (a GOP cache at start).
   */
  checkWriteStall(nowMs: number): void {
    if (this.closed || this.writeTimeoutMs <= 0 || this.sink.flushedBytes === undefined) return;
    const flushed = this.sink.flushedBytes();
    const queued = this.sink.bufferedBytes();
    if (queued === 0 || flushed !== this.lastFlushed) {
      this.lastFlushed = flushed;
      this.flushedAtMs = nowMs;
      return;
    }
    if (nowMs - this.flushedAtMs >= this.writeTimeoutMs) {
      this.closeWith(
        `not reading: ${queued} bytes queued and none written for ${this.writeTimeoutMs} ms`,
        true,
      );
    }
  }

  /** Closes the player's connection (idempotent); `abort` drops its backlog instead of flushing it. */
  closeWith(reason: string, abort = false): void {
    if (this.closed) return;
    if (!abort) this.flush();
    this.detach();
    if (abort && this.sink.abort) this.sink.abort(reason);
    else this.sink.close(reason);
  }

  /** Marks the outlet closed without touching the sink (the connection is already gone). */
  detach(): void {
    this.closed = true;
    this.pendingBufs = [];
    this.pendingMsgs = [];
    this.pendingBytes = 0;
  }
}

/**
 * Runs every dirty outlet's flush once per event-loop turn (setImmediate), so each player gets at
 * most one write per turn however many messages arrived.
 *
 * With `mergeWriteMs` > 0 (the `sub.merge_write_ms` option, like lal's merge_write_size or SRS's
 * mw_latency) the flush runs that many ms after the first message instead: each player gets one
 * write per period with everything that arrived in it, fewer syscalls for up to that much added
 * delay.
 */
export class FlushScheduler {
  private dirty: SubOutlet[] = [];
  private scheduled = false;
  private readonly mergeWriteMs: number;

  constructor(mergeWriteMs = 0) {
    this.mergeWriteMs = mergeWriteMs;
  }

  readonly schedule = (o: SubOutlet): void => {
    this.dirty.push(o);
    if (this.scheduled) return;
    this.scheduled = true;
    if (this.mergeWriteMs > 0) setTimeout(this.run, this.mergeWriteMs).unref();
    else setImmediate(this.run);
  };
  private readonly run = (): void => {
    this.scheduled = false;
    const list = this.dirty;
    this.dirty = [];
    for (const o of list) o.flush();
  };
}
