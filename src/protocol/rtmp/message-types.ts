/**
 * RTMP message types, chunk stream ids and the message shape shared by the chunk reader and writer.
 *
 * Adobe "RTMP Specification 1.0" (2012): 5.4 protocol control messages (types 1, 2, 3, 5, 6),
 * 6.2 / 7.1.7 user control (type 4), 7.1 RTMP command messages (types 8..22).
 */

/** Message type ids (spec 5.4 and 7.1). */
export enum RtmpMsgType {
  /** 5.4.1 Set Chunk Size. */
  SetChunkSize = 1,
  /** 5.4.2 Abort Message. */
  Abort = 2,
  /** 5.4.3 Acknowledgement. */
  Ack = 3,
  /** 6.2 / 7.1.7 User Control Message. */
  UserControl = 4,
  /** 5.4.4 Window Acknowledgement Size. */
  WindowAckSize = 5,
  /** 5.4.5 Set Peer Bandwidth. */
  SetPeerBandwidth = 6,
  /** 7.1.5 Audio message (payload = FLV audio tag body). */
  Audio = 8,
  /** 7.1.5 Video message (payload = FLV video tag body). */
  Video = 9,
  /** 7.1.2 Data message, AMF3. */
  DataAmf3 = 15,
  /** 7.1.3 Shared object message, AMF3. */
  SharedObjectAmf3 = 16,
  /** 7.1.1 Command message, AMF3. */
  CommandAmf3 = 17,
  /** 7.1.2 Data message, AMF0 (e.g. `@setDataFrame` / `onMetaData`). */
  DataAmf0 = 18,
  /** 7.1.3 Shared object message, AMF0. */
  SharedObjectAmf0 = 19,
  /** 7.1.1 Command message, AMF0 (`connect`, `publish`, `play`, ...). */
  CommandAmf0 = 20,
  /** 7.1.6 Aggregate message. */
  Aggregate = 22,
}

/**
 * The chunk stream ids this library sends on. The spec fixes only csid 2 (protocol control, 5.4
 * and 6.2); the rest is convention. Because every message we send starts with a fmt 0 chunk
 * (absolute timestamp), sharing a csid between message types costs nothing, and fixed ids per type
 * are what lets one packed Buffer be written to every subscriber. The values follow ffmpeg
 * (`rtmppkt.h` RTMPChannel: network 2, system 3, audio 4, video 6, source 8) with data messages on
 * 5 like lal (`csidOverStream`/`CSIDAMF`) and SRS (`RTMP_CID_OverStream`).
 */
export const RtmpCsid = {
  /** Protocol control (types 1..6), required by spec 5.4 / 6.2. */
  ProtocolControl: 2,
  /** Connection-level commands (`connect`, `createStream`, `_result`, ...). */
  Command: 3,
  /** Audio messages. */
  Audio: 4,
  /** Data messages (`@setDataFrame`, `onMetaData`) and aggregates. */
  Data: 5,
  /** Video messages. */
  Video: 6,
  /** Stream-level commands (`publish`, `play`, `onStatus`, `deleteStream`). */
  StreamCommand: 8,
} as const;

/** The csid to send a message of `typeId` on (see RtmpCsid). */
export function csidForMessageType(typeId: number): number {
  switch (typeId) {
    case RtmpMsgType.SetChunkSize:
    case RtmpMsgType.Abort:
    case RtmpMsgType.Ack:
    case RtmpMsgType.UserControl:
    case RtmpMsgType.WindowAckSize:
    case RtmpMsgType.SetPeerBandwidth:
      return RtmpCsid.ProtocolControl;
    case RtmpMsgType.Audio:
      return RtmpCsid.Audio;
    case RtmpMsgType.Video:
      return RtmpCsid.Video;
    case RtmpMsgType.DataAmf0:
    case RtmpMsgType.DataAmf3:
    case RtmpMsgType.Aggregate:
      return RtmpCsid.Data;
    default:
      return RtmpCsid.Command;
  }
}

/** Smallest and largest chunk stream id the basic header can carry (spec 5.3.1.1). */
export const MIN_CSID = 2;
export const MAX_CSID = 65599;

/** Chunk size in force until a Set Chunk Size message arrives (spec 5.4.1). */
export const DEFAULT_CHUNK_SIZE = 128;

/** Largest chunk size the spec allows: 31 bits, the top bit MUST be zero (spec 5.4.1). */
export const MAX_CHUNK_SIZE = 0x7fffffff;

/** Largest message length the 24-bit message length field can carry (spec 5.3.1.2.1). */
export const MAX_MESSAGE_LENGTH = 0xffffff;

/** A 24-bit timestamp field of this value means "see the extended timestamp" (spec 5.3.1.3). */
export const EXTENDED_TIMESTAMP_MARKER = 0xffffff;

/**
 * One complete RTMP message (spec 5.3: the unit chunks are cut from and reassembled into).
 *
 * Ownership: as produced by ChunkReader, `payload` is shared and read-only (see ChunkReader).
 * As passed to packMessage, it is only read during the call.
 */
export interface RtmpMessage {
  /** Chunk stream id the message arrived on / is sent on (2..65599). */
  csid: number;
  /** Message type id (RtmpMsgType, or another value a peer sent). */
  typeId: number;
  /** Message stream id (u32, little-endian on the wire). */
  streamId: number;
  /** Absolute timestamp in milliseconds, u32 (wraps modulo 2^32). */
  timestampMs: number;
  payload: Uint8Array;
}
