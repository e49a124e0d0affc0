import type { Logger } from '../../base/logger.js';
import { nullLogger } from '../../base/logger.js';
import type { AmfValue } from '../../format/amf/index.js';
import { isLalError, UnsupportedError } from '../../util/errors.js';
import { splitAggregate } from './aggregate.js';
import { ChunkReader } from './chunk-reader.js';
import { packMessage } from './chunk-writer.js';
import {
  connectCommand,
  createStreamCommand,
  DEFAULT_MAX_AMF_DEPTH,
  deleteStreamCommand,
  NetStatusCode,
  type PublishType,
  parseCommand,
  playCommand,
  publishCommand,
  type RtmpCommand,
  readStatusInfo,
  streamNameCommand,
} from './command.js';
import {
  type ControlMessage,
  packControlMessage,
  parseControlMessage,
  UserControlEventType,
} from './control-message.js';
import {
  addSetDataFrame,
  amf3DataToAmf0,
  dataMessageName,
  isMetadata,
  RTMP_SAMPLE_ACCESS,
} from './data-message.js';
import { RtmpClosedError, RtmpStatusError, RtmpTimeoutError } from './errors.js';
import { HandshakeClient, type HandshakeInfo, type HandshakeOptions } from './handshake.js';
import {
  csidForMessageType,
  DEFAULT_CHUNK_SIZE,
  RtmpCsid,
  type RtmpMessage,
  RtmpMsgType,
} from './message-types.js';
import type { RtmpCloseKind, RtmpCloseReason, RtmpMediaMessage, RtmpSessionIo } from './session-types.js';
import { parseRtmpUrl, type RtmpUrl } from './url.js';

/** A status (onStatus info, or the info of a `_result`/`_error`) as the client saw it. */
export interface RtmpStatus {
  level: string;
  code: string;
  description: string;
}

/** What a client session reports; every listener is guarded (a throw closes the session). */
export interface RtmpClientEvents {
  /** Publishing / playing started (NetStream.Publish.Start / NetStream.Play.Start). */
  onStart?(): void;
  /** Pull only: a media or data message (see RtmpMediaMessage for ownership). */
  onMessage?(msg: RtmpMediaMessage): void;
  /** An onStatus after start (e.g. NetStream.Play.UnpublishNotify, NetStream.Play.Stop). */
  onStatus?(status: RtmpStatus): void;
  /**
   * Pull only: User Control Stream EOF after the play started: the server's stream ended (nginx-rtmp
   * sends only this when its publisher leaves, unless `publish_notify` is on).
   */
  onStreamEof?(): void;
  /** Closed, exactly once. Before start, `reason.error` is why it could not start. */
  onClose?(reason: RtmpCloseReason): void;
}

/** Options of the client cores; every field has a default. */
export interface RtmpClientOptions {
  /** Send a complex (digest) C1 like ffmpeg/OBS/Flash (true) or a simple one (false). Default true. */
  complexHandshake?: boolean;
  /** Our outgoing chunk size, announced right after the handshake. Default 4096 (ffmpeg's). */
  outChunkSize?: number;
  /** Window Acknowledgement Size sent to the server after connect (pull only). Default 2,500,000. */
  windowAckSize?: number;
  /** Largest message the server may send (ChunkReader). Default 8 MiB. */
  maxMessageSize?: number;
  /** Most chunk streams the server may open (ChunkReader). Default 64. */
  maxChunkStreams?: number;
  /** Deepest AMF nesting accepted in command/data messages. Default 32. */
  maxAmfDepth?: number;
  /** From start() to Publish.Start / Play.Start (handshake and commands), ms; 0 = none. Default 10,000. */
  startTimeoutMs?: number;
  /**
   * Close when nothing arrives from the server for this many ms; 0 = never. Default 10,000 for
   * pull (media keeps arriving) and 0 for push (a server sends a publisher little but acknowledgements).
   */
  readTimeoutMs?: number;
  /** `flashVer` of connect. Default 'FMLE/3.0 (compatible; lal.ts)' for push, 'LNX 9,0,124,2' for pull. */
  flashVer?: string;
  /** Extra fields of the connect command object (swfUrl, pageUrl, ...). */
  connectFields?: Record<string, AmfValue>;
  /** Session id for logs; default `rtmp-push-N` / `rtmp-pull-N`. */
  id?: string;
  /** Default nullLogger. */
  logger?: Logger;
  /** Clock for the timers, ms. Default performance.now. */
  nowMs?: () => number;
  /** Passed to HandshakeClient (complexHandshake wins over its `complex`). */
  handshake?: HandshakeOptions;
}

/** Options of the push core. */
export interface RtmpPushOptions extends RtmpClientOptions {
  /** The `publish` type. Default 'live'. */
  publishType?: PublishType;
}

/** Options of the pull core. */
export interface RtmpPullOptions extends RtmpClientOptions {
  /** `play` start argument (s): -2 live or recorded, -1 live only, >= 0 recorded. Default -2. */
  playStart?: number;
  /** Set Buffer Length sent after play, ms (ffmpeg 3000, librtmp 36000000 for files). Default 3000. */
  bufferLengthMs?: number;
}

/** Where a client session is. */
export type RtmpClientState =
  | 'idle'
  | 'handshake'
  | 'connecting'
  | 'creating-stream'
  | 'starting'
  | 'started'
  | 'closed';

let counter = 0;

/**
 * Common part of the client sessions, sans-IO: `start()` emits C0+C1, `feed` takes the server's
 * bytes, `io.send` carries ours, `tick()` runs the timers. Flow: handshake, Set Chunk Size,
 * `connect`; then the subclass's commands. `_error` and error-level onStatus before start fail
 * with RtmpStatusError (naming the status code); a timeout with RtmpTimeoutError; bad input with
 * the parser's LalError. Nothing escapes `feed` or `tick`: failures close the session and reach
 * `events.onClose`.
 */
export abstract class RtmpClientCore {
  readonly id: string;
  readonly url: RtmpUrl;
  protected readonly io: RtmpSessionIo;
  protected readonly events: RtmpClientEvents;
  protected readonly logger: Logger;
  protected readonly outChunk: number;
  private readonly now: () => number;
  private readonly startTimeoutMs: number;
  private readonly readTimeoutMs: number;
  private readonly maxAmfDepth: number;
  private readonly hs: HandshakeClient;
  private readonly readerOptions: { maxMessageSize: number; maxChunkStreams: number };
  private reader: ChunkReader | null = null;
  private hsInfo: HandshakeInfo | null = null;
  private startedMs = 0;
  private lastRecvMs = 0;
  private nextTid = 1;
  private readonly pending = new Map<number, string>();
  private sentWindowAck = false;
  private curOutChunkSize = DEFAULT_CHUNK_SIZE;
  private closedReason: RtmpCloseReason | null = null;
  protected st: RtmpClientState = 'idle';
  protected msgStreamId = 0;
  protected readonly windowAckSize: number;
  private bytesIn = 0;
  private bytesOut = 0;

  constructor(
    kind: 'push' | 'pull',
    url: string | RtmpUrl,
    io: RtmpSessionIo,
    events: RtmpClientEvents,
    options: RtmpClientOptions,
  ) {
    this.id = options.id ?? `rtmp-${kind}-${++counter}`;
    this.url = typeof url === 'string' ? parseRtmpUrl(url) : url;
    this.io = io;
    this.events = events;
    this.logger = options.logger ?? nullLogger;
    this.now = options.nowMs ?? (() => performance.now());
    this.outChunk = options.outChunkSize ?? 4096;
    this.windowAckSize = options.windowAckSize ?? 2_500_000;
    this.startTimeoutMs = options.startTimeoutMs ?? 10_000;
    this.readTimeoutMs = options.readTimeoutMs ?? (kind === 'pull' ? 10_000 : 0);
    this.maxAmfDepth = options.maxAmfDepth ?? DEFAULT_MAX_AMF_DEPTH;
    this.readerOptions = {
      maxMessageSize: options.maxMessageSize ?? 8 * 1024 * 1024,
      maxChunkStreams: options.maxChunkStreams ?? 64,
    };
    this.hs = new HandshakeClient(
      {
        onSend: (b) => this.send(b),
        onDone: (info, rest) => this.onHandshakeDone(info, rest),
      },
      { ...options.handshake, complex: options.complexHandshake ?? true },
    );
  }

  get state(): RtmpClientState {
    return this.st;
  }

  /** The handshake result, once done. */
  get handshake(): HandshakeInfo | null {
    return this.hsInfo;
  }

  get closed(): boolean {
    return this.closedReason !== null;
  }

  get closeReason(): RtmpCloseReason | null {
    return this.closedReason;
  }

  /** The message stream id the server gave (0 before createStream's result). */
  get streamId(): number {
    return this.msgStreamId;
  }

  /** Our chunk size for everything after the handshake (pre-packed chunks must use it). */
  get outChunkSize(): number {
    return this.outChunk;
  }

  get stats(): { bytesIn: number; bytesOut: number } {
    return { bytesIn: this.bytesIn, bytesOut: this.bytesOut };
  }

  /** Emits C0+C1 and starts the start timer. Call once, when the transport is connected. */
  start(): void {
    if (this.st !== 'idle') return;
    this.st = 'handshake';
    this.startedMs = this.now();
    this.lastRecvMs = this.startedMs;
    try {
      this.hs.start();
    } catch (e) {
      this.fail('error', e);
    }
  }

  /** Bytes from the server, in any pieces (shared: views are kept). Never throws. */
  feed(chunk: Uint8Array): void {
    if (this.closedReason !== null) return;
    this.lastRecvMs = this.now();
    this.bytesIn += chunk.length;
    try {
      if (this.reader === null) this.hs.feed(chunk);
      else this.reader.feed(chunk);
    } catch (e) {
      this.fail('error', e);
    }
  }

  /** Runs the start and read timers. Call periodically (the adapter does). */
  tick(): void {
    if (this.closedReason !== null || this.st === 'idle') return;
    const now = this.now();
    if (this.st !== 'started' && this.startTimeoutMs > 0 && now - this.startedMs >= this.startTimeoutMs) {
      this.fail('timeout', new RtmpTimeoutError('start', this.startTimeoutMs, `still in state ${this.st}`));
      return;
    }
    if (this.readTimeoutMs > 0 && now - this.lastRecvMs >= this.readTimeoutMs) {
      this.fail(
        'timeout',
        new RtmpTimeoutError('read', this.readTimeoutMs, 'nothing received from the server'),
      );
    }
  }

  /**
   * Closes cleanly (idempotent): once started, the goodbye commands (push: FCUnpublish and
   * deleteStream; pull: deleteStream), then the transport is closed (FIN after the flush).
   */
  close(reason = 'closed by the client'): void {
    if (this.closedReason !== null) return;
    if (this.st === 'started') {
      try {
        this.sendGoodbye();
      } catch (e) {
        this.logger.warn(`[${this.id}] goodbye failed: ${String(e)}`);
      }
    }
    this.finish({ kind: 'local', message: reason });
  }

  /** The transport closed under us (the adapter calls this on 'close'). */
  transportClosed(error?: unknown): void {
    if (this.closedReason !== null) return;
    const before = this.st !== 'started';
    const msg = error !== undefined ? `connection lost: ${String(error)}` : 'connection closed by the server';
    this.finish({
      kind: 'peer',
      message: msg,
      error: before ? new RtmpClosedError(`rtmp: ${msg} (in state ${this.st})`, { cause: error }) : error,
    });
  }

  // ---- for subclasses -------------------------------------------------------------------------

  protected abstract afterConnect(): void;
  protected abstract afterCreateStream(): void;
  protected abstract onStartStatus(s: RtmpStatus): void;
  protected abstract sendGoodbye(): void;
  protected abstract onMediaMessage(msg: RtmpMessage): void;

  protected tid(method: string): number {
    const t = this.nextTid++;
    this.pending.set(t, method);
    return t;
  }

  protected send(bytes: Uint8Array): void {
    if (this.closedReason !== null) return;
    this.bytesOut += bytes.length;
    this.io.send(bytes);
  }

  protected sendControl(msg: ControlMessage): void {
    this.send(packControlMessage(msg, this.curOutChunkSize));
  }

  /** A command on csid 3 (stream 0) or 8 (a stream). */
  protected sendCommand(streamId: number, body: Uint8Array): void {
    this.send(
      packMessage(
        {
          csid: streamId === 0 ? RtmpCsid.Command : RtmpCsid.StreamCommand,
          typeId: RtmpMsgType.CommandAmf0,
          streamId,
          timestampMs: 0,
          payload: body,
        },
        this.curOutChunkSize,
      ),
    );
  }

  protected started(): void {
    if (this.st === 'started' || this.closedReason !== null) return;
    this.st = 'started';
    this.logger.info(`[${this.id}] started ${this.url.tcUrl}/${this.url.streamNameWithQuery}`);
    this.guard('onStart', () => this.events.onStart?.());
  }

  protected fail(kind: RtmpCloseKind, e: unknown): void {
    if (this.closedReason !== null) return;
    const message = e instanceof Error ? e.message : String(e);
    this.finish({ kind, message, error: isLalError(e) || e instanceof Error ? e : new Error(message) });
  }

  protected guard(what: string, fn: () => void): void {
    try {
      fn();
    } catch (e) {
      const message = `rtmp: listener ${what} threw: ${e instanceof Error ? e.message : String(e)}`;
      if (this.closedReason === null) this.finish({ kind: 'observer-error', message, error: e });
      else this.logger.error(`[${this.id}] ${message}`);
    }
  }

  protected deliver(typeId: number, timestampMs: number, payload: Uint8Array): void {
    this.guard('onMessage', () => this.events.onMessage?.({ typeId, timestampMs, payload }));
  }

  // ---- internals ----------------------------------------------------------------------------

  private finish(r: RtmpCloseReason): void {
    if (this.closedReason !== null) return;
    this.closedReason = r;
    this.st = 'closed';
    const line = `[${this.id}] closed (${r.kind}): ${r.message}`;
    if (r.kind === 'local' || r.kind === 'peer') this.logger.info(line);
    else this.logger.warn(line);
    try {
      this.io.close();
    } catch (e) {
      this.logger.error(`[${this.id}] io.close threw: ${String(e)}`);
    }
    try {
      this.events.onClose?.(r);
    } catch (e) {
      this.logger.error(`[${this.id}] listener onClose threw: ${String(e)}`);
    }
  }

  private onHandshakeDone(info: HandshakeInfo, rest: Uint8Array): void {
    this.hsInfo = info;
    this.reader = new ChunkReader(
      {
        onMessage: (m) => this.onMessage(m),
        onAckDue: (seq) => this.sendControl({ typeId: RtmpMsgType.Ack, sequenceNumber: seq }),
      },
      this.readerOptions,
    );
    this.sendControl({ typeId: RtmpMsgType.SetChunkSize, chunkSize: this.outChunk });
    this.curOutChunkSize = this.outChunk;
    this.st = 'connecting';
    const u = this.url;
    this.sendCommand(0, connectCommand(this.tid('connect'), this.connectFields(u)));
    if (rest.length > 0) this.reader.feed(rest);
  }

  protected abstract connectFields(u: RtmpUrl): Parameters<typeof connectCommand>[1];

  private onMessage(msg: RtmpMessage): void {
    if (this.closedReason !== null) return;
    switch (msg.typeId) {
      case RtmpMsgType.CommandAmf0:
      case RtmpMsgType.CommandAmf3:
        this.onCommand(parseCommand(msg.typeId, msg.payload, { maxDepth: this.maxAmfDepth }));
        return;
      case RtmpMsgType.UserControl:
        this.onUserControl(msg.payload);
        return;
      case RtmpMsgType.SetPeerBandwidth:
        // librtmp and ffmpeg answer with their Window Acknowledgement Size.
        if (!this.sentWindowAck) {
          this.sentWindowAck = true;
          this.sendControl({ typeId: RtmpMsgType.WindowAckSize, windowSize: this.windowAckSize });
        }
        return;
      case RtmpMsgType.Audio:
      case RtmpMsgType.Video:
      case RtmpMsgType.DataAmf0:
      case RtmpMsgType.DataAmf3:
      case RtmpMsgType.Aggregate:
        this.onMediaMessage(msg);
        return;
      default:
        return;
    }
  }

  private onUserControl(payload: Uint8Array): void {
    let m: ControlMessage;
    try {
      m = parseControlMessage(RtmpMsgType.UserControl, payload);
    } catch (e) {
      if (e instanceof UnsupportedError) return;
      throw e;
    }
    if (m.typeId !== RtmpMsgType.UserControl) return;
    if (m.event.eventType === UserControlEventType.PingRequest) {
      this.sendControl({
        typeId: RtmpMsgType.UserControl,
        event: { eventType: UserControlEventType.PingResponse, timestampMs: m.event.timestampMs },
      });
    } else if (m.event.eventType === UserControlEventType.StreamEof && this.st === 'started') {
      this.guard('onStreamEof', () => this.events.onStreamEof?.());
    }
  }

  private onCommand(cmd: RtmpCommand): void {
    if (cmd.name === '_result' || cmd.name === '_error') {
      const method = this.pending.get(cmd.transactionId);
      if (method === undefined) return;
      this.pending.delete(cmd.transactionId);
      const info = readStatusInfo(cmd.args[0] ?? null);
      if (cmd.name === '_error') {
        // Adobe-specific leftovers that servers may refuse: ignore, as ffmpeg does.
        if (method === 'releaseStream' || method === 'FCPublish' || method === 'FCSubscribe') return;
        this.fail('rejected', new RtmpStatusError(method, info.code || '_error', info.description));
        return;
      }
      if (method === 'connect' && this.st === 'connecting') {
        if (info.level === 'error') {
          this.fail('rejected', new RtmpStatusError('connect', info.code, info.description));
          return;
        }
        this.st = 'creating-stream';
        this.afterConnect();
      } else if (method === 'createStream' && this.st === 'creating-stream') {
        const id = cmd.args[0];
        if (typeof id !== 'number' || !Number.isInteger(id) || id < 0 || id > 0xffffffff) {
          this.fail('error', new RtmpStatusError('createStream', '_result without a stream id', ''));
          return;
        }
        this.msgStreamId = id;
        this.st = 'starting';
        this.afterCreateStream();
      }
      return;
    }
    if (cmd.name === 'onStatus') {
      const s = readStatusInfo(cmd.args[0] ?? null);
      if (this.st !== 'started') {
        if (s.level === 'error') {
          this.fail('rejected', new RtmpStatusError(this.startVerb(), s.code, s.description));
          return;
        }
        this.onStartStatus(s);
        return;
      }
      this.guard('onStatus', () => this.events.onStatus?.(s));
      if (s.level === 'error' && this.closedReason === null) {
        this.fail('rejected', new RtmpStatusError(this.startVerb(), s.code, s.description));
      }
    }
    // onBWDone, onFCPublish, onFCUnpublish, ...: nothing to do.
  }

  protected abstract startVerb(): string;
}

/**
 * Publishing client, sans-IO (ffmpeg/OBS flow): connect, releaseStream + FCPublish +
 * createStream, publish; then `write` media. Metadata (`onMetaData ...` type 18) goes out with
 * `@setDataFrame` prepended, as ffmpeg and OBS send it.
 */
export class RtmpPushCore extends RtmpClientCore {
  private readonly publishType: PublishType;
  private readonly flashVer: string;
  private readonly extraConnect: Record<string, AmfValue>;

  constructor(
    url: string | RtmpUrl,
    io: RtmpSessionIo,
    events: RtmpClientEvents,
    options: RtmpPushOptions = {},
  ) {
    super('push', url, io, events, options);
    this.publishType = options.publishType ?? 'live';
    this.flashVer = options.flashVer ?? 'FMLE/3.0 (compatible; lal.ts)';
    this.extraConnect = options.connectFields ?? {};
  }

  /**
   * Sends one message (after start): packed at outChunkSize on the csid for its type, fmt 0 first.
   * `payload` is only read during the call. Returns false when not started or closed.
   */
  write(msg: RtmpMediaMessage): boolean {
    if (this.st !== 'started' || this.closed) return false;
    let payload = msg.payload;
    if (msg.typeId === RtmpMsgType.DataAmf0 && isMetadata(payload)) payload = addSetDataFrame(payload);
    this.send(
      packMessage(
        {
          csid: csidForMessageType(msg.typeId),
          typeId: msg.typeId,
          streamId: this.msgStreamId,
          timestampMs: msg.timestampMs,
          payload,
        },
        this.outChunk,
      ),
    );
    return true;
  }

  /**
   * Sends pre-packed chunks (packMessage at outChunkSize with streamId = this.streamId); the Buffer
   * is retained until written and must not be mutated. Returns false when not started or closed.
   */
  writeChunks(chunks: Uint8Array): boolean {
    if (this.st !== 'started' || this.closed) return false;
    this.send(chunks);
    return true;
  }

  protected connectFields(u: RtmpUrl): Parameters<typeof connectCommand>[1] {
    return {
      app: u.app,
      type: 'nonprivate',
      flashVer: this.flashVer,
      tcUrl: u.tcUrl,
      extra: this.extraConnect,
    };
  }

  protected afterConnect(): void {
    const name = this.url.streamNameWithQuery;
    this.sendCommand(0, streamNameCommand('releaseStream', this.tid('releaseStream'), name));
    this.sendCommand(0, streamNameCommand('FCPublish', this.tid('FCPublish'), name));
    this.sendCommand(0, createStreamCommand(this.tid('createStream')));
  }

  protected afterCreateStream(): void {
    this.sendCommand(
      this.msgStreamId,
      publishCommand(this.tid('publish'), this.url.streamNameWithQuery, this.publishType),
    );
  }

  protected onStartStatus(s: RtmpStatus): void {
    if (s.code === NetStatusCode.PublishStart) this.started();
  }

  protected sendGoodbye(): void {
    this.sendCommand(
      0,
      streamNameCommand('FCUnpublish', this.tid('FCUnpublish'), this.url.streamNameWithQuery),
    );
    this.sendCommand(0, deleteStreamCommand(this.tid('deleteStream'), this.msgStreamId));
  }

  protected onMediaMessage(): void {
    // A server sends a publisher no media.
  }

  protected startVerb(): string {
    return 'publish';
  }
}

/**
 * Playing client, sans-IO (ffmpeg/librtmp flow): connect, Window Ack Size, createStream, play,
 * Set Buffer Length; then media and data messages go to `events.onMessage` (AMF3 data as type 18,
 * aggregates split, `|RtmpSampleAccess` and data-channel onStatus dropped; metadata as the server
 * sent it, maybe with `@setDataFrame`: see stripSetDataFrame). Media arriving before Play.Start
 * (some servers skip it) starts the session.
 */
export class RtmpPullCore extends RtmpClientCore {
  private readonly playStart: number;
  private readonly bufferLengthMs: number;
  private readonly flashVer: string;
  private readonly extraConnect: Record<string, AmfValue>;

  constructor(
    url: string | RtmpUrl,
    io: RtmpSessionIo,
    events: RtmpClientEvents,
    options: RtmpPullOptions = {},
  ) {
    super('pull', url, io, events, options);
    this.playStart = options.playStart ?? -2;
    this.bufferLengthMs = options.bufferLengthMs ?? 3000;
    this.flashVer = options.flashVer ?? 'LNX 9,0,124,2';
    this.extraConnect = options.connectFields ?? {};
  }

  protected connectFields(u: RtmpUrl): Parameters<typeof connectCommand>[1] {
    // The fields ffmpeg sends when playing.
    return {
      app: u.app,
      flashVer: this.flashVer,
      tcUrl: u.tcUrl,
      fpad: false,
      capabilities: 15,
      audioCodecs: 4071,
      videoCodecs: 252,
      videoFunction: 1,
      extra: this.extraConnect,
    };
  }

  protected afterConnect(): void {
    this.sendControl({ typeId: RtmpMsgType.WindowAckSize, windowSize: this.windowAckSize });
    this.sendCommand(0, createStreamCommand(this.tid('createStream')));
  }

  protected afterCreateStream(): void {
    const id = this.msgStreamId;
    this.sendCommand(id, playCommand(this.tid('play'), this.url.streamNameWithQuery, this.playStart));
    this.sendControl({
      typeId: RtmpMsgType.UserControl,
      event: {
        eventType: UserControlEventType.SetBufferLength,
        streamId: id,
        bufferLengthMs: this.bufferLengthMs,
      },
    });
  }

  protected onStartStatus(s: RtmpStatus): void {
    if (s.code === NetStatusCode.PlayStart) this.started();
  }

  protected sendGoodbye(): void {
    this.sendCommand(0, deleteStreamCommand(this.tid('deleteStream'), this.msgStreamId));
  }

  protected onMediaMessage(msg: RtmpMessage): void {
    if (this.st === 'starting') this.started();
    if (this.st !== 'started') return;
    switch (msg.typeId) {
      case RtmpMsgType.Audio:
      case RtmpMsgType.Video:
        this.deliver(msg.typeId, msg.timestampMs, msg.payload);
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
          this.onMediaMessage(sub);
          if (this.closed) return;
        }
        return;
    }
  }

  private deliverData(timestampMs: number, payload: Uint8Array): void {
    const name = dataMessageName(payload);
    if (name === undefined || name === RTMP_SAMPLE_ACCESS || name === 'onStatus') return;
    this.deliver(RtmpMsgType.DataAmf0, timestampMs, payload);
  }

  protected startVerb(): string {
    return 'play';
  }
}
