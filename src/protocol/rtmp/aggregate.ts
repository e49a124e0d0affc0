import { be24, putBe24, putBe32 } from '../../util/bele.js';
import { InvalidArgError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { type RtmpMessage, RtmpMsgType } from './message-types.js';

/** Sub-message header length: type 1 | size 3 | timestamp 3 + 1 | stream id 3. */
const SUB_HEADER_LEN = 11;
const BACK_POINTER_LEN = 4;

/**
 * Splits an Aggregate message (type 22; Adobe "RTMP Specification 1.0" 7.1.6) into its
 * sub-messages:
 *
 * ```
 * body = { header | sub body | back pointer }*
 * header = type (1) | payload size (3) | timestamp (3, bits 0..23) | timestamp extended (1, bits 24..31)
 *          | stream id (3)                                   (the FLV tag header layout)
 * back pointer (4) = size of the previous sub-message including its header (11 + size)
 * ```
 *
 * Timestamps are rebased onto the aggregate's: `sub - first sub + aggregate` (modulo 2^32), as
 * FMS, nginx-rtmp and SRS do. The aggregate's message stream id and csid override the sub-messages'
 * (spec 7.1.6). Back pointers must be present; their value is not checked, as SRS and nginx-rtmp do
 * not (it carries nothing a reader needs). Payloads are views into `msg.payload` (shared, read-only).
 * A truncated sub-message is a ShortBufferError, a nested aggregate a ProtocolError.
 */
export function splitAggregate(msg: RtmpMessage): RtmpMessage[] {
  const b = msg.payload;
  const out: RtmpMessage[] = [];
  let firstTs = 0;
  let p = 0;
  while (p < b.length) {
    if (b.length - p < SUB_HEADER_LEN) {
      throw new ShortBufferError('rtmp: aggregate sub-message header', SUB_HEADER_LEN, b.length - p);
    }
    const typeId = b[p] as number;
    const size = be24(b, p + 1);
    const ts = be24(b, p + 4) + (b[p + 7] as number) * 0x1000000;
    const need = SUB_HEADER_LEN + size + BACK_POINTER_LEN;
    if (b.length - p < need) {
      throw new ShortBufferError('rtmp: aggregate sub-message', need, b.length - p);
    }
    if (typeId === RtmpMsgType.Aggregate) {
      throw new ProtocolError('rtmp: aggregate nested in an aggregate message');
    }
    if (out.length === 0) firstTs = ts;
    out.push({
      csid: msg.csid,
      typeId,
      streamId: msg.streamId,
      timestampMs: (ts - firstTs + msg.timestampMs) >>> 0,
      payload: b.subarray(p + SUB_HEADER_LEN, p + SUB_HEADER_LEN + size),
    });
    p += need;
  }
  return out;
}

/** One sub-message for packAggregate. */
export interface AggregateSubMessage {
  typeId: number;
  /** Absolute timestamp (u32); the aggregate's timestamp is usually the first one's. */
  timestampMs: number;
  payload: Uint8Array;
}

/**
 * Builds an Aggregate message body (the inverse of splitAggregate, spec 7.1.6) with stream id 0 in
 * the sub-headers and correct back pointers. New, caller owns.
 */
export function packAggregate(subs: readonly AggregateSubMessage[]): Buffer {
  let total = 0;
  for (const s of subs) {
    if (s.payload.length > 0xffffff) {
      throw new InvalidArgError(`rtmp: aggregate sub-message of ${s.payload.length} bytes exceeds 0xffffff`);
    }
    total += SUB_HEADER_LEN + s.payload.length + BACK_POINTER_LEN;
  }
  const out = Buffer.allocUnsafe(total);
  let p = 0;
  for (const s of subs) {
    const ts = s.timestampMs >>> 0;
    out[p] = s.typeId & 0xff;
    putBe24(out, p + 1, s.payload.length);
    putBe24(out, p + 4, ts & 0xffffff);
    out[p + 7] = ts >>> 24;
    putBe24(out, p + 8, 0);
    out.set(s.payload, p + SUB_HEADER_LEN);
    p += SUB_HEADER_LEN + s.payload.length;
    putBe32(out, p, SUB_HEADER_LEN + s.payload.length);
    p += BACK_POINTER_LEN;
  }
  return out;
}
