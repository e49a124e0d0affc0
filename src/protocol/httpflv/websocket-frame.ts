import { TextDecoder } from 'node:util';
import { InvalidArgError, LalError } from '../../util/errors.js';
import { WebSocketLimitError, WebSocketProtocolError, WsCloseCode } from './errors.js';

/** RFC 6455 5.2 opcodes (11.8 registry). */
export enum WsOpcode {
  Continuation = 0x0,
  Text = 0x1,
  Binary = 0x2,
  Close = 0x8,
  Ping = 0x9,
  Pong = 0xa,
}

/** Largest control-frame payload (RFC 6455 5.5). */
export const WS_MAX_CONTROL_PAYLOAD = 125;
/** Largest frame header: 2 + 8 (64-bit length) + 4 (masking key). */
export const WS_MAX_FRAME_HEADER_SIZE = 14;

const FIN = 0x80;
const RSV = 0x70;
const OPCODE = 0x0f;
const MASK = 0x80;
const LEN7 = 0x7f;
const LEN16 = 126;
const LEN64 = 127;
const TWO32 = 0x100000000;
const EMPTY = new Uint8Array(0);

function isControl(op: number): boolean {
  return op >= 0x8;
}

function isKnownOpcode(op: number): op is WsOpcode {
  return op <= WsOpcode.Binary || (op >= WsOpcode.Close && op <= WsOpcode.Pong);
}

/** Bytes of a frame header for a payload of `payloadLength` bytes: 2, 4 or 10, plus 4 when masked. */
export function webSocketFrameHeaderSize(payloadLength: number, masked = false): number {
  return (payloadLength < LEN16 ? 2 : payloadLength <= 0xffff ? 4 : 10) + (masked ? 4 : 0);
}

/** Options of the frame-header packers. */
export interface WebSocketFrameHeaderOptions {
  /** FIN bit: the last frame of a message. Default true. */
  fin?: boolean;
  /** Masking key (4 bytes): the MASK bit is set and the key written (client -> server frames). */
  maskKey?: Uint8Array;
}

/**
 * Writes a frame header into `out` at `offset` and returns its size (RFC 6455 5.2):
 * ```
 *  0               1               2               3
 *  F R R R opcode  M payload len   extended payload length (16 or 64 bits, network order)
 *  I S S S  (4)    A     (7)       ... masking key (4 bytes, when MASK)
 *  N V V V         S
 * ```
 * The length takes its minimal form: 7 bits up to 125, 16 bits up to 65535, else 64 bits. A server
 * sends unmasked frames, so a shared, pre-packed payload goes out as `[header, payload]` uncopied.
 */
export function packWebSocketFrameHeaderInto(
  out: Uint8Array,
  offset: number,
  opcode: WsOpcode,
  payloadLength: number,
  opts: WebSocketFrameHeaderOptions = {},
): number {
  if (!Number.isSafeInteger(payloadLength) || payloadLength < 0) {
    throw new InvalidArgError(
      `httpflv: websocket payload length ${payloadLength} is not a safe integer >= 0`,
    );
  }
  if (isControl(opcode) && payloadLength > WS_MAX_CONTROL_PAYLOAD) {
    throw new InvalidArgError(`httpflv: websocket control payload of ${payloadLength} bytes exceeds 125`);
  }
  const mask = opts.maskKey;
  if (mask !== undefined && mask.length !== 4)
    throw new InvalidArgError('httpflv: websocket masking key must be 4 bytes');
  const size = webSocketFrameHeaderSize(payloadLength, mask !== undefined);
  if (offset < 0 || out.length - offset < size) {
    throw new InvalidArgError(`httpflv: output too small for a ${size}-byte websocket frame header`);
  }
  out[offset] = ((opts.fin ?? true) ? FIN : 0) | opcode;
  const m = mask !== undefined ? MASK : 0;
  let p = offset + 2;
  if (payloadLength < LEN16) {
    out[offset + 1] = m | payloadLength;
  } else if (payloadLength <= 0xffff) {
    out[offset + 1] = m | LEN16;
    out[p++] = payloadLength >>> 8;
    out[p++] = payloadLength & 0xff;
  } else {
    out[offset + 1] = m | LEN64;
    const hi = Math.floor(payloadLength / TWO32);
    const lo = payloadLength % TWO32;
    for (let k = 3; k >= 0; k--) out[p++] = Math.floor(hi / 256 ** k) % 256;
    for (let k = 3; k >= 0; k--) out[p++] = Math.floor(lo / 256 ** k) % 256;
  }
  if (mask !== undefined) out.set(mask, p);
  return size;
}

/** A frame header in a new Buffer (2..14 bytes) the caller owns. */
export function packWebSocketFrameHeader(
  opcode: WsOpcode,
  payloadLength: number,
  opts: WebSocketFrameHeaderOptions = {},
): Buffer {
  const out = Buffer.allocUnsafe(webSocketFrameHeaderSize(payloadLength, opts.maskKey !== undefined));
  packWebSocketFrameHeaderInto(out, 0, opcode, payloadLength, opts);
  return out;
}

/**
 * A whole frame (header + payload) in one new Buffer. With `maskKey` the payload is masked
 * (RFC 6455 5.3: byte i XOR key[i mod 4]) in the copy; `payload` itself is never written.
 */
export function packWebSocketFrame(
  opcode: WsOpcode,
  payload: Uint8Array,
  opts: WebSocketFrameHeaderOptions = {},
): Buffer {
  const mask = opts.maskKey;
  const h = webSocketFrameHeaderSize(payload.length, mask !== undefined);
  const out = Buffer.allocUnsafe(h + payload.length);
  packWebSocketFrameHeaderInto(out, 0, opcode, payload.length, opts);
  out.set(payload, h);
  if (mask !== undefined) applyMask(out, h, out.length, mask, 0);
  return out;
}

/** XORs out[from, to) with the key, starting at key phase `phase` (0..3). In place. */
export function applyMask(out: Uint8Array, from: number, to: number, key: Uint8Array, phase: number): void {
  const k0 = key[0] as number;
  const k1 = key[1] as number;
  const k2 = key[2] as number;
  const k3 = key[3] as number;
  for (let i = from, j = phase; i < to; i++, j = (j + 1) & 3) {
    out[i] = (out[i] as number) ^ (j === 0 ? k0 : j === 1 ? k1 : j === 2 ? k2 : k3);
  }
}

/** True for the close codes RFC 6455 7.4 lets an endpoint put on the wire. */
export function isValidCloseCode(code: number): boolean {
  return (code >= 1000 && code <= 1003) || (code >= 1007 && code <= 1014) || (code >= 3000 && code <= 4999);
}

/**
 * A close payload (RFC 6455 5.5.1): the code in 2 bytes, then the UTF-8 reason, cut so the payload
 * fits 125 bytes. Code 1005 (no status) gives an empty payload. A new Buffer.
 */
export function packWebSocketClosePayload(code: number = WsCloseCode.Normal, reason = ''): Buffer {
  if (code === WsCloseCode.NoStatus) return Buffer.alloc(0);
  if (!isValidCloseCode(code))
    throw new InvalidArgError(`httpflv: websocket close code ${code} cannot be sent`);
  let r = Buffer.from(reason, 'utf8');
  if (r.length > WS_MAX_CONTROL_PAYLOAD - 2) {
    // Cut at a character boundary.
    let n = WS_MAX_CONTROL_PAYLOAD - 2;
    while (n > 0 && ((r[n] as number) & 0xc0) === 0x80) n--;
    r = r.subarray(0, n);
  }
  const out = Buffer.allocUnsafe(2 + r.length);
  out.writeUInt16BE(code, 0);
  out.set(r, 2);
  return out;
}

const utf8 = new TextDecoder('utf-8', { fatal: true });

/**
 * Parses a received close payload: empty -> 1005 (no status); else a code RFC 6455 allows on the wire
 * and a valid UTF-8 reason. WebSocketProtocolError (1002, or 1007 for bad UTF-8) otherwise.
 */
export function parseWebSocketClosePayload(payload: Uint8Array): { code: number; reason: string } {
  if (payload.length === 0) return { code: WsCloseCode.NoStatus, reason: '' };
  if (payload.length === 1) throw new WebSocketProtocolError('close frame with a 1-byte payload');
  const code = ((payload[0] as number) << 8) | (payload[1] as number);
  if (!isValidCloseCode(code)) throw new WebSocketProtocolError(`close frame with the invalid code ${code}`);
  let reason: string;
  try {
    reason = utf8.decode(payload.subarray(2));
  } catch {
    throw new WebSocketProtocolError('close reason is not valid UTF-8', WsCloseCode.InvalidPayload);
  }
  return { code, reason };
}

/** Where the parser hands frames. */
export interface WebSocketFrameHandler {
  /**
   * A piece of a text or binary message's payload, in order (a message may come in many pieces:
   * fragments, and frames split across fed chunks). `messageEnd` marks the last piece (an empty piece
   * when the final frame is empty). `data` is unmasked. Ownership: for unmasked frames a view of the
   * fed chunk (shared, read-only, may be retained); for masked frames a new copy the callee owns.
   * Not called when the parser's `deliverData` is false.
   */
  onData(binary: boolean, data: Uint8Array, messageEnd: boolean): void;
  /** A whole control frame (close, ping, pong); `payload` is unmasked, at most 125 bytes, a copy. */
  onControl(opcode: WsOpcode.Close | WsOpcode.Ping | WsOpcode.Pong, payload: Uint8Array): void;
}

/** Options of WebSocketFrameParser. */
export interface WebSocketFrameParserOptions {
  /**
   * Whose frames are parsed. 'server' reads client frames, which MUST be masked (RFC 6455 5.1);
   * 'client' reads server frames, which MUST NOT be. The other form is a protocol error (1002).
   */
  role: 'server' | 'client';
  /**
   * Largest data message (all fragments), bytes; a frame whose length would pass it fails with a
   * WebSocketLimitError (close 1009) as soon as its header is read, before its payload. 0 = no limit
   * (the payload is streamed out, never buffered). Default 0.
   */
  maxMessageSize?: number;
  /**
   * Hand data payloads to `onData` (unmasking them, checking text is UTF-8). False: data frames are
   * checked and counted but their payloads skipped unread. Default true.
   */
  deliverData?: boolean;
}

type Phase = 'header' | 'payload';

/**
 * Sans-IO RFC 6455 frame parser: bytes in (any split), frames out through a handler, with no
 * extensions negotiated. Never buffers more than a 14-byte header and a 125-byte control payload:
 * data payloads stream out as they arrive.
 *
 * Enforced (WebSocketProtocolError, close 1002 unless noted): RSV bits 0; known opcodes; control frames
 * unfragmented with at most 125 bytes; masking as the role requires; a 64-bit length with its top bit
 * clear; continuation frames only inside a fragmented message and no new data message inside one;
 * text messages valid UTF-8 (1007, when delivered); the message size limit (WebSocketLimitError, 1009).
 * Errors are sticky: once thrown, every later feed throws the same error.
 */
export class WebSocketFrameParser {
  private readonly handler: WebSocketFrameHandler;
  private readonly server: boolean;
  private readonly maxMessageSize: number;
  private readonly deliver: boolean;
  private readonly hdr = Buffer.alloc(WS_MAX_FRAME_HEADER_SIZE);
  private hdrLen = 0;
  private hdrNeed = 2;
  private phase: Phase = 'header';
  private opcode = 0;
  private fin = false;
  private masked = false;
  private readonly maskKey = new Uint8Array(4);
  private maskPhase = 0;
  private remaining = 0;
  private readonly ctrl = Buffer.alloc(WS_MAX_CONTROL_PAYLOAD);
  private ctrlLen = 0;
  /** The opcode of the data message in progress (Text/Binary), or 0 when none. */
  private msgOpcode = 0;
  private msgSize = 0;
  private textDecoder: TextDecoder | undefined;
  private failed: LalError | undefined;
  private frames = 0;

  constructor(handler: WebSocketFrameHandler, opts: WebSocketFrameParserOptions) {
    this.handler = handler;
    this.server = opts.role === 'server';
    this.maxMessageSize = opts.maxMessageSize ?? 0;
    this.deliver = opts.deliverData ?? true;
  }

  /** Frames completely read so far. */
  get frameCount(): number {
    return this.frames;
  }

  /**
   * Parses the next bytes; a view of an unmasked chunk may be handed to onData (do not mutate the
   * chunk afterwards). Throws the LalError that stops the stream; a handler's throw propagates as is.
   */
  feed(chunk: Uint8Array): void {
    if (this.failed) throw this.failed;
    try {
      this.scan(chunk);
    } catch (e) {
      if (e instanceof LalError) this.failed = e;
      throw e;
    }
  }

  private scan(chunk: Uint8Array): void {
    let p = 0;
    const n = chunk.length;
    while (p < n) {
      if (this.phase === 'header') {
        const take = Math.min(this.hdrNeed - this.hdrLen, n - p);
        this.hdr.set(chunk.subarray(p, p + take), this.hdrLen);
        this.hdrLen += take;
        p += take;
        if (this.hdrLen < this.hdrNeed) return;
        if (this.hdrNeed === 2) {
          this.hdrNeed = this.checkFirstTwo();
          if (this.hdrLen < this.hdrNeed) continue;
        }
        this.headerDone();
        continue;
      }
      const take = Math.min(this.remaining, n - p);
      this.payload(chunk, p, p + take);
      p += take;
    }
  }

  /** Checks bytes 0-1 and returns the full header size. */
  private checkFirstTwo(): number {
    const b0 = this.hdr[0] as number;
    const b1 = this.hdr[1] as number;
    if ((b0 & RSV) !== 0)
      throw new WebSocketProtocolError('frame with RSV bits set (no extension was negotiated)');
    const op = b0 & OPCODE;
    if (!isKnownOpcode(op))
      throw new WebSocketProtocolError(`frame with the reserved opcode 0x${op.toString(16)}`);
    const fin = (b0 & FIN) !== 0;
    const len7 = b1 & LEN7;
    if (isControl(op)) {
      if (!fin) throw new WebSocketProtocolError('fragmented control frame');
      if (len7 > WS_MAX_CONTROL_PAYLOAD)
        throw new WebSocketProtocolError(`control frame with a ${len7}-byte length`);
    } else if (op === WsOpcode.Continuation) {
      if (this.msgOpcode === 0)
        throw new WebSocketProtocolError('continuation frame outside a fragmented message');
    } else if (this.msgOpcode !== 0) {
      throw new WebSocketProtocolError('new data frame inside a fragmented message');
    }
    const masked = (b1 & MASK) !== 0;
    if (masked !== this.server) {
      throw new WebSocketProtocolError(
        this.server ? 'unmasked frame from a client' : 'masked frame from a server',
      );
    }
    return 2 + (len7 === LEN16 ? 2 : len7 === LEN64 ? 8 : 0) + (masked ? 4 : 0);
  }

  private headerDone(): void {
    const h = this.hdr;
    const b0 = h[0] as number;
    const b1 = h[1] as number;
    const op = b0 & OPCODE;
    const len7 = b1 & LEN7;
    let len: number;
    let p = 2;
    if (len7 === LEN16) {
      len = h.readUInt16BE(2);
      p = 4;
    } else if (len7 === LEN64) {
      const hi = h.readUInt32BE(2);
      if (hi >= 0x80000000)
        throw new WebSocketProtocolError('frame length with the most significant bit set');
      // Above 2^53 a length is not exact; no limit would allow it anyway.
      len = hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * TWO32 + h.readUInt32BE(6);
      p = 10;
    } else {
      len = len7;
    }
    this.masked = (b1 & MASK) !== 0;
    if (this.masked) this.maskKey.set(h.subarray(p, p + 4));
    this.maskPhase = 0;
    this.opcode = op;
    this.fin = (b0 & FIN) !== 0;
    this.remaining = len;
    this.hdrLen = 0;
    this.hdrNeed = 2;
    if (!isControl(op)) {
      if (op !== WsOpcode.Continuation) {
        this.msgOpcode = op;
        this.msgSize = 0;
        this.textDecoder = undefined;
      }
      const total = this.msgSize + len;
      if (this.maxMessageSize > 0 && total > this.maxMessageSize) {
        throw new WebSocketLimitError('message size', total, this.maxMessageSize);
      }
      this.msgSize = total;
    } else {
      this.ctrlLen = 0;
    }
    this.phase = 'payload';
    if (len === 0) this.frameDone(EMPTY);
  }

  private payload(chunk: Uint8Array, from: number, to: number): void {
    this.remaining -= to - from;
    if (isControl(this.opcode)) {
      this.ctrl.set(chunk.subarray(from, to), this.ctrlLen);
      if (this.masked)
        applyMask(this.ctrl, this.ctrlLen, this.ctrlLen + (to - from), this.maskKey, this.maskPhase);
      this.maskPhase = (this.maskPhase + (to - from)) & 3;
      this.ctrlLen += to - from;
      if (this.remaining === 0) this.frameDone(EMPTY);
      return;
    }
    let piece: Uint8Array = EMPTY;
    if (this.deliver) {
      if (this.masked) {
        const copy = Buffer.allocUnsafe(to - from);
        copy.set(chunk.subarray(from, to));
        applyMask(copy, 0, copy.length, this.maskKey, this.maskPhase);
        piece = copy;
      } else {
        piece = chunk.subarray(from, to);
      }
    }
    this.maskPhase = (this.maskPhase + (to - from)) & 3;
    if (this.remaining === 0) {
      this.frameDone(piece);
    } else if (this.deliver) {
      this.emitData(piece, false);
    }
  }

  /** The current frame's payload is complete; `last` is its final data piece (maybe empty). */
  private frameDone(last: Uint8Array): void {
    this.phase = 'header';
    this.frames++;
    const op = this.opcode;
    if (isControl(op)) {
      const payload = Buffer.from(this.ctrl.subarray(0, this.ctrlLen));
      this.handler.onControl(op as WsOpcode.Close | WsOpcode.Ping | WsOpcode.Pong, payload);
      return;
    }
    const end = this.fin;
    if (this.deliver && (last.length > 0 || end)) this.emitData(last, end);
    if (end) {
      this.msgOpcode = 0;
      this.msgSize = 0;
      this.textDecoder = undefined;
    }
  }

  private emitData(piece: Uint8Array, end: boolean): void {
    const binary = this.msgOpcode === WsOpcode.Binary;
    if (!binary) {
      this.textDecoder ??= new TextDecoder('utf-8', { fatal: true });
      try {
        this.textDecoder.decode(piece, { stream: !end });
      } catch {
        throw new WebSocketProtocolError('text message is not valid UTF-8', WsCloseCode.InvalidPayload);
      }
    }
    this.handler.onData(binary, piece, end);
  }
}
