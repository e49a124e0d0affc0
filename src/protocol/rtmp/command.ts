import {
  type AmfDecodeOptions,
  type AmfObject,
  type AmfValue,
  amfObject,
  decodeAmf0,
  decodeAmf3MessageBody,
  encodeAmf0,
} from '../../format/amf/index.js';
import { InvalidArgError, ProtocolError } from '../../util/errors.js';
import { RtmpMsgType } from './message-types.js';

/*
 * RTMP command messages (Adobe "RTMP Specification 1.0" 7.1.1 and 7.2):
 *
 *   body (type 20, AMF0)  = command name (string) | transaction id (number) | command object
 *                           (object or null) | optional arguments (any AMF0 values)
 *   body (type 17, AMF3)  = format selector 0 | the same AMF0 values (AMF3 values switched in
 *                           with the AVM+ marker 0x11), see decodeAmf3MessageBody
 *
 * Replies are `_result` / `_error` with the request's transaction id, or `onStatus` (transaction
 * id 0, null command object, an info object with level/code/description) on the message stream the
 * request came on (spec 7.2.2). The replies below are what nginx-rtmp, SRS and lal send; this
 * library always answers in AMF0 (type 20), as they do, whatever the client's objectEncoding.
 */

/** A parsed command message. Values are new (decoded), owned by the caller. */
export interface RtmpCommand {
  /** `connect`, `createStream`, `publish`, `_result`, `onStatus`, ... */
  name: string;
  /** Transaction id (0 when the sender expects no reply). */
  transactionId: number;
  /** The command object, or null when the sender wrote null / undefined. */
  commandObject: AmfObject | null;
  /** The values after the command object (possibly none). */
  args: AmfValue[];
}

/** Default AMF nesting limit for command and data messages (they are a few levels deep). */
export const DEFAULT_MAX_AMF_DEPTH = 32;

function isPlainObject(v: AmfValue): v is AmfObject {
  return (
    typeof v === 'object' &&
    v !== null &&
    !Array.isArray(v) &&
    !(v instanceof Date) &&
    !(v instanceof Uint8Array) &&
    Object.getPrototypeOf(v) === null
  );
}

/** Decodes the AMF values of a command (20/17) or data (18/15) message body. */
export function decodeMessageValues(
  typeId: number,
  payload: Uint8Array,
  opts?: AmfDecodeOptions,
): AmfValue[] {
  switch (typeId) {
    case RtmpMsgType.CommandAmf0:
    case RtmpMsgType.DataAmf0:
      return decodeAmf0(payload, opts);
    case RtmpMsgType.CommandAmf3:
    case RtmpMsgType.DataAmf3:
      return decodeAmf3MessageBody(payload, opts);
    default:
      throw new InvalidArgError(`rtmp: message type ${typeId} is not a command or data message`);
  }
}

/**
 * Parses a command message body (type 20, or 17 with its format selector byte). Throws the AMF
 * decoder's errors for bad AMF and a ProtocolError when the name is not a string, the transaction
 * id not a number, or the command object neither an object nor null/undefined.
 */
export function parseCommand(typeId: number, payload: Uint8Array, opts?: AmfDecodeOptions): RtmpCommand {
  if (typeId !== RtmpMsgType.CommandAmf0 && typeId !== RtmpMsgType.CommandAmf3) {
    throw new InvalidArgError(`rtmp: message type ${typeId} is not a command message`);
  }
  const values = decodeMessageValues(typeId, payload, opts);
  const name = values[0];
  if (typeof name !== 'string')
    throw new ProtocolError('rtmp: command message does not start with a name string');
  // ffmpeg's server sends `onFCPublish` as a bare name: a missing transaction id reads as 0.
  const tid = values.length < 2 ? 0 : values[1];
  if (typeof tid !== 'number') {
    throw new ProtocolError(`rtmp: command '${name}' has no transaction id number`);
  }
  const obj = values.length > 2 ? values[2] : null;
  let commandObject: AmfObject | null;
  if (obj === null || obj === undefined) commandObject = null;
  else if (isPlainObject(obj)) commandObject = obj;
  else throw new ProtocolError(`rtmp: command '${name}': command object is not an object or null`);
  return { name, transactionId: tid, commandObject, args: values.slice(3) };
}

/** A command body in AMF0 (type 20): name, transaction id, command object, args. New, caller owns. */
export function packCommand(
  name: string,
  transactionId: number,
  commandObject: AmfObject | null,
  ...args: AmfValue[]
): Buffer {
  return encodeAmf0([name, transactionId, commandObject, ...args]);
}

// ---------------------------------------------------------------------------------------------
// Status codes and info objects (NetConnection / NetStream status events).

/** The status codes this library sends or looks for (Adobe ActionScript NetStatusEvent.info.code). */
export const NetStatusCode = {
  ConnectSuccess: 'NetConnection.Connect.Success',
  ConnectRejected: 'NetConnection.Connect.Rejected',
  ConnectClosed: 'NetConnection.Connect.Closed',
  CallFailed: 'NetConnection.Call.Failed',
  PublishStart: 'NetStream.Publish.Start',
  PublishBadName: 'NetStream.Publish.BadName',
  UnpublishSuccess: 'NetStream.Unpublish.Success',
  PlayReset: 'NetStream.Play.Reset',
  PlayStart: 'NetStream.Play.Start',
  PlayStop: 'NetStream.Play.Stop',
  PlayStreamNotFound: 'NetStream.Play.StreamNotFound',
  PlayFailed: 'NetStream.Play.Failed',
  PlayUnpublishNotify: 'NetStream.Play.UnpublishNotify',
  PlayPublishNotify: 'NetStream.Play.PublishNotify',
} as const;

/** The `level` of a status info object. */
export type NetStatusLevel = 'status' | 'warning' | 'error';

/** A status info object: the fields every one has, plus any others (`details`, `clientid`, ...). */
export interface NetStatusInfo {
  level: NetStatusLevel;
  code: string;
  description: string;
  [key: string]: AmfValue;
}

/** The info object of a status: level, code, description, then `extra`, in that key order. */
export function statusInfo(
  level: NetStatusLevel,
  code: string,
  description: string,
  extra: Record<string, AmfValue> = {},
): AmfObject {
  return amfObject({ level, code, description, ...extra });
}

/** Reads level/code/description from a received info object (missing fields become ''). */
export function readStatusInfo(v: AmfValue): { level: string; code: string; description: string } {
  if (!isPlainObject(v)) return { level: '', code: '', description: '' };
  const str = (x: AmfValue): string => (typeof x === 'string' ? x : '');
  return { level: str(v.level), code: str(v.code), description: str(v.description) };
}

// ---------------------------------------------------------------------------------------------
// Replies a server sends.

/** Options of connectResult. */
export interface ConnectResultOptions {
  /** Echo of the client's `objectEncoding` (0 AMF0, 3 AMF3). Default 0. */
  objectEncoding?: number;
  /** Server version string in the properties object. Default 'FMS/3,0,1,123' (as lal and ffmpeg). */
  fmsVer?: string;
  /** Capabilities bit field. Default 31 (as lal and ffmpeg). */
  capabilities?: number;
  /** Connection mode. Default 1 (as SRS and FMS); null leaves it out (as lal and ffmpeg). */
  mode?: number | null;
  /** Default 'Connection succeeded.'. */
  description?: string;
}

/**
 * `_result` for `connect` (spec 7.2.1.1): properties {fmsVer, capabilities, mode} and information
 * {level 'status', code NetConnection.Connect.Success, description, objectEncoding}.
 */
export function connectResult(transactionId: number, opts: ConnectResultOptions = {}): Buffer {
  return packCommand(
    '_result',
    transactionId,
    amfObject({
      fmsVer: opts.fmsVer ?? 'FMS/3,0,1,123',
      capabilities: opts.capabilities ?? 31,
      ...(opts.mode === null ? {} : { mode: opts.mode ?? 1 }),
    }),
    statusInfo('status', NetStatusCode.ConnectSuccess, opts.description ?? 'Connection succeeded.', {
      objectEncoding: opts.objectEncoding ?? 0,
    }),
  );
}

/** `_error` for `connect`: {level 'error', code NetConnection.Connect.Rejected, description}. */
export function connectRejected(transactionId: number, description: string): Buffer {
  return packCommand(
    '_error',
    transactionId,
    null,
    statusInfo('error', NetStatusCode.ConnectRejected, description),
  );
}

/** `_error` for any command: {level 'error', code (default NetConnection.Call.Failed), description}. */
export function errorResult(
  transactionId: number,
  description: string,
  code: string = NetStatusCode.CallFailed,
): Buffer {
  return packCommand('_error', transactionId, null, statusInfo('error', code, description));
}

/** `_result` for `createStream` (spec 7.2.1.3): null, then the new message stream id. */
export function createStreamResult(transactionId: number, streamId: number): Buffer {
  return packCommand('_result', transactionId, null, streamId);
}

/**
 * `_result` with null and undefined: SRS's answer to `releaseStream`, `FCPublish` and
 * `FCUnpublish` (nginx-rtmp sends none; clients do not wait for it).
 */
export function emptyResult(transactionId: number): Buffer {
  return packCommand('_result', transactionId, null, undefined);
}

/** `_result` for `getStreamLength`: null, then the length in seconds (0 for a live stream). */
export function getStreamLengthResult(transactionId: number, lengthSec = 0): Buffer {
  return packCommand('_result', transactionId, null, lengthSec);
}

/** `onStatus` (spec 7.2.2): transaction id 0, null, the info object. Send it on the stream's id. */
export function onStatus(
  level: NetStatusLevel,
  code: string,
  description: string,
  extra: Record<string, AmfValue> = {},
): Buffer {
  return packCommand('onStatus', 0, null, statusInfo(level, code, description, extra));
}

/** `onFCPublish` {code NetStream.Publish.Start, description}, as SRS sends after an FCPublish'd publish. */
export function onFCPublish(description: string): Buffer {
  return packCommand('onFCPublish', 0, null, amfObject({ code: NetStatusCode.PublishStart, description }));
}

/** `onFCUnpublish` {code NetStream.Unpublish.Success, description}, as SRS sends for FCUnpublish. */
export function onFCUnpublish(description: string): Buffer {
  return packCommand(
    'onFCUnpublish',
    0,
    null,
    amfObject({ code: NetStatusCode.UnpublishSuccess, description }),
  );
}

/**
 * `onBWDone` (transaction id 0, null), the end of FMS's bandwidth check; ffmpeg's server adds the
 * bandwidth in kbps (8192) as an argument. Clients may answer it with `_checkbw`.
 */
export function onBWDone(bandwidthKbps?: number): Buffer {
  return bandwidthKbps === undefined
    ? packCommand('onBWDone', 0, null)
    : packCommand('onBWDone', 0, null, bandwidthKbps);
}

// ---------------------------------------------------------------------------------------------
// Commands a client sends.

/** Fields of the `connect` command object (spec 7.2.1.1); unset ones are left out. */
export interface ConnectCommandFields {
  app: string;
  tcUrl: string;
  /** e.g. 'FMLE/3.0 (compatible; lal.ts)' to publish, 'LNX 9,0,124,2' to play (as ffmpeg). */
  flashVer?: string;
  /** 'nonprivate' when publishing, as ffmpeg and FMLE send. */
  type?: string;
  swfUrl?: string;
  pageUrl?: string;
  fpad?: boolean;
  capabilities?: number;
  audioCodecs?: number;
  videoCodecs?: number;
  videoFunction?: number;
  objectEncoding?: number;
  /** More fields, appended after the ones above. */
  extra?: Record<string, AmfValue>;
}

/** `connect` with the given transaction id (1 by convention). */
export function connectCommand(transactionId: number, f: ConnectCommandFields): Buffer {
  const o: Record<string, AmfValue> = { app: f.app };
  if (f.type !== undefined) o.type = f.type;
  if (f.flashVer !== undefined) o.flashVer = f.flashVer;
  if (f.swfUrl !== undefined) o.swfUrl = f.swfUrl;
  o.tcUrl = f.tcUrl;
  if (f.pageUrl !== undefined) o.pageUrl = f.pageUrl;
  if (f.fpad !== undefined) o.fpad = f.fpad;
  if (f.capabilities !== undefined) o.capabilities = f.capabilities;
  if (f.audioCodecs !== undefined) o.audioCodecs = f.audioCodecs;
  if (f.videoCodecs !== undefined) o.videoCodecs = f.videoCodecs;
  if (f.videoFunction !== undefined) o.videoFunction = f.videoFunction;
  if (f.objectEncoding !== undefined) o.objectEncoding = f.objectEncoding;
  return packCommand('connect', transactionId, amfObject({ ...o, ...f.extra }));
}

/** `createStream` (spec 7.2.1.3): the transaction id and null. */
export function createStreamCommand(transactionId: number): Buffer {
  return packCommand('createStream', transactionId, null);
}

/** A command whose only argument is a stream name: `releaseStream`, `FCPublish`, `FCUnpublish`, `getStreamLength`. */
export function streamNameCommand(
  name: 'releaseStream' | 'FCPublish' | 'FCUnpublish' | 'getStreamLength' | 'FCSubscribe',
  transactionId: number,
  streamName: string,
): Buffer {
  return packCommand(name, transactionId, null, streamName);
}

/** How a publisher asks the server to treat its stream (spec 7.2.2.6). */
export type PublishType = 'live' | 'record' | 'append';

/** `publish` (spec 7.2.2.6): null, the stream name (query included), the type. */
export function publishCommand(
  transactionId: number,
  streamName: string,
  type: PublishType = 'live',
): Buffer {
  return packCommand('publish', transactionId, null, streamName, type);
}

/**
 * `play` (spec 7.2.2.1): null, the stream name, start (seconds; -2 live or recorded, -1 live only,
 * >= 0 recorded from there), and, when given, duration (-1 to the end) and reset.
 */
export function playCommand(
  transactionId: number,
  streamName: string,
  start = -2,
  duration?: number,
  reset?: boolean,
): Buffer {
  const args: AmfValue[] = [streamName, start];
  if (duration !== undefined || reset !== undefined) args.push(duration ?? -1);
  if (reset !== undefined) args.push(reset);
  return packCommand('play', transactionId, null, ...args);
}

/** `deleteStream` (spec 7.2.2.3): null, the message stream id. Sent on message stream 0. */
export function deleteStreamCommand(transactionId: number, streamId: number): Buffer {
  return packCommand('deleteStream', transactionId, null, streamId);
}

/** `closeStream`: transaction id 0, null. Sent on the stream being closed. */
export function closeStreamCommand(): Buffer {
  return packCommand('closeStream', 0, null);
}

/** `receiveAudio` / `receiveVideo` (spec 7.2.2.2): transaction id 0, null, the flag. */
export function receiveCommand(name: 'receiveAudio' | 'receiveVideo', flag: boolean): Buffer {
  return packCommand(name, 0, null, flag);
}
