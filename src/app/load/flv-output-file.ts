import { once } from 'node:events';
import { createWriteStream, type WriteStream } from 'node:fs';
import { open } from 'node:fs/promises';
import {
  FLV_PREV_TAG_SIZE_LENGTH,
  FLV_TAG_HEADER_SIZE,
  FlvTagType,
  packFlvHeader,
  packFlvTagHeaderInto,
  parseOnMetaData,
} from '../../format/flv/index.js';

/** Offset of the TypeFlags byte in the FLV header (E.2). */
const FLAGS_OFFSET = 4;
/** Tags held back at most while waiting for the first media tag (which settles the header flags). */
const MAX_HELD_TAGS = 64;

interface HeldTag {
  type: FlvTagType;
  timestampMs: number;
  body: Uint8Array;
}

/**
 * An FLV file written from a pulled stream, valid at every clean stop: header, then tags.
 *
 * The header's audio/video flags are not known when the stream starts, so the header is written when
 * the first audio or video tag arrives (with the flags from onMetaData, if one came first, plus the
 * track of that tag), and patched at close to the tracks actually seen. Tag bodies are written as
 * they are (the caller strips `@setDataFrame` from metadata); writes of one event-loop turn are
 * batched into one writev. Disk back-pressure is not propagated (a player must keep reading its
 * socket); `bufferedBytes` tells how much is queued.
 */
export class FlvOutputFile {
  readonly path: string;
  private readonly out: WriteStream;
  private error: Error | undefined;
  private headerFlags: { hasAudio: boolean; hasVideo: boolean } | undefined;
  private metaFlags: { hasAudio: boolean; hasVideo: boolean } | undefined;
  private held: HeldTag[] = [];
  private corked = false;
  private closing: Promise<void> | undefined;
  sawAudio = false;
  sawVideo = false;
  tags = 0;
  bytes = 0;

  /** `onError` is called once if the file cannot be written (the writer then drops everything). */
  constructor(path: string, onError?: (e: Error) => void) {
    this.path = path;
    this.out = createWriteStream(path);
    this.out.on('error', (e) => {
      if (this.error !== undefined) return;
      this.error = e;
      onError?.(e);
    });
  }

  get failed(): Error | undefined {
    return this.error;
  }

  get bufferedBytes(): number {
    return this.out.writableLength;
  }

  /** Appends a tag (body shared, read-only; it is retained until written). */
  write(type: FlvTagType, timestampMs: number, body: Uint8Array): void {
    if (this.error !== undefined || this.closing !== undefined) return;
    if (type === FlvTagType.Audio) this.sawAudio = true;
    else if (type === FlvTagType.Video) this.sawVideo = true;
    if (this.headerFlags === undefined) {
      if (type === FlvTagType.Script && this.metaFlags === undefined)
        this.metaFlags = flagsFromMetadata(body);
      this.held.push({ type, timestampMs, body });
      if (type !== FlvTagType.Script || this.held.length >= MAX_HELD_TAGS) this.writeHeader();
      return;
    }
    this.put(type, timestampMs, body);
  }

  /** Finishes the file: held tags, header flags patched to the tracks seen. Idempotent. */
  close(): Promise<void> {
    this.closing ??= (async () => {
      if (this.error === undefined && this.headerFlags === undefined) this.writeHeader();
      if (this.corked) {
        this.corked = false;
        this.out.uncork();
      }
      this.out.end();
      if (!this.out.closed) {
        await Promise.race([once(this.out, 'close'), once(this.out, 'error')]).catch(() => undefined);
      }
      const written = this.headerFlags;
      if (this.error !== undefined || written === undefined) return;
      if (!this.sawAudio && !this.sawVideo) return;
      if (written.hasAudio === this.sawAudio && written.hasVideo === this.sawVideo) return;
      const fd = await open(this.path, 'r+');
      try {
        const flags = packFlvHeader({ hasAudio: this.sawAudio, hasVideo: this.sawVideo });
        await fd.write(flags, FLAGS_OFFSET, 1, FLAGS_OFFSET);
      } finally {
        await fd.close();
      }
    })();
    return this.closing;
  }

  private writeHeader(): void {
    const m = this.metaFlags;
    const flags = {
      hasAudio: this.sawAudio || (m?.hasAudio ?? false),
      hasVideo: this.sawVideo || (m?.hasVideo ?? false),
    };
    if (!flags.hasAudio && !flags.hasVideo && m === undefined) {
      // Nothing known yet (no media, no metadata): say both; close() patches it.
      flags.hasAudio = true;
      flags.hasVideo = true;
    }
    this.headerFlags = flags;
    this.putRaw(packFlvHeader(flags));
    for (const t of this.held) this.put(t.type, t.timestampMs, t.body);
    this.held = [];
  }

  private put(type: FlvTagType, timestampMs: number, body: Uint8Array): void {
    // Tag header and PreviousTagSize share one small allocation; the body is written as it is.
    const frame = Buffer.allocUnsafe(FLV_TAG_HEADER_SIZE + FLV_PREV_TAG_SIZE_LENGTH);
    packFlvTagHeaderInto(
      { type, filter: false, dataSize: body.length, timestampMs: timestampMs >>> 0, streamId: 0 },
      frame,
      0,
    );
    frame.writeUInt32BE(FLV_TAG_HEADER_SIZE + body.length, FLV_TAG_HEADER_SIZE);
    this.putRaw(frame.subarray(0, FLV_TAG_HEADER_SIZE));
    if (body.length > 0) this.putRaw(body);
    this.putRaw(frame.subarray(FLV_TAG_HEADER_SIZE));
    this.tags++;
    this.bytes += FLV_TAG_HEADER_SIZE + body.length + FLV_PREV_TAG_SIZE_LENGTH;
  }

  private putRaw(b: Uint8Array): void {
    if (!this.corked) {
      this.corked = true;
      this.out.cork();
      setImmediate(() => {
        if (!this.corked) return;
        this.corked = false;
        this.out.uncork();
      });
    }
    this.out.write(b);
  }
}

/** Track flags from an onMetaData body (codec id keys), or undefined when it says nothing about them. */
export function flagsFromMetadata(body: Uint8Array): { hasAudio: boolean; hasVideo: boolean } | undefined {
  let meta: ReturnType<typeof parseOnMetaData>;
  try {
    meta = parseOnMetaData(body);
  } catch {
    return undefined;
  }
  if (meta === undefined) return undefined;
  const has = (k: string): boolean => Object.hasOwn(meta, k);
  const hasAudio = has('audiocodecid') || has('audiosamplerate') || has('audiodatarate');
  const hasVideo = has('videocodecid') || has('width') || has('videodatarate');
  if (!hasAudio && !hasVideo) return undefined;
  return { hasAudio, hasVideo };
}
