import { type AmfObject, ecmaArray, encodeAmf0, isEcmaArray } from '../../format/amf/index.js';
import { RtmpMsgType } from './message-types.js';

/*
 * RTMP data messages (Adobe "RTMP Specification 1.0" 7.1.2): type 18 = AMF0 values, type 15 = a
 * format selector byte 0 then the same values. Metadata travels as
 *
 *   publisher -> server:   '@setDataFrame' | 'onMetaData' | ECMA array     (ffmpeg, OBS, FMLE)
 *   server -> player, FLV:  'onMetaData' | ECMA array                       (an FLV script tag body)
 *
 * `@setDataFrame` asks the server to keep the frame and hand it to players; players (ffmpeg's flv
 * demuxer, flv.js) only recognise the bare `onMetaData` form. The helpers below work on the
 * bytes, so relaying costs no AMF decode/encode.
 */

/** The AMF0 string '@setDataFrame': marker 0x02, length 13, the characters (16 bytes). */
const SET_DATA_FRAME_AMF0 = Buffer.from('02000d40736574446174614672616d65', 'hex');
/** The AMF0 string 'onMetaData' (13 bytes). */
const ON_METADATA_AMF0 = Buffer.from('02000a6f6e4d65746144617461', 'hex');

export const SET_DATA_FRAME = '@setDataFrame';
export const ON_METADATA = 'onMetaData';
export const RTMP_SAMPLE_ACCESS = '|RtmpSampleAccess';

function startsWith(b: Uint8Array, prefix: Uint8Array, at = 0): boolean {
  if (b.length < at + prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (b[at + i] !== prefix[i]) return false;
  return true;
}

/**
 * The name (first AMF0 value, when it is a short string) of a type 18 data message body, without
 * decoding the rest; undefined when the body does not start with an AMF0 string.
 */
export function dataMessageName(payload: Uint8Array): string | undefined {
  if (payload.length < 3 || payload[0] !== 0x02) return undefined;
  const n = ((payload[1] as number) << 8) | (payload[2] as number);
  if (payload.length < 3 + n) return undefined;
  return Buffer.from(payload.buffer, payload.byteOffset + 3, n).toString('utf8');
}

/** True when a type 18 body starts with '@setDataFrame'. */
export function hasSetDataFrame(payload: Uint8Array): boolean {
  return startsWith(payload, SET_DATA_FRAME_AMF0);
}

/**
 * True when a type 18 body is metadata: `onMetaData ...` or `@setDataFrame onMetaData ...`.
 */
export function isMetadata(payload: Uint8Array): boolean {
  return (
    startsWith(payload, ON_METADATA_AMF0) ||
    (hasSetDataFrame(payload) && startsWith(payload, ON_METADATA_AMF0, SET_DATA_FRAME_AMF0.length))
  );
}

/**
 * The body without a leading '@setDataFrame' (for relaying metadata to players and writing FLV
 * script tags): a view into `payload` (shared, read-only) when it had one, else `payload` itself.
 */
export function stripSetDataFrame(payload: Uint8Array): Uint8Array {
  return hasSetDataFrame(payload) ? payload.subarray(SET_DATA_FRAME_AMF0.length) : payload;
}

/**
 * The body with a leading '@setDataFrame' (what a publisher sends): `payload` itself when it
 * already has one, else a new Buffer (caller owns).
 */
export function addSetDataFrame(payload: Uint8Array): Uint8Array {
  if (hasSetDataFrame(payload)) return payload;
  return Buffer.concat([SET_DATA_FRAME_AMF0, payload]);
}

/**
 * A metadata body: `[@setDataFrame] onMetaData <ECMA array>`. `metadata` is written as an ECMA
 * array (build it with ecmaArray or pass a plain AmfObject). New Buffer, caller owns.
 */
export function packMetadata(metadata: AmfObject, withSetDataFrame = true): Buffer {
  const body = encodeAmf0([ON_METADATA, isEcmaArray(metadata) ? metadata : ecmaArray(metadata)]);
  return withSetDataFrame ? Buffer.concat([SET_DATA_FRAME_AMF0, body]) : body;
}

/**
 * `|RtmpSampleAccess` data message body (audio, video booleans), sent to players after
 * NetStream.Play.Start; it allows a Flash player's BitmapData.draw / SoundMixer.computeSpectrum on
 * the stream. nginx-rtmp sends true/true. New Buffer, caller owns.
 */
export function rtmpSampleAccess(audio = true, video = true): Buffer {
  return encodeAmf0([RTMP_SAMPLE_ACCESS, audio, video]);
}

/**
 * A type 15 (AMF3 data) body as a type 18 body: the format selector byte dropped (Enhanced RTMP
 * v2: only selector 0, AMF0 values, is defined). A view (shared). Returns undefined for another
 * selector or an empty body.
 */
export function amf3DataToAmf0(payload: Uint8Array): Uint8Array | undefined {
  if (payload.length < 1 || payload[0] !== 0) return undefined;
  return payload.subarray(1);
}

/** The message type ids of data messages. */
export function isDataMessageType(typeId: number): boolean {
  return typeId === RtmpMsgType.DataAmf0 || typeId === RtmpMsgType.DataAmf3;
}
