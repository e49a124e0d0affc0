import { ProtocolError } from '../../util/errors.js';

/**
 * Sampling frequencies by samplingFrequencyIndex, ISO/IEC 14496-3:2009 1.6.3, Table 1.18.
 * Indices 0xd and 0xe are reserved; 0xf (AAC_EXPLICIT_FREQUENCY_INDEX) means the frequency follows
 * as an explicit 24-bit value.
 */
export const AAC_SAMPLE_RATES: readonly number[] = Object.freeze([
  96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350,
]);

/** samplingFrequencyIndex escape value: an explicit 24-bit samplingFrequency follows. */
export const AAC_EXPLICIT_FREQUENCY_INDEX = 0xf;

/**
 * Channels by channelConfiguration, ISO/IEC 14496-3:2009 1.6.3, Table 1.19 as amended (11: 6.1,
 * 12: 7.1 rear, 13: 22.2, 14: 7.1 top front). 0 means "defined by a program_config_element"; the
 * reserved values 8, 9, 10 and 15 are 0 here as well (see isReservedChannelConfiguration).
 */
export const AAC_CHANNEL_COUNTS: readonly number[] = Object.freeze([
  0, 1, 2, 3, 4, 5, 6, 8, 0, 0, 0, 7, 8, 24, 8, 0,
]);

/** The frequency in Hz for index 0..12; a ProtocolError for the reserved and escape values. */
export function sampleRateFromIndex(index: number): number {
  const hz = AAC_SAMPLE_RATES[index];
  if (hz === undefined || !Number.isInteger(index)) {
    throw new ProtocolError(`aac: samplingFrequencyIndex ${index} has no table frequency`);
  }
  return hz;
}

/** The table index whose frequency is exactly `hz`, or undefined (then index 15 + explicit Hz). */
export function samplingFrequencyIndexOf(hz: number): number | undefined {
  const i = AAC_SAMPLE_RATES.indexOf(hz);
  return i < 0 ? undefined : i;
}

/**
 * The table index a decoder uses for a frequency that is not in Table 1.18 (ISO/IEC 14496-3:2009
 * 4.5.1.1 Table 4.82, "sampling frequency mapping"): the index of the nearest table frequency.
 */
export function nearestSamplingFrequencyIndex(hz: number): number {
  const bounds = [92017, 75132, 55426, 46009, 37566, 27713, 23004, 18783, 13856, 11502, 9391];
  for (let i = 0; i < bounds.length; i++) {
    if (hz >= (bounds[i] as number)) return i;
  }
  return bounds.length;
}

/** True for channelConfiguration values Table 1.19 reserves (8, 9, 10, 15) or that are out of range. */
export function isReservedChannelConfiguration(cc: number): boolean {
  return !Number.isInteger(cc) || cc < 0 || cc > 14 || (cc >= 8 && cc <= 10);
}
