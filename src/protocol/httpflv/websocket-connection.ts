import { randomFillSync } from 'node:crypto';
import { LalError, ProtocolError } from '../../util/errors.js';
import { WsCloseCode } from './errors.js';
import {
  packWebSocketClosePayload,
  packWebSocketFrame,
  parseWebSocketClosePayload,
  WebSocketFrameParser,
  WsOpcode,
} from './websocket-frame.js';

/** Where a connection's bytes go; the adapter writes them to its socket. */
export interface WebSocketIo {
  /** A whole frame to write, in order (a new Buffer; the adapter may keep it). */
  send(frame: Uint8Array): void;
  /** Close the transport after the frames sent so far (called once; no send follows). */
  end(): void;
}

/** How a WebSocket connection ended. */
export interface WebSocketCloseInfo {
  /** 'peer': its close frame; 'local': close() was called; 'error': it broke the protocol. */
  by: 'peer' | 'local' | 'error';
  /** The close code sent (local, error) or received (peer; 1005 when it sent none). */
  code: number;
  reason: string;
  /** The protocol fault, for 'error'. */
  error?: LalError;
}

/** What a connection reports; a throwing listener closes the connection with 1011. */
export interface WebSocketConnectionEvents {
  /** A piece of a text or binary message (see WebSocketFrameHandler.onData for ownership). */
  onData?(binary: boolean, data: Uint8Array, messageEnd: boolean): void;
  /** A ping arrived (the pong is sent already). */
  onPing?(payload: Uint8Array): void;
  /** A pong arrived. */
  onPong?(payload: Uint8Array): void;
  /** The connection is closed; called exactly once. */
  onClose?(info: WebSocketCloseInfo): void;
}

/** Options of WebSocketConnection. */
export interface WebSocketConnectionOptions {
  /** Our side: a 'client' masks what it sends and expects unmasked frames; a 'server' the reverse. */
  role: 'server' | 'client';
  /**
   * Largest data message accepted from the peer, bytes (close 1009 past it). Payloads stream out
   * without buffering, so this limits what a peer may make us read, not memory. 0 = none. Default:
   * 65536 for a server (a player has nothing to send but control frames), 0 for a client.
   */
  maxMessageSize?: number;
  /** Masking keys for the client role (tests); default 4 bytes from crypto.randomFillSync per frame. */
  maskKey?: () => Uint8Array;
}

/**
 * Sans-IO RFC 6455 endpoint on top of WebSocketFrameParser: answers pings with pongs (5.5.2),
 * echoes a peer's close frame and ends the transport (5.5.1, 7.1.1: a server closes TCP first; a
 * client ends too, the server will have closed already), closes with 1002/1007/1009 on a protocol
 * fault, and masks every frame it sends in the client role (5.3). Data frames of the
 * application are written by the caller (it may pre-pack headers; see packWebSocketFrameHeaderInto).
 * `feed` never throws: faults end in onClose.
 */
export class WebSocketConnection {
  private readonly io: WebSocketIo;
  private readonly events: WebSocketConnectionEvents;
  private readonly client: boolean;
  private readonly parser: WebSocketFrameParser;
  private readonly maskKey: () => Uint8Array;
  private closeInfo: WebSocketCloseInfo | null = null;

  constructor(io: WebSocketIo, events: WebSocketConnectionEvents, opts: WebSocketConnectionOptions) {
    this.io = io;
    this.events = events;
    this.client = opts.role === 'client';
    this.maskKey = opts.maskKey ?? (() => randomFillSync(Buffer.allocUnsafe(4)));
    const onData = events.onData;
    this.parser = new WebSocketFrameParser(
      {
        onData: (binary, data, end) => onData?.(binary, data, end),
        onControl: (op, payload) => this.onControl(op, payload),
      },
      {
        role: opts.role,
        maxMessageSize: opts.maxMessageSize ?? (this.client ? 0 : 65536),
        deliverData: onData !== undefined,
      },
    );
  }

  get closed(): boolean {
    return this.closeInfo !== null;
  }

  /** How it closed (null while open). */
  get closeReason(): WebSocketCloseInfo | null {
    return this.closeInfo;
  }

  /** Bytes from the peer, in any pieces. Never throws. */
  feed(chunk: Uint8Array): void {
    if (this.closeInfo !== null) return;
    try {
      this.parser.feed(chunk);
    } catch (e) {
      if (this.closeInfo !== null) return;
      if (e instanceof LalError) {
        const code = (e as { closeCode?: number }).closeCode ?? WsCloseCode.ProtocolError;
        this.finish({ by: 'error', code, reason: e.message, error: e }, true);
      } else {
        // A listener threw: not the peer's fault.
        const err = new ProtocolError('httpflv: websocket listener threw', { cause: e });
        this.finish(
          { by: 'error', code: WsCloseCode.InternalError, reason: 'internal error', error: err },
          true,
        );
      }
    }
  }

  /** Sends a frame of ours (masked in the client role). Ignored once closed. */
  sendFrame(opcode: WsOpcode, payload: Uint8Array): void {
    if (this.closeInfo !== null) return;
    this.io.send(this.frame(opcode, payload));
  }

  /** Sends a ping (payload at most 125 bytes). */
  ping(payload: Uint8Array = new Uint8Array(0)): void {
    this.sendFrame(WsOpcode.Ping, payload);
  }

  /** Sends a close frame and ends the transport; idempotent (onClose follows once, by 'local'). */
  close(code: number = WsCloseCode.Normal, reason = ''): void {
    if (this.closeInfo !== null) return;
    this.finish({ by: 'local', code, reason }, true);
  }

  /**
   * Marks the connection closed without sending anything (the transport is gone); onClose follows
   * once, by 'peer' with 1006.
   */
  lost(reason = 'connection lost'): void {
    if (this.closeInfo !== null) return;
    this.finish({ by: 'peer', code: WsCloseCode.Abnormal, reason }, false);
  }

  private frame(opcode: WsOpcode, payload: Uint8Array): Buffer {
    return this.client
      ? packWebSocketFrame(opcode, payload, { maskKey: this.maskKey() })
      : packWebSocketFrame(opcode, payload);
  }

  private onControl(op: WsOpcode.Close | WsOpcode.Ping | WsOpcode.Pong, payload: Uint8Array): void {
    if (op === WsOpcode.Ping) {
      this.sendFrame(WsOpcode.Pong, payload);
      this.events.onPing?.(payload);
    } else if (op === WsOpcode.Pong) {
      this.events.onPong?.(payload);
    } else {
      const { code, reason } = parseWebSocketClosePayload(payload);
      // Echo the code (5.5.1); an empty close is answered with an empty close.
      this.finish({ by: 'peer', code, reason }, true);
    }
  }

  private finish(info: WebSocketCloseInfo, sendClose: boolean): void {
    this.closeInfo = info;
    if (sendClose) {
      const code = info.code === WsCloseCode.Abnormal ? WsCloseCode.InternalError : info.code;
      const reason = info.by === 'peer' ? '' : info.reason;
      try {
        this.io.send(this.frame(WsOpcode.Close, packWebSocketClosePayload(code, reason)));
      } catch {
        // An unsendable code (a caller's mistake): close with no status instead.
        this.io.send(this.frame(WsOpcode.Close, new Uint8Array(0)));
      }
      this.io.end();
    }
    try {
      this.events.onClose?.(info);
    } catch {
      // A listener's throw must not escape feed().
    }
  }
}
