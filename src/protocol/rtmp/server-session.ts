import type { Logger } from '../../base/logger.js';
import { nullLogger } from '../../base/logger.js';
import type { AmfObject } from '../../format/amf/index.js';
import { isLalError, type LalError, ProtocolError, UnsupportedError } from '../../util/errors.js';
import { splitAggregate } from './aggregate.js';
import { ChunkReader } from './chunk-reader.js';
import { packMessage } from './chunk-writer.js';
import {
  connectRejected,
  connectResult,
  createStreamResult,
  DEFAULT_MAX_AMF_DEPTH,
  emptyResult,
  errorResult,
  getStreamLengthResult,
  NetStatusCode,
  type NetStatusLevel,
  onBWDone,
  onFCPublish,
  onFCUnpublish,
  onStatus,
  type PublishType,
  parseCommand,
  type RtmpCommand,
} from './command.js';
import {
  type ControlMessage,
  PeerBandwidthLimitType,
  packControlMessage,
  parseControlMessage,
  UserControlEventType,
} from './control-message.js';
import { amf3DataToAmf0, dataMessageName, RTMP_SAMPLE_ACCESS, rtmpSampleAccess } from './data-message.js';
import { RtmpTimeoutError } from './errors.js';
import { type HandshakeInfo, type HandshakeOptions, HandshakeServer } from './handshake.js';
import {
  csidForMessageType,
  DEFAULT_CHUNK_SIZE,
  RtmpCsid,
  type RtmpMessage,
  RtmpMsgType,
} from './message-types.js';
import type { RtmpCloseKind, RtmpCloseReason, RtmpMediaMessage, RtmpSessionIo } from './session-types.js';
import { parseQuery, splitNameQuery } from './url.js';

/** What made a publisher or player stop. */
export type RtmpStopCause = 'FCUnpublish' | 'deleteStream' | 'closeStream' | 'close';

/** The role a server session takes with `publish` / `play`. */
export type RtmpServerRole = 'none' | 'pub' | 'sub';

/** What every server session exposes about its peer and stream. */
export interface RtmpServerSessionInfo {
  /** Unique per process, for logs. */
  readonly id: string;
  readonly remoteAddress: string;
  readonly role: RtmpServerRole;
  /** From `connect`: the app without its query ('' before connect). */
  readonly app: string;
  readonly tcUrl: string;
  readonly flashVer: string;
  /** 0 (AMF0) or 3 (AMF3), from `connect`. */
  readonly objectEncoding: number;
  /** The whole `connect` command object (null before connect). */
  readonly connectObject: AmfObject | null;
  /** From `publish` / `play`: the stream name without its query ('' before). */
  readonly streamName: string;
  /** The query of the stream name, without '?' ('' if none). */
  readonly rawQuery: string;
  /** Query parameters from the app (`connect`) and the stream name (wins on conflict). */
  readonly query: Readonly<Record<string, string>>;
  /** The message stream id of the publish / play (0 before). */
  readonly streamId: number;
  /** The handshake result (simple/complex, peer version), null until it completes. */
  readonly handshake: HandshakeInfo | null;
  /** Close the session (idempotent); the observer's onClose follows. */
  close(reason?: string): void;
}

/** A session that publishes (server side of a client's `publish`). */
export interface RtmpPubSession extends RtmpServerSessionInfo {
  /** From `publish`: live, record or append. */
  readonly publishType: PublishType;
}

/** A session that plays (server side of a client's `play`). */
export interface RtmpSubSession extends RtmpServerSessionInfo {
  /**
   * The chunk size of everything this session sends after `connect` (fixed: the server's
   * outChunkSize option). Pre-packed chunks must be cut at this size.
   */
  readonly outChunkSize: number;
  /** From `play`: start (s), duration (s), reset. */
  readonly playStart: number;
  readonly playDuration: number;
  readonly playReset: boolean;
  /** From `receiveAudio` / `receiveVideo` (default true). */
  readonly receiveAudio: boolean;
  readonly receiveVideo: boolean;
  /** Bytes handed to the transport but not yet written (back-pressure input for the caller's policy). */
  readonly bufferedBytes: number;
  /**
   * Writes pre-packed chunks: `packMessage({ csid: csidForMessageType(typeId), typeId, streamId:
   * session.streamId, timestampMs, payload }, session.outChunkSize)`, i.e. fmt 0 first chunk on the
   * fixed csid per type. The same Buffer may be written to every player with the same (chunk size,
   * stream id); it is retained until written and must never be mutated. With `typeId`, audio or
   * video is dropped when the player turned it off (receiveAudio/receiveVideo). Writes made inside
   * onNewSubSession are sent after NetStream.Play.Start. Returns false when dropped (not playing,
   * closed, or turned off).
   */
  writeChunks(chunks: Uint8Array, typeId?: number): boolean;
  /**
   * writeChunks for a batch (everything a player gets in one event-loop turn), written in one
   * syscall. `typeIds[i]` is the message type of `list[i]`; it is needed only when
   * `filtersMedia` is true (the player turned audio or video off). Returns false when nothing could
   * be written (not playing or closed).
   */
  writeChunkBatch(list: readonly Uint8Array[], typeIds?: readonly number[]): boolean;
  /** The player turned audio or video off (receiveAudio/receiveVideo false): batches need type ids. */
  readonly filtersMedia: boolean;
  /** Packs and writes one message for this session alone (convenience; not shared). */
  writeMessage(msg: RtmpMediaMessage): boolean;
  /** User Control Stream Begin (spec 7.1.7) for the play stream. */
  sendStreamBegin(): void;
  /** User Control Stream EOF for the play stream. */
  sendStreamEof(): void;
  /** onStatus on the play stream. */
  sendStatus(level: NetStatusLevel, code: string, description: string): void;
  /** Stream EOF + onStatus NetStream.Play.UnpublishNotify (the publisher went away), as nginx-rtmp. */
  sendUnpublishNotify(): void;
  /** Stream Begin + onStatus NetStream.Play.PublishNotify (a publisher came back), as nginx-rtmp. */
  sendPublishNotify(): void;
  /** onStatus NetStream.Play.Stop. */
  sendPlayStop(): void;
}

/**
 * The server's business layer (lal's IServerObserver). Every callback is guarded: if it throws,
 * the session is closed with kind 'observer-error' and other sessions are not affected.
 */
export interface RtmpServerObserver {
  /**
   * `connect` arrived (app, tcUrl, query are set). Return an Error to reject: the client gets
   * `_error` NetConnection.Connect.Rejected with the error's message and the session closes.
   */
  onConnect?(session: RtmpServerSessionInfo): Error | undefined;
  /**
   * `publish` arrived. Return an Error to reject (auth, duplicate publisher): the client gets
   * onStatus NetStream.Publish.BadName with the error's message and the session closes.
   */
  onNewPubSession(session: RtmpPubSession): Error | undefined;
  /** A media or data message from a publisher. See RtmpMediaMessage for payload ownership. */
  onPubMessage(session: RtmpPubSession, msg: RtmpMediaMessage): void;
  /** The publisher stopped (called once, before onClose if the connection closes while publishing). */
  onPubStop?(session: RtmpPubSession, cause: RtmpStopCause): void;
  /**
   * `play` arrived. Return an Error to reject: the client gets onStatus
   * NetStream.Play.StreamNotFound with the error's message and the session closes. Writes made
   * here (metadata, sequence headers, GOP cache) are queued and sent right after Play.Start.
   */
  onNewSubSession(session: RtmpSubSession): Error | undefined;
  /** The player stopped (closeStream / deleteStream / close); called once. */
  onSubStop?(session: RtmpSubSession, cause: RtmpStopCause): void;
  /** The session closed; called exactly once, last. */
  onClose(session: RtmpServerSessionInfo, reason: RtmpCloseReason): void;
}

/** Options of RtmpServerSession; every field has a default. */
export interface RtmpServerSessionOptions {
  /**
   * Our outgoing chunk size, announced with Set Chunk Size right after `connect`. Default 4096 (as
   * lal, SRS 60000, nginx-rtmp 4096): large enough that most audio frames and small video frames
   * go in one chunk. Every player of a server must have the same value to share packed chunks.
   */
  outChunkSize?: number;
  /** Window Acknowledgement Size we send (the peer acknowledges every N bytes). Default 2,500,000. */
  windowAckSize?: number;
  /** Window of Set Peer Bandwidth (limit type dynamic), as lal and ffmpeg. Default 2,500,000. */
  peerBandwidth?: number;
  /** Largest message the peer may send, bytes (ChunkReader). Default 8 MiB. */
  maxMessageSize?: number;
  /** Most chunk stream ids the peer may open (ChunkReader). Default 64. */
  maxChunkStreams?: number;
  /** Deepest AMF nesting in command and data messages. Default 32. */
  maxAmfDepth?: number;
  /** Most `createStream` calls per connection. Default 8. */
  maxStreams?: number;
  /** The handshake must complete within this many ms of creation; 0 = no limit. Default 10,000. */
  handshakeTimeoutMs?: number;
  /**
   * Close when nothing arrives from the peer for this many ms (a dead peer); 0 = never.
   * Default 30,000. Players send little (acknowledgements), hence keepAliveIntervalMs.
   */
  idleTimeoutMs?: number;
  /**
   * Send a PingRequest (User Control 6) when nothing arrived for this many ms, at most once per
   * interval; ffmpeg, librtmp and OBS answer with a PingResponse, which keeps idleTimeoutMs from
   * closing a healthy player. 0 = never. Default 10,000.
   */
  keepAliveIntervalMs?: number;
  /** Send `onBWDone` after the connect result (SRS and ffmpeg do; lal and nginx-rtmp do not). Default false. */
  sendBwDone?: boolean;
  /** Peer address for logs and the observer. Default ''. */
  remoteAddress?: string;
  /** Session id; default `rtmp-server-N`. */
  id?: string;
  /** Default nullLogger. */
  logger?: Logger;
  /** Clock for the timers, ms. Default performance.now. */
  nowMs?: () => number;
  /** Passed to HandshakeServer (tests inject randomness and time). */
  handshake?: HandshakeOptions;
}

let sessionCounter = 0;

/** Largest number of pre-packed writes accepted while onNewSubSession runs (a GOP cache is less). */
const MAX_ACCEPT_QUEUE = 100_000;

function str(v: unknown): string {
  return typeof v === 'string' ? v : '';
}

/**
 * Server side of one RTMP connection, sans-IO (lal `server_session.go`): bytes in via `feed`,
 * bytes out via `io.send`, timers driven by `tick()` (the adapter calls it periodically).
 *
 * Flow: handshake -> chunk reader -> `connect` (Window Ack Size, Set Peer Bandwidth, Set Chunk
 * Size, `_result`) -> `releaseStream` / `FCPublish` / `createStream` (`_result`) -> `publish`
 * (onStatus Publish.Start; the session is a pub) or `play` (Stream Begin, Play.Reset, Play.Start,
 * |RtmpSampleAccess; the session is a sub). `FCUnpublish`, `deleteStream`, `closeStream` stop the
 * stream. Acknowledgements go out when the peer's window is reached; PingRequests are answered.
 * Unknown commands with a transaction id get `_error`, others are ignored.
 *
 * Any error from parsing (handshake, chunks, AMF, a malformed or out-of-order command) closes this
 * session with kind 'error', logged once; an observer callback that throws closes it with kind
 * 'observer-error'. Nothing escapes `feed` or `tick`.
 */
export class RtmpServerSession implements RtmpPubSession, RtmpSubSession {
  readonly id: string;
  readonly remoteAddress: string;
  private readonly observer: RtmpServerObserver;
  private readonly io: RtmpSessionIo;
  private readonly logger: Logger;
  private readonly now: () => number;
  private readonly opts: Required<
    Omit<RtmpServerSessionOptions, 'remoteAddress' | 'id' | 'logger' | 'nowMs' | 'handshake'>
  >;
  private readonly hs: HandshakeServer;
  private reader: ChunkReader | null = null;
  private hsInfo: HandshakeInfo | null = null;
  private closedReason: RtmpCloseReason | null = null;
  private curOutChunkSize = DEFAULT_CHUNK_SIZE;
  private readonly createdMs: number;
  private lastRecvMs: number;
  private lastPingMs = -Infinity;
  private bytesIn = 0;
  private bytesOut = 0;
  private streamsCreated = 0;
  private connected = false;
  private active = false;
  private fcPublishName: string | undefined;
  private acceptQueue: Uint8Array[] | null = null;

  role: RtmpServerRole = 'none';
  app = '';
  tcUrl = '';
  flashVer = '';
  objectEncoding = 0;
  connectObject: AmfObject | null = null;
  streamName = '';
  rawQuery = '';
  query: Record<string, string> = Object.create(null);
  streamId = 0;
  publishType: PublishType = 'live';
  playStart = -2;
  playDuration = -1;
  playReset = true;
  receiveAudio = true;
  receiveVideo = true;
  private appQuery = '';

  constructor(observer: RtmpServerObserver, io: RtmpSessionIo, options: RtmpServerSessionOptions = {}) {
    this.observer = observer;
    this.io = io;
    this.id = options.id ?? `rtmp-server-${++sessionCounter}`;
    this.remoteAddress = options.remoteAddress ?? '';
    this.logger = options.logger ?? nullLogger;
    this.now = options.nowMs ?? (() => performance.now());
    this.opts = {
      outChunkSize: options.outChunkSize ?? 4096,
      windowAckSize: options.windowAckSize ?? 2_500_000,
      peerBandwidth: options.peerBandwidth ?? 2_500_000,
      maxMessageSize: options.maxMessageSize ?? 8 * 1024 * 1024,
      maxChunkStreams: options.maxChunkStreams ?? 64,
      maxAmfDepth: options.maxAmfDepth ?? DEFAULT_MAX_AMF_DEPTH,
      maxStreams: options.maxStreams ?? 8,
      handshakeTimeoutMs: options.handshakeTimeoutMs ?? 10_000,
      idleTimeoutMs: options.idleTimeoutMs ?? 30_000,
      keepAliveIntervalMs: options.keepAliveIntervalMs ?? 10_000,
      sendBwDone: options.sendBwDone ?? false,
    };
    this.createdMs = this.now();
    this.lastRecvMs = this.createdMs;
    this.hs = new HandshakeServer(
      {
        onSend: (b) => this.send(b),
        onDone: (info, rest) => {
          this.hsInfo = info;
          this.reader = new ChunkReader(
            {
              onMessage: (m) => this.onMessage(m),
              onAckDue: (seq) => this.sendControl({ typeId: RtmpMsgType.Ack, sequenceNumber: seq }),
            },
            { maxMessageSize: this.opts.maxMessageSize, maxChunkStreams: this.opts.maxChunkStreams },
          );
          this.logger.debug(`[${this.id}] handshake done (${info.mode})`);
          if (rest.length > 0) this.reader.feed(rest);
        },
      },
      options.handshake,
    );
  }

  /** The handshake result, once done. */
  get handshake(): HandshakeInfo | null {
    return this.hsInfo;
  }

  /** True once closed. */
  get closed(): boolean {
    return this.closedReason !== null;
  }

  /** Why it closed (null while open). */
  get closeReason(): RtmpCloseReason | null {
    return this.closedReason;
  }

  /** True while publishing or playing (after Publish.Start / Play.Start, until stopped). */
  get isActive(): boolean {
    return this.active;
  }

  get outChunkSize(): number {
    return this.opts.outChunkSize;
  }

  get bufferedBytes(): number {
    return this.io.bufferedBytes?.() ?? 0;
  }

  /** Bytes received from / sent to the peer. */
  get stats(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: this.bytesIn, bytesOut: this.bytesOut };
  }

  /**
   * Bytes received from the peer, in any pieces. Shared: the session keeps views into `chunk`
   * (it must not be mutated afterwards; socket chunks are fresh buffers). Never throws.
   */
  feed(chunk: Uint8Array): void {
    if (this.closedReason !== null) return;
    this.lastRecvMs = this.now();
    this.bytesIn += chunk.length;
    try {
      if (this.reader === null) this.hs.feed(chunk);
      else this.reader.feed(chunk);
    } catch (e) {
      this.closeOnError(e);
    }
  }

  /** Runs the timers (handshake timeout, idle timeout, keep-alive ping). Call every ~1 s. */
  tick(): void {
    if (this.closedReason !== null) return;
    const now = this.now();
    if (this.reader === null) {
      const ms = this.opts.handshakeTimeoutMs;
      if (ms > 0 && now - this.createdMs >= ms) {
        this.closeWith('timeout', new RtmpTimeoutError('handshake', ms));
      }
      return;
    }
    const idle = now - this.lastRecvMs;
    const idleMs = this.opts.idleTimeoutMs;
    if (idleMs > 0 && idle >= idleMs) {
      this.closeWith('timeout', new RtmpTimeoutError('idle', idleMs, 'nothing received from the peer'));
      return;
    }
    const ka = this.opts.keepAliveIntervalMs;
    if (ka > 0 && idle >= ka && now - this.lastPingMs >= ka) {
      this.lastPingMs = now;
      this.sendControl({
        typeId: RtmpMsgType.UserControl,
        event: { eventType: UserControlEventType.PingRequest, timestampMs: Math.floor(now) >>> 0 },
      });
    }
  }

  /** Closes the session (idempotent). A string reason means kind 'local'. */
  close(reason: RtmpCloseReason | string = 'closed by the server'): void {
    if (this.closedReason !== null) return;
    const r: RtmpCloseReason = typeof reason === 'string' ? { kind: 'local', message: reason } : reason;
    // Stop first so the observer sees onPubStop/onSubStop before onClose.
    this.stop('close');
    if (this.closedReason !== null) return;
    this.closedReason = r;
    this.acceptQueue = null;
    const line = `[${this.id}] closed (${r.kind}): ${r.message}`;
    if (r.kind === 'error' || r.kind === 'observer-error' || r.kind === 'timeout') this.logger.warn(line);
    else this.logger.info(line);
    try {
      this.io.close();
    } catch (e) {
      this.logger.error(`[${this.id}] io.close threw: ${String(e)}`);
    }
    try {
      this.observer.onClose(this, r);
    } catch (e) {
      this.logger.error(`[${this.id}] observer onClose threw: ${String(e)}`);
    }
  }

  // ---- sub-session writes -----------------------------------------------------------------

  writeChunks(chunks: Uint8Array, typeId?: number): boolean {
    if (this.closedReason !== null || this.role !== 'sub') return false;
    if (typeId === RtmpMsgType.Audio && !this.receiveAudio) return false;
    if (typeId === RtmpMsgType.Video && !this.receiveVideo) return false;
    if (this.acceptQueue !== null) {
      if (this.acceptQueue.length >= MAX_ACCEPT_QUEUE) return false;
      this.acceptQueue.push(chunks);
      return true;
    }
    if (!this.active) return false;
    this.send(chunks);
    return true;
  }

  get filtersMedia(): boolean {
    return !this.receiveAudio || !this.receiveVideo;
  }

  writeChunkBatch(list: readonly Uint8Array[], typeIds?: readonly number[]): boolean {
    if (this.closedReason !== null || this.role !== 'sub') return false;
    let out = list;
    if (this.filtersMedia && typeIds !== undefined) {
      out = list.filter((_, i) => {
        const t = typeIds[i];
        return (
          !(t === RtmpMsgType.Audio && !this.receiveAudio) && !(t === RtmpMsgType.Video && !this.receiveVideo)
        );
      });
    }
    if (out.length === 0) return true;
    if (this.acceptQueue !== null) {
      for (const c of out) {
        if (this.acceptQueue.length >= MAX_ACCEPT_QUEUE) return false;
        this.acceptQueue.push(c);
      }
      return true;
    }
    if (!this.active) return false;
    if (this.io.sendBatch === undefined) {
      for (const c of out) this.send(c);
      return true;
    }
    for (const c of out) this.bytesOut += c.length;
    this.io.sendBatch(out);
    return true;
  }

  writeMessage(msg: RtmpMediaMessage): boolean {
    if (this.closedReason !== null || this.role !== 'sub') return false;
    const packed = packMessage(
      {
        csid: csidForMessageType(msg.typeId),
        typeId: msg.typeId,
        streamId: this.streamId,
        timestampMs: msg.timestampMs,
        payload: msg.payload,
      },
      this.opts.outChunkSize,
    );
    return this.writeChunks(packed, msg.typeId);
  }

  sendStreamBegin(): void {
    this.sendUserControl(UserControlEventType.StreamBegin);
  }

  sendStreamEof(): void {
    this.sendUserControl(UserControlEventType.StreamEof);
  }

  sendStatus(level: NetStatusLevel, code: string, description: string): void {
    this.sendCommand(this.streamId, onStatus(level, code, description));
  }

  sendUnpublishNotify(): void {
    this.sendStreamEof();
    this.sendStatus('status', NetStatusCode.PlayUnpublishNotify, `${this.streamName} is now unpublished.`);
  }

  sendPublishNotify(): void {
    this.sendStreamBegin();
    this.sendStatus('status', NetStatusCode.PlayPublishNotify, `${this.streamName} is now published.`);
  }

  sendPlayStop(): void {
    this.sendStatus('status', NetStatusCode.PlayStop, `Stopped playing ${this.streamName}.`);
  }

  // ---- internals ----------------------------------------------------------------------------

  private send(bytes: Uint8Array): void {
    if (this.closedReason !== null) return;
    this.bytesOut += bytes.length;
    this.io.send(bytes);
  }

  private sendControl(msg: ControlMessage): void {
    this.send(packControlMessage(msg, this.curOutChunkSize));
  }

  private sendUserControl(
    eventType: UserControlEventType.StreamBegin | UserControlEventType.StreamEof,
  ): void {
    this.sendControl({ typeId: RtmpMsgType.UserControl, event: { eventType, streamId: this.streamId } });
  }

  /** A command reply on `streamId`: csid 3 for the connection (stream 0), 8 for a stream. */
  private sendCommand(streamId: number, body: Uint8Array): void {
    const csid = streamId === 0 ? RtmpCsid.Command : RtmpCsid.StreamCommand;
    this.send(
      packMessage(
        { csid, typeId: RtmpMsgType.CommandAmf0, streamId, timestampMs: 0, payload: body },
        this.curOutChunkSize,
      ),
    );
  }

  private closeWith(kind: RtmpCloseKind, error: LalError | Error): void {
    this.close({ kind, message: error.message, error });
  }

  private closeOnError(e: unknown): void {
    if (this.closedReason !== null) return;
    if (isLalError(e)) this.closeWith('error', e);
    else this.close({ kind: 'error', message: `rtmp: internal error: ${String(e)}`, error: e });
  }

  /** Runs an observer callback; if it throws, closes the session ('observer-error'). */
  private guard<T>(what: string, fn: () => T): T | undefined {
    try {
      return fn();
    } catch (e) {
      this.observerThrew(what, e);
      return undefined;
    }
  }

  /** An observer callback threw: the session closes (or, already closed, the error is logged). */
  private observerThrew(what: string, e: unknown): void {
    const message = `rtmp: observer ${what} threw: ${e instanceof Error ? e.message : String(e)}`;
    if (this.closedReason === null) this.close({ kind: 'observer-error', message, error: e });
    else this.logger.error(`[${this.id}] ${message}`);
  }

  private onMessage(msg: RtmpMessage): void {
    if (this.closedReason !== null) return;
    switch (msg.typeId) {
      case RtmpMsgType.Audio:
      case RtmpMsgType.Video:
      case RtmpMsgType.DataAmf0:
      case RtmpMsgType.DataAmf3:
      case RtmpMsgType.Aggregate:
        this.onMedia(msg);
        return;
      case RtmpMsgType.CommandAmf0:
      case RtmpMsgType.CommandAmf3:
        this.onCommand(parseCommand(msg.typeId, msg.payload, { maxDepth: this.opts.maxAmfDepth }), msg);
        return;
      case RtmpMsgType.UserControl:
        this.onUserControl(msg.payload);
        return;
      // Set Chunk Size, Abort and Window Ack Size were applied by the reader; Acknowledgement and
      // Set Peer Bandwidth from a client need nothing; shared objects are not supported.
      default:
        return;
    }
  }

  private onUserControl(payload: Uint8Array): void {
    let m: ControlMessage;
    try {
      m = parseControlMessage(RtmpMsgType.UserControl, payload);
    } catch (e) {
      if (e instanceof UnsupportedError) return; // unknown event type: ignore, as the spec allows
      throw e;
    }
    if (m.typeId === RtmpMsgType.UserControl && m.event.eventType === UserControlEventType.PingRequest) {
      this.sendControl({
        typeId: RtmpMsgType.UserControl,
        event: { eventType: UserControlEventType.PingResponse, timestampMs: m.event.timestampMs },
      });
    }
  }

  private onMedia(msg: RtmpMessage): void {
    if (this.role !== 'pub' || !this.active) return; // media from a player or after unpublish: ignored
    switch (msg.typeId) {
      case RtmpMsgType.Audio:
      case RtmpMsgType.Video:
        // The message itself is an RtmpMediaMessage: no new object on the hot path.
        this.deliverMessage(msg);
        return;
      case RtmpMsgType.DataAmf0:
        this.deliverData(msg.timestampMs, msg.payload);
        return;
      case RtmpMsgType.DataAmf3: {
        const p = amf3DataToAmf0(msg.payload);
        if (p !== undefined) this.deliverData(msg.timestampMs, p);
        return;
      }
      case RtmpMsgType.Aggregate:
        for (const sub of splitAggregate(msg)) {
          if (sub.typeId === RtmpMsgType.Aggregate) continue;
          this.onMedia(sub);
          if (this.closedReason !== null) return;
        }
        return;
    }
  }

  private deliverData(timestampMs: number, payload: Uint8Array): void {
    const name = dataMessageName(payload);
    if (name === undefined || name === RTMP_SAMPLE_ACCESS) return;
    this.deliver(RtmpMsgType.DataAmf0, timestampMs, payload);
  }

  private deliver(typeId: number, timestampMs: number, payload: Uint8Array): void {
    this.deliverMessage({ typeId, timestampMs, payload });
  }

  /** onPubMessage, guarded like every observer call (written out: it runs per media message). */
  private deliverMessage(msg: RtmpMediaMessage): void {
    try {
      this.observer.onPubMessage(this, msg);
    } catch (e) {
      this.observerThrew('onPubMessage', e);
    }
  }

  private onCommand(cmd: RtmpCommand, msg: RtmpMessage): void {
    const tid = cmd.transactionId;
    if (cmd.name === 'connect') {
      this.onConnect(cmd);
      return;
    }
    if (!this.connected) {
      throw new ProtocolError(`rtmp: command '${cmd.name}' before connect`);
    }
    switch (cmd.name) {
      case 'releaseStream':
        if (tid !== 0) this.sendCommand(0, emptyResult(tid));
        return;
      case 'FCPublish':
        this.fcPublishName = str(cmd.args[0]);
        if (tid !== 0) this.sendCommand(0, emptyResult(tid));
        return;
      case 'createStream':
        if (this.streamsCreated >= this.opts.maxStreams) {
          this.sendCommand(0, errorResult(tid, `too many streams (limit ${this.opts.maxStreams})`));
          return;
        }
        this.streamsCreated++;
        this.sendCommand(0, createStreamResult(tid, this.streamsCreated));
        return;
      case 'publish':
        this.onPublish(cmd, msg.streamId);
        return;
      case 'play':
        this.onPlay(cmd, msg.streamId);
        return;
      case 'FCUnpublish':
        if (this.role === 'pub' && this.active) {
          this.sendCommand(0, onFCUnpublish(this.streamName));
          if (tid !== 0) this.sendCommand(0, emptyResult(tid));
          this.sendStatus('status', NetStatusCode.UnpublishSuccess, `${this.streamName} is now unpublished.`);
          this.stop('FCUnpublish');
        } else if (tid !== 0) {
          this.sendCommand(0, emptyResult(tid));
        }
        return;
      case 'deleteStream': {
        const id = cmd.args[0];
        if (typeof id === 'number' && id === this.streamId) this.stop('deleteStream');
        return;
      }
      case 'closeStream':
        if (msg.streamId === this.streamId || msg.streamId === 0) this.stop('closeStream');
        return;
      case 'getStreamLength':
        if (tid !== 0) this.sendCommand(0, getStreamLengthResult(tid, 0));
        return;
      case 'receiveAudio':
        this.receiveAudio = cmd.args[0] !== false;
        return;
      case 'receiveVideo':
        this.receiveVideo = cmd.args[0] !== false;
        return;
      // Replies and notifications a client may send, and calls that need no answer.
      case '_result':
      case '_error':
      case 'onStatus':
      case 'onBWDone':
      case 'FCSubscribe':
      case 'FCUnsubscribe':
      case 'pause':
      case 'seek':
        return;
      default:
        this.logger.debug(`[${this.id}] unknown command '${cmd.name}' (transaction ${tid})`);
        if (tid !== 0) this.sendCommand(0, errorResult(tid, `unknown command '${cmd.name}'`));
    }
  }

  private onConnect(cmd: RtmpCommand): void {
    const tid = cmd.transactionId;
    if (this.connected) {
      this.sendCommand(0, errorResult(tid, 'already connected'));
      return;
    }
    const o = cmd.commandObject;
    const [app, appQuery] = splitNameQuery(str(o?.app));
    this.app = app.replace(/\/+$/, '');
    this.appQuery = appQuery;
    this.query = parseQuery(appQuery);
    this.tcUrl = str(o?.tcUrl);
    this.flashVer = str(o?.flashVer);
    this.objectEncoding = o?.objectEncoding === 3 ? 3 : 0;
    this.connectObject = o;
    this.connected = true;
    this.logger.info(`[${this.id}] connect app=${this.app} tcUrl=${this.tcUrl} flashVer=${this.flashVer}`);
    const rejected = this.guard('onConnect', () => this.observer.onConnect?.(this));
    if (this.closedReason !== null) return;
    if (rejected instanceof Error) {
      this.sendCommand(0, connectRejected(tid, rejected.message));
      this.close({ kind: 'rejected', message: `connect rejected: ${rejected.message}`, error: rejected });
      return;
    }
    this.sendControl({ typeId: RtmpMsgType.WindowAckSize, windowSize: this.opts.windowAckSize });
    this.sendControl({
      typeId: RtmpMsgType.SetPeerBandwidth,
      windowSize: this.opts.peerBandwidth,
      limitType: PeerBandwidthLimitType.Dynamic,
    });
    this.sendControl({ typeId: RtmpMsgType.SetChunkSize, chunkSize: this.opts.outChunkSize });
    this.curOutChunkSize = this.opts.outChunkSize;
    this.sendCommand(0, connectResult(tid, { objectEncoding: this.objectEncoding }));
    if (this.opts.sendBwDone) this.sendCommand(0, onBWDone());
  }

  /** Common checks of publish/play; returns the raw stream name, or undefined after rejecting. */
  private takeStreamName(cmd: RtmpCommand, streamId: number, badCode: string): string | undefined {
    const raw = cmd.args[0];
    let why = '';
    if (this.role !== 'none') why = 'this connection already publishes or plays a stream';
    else if (typeof raw !== 'string' || raw === '') why = 'no stream name';
    if (why === '') return raw as string;
    this.sendCommand(streamId, onStatus('error', badCode, why));
    this.close({ kind: 'rejected', message: `${cmd.name} rejected: ${why}` });
    return undefined;
  }

  private setStream(raw: string, streamId: number): void {
    const [name, rawQuery] = splitNameQuery(raw);
    this.streamName = name;
    this.rawQuery = rawQuery;
    this.query = Object.assign(Object.create(null), parseQuery(this.appQuery), parseQuery(rawQuery));
    this.streamId = streamId;
  }

  private onPublish(cmd: RtmpCommand, streamId: number): void {
    const raw = this.takeStreamName(cmd, streamId, NetStatusCode.PublishBadName);
    if (raw === undefined) return;
    this.setStream(raw, streamId);
    const type = cmd.args[1];
    this.publishType = type === 'record' ? 'record' : type === 'append' ? 'append' : 'live';
    this.role = 'pub';
    this.logger.info(`[${this.id}] publish ${this.app}/${this.streamName} (${this.publishType})`);
    const rejected = this.guard('onNewPubSession', () => this.observer.onNewPubSession(this));
    if (this.closedReason !== null) return;
    if (rejected instanceof Error) {
      this.sendStatus('error', NetStatusCode.PublishBadName, rejected.message);
      this.close({ kind: 'rejected', message: `publish rejected: ${rejected.message}`, error: rejected });
      return;
    }
    this.active = true;
    if (this.fcPublishName !== undefined) this.sendCommand(streamId, onFCPublish(this.streamName));
    this.sendStatus('status', NetStatusCode.PublishStart, `${this.streamName} is now published.`);
  }

  private onPlay(cmd: RtmpCommand, streamId: number): void {
    const raw = this.takeStreamName(cmd, streamId, NetStatusCode.PlayStreamNotFound);
    if (raw === undefined) return;
    this.setStream(raw, streamId);
    const [, start, duration, reset] = cmd.args;
    this.playStart = typeof start === 'number' ? start : -2;
    this.playDuration = typeof duration === 'number' ? duration : -1;
    this.playReset = reset !== false;
    this.role = 'sub';
    this.logger.info(`[${this.id}] play ${this.app}/${this.streamName}`);
    this.acceptQueue = [];
    const rejected = this.guard('onNewSubSession', () => this.observer.onNewSubSession(this));
    const queued = this.acceptQueue ?? [];
    this.acceptQueue = null;
    if (this.closedReason !== null) return;
    if (rejected instanceof Error) {
      this.sendStatus('error', NetStatusCode.PlayStreamNotFound, rejected.message);
      this.close({ kind: 'rejected', message: `play rejected: ${rejected.message}`, error: rejected });
      return;
    }
    this.active = true;
    this.sendStreamBegin();
    if (this.playReset)
      this.sendStatus('status', NetStatusCode.PlayReset, `Playing and resetting ${this.streamName}.`);
    this.sendStatus('status', NetStatusCode.PlayStart, `Started playing ${this.streamName}.`);
    this.send(
      packMessage(
        {
          csid: RtmpCsid.Data,
          typeId: RtmpMsgType.DataAmf0,
          streamId,
          timestampMs: 0,
          payload: rtmpSampleAccess(),
        },
        this.curOutChunkSize,
      ),
    );
    for (const b of queued) this.send(b);
  }

  private stop(cause: RtmpStopCause): void {
    if (!this.active) return;
    this.active = false;
    this.logger.info(`[${this.id}] ${this.role} ${this.app}/${this.streamName} stopped (${cause})`);
    if (this.role === 'pub') this.guard('onPubStop', () => this.observer.onPubStop?.(this, cause));
    else this.guard('onSubStop', () => this.observer.onSubStop?.(this, cause));
  }
}
