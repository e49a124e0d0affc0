import { InvalidArgError } from '../../util/errors.js';

/**
 * Limits for decoding untrusted AMF. Exceeding one throws LimitError. Every count and length read
 * from the wire is checked against its limit and against the bytes left before anything is
 * allocated for it, so these bound work and memory on top of the input size.
 */
export interface AmfDecodeOptions {
  /**
   * Deepest nesting of containers (objects, ECMA/strict arrays, typed objects, AMF3 arrays,
   * objects and object vectors), AMF0 and AMF3 together; a top-level object is depth 1.
   * Default 64, at most 500 (measured: the stack holds over 2000 levels on Node 20 defaults).
   */
  maxDepth?: number;
  /** Longest single string in UTF-8 bytes: strings, long strings, keys, XML text. Default 1 MiB. */
  maxStringLength?: number;
  /** Longest AMF3 ByteArray in bytes. Default 16 MiB. */
  maxByteArrayLength?: number;
  /**
   * Most members or elements in one container (object/ECMA array members, strict array elements,
   * AMF3 array/vector elements, sealed trait members). Default 1,048,576.
   */
  maxItems?: number;
}

/** Options for the encoders. */
export interface AmfEncodeOptions {
  /**
   * Deepest nesting of containers, counted as in AmfDecodeOptions.maxDepth. A deeper value (or a
   * cycle when references are off) throws LimitError. Default 64, at most 500.
   */
  maxDepth?: number;
  /**
   * Write an object, array or typed object that already appeared earlier in the same encode call
   * as a reference (AMF0 section 2.9, AMF3 object table) instead of writing it again; this is what
   * the specs ask and what makes cyclic values encodable. Default true.
   */
  useReferences?: boolean;
}

/** AmfDecodeOptions with every field filled in. */
export interface ResolvedDecodeOptions {
  readonly maxDepth: number;
  readonly maxStringLength: number;
  readonly maxByteArrayLength: number;
  readonly maxItems: number;
}

/** AmfEncodeOptions with every field filled in. */
export interface ResolvedEncodeOptions {
  readonly maxDepth: number;
  readonly useReferences: boolean;
}

/** Hard ceiling for maxDepth: recursion this deep still fits Node's default stack. */
export const AMF_MAX_DEPTH_CEILING = 500;

export const DEFAULT_DECODE_OPTIONS: ResolvedDecodeOptions = Object.freeze({
  maxDepth: 64,
  maxStringLength: 1 << 20,
  maxByteArrayLength: 16 << 20,
  maxItems: 1 << 20,
});

export const DEFAULT_ENCODE_OPTIONS: ResolvedEncodeOptions = Object.freeze({
  maxDepth: 64,
  useReferences: true,
});

function checkCount(name: string, v: number, max: number): number {
  if (!Number.isInteger(v) || v < 0 || v > max) {
    throw new InvalidArgError(`amf: option ${name} must be an integer in 0..${max}, got ${v}`);
  }
  return v;
}

export function resolveDecodeOptions(opts?: AmfDecodeOptions): ResolvedDecodeOptions {
  if (opts === undefined) return DEFAULT_DECODE_OPTIONS;
  const d = DEFAULT_DECODE_OPTIONS;
  return {
    maxDepth: checkCount('maxDepth', opts.maxDepth ?? d.maxDepth, AMF_MAX_DEPTH_CEILING),
    maxStringLength: checkCount('maxStringLength', opts.maxStringLength ?? d.maxStringLength, 0xffffffff),
    maxByteArrayLength: checkCount(
      'maxByteArrayLength',
      opts.maxByteArrayLength ?? d.maxByteArrayLength,
      0xfffffff,
    ),
    maxItems: checkCount('maxItems', opts.maxItems ?? d.maxItems, 0xffffffff),
  };
}

export function resolveEncodeOptions(opts?: AmfEncodeOptions): ResolvedEncodeOptions {
  if (opts === undefined) return DEFAULT_ENCODE_OPTIONS;
  return {
    maxDepth: checkCount('maxDepth', opts.maxDepth ?? DEFAULT_ENCODE_OPTIONS.maxDepth, AMF_MAX_DEPTH_CEILING),
    useReferences: opts.useReferences ?? DEFAULT_ENCODE_OPTIONS.useReferences,
  };
}
