import { RtmpClientAdapter, type RtmpClientSocketOptions } from './client-adapter.js';
import type { RtmpClientEvents, RtmpPullOptions } from './client-session.js';
import { RtmpPullCore } from './client-session.js';
import type { SocketIo } from './socket-io.js';
import type { RtmpUrl } from './url.js';

/** Options of RtmpPullSession: the core's and the socket's. */
export interface RtmpPullSessionOptions extends RtmpPullOptions, RtmpClientSocketOptions {}

/**
 * Playing RTMP client over node:net / node:tls (`rtmp://` / `rtmps://`): `start(url)` connects
 * and plays; media and data messages go to `events.onMessage` (payloads shared, read-only, may
 * be retained), statuses after start to `events.onStatus`. `close()` sends deleteStream, then FIN.
 */
export class RtmpPullSession extends RtmpClientAdapter<RtmpPullCore> {
  private readonly options: RtmpPullSessionOptions;

  constructor(events: RtmpClientEvents, options: RtmpPullSessionOptions = {}) {
    super(events, options);
    this.options = options;
  }

  protected makeCore(url: RtmpUrl, io: SocketIo, events: RtmpClientEvents): RtmpPullCore {
    return new RtmpPullCore(url, io, events, this.options);
  }
}
