import { once } from 'node:events';
import { createReadStream, createWriteStream, type WriteStream } from 'node:fs';
import {
  type FlvHeader,
  FlvReader,
  type FlvReaderItem,
  type FlvTag,
  packFlvHeader,
  packFlvTag,
} from '../format/flv/index.js';
import { LalError } from '../util/errors.js';

/**
 * Streams an FLV file through FlvReader: yields the header, then each tag, with bounded memory.
 * A truncated or corrupt file ends in the reader's typed error, its message prefixed with the path.
 */
export async function* readFlvFile(path: string, highWaterMark = 256 * 1024): AsyncGenerator<FlvReaderItem> {
  const reader = new FlvReader();
  const stream = createReadStream(path, { highWaterMark });
  try {
    for await (const chunk of stream) {
      try {
        yield* reader.feed(chunk as Buffer);
      } catch (e) {
        throw withPath(path, e);
      }
    }
    try {
      reader.end();
    } catch (e) {
      throw withPath(path, e);
    }
  } finally {
    stream.destroy();
  }
}

function withPath(path: string, e: unknown): unknown {
  if (e instanceof LalError) e.message = `${path}: ${e.message}`;
  return e;
}

/** Writes raw bytes to a file with back-pressure (elementary-stream outputs). */
export class ByteFileWriter {
  private readonly out: WriteStream;
  private error: Error | undefined;
  bytes = 0;

  constructor(path: string) {
    this.out = createWriteStream(path);
    this.out.on('error', (e) => {
      this.error = e;
    });
  }

  async write(b: Uint8Array): Promise<void> {
    if (this.error) throw this.error;
    this.bytes += b.length;
    if (!this.out.write(b)) await once(this.out, 'drain');
  }

  async close(): Promise<void> {
    if (this.error) throw this.error;
    this.out.end();
    await once(this.out, 'finish');
  }
}

/** Writes an FLV file: the header, then tags, honouring the stream's back-pressure. */
export class FlvFileWriter extends ByteFileWriter {
  async header(h: Pick<FlvHeader, 'hasAudio' | 'hasVideo'>): Promise<void> {
    await this.write(packFlvHeader({ hasAudio: h.hasAudio, hasVideo: h.hasVideo }));
  }

  async tag(t: FlvTag): Promise<void> {
    await this.write(packFlvTag(t));
  }
}
