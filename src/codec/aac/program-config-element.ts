import type { BitReader } from '../../util/bit-reader.js';
import type { BitWriter } from '../../util/bit-writer.js';
import { InvalidArgError, ProtocolError } from '../../util/errors.js';

/** A front/side/back channel element of a PCE: a CPE (two channels) or an SCE (one). */
export interface PceChannelElement {
  isCpe: boolean;
  /** element_tag_select, 4 bits. */
  tagSelect: number;
}

/** A coupling channel element reference of a PCE. */
export interface PceCcElement {
  /** cc_element_is_ind_sw. */
  isIndSw: boolean;
  /** valid_cc_element_tag_select, 4 bits. */
  tagSelect: number;
}

/** program_config_element(), the channel layout when channelConfiguration is 0. */
export interface ProgramConfigElement {
  elementInstanceTag: number;
  /** object_type, 2 bits (audio object type - 1). */
  objectType: number;
  samplingFrequencyIndex: number;
  front: PceChannelElement[];
  side: PceChannelElement[];
  back: PceChannelElement[];
  /** lfe_element_tag_select per LFE element. */
  lfe: number[];
  /** assoc_data_element_tag_select per associated data element. */
  assocData: number[];
  cc: PceCcElement[];
  /** mono_mixdown_element_number when mono_mixdown_present. */
  monoMixdownElementNumber?: number;
  /** stereo_mixdown_element_number when stereo_mixdown_present. */
  stereoMixdownElementNumber?: number;
  /** matrix_mixdown_idx and pseudo_surround_enable when matrix_mixdown_idx_present. */
  matrixMixdown?: { idx: number; pseudoSurroundEnable: boolean };
  /** comment_field_data (view into the parsed input, or caller-provided when packing). */
  comment: Uint8Array;
}

/** Output channels a PCE describes: 2 per CPE, 1 per SCE, 1 per LFE (as decoders count them). */
export function pceChannelCount(pce: ProgramConfigElement): number {
  let n = pce.lfe.length;
  for (const e of [...pce.front, ...pce.side, ...pce.back]) n += e.isCpe ? 2 : 1;
  return n;
}

/**
 * program_config_element(), ISO/IEC 14496-3:2009 4.4.1.1 (Table 4.2):
 *
 *   element_instance_tag 4, object_type 2, sampling_frequency_index 4,
 *   num_front_channel_elements 4, num_side_channel_elements 4, num_back_channel_elements 4,
 *   num_lfe_channel_elements 2, num_assoc_data_elements 3, num_valid_cc_elements 4,
 *   mono_mixdown_present 1 [mono_mixdown_element_number 4],
 *   stereo_mixdown_present 1 [stereo_mixdown_element_number 4],
 *   matrix_mixdown_idx_present 1 [matrix_mixdown_idx 2, pseudo_surround_enable 1],
 *   front/side/back: (element_is_cpe 1, element_tag_select 4) each, lfe/assoc: tag_select 4 each,
 *   cc: (cc_element_is_ind_sw 1, valid_cc_element_tag_select 4) each,
 *   byte_alignment(), comment_field_bytes 8, comment_field_data 8 * comment_field_bytes
 *
 * Inside an AudioSpecificConfig the byte_alignment() is relative to the start of the
 * AudioSpecificConfig, so `r` must be positioned relative to that start. The alignment bits must
 * be zero (so that packing reproduces the input).
 */
export function readProgramConfigElement(r: BitReader, buf: Uint8Array): ProgramConfigElement {
  const elementInstanceTag = r.readBits(4);
  const objectType = r.readBits(2);
  const samplingFrequencyIndex = r.readBits(4);
  const numFront = r.readBits(4);
  const numSide = r.readBits(4);
  const numBack = r.readBits(4);
  const numLfe = r.readBits(2);
  const numAssoc = r.readBits(3);
  const numCc = r.readBits(4);
  const pce: ProgramConfigElement = {
    elementInstanceTag,
    objectType,
    samplingFrequencyIndex,
    front: [],
    side: [],
    back: [],
    lfe: [],
    assocData: [],
    cc: [],
    comment: new Uint8Array(0),
  };
  if (r.readFlag()) pce.monoMixdownElementNumber = r.readBits(4);
  if (r.readFlag()) pce.stereoMixdownElementNumber = r.readBits(4);
  if (r.readFlag()) pce.matrixMixdown = { idx: r.readBits(2), pseudoSurroundEnable: r.readFlag() };
  const elements = (n: number, out: PceChannelElement[]): void => {
    for (let i = 0; i < n; i++) out.push({ isCpe: r.readFlag(), tagSelect: r.readBits(4) });
  };
  elements(numFront, pce.front);
  elements(numSide, pce.side);
  elements(numBack, pce.back);
  for (let i = 0; i < numLfe; i++) pce.lfe.push(r.readBits(4));
  for (let i = 0; i < numAssoc; i++) pce.assocData.push(r.readBits(4));
  for (let i = 0; i < numCc; i++) pce.cc.push({ isIndSw: r.readFlag(), tagSelect: r.readBits(4) });
  const pad = (8 - (r.position & 7)) & 7;
  if (r.readBits(pad) !== 0) {
    throw new ProtocolError('aac: program_config_element byte_alignment bits are not zero');
  }
  const commentBytes = r.readBits(8);
  const start = r.position >>> 3;
  r.skipBits(commentBytes * 8);
  pce.comment = buf.subarray(start, start + commentBytes);
  return pce;
}

function checkField(name: string, v: number, bits: number): void {
  if (!Number.isInteger(v) || v < 0 || v >= 2 ** bits) {
    throw new InvalidArgError(`aac: program_config_element ${name} ${v} does not fit in ${bits} bits`);
  }
}

function checkCount(name: string, n: number, bits: number): void {
  if (n >= 2 ** bits) {
    throw new InvalidArgError(
      `aac: program_config_element has ${n} ${name} elements, at most ${2 ** bits - 1}`,
    );
  }
}

/** The inverse of readProgramConfigElement; `w` must be positioned relative to the ASC start. */
export function writeProgramConfigElement(w: BitWriter, pce: ProgramConfigElement): void {
  checkField('element_instance_tag', pce.elementInstanceTag, 4);
  checkField('object_type', pce.objectType, 2);
  checkField('sampling_frequency_index', pce.samplingFrequencyIndex, 4);
  checkCount('front', pce.front.length, 4);
  checkCount('side', pce.side.length, 4);
  checkCount('back', pce.back.length, 4);
  checkCount('lfe', pce.lfe.length, 2);
  checkCount('assoc data', pce.assocData.length, 3);
  checkCount('cc', pce.cc.length, 4);
  if (pce.comment.length > 255) {
    throw new InvalidArgError(
      `aac: program_config_element comment of ${pce.comment.length} bytes, at most 255`,
    );
  }
  w.writeBits(4, pce.elementInstanceTag);
  w.writeBits(2, pce.objectType);
  w.writeBits(4, pce.samplingFrequencyIndex);
  w.writeBits(4, pce.front.length);
  w.writeBits(4, pce.side.length);
  w.writeBits(4, pce.back.length);
  w.writeBits(2, pce.lfe.length);
  w.writeBits(3, pce.assocData.length);
  w.writeBits(4, pce.cc.length);
  const opt = (v: number | undefined, name: string): void => {
    w.writeBit(v !== undefined);
    if (v !== undefined) {
      checkField(name, v, 4);
      w.writeBits(4, v);
    }
  };
  opt(pce.monoMixdownElementNumber, 'mono_mixdown_element_number');
  opt(pce.stereoMixdownElementNumber, 'stereo_mixdown_element_number');
  w.writeBit(pce.matrixMixdown !== undefined);
  if (pce.matrixMixdown !== undefined) {
    checkField('matrix_mixdown_idx', pce.matrixMixdown.idx, 2);
    w.writeBits(2, pce.matrixMixdown.idx);
    w.writeBit(pce.matrixMixdown.pseudoSurroundEnable);
  }
  for (const e of [...pce.front, ...pce.side, ...pce.back]) {
    checkField('element_tag_select', e.tagSelect, 4);
    w.writeBit(e.isCpe);
    w.writeBits(4, e.tagSelect);
  }
  for (const t of [...pce.lfe, ...pce.assocData]) {
    checkField('element_tag_select', t, 4);
    w.writeBits(4, t);
  }
  for (const c of pce.cc) {
    checkField('valid_cc_element_tag_select', c.tagSelect, 4);
    w.writeBit(c.isIndSw);
    w.writeBits(4, c.tagSelect);
  }
  w.writeBits((8 - (w.bitLength & 7)) & 7, 0);
  w.writeBits(8, pce.comment.length);
  for (const b of pce.comment) w.writeBits(8, b);
}
