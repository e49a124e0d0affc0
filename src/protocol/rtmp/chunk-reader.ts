import { ByteQueue } from '../../util/byte-queue.js';
import { InvalidArgError, type LalError, LimitError, ProtocolError } from '../../util/errors.js';
import { parseControlMessage } from './control-message.js';
import {
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_SIZE,
  type RtmpMessage,
  RtmpMsgType,
} from './message-types.js';

/** Options of ChunkReader; every field has a default. */
export interface ChunkReaderOptions {
  /**
   * Largest message length accepted, in bytes. A header declaring more is a LimitError before
   * anything is allocated. Default 8 MiB: several times the largest key frame of a high-bitrate 4K
   * stream, and half of what the 24-bit length field can declare.
   */
  maxMessageSize?: number;
  /**
   * Most distinct chunk stream ids the peer may use over the connection. Default 64: encoders use
   * 3 to 8 (ffmpeg 2..8, OBS 2..7); each open chunk stream keeps its header state for good.
   */
  maxChunkStreams?: number;
  /**
   * Largest chunk size the peer may announce with Set Chunk Size. Default 16 MiB (0x1000000): no
   * message is longer, so a larger chunk size buys a peer nothing. The spec allows up to
   * 0x7FFFFFFF.
   */
  maxChunkSize?: number;
  /**
   * Largest total of the assembly buffers of messages in progress, over all chunk streams. Without
   * it a peer could make the reader allocate `maxChunkStreams` x `maxMessageSize` bytes by sending
   * a few message headers. Default 2 x `maxMessageSize` (a large video message with audio chunks
   * interleaved needs little more than one).
   */
  maxPendingMessageBytes?: number;
  /** The peer's chunk size until it sends Set Chunk Size. Default 128 (spec 5.4.1). */
  chunkSize?: number;
}

/** Receives what the reader produces; passed at construction. */
export interface ChunkReaderHandler {
  /**
   * A complete message. `msg` is new; `msg.payload` is shared and read-only: a view into the fed
   * bytes when the message arrived in one contiguous piece (retaining it keeps that input chunk
   * alive), else a buffer assembled once for this message. It may be retained; the reader never
   * writes to it again. Set Chunk Size, Abort and Window Acknowledgement Size have already been
   * applied by the reader when they are handed up here.
   */
  onMessage(msg: RtmpMessage): void;
  /**
   * The peer's window (Window Acknowledgement Size) has been received since the last
   * acknowledgement: send an Acknowledgement (spec 5.4.3) with `sequenceNumber` (bytes received so
   * far, modulo 2^32). Called at most once per `feed`, after its messages.
   */
  onAckDue?(sequenceNumber: number): void;
}

const DEFAULT_MAX_MESSAGE_SIZE = 8 * 1024 * 1024;
const DEFAULT_MAX_CHUNK_STREAMS = 64;
const DEFAULT_MAX_CHUNK_SIZE = 16 * 1024 * 1024;

/** Message header length per fmt (spec 5.3.1.2): type 0 11 bytes, 1 7, 2 3, 3 0. */
const MESSAGE_HEADER_LEN = [11, 7, 3, 0] as const;

const EMPTY = new Uint8Array(0);

/** What the reader remembers per chunk stream id (spec 5.3.1.2: later headers omit fields). */
class ChunkStream {
  readonly csid: number;
  /** Length, type and stream id from the last fmt 0/1 header. */
  msgLength = 0;
  typeId = 0;
  streamId = 0;
  /** Timestamp of the last message started on this chunk stream. */
  timestampMs = 0;
  /**
   * The last timestamp field (fmt 0: absolute, fmt 1/2: delta), extended value included. A fmt 3
   * chunk that starts a new message adds it again (spec 5.3.1.2.4; ffmpeg, librtmp and SRS all
   * do this, also after a fmt 0 header).
   */
  timestampDelta = 0;
  /** The last fmt 0/1/2 header had the 0xFFFFFF marker, so fmt 3 chunks carry an extended timestamp. */
  extendedTimestamp = false;
  /** Some chunks of a message have been read and more are due. */
  inMessage = false;
  /** Assembly buffer of a multi-chunk message (null for a message read in one chunk). */
  buf: Buffer | null = null;
  filled = 0;

  constructor(csid: number) {
    this.csid = csid;
  }
}

/**
 * Sans-IO RTMP chunk stream reader (Adobe "RTMP Specification 1.0" 5.3 Chunking): feed it the bytes
 * received after the handshake, in any pieces; it hands complete messages to the handler.
 *
 * ```
 * chunk        = basic header (1..3) | message header (11, 7, 3 or 0) | [extended timestamp 4] | data
 * basic header = fmt(2) csid(6); csid 0 => 64 + next byte; csid 1 => 64 + next byte + 256 * byte after
 * fmt 0        = timestamp 3 | message length 3 | message type 1 | message stream id 4 (little-endian)
 * fmt 1        = timestamp delta 3 | message length 3 | message type 1
 * fmt 2        = timestamp delta 3
 * fmt 3        = (nothing: continue the message, or start one with the previous header and delta)
 * ```
 *
 * Extended timestamp (5.3.1.3): a 24-bit timestamp field of 0xFFFFFF means a 32-bit value follows
 * the message header. A fmt 3 chunk carries the extended field again whenever the last fmt 0/1/2
 * header on its chunk stream had one; that is what ffmpeg, librtmp and OBS write and read, so this
 * reader follows them (the 2012 spec leaves it unclear). Timestamps are u32 and wrap.
 *
 * Tolerated departure from a strict reading: a chunk stream may open with fmt 1 (message stream id
 * 0, base timestamp 0), because librtmp sends its first User Control message on csid 2 that way
 * (see SRS issue 98). fmt 2/3 on a chunk stream never opened, a fmt 0 header or a changed length or
 * type in the middle of a message are ProtocolErrors; a declared length over `maxMessageSize`, more
 * than `maxChunkStreams` chunk streams, messages in progress over `maxPendingMessageBytes` or a Set
 * Chunk Size over `maxChunkSize` are LimitErrors; malformed control messages are the errors of
 * parseControlMessage. All messages start with `rtmp: `. After such an error the reader is dead:
 * every later `feed` throws the same error. An error thrown by the handler passes through `feed`
 * and leaves the reader usable (the rest of the fed bytes are processed on the next `feed`).
 *
 * Set Chunk Size (5.4.1), Abort (5.4.2) and Window Acknowledgement Size (5.4.4) are applied here as
 * soon as they complete, then handed up like every other message.
 */
export class ChunkReader {
  private readonly handler: ChunkReaderHandler;
  private readonly maxMessageSize: number;
  private readonly maxChunkStreams: number;
  private readonly maxChunkSize: number;
  private readonly maxPendingMessageBytes: number;
  private readonly queue = new ByteQueue();
  private readonly streams = new Map<number, ChunkStream>();
  /** The chunk stream whose chunk data is being read; null while waiting for a chunk header. */
  private cur: ChunkStream | null = null;
  /** Data bytes left in the current chunk (multi-chunk messages). */
  private chunkLeft = 0;
  private peerChunkSize: number;
  /** Sum of the assembly buffers of messages in progress. */
  private pendingBytes = 0;
  private peerWindowAckSize = 0;
  private received = 0;
  private lastAckAt = 0;
  private error: LalError | null = null;
  private handlerThrew = false;

  constructor(handler: ChunkReaderHandler, options: ChunkReaderOptions = {}) {
    this.handler = handler;
    this.maxMessageSize = options.maxMessageSize ?? DEFAULT_MAX_MESSAGE_SIZE;
    this.maxChunkStreams = options.maxChunkStreams ?? DEFAULT_MAX_CHUNK_STREAMS;
    this.maxChunkSize = options.maxChunkSize ?? DEFAULT_MAX_CHUNK_SIZE;
    this.maxPendingMessageBytes = options.maxPendingMessageBytes ?? 2 * this.maxMessageSize;
    this.peerChunkSize = options.chunkSize ?? DEFAULT_CHUNK_SIZE;
    checkOption('maxMessageSize', this.maxMessageSize, 0);
    checkOption('maxChunkStreams', this.maxChunkStreams, 1);
    checkOption('maxChunkSize', this.maxChunkSize, 1);
    checkOption('maxPendingMessageBytes', this.maxPendingMessageBytes, 0);
    checkOption('chunkSize', this.peerChunkSize, 1, MAX_CHUNK_SIZE);
  }

  /** The peer's current chunk size. */
  get chunkSize(): number {
    return this.peerChunkSize;
  }

  /** The peer's Window Acknowledgement Size (0 until it sends one: no acknowledgements due). */
  get windowAckSize(): number {
    return this.peerWindowAckSize;
  }

  /** Bytes fed so far (not wrapped). */
  get bytesReceived(): number {
    return this.received;
  }

  /** Chunk stream ids seen so far. */
  get chunkStreamCount(): number {
    return this.streams.size;
  }

  /** Bytes fed but not yet part of a delivered message or consumed header (buffered). */
  get bufferedBytes(): number {
    return this.queue.length;
  }

  /** The error that killed the reader, if any. */
  get failure(): LalError | null {
    return this.error;
  }

  /**
   * Takes the next received bytes (shared: the reader keeps views into `chunk`, which must not be
   * mutated afterwards; socket chunks are fresh buffers, so this holds) and delivers every message
   * they complete, in order.
   */
  feed(chunk: Uint8Array): void {
    if (this.error !== null) throw this.error;
    this.received += chunk.length;
    this.queue.push(chunk);
    try {
      this.process();
    } catch (e) {
      if (this.handlerThrew) {
        this.handlerThrew = false;
      } else {
        this.error = e as LalError;
      }
      throw e;
    }
    if (this.peerWindowAckSize > 0 && this.received - this.lastAckAt >= this.peerWindowAckSize) {
      this.lastAckAt = this.received;
      this.handler.onAckDue?.(this.received % 0x100000000);
    }
  }

  private process(): void {
    const q = this.queue;
    for (;;) {
      let cs = this.cur;
      if (cs === null) {
        cs = this.readHeader();
        if (cs === null) return;
      }
      if (cs.buf === null) {
        // The whole message is in this one chunk: hand out a view when it is contiguous.
        const n = cs.msgLength;
        if (q.length < n) return;
        const payload = n === 0 ? EMPTY : q.read(n);
        this.cur = null;
        cs.inMessage = false;
        this.complete(cs, payload);
      } else {
        const n = Math.min(q.length, this.chunkLeft);
        if (n === 0) return;
        cs.buf.set(q.read(n), cs.filled);
        cs.filled += n;
        this.chunkLeft -= n;
        if (this.chunkLeft > 0) return;
        this.cur = null;
        if (cs.filled === cs.msgLength) {
          const payload = cs.buf;
          this.pendingBytes -= payload.length;
          cs.buf = null;
          cs.filled = 0;
          cs.inMessage = false;
          this.complete(cs, payload);
        }
      }
    }
  }

  /** Consumes one chunk header if it is complete; returns its chunk stream, or null to wait. */
  private readHeader(): ChunkStream | null {
    const q = this.queue;
    const avail = q.length;
    if (avail < 1) return null;
    const b0 = q.peekU8(0);
    const fmt = b0 >>> 6;
    let csid = b0 & 0x3f;
    let p = 1;
    if (csid < 2) {
      p = csid + 2;
      if (avail < p) return null;
      csid = csid === 0 ? 64 + q.peekU8(1) : 64 + q.peekU8(1) + q.peekU8(2) * 256;
    }
    const mhLen = MESSAGE_HEADER_LEN[fmt as 0 | 1 | 2 | 3];
    if (avail < p + mhLen) return null;

    let cs = this.streams.get(csid);
    let tsField = 0;
    let ext: boolean;
    if (fmt < 3) {
      tsField = q.peekUIntBE(p, 3);
      ext = tsField === EXTENDED_TIMESTAMP_MARKER;
    } else if (cs !== undefined) {
      ext = cs.extendedTimestamp;
    } else {
      throw new ProtocolError(`rtmp: csid ${csid}: fmt 3 chunk on a chunk stream never opened`);
    }
    const total = p + mhLen + (ext ? 4 : 0);
    if (avail < total) return null;

    if (cs === undefined) {
      if (fmt === 2) {
        throw new ProtocolError(`rtmp: csid ${csid}: fmt 2 chunk on a chunk stream never opened`);
      }
      if (this.streams.size >= this.maxChunkStreams) {
        throw new LimitError('rtmp: chunk streams', this.streams.size + 1, this.maxChunkStreams);
      }
      cs = new ChunkStream(csid);
      this.streams.set(csid, cs);
    }

    if (fmt < 2) {
      const msgLength = q.peekUIntBE(p + 3, 3);
      const typeId = q.peekU8(p + 6);
      if (cs.inMessage) {
        if (fmt === 0) {
          throw new ProtocolError(
            `rtmp: csid ${csid}: fmt 0 header inside a message (${cs.filled} of ${cs.msgLength} bytes read)`,
          );
        }
        if (msgLength !== cs.msgLength || typeId !== cs.typeId) {
          throw new ProtocolError(
            `rtmp: csid ${csid}: message length/type changed mid-message (${cs.msgLength}/${cs.typeId} to ${msgLength}/${typeId})`,
          );
        }
      } else if (msgLength > this.maxMessageSize) {
        throw new LimitError(`rtmp: csid ${csid}: message length`, msgLength, this.maxMessageSize);
      }
      cs.msgLength = msgLength;
      cs.typeId = typeId;
      if (fmt === 0) {
        cs.streamId =
          q.peekU8(p + 7) +
          q.peekU8(p + 8) * 0x100 +
          q.peekU8(p + 9) * 0x10000 +
          q.peekU8(p + 10) * 0x1000000;
      }
    }

    if (fmt < 3) {
      const value = ext ? q.peekUIntBE(p + mhLen, 4) : tsField;
      cs.extendedTimestamp = ext;
      cs.timestampDelta = value;
      if (!cs.inMessage) cs.timestampMs = fmt === 0 ? value : (cs.timestampMs + value) >>> 0;
    } else if (!cs.inMessage) {
      // fmt 3 starting a new message: same header, timestamp advanced by the last delta (or by the
      // extended field this chunk carries). In a continuation chunk the repeated field is skipped.
      const delta = ext ? q.peekUIntBE(p, 4) : cs.timestampDelta;
      cs.timestampDelta = delta;
      cs.timestampMs = (cs.timestampMs + delta) >>> 0;
    }

    if (!cs.inMessage) {
      cs.inMessage = true;
      cs.filled = 0;
      cs.buf = null;
      if (cs.msgLength > this.peerChunkSize) {
        if (this.pendingBytes + cs.msgLength > this.maxPendingMessageBytes) {
          throw new LimitError(
            'rtmp: bytes of messages in progress',
            this.pendingBytes + cs.msgLength,
            this.maxPendingMessageBytes,
          );
        }
        this.pendingBytes += cs.msgLength;
        cs.buf = Buffer.allocUnsafe(cs.msgLength);
      }
    }
    this.chunkLeft = Math.min(this.peerChunkSize, cs.msgLength - cs.filled);
    q.skip(total);
    this.cur = cs;
    return cs;
  }

  private complete(cs: ChunkStream, payload: Uint8Array): void {
    const msg: RtmpMessage = {
      csid: cs.csid,
      typeId: cs.typeId,
      streamId: cs.streamId,
      timestampMs: cs.timestampMs,
      payload,
    };
    switch (msg.typeId) {
      case RtmpMsgType.SetChunkSize: {
        const m = parseControlMessage(RtmpMsgType.SetChunkSize, payload);
        if (m.typeId === RtmpMsgType.SetChunkSize) {
          if (m.chunkSize > this.maxChunkSize) {
            throw new LimitError('rtmp: set chunk size', m.chunkSize, this.maxChunkSize);
          }
          this.peerChunkSize = m.chunkSize;
        }
        break;
      }
      case RtmpMsgType.Abort: {
        const m = parseControlMessage(RtmpMsgType.Abort, payload);
        const target = m.typeId === RtmpMsgType.Abort ? this.streams.get(m.csid) : undefined;
        if (target?.inMessage) {
          target.inMessage = false;
          if (target.buf !== null) this.pendingBytes -= target.buf.length;
          target.buf = null;
          target.filled = 0;
        }
        break;
      }
      case RtmpMsgType.WindowAckSize: {
        const m = parseControlMessage(RtmpMsgType.WindowAckSize, payload);
        if (m.typeId === RtmpMsgType.WindowAckSize) this.peerWindowAckSize = m.windowSize;
        break;
      }
    }
    try {
      this.handler.onMessage(msg);
    } catch (e) {
      this.handlerThrew = true;
      throw e;
    }
  }
}

function checkOption(name: string, v: number, min: number, max = Number.MAX_SAFE_INTEGER): void {
  if (!Number.isInteger(v) || v < min || v > max) {
    throw new InvalidArgError(`rtmp: chunk reader option ${name} = ${v} outside ${min}..${max}`);
  }
}
