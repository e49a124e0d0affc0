// Node's stream_wrap binding, for the fast socket paths (socket-read.ts, socket-write.ts).
import type { Socket } from 'node:net';

/** A libuv write request as Node's stream_wrap binding makes it (the fields Node's own code sets). */
export interface WriteReq {
  handle: unknown;
  oncomplete: (this: WriteReq, status: number) => void;
  async: boolean;
  bytes: number;
  buffer: unknown;
  /** Ours: whose write failed, for the error. */
  socket: Socket;
}

/** What net.Socket itself reads and writes with: the byte count of a read, the write requests. */
export interface StreamWrapBinding {
  WriteWrap: new () => WriteReq;
  /** Shared state the handle fills per read or write (indexed by the k* constants). */
  streamBaseState: Int32Array;
  kReadBytesOrError: number;
  kLastWriteWasAsync: number;
}

let binding: StreamWrapBinding | null | undefined;

/**
 * Node's stream_wrap binding (via `process.binding`, which Node 20 still allows for it), or null
 * when this Node lacks it or any piece used here; the callers then take Node's public paths.
 */
export function streamWrap(): StreamWrapBinding | null {
  if (binding !== undefined) return binding;
  binding = null;
  try {
    const b = (process as unknown as { binding(name: string): Partial<StreamWrapBinding> }).binding(
      'stream_wrap',
    );
    if (
      typeof b.WriteWrap === 'function' &&
      b.streamBaseState instanceof Int32Array &&
      typeof b.kReadBytesOrError === 'number' &&
      typeof b.kLastWriteWasAsync === 'number'
    ) {
      binding = b as StreamWrapBinding;
    }
  } catch {
    // process.binding removed or the module refused.
  }
  return binding;
}
