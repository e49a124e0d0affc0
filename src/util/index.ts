export * from './bele.js';
export { BitReader } from './bit-reader.js';
export { BitWriter } from './bit-writer.js';
export { ByteQueue } from './byte-queue.js';
export { ByteReader } from './byte-reader.js';
export { ByteWriter } from './byte-writer.js';
export * from './errors.js';
export { hex, unhex } from './hex.js';
