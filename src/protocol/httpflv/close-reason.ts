/** Why a session (a player on the server, or a pull client) closed. */
export type HttpFlvCloseKind =
  /** The peer closed the connection (FIN, reset, a WebSocket close frame) or ended the stream. */
  | 'peer'
  /** close() was called (kicked by the business layer, slow player, server shutdown, the pull client's user). */
  | 'local'
  /** The peer sent what this library cannot accept (bad HTTP, WebSocket frame or FLV). */
  | 'error'
  /** A timer ran out. */
  | 'timeout'
  /** The observer rejected the player (onNewHttpFlvSub returned an Error), or the server answered an error status to the pull client. */
  | 'rejected'
  /** An observer callback or a user listener threw. */
  | 'observer-error';

/** The reason given to onClose. */
export interface HttpFlvCloseReason {
  kind: HttpFlvCloseKind;
  /** For people (and logs). */
  message: string;
  /** The error behind it, if any. */
  error?: unknown;
}
