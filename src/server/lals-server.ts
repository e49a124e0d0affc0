import type { AddressInfo } from 'node:net';
import type { MediaMessage } from '../base/media-message.js';
import type { AmfValue } from '../format/amf/index.js';
import { parseOnMetaData, stripSetDataFrame } from '../format/flv/index.js';
import {
  HttpFlvRejectError,
  HttpFlvServer,
  type HttpFlvServerObserver,
  type HttpFlvSubSession,
} from '../protocol/httpflv/index.js';
import {
  type RtmpCloseReason,
  type RtmpMediaMessage,
  type RtmpPubSession,
  RtmpServer,
  type RtmpServerObserver,
  type RtmpServerSessionInfo,
  type RtmpSubSession,
} from '../protocol/rtmp/index.js';
import { createMediaMessage, flvTagOf, PLAY_STREAM_ID, rtmpChunksOf } from '../remux/media-packer.js';
import { SlabPool } from '../remux/slab-pool.js';
import type { LalsConfig } from './config.js';
import { parseAddr } from './config.js';
import { startDebugServer } from './debug-server.js';
import type { Group, GroupPub } from './group.js';
import { GroupManager } from './group-manager.js';
import type { LalsLogger } from './logger.js';
import { FlushScheduler, type OutletOptions, SubOutlet, type SubSink } from './sub-outlet.js';

/** Where the server listens once started (ports resolved, 0 = that listener is off). */
export interface LalsAddresses {
  rtmpPort: number;
  httpPort: number;
  pprofPort: number;
}

interface PubEntry {
  group: Group;
  pub: GroupPub;
}

interface SubEntry {
  group: Group;
  outlet: SubOutlet;
}

/**
 * The lals business layer: RTMP publishers and players, HTTP-FLV and WebSocket-FLV players, one
 * Group per `app/stream`, the debug endpoint. Protocol libraries report up through observers; this
 * class turns their messages into shared MediaMessages and the groups fan them out.
 */
export class LalsServer {
  readonly groups: GroupManager;
  private readonly cfg: LalsConfig;
  private readonly log: LalsLogger;
  private readonly flusher: FlushScheduler;
  private readonly outletOpts: OutletOptions;
  private readonly pubs = new Map<RtmpServerSessionInfo, PubEntry>();
  private readonly rtmpSubs = new Map<RtmpServerSessionInfo, SubEntry>();
  private readonly httpSubs = new Map<HttpFlvSubSession, SubEntry>();
  private rtmp: RtmpServer | undefined;
  private http: HttpFlvServer | undefined;
  private debug: { port: number; close(): Promise<void> } | undefined;
  private stopping: Promise<void> | undefined;
  private stallTimer: NodeJS.Timeout | undefined;

  constructor(cfg: LalsConfig, logger: LalsLogger) {
    this.cfg = cfg;
    this.log = logger;
    this.groups = new GroupManager(logger, {
      cache: {
        gopNum: Math.max(cfg.rtmp.gop_num, cfg.httpflv.gop_num),
        maxMessages: cfg.gop_cache.max_messages,
        maxBytes: cfg.gop_cache.max_bytes,
        // One pool for every stream's cache: blocks a stream drops serve any other stream.
        pool: new SlabPool(),
      },
      waitPublisherTimeoutMs: cfg.sub.wait_publisher_timeout_ms,
      takeOverStale: cfg.pub.take_over_stale,
      maxStreams: cfg.limits.max_streams,
      maxSubsPerStream: cfg.limits.max_subs_per_stream,
    });
    this.flusher = new FlushScheduler(cfg.sub.merge_write_ms);
    this.outletOpts = {
      softMarkBytes: cfg.sub.soft_mark_bytes,
      hardMarkBytes: cfg.sub.hard_mark_bytes,
      writeTimeoutMs: cfg.sub.write_timeout_ms,
    };
  }

  /** Starts every enabled listener; rejects (and stops what started) if one cannot bind. */
  async start(): Promise<LalsAddresses> {
    const out: LalsAddresses = { rtmpPort: 0, httpPort: 0, pprofPort: 0 };
    try {
      if (this.cfg.rtmp.enable) {
        const r = this.cfg.rtmp;
        this.rtmp = new RtmpServer(this.rtmpObserver, {
          outChunkSize: r.out_chunk_size,
          maxMessageSize: r.max_message_size,
          maxChunkStreams: r.max_chunk_streams,
          maxAmfDepth: r.max_amf_depth,
          handshakeTimeoutMs: r.handshake_timeout_ms,
          idleTimeoutMs: r.idle_timeout_ms,
          // Ping a quiet peer well within the idle timeout (and run the timers often enough to do
          // it), so a healthy player that receives little, and so sends no acknowledgements, is not
          // taken for a dead one.
          ...rtmpTimersFor(r.idle_timeout_ms),
          maxConnections: this.cfg.limits.max_connections,
          connectionCount: this.totalConnections,
          logger: this.log,
        });
        const a = parseAddr(r.addr);
        out.rtmpPort = (await this.rtmp.listen(a.port, a.host)).port;
        this.log.info(`rtmp listening on ${showAddr(this.rtmp.address)}`);
      }
      if (this.cfg.httpflv.enable) {
        const h = this.cfg.httpflv;
        this.http = new HttpFlvServer(this.httpObserver, {
          maxHeaderSize: h.max_header_size,
          headerTimeoutMs: h.header_timeout_ms,
          maxConnections: this.cfg.limits.max_connections,
          connectionCount: this.totalConnections,
          logger: this.log,
        });
        const a = parseAddr(h.sub_listen_addr);
        out.httpPort = (await this.http.listen(a.port, a.host)).port;
        const wt = this.cfg.sub.write_timeout_ms;
        if (wt > 0) {
          this.stallTimer = setInterval(
            () => {
              const now = performance.now();
              for (const e of this.httpSubs.values()) e.outlet.checkWriteStall(now);
            },
            Math.min(1000, Math.max(50, Math.floor(wt / 4))),
          );
          this.stallTimer.unref();
        }
        this.log.info(`httpflv${h.enable_ws ? ' + ws-flv' : ''} listening on ${showAddr(this.http.address)}`);
      }
      if (this.cfg.pprof.enable) {
        this.debug = await startDebugServer({
          addr: this.cfg.pprof.addr,
          dump: () => ({ groups: this.groups.dump(), connections: this.connectionCounts() }),
          logger: this.log,
        });
        out.pprofPort = this.debug.port;
      }
    } catch (e) {
      await this.stop();
      throw e;
    }
    return out;
  }

  /** Graceful stop: listeners closed, every session closed. Idempotent. */
  stop(): Promise<void> {
    this.stopping ??= (async () => {
      if (this.stallTimer !== undefined) clearInterval(this.stallTimer);
      await Promise.all([this.rtmp?.close(), this.http?.close(), this.debug?.close()]);
    })();
    return this.stopping;
  }

  connectionCounts(): { rtmp: number; http: number } {
    return { rtmp: this.rtmp?.sessionCount ?? 0, http: this.http?.connectionCount ?? 0 };
  }

  /** limits.max_connections counts every protocol together. */
  private readonly totalConnections = (): number =>
    (this.rtmp?.sessionCount ?? 0) + (this.http?.connectionCount ?? 0);

  // ---- RTMP ----

  private readonly rtmpObserver: RtmpServerObserver = {
    onNewPubSession: (s) => this.onRtmpPub(s),
    onPubMessage: (s, m) => this.onRtmpPubMessage(s, m),
    onPubStop: (s, cause) => this.endPub(s, `publisher stopped (${cause})`),
    onNewSubSession: (s) => this.onRtmpSub(s),
    onSubStop: (s) => this.endRtmpSub(s),
    onClose: (s, reason) => this.onRtmpClose(s, reason),
  };

  private onRtmpPub(s: RtmpPubSession): Error | undefined {
    if (this.stopping) return new Error('server is shutting down');
    const g = this.groups.acquire(s.app, s.streamName);
    if (g instanceof Error) return g;
    const pub: GroupPub = {
      id: s.id,
      protocol: 'rtmp',
      remoteAddress: s.remoteAddress,
      close: (reason) => s.close(reason),
    };
    const err = g.setPub(pub);
    if (err) {
      this.groups.release(g);
      this.log.warn(`[${s.id}] publish ${g.key} from ${s.remoteAddress} refused: ${err.message}`);
      return err;
    }
    this.pubs.set(s, { group: g, pub });
    this.log.info(`[${s.id}] publish start ${g.key} from ${s.remoteAddress} (${s.publishType})`);
    return undefined;
  }

  private onRtmpPubMessage(s: RtmpPubSession, m: RtmpMediaMessage): void {
    const e = this.pubs.get(s);
    if (!e) return;
    let payload = m.payload;
    if (m.typeId === 18) {
      payload = stripSetDataFrame(payload);
    } else if (m.typeId !== 8 && m.typeId !== 9) {
      return;
    }
    const msg = createMediaMessage(m.typeId as 8 | 9 | 18, m.timestampMs, payload);
    if (msg.kind === 'metadata') e.group.setMetadataFacts(metadataFacts(msg));
    e.group.onPubMessage(e.pub, msg);
  }

  private endPub(s: RtmpServerSessionInfo, reason: string): void {
    const e = this.pubs.get(s);
    if (!e) return;
    this.pubs.delete(s);
    const st = e.group.stats;
    this.log.info(
      `[${s.id}] publish stop ${e.group.key} from ${s.remoteAddress}: ${reason}; ${st.messagesIn} messages, ${st.bytesIn} bytes`,
    );
    e.group.removePub(e.pub, reason);
    this.groups.release(e.group);
  }

  private onRtmpSub(s: RtmpSubSession): Error | undefined {
    if (this.stopping) return new Error('server is shutting down');
    const g = this.groups.acquire(s.app, s.streamName);
    if (g instanceof Error) return g;
    const full = this.groups.canAddSub(g);
    if (full) {
      this.groups.release(g);
      return full;
    }
    const sink: SubSink = {
      id: s.id,
      protocol: 'rtmp',
      bufferedBytes: () => s.bufferedBytes,
      writeBatch: (bufs, msgs) => {
        if (s.streamId === PLAY_STREAM_ID) {
          s.writeChunkBatch(bufs, s.filtersMedia ? msgs.map((m) => m.type) : undefined);
        } else {
          for (const m of msgs)
            s.writeMessage({ typeId: m.type, timestampMs: m.timestampMs, payload: m.payload });
        }
      },
      close: (reason) => s.close(reason),
    };
    const chunkSize = s.outChunkSize;
    const outlet = new SubOutlet(
      sink,
      (m) => rtmpChunksOf(m, chunkSize),
      this.flusher.schedule,
      this.log,
      this.outletOpts,
    );
    this.rtmpSubs.set(s, { group: g, outlet });
    g.addSub({
      outlet,
      gopNum: this.cfg.rtmp.gop_num,
      onPubLeave: () => s.sendUnpublishNotify(),
      onPubReturn: () => s.sendPublishNotify(),
    });
    this.log.info(`[${s.id}] play start ${g.key} from ${s.remoteAddress} (rtmp)`);
    return undefined;
  }

  private endRtmpSub(s: RtmpServerSessionInfo): void {
    const e = this.rtmpSubs.get(s);
    if (!e) return;
    this.rtmpSubs.delete(s);
    this.endSub(e, s.id, s.remoteAddress, 'rtmp');
  }

  private endSub(e: SubEntry, id: string, remote: string, protocol: string): void {
    e.outlet.detach();
    e.group.removeSub(e.outlet);
    this.groups.release(e.group);
    const st = e.outlet.stats;
    this.log.info(
      `[${id}] play stop ${e.group.key} from ${remote} (${protocol}); ${st.messages} messages, ${st.bytes} bytes` +
        (st.droppedVideo ? `, ${st.droppedVideo} video dropped in ${st.skipEpisodes} slow episodes` : ''),
    );
  }

  private onRtmpClose(s: RtmpServerSessionInfo, reason: RtmpCloseReason): void {
    this.endPub(s, `connection closed: ${reason.message}`);
    this.endRtmpSub(s);
    const level = reason.kind === 'error' || reason.kind === 'observer-error' ? 'warn' : 'info';
    this.log[level](`[${s.id}] closed ${s.remoteAddress}: ${reason.kind}: ${reason.message}`);
  }

  // ---- HTTP-FLV / WebSocket-FLV ----

  private readonly httpObserver: HttpFlvServerObserver = {
    onNewHttpFlvSub: (s) => this.onHttpSub(s),
    onClose: (s, reason) => {
      const e = this.httpSubs.get(s);
      if (!e) return;
      this.httpSubs.delete(s);
      this.endSub(e, s.id, s.remoteAddress, `${s.protocol}, ${reason.message}`);
    },
  };

  private onHttpSub(s: HttpFlvSubSession): Error | undefined {
    if (this.stopping) return new HttpFlvRejectError(503, 'server is shutting down');
    if (s.protocol === 'wsflv' && !this.cfg.httpflv.enable_ws) {
      return new HttpFlvRejectError(403, 'WebSocket-FLV is disabled');
    }
    const g = this.groups.acquire(s.app, s.streamName);
    if (g instanceof Error) return new HttpFlvRejectError(503, g.message);
    const full = this.groups.canAddSub(g);
    if (full) {
      this.groups.release(g);
      return new HttpFlvRejectError(503, full.message);
    }
    const sink: SubSink = {
      id: s.id,
      protocol: s.protocol,
      bufferedBytes: () => s.bufferedBytes,
      writeBatch: (bufs) => {
        s.write(bufs);
      },
      close: (reason) => s.close(reason),
      abort: (reason) => s.abort(reason),
      flushedBytes: () => s.bytesWritten - s.bufferedBytes,
    };
    const outlet = new SubOutlet(sink, flvTagOf, this.flusher.schedule, this.log, this.outletOpts);
    this.httpSubs.set(s, { group: g, outlet });
    g.addSub({
      outlet,
      gopNum: this.cfg.httpflv.gop_num,
      onStart: (info) => {
        s.writeHeader(info);
      },
      onPubLeave: () => outlet.closeWith('the publisher left'),
    });
    this.log.info(`[${s.id}] play start ${g.key} from ${s.remoteAddress} (${s.protocol})`);
    return undefined;
  }
}

/**
 * The RTMP session timers for an idle timeout: the keep-alive ping every 10 s (as before), or every
 * third of a shorter idle timeout, and the timer tick (1 s) at least twice per ping interval.
 */
export function rtmpTimersFor(idleTimeoutMs: number): {
  keepAliveIntervalMs: number;
  tickIntervalMs: number;
} {
  const ping = idleTimeoutMs > 0 ? Math.min(10_000, Math.max(100, Math.floor(idleTimeoutMs / 3))) : 10_000;
  return { keepAliveIntervalMs: ping, tickIntervalMs: Math.min(1000, Math.floor(ping / 2)) };
}

/** Which tracks onMetaData announces (undefined when it names no codec ids). */
function metadataFacts(msg: MediaMessage): { audio: boolean; video: boolean } | undefined {
  let meta: Record<string, AmfValue> | undefined;
  try {
    meta = parseOnMetaData(msg.payload);
  } catch {
    return undefined;
  }
  if (!meta) return undefined;
  const audio = meta.audiocodecid !== undefined;
  const video = meta.videocodecid !== undefined;
  return audio || video ? { audio, video } : undefined;
}

function showAddr(a: AddressInfo | null): string {
  if (!a) return '?';
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}
