import { InvalidArgError } from '../../util/errors.js';
import { checkLengthSize } from '../nal/length-prefixed.js';
import {
  type AvcDecoderConfigurationRecord,
  avcRecordHasHighProfileExt,
  packAvcDecoderConfigurationRecord,
} from './decoder-configuration-record.js';
import { AvcNalUnitType, avcNalUnitType } from './nal-unit-type.js';
import { parseAvcPps } from './pps.js';
import { parseAvcSps } from './sps.js';

/** Options of buildAvcDecoderConfigurationRecord / makeAvcDecoderConfigurationRecord. */
export interface BuildAvcRecordOptions {
  /** Size in bytes of the NAL unit lengths in the samples that go with the record: 1, 2 or 4. Default 4. */
  lengthSize?: number;
  /** Sequence parameter set extension NAL units (type 13) for the high-profile tail. Default none. */
  spsExt?: readonly Uint8Array[];
}

function asList(v: Uint8Array | readonly Uint8Array[]): readonly Uint8Array[] {
  return v instanceof Uint8Array ? [v] : v;
}

/**
 * Makes an AVCDecoderConfigurationRecord from SPS and PPS NAL units (header byte included, as
 * split from an Annex B stream), the way ffmpeg's `ff_isom_write_avcc` does: profile, the
 * compatibility byte and level are the first SPS's bytes 1..3, and for profiles other than
 * Baseline/Main/Extended the chroma format and bit depths come from the parsed SPS. Every NAL unit
 * is checked (an SPS must parse, a PPS must be a PPS). The NAL units are kept as given (not copied).
 */
export function makeAvcDecoderConfigurationRecord(
  sps: Uint8Array | readonly Uint8Array[],
  pps: Uint8Array | readonly Uint8Array[],
  options: BuildAvcRecordOptions = {},
): AvcDecoderConfigurationRecord {
  const spsList = asList(sps);
  const ppsList = asList(pps);
  const lengthSize = options.lengthSize ?? 4;
  checkLengthSize(lengthSize);
  const first = spsList[0];
  if (first === undefined) throw new InvalidArgError('avc: record: at least one SPS is needed');
  if (ppsList.length === 0) throw new InvalidArgError('avc: record: at least one PPS is needed');
  const parsed = parseAvcSps(first);
  for (let i = 1; i < spsList.length; i++) parseAvcSps(spsList[i] as Uint8Array);
  for (const p of ppsList) parseAvcPps(p);
  const spsExt = options.spsExt ?? [];
  for (const e of spsExt) {
    if (e.length < 1 || avcNalUnitType(e[0] as number) !== AvcNalUnitType.SpsExtension) {
      throw new InvalidArgError('avc: record: an SPS extension NAL unit must have type 13');
    }
  }
  const rec: AvcDecoderConfigurationRecord = {
    configurationVersion: 1,
    profileIndication: parsed.profile,
    profileCompatibility: parsed.constraintFlags,
    levelIndication: parsed.level,
    lengthSizeMinusOne: lengthSize - 1,
    sps: [...spsList],
    pps: [...ppsList],
  };
  if (avcRecordHasHighProfileExt(parsed.profile)) {
    rec.highProfileExt = {
      chromaFormat: parsed.chromaFormat,
      bitDepthLumaMinus8: parsed.bitDepthLuma - 8,
      bitDepthChromaMinus8: parsed.bitDepthChroma - 8,
      spsExt: [...spsExt],
    };
  }
  return rec;
}

/**
 * Builds the bytes of an AVCDecoderConfigurationRecord (FLV AVC sequence header body, MP4 avcC)
 * from SPS and PPS NAL units; see makeAvcDecoderConfigurationRecord. New bytes, caller owns them.
 */
export function buildAvcDecoderConfigurationRecord(
  sps: Uint8Array | readonly Uint8Array[],
  pps: Uint8Array | readonly Uint8Array[],
  options: BuildAvcRecordOptions = {},
): Uint8Array {
  return packAvcDecoderConfigurationRecord(makeAvcDecoderConfigurationRecord(sps, pps, options));
}
