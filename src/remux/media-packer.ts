import {
  type MediaKind,
  type MediaMessage,
  type MediaMessageType,
  newMediaMessage,
} from '../base/media-message.js';
import { classifyFlvTag, type FlvTagType, packFlvTag } from '../format/flv/index.js';
import { csidForMessageType, packMessage } from '../protocol/rtmp/index.js';

/** The message stream id every outgoing media message is packed with (the one lals hands to players). */
export const PLAY_STREAM_ID = 1;

/** Wraps an incoming message (payload shared, not copied) and classifies it once. */
export function createMediaMessage(
  type: MediaMessageType,
  timestampMs: number,
  payload: Uint8Array,
): MediaMessage {
  const kind: MediaKind = classifyFlvTag(type, payload);
  return newMediaMessage(type, timestampMs >>> 0, payload, kind);
}

/**
 * The RTMP chunk bytes of `msg` for `chunkSize`: packed once (fmt 0 first chunk, fmt 3 after, on the
 * type's fixed csid, stream id PLAY_STREAM_ID) and cached on the message. Shared, read-only.
 */
export function rtmpChunksOf(msg: MediaMessage, chunkSize: number): Buffer {
  const c = msg.rtmpChunks;
  if (c && c.chunkSize === chunkSize) return c.bytes;
  const bytes = packMessage(
    {
      csid: csidForMessageType(msg.type),
      typeId: msg.type,
      streamId: PLAY_STREAM_ID,
      timestampMs: msg.timestampMs,
      payload: msg.payload,
    },
    chunkSize,
  );
  msg.rtmpChunks = { chunkSize, bytes };
  return bytes;
}

/** The whole FLV tag of `msg` (header + body + PreviousTagSize): packed once, cached. Shared, read-only. */
export function flvTagOf(msg: MediaMessage): Buffer {
  let t = msg.flvTag;
  if (t === undefined) {
    t = packFlvTag({ type: msg.type as FlvTagType, timestampMs: msg.timestampMs, data: msg.payload });
    msg.flvTag = t;
  }
  return t;
}
