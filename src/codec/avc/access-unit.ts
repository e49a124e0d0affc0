import { splitAnnexB } from '../nal/annex-b.js';
import { splitLengthPrefixed } from '../nal/length-prefixed.js';
import { type NalFraming, scanNalHeaders } from '../nal/scan.js';
import { AvcNalUnitType, avcNalUnitType, isAvcVclNalUnitType } from './nal-unit-type.js';

/** What the NAL unit headers of an access unit say, up to and including its first slice. */
export interface AvcAccessUnitInfo {
  /** The access unit holds an IDR picture (its slices have nal_unit_type 5). */
  keyFrame: boolean;
  /** An SPS (type 7) comes before the first slice (parameter sets in-band). */
  hasSps: boolean;
  /** A PPS (type 8) comes before the first slice. */
  hasPps: boolean;
  /** An access unit delimiter (type 9) comes before the first slice. */
  hasAud: boolean;
  /** nal_unit_type of the first slice (1..5), or -1 when there is no slice. */
  firstSliceType: number;
}

/**
 * Inspects the NAL unit headers of an access unit (one video frame), Annex B or length-prefixed.
 * No copies. The walk stops at the first slice: all slices of a primary coded picture share the
 * IDR-ness (ITU-T H.264 section 7.4.1.2.4), and parameter sets and delimiters come first in
 * practice (section 7.4.1.2.3 would allow parameter sets between slices; those are not reported).
 * Throws ShortBufferError on a length that runs past the end, ProtocolError on Annex B data
 * without a start code, InvalidArgError on a length size other than 1..4.
 */
export function inspectAvcAccessUnit(data: Uint8Array, framing: NalFraming): AvcAccessUnitInfo {
  const info: AvcAccessUnitInfo = {
    keyFrame: false,
    hasSps: false,
    hasPps: false,
    hasAud: false,
    firstSliceType: -1,
  };
  scanNalHeaders(data, framing, (b0) => {
    const type = avcNalUnitType(b0);
    if (isAvcVclNalUnitType(type)) {
      info.firstSliceType = type;
      info.keyFrame = type === AvcNalUnitType.IdrSlice;
      return true;
    }
    if (type === AvcNalUnitType.Sps) info.hasSps = true;
    else if (type === AvcNalUnitType.Pps) info.hasPps = true;
    else if (type === AvcNalUnitType.Aud) info.hasAud = true;
    return false;
  });
  return info;
}

/** True when the access unit holds an IDR picture; see inspectAvcAccessUnit. */
export function isAvcKeyFrame(data: Uint8Array, framing: NalFraming): boolean {
  let key = false;
  scanNalHeaders(data, framing, (b0) => {
    const type = avcNalUnitType(b0);
    if (!isAvcVclNalUnitType(type)) return false;
    key = type === AvcNalUnitType.IdrSlice;
    return true;
  });
  return key;
}

/** The parameter sets found in a stream or access unit (views into it). */
export interface AvcParameterSets {
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** SPS extension NAL units (type 13). */
  spsExt: Uint8Array[];
}

/**
 * Collects the SPS, PPS and SPS extension NAL units of an Annex B or length-prefixed buffer, in
 * order (views, no copies), e.g. to build a decoder configuration record with
 * buildAvcDecoderConfigurationRecord. Scans the whole buffer.
 */
export function findAvcParameterSets(data: Uint8Array, framing: NalFraming): AvcParameterSets {
  const nalus = framing === 'annexb' ? splitAnnexB(data) : splitLengthPrefixed(data, framing);
  const out: AvcParameterSets = { sps: [], pps: [], spsExt: [] };
  for (const nal of nalus) {
    const type = avcNalUnitType(nal[0] as number);
    if (type === AvcNalUnitType.Sps) out.sps.push(nal);
    else if (type === AvcNalUnitType.Pps) out.pps.push(nal);
    else if (type === AvcNalUnitType.SpsExtension) out.spsExt.push(nal);
  }
  return out;
}
