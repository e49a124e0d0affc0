import { be32, putBe32 } from '../../util/bele.js';
import { InvalidArgError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { FLV_HEADER_SIZE, FLV_PREV_TAG_SIZE_LENGTH } from './constants.js';

/** The FLV file header. */
export interface FlvHeader {
  /** File version; 1 for every FLV written so far. */
  version: number;
  /** TypeFlagsAudio: audio tags are present. */
  hasAudio: boolean;
  /** TypeFlagsVideo: video tags are present. */
  hasVideo: boolean;
  /** DataOffset: the size of this header, 9 for version 1 (the body starts there). */
  dataOffset: number;
}

const SIG_F = 0x46;
const SIG_L = 0x4c;
const SIG_V = 0x56;
const FLAG_AUDIO = 0x04;
const FLAG_VIDEO = 0x01;

/** True when `b[i]` (i < 3) is the byte the signature "FLV" has there. */
export function flvSignatureByteOk(i: number, byte: number): boolean {
  return byte === (i === 0 ? SIG_F : i === 1 ? SIG_L : SIG_V);
}

/**
 * Parses the FLV header at `offset`.
 *
 * Adobe FLV spec v10.1, E.2 "The FLV header":
 * ```
 * Signature          UI8[3]  'F' 'L' 'V'
 * Version            UI8     1
 * TypeFlagsReserved  UB[5]   0
 * TypeFlagsAudio     UB[1]
 * TypeFlagsReserved  UB[1]   0
 * TypeFlagsVideo     UB[1]
 * DataOffset         UI32    9 (the header size)
 * ```
 * Reserved bits are ignored. A DataOffset below 9 is a ProtocolError; a larger one is legal (the reader
 * skips the extra bytes).
 */
export function parseFlvHeader(buf: Uint8Array, offset = 0): FlvHeader {
  const got = buf.length - offset;
  for (let i = 0; i < 3 && i < got; i++) {
    if (!flvSignatureByteOk(i, buf[offset + i] as number)) {
      throw new ProtocolError(
        `flv: bad signature (not an FLV file), byte ${i} is 0x${hexByte(buf, offset + i)}`,
      );
    }
  }
  if (got < FLV_HEADER_SIZE)
    throw new ShortBufferError('flv: file header', FLV_HEADER_SIZE, Math.max(0, got));
  const flags = buf[offset + 4] as number;
  const dataOffset = be32(buf, offset + 5);
  if (dataOffset < FLV_HEADER_SIZE) {
    throw new ProtocolError(`flv: header DataOffset ${dataOffset} is below ${FLV_HEADER_SIZE}`);
  }
  return {
    version: buf[offset + 3] as number,
    hasAudio: (flags & FLAG_AUDIO) !== 0,
    hasVideo: (flags & FLAG_VIDEO) !== 0,
    dataOffset,
  };
}

/** Options for packFlvHeader. */
export interface PackFlvHeaderOptions {
  /** Append PreviousTagSize0 (four zero bytes), as a file or an HTTP-FLV stream starts. Default true. */
  withPrevTagSize0?: boolean;
}

/**
 * Packs an FLV header (E.2) with DataOffset 9, followed by PreviousTagSize0 unless told otherwise.
 * Returns a new Buffer the caller owns (13 bytes, or 9).
 */
export function packFlvHeader(
  h: { hasAudio: boolean; hasVideo: boolean; version?: number },
  opts: PackFlvHeaderOptions = {},
): Buffer {
  const version = h.version ?? 1;
  if (!Number.isInteger(version) || version < 0 || version > 255) {
    throw new InvalidArgError(`flv: header version ${version} is not a UI8`);
  }
  const withPts0 = opts.withPrevTagSize0 ?? true;
  const out = Buffer.alloc(FLV_HEADER_SIZE + (withPts0 ? FLV_PREV_TAG_SIZE_LENGTH : 0));
  out[0] = SIG_F;
  out[1] = SIG_L;
  out[2] = SIG_V;
  out[3] = version;
  out[4] = (h.hasAudio ? FLAG_AUDIO : 0) | (h.hasVideo ? FLAG_VIDEO : 0);
  putBe32(out, 5, FLV_HEADER_SIZE);
  return out;
}

function hexByte(b: Uint8Array, i: number): string {
  return (b[i] as number).toString(16).padStart(2, '0');
}
