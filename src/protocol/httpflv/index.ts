/**
 * HTTP-FLV and WebSocket-FLV: the server side (a player asks for `/app/stream.flv`; HttpFlvServer
 * hands an HttpFlvSubSession to the business layer's observer) and the pull client
 * (HttpFlvPullSession, for httpflvpull and load tests). Sans-IO cores (request/response head parsers,
 * path parser, response packers, WebSocket handshake/frames/connection, chunked decoder, pull core)
 * and two node:net/node:tls adapters. No runtime dependencies.
 *
 * Wire forms served (as lal, and as flv.js / mpegts.js expect):
 * - HTTP-FLV: `HTTP/1.1 200`, `Content-Type: video/x-flv`, `Connection: close`, no Content-Length and
 *   no chunked coding (the body runs until the server closes), CORS `*`, `Cache-Control: no-cache`;
 *   the body is the 13-byte FLV header (with PreviousTagSize0) and then the tags.
 * - WebSocket-FLV: the RFC 6455 101 answer on the same path, one binary frame with the 13-byte FLV
 *   header, then ONE FLV TAG PER BINARY FRAME (unmasked, the shared tag Buffer written uncopied
 *   after its frame header).
 */
export { ChunkedDecoder, type ChunkedDecoderOptions } from './chunked-decoder.js';
export type { HttpFlvCloseKind, HttpFlvCloseReason } from './close-reason.js';
export {
  HttpFlvClosedError,
  HttpFlvRejectError,
  HttpFlvStatusError,
  HttpFlvTimeoutError,
  HttpMethodNotAllowedError,
  HttpVersionNotSupportedError,
  httpStatusOf,
  WebSocketLimitError,
  WebSocketProtocolError,
  WebSocketVersionError,
  WsCloseCode,
} from './errors.js';
export { HTTP_FLV_SUFFIX, type HttpFlvPath, parseHttpFlvPath, parseHttpQuery } from './http-flv-path.js';
export { HttpFlvServer, type HttpFlvServerObserver, type HttpFlvServerOptions } from './http-flv-server.js';
export {
  type HttpHeadParserOptions,
  type HttpHeadResult,
  type HttpRequestHead,
  HttpRequestHeadParser,
  type HttpRequestHeadParserOptions,
  type HttpResponseHead,
  HttpResponseHeadParser,
  headerHasToken,
  isHttpToken,
} from './http-head-parser.js';
export {
  FLV_CONTENT_TYPE,
  HTTP_FLV_ALLOWED_METHODS,
  HTTP_STATUS_TEXT,
  type HttpFlvResponseHeadOptions,
  type HttpHeaderList,
  type HttpStatusResponseOptions,
  packCorsPreflightResponse,
  packHttpFlvResponseHead,
  packHttpGetRequest,
  packHttpResponseHead,
  packHttpStatusResponse,
} from './http-response.js';
export {
  HttpFlvPullCore,
  type HttpFlvPullCoreEvents,
  type HttpFlvPullCoreOptions,
  type HttpFlvPullIo,
  type HttpFlvPullResult,
  type HttpFlvUrl,
  parseHttpFlvUrl,
} from './pull-core.js';
export {
  type HttpFlvPullEvents,
  type HttpFlvPullOptions,
  HttpFlvPullSession,
  type HttpFlvPullStart,
} from './pull-session.js';
export {
  type FlvHeaderFlags,
  type HttpFlvProtocol,
  type HttpFlvRequestInfo,
  HttpFlvSubSession,
} from './sub-session.js';
export {
  type WebSocketCloseInfo,
  WebSocketConnection,
  type WebSocketConnectionEvents,
  type WebSocketConnectionOptions,
  type WebSocketIo,
} from './websocket-connection.js';
export {
  applyMask,
  isValidCloseCode,
  packWebSocketClosePayload,
  packWebSocketFrame,
  packWebSocketFrameHeader,
  packWebSocketFrameHeaderInto,
  parseWebSocketClosePayload,
  type WebSocketFrameHandler,
  type WebSocketFrameHeaderOptions,
  WebSocketFrameParser,
  type WebSocketFrameParserOptions,
  WS_MAX_CONTROL_PAYLOAD,
  WS_MAX_FRAME_HEADER_SIZE,
  WsOpcode,
  webSocketFrameHeaderSize,
} from './websocket-frame.js';
export {
  checkWebSocketUpgradeResponse,
  isWebSocketUpgrade,
  makeWebSocketKey,
  packWebSocketUpgradeRequest,
  packWebSocketUpgradeResponse,
  parseWebSocketUpgrade,
  type WebSocketUpgrade,
  WS_GUID,
  WS_VERSION,
  webSocketAcceptKey,
} from './websocket-handshake.js';
