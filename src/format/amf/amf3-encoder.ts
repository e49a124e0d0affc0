import { ByteWriter } from '../../util/byte-writer.js';
import { InvalidArgError, LimitError } from '../../util/errors.js';
import type { AmfEncodeOptions, ResolvedEncodeOptions } from './amf-options.js';
import { resolveEncodeOptions } from './amf-options.js';
import type { AmfObject, AmfValue } from './amf-value.js';
import { Amf3Marker, AmfTypedObject, AmfXml, AmfXmlDocument, isEcmaArray } from './amf-value.js';

/** Largest value a U29 can carry (AMF 3 section 1.3.1). */
const U29_MAX = 0x1fffffff;
/** Largest length or count a U29 can carry next to its flag bit. */
const U28_MAX = 0x0fffffff;
/** AMF3 integer range: signed 29 bits (section 3.6). */
const INT29_MIN = -0x10000000;
const INT29_MAX = 0x0fffffff;

/**
 * Encodes AMF3 values (Adobe "AMF 3 Specification"): the inverse of the AMF3 half of AmfDecoder.
 *
 * Numbers that are integers in the signed 29-bit range (and not -0) are written as integer-type,
 * all others as double-type. Arrays are dense arrays; ECMA-marked objects are associative arrays
 * with no dense part; anonymous objects and typed objects are dynamic objects with no sealed
 * members (their traits are sent once and then by reference). Strings go through the string table,
 * and with `useReferences` objects already written in this encoder are sent by reference.
 * AMF_UNSUPPORTED has no AMF3 form and throws InvalidArgError, as does the empty string as an
 * associative or dynamic member name (it would end the member list).
 *
 * The tables live as long as the encoder; the writer may be shared with an Amf0Encoder.
 */
export class Amf3Encoder {
  private readonly w: ByteWriter;
  private readonly opts: ResolvedEncodeOptions;
  private readonly strings = new Map<string, number>();
  private readonly objects = new Map<object, number>();
  private objectCount = 0;
  private readonly traits = new Map<string, number>();

  constructor(opts?: AmfEncodeOptions | ResolvedEncodeOptions, writer: ByteWriter = new ByteWriter()) {
    this.opts = resolveEncodeOptions(opts);
    this.w = writer;
  }

  /** Appends one AMF3 value at nesting depth `depth` (0 for a top-level value). */
  write(value: AmfValue, depth = 0): this {
    this.value(value, depth);
    return this;
  }

  /** The bytes written so far; new, the caller owns them. The encoder must not be used after. */
  finish(): Buffer {
    return this.w.finish();
  }

  private u29(v: number): void {
    const w = this.w;
    if (v < 0x80) {
      w.u8(v);
    } else if (v < 0x4000) {
      w.u8((v >>> 7) | 0x80).u8(v & 0x7f);
    } else if (v < 0x200000) {
      w.u8((v >>> 14) | 0x80)
        .u8(((v >>> 7) & 0x7f) | 0x80)
        .u8(v & 0x7f);
    } else if (v <= U29_MAX) {
      w.u8((v >>> 22) | 0x80)
        .u8(((v >>> 15) & 0x7f) | 0x80)
        .u8(((v >>> 8) & 0x7f) | 0x80)
        .u8(v & 0xff);
    } else {
      throw new InvalidArgError(`amf: ${v} does not fit an AMF3 U29`);
    }
  }

  /** A length or count with the "inline" flag bit set. */
  private u29Value(n: number, what: string): void {
    if (n > U28_MAX) throw new InvalidArgError(`amf: AMF3 ${what} of ${n} exceeds ${U28_MAX}`);
    this.u29(n * 2 + 1);
  }

  /** UTF-8-vr: a reference to an earlier equal string, or the length and the bytes. */
  private string(s: string): void {
    if (s === '') {
      this.w.u8(0x01);
      return;
    }
    const idx = this.strings.get(s);
    if (idx !== undefined) {
      this.u29(idx * 2);
      return;
    }
    const b = Buffer.from(s, 'utf8');
    this.u29Value(b.length, 'string length');
    this.w.bytes(b);
    this.strings.set(s, this.strings.size);
  }

  /** Writes a reference and returns true when `o` was written before; else registers it. */
  private ref(o: object): boolean {
    if (this.opts.useReferences) {
      const idx = this.objects.get(o);
      if (idx !== undefined) {
        this.u29(idx * 2);
        return true;
      }
      this.objects.set(o, this.objectCount);
    }
    this.objectCount++;
    return false;
  }

  private enter(depth: number): void {
    if (depth >= this.opts.maxDepth) {
      throw new LimitError('amf: nesting depth', depth + 1, this.opts.maxDepth);
    }
  }

  private value(v: AmfValue, depth: number): void {
    const w = this.w;
    switch (typeof v) {
      case 'undefined':
        w.u8(Amf3Marker.Undefined);
        return;
      case 'boolean':
        w.u8(v ? Amf3Marker.True : Amf3Marker.False);
        return;
      case 'number':
        if (Number.isInteger(v) && v >= INT29_MIN && v <= INT29_MAX && !Object.is(v, -0)) {
          w.u8(Amf3Marker.Integer);
          this.u29(v & U29_MAX);
        } else {
          w.u8(Amf3Marker.Double).f64(v);
        }
        return;
      case 'string':
        w.u8(Amf3Marker.String);
        this.string(v);
        return;
      case 'object':
        break;
      default:
        throw new InvalidArgError(`amf: cannot encode a ${typeof v} as AMF3`);
    }
    if (v === null) {
      w.u8(Amf3Marker.Null);
      return;
    }
    if (Array.isArray(v)) {
      w.u8(Amf3Marker.Array);
      if (this.ref(v)) return;
      this.enter(depth);
      this.u29Value(v.length, 'array length');
      w.u8(0x01); // no associative members
      for (let i = 0; i < v.length; i++) this.value(v[i], depth + 1);
      return;
    }
    if (v instanceof Date) {
      w.u8(Amf3Marker.Date);
      if (this.ref(v)) return;
      w.u8(0x01).f64(v.getTime());
      return;
    }
    if (v instanceof Uint8Array) {
      w.u8(Amf3Marker.ByteArray);
      if (this.ref(v)) return;
      this.u29Value(v.length, 'ByteArray length');
      w.bytes(v);
      return;
    }
    if (v instanceof AmfXmlDocument || v instanceof AmfXml) {
      w.u8(v instanceof AmfXml ? Amf3Marker.Xml : Amf3Marker.XmlDocument);
      if (this.ref(v)) return;
      const b = Buffer.from(v.xml, 'utf8');
      this.u29Value(b.length, 'XML length');
      w.bytes(b);
      return;
    }
    if (v instanceof AmfTypedObject) {
      w.u8(Amf3Marker.Object);
      if (this.ref(v)) return;
      this.enter(depth);
      this.dynamicObject(v.className, v.properties, depth + 1);
      return;
    }
    if (!isPlainObject(v)) {
      throw new InvalidArgError(`amf: cannot encode ${describe(v)} as AMF3`);
    }
    if (isEcmaArray(v)) {
      w.u8(Amf3Marker.Array);
      if (this.ref(v)) return;
      this.enter(depth);
      this.u29Value(0, 'array length');
      this.members(v, depth + 1, 'associative array');
      return;
    }
    w.u8(Amf3Marker.Object);
    if (this.ref(v)) return;
    this.enter(depth);
    this.dynamicObject('', v, depth + 1);
  }

  /** Traits (dynamic, no sealed members, class `className`) then the members. */
  private dynamicObject(className: string, props: AmfObject, depth: number): void {
    const idx = this.traits.get(className);
    if (idx !== undefined) {
      this.u29(idx * 4 + 1); // U29O-traits-ref: ...01
    } else {
      this.w.u8(0x0b); // U29O-traits: 0 sealed, dynamic, not externalizable, inline traits, inline object
      this.string(className);
      this.traits.set(className, this.traits.size);
    }
    this.members(props, depth, 'dynamic object');
  }

  /** name/value pairs closed by the empty string (assoc-value / dynamic-member lists). */
  private members(obj: AmfObject, depth: number, what: string): void {
    for (const k of Object.keys(obj)) {
      if (k === '') throw new InvalidArgError(`amf: an AMF3 ${what} cannot have a member named ""`);
      this.string(k);
      this.value(obj[k], depth);
    }
    this.w.u8(0x01);
  }
}

/** True for objects with Object.prototype or a null prototype (literals, decoded objects). */
export function isPlainObject(v: object): v is AmfObject {
  const p: unknown = Object.getPrototypeOf(v);
  return p === null || p === Object.prototype;
}

/** A short description of a value for an error message. */
export function describe(v: unknown): string {
  if (typeof v !== 'object' || v === null) return `a ${typeof v}`;
  const name = (v as { constructor?: { name?: unknown } }).constructor?.name;
  return typeof name === 'string' ? `an instance of ${name}` : 'an object';
}

/** Encodes `values` as consecutive AMF3 values (one set of tables); new Buffer, caller owns. */
export function encodeAmf3(values: readonly AmfValue[], opts?: AmfEncodeOptions): Buffer {
  const e = new Amf3Encoder(opts);
  for (const v of values) e.write(v);
  return e.finish();
}

/** Encodes one AMF3 value; new Buffer, caller owns. */
export function encodeAmf3Value(value: AmfValue, opts?: AmfEncodeOptions): Buffer {
  return new Amf3Encoder(opts).write(value).finish();
}
