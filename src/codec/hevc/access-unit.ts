import { splitAnnexB } from '../nal/annex-b.js';
import { splitLengthPrefixed } from '../nal/length-prefixed.js';
import { type NalFraming, scanNalHeaders } from '../nal/scan.js';
import type { HevcDecoderConfigurationRecord } from './decoder-configuration-record.js';
import {
  HevcNalUnitType,
  hevcNalUnitType,
  isHevcIrapNalUnitType,
  isHevcVclNalUnitType,
} from './nal-unit-type.js';

/** What the NAL unit headers of an access unit say, up to and including its first slice segment. */
export interface HevcAccessUnitInfo {
  /** The picture is an IRAP (BLA, IDR or CRA; nal_unit_type 16..23): decoding can start here. */
  irap: boolean;
  /** The picture is an IDR (IDR_W_RADL or IDR_N_LP). */
  idr: boolean;
  /** A VPS comes before the first slice segment (parameter sets in-band). */
  hasVps: boolean;
  hasSps: boolean;
  hasPps: boolean;
  /** An access unit delimiter comes before the first slice segment. */
  hasAud: boolean;
  /** nal_unit_type of the first slice segment (0..31), or -1 when there is none. */
  firstSliceType: number;
}

/**
 * Inspects the NAL unit headers of an access unit (one picture), Annex B or length-prefixed. No
 * copies. The walk stops at the first VCL NAL unit: every slice segment of a picture has the same
 * nal_unit_type (ITU-T H.265 section 7.4.2.2), and parameter sets come first in practice
 * (those after the first slice are not reported). Throws ShortBufferError on a length that runs
 * past the end, ProtocolError on Annex B data without a start code, InvalidArgError on a length
 * size other than 1..4.
 */
export function inspectHevcAccessUnit(data: Uint8Array, framing: NalFraming): HevcAccessUnitInfo {
  const info: HevcAccessUnitInfo = {
    irap: false,
    idr: false,
    hasVps: false,
    hasSps: false,
    hasPps: false,
    hasAud: false,
    firstSliceType: -1,
  };
  scanNalHeaders(data, framing, (b0) => {
    const type = hevcNalUnitType(b0);
    if (isHevcVclNalUnitType(type)) {
      info.firstSliceType = type;
      info.irap = isHevcIrapNalUnitType(type);
      info.idr = type === HevcNalUnitType.IdrWRadl || type === HevcNalUnitType.IdrNLp;
      return true;
    }
    if (type === HevcNalUnitType.VpsNut) info.hasVps = true;
    else if (type === HevcNalUnitType.SpsNut) info.hasSps = true;
    else if (type === HevcNalUnitType.PpsNut) info.hasPps = true;
    else if (type === HevcNalUnitType.AudNut) info.hasAud = true;
    return false;
  });
  return info;
}

/** True when the access unit is an IRAP picture (a key frame); see inspectHevcAccessUnit. */
export function isHevcIrap(data: Uint8Array, framing: NalFraming): boolean {
  let irap = false;
  scanNalHeaders(data, framing, (b0) => {
    const type = hevcNalUnitType(b0);
    if (!isHevcVclNalUnitType(type)) return false;
    irap = isHevcIrapNalUnitType(type);
    return true;
  });
  return irap;
}

/** Parameter sets (and SEI) of a stream or record; views, in order. */
export interface HevcParameterSets {
  vps: Uint8Array[];
  sps: Uint8Array[];
  pps: Uint8Array[];
  /** Prefix and suffix SEI NAL units. */
  sei: Uint8Array[];
}

function collect(nalus: Iterable<Uint8Array>, out: HevcParameterSets): HevcParameterSets {
  for (const nal of nalus) {
    if (nal.length < 2) continue;
    const type = hevcNalUnitType(nal[0] as number);
    if (type === HevcNalUnitType.VpsNut) out.vps.push(nal);
    else if (type === HevcNalUnitType.SpsNut) out.sps.push(nal);
    else if (type === HevcNalUnitType.PpsNut) out.pps.push(nal);
    else if (type === HevcNalUnitType.PrefixSeiNut || type === HevcNalUnitType.SuffixSeiNut)
      out.sei.push(nal);
  }
  return out;
}

/**
 * Collects the VPS, SPS, PPS and SEI NAL units of an Annex B or length-prefixed buffer (views, no
 * copies), by the type in each NAL unit header. Scans the whole buffer.
 */
export function findHevcParameterSets(data: Uint8Array, framing: NalFraming): HevcParameterSets {
  const nalus = framing === 'annexb' ? splitAnnexB(data) : splitLengthPrefixed(data, framing);
  return collect(nalus, { vps: [], sps: [], pps: [], sei: [] });
}

/**
 * The VPS, SPS, PPS and SEI NAL units of a parsed record (views into it), by the type in each NAL
 * unit's own header (an array's NAL_unit_type is not trusted for this).
 */
export function hevcRecordParameterSets(rec: HevcDecoderConfigurationRecord): HevcParameterSets {
  const out: HevcParameterSets = { vps: [], sps: [], pps: [], sei: [] };
  for (const a of rec.arrays) collect(a.nalus, out);
  return out;
}
