import { packAnnexB, splitAnnexB } from './annex-b.js';
import { packLengthPrefixed, splitLengthPrefixed } from './length-prefixed.js';

/**
 * Annex B -> length-prefixed (ISO/IEC 14496-15 sample format): start codes and the zero bytes
 * around them are dropped, each NAL unit gets a `lengthSize`-byte big-endian length. New buffer,
 * caller owns it.
 */
export function annexBToLengthPrefixed(buf: Uint8Array, lengthSize = 4): Uint8Array {
  return packLengthPrefixed(splitAnnexB(buf), lengthSize);
}

/**
 * Length-prefixed -> Annex B with a 4-byte start code before every NAL unit. New buffer, caller
 * owns it. Throws ShortBufferError when a length runs past the end.
 */
export function lengthPrefixedToAnnexB(buf: Uint8Array, lengthSize = 4): Uint8Array {
  return packAnnexB(splitLengthPrefixed(buf, lengthSize));
}
