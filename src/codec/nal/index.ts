export type { AnnexBSplitterOptions } from './annex-b.js';
export {
  AnnexBSplitter,
  DEFAULT_MAX_NALU_SIZE,
  findStartCode,
  packAnnexB,
  splitAnnexB,
  startsWithStartCode,
} from './annex-b.js';
export { annexBToLengthPrefixed, lengthPrefixedToAnnexB } from './convert.js';
export { ebspToRbsp, rbspToEbsp } from './emulation-prevention.js';
export {
  checkLengthSize,
  iterateLengthPrefixed,
  nextLengthPrefixed,
  packLengthPrefixed,
  readNaluLength,
  splitLengthPrefixed,
} from './length-prefixed.js';
export type { NalFraming } from './scan.js';
export { scanNalHeaders } from './scan.js';
