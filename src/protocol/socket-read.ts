// Reading accepted sockets fast (adapter code: node:net only; the protocol cores stay sans-IO).
import type { Socket } from 'node:net';
import { streamWrap } from './stream-wrap.js';

/** One buffer for every socket's reads in the fast path of readSocket (reads are handled synchronously). */
const SHARED_READ_BUFFER = Buffer.allocUnsafeSlow(64 * 1024);

/** The hidden fields of a net.Socket that `net.connect({ onread })` sets (Node 12 and later). */
interface UserBufferSocket {
  _handle?: { useUserBuffer?(buf: Uint8Array): void; onread?: OnRead } | null;
}

/** What the handle calls per read (Node's onStreamRead); the byte count is in streamBaseState. */
type OnRead = (this: unknown, arrayBuffer: unknown) => unknown;

/**
 * Hands what `socket` receives to `onData`, in order; each chunk is a new Buffer the callee may keep
 * (a view into it stays valid).
 *
 * Fast path (plain TCP; TLS sockets use 'data' events): the socket reads into one shared buffer and each read
 * is copied into a right-sized Buffer (pooled below 4 KiB), which is what `net.connect({ onread })`
 * does for client sockets; Node has no public way to ask it for accepted sockets, so this sets the
 * same two hidden fields (found by their symbol names) and calls the handle's `useUserBuffer`. That
 * replaces Node's default of a fresh 64 KiB allocation per read, shrunk to size and pushed through
 * the stream machinery and a 'data' event: with 1000 publishers it cut lals's CPU by about an eighth
 * (bench/README.md). Data reads then come straight from the handle's `onread` (Node's stream_wrap
 * binding gives the byte count), not through Node's onStreamRead. When any of the hidden pieces is
 * missing (another Node) it falls back to 'data' events. Returns the path taken. Call it before the
 * socket's first read (in the 'connection' handler); 'end', 'error' and 'close' are emitted as
 * usual either way.
 */
export function readSocket(socket: Socket, onData: (chunk: Buffer) => void): 'user-buffer' | 'data-events' {
  const handle = (socket as unknown as UserBufferSocket)._handle;
  // TLS sockets decrypt in their own stream layer: only plain TCP reads take the fast path.
  if ((socket as { encrypted?: boolean }).encrypted === true) {
    socket.on('data', onData);
    return 'data-events';
  }
  const symbols = Object.getOwnPropertySymbols(socket);
  const kBuffer = symbols.find((x) => x.description === 'kBuffer');
  const kBufferCb = symbols.find((x) => x.description === 'kBufferCb');
  if (handle?.useUserBuffer === undefined || kBuffer === undefined || kBufferCb === undefined) {
    socket.on('data', onData);
    return 'data-events';
  }
  // Each read is copied out of the shared buffer before the next one can overwrite it.
  const deliver = (nread: number): void => {
    const chunk = Buffer.allocUnsafe(nread);
    SHARED_READ_BUFFER.copy(chunk, 0, 0, nread);
    onData(chunk);
  };
  const fields = socket as unknown as Record<symbol, unknown>;
  fields[kBuffer] = SHARED_READ_BUFFER;
  fields[kBufferCb] = deliver;
  handle.useUserBuffer(SHARED_READ_BUFFER);
  // Data reads skip Node's onStreamRead too (its timer refresh, symbol lookups and the kBufferCb
  // hop): the handle calls this directly; end of stream and errors still go to onStreamRead.
  const b = streamWrap();
  const original = handle.onread;
  if (b !== null && typeof original === 'function') {
    const { streamBaseState: state, kReadBytesOrError: kNread } = b;
    handle.onread = function onRead(this: unknown, arrayBuffer: unknown): unknown {
      const nread = state[kNread] as number;
      if (nread > 0) {
        deliver(nread);
        return undefined;
      }
      return original.call(this, arrayBuffer);
    };
  }
  return 'user-buffer';
}
