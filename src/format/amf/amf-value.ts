/**
 * The JS representation of AMF values, shared by the AMF0 and AMF3 decoders and encoders.
 *
 * | AMF                                   | JS                                                         |
 * | ------------------------------------- | ---------------------------------------------------------- |
 * | number, AMF3 integer / double         | `number`                                                   |
 * | boolean, AMF3 false / true            | `boolean`                                                  |
 * | string, long string                   | `string`                                                   |
 * | null / undefined                      | `null` / `undefined`                                       |
 * | strict array, AMF3 dense array        | `AmfValue[]`                                               |
 * | object, AMF3 anonymous object         | `AmfObject` (null-prototype plain object)                  |
 * | ECMA array, AMF3 associative array    | `AmfObject` marked as ECMA array (see `ecmaArray`)         |
 * | date                                  | `Date` (AMF0 time zone ignored on read, written as 0)      |
 * | XML document (AMF0 0x0F, AMF3 0x07)   | `AmfXmlDocument`                                           |
 * | AMF3 XML (E4X, 0x0B)                  | `AmfXml`                                                   |
 * | typed object, AMF3 named-class object | `AmfTypedObject`                                           |
 * | unsupported (AMF0 0x0D)               | `AMF_UNSUPPORTED`                                          |
 * | AMF3 ByteArray                        | `Uint8Array` (new, caller owns)                            |
 * | AMF3 Vector.<int/uint/Number/Object>  | `AmfValue[]` (decode only; the fixed flag and type dropped) |
 */

/** AMF0 type markers (Adobe "AMF0 File Format Specification" section 2.1). */
export enum Amf0Marker {
  Number = 0x00,
  Boolean = 0x01,
  String = 0x02,
  Object = 0x03,
  /** Reserved, not supported. */
  MovieClip = 0x04,
  Null = 0x05,
  Undefined = 0x06,
  Reference = 0x07,
  EcmaArray = 0x08,
  ObjectEnd = 0x09,
  StrictArray = 0x0a,
  Date = 0x0b,
  LongString = 0x0c,
  Unsupported = 0x0d,
  /** Reserved, not supported. */
  RecordSet = 0x0e,
  XmlDocument = 0x0f,
  TypedObject = 0x10,
  /** Switches the next value to AMF3 (section 3.1). */
  AvmPlusObject = 0x11,
}

/** AMF3 type markers (Adobe "AMF 3 Specification" section 3.1). */
export enum Amf3Marker {
  Undefined = 0x00,
  Null = 0x01,
  False = 0x02,
  True = 0x03,
  Integer = 0x04,
  Double = 0x05,
  String = 0x06,
  XmlDocument = 0x07,
  Date = 0x08,
  Array = 0x09,
  Object = 0x0a,
  Xml = 0x0b,
  ByteArray = 0x0c,
  VectorInt = 0x0d,
  VectorUint = 0x0e,
  VectorDouble = 0x0f,
  VectorObject = 0x10,
  Dictionary = 0x11,
}

/** Any value an AMF0 or AMF3 decoder returns or an encoder accepts. */
export type AmfValue =
  | number
  | boolean
  | string
  | null
  | undefined
  | Date
  | AmfValue[]
  | AmfObject
  | AmfXmlDocument
  | AmfXml
  | AmfTypedObject
  | AmfUnsupported
  | Uint8Array;

/**
 * An anonymous object or ECMA array. Decoders always build it with a null prototype, so a wire key
 * such as `__proto__` or `constructor` is an ordinary own property and never touches a prototype.
 */
export interface AmfObject {
  [key: string]: AmfValue;
}

/** AMF0 XML document (0x0F) and AMF3 XMLDocument (0x07): the XML text, unparsed. */
export class AmfXmlDocument {
  readonly xml: string;
  constructor(xml: string) {
    this.xml = xml;
  }
}

/** AMF3 XML (E4X, 0x0B): the XML text, unparsed. AMF0 has no such type: it is written as 0x0F. */
export class AmfXml {
  readonly xml: string;
  constructor(xml: string) {
    this.xml = xml;
  }
}

/** AMF0 typed object (0x10) and AMF3 object with a class name: the alias and the members. */
export class AmfTypedObject {
  readonly className: string;
  /** The members, a null-prototype object. */
  readonly properties: AmfObject;
  constructor(className: string, properties: AmfObject | Record<string, AmfValue> = {}) {
    this.className = className;
    this.properties = amfObject(properties);
  }
}

/** The AMF0 unsupported marker (0x0D): a value the sender could not serialize. */
export class AmfUnsupported {
  private constructor() {}
  /** The one instance; decoders return it, encoders write 0x0D for it. */
  static readonly instance: AmfUnsupported = new AmfUnsupported();
}

/** The AMF0 unsupported value (0x0D). */
export const AMF_UNSUPPORTED: AmfUnsupported = AmfUnsupported.instance;

/** Marks an AmfObject that is an ECMA array; non-enumerable so it never shows up as a key. */
const ECMA_ARRAY: unique symbol = Symbol.for('lalts.amf.ecmaArray') as never;

/**
 * A new null-prototype object with the own enumerable string keys of `entries` (an object or
 * [key, value] pairs). Safe for any key: `__proto__` becomes an ordinary own property.
 */
export function amfObject(
  entries: Record<string, AmfValue> | Iterable<readonly [string, AmfValue]> = {},
): AmfObject {
  const out: AmfObject = Object.create(null);
  if (isIterable(entries)) {
    for (const [k, v] of entries) out[k] = v;
  } else {
    for (const k of Object.keys(entries)) out[k] = entries[k];
  }
  return out;
}

/**
 * A new ECMA array (AMF0 0x08, e.g. onMetaData): a null-prototype object carrying a hidden marker
 * so that the encoders write it back as an ECMA array (AMF3: an associative array) rather than an
 * anonymous object.
 */
export function ecmaArray(
  entries: Record<string, AmfValue> | Iterable<readonly [string, AmfValue]> = {},
): AmfObject {
  return markEcmaArray(amfObject(entries));
}

/** True when `v` was decoded from, or built as, an ECMA array. */
export function isEcmaArray(v: unknown): v is AmfObject {
  return typeof v === 'object' && v !== null && (v as { [ECMA_ARRAY]?: true })[ECMA_ARRAY] === true;
}

/** Marks `obj` in place as an ECMA array; internal to the decoders. */
export function markEcmaArray(obj: AmfObject): AmfObject {
  Object.defineProperty(obj, ECMA_ARRAY, { value: true, enumerable: false });
  return obj;
}

/** A new empty ECMA array; internal to the decoders (cheaper than `ecmaArray()`). */
export function newEcmaArray(): AmfObject {
  return markEcmaArray(Object.create(null));
}

function isIterable(x: unknown): x is Iterable<readonly [string, AmfValue]> {
  return typeof (x as { [Symbol.iterator]?: unknown })[Symbol.iterator] === 'function';
}
