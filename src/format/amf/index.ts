/**
 * AMF for RTMP and FLV: AMF0 encode/decode of every type (Adobe "Action Message Format -- AMF 0")
 * and AMF3 decode/encode (Adobe "Action Message Format -- AMF 3"). Pure: no I/O, no globals.
 *
 * - Values: see amf-value.ts for the mapping of AMF types to JS values. Objects and ECMA arrays
 *   decode to null-prototype objects; an ECMA array carries a hidden marker (`isEcmaArray`) so it
 *   is written back as one; build one with `ecmaArray({...})`.
 * - Decoding untrusted input: limits in AmfDecodeOptions; every failure is a LalError whose
 *   message starts with `amf: ` (ShortBufferError, ProtocolError, UnsupportedError, LimitError).
 * - Reference tables (AMF0 objects, AMF3 strings/objects/traits) are scoped to one decode or
 *   encode call, i.e. one message; AmfDecoder keeps them across reads until reset().
 * - RTMP message types 15/16/17 (AMF3 data/shared object/command): decodeAmf3MessageBody and
 *   encodeAmf3MessageBody handle the leading format selector byte (Enhanced RTMP v2).
 */
export {
  AmfDecoder,
  decodeAmf0,
  decodeAmf0Value,
  decodeAmf3,
  decodeAmf3MessageBody,
  decodeAmf3Value,
} from './amf-decoder.js';
export type { AmfDecodeOptions, AmfEncodeOptions } from './amf-options.js';
export { DEFAULT_DECODE_OPTIONS, DEFAULT_ENCODE_OPTIONS } from './amf-options.js';
export type { AmfObject, AmfValue } from './amf-value.js';
export {
  AMF_UNSUPPORTED,
  Amf0Marker,
  Amf3Marker,
  AmfTypedObject,
  AmfUnsupported,
  AmfXml,
  AmfXmlDocument,
  amfObject,
  ecmaArray,
  isEcmaArray,
} from './amf-value.js';
export { Amf0Encoder, encodeAmf0, encodeAmf0Value, encodeAmf3MessageBody } from './amf0-encoder.js';
export { Amf3Encoder, encodeAmf3, encodeAmf3Value } from './amf3-encoder.js';
