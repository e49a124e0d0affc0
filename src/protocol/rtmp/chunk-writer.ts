import { putBe24, putBe32, putLe32 } from '../../util/bele.js';
import { InvalidArgError } from '../../util/errors.js';
import {
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_SIZE,
  MAX_CSID,
  MAX_MESSAGE_LENGTH,
  MIN_CSID,
  type RtmpMessage,
} from './message-types.js';

/**
 * Packs one message into chunks, once, into ONE Buffer (spec 5.3.1 chunk format, 5.3.2.2 example):
 *
 * ```
 * first chunk:   basic header fmt 0 | timestamp 3 | length 3 | type 1 | stream id 4 (LE) | [ext ts 4] | data
 * other chunks:  basic header fmt 3 | [ext ts 4] | data
 * basic header:  1 byte  fmt(2) csid(6)                  csid 2..63
 *                2 bytes fmt(2) 0(6)  csid-64(8)         csid 64..319
 *                3 bytes fmt(2) 1(6)  csid-64 (16, LE)   csid 64..65599 (used from 320 on)
 * ```
 *
 * The first chunk always carries the absolute timestamp (fmt 0), so the result does not depend on
 * anything sent before it and the same Buffer can be written to every subscriber (design: "pack
 * once, share everywhere"). When the timestamp is >= 0xFFFFFF the 24-bit field holds 0xFFFFFF, the
 * extended timestamp follows the message header, and it is repeated in every fmt 3 continuation
 * chunk, which is what ffmpeg (`ff_rtmp_packet_write`), librtmp and OBS write and expect.
 *
 * `msg.timestampMs` is taken modulo 2^32. `chunkSize` is this side's outgoing chunk size (the one
 * announced to the peer with Set Chunk Size). Returns a new Buffer; the caller owns it and, once it
 * has been written to a socket, must treat it as read-only.
 */
export function packMessage(msg: RtmpMessage, chunkSize: number): Buffer {
  const { csid, typeId, streamId, payload } = msg;
  if (!Number.isInteger(csid) || csid < MIN_CSID || csid > MAX_CSID) {
    throw new InvalidArgError(`rtmp: csid ${csid} outside ${MIN_CSID}..${MAX_CSID}`);
  }
  if (!Number.isInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_CHUNK_SIZE) {
    throw new InvalidArgError(`rtmp: chunk size ${chunkSize} outside 1..${MAX_CHUNK_SIZE}`);
  }
  if (!Number.isInteger(typeId) || typeId < 0 || typeId > 0xff) {
    throw new InvalidArgError(`rtmp: message type ${typeId} outside 0..255`);
  }
  if (!Number.isInteger(streamId) || streamId < 0 || streamId > 0xffffffff) {
    throw new InvalidArgError(`rtmp: message stream id ${streamId} outside 0..0xffffffff`);
  }
  const len = payload.length;
  if (len > MAX_MESSAGE_LENGTH) {
    throw new InvalidArgError(`rtmp: message length ${len} exceeds ${MAX_MESSAGE_LENGTH}`);
  }
  const timestampMs = msg.timestampMs >>> 0;
  const ext = timestampMs >= EXTENDED_TIMESTAMP_MARKER;
  const basicLen = csid < 64 ? 1 : csid < 320 ? 2 : 3;
  const extLen = ext ? 4 : 0;
  const chunks = len === 0 ? 1 : Math.ceil(len / chunkSize);
  const contHeaderLen = basicLen + extLen;
  const out = Buffer.allocUnsafe(basicLen + 11 + extLen + len + (chunks - 1) * contHeaderLen);

  // First chunk: fmt 0.
  let p = putBasicHeader(out, 0, 0, csid);
  putBe24(out, p, ext ? EXTENDED_TIMESTAMP_MARKER : timestampMs);
  putBe24(out, p + 3, len);
  out[p + 6] = typeId;
  putLe32(out, p + 7, streamId);
  p += 11;
  if (ext) {
    putBe32(out, p, timestampMs);
    p += 4;
  }
  let off = Math.min(len, chunkSize);
  out.set(payload.subarray(0, off), p);
  p += off;

  // Continuation chunks: fmt 3, with the extended timestamp repeated.
  while (off < len) {
    p = putBasicHeader(out, p, 3, csid);
    if (ext) {
      putBe32(out, p, timestampMs);
      p += 4;
    }
    const n = Math.min(len - off, chunkSize);
    out.set(payload.subarray(off, off + n), p);
    p += n;
    off += n;
  }
  return out;
}

/** Writes a basic header (spec 5.3.1.1) at `p`; returns the offset after it. */
function putBasicHeader(out: Uint8Array, p: number, fmt: number, csid: number): number {
  if (csid < 64) {
    out[p] = (fmt << 6) | csid;
    return p + 1;
  }
  const v = csid - 64;
  if (csid < 320) {
    out[p] = fmt << 6;
    out[p + 1] = v;
    return p + 2;
  }
  out[p] = (fmt << 6) | 1;
  out[p + 1] = v & 0xff;
  out[p + 2] = v >>> 8;
  return p + 3;
}
