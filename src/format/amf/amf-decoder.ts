import { be16, be32, beF64 } from '../../util/bele.js';
import { ByteReader } from '../../util/byte-reader.js';
import { LimitError, ProtocolError, ShortBufferError, UnsupportedError } from '../../util/errors.js';
import type { AmfDecodeOptions, ResolvedDecodeOptions } from './amf-options.js';
import { resolveDecodeOptions } from './amf-options.js';
import type { AmfObject, AmfValue } from './amf-value.js';
import {
  AMF_UNSUPPORTED,
  Amf0Marker,
  Amf3Marker,
  AmfTypedObject,
  AmfXml,
  AmfXmlDocument,
  newEcmaArray,
} from './amf-value.js';

/** AMF3 traits (AMF 3 specification section 3.12): the class and its sealed member names. */
interface Amf3Traits {
  readonly className: string;
  readonly dynamic: boolean;
  readonly sealed: readonly string[];
}

const EMPTY = Buffer.alloc(0);
/** Strings up to this many bytes are tried as ASCII first. */
const SHORT_STRING = 16;

/**
 * Decodes AMF0 values, and AMF3 values reached through the AMF0 AVM+ marker (0x11) or read
 * directly. Pure: no I/O, no globals; the one piece of state is the reference tables.
 *
 * Reference tables: the AMF0 table (objects, typed objects, ECMA and strict arrays, AMF0 section
 * 2.9) and the AMF3 string, object and traits tables (AMF3 sections 2.1, 3.8-3.12) live as long
 * as the decoder, across read calls, until `reset()`. The convenience functions below use one
 * decoder per call, i.e. one set of tables per buffer (one RTMP message or one FLV script tag).
 * Neither spec says whether AMF3 tables survive from one AVM+ switch (0x11) to the next inside an
 * AMF0 message; we keep one AMF3 table set per buffer, shared by all switched values, and the
 * encoders do the same, so the two agree.
 *
 * On error the decoder throws a LalError (ShortBufferError, ProtocolError, UnsupportedError or
 * LimitError, messages starting `amf: `); the reader is then left at the point of failure and the
 * decoder's tables may hold partial values: reset() before reusing it.
 *
 * Returned values are new (the caller owns them) and share no memory with the input.
 */
export class AmfDecoder {
  private readonly opts: ResolvedDecodeOptions;
  private buf: Uint8Array = EMPTY;
  /** `buf` as a Buffer (same memory) for fast UTF-8 decoding. */
  private bytes: Buffer = EMPTY;
  private pos = 0;
  private end = 0;
  private amf0Refs: AmfValue[] = [];
  private amf3Strings: string[] = [];
  private amf3Objects: AmfValue[] = [];
  private amf3Traits: Amf3Traits[] = [];

  constructor(opts?: AmfDecodeOptions) {
    this.opts = resolveDecodeOptions(opts);
  }

  /** Clears the reference tables (start of a new message). */
  reset(): void {
    this.amf0Refs = [];
    this.amf3Strings = [];
    this.amf3Objects = [];
    this.amf3Traits = [];
  }

  /** Reads one AMF0 value at the reader's position and advances it. */
  readAmf0(reader: ByteReader): AmfValue {
    this.attach(reader);
    try {
      return this.amf0Value(0);
    } finally {
      this.detach(reader);
    }
  }

  /** Reads AMF0 values until the reader is exhausted. */
  readAllAmf0(reader: ByteReader): AmfValue[] {
    this.attach(reader);
    const out: AmfValue[] = [];
    try {
      while (this.pos < this.end) out.push(this.amf0Value(0));
    } finally {
      this.detach(reader);
    }
    return out;
  }

  /** Reads one AMF3 value at the reader's position and advances it. */
  readAmf3(reader: ByteReader): AmfValue {
    this.attach(reader);
    try {
      return this.amf3Value(0);
    } finally {
      this.detach(reader);
    }
  }

  /** Reads AMF3 values until the reader is exhausted. */
  readAllAmf3(reader: ByteReader): AmfValue[] {
    this.attach(reader);
    const out: AmfValue[] = [];
    try {
      while (this.pos < this.end) out.push(this.amf3Value(0));
    } finally {
      this.detach(reader);
    }
    return out;
  }

  private attach(reader: ByteReader): void {
    const b = reader.buf;
    this.buf = b;
    this.bytes = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.byteLength);
    this.pos = reader.pos;
    this.end = reader.end;
  }

  /** Hands the position back and drops the input, so a long-lived decoder does not retain it. */
  private detach(reader: ByteReader): void {
    reader.pos = this.pos;
    this.buf = EMPTY;
    this.bytes = EMPTY;
  }

  // --- primitive reads; `what` names the field in the error message --------------------------

  private need(n: number, what: string): void {
    const left = this.end - this.pos;
    if (left < n) throw new ShortBufferError(what, n, left);
  }

  private u8(what: string): number {
    if (this.pos >= this.end) throw new ShortBufferError(what, 1, 0);
    return this.buf[this.pos++] as number;
  }

  private u16(what: string): number {
    this.need(2, what);
    const v = be16(this.buf, this.pos);
    this.pos += 2;
    return v;
  }

  private u32(what: string): number {
    this.need(4, what);
    const v = be32(this.buf, this.pos);
    this.pos += 4;
    return v;
  }

  private f64(what: string): number {
    this.need(8, what);
    const v = this.bytes.readDoubleBE(this.pos);
    this.pos += 8;
    return v;
  }

  /** `len` bytes of UTF-8 (invalid sequences become U+FFFD), checked against the limit first. */
  private utf8(len: number, what: string): string {
    if (len === 0) return '';
    if (len > this.opts.maxStringLength) throw new LimitError(what, len, this.opts.maxStringLength);
    this.need(len, what);
    const start = this.pos;
    const end = start + len;
    this.pos = end;
    if (len <= SHORT_STRING) {
      const s = shortAscii(this.buf, start, len);
      if (s !== undefined) return s;
    }
    return this.bytes.toString('utf8', start, end);
  }

  /** Throws unless a container may open at `depth` (its members are at depth + 1). */
  private enter(depth: number): void {
    if (depth >= this.opts.maxDepth) {
      throw new LimitError('amf: nesting depth', depth + 1, this.opts.maxDepth);
    }
  }

  /** Throws unless `n` items (each at least `minBytes` long) fit the limit and the input. */
  private checkCount(n: number, minBytes: number, what: string): void {
    if (n > this.opts.maxItems) throw new LimitError(what, n, this.opts.maxItems);
    this.need(n * minBytes, what);
  }

  // --- AMF0 (Adobe "Action Message Format -- AMF 0") ------------------------------------------

  /**
   * One AMF0 value (section 2.1): a one-byte type marker followed by the type's data.
   * `depth` counts the containers around this value.
   */
  private amf0Value(depth: number): AmfValue {
    const marker = this.u8('amf: AMF0 type marker');
    switch (marker) {
      // 2.2 number-type = number-marker DOUBLE
      case Amf0Marker.Number:
        return this.f64('amf: number');
      // 2.3 boolean-type = boolean-marker U8 (0 is false, anything else true)
      case Amf0Marker.Boolean:
        return this.u8('amf: boolean') !== 0;
      // 2.4 string-type = string-marker UTF-8 (U16 byte length + bytes)
      case Amf0Marker.String:
        return this.utf8(this.u16('amf: string length'), 'amf: string');
      // 2.5 anonymous-object-type = object-marker *(object-property)
      case Amf0Marker.Object: {
        this.enter(depth);
        const obj: AmfObject = Object.create(null);
        this.amf0Refs.push(obj);
        this.amf0Properties(obj, depth + 1, 'amf: object members');
        return obj;
      }
      // 2.6 movieclip-marker: reserved, not supported
      case Amf0Marker.MovieClip:
        throw new UnsupportedError('amf: AMF0 movieclip (marker 0x04) is reserved and not supported');
      // 2.7 null-type = null-marker
      case Amf0Marker.Null:
        return null;
      // 2.8 undefined-type = undefined-marker
      case Amf0Marker.Undefined:
        return undefined;
      // 2.9 reference-type = reference-marker U16 (index into the complex objects read so far)
      case Amf0Marker.Reference: {
        const idx = this.u16('amf: reference index');
        if (idx >= this.amf0Refs.length) {
          throw new ProtocolError(
            `amf: reference to object ${idx}, but only ${this.amf0Refs.length} objects were read`,
          );
        }
        return this.amf0Refs[idx];
      }
      // 2.10 ecma-array-type = ecma-array-marker associative-count(U32) *(object-property)
      // The count is only a hint (encoders write 0 or stale counts): like ffmpeg's FLV demuxer
      // we read members until the object-end marker and never allocate from the count.
      case Amf0Marker.EcmaArray: {
        this.need(4, 'amf: ECMA array count');
        this.pos += 4;
        this.enter(depth);
        const obj = newEcmaArray();
        this.amf0Refs.push(obj);
        this.amf0Properties(obj, depth + 1, 'amf: ECMA array members');
        return obj;
      }
      // 2.11 object-end-marker: only valid inside an object, consumed by amf0Properties
      case Amf0Marker.ObjectEnd:
        throw new ProtocolError('amf: object-end marker 0x09 outside an object');
      // 2.12 strict-array-type = array-count(U32) *(value-type)
      case Amf0Marker.StrictArray: {
        const n = this.u32('amf: strict array count');
        this.checkCount(n, 1, 'amf: strict array elements');
        this.enter(depth);
        const arr: AmfValue[] = [];
        this.amf0Refs.push(arr);
        for (let i = 0; i < n; i++) arr.push(this.amf0Value(depth + 1));
        return arr;
      }
      // 2.13 date-type = date-marker DOUBLE time-zone(S16, reserved, should be 0: ignored)
      case Amf0Marker.Date: {
        const ms = this.f64('amf: date');
        this.need(2, 'amf: date time zone');
        this.pos += 2;
        return new Date(ms);
      }
      // 2.14 long-string-type = long-string-marker UTF-8-long (U32 byte length + bytes)
      case Amf0Marker.LongString:
        return this.utf8(this.u32('amf: long string length'), 'amf: long string');
      // 2.15 unsupported-type = unsupported-marker
      case Amf0Marker.Unsupported:
        return AMF_UNSUPPORTED;
      // 2.16 recordset-marker: reserved, not supported
      case Amf0Marker.RecordSet:
        throw new UnsupportedError('amf: AMF0 recordset (marker 0x0E) is reserved and not supported');
      // 2.17 xml-document-type = xml-document-marker UTF-8-long
      case Amf0Marker.XmlDocument:
        return new AmfXmlDocument(this.utf8(this.u32('amf: XML document length'), 'amf: XML document'));
      // 2.18 typed-object-type = typed-object-marker class-name(UTF-8) *(object-property)
      case Amf0Marker.TypedObject: {
        const className = this.utf8(this.u16('amf: class name length'), 'amf: class name');
        this.enter(depth);
        const t = new AmfTypedObject(className);
        this.amf0Refs.push(t);
        this.amf0Properties(t.properties, depth + 1, 'amf: typed object members');
        return t;
      }
      // 3.1 avmplus-object-marker: the next value is AMF3; the switch is not sticky
      case Amf0Marker.AvmPlusObject:
        return this.amf3Value(depth);
      default:
        throw new ProtocolError(`amf: unknown AMF0 type marker 0x${hex2(marker)}`);
    }
  }

  /**
   * object-property = (UTF-8 value-type) | (UTF-8-empty object-end-marker), repeated until the
   * end pair 00 00 09 (sections 2.5, 2.10, 2.18). Every round consumes at least 3 bytes, so
   * truncated input ends in ShortBufferError, never a loop. An empty name followed by anything
   * but 0x09 is read as a member named "".
   */
  private amf0Properties(obj: AmfObject, depth: number, what: string): void {
    let count = 0;
    for (;;) {
      const nameLen = this.u16('amf: property name length');
      if (nameLen === 0) {
        if (this.pos >= this.end) throw new ShortBufferError('amf: object-end marker', 1, 0);
        if (this.buf[this.pos] === Amf0Marker.ObjectEnd) {
          this.pos++;
          return;
        }
      }
      if (++count > this.opts.maxItems) throw new LimitError(what, count, this.opts.maxItems);
      const name = nameLen === 0 ? '' : this.utf8(nameLen, 'amf: property name');
      obj[name] = this.amf0Value(depth);
    }
  }

  // --- AMF3 (Adobe "Action Message Format -- AMF 3", January 2013) ----------------------------

  /**
   * 1.3.1 U29: 1 to 4 bytes, 7 bits per byte with the high bit meaning "more", the 4th byte
   * contributing all 8 bits: a 29-bit unsigned integer (fits 31 bits, so bitwise ops are safe).
   */
  private u29(what: string): number {
    let b = this.u8(what);
    if (b < 0x80) return b;
    let v = (b & 0x7f) << 7;
    b = this.u8(what);
    if (b < 0x80) return v | b;
    v = (v | (b & 0x7f)) << 7;
    b = this.u8(what);
    if (b < 0x80) return v | b;
    v = (v | (b & 0x7f)) << 8;
    return v | this.u8(what);
  }

  /**
   * 1.3.2/3.8 UTF-8-vr = U29S-ref | (U29S-value *(UTF8-char)). Low bit 0: index into the string
   * table; low bit 1: byte length. The empty string is never put in the table.
   */
  private amf3String(what: string): string {
    const h = this.u29(what);
    if ((h & 1) === 0) {
      const idx = h >>> 1;
      const s = this.amf3Strings[idx];
      if (s === undefined) {
        throw new ProtocolError(
          `amf: AMF3 string reference ${idx}, but the string table holds ${this.amf3Strings.length}`,
        );
      }
      return s;
    }
    const len = h >>> 1;
    if (len === 0) return '';
    const s = this.utf8(len, what);
    this.amf3Strings.push(s);
    return s;
  }

  /**
   * The U29O-ref half of the complex types: returns the referenced object when the low bit of
   * `h` is 0, else undefined (the value follows inline).
   */
  private amf3Ref(h: number): AmfValue | undefined {
    if ((h & 1) !== 0) return undefined;
    const idx = h >>> 1;
    if (idx >= this.amf3Objects.length) {
      throw new ProtocolError(
        `amf: AMF3 object reference ${idx}, but the object table holds ${this.amf3Objects.length}`,
      );
    }
    return this.amf3Objects[idx];
  }

  /** One AMF3 value (section 3.1): a one-byte type marker followed by the type's data. */
  private amf3Value(depth: number): AmfValue {
    const marker = this.u8('amf: AMF3 type marker');
    switch (marker) {
      // 3.2 - 3.5 undefined, null, false, true: the marker alone
      case Amf3Marker.Undefined:
        return undefined;
      case Amf3Marker.Null:
        return null;
      case Amf3Marker.False:
        return false;
      case Amf3Marker.True:
        return true;
      // 3.6 integer-type = integer-marker U29 (signed 29-bit, two's complement)
      case Amf3Marker.Integer: {
        const v = this.u29('amf: AMF3 integer');
        return v & 0x10000000 ? v - 0x20000000 : v;
      }
      // 3.7 double-type = double-marker DOUBLE
      case Amf3Marker.Double:
        return this.f64('amf: AMF3 double');
      // 3.8 string-type = string-marker UTF-8-vr
      case Amf3Marker.String:
        return this.amf3String('amf: AMF3 string');
      // 3.9 xml-doc-type = xml-doc-marker (U29O-ref | (U29X-value *(UTF8-char)))
      // 3.13 xml-type = xml-marker (U29O-ref | (U29X-value *(UTF8-char)))
      case Amf3Marker.XmlDocument:
      case Amf3Marker.Xml: {
        const h = this.u29('amf: AMF3 XML header');
        const ref = this.amf3Ref(h);
        if (ref !== undefined) return ref;
        const text = this.utf8(h >>> 1, 'amf: AMF3 XML');
        const x = marker === Amf3Marker.Xml ? new AmfXml(text) : new AmfXmlDocument(text);
        this.amf3Objects.push(x);
        return x;
      }
      // 3.10 date-type = date-marker (U29O-ref | (U29D-value date-time(DOUBLE)))
      case Amf3Marker.Date: {
        const h = this.u29('amf: AMF3 date header');
        const ref = this.amf3Ref(h);
        if (ref !== undefined) return ref;
        const d = new Date(this.f64('amf: AMF3 date'));
        this.amf3Objects.push(d);
        return d;
      }
      case Amf3Marker.Array:
        return this.amf3Array(depth);
      case Amf3Marker.Object:
        return this.amf3Object(depth);
      // 3.14 bytearray-type = bytearray-marker (U29O-ref | (U29B-value *(U8)))
      case Amf3Marker.ByteArray: {
        const h = this.u29('amf: AMF3 ByteArray header');
        const ref = this.amf3Ref(h);
        if (ref !== undefined) return ref;
        const len = h >>> 1;
        if (len > this.opts.maxByteArrayLength) {
          throw new LimitError('amf: AMF3 ByteArray', len, this.opts.maxByteArrayLength);
        }
        this.need(len, 'amf: AMF3 ByteArray');
        const out = new Uint8Array(len);
        out.set(this.buf.subarray(this.pos, this.pos + len));
        this.pos += len;
        this.amf3Objects.push(out);
        return out;
      }
      case Amf3Marker.VectorInt:
      case Amf3Marker.VectorUint:
      case Amf3Marker.VectorDouble:
      case Amf3Marker.VectorObject:
        return this.amf3Vector(marker, depth);
      // 3.16 dictionary-type: keys may be objects, which a JS object cannot carry
      case Amf3Marker.Dictionary:
        throw new UnsupportedError('amf: AMF3 Dictionary (marker 0x11) is not supported');
      default:
        throw new ProtocolError(`amf: unknown AMF3 type marker 0x${hex2(marker)}`);
    }
  }

  /**
   * 3.11 array-type = array-marker (U29O-ref | (U29A-value (UTF-8-empty | *(assoc-value)
   * UTF-8-empty) *(value-type))). U29A-value holds the dense count. With no associative part the
   * result is a JS array; otherwise an ECMA-array object holding the associative members and the
   * dense elements under the keys "0".."n-1".
   */
  private amf3Array(depth: number): AmfValue {
    const h = this.u29('amf: AMF3 array header');
    const ref = this.amf3Ref(h);
    if (ref !== undefined) return ref;
    const dense = h >>> 1;
    this.checkCount(dense, 1, 'amf: AMF3 array dense elements');
    this.enter(depth);
    let key = this.amf3String('amf: AMF3 array key');
    if (key === '') {
      const arr: AmfValue[] = [];
      this.amf3Objects.push(arr);
      for (let i = 0; i < dense; i++) arr.push(this.amf3Value(depth + 1));
      return arr;
    }
    const obj = newEcmaArray();
    this.amf3Objects.push(obj);
    let count = 0;
    while (key !== '') {
      if (++count > this.opts.maxItems) {
        throw new LimitError('amf: AMF3 array associative members', count, this.opts.maxItems);
      }
      obj[key] = this.amf3Value(depth + 1);
      key = this.amf3String('amf: AMF3 array key');
    }
    for (let i = 0; i < dense; i++) obj[String(i)] = this.amf3Value(depth + 1);
    return obj;
  }

  /**
   * 3.12 object-type = object-marker (U29O-ref | (U29O-traits-ext class-name *(U8)) |
   * U29O-traits-ref | (U29O-traits class-name *(UTF-8-vr))) *(value-type) *(dynamic-member)).
   * Header bits, low first: 1 = inline object (else object ref), 1 = inline traits (else traits
   * ref), 1 = externalizable, 1 = dynamic, then the sealed member count.
   */
  private amf3Object(depth: number): AmfValue {
    const h = this.u29('amf: AMF3 object header');
    const ref = this.amf3Ref(h);
    if (ref !== undefined) return ref;
    let traits: Amf3Traits;
    if ((h & 2) === 0) {
      const idx = h >>> 2;
      const t = this.amf3Traits[idx];
      if (t === undefined) {
        throw new ProtocolError(
          `amf: AMF3 traits reference ${idx}, but the traits table holds ${this.amf3Traits.length}`,
        );
      }
      traits = t;
    } else if ((h & 4) !== 0) {
      const className = this.amf3String('amf: AMF3 class name');
      throw new UnsupportedError(
        `amf: AMF3 externalizable object of class "${className}" is not supported ` +
          '(its encoding is class-specific)',
      );
    } else {
      const dynamic = (h & 8) !== 0;
      const sealedCount = h >>> 4;
      const className = this.amf3String('amf: AMF3 class name');
      this.checkCount(sealedCount, 1, 'amf: AMF3 sealed members');
      const sealed: string[] = [];
      for (let i = 0; i < sealedCount; i++) sealed.push(this.amf3String('amf: AMF3 member name'));
      traits = { className, dynamic, sealed };
      this.amf3Traits.push(traits);
    }
    this.enter(depth);
    let props: AmfObject;
    let result: AmfValue;
    if (traits.className === '') {
      props = Object.create(null);
      result = props;
    } else {
      const t = new AmfTypedObject(traits.className);
      props = t.properties;
      result = t;
    }
    this.amf3Objects.push(result);
    for (const name of traits.sealed) props[name] = this.amf3Value(depth + 1);
    if (traits.dynamic) {
      let count = traits.sealed.length;
      for (;;) {
        const key = this.amf3String('amf: AMF3 dynamic member name');
        if (key === '') break;
        if (++count > this.opts.maxItems) {
          throw new LimitError('amf: AMF3 object members', count, this.opts.maxItems);
        }
        props[key] = this.amf3Value(depth + 1);
      }
    }
    return result;
  }

  /**
   * 3.15 vector-type = vector-marker (U29O-ref | (U29V-value fixed-vector(U8) ...)): U32/S32/
   * DOUBLE items, or for Vector.<Object> an object-type-name (UTF-8-vr) then value-types.
   * Decoded to a plain array; the fixed flag and the element type name are dropped.
   */
  private amf3Vector(marker: number, depth: number): AmfValue {
    const h = this.u29('amf: AMF3 vector header');
    const ref = this.amf3Ref(h);
    if (ref !== undefined) return ref;
    const n = h >>> 1;
    this.need(1, 'amf: AMF3 vector fixed flag');
    this.pos++;
    const arr: AmfValue[] = [];
    if (marker === Amf3Marker.VectorObject) {
      this.amf3String('amf: AMF3 vector type name');
      this.checkCount(n, 1, 'amf: AMF3 vector elements');
      this.enter(depth);
      this.amf3Objects.push(arr);
      for (let i = 0; i < n; i++) arr.push(this.amf3Value(depth + 1));
      return arr;
    }
    const size = marker === Amf3Marker.VectorDouble ? 8 : 4;
    this.checkCount(n, size, 'amf: AMF3 vector elements');
    this.amf3Objects.push(arr);
    const buf = this.buf;
    let p = this.pos;
    for (let i = 0; i < n; i++, p += size) {
      if (marker === Amf3Marker.VectorDouble) arr.push(beF64(buf, p));
      else if (marker === Amf3Marker.VectorInt) arr.push(be32(buf, p) | 0);
      else arr.push(be32(buf, p));
    }
    this.pos = p;
    return arr;
  }
}

/**
 * Decodes `len` (1..16) bytes at `p` as ASCII with one fixed-arity String.fromCharCode call, or
 * returns undefined when a byte is not ASCII. Member and command names are short ASCII, and this is
 * about three times faster for them than a call into the UTF-8 decoder (measured on Node 20).
 */
function shortAscii(b: Uint8Array, p: number, len: number): string | undefined {
  let or = 0;
  for (let i = p; i < p + len; i++) or |= b[i] as number;
  if (or & 0x80) return undefined;
  const f = String.fromCharCode;
  switch (len) {
    case 1:
      return f(b[p] as number);
    case 2:
      return f(b[p] as number, b[p + 1] as number);
    case 3:
      return f(b[p] as number, b[p + 1] as number, b[p + 2] as number);
    case 4:
      return f(b[p] as number, b[p + 1] as number, b[p + 2] as number, b[p + 3] as number);
    case 5:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
      );
    case 6:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
      );
    case 7:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
      );
    case 8:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
      );
    case 9:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
      );
    case 10:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
        b[p + 9] as number,
      );
    case 11:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
        b[p + 9] as number,
        b[p + 10] as number,
      );
    case 12:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
        b[p + 9] as number,
        b[p + 10] as number,
        b[p + 11] as number,
      );
    case 13:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
        b[p + 9] as number,
        b[p + 10] as number,
        b[p + 11] as number,
        b[p + 12] as number,
      );
    case 14:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
        b[p + 9] as number,
        b[p + 10] as number,
        b[p + 11] as number,
        b[p + 12] as number,
        b[p + 13] as number,
      );
    case 15:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
        b[p + 9] as number,
        b[p + 10] as number,
        b[p + 11] as number,
        b[p + 12] as number,
        b[p + 13] as number,
        b[p + 14] as number,
      );
    case 16:
      return f(
        b[p] as number,
        b[p + 1] as number,
        b[p + 2] as number,
        b[p + 3] as number,
        b[p + 4] as number,
        b[p + 5] as number,
        b[p + 6] as number,
        b[p + 7] as number,
        b[p + 8] as number,
        b[p + 9] as number,
        b[p + 10] as number,
        b[p + 11] as number,
        b[p + 12] as number,
        b[p + 13] as number,
        b[p + 14] as number,
        b[p + 15] as number,
      );
    default:
      return undefined;
  }
}

function hex2(n: number): string {
  return n.toString(16).padStart(2, '0');
}

function readerOf(data: Uint8Array, what: string): ByteReader {
  return new ByteReader(data, what);
}

/**
 * Decodes every AMF0 value in `data` (an RTMP command or data message body, an FLV script tag
 * body), with one set of reference tables for the whole buffer. Throws a LalError on bad input.
 */
export function decodeAmf0(data: Uint8Array, opts?: AmfDecodeOptions): AmfValue[] {
  return new AmfDecoder(opts).readAllAmf0(readerOf(data, 'amf'));
}

/**
 * Decodes one AMF0 value at the reader's position and advances the reader past it. Uses fresh
 * reference tables: to decode a message value by value with shared tables, use AmfDecoder.
 */
export function decodeAmf0Value(reader: ByteReader, opts?: AmfDecodeOptions): AmfValue {
  return new AmfDecoder(opts).readAmf0(reader);
}

/** Decodes every AMF3 value in `data` (pure AMF3, no AMF0 framing). */
export function decodeAmf3(data: Uint8Array, opts?: AmfDecodeOptions): AmfValue[] {
  return new AmfDecoder(opts).readAllAmf3(readerOf(data, 'amf'));
}

/** Decodes one AMF3 value at the reader's position and advances the reader past it. */
export function decodeAmf3Value(reader: ByteReader, opts?: AmfDecodeOptions): AmfValue {
  return new AmfDecoder(opts).readAmf3(reader);
}

/**
 * Decodes the body of an RTMP AMF3 command (type 17), data (type 15) or shared-object (type 16)
 * message. Per Enhanced RTMP v2, "Important AMF3-encoded Historical Specification Clarification":
 * the body starts with a format selector byte, of which only 0 (AMF0 values) is defined; each AMF3
 * value inside is introduced by the AMF0 avmplus-object-marker 0x11. A body with another selector
 * throws UnsupportedError; an empty body ShortBufferError.
 */
export function decodeAmf3MessageBody(data: Uint8Array, opts?: AmfDecodeOptions): AmfValue[] {
  if (data.length < 1) throw new ShortBufferError('amf: AMF3 message format selector', 1, 0);
  const selector = data[0] as number;
  if (selector !== 0) {
    throw new UnsupportedError(
      `amf: AMF3 message format selector ${selector} is not supported, only 0 (AMF0 values) is defined`,
    );
  }
  return new AmfDecoder(opts).readAllAmf0(new ByteReader(data, 'amf', 1));
}
