import { LalError, ProtocolError } from '../../util/errors.js';
import { ADTS_MAX_FRAME_LENGTH, type AdtsHeader, adtsHeaderLengthAt, parseAdtsHeader } from './adts.js';

/** One ADTS frame found in a buffer. */
export interface AdtsFrame {
  header: AdtsHeader;
  /** Offset of the frame's syncword from the start of the input (of the whole stream for AdtsSplitter). */
  offset: number;
  /** The whole frame, header included (a view, see the function for its lifetime). */
  frame: Uint8Array;
  /** The bytes after the header: the raw data block(s) (with CRC, also their CRCs). A view. */
  payload: Uint8Array;
}

/** Options of splitAdts and AdtsSplitter. */
export interface SplitAdtsOptions {
  /**
   * What to do with bytes that do not start a valid frame (junk, an ID3 tag, a damaged frame).
   * false: throw ProtocolError. true: skip forward to the next syncword whose header is valid and
   * is followed by another syncword (or the end of the input), counting the skipped bytes.
   * Default false.
   */
  resync?: boolean;
}

/** What splitAdts found. */
export interface SplitAdtsResult {
  /** The complete frames, in order. */
  frames: AdtsFrame[];
  /**
   * A view of the bytes from the first frame that is not complete to the end of the input: empty
   * when the input ends on a frame boundary, else a truncated frame (or a header still too short
   * to read). A caller reading in pieces prepends it to the next piece (or uses AdtsSplitter).
   */
  rest: Uint8Array;
  /** Bytes skipped while resynchronising (always 0 without `resync`). */
  skipped: number;
}

interface ScanState {
  /** True while the cursor is at the place where the previous frame ended (or the start). */
  synced: boolean;
  skipped: number;
}

function isSyncAt(buf: Uint8Array, i: number): boolean {
  // syncword 0xfff followed by layer 00 (the ID and protection_absent bits may be anything).
  return buf[i] === 0xff && ((buf[i + 1] as number) & 0xf6) === 0xf0;
}

/**
 * The splitting loop shared by splitAdts and AdtsSplitter. Walks frames from `pos` while the
 * cursor is before `stop` and returns where it stopped: at or past `stop`, or at a frame that is
 * not complete in `buf` (more bytes needed). `base` is the stream offset of buf[0]. With `final`
 * false, a frame found while resynchronising is held back until the byte after it can be checked.
 * Always advances or stops, so it terminates on any input.
 */
function scan(
  buf: Uint8Array,
  pos: number,
  stop: number,
  base: number,
  resync: boolean,
  final: boolean,
  state: ScanState,
  out: AdtsFrame[],
): number {
  let p = pos;
  const lose = (): void => {
    state.synced = false;
    state.skipped++;
    p++;
  };
  while (p < stop) {
    const left = buf.length - p;
    // Reject non-sync bytes early, even when too few are here for a whole header.
    if (buf[p] !== 0xff || (left >= 2 && ((buf[p + 1] as number) & 0xf0) !== 0xf0)) {
      if (!resync) throw new ProtocolError(`aac: ADTS: no syncword at offset ${base + p}`);
      lose();
      continue;
    }
    if (resync && left >= 2 && !isSyncAt(buf, p)) {
      lose();
      continue;
    }
    const hl = adtsHeaderLengthAt(buf, p);
    if (hl < 0 || left < hl) break;
    let h: AdtsHeader;
    try {
      h = parseAdtsHeader(buf.subarray(p, p + hl));
    } catch (e) {
      if (!(e instanceof LalError)) throw e;
      if (!resync)
        throw new ProtocolError(`aac: ADTS frame at offset ${base + p}: ${e.message}`, { cause: e });
      lose();
      continue;
    }
    if (left < h.frameLength) break;
    if (resync && !state.synced) {
      // A syncword found by scanning may be a byte pattern inside junk: accept it only when
      // another frame (or the end of the input) follows it.
      const next = p + h.frameLength;
      const after = buf.length - next;
      if (after < 2 && !final) break;
      const confirmed = after >= 2 ? isSyncAt(buf, next) : after === 1 ? buf[next] === 0xff : true;
      if (!confirmed) {
        lose();
        continue;
      }
    }
    const frame = buf.subarray(p, p + h.frameLength);
    out.push({ header: h, offset: base + p, frame, payload: frame.subarray(h.headerLength) });
    p += h.frameLength;
    state.synced = true;
  }
  return p;
}

/**
 * Splits a buffer of ADTS frames (ISO/IEC 14496-3:2009 1.A.2.2 adts_frame(): header, raw data
 * block(s)). Frames, headers and `rest` are views into `buf`, valid as long as it is.
 *
 * Errors (without `resync`): ProtocolError when bytes at a frame boundary are not a valid header,
 * including an aac_frame_length shorter than the header. A frame that runs past the end of `buf`
 * is not an error: splitting stops there and the bytes are returned as `rest`. With `resync`,
 * invalid bytes are skipped instead (see SplitAdtsOptions) and nothing is thrown.
 */
export function splitAdts(buf: Uint8Array, options: SplitAdtsOptions = {}): SplitAdtsResult {
  const state: ScanState = { synced: true, skipped: 0 };
  const frames: AdtsFrame[] = [];
  const p = scan(buf, 0, buf.length, 0, options.resync ?? false, true, state, frames);
  return { frames, rest: buf.subarray(p), skipped: state.skipped };
}

/**
 * The incremental form of splitAdts for input that arrives in pieces (a file or socket read in
 * chunks): push() each piece and get back the frames it completed; end() at the end of input.
 *
 * Buffers: pushed chunks are retained (as views) until their bytes are consumed, so the caller must
 * not mutate a chunk after pushing it (fresh socket/file chunks are fine). A frame that lies inside
 * one chunk is a view of it; a frame that straddles two chunks is a new copy. Either way a frame may
 * be retained by the caller. At most one frame's worth of bytes (8 KiB) is held between calls.
 */
export class AdtsSplitter {
  private readonly resync: boolean;
  private readonly state: ScanState = { synced: true, skipped: 0 };
  /** Bytes held back: an incomplete frame (a view of a chunk, or a copy). */
  private held: Uint8Array = new Uint8Array(0);
  /** Stream offset of held[0]. */
  private heldOffset = 0;

  constructor(options: SplitAdtsOptions = {}) {
    this.resync = options.resync ?? false;
  }

  /** Bytes held back waiting for the rest of a frame. */
  get pending(): number {
    return this.held.length;
  }

  /** Bytes skipped while resynchronising so far. */
  get skipped(): number {
    return this.state.skipped;
  }

  /**
   * Adds a chunk; returns the frames it completed (in order). Throws as splitAdts does; after a
   * throw the splitter's position is undefined and it should be discarded.
   */
  push(chunk: Uint8Array): AdtsFrame[] {
    const out: AdtsFrame[] = [];
    if (chunk.length === 0) return out;
    const held = this.held;
    let start = 0;
    if (held.length > 0) {
      // Join the held bytes with just enough of the chunk to finish any frame that starts in them
      // (a frame is at most 8191 bytes, +2 to check the syncword after it when resynchronising).
      const take = Math.min(chunk.length, ADTS_MAX_FRAME_LENGTH + 2);
      const joined = new Uint8Array(held.length + take);
      joined.set(held, 0);
      joined.set(chunk.subarray(0, take), held.length);
      const p = scan(joined, 0, held.length, this.heldOffset, this.resync, false, this.state, out);
      if (p < held.length) {
        // Only possible when all of the chunk was taken: keep waiting.
        this.heldOffset += p;
        this.held = joined.subarray(p);
        return out;
      }
      start = p - held.length;
      this.heldOffset += held.length;
    }
    const p = scan(chunk, start, chunk.length, this.heldOffset, this.resync, false, this.state, out);
    this.heldOffset += p;
    this.held = chunk.subarray(p);
    return out;
  }

  /**
   * Ends the input: returns the frames that could only be confirmed at the end (when
   * resynchronising) and, as `rest`, the bytes of a truncated last frame (empty if none).
   */
  end(): SplitAdtsResult {
    const frames: AdtsFrame[] = [];
    const held = this.held;
    const p = scan(held, 0, held.length, this.heldOffset, this.resync, true, this.state, frames);
    this.heldOffset += held.length;
    this.held = new Uint8Array(0);
    return { frames, rest: held.subarray(p), skipped: this.state.skipped };
  }
}
