// Writing to accepted sockets fast (adapter code: node:net only; the protocol cores stay sans-IO).
import type { Socket } from 'node:net';
import { getSystemErrorName } from 'node:util';
import { type StreamWrapBinding, streamWrap, type WriteReq } from './stream-wrap.js';

/** The methods of a TCP handle (LibuvStreamWrap) used here. */
interface StreamHandle {
  writeBuffer(req: WriteReq, buf: Uint8Array): number;
  writev(req: WriteReq, chunks: readonly Uint8Array[], allBuffers: boolean): number;
  readonly writeQueueSize: number;
}

/**
 * A request no write holds: the last one that completed synchronously (libuv keeps no C++ request
 * for those, so the JS object is free again). Saves an object per write; one that went
 * asynchronous stays with its write until oncomplete.
 */
let spareReq: WriteReq | null = null;

/** A write that libuv finished later (the kernel buffer was full): an error destroys the socket. */
function onWriteComplete(this: WriteReq, status: number): void {
  this.buffer = null;
  if (status < 0 && !this.socket.destroyed) this.socket.destroy(writeError(status));
}

function writeError(status: number): Error {
  let name = `E${-status}`;
  try {
    name = getSystemErrorName(status);
  } catch {
    // Not a system error number: keep the numeric name.
  }
  return Object.assign(new Error(`write ${name}`), { code: name, errno: status, syscall: 'write' });
}

/**
 * Writes buffers to a socket in order, by the shortest path Node has.
 *
 * Fast path (plain TCP): each write goes straight to the socket's libuv handle (`writeBuffer` /
 * `writev` with a write request from Node's stream_wrap binding, which is what net.Socket's own
 * `_writeGeneric` does) instead of through the Writable stream: no per-write state machine, no
 * `process.nextTick` per write, no callback. The kernel usually takes the bytes at once (a
 * synchronous write); when it does not, libuv queues the rest in order and the request keeps the
 * buffers alive until it completes; a failed write destroys the socket with the error (its 'error'
 * and 'close' follow as usual). With 1000 players it saves about a quarter of lals's user CPU
 * (bench/README.md).
 *
 * Writes stay in order with anything written through `socket.write` elsewhere (an HTTP answer, a
 * WebSocket control frame): while the Writable has bytes of its own queued, writes here join its
 * queue. `socket.end()` still works: libuv shuts the connection down after the queued writes.
 *
 * Fallback: TLS sockets, a socket without a handle, or a Node without the binding write through
 * `socket.write` (corked for a batch); everything else behaves the same.
 */
export class SocketWriter {
  private readonly socket: Socket;
  private readonly handle: StreamHandle | null;
  private readonly b: StreamWrapBinding | null;

  constructor(socket: Socket) {
    this.socket = socket;
    const binding = streamWrap();
    const h = (socket as unknown as { _handle?: Partial<StreamHandle> | null })._handle;
    const plain = (socket as { encrypted?: boolean }).encrypted !== true;
    this.b = binding;
    this.handle =
      plain &&
      binding !== null &&
      typeof h?.writeBuffer === 'function' &&
      typeof h.writev === 'function' &&
      typeof h.writeQueueSize === 'number'
        ? (h as StreamHandle)
        : null;
  }

  /** True when writes take the fast path (false: socket.write). */
  get isDirect(): boolean {
    return this.handle !== null;
  }

  /** Writes one buffer (shared: it must not be changed afterwards). Dropped once the socket is ended or destroyed. */
  write(buf: Uint8Array): void {
    const s = this.socket;
    if (s.destroyed || s.writableEnded || buf.length === 0) return;
    const h = this.directHandle();
    if (h === null) {
      s.write(buf);
      return;
    }
    const req = this.request(h);
    const err = h.writeBuffer(req, buf);
    this.after(req, err, buf);
  }

  /**
   * Writes buffers in order, in one syscall when it can (shared, like `write`). The array itself is
   * not kept: the caller may reuse it at once.
   */
  writev(list: readonly Uint8Array[]): void {
    if (list.length === 1) {
      this.write(list[0] as Uint8Array);
      return;
    }
    const s = this.socket;
    if (s.destroyed || s.writableEnded || list.length === 0) return;
    const h = this.directHandle();
    if (h === null) {
      s.cork();
      for (const b of list) s.write(b);
      s.uncork();
      return;
    }
    const req = this.request(h);
    const err = h.writev(req, list, true);
    this.after(req, err, list);
  }

  /** Bytes accepted but not yet handed to the kernel (the Writable's queue plus libuv's). */
  get queuedBytes(): number {
    const h = this.handle;
    const s = this.socket;
    if (h === null || (s as unknown as { _handle: unknown })._handle !== h) return s.writableLength;
    return s.writableLength + h.writeQueueSize;
  }

  /**
   * Bytes accepted so far (handed to the kernel or queued), the socket's own writes included:
   * `socket.bytesWritten`, which counts what the handle was given either way.
   */
  get bytesAccepted(): number {
    return this.socket.bytesWritten;
  }

  /** The handle when this write may go straight to it: same handle, and nothing queued in the Writable. */
  private directHandle(): StreamHandle | null {
    const h = this.handle;
    const s = this.socket;
    if (h === null || (s as unknown as { _handle: unknown })._handle !== h) return null;
    if (s.writableLength > 0 || s.writableCorked > 0) return null;
    return h;
  }

  private request(h: StreamHandle): WriteReq {
    let req = spareReq;
    spareReq = null;
    if (req === null) {
      req = new (this.b as StreamWrapBinding).WriteWrap();
      req.oncomplete = onWriteComplete;
      req.async = false;
      req.bytes = 0;
      req.buffer = null;
    }
    req.handle = h;
    req.socket = this.socket;
    return req;
  }

  private after(req: WriteReq, err: number, keep: Uint8Array | readonly Uint8Array[]): void {
    const b = this.b as StreamWrapBinding;
    if (err === 0 && b.streamBaseState[b.kLastWriteWasAsync] !== 0) {
      // libuv still reads from these buffers: keep them alive until oncomplete (a copy of a list,
      // so the caller may reuse its array).
      req.async = true;
      req.buffer = Array.isArray(keep) ? keep.slice() : keep;
    } else {
      spareReq = req;
    }
    if (err !== 0) this.socket.destroy(writeError(err));
  }
}
