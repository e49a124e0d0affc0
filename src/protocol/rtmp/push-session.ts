import { RtmpClientAdapter, type RtmpClientSocketOptions } from './client-adapter.js';
import type { RtmpClientEvents, RtmpPushOptions } from './client-session.js';
import { RtmpPushCore } from './client-session.js';
import type { RtmpMediaMessage } from './session-types.js';
import type { SocketIo } from './socket-io.js';
import type { RtmpUrl } from './url.js';

/** Options of RtmpPushSession: the core's and the socket's. */
export interface RtmpPushSessionOptions extends RtmpPushOptions, RtmpClientSocketOptions {}

/**
 * Publishing RTMP client over node:net / node:tls (`rtmp://` / `rtmps://`): `start(url)` connects
 * and publishes; then `write` media (FLV tag bodies with their type and timestamp). For pacing, a
 * load tool watches `writable` / `bufferedBytes` or awaits `waitDrain()`. `close()` sends
 * FCUnpublish + deleteStream, then FIN.
 */
export class RtmpPushSession extends RtmpClientAdapter<RtmpPushCore> {
  private readonly options: RtmpPushSessionOptions;

  constructor(
    options: RtmpPushSessionOptions = {},
    events: Pick<RtmpClientEvents, 'onClose' | 'onStatus'> = {},
  ) {
    super(events, options);
    this.options = options;
  }

  protected makeCore(url: RtmpUrl, io: SocketIo, events: RtmpClientEvents): RtmpPushCore {
    return new RtmpPushCore(url, io, events, this.options);
  }

  /**
   * Sends one message (see RtmpPushCore.write: metadata gets `@setDataFrame`). `payload` is only
   * read during the call. Returns false before start or after close (nothing is queued).
   */
  write(msg: RtmpMediaMessage): boolean {
    return this.core?.write(msg) ?? false;
  }

  /**
   * Sends pre-packed chunks (packMessage at `session.outChunkSize`, stream id `session.streamId`);
   * the Buffer must not be mutated afterwards. Returns false before start or after close.
   */
  writeChunks(chunks: Uint8Array): boolean {
    return this.core?.writeChunks(chunks) ?? false;
  }
}
