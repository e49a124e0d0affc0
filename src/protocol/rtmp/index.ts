export { type AggregateSubMessage, packAggregate, splitAggregate } from './aggregate.js';
export { ChunkReader, type ChunkReaderHandler, type ChunkReaderOptions } from './chunk-reader.js';
export { packMessage } from './chunk-writer.js';
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
