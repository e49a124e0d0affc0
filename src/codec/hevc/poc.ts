import { ProtocolError } from '../../util/errors.js';
import { HevcNalUnitType, isHevcIrapNalUnitType } from './nal-unit-type.js';
import type { HevcSliceSegmentHeader } from './slice-header.js';
import type { HevcSps } from './sps.js';

/** The picture order count of one picture (ITU-T H.265 section 8.3.1). */
export interface HevcPicOrderCnt {
  /** PicOrderCntVal. */
  picOrderCntVal: number;
  /**
   * NoRaslOutputFlag of an IRAP picture (section 8.1.3): 1 for IDR and BLA pictures, for the first
   * picture of the stream and for the first picture after an end of sequence NAL unit; the picture
   * starts a new coded video sequence and PicOrderCntMsb restarts at 0. Always false for non-IRAP
   * pictures.
   */
  noRaslOutputFlag: boolean;
  /**
   * The picture starts a new picture order count period (an IRAP picture with NoRaslOutputFlag 1):
   * every earlier picture in decoding order is output before it, the counts after it are relative
   * to it.
   */
  reset: boolean;
}

/**
 * True for the sub-layer non-reference picture types (section 7.4.2.2: TRAIL_N, TSA_N, STSA_N,
 * RADL_N, RASL_N, RSV_VCL_N10/N12/N14: the even types up to 14).
 */
function isSubLayerNonReference(type: number): boolean {
  return type <= HevcNalUnitType.RsvVclN14 && type % 2 === 0;
}

/**
 * Derives PicOrderCntVal, ITU-T H.265 section 8.3.1. Feed it the first slice segment header of each
 * picture with its SPS, in decoding order, and call endOfSequence() on an end of sequence NAL unit.
 *
 *   if (IRAP && NoRaslOutputFlag) PicOrderCntMsb = 0
 *   else {
 *     prevPicOrderCntLsb/Msb = the lsb/msb of prevTid0Pic's PicOrderCntVal: the previous picture in
 *       decoding order with TemporalId 0 that is not a RASL, RADL or sub-layer non-reference picture
 *     (8-1) lsb < prevLsb && prevLsb - lsb >= MaxLsb / 2: Msb = prevMsb + MaxLsb
 *           lsb > prevLsb && lsb - prevLsb > MaxLsb / 2:  Msb = prevMsb - MaxLsb
 *           otherwise Msb = prevMsb
 *   }
 *   PicOrderCntVal = PicOrderCntMsb + slice_pic_order_cnt_lsb   (8-2)
 *
 * HandleCraAsBlaFlag (set by external means) is taken as 0. Only base layer pictures
 * (nuh_layer_id 0) are expected.
 */
export class HevcPicOrderCounter {
  private first = true;
  private afterEos = false;
  private prevTid0Poc = 0;

  /** An end of sequence NAL unit (EOS_NUT) came: the next picture has NoRaslOutputFlag 1. */
  endOfSequence(): void {
    this.afterEos = true;
  }

  /** The picture order count of the picture whose first slice segment header is `h`. */
  next(h: HevcSliceSegmentHeader, sps: HevcSps): HevcPicOrderCnt {
    if (h.spsId !== sps.spsId) {
      throw new ProtocolError(`hevc: poc: the slice refers to SPS ${h.spsId}, not ${sps.spsId}`);
    }
    const lsb = h.slicePicOrderCntLsb;
    if (lsb === undefined) {
      throw new ProtocolError('hevc: poc: a dependent slice segment does not start a picture');
    }
    const t = h.nalUnitType;
    const irap = isHevcIrapNalUnitType(t);
    const idrOrBla = t >= HevcNalUnitType.BlaWLp && t <= HevcNalUnitType.IdrNLp;
    const noRaslOutputFlag = irap && (idrOrBla || this.first || this.afterEos);
    this.first = false;
    this.afterEos = false;

    let msb = 0;
    if (!noRaslOutputFlag) {
      const maxLsb = 2 ** sps.log2MaxPicOrderCntLsb;
      const prevLsb = ((this.prevTid0Poc % maxLsb) + maxLsb) % maxLsb;
      const prevMsb = this.prevTid0Poc - prevLsb;
      if (lsb < prevLsb && prevLsb - lsb >= maxLsb / 2) msb = prevMsb + maxLsb;
      else if (lsb > prevLsb && lsb - prevLsb > maxLsb / 2) msb = prevMsb - maxLsb;
      else msb = prevMsb;
    }
    const picOrderCntVal = msb + lsb;

    const leading =
      t === HevcNalUnitType.RadlN ||
      t === HevcNalUnitType.RadlR ||
      t === HevcNalUnitType.RaslN ||
      t === HevcNalUnitType.RaslR;
    if (h.temporalId === 0 && !leading && !isSubLayerNonReference(t)) this.prevTid0Poc = picOrderCntVal;
    return { picOrderCntVal, noRaslOutputFlag, reset: noRaslOutputFlag };
  }
}
