import { be24, be32, putBe24, putBe32 } from '../../util/bele.js';
import { InvalidArgError, LimitError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { FLV_MAX_DATA_SIZE, FLV_PREV_TAG_SIZE_LENGTH, FLV_TAG_HEADER_SIZE, FlvTagType } from './constants.js';

/** The 11-byte header in front of every tag body. */
export interface FlvTagHeader {
  /** TagType: audio, video or script data. */
  type: FlvTagType;
  /** Filter: the body is encrypted/filtered (E.4.1); bodies with it set are not parsed here. */
  filter: boolean;
  /** DataSize: the body length in bytes (everything after the 11-byte header, before PreviousTagSize). */
  dataSize: number;
  /** Timestamp (UI24) + TimestampExtended (UI8, the upper byte) as an unsigned 32-bit millisecond count. */
  timestampMs: number;
  /** StreamID: always 0 in files; kept as read. */
  streamId: number;
}

/** A whole tag: header fields and the body (an RTMP message payload has exactly this body). */
export interface FlvTag {
  type: FlvTagType;
  /** Absolute timestamp (DTS) in milliseconds, u32. */
  timestampMs: number;
  /** The tag body; in parse results a view of the input, shared and read-only. */
  data: Uint8Array;
  /** Filter bit; default false. */
  filter?: boolean;
  /** StreamID; default 0. */
  streamId?: number;
}

const TYPE_MASK = 0x1f;
const FILTER_BIT = 0x20;

/** True for the tag types E.4.1 defines (8, 9, 18). */
export function isKnownFlvTagType(t: number): t is FlvTagType {
  return t === FlvTagType.Audio || t === FlvTagType.Video || t === FlvTagType.Script;
}

/**
 * Parses an 11-byte tag header at `offset`.
 *
 * Adobe FLV spec v10.1, E.4.1 "FLV tags":
 * ```
 * Reserved           UB[2]   0 (for FMS)
 * Filter             UB[1]   1 = encrypted/filtered body
 * TagType            UB[5]   8 audio, 9 video, 18 script data
 * DataSize           UI24    body length (after StreamID up to the end of the tag)
 * Timestamp          UI24    ms, lower 24 bits
 * TimestampExtended  UI8     ms, upper 8 bits
 * StreamID           UI24    always 0
 * ```
 * An unknown tag type is a ProtocolError (it means the stream is not where we think it is).
 */
export function parseFlvTagHeader(buf: Uint8Array, offset = 0): FlvTagHeader {
  const got = buf.length - offset;
  if (got < FLV_TAG_HEADER_SIZE) {
    throw new ShortBufferError('flv: tag header', FLV_TAG_HEADER_SIZE, Math.max(0, got));
  }
  const b0 = buf[offset] as number;
  const type = b0 & TYPE_MASK;
  if (!isKnownFlvTagType(type)) throw new ProtocolError(`flv: unknown tag type ${type}`);
  return {
    type,
    filter: (b0 & FILTER_BIT) !== 0,
    dataSize: be24(buf, offset + 1),
    timestampMs: ((buf[offset + 7] as number) * 0x1000000 + be24(buf, offset + 4)) >>> 0,
    streamId: be24(buf, offset + 8),
  };
}

/** Writes an 11-byte tag header into `out` at `offset`. Values are checked (InvalidArgError). */
export function packFlvTagHeaderInto(h: FlvTagHeader, out: Uint8Array, offset = 0): void {
  checkHeaderFields(h.type, h.dataSize, h.timestampMs, h.streamId);
  if (offset < 0 || out.length - offset < FLV_TAG_HEADER_SIZE) {
    throw new InvalidArgError(`flv: output buffer too small for a tag header at offset ${offset}`);
  }
  writeHeader(out, offset, h.type, h.filter, h.dataSize, h.timestampMs, h.streamId);
}

/** Packs an 11-byte tag header; a new Buffer the caller owns. */
export function packFlvTagHeader(h: FlvTagHeader): Buffer {
  const out = Buffer.allocUnsafe(FLV_TAG_HEADER_SIZE);
  packFlvTagHeaderInto(h, out, 0);
  return out;
}

/** The bytes a packed tag takes: header + body + PreviousTagSize. */
export function flvTagByteLength(dataSize: number): number {
  return FLV_TAG_HEADER_SIZE + dataSize + FLV_PREV_TAG_SIZE_LENGTH;
}

/** Options for parseFlvTag. */
export interface ParseFlvTagOptions {
  /** Largest body accepted, in bytes (LimitError above it). Default FLV_MAX_DATA_SIZE (16 MiB - 1). */
  maxTagSize?: number;
  /** Throw a ProtocolError when PreviousTagSize is not 11 + DataSize. Default true. */
  strictPrevTagSize?: boolean;
}

/** A parsed tag with the trailer facts. */
export interface ParsedFlvTag {
  tag: FlvTag;
  /** The PreviousTagSize field that follows the tag, as read. */
  prevTagSize: number;
  /** Bytes consumed: 11 + DataSize + 4. */
  byteLength: number;
}

/**
 * Parses one whole tag at `offset`: header, body and the PreviousTagSize that follows it (E.3: the
 * body is a sequence of FLVTAG + PreviousTagSize). The body is a view of `buf` (shared, read-only).
 */
export function parseFlvTag(buf: Uint8Array, offset = 0, opts: ParseFlvTagOptions = {}): ParsedFlvTag {
  const h = parseFlvTagHeader(buf, offset);
  const max = opts.maxTagSize ?? FLV_MAX_DATA_SIZE;
  if (h.dataSize > max) throw new LimitError('flv: tag data size', h.dataSize, max);
  const byteLength = flvTagByteLength(h.dataSize);
  const got = buf.length - offset;
  if (got < byteLength) throw new ShortBufferError('flv: tag', byteLength, got);
  const bodyStart = offset + FLV_TAG_HEADER_SIZE;
  const bodyEnd = bodyStart + h.dataSize;
  const prevTagSize = be32(buf, bodyEnd);
  if ((opts.strictPrevTagSize ?? true) && prevTagSize !== FLV_TAG_HEADER_SIZE + h.dataSize) {
    throw new ProtocolError(
      `flv: PreviousTagSize ${prevTagSize} does not match the tag size ${FLV_TAG_HEADER_SIZE + h.dataSize}`,
    );
  }
  const tag: FlvTag = {
    type: h.type,
    timestampMs: h.timestampMs,
    data: buf.subarray(bodyStart, bodyEnd),
    filter: h.filter,
    streamId: h.streamId,
  };
  return { tag, prevTagSize, byteLength };
}

/**
 * Packs a whole tag (header + body + PreviousTagSize) into `out` at `offset` and returns the number of
 * bytes written. InvalidArgError when the fields are out of range or `out` is too small.
 */
export function packFlvTagInto(tag: FlvTag, out: Uint8Array, offset = 0): number {
  const dataSize = tag.data.length;
  const streamId = tag.streamId ?? 0;
  checkHeaderFields(tag.type, dataSize, tag.timestampMs, streamId);
  const n = flvTagByteLength(dataSize);
  if (offset < 0 || out.length - offset < n) {
    throw new InvalidArgError(`flv: output buffer too small: tag needs ${n} bytes at offset ${offset}`);
  }
  writeHeader(out, offset, tag.type, tag.filter ?? false, dataSize, tag.timestampMs, streamId);
  out.set(tag.data, offset + FLV_TAG_HEADER_SIZE);
  putBe32(out, offset + FLV_TAG_HEADER_SIZE + dataSize, FLV_TAG_HEADER_SIZE + dataSize);
  return n;
}

/** Packs a whole tag in one allocation; a new Buffer the caller owns. */
export function packFlvTag(tag: FlvTag): Buffer {
  const dataSize = tag.data.length;
  checkHeaderFields(tag.type, dataSize, tag.timestampMs, tag.streamId ?? 0);
  const out = Buffer.allocUnsafe(flvTagByteLength(dataSize));
  packFlvTagInto(tag, out, 0);
  return out;
}

function checkHeaderFields(type: number, dataSize: number, timestampMs: number, streamId: number): void {
  if (!isKnownFlvTagType(type)) throw new InvalidArgError(`flv: unknown tag type ${type}`);
  if (!Number.isInteger(dataSize) || dataSize < 0 || dataSize > FLV_MAX_DATA_SIZE) {
    throw new InvalidArgError(`flv: tag data size ${dataSize} does not fit in UI24`);
  }
  if (!Number.isInteger(timestampMs) || timestampMs < 0 || timestampMs > 0xffffffff) {
    throw new InvalidArgError(`flv: tag timestamp ${timestampMs} is not a u32 millisecond count`);
  }
  if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xffffff) {
    throw new InvalidArgError(`flv: tag stream id ${streamId} does not fit in UI24`);
  }
}

function writeHeader(
  out: Uint8Array,
  off: number,
  type: number,
  filter: boolean,
  dataSize: number,
  timestampMs: number,
  streamId: number,
): void {
  out[off] = (filter ? FILTER_BIT : 0) | type;
  putBe24(out, off + 1, dataSize);
  putBe24(out, off + 4, timestampMs % 0x1000000);
  out[off + 7] = Math.floor(timestampMs / 0x1000000) & 0xff;
  putBe24(out, off + 8, streamId);
}
