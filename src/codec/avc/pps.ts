import { BitReader } from '../../util/bit-reader.js';
import { ProtocolError, ShortBufferError } from '../../util/errors.js';
import { ebspToRbsp } from '../nal/emulation-prevention.js';
import { AvcNalUnitType, avcNalUnitType } from './nal-unit-type.js';

/** The leading fields of a picture parameter set. */
export interface AvcPps {
  ppsId: number;
  /** The SPS this PPS refers to. */
  spsId: number;
  /** entropy_coding_mode_flag: true for CABAC, false for CAVLC. */
  entropyCodingModeFlag: boolean;
}

/**
 * Parses the head of a picture parameter set NAL unit (with its one-byte header).
 *
 * ITU-T H.264 (ISO/IEC 14496-10) section 7.3.2.2 pic_parameter_set_rbsp():
 *
 *   pic_parameter_set_id ue(v)       0..255
 *   seq_parameter_set_id ue(v)       0..31
 *   entropy_coding_mode_flag u(1)
 *   ... (not parsed)
 */
export function parseAvcPps(nal: Uint8Array): AvcPps {
  if (nal.length < 1) throw new ShortBufferError('avc: pps', 1, 0);
  const type = avcNalUnitType(nal[0] as number);
  if (type !== AvcNalUnitType.Pps) {
    throw new ProtocolError(`avc: pps: NAL unit type is ${type}, not ${AvcNalUnitType.Pps}`);
  }
  const r = new BitReader(ebspToRbsp(nal.subarray(1)), 'avc: pps');
  const ppsId = r.readUE();
  if (ppsId > 255) throw new ProtocolError(`avc: pps: pic_parameter_set_id ${ppsId} is outside 0..255`);
  const spsId = r.readUE();
  if (spsId > 31) throw new ProtocolError(`avc: pps: seq_parameter_set_id ${spsId} is outside 0..31`);
  const entropyCodingModeFlag = r.readFlag();
  return { ppsId, spsId, entropyCodingModeFlag };
}
