import { ByteWriter } from '../../util/byte-writer.js';
import { InvalidArgError, LimitError } from '../../util/errors.js';
import type { AmfEncodeOptions, ResolvedEncodeOptions } from './amf-options.js';
import { resolveEncodeOptions } from './amf-options.js';
import type { AmfObject, AmfValue } from './amf-value.js';
import {
  Amf0Marker,
  AmfTypedObject,
  AmfUnsupported,
  AmfXml,
  AmfXmlDocument,
  isEcmaArray,
} from './amf-value.js';
import { Amf3Encoder, describe, isPlainObject } from './amf3-encoder.js';

/** Longest UTF-8 string a U16 length can describe (AMF0 section 1.3). */
const U16_MAX = 0xffff;
/** The object-end pair: empty name + object-end marker (section 2.11). */
const OBJECT_END = Buffer.from([0x00, 0x00, Amf0Marker.ObjectEnd]);

/**
 * Encodes AMF0 values (Adobe "AMF0 File Format Specification"), the inverse of AmfDecoder:
 *
 * - number -> number (0x00); boolean (0x01); null (0x05); undefined (0x06);
 * - string -> string (0x02), or long string (0x0C) when longer than 65535 UTF-8 bytes;
 * - plain or null-prototype object -> object (0x03); ECMA-marked object (`ecmaArray`) -> ECMA
 *   array (0x08) with its member count; array -> strict array (0x0A); Date -> date (0x0B, time
 *   zone 0); AmfXmlDocument / AmfXml -> XML document (0x0F); AmfTypedObject -> typed object
 *   (0x10); AMF_UNSUPPORTED -> unsupported (0x0D);
 * - Uint8Array, which AMF0 lacks, -> AVM+ switch (0x11) and an AMF3 ByteArray.
 *
 * With `useReferences` (the default) an object, array or typed object met a second time in the
 * same encoder is written as a reference (0x07, section 2.9); cycles need this. Anything else
 * (functions, symbols, bigints, Maps, class instances) throws InvalidArgError.
 */
export class Amf0Encoder {
  private readonly w: ByteWriter;
  private readonly opts: ResolvedEncodeOptions;
  /** Complex objects written so far, with their index in the decoder's reference table. */
  private readonly refs = new Map<object, number>();
  private refCount = 0;
  private amf3: Amf3Encoder | undefined;

  constructor(opts?: AmfEncodeOptions, writer: ByteWriter = new ByteWriter()) {
    this.opts = resolveEncodeOptions(opts);
    this.w = writer;
  }

  /** Appends one value. */
  write(value: AmfValue): this {
    this.value(value, 0);
    return this;
  }

  /** The bytes written so far; new, the caller owns them. The encoder must not be used after. */
  finish(): Buffer {
    return this.w.finish();
  }

  private enter(depth: number): void {
    if (depth >= this.opts.maxDepth) {
      throw new LimitError('amf: nesting depth', depth + 1, this.opts.maxDepth);
    }
  }

  /** Writes a reference and returns true when `o` was written before; else registers it. */
  private ref(o: object): boolean {
    if (this.opts.useReferences) {
      const idx = this.refs.get(o);
      if (idx !== undefined) {
        this.w.u8(Amf0Marker.Reference).u16(idx);
        return true;
      }
      if (this.refCount <= U16_MAX) this.refs.set(o, this.refCount);
    }
    this.refCount++;
    return false;
  }

  private string(s: string): void {
    if (s.length <= SHORT_ASCII && isAscii(s)) {
      this.w.u8(Amf0Marker.String);
      this.ascii(s);
      return;
    }
    const b = Buffer.from(s, 'utf8');
    if (b.length <= U16_MAX) this.w.u8(Amf0Marker.String).u16(b.length).bytes(b);
    else this.w.u8(Amf0Marker.LongString).u32(b.length).bytes(b);
  }

  /** A short ASCII string with its U16 length, byte by byte (cheaper than Buffer.from for names). */
  private ascii(s: string): void {
    const w = this.w;
    w.u16(s.length);
    for (let i = 0; i < s.length; i++) w.u8(s.charCodeAt(i));
  }

  /** UTF-8 with a U16 length: member and class names. */
  private shortUtf8(s: string, what: string): void {
    if (s.length <= SHORT_ASCII && isAscii(s)) {
      this.ascii(s);
      return;
    }
    const b = Buffer.from(s, 'utf8');
    if (b.length > U16_MAX) {
      throw new InvalidArgError(`amf: ${what} of ${b.length} UTF-8 bytes exceeds ${U16_MAX}`);
    }
    this.w.u16(b.length).bytes(b);
  }

  private value(v: AmfValue, depth: number): void {
    const w = this.w;
    switch (typeof v) {
      case 'number':
        w.u8(Amf0Marker.Number).f64(v);
        return;
      case 'string':
        this.string(v);
        return;
      case 'boolean':
        w.u8(Amf0Marker.Boolean).u8(v ? 1 : 0);
        return;
      case 'undefined':
        w.u8(Amf0Marker.Undefined);
        return;
      case 'object':
        break;
      default:
        throw new InvalidArgError(`amf: cannot encode a ${typeof v} as AMF0`);
    }
    if (v === null) {
      w.u8(Amf0Marker.Null);
      return;
    }
    if (Array.isArray(v)) {
      if (this.ref(v)) return;
      this.enter(depth);
      w.u8(Amf0Marker.StrictArray).u32(v.length);
      for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1);
      return;
    }
    if (v instanceof Date) {
      w.u8(Amf0Marker.Date).f64(v.getTime()).u16(0);
      return;
    }
    if (v instanceof AmfTypedObject) {
      if (this.ref(v)) return;
      this.enter(depth);
      w.u8(Amf0Marker.TypedObject);
      this.shortUtf8(v.className, 'class name');
      this.properties(v.properties, depth + 1);
      return;
    }
    if (v instanceof AmfXmlDocument || v instanceof AmfXml) {
      const b = Buffer.from(v.xml, 'utf8');
      w.u8(Amf0Marker.XmlDocument).u32(b.length).bytes(b);
      return;
    }
    if (v instanceof AmfUnsupported) {
      w.u8(Amf0Marker.Unsupported);
      return;
    }
    if (v instanceof Uint8Array) {
      w.u8(Amf0Marker.AvmPlusObject);
      if (this.amf3 === undefined) this.amf3 = new Amf3Encoder(this.opts, w);
      this.amf3.write(v, depth);
      return;
    }
    if (!isPlainObject(v)) {
      throw new InvalidArgError(`amf: cannot encode ${describe(v)} as AMF0`);
    }
    if (this.ref(v)) return;
    this.enter(depth);
    if (isEcmaArray(v)) {
      const keys = Object.keys(v);
      w.u8(Amf0Marker.EcmaArray).u32(keys.length);
      this.properties(v, depth + 1, keys);
    } else {
      w.u8(Amf0Marker.Object);
      this.properties(v, depth + 1);
    }
  }

  /** object-property list and the end pair (sections 2.5, 2.10, 2.18). */
  private properties(obj: AmfObject, depth: number, keys: readonly string[] = Object.keys(obj)): void {
    for (const k of keys) {
      this.shortUtf8(k, 'member name');
      this.value(obj[k], depth);
    }
    this.w.bytes(OBJECT_END);
  }
}

/** Strings up to this many UTF-16 units are checked for ASCII and written without Buffer.from. */
const SHORT_ASCII = 32;

function isAscii(s: string): boolean {
  for (let i = 0; i < s.length; i++) if (s.charCodeAt(i) >= 0x80) return false;
  return true;
}

/** Encodes `values` as consecutive AMF0 values (e.g. an RTMP command body); new, caller owns. */
export function encodeAmf0(values: readonly AmfValue[], opts?: AmfEncodeOptions): Buffer {
  const e = new Amf0Encoder(opts);
  for (const v of values) e.write(v);
  return e.finish();
}

/** Encodes one AMF0 value; new Buffer, caller owns. */
export function encodeAmf0Value(value: AmfValue, opts?: AmfEncodeOptions): Buffer {
  return new Amf0Encoder(opts).write(value).finish();
}

/**
 * The body of an RTMP AMF3 command/data message (type 17/15): format selector 0, then `values`
 * as AMF0 (see decodeAmf3MessageBody). New Buffer, caller owns.
 */
export function encodeAmf3MessageBody(values: readonly AmfValue[], opts?: AmfEncodeOptions): Buffer {
  const w = new ByteWriter();
  w.u8(0);
  const e = new Amf0Encoder(opts, w);
  for (const v of values) e.write(v);
  return e.finish();
}
