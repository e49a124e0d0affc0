import { putBe16, putBe32 } from '../../util/bele.js';
import { ByteReader } from '../../util/byte-reader.js';
import { InvalidArgError, ProtocolError, UnsupportedError } from '../../util/errors.js';
import { packMessage } from './chunk-writer.js';
import { MAX_CHUNK_SIZE, RtmpCsid, RtmpMsgType } from './message-types.js';

/** Set Peer Bandwidth limit type (spec 5.4.5). */
export enum PeerBandwidthLimitType {
  /** The peer SHOULD limit its output bandwidth to the indicated window size. */
  Hard = 0,
  /** The peer SHOULD limit its output to this window or the one in effect, whichever is smaller. */
  Soft = 1,
  /** Hard if the previous limit type was Hard, else ignore the message. */
  Dynamic = 2,
}

/**
 * User Control event types (spec 7.1.7). Values 26, 27, 31 and 32 are not in the 2012 spec but are
 * sent by deployed software (SWF verification: FMS and librtmp; BufferEmpty/BufferReady: FMS, Red5,
 * Wowza), so they are recognised and handed up with their raw data instead of failing the session.
 */
export enum UserControlEventType {
  StreamBegin = 0,
  StreamEof = 1,
  StreamDry = 2,
  SetBufferLength = 3,
  StreamIsRecorded = 4,
  PingRequest = 6,
  PingResponse = 7,
  SwfVerifyRequest = 26,
  SwfVerifyResponse = 27,
  BufferEmpty = 31,
  BufferReady = 32,
}

/** A User Control event (spec 7.1.7: event type u16, then event data). */
export type UserControlEvent =
  | {
      eventType:
        | UserControlEventType.StreamBegin
        | UserControlEventType.StreamEof
        | UserControlEventType.StreamDry
        | UserControlEventType.StreamIsRecorded;
      /** The message stream id the event is about (u32). */
      streamId: number;
    }
  | { eventType: UserControlEventType.SetBufferLength; streamId: number; bufferLengthMs: number }
  | {
      eventType: UserControlEventType.PingRequest | UserControlEventType.PingResponse;
      /** The sender's local time (u32); a PingResponse echoes the request's value. */
      timestampMs: number;
    }
  | {
      eventType:
        | UserControlEventType.SwfVerifyRequest
        | UserControlEventType.SwfVerifyResponse
        | UserControlEventType.BufferEmpty
        | UserControlEventType.BufferReady;
      /** The event data as received (view into the message payload). */
      data: Uint8Array;
    };

/** A protocol control message (spec 5.4) or a User Control message (spec 6.2). */
export type ControlMessage =
  | { typeId: RtmpMsgType.SetChunkSize; chunkSize: number }
  | { typeId: RtmpMsgType.Abort; csid: number }
  | { typeId: RtmpMsgType.Ack; sequenceNumber: number }
  | { typeId: RtmpMsgType.UserControl; event: UserControlEvent }
  | { typeId: RtmpMsgType.WindowAckSize; windowSize: number }
  | { typeId: RtmpMsgType.SetPeerBandwidth; windowSize: number; limitType: PeerBandwidthLimitType };

/** True for the message types parseControlMessage understands (1..6). */
export function isControlMessageType(typeId: number): boolean {
  return typeId >= RtmpMsgType.SetChunkSize && typeId <= RtmpMsgType.SetPeerBandwidth;
}

/**
 * Parses a protocol control message (spec 5.4) or User Control message (spec 6.2, 7.1.7) payload.
 *
 * ```
 * 1 Set Chunk Size        0 | chunk size (31 bits)        5.4.1  (1..0x7FFFFFFF)
 * 2 Abort                 chunk stream id (u32)           5.4.2
 * 3 Acknowledgement       sequence number (u32)           5.4.3
 * 4 User Control          event type (u16) | event data   6.2 / 7.1.7
 * 5 Window Ack Size       window size (u32)               5.4.4
 * 6 Set Peer Bandwidth    window size (u32) | limit type (u8: 0 hard, 1 soft, 2 dynamic)   5.4.5
 * ```
 *
 * Bytes after the fields are ignored. A short payload is a ShortBufferError, a value the spec does
 * not allow a ProtocolError, an unknown user control event an UnsupportedError (a session should
 * ignore that one rather than close). Views in the result share the payload.
 */
export function parseControlMessage(typeId: number, payload: Uint8Array): ControlMessage {
  switch (typeId) {
    case RtmpMsgType.SetChunkSize: {
      const chunkSize = new ByteReader(payload, 'rtmp: set chunk size').u32();
      if (chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
        throw new ProtocolError(`rtmp: set chunk size ${chunkSize} outside 1..${MAX_CHUNK_SIZE}`);
      }
      return { typeId, chunkSize };
    }
    case RtmpMsgType.Abort:
      return { typeId, csid: new ByteReader(payload, 'rtmp: abort').u32() };
    case RtmpMsgType.Ack:
      return { typeId, sequenceNumber: new ByteReader(payload, 'rtmp: acknowledgement').u32() };
    case RtmpMsgType.UserControl:
      return { typeId, event: parseUserControl(payload) };
    case RtmpMsgType.WindowAckSize:
      return { typeId, windowSize: new ByteReader(payload, 'rtmp: window ack size').u32() };
    case RtmpMsgType.SetPeerBandwidth: {
      const r = new ByteReader(payload, 'rtmp: set peer bandwidth');
      const windowSize = r.u32();
      const limitType = r.u8();
      if (limitType > PeerBandwidthLimitType.Dynamic) {
        throw new ProtocolError(`rtmp: set peer bandwidth limit type ${limitType} outside 0..2`);
      }
      return { typeId, windowSize, limitType };
    }
    default:
      throw new InvalidArgError(`rtmp: message type ${typeId} is not a control message`);
  }
}

function parseUserControl(payload: Uint8Array): UserControlEvent {
  const r = new ByteReader(payload, 'rtmp: user control');
  const eventType = r.u16();
  switch (eventType) {
    case UserControlEventType.StreamBegin:
    case UserControlEventType.StreamEof:
    case UserControlEventType.StreamDry:
    case UserControlEventType.StreamIsRecorded:
      return { eventType, streamId: r.u32() };
    case UserControlEventType.SetBufferLength: {
      const streamId = r.u32();
      return { eventType, streamId, bufferLengthMs: r.u32() };
    }
    case UserControlEventType.PingRequest:
    case UserControlEventType.PingResponse:
      return { eventType, timestampMs: r.u32() };
    case UserControlEventType.SwfVerifyRequest:
    case UserControlEventType.SwfVerifyResponse:
    case UserControlEventType.BufferEmpty:
    case UserControlEventType.BufferReady:
      return { eventType, data: r.rest() };
    default:
      throw new UnsupportedError(`rtmp: user control event type ${eventType} is not supported`);
  }
}

/** The payload of a control message (the inverse of parseControlMessage). New, caller owns. */
export function packControlPayload(msg: ControlMessage): Buffer {
  switch (msg.typeId) {
    case RtmpMsgType.SetChunkSize:
      if (!Number.isInteger(msg.chunkSize) || msg.chunkSize < 1 || msg.chunkSize > MAX_CHUNK_SIZE) {
        throw new InvalidArgError(`rtmp: set chunk size ${msg.chunkSize} outside 1..${MAX_CHUNK_SIZE}`);
      }
      return u32Payload(msg.chunkSize);
    case RtmpMsgType.Abort:
      return u32Payload(msg.csid);
    case RtmpMsgType.Ack:
      return u32Payload(msg.sequenceNumber);
    case RtmpMsgType.WindowAckSize:
      return u32Payload(msg.windowSize);
    case RtmpMsgType.SetPeerBandwidth: {
      const b = Buffer.allocUnsafe(5);
      putBe32(b, 0, msg.windowSize);
      b[4] = msg.limitType;
      return b;
    }
    case RtmpMsgType.UserControl:
      return packUserControl(msg.event);
  }
}

function packUserControl(ev: UserControlEvent): Buffer {
  let b: Buffer;
  switch (ev.eventType) {
    case UserControlEventType.StreamBegin:
    case UserControlEventType.StreamEof:
    case UserControlEventType.StreamDry:
    case UserControlEventType.StreamIsRecorded:
      b = Buffer.allocUnsafe(6);
      putBe32(b, 2, ev.streamId);
      break;
    case UserControlEventType.SetBufferLength:
      b = Buffer.allocUnsafe(10);
      putBe32(b, 2, ev.streamId);
      putBe32(b, 6, ev.bufferLengthMs);
      break;
    case UserControlEventType.PingRequest:
    case UserControlEventType.PingResponse:
      b = Buffer.allocUnsafe(6);
      putBe32(b, 2, ev.timestampMs);
      break;
    default:
      b = Buffer.allocUnsafe(2 + ev.data.length);
      b.set(ev.data, 2);
  }
  putBe16(b, 0, ev.eventType);
  return b;
}

function u32Payload(v: number): Buffer {
  const b = Buffer.allocUnsafe(4);
  putBe32(b, 0, v);
  return b;
}

/**
 * A control message packed into chunks ready to send: csid 2, message stream id 0, timestamp 0
 * (spec 5.4 and 6.2 require csid 2 and stream 0), cut at `chunkSize` (this side's outgoing chunk
 * size). Note that after sending Set Chunk Size, the new size applies to the chunks that follow it.
 * New, caller owns.
 */
export function packControlMessage(msg: ControlMessage, chunkSize: number): Buffer {
  return packMessage(
    {
      csid: RtmpCsid.ProtocolControl,
      typeId: msg.typeId,
      streamId: 0,
      timestampMs: 0,
      payload: packControlPayload(msg),
    },
    chunkSize,
  );
}
