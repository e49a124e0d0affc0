// Raw sockets for tests that misbehave on purpose: an RTMP client that does a real handshake and then
// sends exactly the chunks it is told to (and reads what the server answers), plus socket helpers.
import { connect, type Socket } from 'node:net';
import { type AmfValue, encodeAmf0 } from '../../src/format/amf/index.js';
import {
  ChunkReader,
  connectCommand,
  createStreamCommand,
  HandshakeClient,
  packMessage,
  parseCommand,
  publishCommand,
  type RtmpCommand,
  type RtmpMessage,
} from '../../src/protocol/rtmp/index.js';

/** A connected TCP socket on 127.0.0.1 (errors after connect are swallowed: the peer may reset it). */
export function openSocket(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => {
      s.off('error', reject);
      s.on('error', () => {});
      resolve(s);
    });
    s.once('error', reject);
  });
}

/** Resolves true when the peer closes `s`, false after `ms` (data is read and dropped meanwhile). */
export function closedWithin(s: Socket, ms: number): Promise<boolean> {
  return new Promise((resolve) => {
    if (s.destroyed || s.readableEnded) return resolve(true);
    const t = setTimeout(() => {
      s.off('close', onClose);
      s.off('end', onClose);
      resolve(false);
    }, ms);
    const onClose = (): void => {
      clearTimeout(t);
      s.off('close', onClose);
      s.off('end', onClose);
      resolve(true);
    };
    if (s.listenerCount('data') === 0) s.on('data', () => {});
    s.once('close', onClose);
    s.once('end', onClose);
  });
}

/** Sends one HTTP request head and resolves with the whole answer (until the server closes), as text. */
export async function httpExchange(port: number, request: string | Uint8Array, ms = 5000): Promise<string> {
  const s = await openSocket(port);
  const parts: Buffer[] = [];
  s.on('data', (b: Buffer) => parts.push(b));
  s.write(request);
  const closed = await closedWithin(s, ms);
  s.destroy();
  if (!closed)
    throw new Error(`no close within ${ms} ms; got ${JSON.stringify(Buffer.concat(parts).toString())}`);
  return Buffer.concat(parts).toString('latin1');
}

/** The status code of an HTTP answer ('HTTP/1.1 431 ...' -> 431; 0 when there is none). */
export function statusOf(answer: string): number {
  const m = /^HTTP\/1\.[01] (\d{3})/.exec(answer);
  return m ? Number(m[1]) : 0;
}

/**
 * An RTMP client with no manners: a real handshake (our HandshakeClient), then `send` writes the
 * chunks it is given; whatever the server sends is read with a ChunkReader into `messages`. It never
 * acknowledges and never answers pings unless told to.
 */
export class RawRtmp {
  readonly socket: Socket;
  readonly messages: RtmpMessage[] = [];
  /** Our outgoing chunk size (the server assumes 128 until told otherwise). */
  chunkSize = 128;
  private readonly reader: ChunkReader;
  private readonly waiters = new Set<() => void>();
  private closedFlag = false;

  private constructor(socket: Socket) {
    this.socket = socket;
    this.reader = new ChunkReader({
      onMessage: (m) => {
        this.messages.push(m);
        for (const w of [...this.waiters]) w();
      },
    });
    socket.once('close', () => {
      this.closedFlag = true;
      for (const w of [...this.waiters]) w();
    });
  }

  /** Connects to the RTMP port and completes the handshake. */
  static async open(port: number): Promise<RawRtmp> {
    const s = await openSocket(port);
    const raw = new RawRtmp(s);
    await new Promise<void>((resolve, reject) => {
      const hs = new HandshakeClient({
        onSend: (b) => s.write(b),
        onDone: (_info, rest) => {
          s.off('data', onHs);
          s.off('close', onClose);
          s.on('data', (b: Buffer) => raw.feed(b));
          if (rest.length > 0) raw.feed(Buffer.from(rest));
          resolve();
        },
      });
      const onHs = (b: Buffer): void => {
        try {
          hs.feed(b);
        } catch (e) {
          reject(e);
        }
      };
      const onClose = (): void => reject(new Error('closed during the handshake'));
      s.on('data', onHs);
      s.once('close', onClose);
      hs.start();
    });
    return raw;
  }

  get closed(): boolean {
    return this.closedFlag;
  }

  private feed(b: Buffer): void {
    try {
      this.reader.feed(b);
    } catch {
      // the server's bytes are not under test here
    }
  }

  /** Sends one message packed at `chunkSize` (csid 3, stream 0, timestamp 0 unless given). */
  send(m: {
    typeId: number;
    payload: Uint8Array;
    csid?: number;
    streamId?: number;
    timestampMs?: number;
  }): void {
    if (this.socket.destroyed) return;
    this.socket.write(
      packMessage(
        {
          csid: m.csid ?? 3,
          typeId: m.typeId,
          streamId: m.streamId ?? 0,
          timestampMs: m.timestampMs ?? 0,
          payload: m.payload,
        },
        this.chunkSize,
      ),
    );
  }

  /** An AMF0 command message (type 20). */
  command(values: AmfValue[], streamId = 0): void {
    this.send({ typeId: 20, payload: encodeAmf0(values), csid: streamId === 0 ? 3 : 8, streamId });
  }

  /** Waits for the first received command matching `pred` (from the start of the connection). */
  waitCommand(pred: (c: RtmpCommand) => boolean, ms = 3000): Promise<RtmpCommand> {
    return new Promise((resolve, reject) => {
      const check = (): boolean => {
        for (const m of this.messages) {
          if (m.typeId !== 20) continue;
          try {
            const c = parseCommand(m.typeId, m.payload);
            if (pred(c)) {
              resolve(c);
              return true;
            }
          } catch {
            // not a command we can read
          }
        }
        if (this.closedFlag) {
          reject(new Error('closed before the expected command'));
          return true;
        }
        return false;
      };
      if (check()) return;
      const w = (): void => {
        if (check()) done();
      };
      const t = setTimeout(() => {
        done();
        reject(new Error(`no matching command within ${ms} ms`));
      }, ms);
      const done = (): void => {
        clearTimeout(t);
        this.waiters.delete(w);
      };
      this.waiters.add(w);
    });
  }

  /** connect (app `live`) and wait for its `_result`. */
  async connect(extra: Record<string, AmfValue> = {}): Promise<void> {
    this.send({
      typeId: 20,
      payload: connectCommand(1, { app: 'live', tcUrl: 'rtmp://127.0.0.1/live', extra }),
    });
    await this.waitCommand((c) => c.name === '_result' && c.transactionId === 1);
  }

  /** createStream + publish `stream` on message stream 1; resolves with the publish onStatus code. */
  async publish(stream: string): Promise<string> {
    this.send({ typeId: 20, payload: createStreamCommand(2) });
    await this.waitCommand((c) => c.name === '_result' && c.transactionId === 2);
    this.send({ typeId: 20, payload: publishCommand(3, stream), csid: 8, streamId: 1 });
    const st = await this.waitCommand((c) => c.name === 'onStatus');
    const info = st.args[0] as { code?: unknown } | undefined;
    return typeof info?.code === 'string' ? info.code : '';
  }

  /** Resolves true when the server closes the connection within `ms`. */
  closedWithin(ms: number): Promise<boolean> {
    return closedWithin(this.socket, ms);
  }

  destroy(): void {
    this.socket.destroy();
  }
}
