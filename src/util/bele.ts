/**
 * Big/little-endian integer access on Uint8Array, without bounds checks: the caller has checked
 * the length (see ByteReader for a checked cursor). Values up to 32 bits are returned as unsigned
 * numbers; no bitwise operation is applied to a value that can exceed 31 bits.
 */

export function be16(b: Uint8Array, off: number): number {
  return ((b[off] as number) << 8) | (b[off + 1] as number);
}

export function be24(b: Uint8Array, off: number): number {
  return ((b[off] as number) << 16) | ((b[off + 1] as number) << 8) | (b[off + 2] as number);
}

/** Signed 24-bit big-endian (FLV composition time). */
export function be24s(b: Uint8Array, off: number): number {
  const v = be24(b, off);
  return v & 0x800000 ? v - 0x1000000 : v;
}

export function be32(b: Uint8Array, off: number): number {
  return (b[off] as number) * 0x1000000 + be24(b, off + 1);
}

export function le16(b: Uint8Array, off: number): number {
  return (b[off] as number) | ((b[off + 1] as number) << 8);
}

export function le24(b: Uint8Array, off: number): number {
  return (b[off] as number) | ((b[off + 1] as number) << 8) | ((b[off + 2] as number) << 16);
}

export function le32(b: Uint8Array, off: number): number {
  return le24(b, off) + (b[off + 3] as number) * 0x1000000;
}

export function putBe16(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 8) & 0xff;
  b[off + 1] = v & 0xff;
}

export function putBe24(b: Uint8Array, off: number, v: number): void {
  b[off] = (v >>> 16) & 0xff;
  b[off + 1] = (v >>> 8) & 0xff;
  b[off + 2] = v & 0xff;
}

export function putBe32(b: Uint8Array, off: number, v: number): void {
  const u = v >>> 0;
  b[off] = u >>> 24;
  b[off + 1] = (u >>> 16) & 0xff;
  b[off + 2] = (u >>> 8) & 0xff;
  b[off + 3] = u & 0xff;
}

export function putLe32(b: Uint8Array, off: number, v: number): void {
  const u = v >>> 0;
  b[off] = u & 0xff;
  b[off + 1] = (u >>> 8) & 0xff;
  b[off + 2] = (u >>> 16) & 0xff;
  b[off + 3] = u >>> 24;
}

const f64 = new DataView(new ArrayBuffer(8));

/** IEEE-754 double, big-endian (AMF0 number). */
export function beF64(b: Uint8Array, off: number): number {
  for (let i = 0; i < 8; i++) f64.setUint8(i, b[off + i] as number);
  return f64.getFloat64(0, false);
}

export function putBeF64(b: Uint8Array, off: number, v: number): void {
  f64.setFloat64(0, v, false);
  for (let i = 0; i < 8; i++) b[off + i] = f64.getUint8(i);
}
