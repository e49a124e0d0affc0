import {
  InvalidArgError,
  LalError,
  LimitError,
  ProtocolError,
  ShortBufferError,
  UnsupportedError,
} from '../../util/errors.js';
import {
  type AmfDecodeOptions,
  type AmfObject,
  type AmfValue,
  amfObject,
  decodeAmf0,
  ecmaArray,
  encodeAmf0,
  isEcmaArray,
} from '../amf/index.js';
import {
  hasSetDataFrame,
  isMetadataBody,
  SET_DATA_FRAME_PREFIX_LENGTH,
  setDataFramePrefix,
} from './classify.js';

/** The name RTMP publishers put in front of metadata to store it on the server. */
export const SET_DATA_FRAME = '@setDataFrame';
/** The name of the stream metadata handler. */
export const ON_META_DATA = 'onMetaData';

/** A script data tag: a handler name and its arguments. */
export interface ScriptData {
  name: string;
  /** The AMF0 values after the name (for onMetaData: one ECMA array or object). New, caller owns. */
  values: AmfValue[];
}

/** Options for the script data parsers: the AMF decoder's limits (depth, string length, item count). */
export interface ScriptParseOptions extends AmfDecodeOptions {}

/** Re-throws an AMF error as the same kind of error with a `flv: script data: ` prefix. */
function rethrow(e: unknown, what: string): never {
  if (!(e instanceof LalError)) throw e;
  const msg = `flv: ${what}: ${e.message}`;
  if (e instanceof ShortBufferError) {
    throw new ShortBufferError(msg.replace(/: need \d+ bytes, got \d+$/, ''), e.need, e.got);
  }
  if (e instanceof LimitError) {
    throw new LimitError(msg.replace(/: \d+ exceeds the limit of \d+$/, ''), e.requested, e.limit);
  }
  if (e instanceof UnsupportedError) throw new UnsupportedError(msg);
  throw new ProtocolError(msg, { cause: e });
}

function decodeAll(body: Uint8Array, what: string, opts?: ScriptParseOptions): AmfValue[] {
  try {
    return decodeAmf0(body, opts);
  } catch (e) {
    rethrow(e, what);
  }
}

/**
 * Parses a script data tag body.
 *
 * Adobe FLV spec v10.1, E.4.4.1 SCRIPTDATA: `Name SCRIPTDATAVALUE (type 2, string)` followed by
 * `Value SCRIPTDATAVALUE` (for onMetaData an ECMA array); the values are AMF0 (E.4.4.2). Further values
 * are kept (RTMP data messages may carry several). A body wrapped in "@setDataFrame" is returned as it
 * is (name "@setDataFrame", values ["onMetaData", {...}]); see stripSetDataFrame / parseOnMetaData.
 */
export function parseScriptTagBody(body: Uint8Array, opts?: ScriptParseOptions): ScriptData {
  const values = decodeAll(body, 'script data', opts);
  const name = values.shift();
  if (typeof name !== 'string') {
    throw new ProtocolError(`flv: script data does not start with a string name (got ${describe(name)})`);
  }
  return { name, values };
}

/** Packs a script data tag body: the name and the values as AMF0. New Buffer, caller owns. */
export function packScriptTagBody(data: ScriptData): Buffer {
  try {
    return encodeAmf0([data.name, ...data.values]);
  } catch (e) {
    if (e instanceof LalError && !(e instanceof InvalidArgError)) rethrow(e, 'script data');
    throw e;
  }
}

/**
 * The body without a leading "@setDataFrame" string: what an RTMP server stores and sends to players
 * (a view of `body`, no copy); `body` itself when it has no such prefix.
 */
export function stripSetDataFrame(body: Uint8Array): Uint8Array {
  return hasSetDataFrame(body) ? body.subarray(SET_DATA_FRAME_PREFIX_LENGTH) : body;
}

/**
 * The body with a leading "@setDataFrame" string, as an RTMP publisher sends metadata (new Buffer;
 * `body` is copied unchanged when it already has the prefix).
 */
export function addSetDataFrame(body: Uint8Array): Buffer {
  if (hasSetDataFrame(body)) return Buffer.from(body);
  const prefix = setDataFramePrefix();
  const out = Buffer.allocUnsafe(prefix.length + body.length);
  out.set(prefix, 0);
  out.set(body, prefix.length);
  return out;
}

/**
 * The metadata object of an `onMetaData` body, bare or wrapped in "@setDataFrame" (an ECMA array or an
 * object, as decoded: null-prototype), or undefined when the body is other script data. Throws a
 * ProtocolError when onMetaData carries no object, or an AMF decoding error.
 */
export function parseOnMetaData(body: Uint8Array, opts?: ScriptParseOptions): AmfObject | undefined {
  if (!isMetadataBody(body)) return undefined;
  const values = decodeAll(stripSetDataFrame(body), 'onMetaData', opts);
  const v = values[1];
  if (!isPlainAmfObject(v)) throw new ProtocolError(`flv: onMetaData carries ${describe(v)}, not an object`);
  return v;
}

/** Options for packOnMetaData. */
export interface PackOnMetaDataOptions {
  /** Prefix "@setDataFrame" (what an RTMP publisher sends). Default false (what an FLV file holds). */
  setDataFrame?: boolean;
  /** Write the object as an ECMA array (what ffmpeg and Flash write) rather than an object. Default true. */
  ecmaArray?: boolean;
}

/**
 * Builds an `onMetaData` script body from a plain object (e.g. `{ duration: 0, width: 1280, ... }`).
 * Key order is kept. New Buffer, caller owns.
 */
export function packOnMetaData(meta: Record<string, AmfValue>, opts: PackOnMetaDataOptions = {}): Buffer {
  const value = (opts.ecmaArray ?? true) ? ecmaArray(meta) : amfObject(meta);
  const names = opts.setDataFrame ? [SET_DATA_FRAME, ON_META_DATA] : [ON_META_DATA];
  return packScriptTagBody({ name: names[0] as string, values: [...names.slice(1), value] });
}

/**
 * Decodes the body of an E-RTMP video Metadata packet (VideoPacketType.Metadata): AMF0 [name, value]
 * pairs, e.g. ["colorInfo", {...}] (Enhanced RTMP v2, "Metadata Frame"). A name that is not a string,
 * or an odd number of values, is a ProtocolError.
 */
export function parseVideoMetadata(data: Uint8Array, opts?: ScriptParseOptions): Array<[string, AmfValue]> {
  const values = decodeAll(data, 'video metadata', opts);
  if (values.length % 2 !== 0) throw new ProtocolError('flv: video metadata has a name without a value');
  const out: Array<[string, AmfValue]> = [];
  for (let i = 0; i < values.length; i += 2) {
    const name = values[i];
    if (typeof name !== 'string') throw new ProtocolError(`flv: video metadata name is ${describe(name)}`);
    out.push([name, values[i + 1]]);
  }
  return out;
}

/** Packs E-RTMP video metadata pairs (the inverse of parseVideoMetadata). New Buffer, caller owns. */
export function packVideoMetadata(pairs: ReadonlyArray<readonly [string, AmfValue]>): Buffer {
  return encodeAmf0(pairs.flat());
}

function isPlainAmfObject(v: AmfValue): v is AmfObject {
  if (typeof v !== 'object' || v === null) return false;
  if (isEcmaArray(v)) return true;
  return Object.getPrototypeOf(v) === null;
}

function describe(v: AmfValue): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'an array';
  return typeof v === 'object' ? `an object (${v.constructor?.name ?? 'plain'})` : typeof v;
}
