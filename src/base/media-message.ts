/**
 * The pivot of the data path: one audio, video or script-data message of a live stream, in the
 * RTMP/FLV shape (type + absolute timestamp + FLV tag body). Every input is turned into these and
 * every output is made from them.
 *
 * A MediaMessage is shared and read-only once created: the same object goes to every subscriber and
 * into the GOP cache. Its codec facts are parsed once at creation (by remux/createMediaMessage); the
 * wire bytes for each output format are packed once on first demand and cached on the message.
 */
export type MediaMessageType = 8 | 9 | 18;

/** What a message is, as far as fan-out cares (the FLV classifier's answer, parsed once). */
export type MediaKind =
  | 'video-sequence-header'
  | 'video-key-frame'
  | 'video-frame'
  | 'video-other'
  | 'audio-sequence-header'
  | 'audio-frame'
  | 'audio-other'
  | 'metadata'
  | 'script'
  | 'unknown';

export interface MediaMessage {
  /** 8 audio, 9 video, 18 script data (the RTMP message type ids, equal to the FLV tag types). */
  readonly type: MediaMessageType;
  /** Absolute DTS in ms, u32 as received (wraps at 2^32). */
  readonly timestampMs: number;
  /** The FLV tag body (RTMP message payload); shared, read-only, may be retained. */
  readonly payload: Uint8Array;
  readonly kind: MediaKind;
  /** Cache: RTMP chunks of this message for one chunk size (see remux/media-packer). */
  rtmpChunks?: { chunkSize: number; bytes: Buffer };
  /** Cache: the whole FLV tag (header + body + PreviousTagSize). */
  flvTag?: Buffer;
}

/**
 * A new MediaMessage with every field present (the pack caches empty), so all messages share one
 * object shape and the per-message property reads on the fan-out path stay monomorphic.
 */
export function newMediaMessage(
  type: MediaMessageType,
  timestampMs: number,
  payload: Uint8Array,
  kind: MediaKind,
): MediaMessage {
  return { type, timestampMs, payload, kind, rtmpChunks: undefined, flvTag: undefined };
}
