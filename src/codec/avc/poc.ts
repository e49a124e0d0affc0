import { ProtocolError } from '../../util/errors.js';
import type { AvcSliceHeader } from './slice-header.js';
import type { AvcSps } from './sps.js';

/** The picture order count of one picture (ITU-T H.264 section 8.2.1). */
export interface AvcPicOrderCnt {
  /** TopFieldOrderCnt, for a frame or a top field. */
  topFieldOrderCnt?: number;
  /** BottomFieldOrderCnt, for a frame or a bottom field. */
  bottomFieldOrderCnt?: number;
  /**
   * PicOrderCnt(CurrPic) (equation 8-1): Min(TopFieldOrderCnt, BottomFieldOrderCnt) of a frame, the
   * field's own count for a field. For a picture with memory_management_control_operation 5 this
   * (and the two field counts) is the value after its decoding, tempPicOrderCnt subtracted: 0.
   */
  picOrderCnt: number;
  /**
   * The picture starts a new picture order count period: an IDR picture, or one with
   * memory_management_control_operation 5. Every picture before it in decoding order is output
   * before it (Annex C.4.4), and the counts after it are relative to it.
   */
  reset: boolean;
}

/**
 * Derives picture order counts, ITU-T H.264 (ISO/IEC 14496-10) section 8.2.1, for
 * pic_order_cnt_type 0 (8.2.1.1), 1 (8.2.1.2) and 2 (8.2.1.3). Feed it one slice header per picture
 * (its first slice; every slice of a picture has the same POC fields) with the active SPS, in
 * decoding order. State kept between pictures:
 *
 * - type 0: prevPicOrderCntMsb / prevPicOrderCntLsb of the previous reference picture (0 after an
 *   IDR; after memory_management_control_operation 5, 0 and the TopFieldOrderCnt left after it);
 * - types 1 and 2: prevFrameNum and prevFrameNumOffset of the previous picture (both 0 after
 *   memory_management_control_operation 5, whose picture is inferred to have frame_num 0).
 *
 * Gaps in frame_num (8.2.5.2) are not simulated: they change neither count. Pure arithmetic on
 * numbers below 2^53, no bitwise operations on the counts.
 */
export class AvcPicOrderCounter {
  private prevPicOrderCntMsb = 0;
  private prevPicOrderCntLsb = 0;
  private prevFrameNumOffset = 0;
  private prevFrameNum = 0;

  /** The picture order count of the picture whose (first) slice header is `h`; `sps` is its SPS. */
  next(h: AvcSliceHeader, sps: AvcSps): AvcPicOrderCnt {
    if (h.spsId !== sps.spsId) {
      throw new ProtocolError(`avc: poc: the slice refers to SPS ${h.spsId}, not ${sps.spsId}`);
    }
    const maxFrameNum = 2 ** sps.log2MaxFrameNum;
    const field = h.fieldPic;
    const bottom = field && h.bottomField;
    let top: number | undefined;
    let bot: number | undefined;

    // FrameNumOffset (8-6, 8-11), used by types 1 and 2 and kept by all.
    let frameNumOffset = this.prevFrameNumOffset;
    if (h.idr) frameNumOffset = 0;
    else if (this.prevFrameNum > h.frameNum) frameNumOffset = this.prevFrameNumOffset + maxFrameNum;

    let picOrderCntMsb = 0;
    if (sps.picOrderCntType === 0) {
      const lsb = h.picOrderCntLsb ?? 0;
      const maxLsb = 2 ** sps.log2MaxPicOrderCntLsb;
      const prevMsb = h.idr ? 0 : this.prevPicOrderCntMsb;
      const prevLsb = h.idr ? 0 : this.prevPicOrderCntLsb;
      // 8-3
      if (lsb < prevLsb && prevLsb - lsb >= maxLsb / 2) picOrderCntMsb = prevMsb + maxLsb;
      else if (lsb > prevLsb && lsb - prevLsb > maxLsb / 2) picOrderCntMsb = prevMsb - maxLsb;
      else picOrderCntMsb = prevMsb;
      // 8-4, 8-5
      if (!bottom) top = picOrderCntMsb + lsb;
      if (!field) bot = (top ?? 0) + (h.deltaPicOrderCntBottom ?? 0);
      else if (bottom) bot = picOrderCntMsb + lsb;
    } else if (sps.picOrderCntType === 1) {
      const p = sps.pocType1;
      if (!p) throw new ProtocolError('avc: poc: pic_order_cnt_type 1 without its SPS parameters');
      const cycle = p.offsetForRefFrame.length;
      // 8-7
      let absFrameNum = cycle !== 0 ? frameNumOffset + h.frameNum : 0;
      if (h.nalRefIdc === 0 && absFrameNum > 0) absFrameNum--;
      // 8-8, 8-9
      let expected = 0;
      if (absFrameNum > 0) {
        let expectedDeltaPerCycle = 0;
        for (const o of p.offsetForRefFrame) expectedDeltaPerCycle += o;
        const cycleCnt = Math.floor((absFrameNum - 1) / cycle);
        const inCycle = (absFrameNum - 1) % cycle;
        expected = cycleCnt * expectedDeltaPerCycle;
        for (let i = 0; i <= inCycle; i++) expected += p.offsetForRefFrame[i] ?? 0;
      }
      if (h.nalRefIdc === 0) expected += p.offsetForNonRefPic;
      // 8-10
      const [d0, d1] = h.deltaPicOrderCnt ?? [0, 0];
      if (!field) {
        top = expected + d0;
        bot = top + p.offsetForTopToBottomField + d1;
      } else if (!bottom) {
        top = expected + d0;
      } else {
        bot = expected + p.offsetForTopToBottomField + d0;
      }
    } else if (sps.picOrderCntType === 2) {
      // 8-12
      let temp = 0;
      if (!h.idr) temp = 2 * (frameNumOffset + h.frameNum) - (h.nalRefIdc === 0 ? 1 : 0);
      // 8-13
      if (!bottom) top = temp;
      if (!field || bottom) bot = temp;
    } else {
      throw new ProtocolError(`avc: poc: pic_order_cnt_type ${sps.picOrderCntType} is outside 0..2`);
    }

    // 8-1
    let picOrderCnt = top !== undefined && bot !== undefined ? Math.min(top, bot) : (top ?? bot ?? 0);
    if (h.mmco5) {
      // After decoding (8.2.1): tempPicOrderCnt = PicOrderCnt(CurrPic) is subtracted from the counts.
      const temp = picOrderCnt;
      if (top !== undefined) top -= temp;
      if (bot !== undefined) bot -= temp;
      picOrderCnt = 0;
    }

    // State for the next picture.
    if (sps.picOrderCntType === 0 && h.nalRefIdc !== 0) {
      if (h.mmco5) {
        this.prevPicOrderCntMsb = 0;
        this.prevPicOrderCntLsb = bottom ? 0 : (top ?? 0);
      } else {
        this.prevPicOrderCntMsb = picOrderCntMsb;
        this.prevPicOrderCntLsb = h.picOrderCntLsb ?? 0;
      }
    }
    this.prevFrameNumOffset = h.mmco5 ? 0 : frameNumOffset;
    this.prevFrameNum = h.mmco5 ? 0 : h.frameNum;

    const out: AvcPicOrderCnt = { picOrderCnt, reset: h.idr || h.mmco5 };
    if (top !== undefined) out.topFieldOrderCnt = top;
    if (bot !== undefined) out.bottomFieldOrderCnt = bot;
    return out;
  }
}
