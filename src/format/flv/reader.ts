import { ByteQueue } from '../../util/byte-queue.js';
import { LalError, LimitError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { FLV_HEADER_SIZE, FLV_PREV_TAG_SIZE_LENGTH, FLV_TAG_HEADER_SIZE } from './constants.js';
import { type FlvHeader, flvSignatureByteOk, parseFlvHeader } from './header.js';
import { type FlvTag, isKnownFlvTagType } from './tag.js';

/** Options for FlvReader. */
export interface FlvReaderOptions {
  /**
   * Largest tag body accepted, in bytes. A tag header announcing more is a LimitError as soon as the
   * header is seen, before the body is waited for. Default 16 MiB.
   */
  maxTagSize?: number;
  /**
   * Throw a ProtocolError when a PreviousTagSize is not the size of the tag before it (0 after the
   * header). When false, mismatches are counted in `prevTagSizeMismatches` and reading goes on.
   * Default false (tolerant: several old writers get this field wrong).
   */
  strictPrevTagSize?: boolean;
  /** The input starts with the FLV file header (a file, HTTP-FLV). False for a bare tag stream. Default true. */
  expectHeader?: boolean;
  /** Largest header DataOffset accepted (bytes, >= 9); extra header bytes are skipped. Default 1024. */
  maxHeaderSize?: number;
}

/** What the reader hands out, in stream order. */
export type FlvReaderItem =
  | { kind: 'header'; header: FlvHeader; offset: number }
  /** `tag.data` is a view of a pushed chunk when it lay inside one, else a new copy (shared, read-only). */
  | { kind: 'tag'; tag: FlvTag; offset: number };

/** The reader's default maxTagSize: 16 MiB. */
export const FLV_READER_DEFAULT_MAX_TAG_SIZE = 16 * 1024 * 1024;
const DEFAULT_MAX_HEADER_SIZE = 1024;

type State =
  | { s: 'header' }
  | { s: 'header-extra'; left: number }
  | { s: 'prev-tag-size'; expect: number }
  | { s: 'tag' };

/**
 * A sans-IO FLV stream reader (Adobe FLV spec v10.1, E.2 header, E.3 body: PreviousTagSize0, then
 * FLVTAG + PreviousTagSize repeated). Feed it chunks of any size, in order, from a file or a socket;
 * it yields the header, then each tag as soon as its body is complete.
 *
 * Bodies are views of the pushed chunks when contiguous (the reader never writes into a chunk, so the
 * caller must not either), copies only when a body straddles chunks. Errors are typed (LalError) and
 * sticky: once the reader has thrown, every later call throws the same error. At end of input call
 * `end()`: it throws ShortBufferError when a truncated header or tag is pending.
 */
export class FlvReader {
  private readonly q = new ByteQueue();
  private readonly maxTagSize: number;
  private readonly strict: boolean;
  private readonly maxHeaderSize: number;
  private state: State;
  private consumed = 0;
  private tags = 0;
  private mismatches = 0;
  private failed: LalError | undefined;

  constructor(opts: FlvReaderOptions = {}) {
    this.maxTagSize = opts.maxTagSize ?? FLV_READER_DEFAULT_MAX_TAG_SIZE;
    this.strict = opts.strictPrevTagSize ?? false;
    this.maxHeaderSize = opts.maxHeaderSize ?? DEFAULT_MAX_HEADER_SIZE;
    this.state = (opts.expectHeader ?? true) ? { s: 'header' } : { s: 'tag' };
  }

  /** Bytes consumed from the input so far (the stream offset of the next unparsed byte). */
  get offset(): number {
    return this.consumed;
  }

  /** Bytes pushed but not parsed yet. */
  get pending(): number {
    return this.q.length;
  }

  /** Tags yielded so far. */
  get tagCount(): number {
    return this.tags;
  }

  /** PreviousTagSize fields that did not match (tolerant mode only; strict mode throws instead). */
  get prevTagSizeMismatches(): number {
    return this.mismatches;
  }

  /** Adds a chunk (retained until parsed; do not mutate it afterwards). Parse with next() or feed(). */
  push(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    this.q.push(chunk);
  }

  /**
   * Pushes `chunk` at once, then returns an iterator over every item that is complete (parsed as it is
   * iterated; an item not iterated now is returned by the next call). A parse error is thrown from the
   * iteration after the items before it.
   */
  feed(chunk: Uint8Array): IterableIterator<FlvReaderItem> {
    this.push(chunk);
    return this.drain();
  }

  private *drain(): Generator<FlvReaderItem, void, undefined> {
    for (;;) {
      const item = this.next();
      if (item === undefined) return;
      yield item;
    }
  }

  /** The next complete item, or undefined when more bytes are needed. */
  next(): FlvReaderItem | undefined {
    if (this.failed) throw this.failed;
    try {
      return this.step();
    } catch (e) {
      if (e instanceof LalError) this.failed = e;
      throw e;
    }
  }

  /**
   * Declares the end of input. Throws ShortBufferError (the input is truncated) when part of a header
   * or a tag is pending, and in strict mode also when the last PreviousTagSize is missing.
   */
  end(): void {
    if (this.failed) throw this.failed;
    const got = this.q.length;
    const st = this.state;
    let err: LalError | undefined;
    if (st.s === 'header') {
      err = new ShortBufferError('flv: truncated file header', FLV_HEADER_SIZE, got);
    } else if (st.s === 'header-extra') {
      err = new ShortBufferError('flv: truncated file header', st.left, got);
    } else if (st.s === 'prev-tag-size') {
      if (got > 0 || this.strict) {
        err = new ShortBufferError(
          `flv: truncated PreviousTagSize at byte ${this.consumed}`,
          FLV_PREV_TAG_SIZE_LENGTH,
          got,
        );
      } else {
        // The last tag (or the header) has no trailing PreviousTagSize: harmless, count it.
        this.mismatches++;
      }
    } else if (got > 0) {
      const need = got >= 4 ? FLV_TAG_HEADER_SIZE + this.q.peekUIntBE(1, 3) : FLV_TAG_HEADER_SIZE;
      err = new ShortBufferError(`flv: truncated tag at byte ${this.consumed}`, need, got);
    }
    if (err) {
      this.failed = err;
      throw err;
    }
  }

  private step(): FlvReaderItem | undefined {
    for (;;) {
      const st = this.state;
      const q = this.q;
      switch (st.s) {
        case 'header': {
          // Check the signature byte by byte so a non-FLV input fails at once.
          for (let i = 0; i < 3 && i < q.length; i++) {
            if (!flvSignatureByteOk(i, q.peekU8(i))) {
              throw new ProtocolError(
                `flv: bad signature (not an FLV file), byte ${i} is 0x${hex2(q.peekU8(i))}`,
              );
            }
          }
          if (q.length < FLV_HEADER_SIZE) return undefined;
          const header = parseFlvHeader(q.peek(FLV_HEADER_SIZE));
          if (header.dataOffset > this.maxHeaderSize) {
            throw new LimitError('flv: header DataOffset', header.dataOffset, this.maxHeaderSize);
          }
          const offset = this.consumed;
          this.take(FLV_HEADER_SIZE);
          const extra = header.dataOffset - FLV_HEADER_SIZE;
          this.state = extra > 0 ? { s: 'header-extra', left: extra } : { s: 'prev-tag-size', expect: 0 };
          return { kind: 'header', header, offset };
        }
        case 'header-extra': {
          const n = Math.min(st.left, q.length);
          this.take(n);
          if (n < st.left) {
            this.state = { s: 'header-extra', left: st.left - n };
            return undefined;
          }
          this.state = { s: 'prev-tag-size', expect: 0 };
          break;
        }
        case 'prev-tag-size': {
          if (q.length < FLV_PREV_TAG_SIZE_LENGTH) return undefined;
          const v = q.peekUIntBE(0, 4);
          if (v !== st.expect) {
            if (this.strict) {
              throw new ProtocolError(
                `flv: PreviousTagSize ${v} at byte ${this.consumed} does not match the expected ${st.expect}`,
              );
            }
            this.mismatches++;
          }
          this.take(FLV_PREV_TAG_SIZE_LENGTH);
          this.state = { s: 'tag' };
          break;
        }
        case 'tag': {
          if (q.length === 0) return undefined;
          const b0 = q.peekU8(0);
          const type = b0 & 0x1f;
          if (!isKnownFlvTagType(type)) {
            throw new ProtocolError(`flv: unknown tag type ${type} at byte ${this.consumed}`);
          }
          if (q.length < 4) return undefined;
          const dataSize = q.peekUIntBE(1, 3);
          if (dataSize > this.maxTagSize) {
            throw new LimitError(`flv: tag data size at byte ${this.consumed}`, dataSize, this.maxTagSize);
          }
          if (q.length < FLV_TAG_HEADER_SIZE + dataSize) return undefined;
          const offset = this.consumed;
          const tsLow = q.peekUIntBE(4, 3);
          const tsExt = q.peekU8(7);
          const streamId = q.peekUIntBE(8, 3);
          this.take(FLV_TAG_HEADER_SIZE);
          const data = q.read(dataSize);
          this.consumed += dataSize;
          const tag: FlvTag = {
            type,
            timestampMs: (tsExt * 0x1000000 + tsLow) >>> 0,
            data,
            filter: (b0 & 0x20) !== 0,
            streamId,
          };
          this.tags++;
          this.state = { s: 'prev-tag-size', expect: FLV_TAG_HEADER_SIZE + dataSize };
          return { kind: 'tag', tag, offset };
        }
      }
    }
  }

  private take(n: number): void {
    this.q.skip(n);
    this.consumed += n;
  }
}

/** Options for parseFlvFile. */
export interface ParseFlvFileOptions extends FlvReaderOptions {}

/**
 * Parses a whole FLV held in memory: the header and every tag (bodies are views of `buf`). Throws
 * ShortBufferError when it is truncated. Returns the PreviousTagSize mismatch count (tolerant mode).
 */
export function parseFlvFile(
  buf: Uint8Array,
  opts: ParseFlvFileOptions = {},
): { header: FlvHeader | undefined; tags: FlvTag[]; prevTagSizeMismatches: number } {
  const r = new FlvReader(opts);
  let header: FlvHeader | undefined;
  const tags: FlvTag[] = [];
  for (const item of r.feed(buf)) {
    if (item.kind === 'header') header = item.header;
    else tags.push(item.tag);
  }
  r.end();
  return { header, tags, prevTagSizeMismatches: r.prevTagSizeMismatches };
}

function hex2(b: number): string {
  return b.toString(16).padStart(2, '0');
}
