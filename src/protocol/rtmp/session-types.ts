/** Types shared by the server and client sessions and their adapters. */

/**
 * A media message handed up by a publishing session, or written to a playing one: the RTMP
 * message type, its absolute timestamp and its payload (an FLV tag body).
 */
export interface RtmpMediaMessage {
  /**
   * RtmpMsgType.Audio (8), Video (9) or DataAmf0 (18). AMF3 data messages (15) are handed up as
   * 18 (format selector byte dropped); aggregates (22) are split into their sub-messages.
   */
  typeId: number;
  /** Absolute timestamp in ms (u32, wraps). */
  timestampMs: number;
  /**
   * The FLV tag body. From a session: shared and read-only, may be retained (it is a view into a
   * received socket chunk or a buffer assembled for this message; the session never writes to it).
   * Data messages keep what the publisher sent, `@setDataFrame` included (see stripSetDataFrame).
   */
  payload: Uint8Array;
}

/** Why a session closed. */
export type RtmpCloseKind =
  /** The peer closed the connection (FIN, reset). */
  | 'peer'
  /** close() was called (server shutdown, kicked by the business layer, clean client close). */
  | 'local'
  /** The peer sent bytes this library could not accept (bad handshake, chunk, AMF, command). */
  | 'error'
  /** A timer ran out: handshake, idle (no bytes from the peer), client start. */
  | 'timeout'
  /** The observer (or the remote server, on the client side) rejected connect/publish/play. */
  | 'rejected'
  /** An observer callback or user listener threw. */
  | 'observer-error';

/** The reason given to onClose. */
export interface RtmpCloseReason {
  kind: RtmpCloseKind;
  /** For people (and logs). */
  message: string;
  /** The error behind it, if any (a LalError for input faults). */
  error?: unknown;
}

/** Where the session's bytes go; the adapter implements it over a socket (SocketIo), a test over memory. */
export interface RtmpSessionIo {
  /**
   * Bytes to write to the peer, in order. Shared and read-only: the caller must not mutate them
   * (they may be the same Buffer written to other sessions). The adapter batches writes.
   */
  send(bytes: Uint8Array): void;
  /**
   * Several buffers to write in order, in one syscall when possible (same ownership rules as send).
   * Default: send() for each.
   */
  sendBatch?(list: readonly Uint8Array[]): void;
  /**
   * Close the transport once the bytes sent so far are flushed (the adapter bounds the wait). Called
   * once; send is not called afterwards.
   */
  close(): void;
  /** Bytes accepted by send() and not yet written to the network. Default 0. */
  bufferedBytes?(): number;
}
