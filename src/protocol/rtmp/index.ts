export { type AggregateSubMessage, packAggregate, splitAggregate } from './aggregate.js';
export { ChunkReader, type ChunkReaderHandler, type ChunkReaderOptions } from './chunk-reader.js';
export { packMessage } from './chunk-writer.js';
export { RtmpClientAdapter, type RtmpClientSocketOptions } from './client-adapter.js';
export {
  RtmpClientCore,
  type RtmpClientEvents,
  type RtmpClientOptions,
  type RtmpClientState,
  RtmpPullCore,
  type RtmpPullOptions,
  RtmpPushCore,
  type RtmpPushOptions,
  type RtmpStatus,
} from './client-session.js';
export {
  type ConnectCommandFields,
  type ConnectResultOptions,
  closeStreamCommand,
  connectCommand,
  connectRejected,
  connectResult,
  createStreamCommand,
  createStreamResult,
  DEFAULT_MAX_AMF_DEPTH,
  decodeMessageValues,
  deleteStreamCommand,
  emptyResult,
  errorResult,
  getStreamLengthResult,
  NetStatusCode,
  type NetStatusInfo,
  type NetStatusLevel,
  onBWDone,
  onFCPublish,
  onFCUnpublish,
  onStatus,
  type PublishType,
  packCommand,
  parseCommand,
  playCommand,
  publishCommand,
  type RtmpCommand,
  readStatusInfo,
  receiveCommand,
  statusInfo,
  streamNameCommand,
} from './command.js';
export {
  type ControlMessage,
  isControlMessageType,
  PeerBandwidthLimitType,
  packControlMessage,
  packControlPayload,
  parseControlMessage,
  type UserControlEvent,
  UserControlEventType,
} from './control-message.js';
export {
  addSetDataFrame,
  amf3DataToAmf0,
  dataMessageName,
  hasSetDataFrame,
  isDataMessageType,
  isMetadata,
  ON_METADATA,
  packMetadata,
  RTMP_SAMPLE_ACCESS,
  rtmpSampleAccess,
  SET_DATA_FRAME,
  stripSetDataFrame,
} from './data-message.js';
export { RtmpClosedError, RtmpStatusError, RtmpTimeoutError } from './errors.js';
export {
  HANDSHAKE_PACKET_SIZE,
  HandshakeClient,
  type HandshakeClientOptions,
  type HandshakeHandler,
  type HandshakeInfo,
  type HandshakeOptions,
  type HandshakeSchema,
  HandshakeServer,
  HandshakeState,
  RTMP_VERSION,
} from './handshake.js';
export {
  csidForMessageType,
  DEFAULT_CHUNK_SIZE,
  EXTENDED_TIMESTAMP_MARKER,
  MAX_CHUNK_SIZE,
  MAX_CSID,
  MAX_MESSAGE_LENGTH,
  MIN_CSID,
  RtmpCsid,
  type RtmpMessage,
  RtmpMsgType,
} from './message-types.js';
export { RtmpPullSession, type RtmpPullSessionOptions } from './pull-session.js';
export { RtmpPushSession, type RtmpPushSessionOptions } from './push-session.js';
export { RtmpServer, type RtmpServerOptions } from './server.js';
export {
  type RtmpPubSession,
  type RtmpServerObserver,
  type RtmpServerRole,
  RtmpServerSession,
  type RtmpServerSessionInfo,
  type RtmpServerSessionOptions,
  type RtmpStopCause,
  type RtmpSubSession,
} from './server-session.js';
export type { RtmpCloseKind, RtmpCloseReason, RtmpMediaMessage, RtmpSessionIo } from './session-types.js';
export { connectSocket, DEFAULT_CLOSE_GRACE_MS, type RtmpConnectOptions, SocketIo } from './socket-io.js';
export {
  parseQuery,
  parseRtmpUrl,
  RTMP_DEFAULT_PORT,
  RTMPS_DEFAULT_PORT,
  type RtmpUrl,
  splitNameQuery,
} from './url.js';
