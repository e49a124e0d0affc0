import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { BitWriter } from '../../util/bit-writer.js';
import { InvalidArgError, LalError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { unhex } from '../../util/hex.js';
import { packAnnexB, packLengthPrefixed, rbspToEbsp, splitAnnexB } from '../nal/index.js';
import {
  type AvcDecoderConfigurationRecord,
  AvcNalUnitType,
  avcNalUnitType,
  buildAvcDecoderConfigurationRecord,
  findAvcParameterSets,
  inspectAvcAccessUnit,
  isAvcKeyFrame,
  makeAvcDecoderConfigurationRecord,
  packAvcDecoderConfigurationRecord,
  parseAvcDecoderConfigurationRecord,
  parseAvcPps,
  parseAvcSps,
} from './index.js';

/*
 * Golden bytes. The records are the `avcC` boxes of MP4 files that ffmpeg 5.1 / libx264 made
 * (the FLV sequence headers ffmpeg wrote for the same streams are byte-identical); the expected
 * values are what `ffprobe -show_streams` reports for the same streams.
 *
 *   a1  -f lavfi -i testsrc2=size=320x240:rate=25 -c:v libx264 -profile:v high
 *   a2  testsrc2=size=322x242:rate=30 -profile:v baseline               (cropping)
 *   a3  testsrc2=size=1920x1080:rate=25 -preset ultrafast -profile:v main  (-> Constrained Baseline)
 *   a4  testsrc2=size=352x288:rate=30000/1001 -pix_fmt yuv420p10le -profile:v high10
 *   a5  testsrc2=size=176x144:rate=25 -pix_fmt yuv422p -profile:v high422
 *   a6  testsrc2=size=176x144:rate=25 -pix_fmt yuv444p -profile:v high444
 *   a7  a1 with -x264-params cqm=jvt (x264 puts the matrices in the PPS)
 *   a8  a1 with -x264-params interlaced=1 (frame_mbs_only_flag 0)
 *   a9  a1 through -bsf:v h264_metadata=sample_aspect_ratio=17/13:video_format=2:
 *       video_full_range_flag=1:colour_primaries=1:transfer_characteristics=1:
 *       matrix_coefficients=1:chroma_sample_loc_type=1:crop_left=8:crop_top=4:crop_right=6:crop_bottom=2
 *   ag  testsrc2=size=200x120:rate=24 -pix_fmt gray (monochrome, chroma_format_idc 0)
 *   tiny  testsrc2=size=64x48:rate=25 -frames:v 5 -preset ultrafast
 *         -x264-params keyint=2:min-keyint=2:scenecut=0 -bsf:v filter_units=remove_types=6
 */
interface Golden {
  name: string;
  record: string;
  profile: number;
  constraintFlags: number;
  level: number;
  width: number;
  height: number;
  chromaFormat: number;
  bitDepth: number;
  frameRate: number;
  picOrderCntType: number;
  frameMbsOnly: boolean;
  crop: [number, number, number, number];
}

const GOLDENS: Golden[] = [
  {
    name: 'a1 high 320x240',
    record: '0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000668ebe3cb22c0fdf8f800',
    profile: 100,
    constraintFlags: 0,
    level: 13,
    width: 320,
    height: 240,
    chromaFormat: 1,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 0,
    frameMbsOnly: true,
    crop: [0, 0, 0, 0],
  },
  {
    name: 'a2 constrained baseline 322x242',
    record: '0142c00dffe1001a6742c00dd90150878888c044000003000400000300f03c50a92001000568cb83cb20',
    profile: 66,
    constraintFlags: 0xc0,
    level: 13,
    width: 322,
    height: 242,
    chromaFormat: 1,
    bitDepth: 8,
    frameRate: 30,
    picOrderCntType: 2,
    frameMbsOnly: true,
    crop: [0, 14, 0, 14],
  },
  {
    name: 'a3 1920x1080',
    record: '0142c028ffe100196742c028da01e0089f97011000000300100000030320f1832a01000468ce0fc8',
    profile: 66,
    constraintFlags: 0xc0,
    level: 40,
    width: 1920,
    height: 1080,
    chromaFormat: 1,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 2,
    frameMbsOnly: true,
    crop: [0, 0, 0, 8],
  },
  {
    name: 'a4 high 10 352x288 30000/1001',
    record: '016e000dffe10018676e000da6cd9416096c04400000fa40003a9803c50a658001000668ebe3cb22c0fdfafa00',
    profile: 110,
    constraintFlags: 0,
    level: 13,
    width: 352,
    height: 288,
    chromaFormat: 1,
    bitDepth: 10,
    frameRate: 30000 / 1001,
    picOrderCntType: 0,
    frameMbsOnly: true,
    crop: [0, 0, 0, 0],
  },
  {
    name: 'a5 high 4:2:2',
    record: '017a000bffe10018677a000bbcd942c4ec0440000003004000000c83c50a658001000668ebe3cb22c0fef8f800',
    profile: 122,
    constraintFlags: 0,
    level: 11,
    width: 176,
    height: 144,
    chromaFormat: 2,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 0,
    frameMbsOnly: true,
    crop: [0, 0, 0, 0],
  },
  {
    name: 'a6 high 4:4:4 predictive',
    record: '01f4000bffe1001967f4000b919b28589d80880000030008000003019078a14cb001000668ebe3c44844fff8f800',
    profile: 244,
    constraintFlags: 0,
    level: 11,
    width: 176,
    height: 144,
    chromaFormat: 3,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 0,
    frameMbsOnly: true,
    crop: [0, 0, 0, 0],
  },
  {
    name: 'a7 cqm in the PPS',
    record: '0164000dffe100196764000dacd94141fb011000000300100000030320f142996001000768ebe3cb3002c0fdf8f800',
    profile: 100,
    constraintFlags: 0,
    level: 13,
    width: 320,
    height: 240,
    chromaFormat: 1,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 0,
    frameMbsOnly: true,
    crop: [0, 0, 0, 0],
  },
  {
    name: 'a8 interlaced',
    record: '01640015ffe1001a67640015acd941410fcb808800000300080000030190f8a14cb001000668fba3cb22c0fdf8f800',
    profile: 100,
    constraintFlags: 0,
    level: 21,
    width: 320,
    height: 240,
    chromaFormat: 1,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 0,
    frameMbsOnly: false,
    crop: [0, 0, 0, 16],
  },
  {
    name: 'a9 h264_metadata crop, SAR, colour, chroma location',
    record:
      '0164000dffe100236764000dacd94141fca46bff0011000d560202034a000003000200000300641e28532c01000668ebe3cb22c0fdf8f800',
    profile: 100,
    constraintFlags: 0,
    level: 13,
    width: 306,
    height: 234,
    chromaFormat: 1,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 0,
    frameMbsOnly: true,
    crop: [8, 6, 4, 2],
  },
  {
    name: 'ag monochrome 200x120',
    record:
      '0164000bffe1001b6764000bf3650d11e2627016c80000030008000003018078a14cb001000668ebe3cb22c0fcf8f800',
    profile: 100,
    constraintFlags: 0,
    level: 11,
    width: 200,
    height: 120,
    chromaFormat: 0,
    bitDepth: 8,
    frameRate: 24,
    picOrderCntType: 0,
    frameMbsOnly: true,
    crop: [0, 8, 0, 8],
  },
  {
    name: 'tiny 64x48',
    record: '0142c00affe100156742c00ada11ec0440000003004000000c83c489a801000468ce0fc8',
    profile: 66,
    constraintFlags: 0xc0,
    level: 10,
    width: 64,
    height: 48,
    chromaFormat: 1,
    bitDepth: 8,
    frameRate: 25,
    picOrderCntType: 2,
    frameMbsOnly: true,
    crop: [0, 0, 0, 0],
  },
];

/** The whole `tiny` stream (Annex B, 5 frames: IDR P IDR P IDR, SPS/PPS before every IDR). */
const TINY = Buffer.from(
  'AAAAAWdCwAraEewEQAAAAwBAAAAMg8SJqAAAAAFozg/IAAABZYiEOgxgAWxCEeUFG44mMrQH+8AK02DMY21CAgQyICBGAA5GXhTV' +
    'EGYSgJRf/hwEBDI4ABMAAhnRgkwUxTzNJSE+f/tEF6KShhVNQN6//DgICMUZBKg4Sgp856vDgICMA8AAqgUh6tJAz1++URBog4Qg' +
    'r876vU4JcKN4h0p6vSAAFVCEOVhIG/v3yQAAnh2NRbQZy/fAgABAGAAMBxkJAAEAUEACAAN2Mo0SpRfDHFuxuLZAB9ixiR+sYFie' +
    '//0cAAlQYiphGkAGYBXNCTLOPG+CWRpNBWsiFk9VsACDSZ//tYQD6EyjwTcO/uC+AD4auDrcsPqIXuMEP2AK0xCsPNtQCsLQUgX1' +
    'KfctX4gAAIAsAxScggICGRwQEMkAACAKBipYATC9OON16W7NT3Sg0OKM4iYK+r1LHg6rU8Apn1ewAPjMKYimg1sp09AE4Z1qDyjN' +
    'VgdxcOrlOAK96vU4XOcHU4FPer0AJwz+UHlPVWwA8cwZfWsObKaPBUEcIAFgOHXGg7HIDlxfTYAOl4Ci5A9giYlaIEiJ/99g1GZ6' +
    'A9a377Tswii15Bfi9v6KnxCUvrsBuh2LeUB5jv/WBL2RsoS4hf74MYAOGYFHqbkq97764L3AQjoIyOgjOhmTBTlEnaSsLQf/tCMv' +
    'CnqIOwlQWi//DoIyOACAMZ0MyYKcok7SVhaD/8HREDZAoUguiI+r1GQJ0ChaCyIh6vSAAF1DEEKwkBaN++SAAF0DkEq0kBSF++UR' +
    'A2QKFILoiPq8C4w0UZLi3G+r0gABdQxBCsJAWjfvjAEcxLnmoOoIAgACAwkAAQEggAQ6YYjAiPQBg2pg1xBLq7cwMb/2AADA6BD1' +
    'pjanoERRFsjFDLQn1/+YSDVEDjamA7KBxeSA7KNYAASKFLuhtTwNc6Pa4vzH/6F1ADkN2olwPPw6PELwwBWmIVh5tqgaglHJ5hWP' +
    '4Wr3+EBAQyOCAhnRi0FI5pFt8Xx/+0QvRSeYRTeF9f/gXmEozkOKBqnq9ThKBGi+IBtF6vMAI5qHA5RB1YwDQVzUW8HD0VHylDQC' +
    'NFcRDaP1epwlAjRfEA2i9XqAHxGM6mgsetX79QA8KxvW0FD1i/fgmABAAUIAAQAAAwChw/S9BZ1dBC8xNCUPg2p6BshynE1AukfJ' +
    'P/5QAAkcEKEKDRVwg0M4ieNcaMmq0wkAAIBJUAcAeNqehPUQx3DNq5x/MAAFRHni9wG1MMODgQAIgAAQT0wcBARjxwEBGP/jgICM' +
    'RwEBGPiAAEwACRAADQAFkIQLcZAAKa4HQgW4VAAKa4IgoEgACo1wdBQKAAFRrgYx4CUBRqZ7wCxEALH/xACxEALHhgBU0KADQ5Tu' +
    'Bku5kCItwMOIi3MMkiQAEAAQAyh4HRfWPj3x4keePfHvjzx548SPPHiR5488eePPHnjwwIBgAIhgAg4+8HigA8QHnAB5b8gsA6A7' +
    '8OWAdAuo8BKAoHJnvALEQAsf/EALEQAseDBFiAACAYAAIB89FZxku5kARyrnhwI5VzCzgA4uQAloCcZF8ECER9zNwBRaQEK021Fg' +
    'QFM4OBAUyDgAEgACmRAICsY4EBWPhAICOB4QABkBwUJACL1dMxQjoHc41XeEERLhaAmAAhMjIG7dSBj/kjIKZ42EVm6RAACBR9ws' +
    'AA+AAIEDAXwAEkgsQOhAtsgmLmoWRACxAFFoQjTzbVlhAUyDhAUzLAIArEHAIArHwgAC4MGDoQABIABTwEAUXBSb8OdgQABAoRLI' +
    'CcS5gQ2REE7lEQ8oknOWQAAVAIC7mFnAAQnYE/ieNDSiiIynEGDwZkHgzODwZkHACAOZ/whAAECcwAAgaBAAElAKwOAAgQJlgMoA' +
    'DqoILl9rLEBMFEpYBWMSnw3LXu1lgAQAKwF8ABJILECoQLbeRFzMMIgBYgCi0IRp5tqywgKZBwgKZlgEAViDgEAVj4YAfYQAAgIg' +
    'ACBQAQAXAouHJPxC8CBEeWQQxLmAuJinKoziBaeNkiAAIFCJZAAAgDAACAGAEXOAAAAAAUGaIobAAAAAAWdCwAraEewEQAAAAwBA' +
    'AAAMg8SJqAAAAAFozg/IAAABZYiCDoMYAFsQhHlBRuOJjK0B/vACtNgzGNtQgIEMiAgRgAORl4U1RBmEoCUX/4cBAQyOAATAAIZ0' +
    'YJMFMU8zSUhPn/7RBeikoYVTUDev/w4CAjFGQSoOEoKfOerw4CAjAPAAKoFIerSQM9fvlEQaIOEIK/O+r1OCXCjeIdKer0gABVQh' +
    'DlYSBv798kAAJ4djUW0Gcv3wIAAQBgADAcZCQABAFBAAgADdjKNEqUXwxxbsbi2QAfYsYkfrGBYnv/9HAAJUGIqYRpABmAVzQkyz' +
    'jxvglkaTQVrIhZPVbAAg0mf/7WEA+hMo8E3Dv7gvgA+Grg63LD6iF7jBD9gCtMQrDzbUArC0FIF9Sn3LV+IAACALAMUnIICAhkcE' +
    'BDJAAAgCgYqWAEwvTjjdeluzU90oNDijOImCvq9Sx4Oq1PAKZ9XsAD4zCmIpoNbKdPQBOGdag8ozVYHcXDq5TgCver1OFznB1OBT' +
    '3q9ACcM/lB5T1VsAPHMGX1rDmymjwVBHCABYDh1xoOxyA5cX02ADpeAouQPYImJWiBIif/fYNRmegPWt++07MIoteQX4vb+ip8Ql' +
    'L67Abodi3lAeY7/1gS9kbKEuIX++DGADhmBR6m5Kve++uC9wEI6CMjoIzoZkwU5RJ2krC0H/7QjLwp6iDsJUFov/w6CMjgAgDGdD' +
    'MmCnKJO0lYWg//B0RA2QKFILoiPq9RkCdAoWgsiIer0gABdQxBCsJAWjfvkgABdA5BKtJAUhfvlEQNkChSC6Ij6vAuMNFGS4txvq' +
    '9IAAXUMQQrCQFo374wBHMS55qDqCAIAAgMJAAEBIIAEOmGIwIj0AYNqYNcQS6u3MDG/9gAAwOgQ9aY2p6BEURbIxQy0J9f/mEg1R' +
    'A42pgOygcXkgOyjWAAEihS7obU8DXOj2uL8x/+hdQA5DdqJcDz8OjxC8MAVpiFYebaoGoJRyeYVj+Fq9/hAQEMjggIZ0YtBSOaRb' +
    'fF8f/tEL0UnmEU3hfX/4F5hKM5Digap6vU4SgRoviAbRerzACOahwOUQdWMA0Fc1FvBw9FR8pQ0AjRXEQ2j9XqcJQI0XxANovV6g' +
    'B8RjOpoLHrV+/UAPCsb1tBQ9Yv34JgAQAFCAAEAAAChw/S9BZ1dBC8xNCUPg2p6BshynE1AukfJP/5QAAkcEKEKDRVwg0M4ieNca' +
    'Mmq0wkAAIBJUAcAeNqehPUQx3DNq5x/MAAFRHni9wG1MMODgQAIgAAQT0wcBARjxwEBGP/jgICMRwEBGPiAAEwACRAADQAFkIQLc' +
    'ZAAKa4HQgW4VAAKa4IgoEgACo1wdBQKAAFRrgYx4CUBRqZ7wCxEALH/xACxEALHhgBU0KADQ5TuBku5kCItwMOIi3MMkiQAEAAQA' +
    'yh4HRfWPj3x4keePfHvjzx548SPPHiR5488eePPHnjwwIBgAIhgAg4+8HigA8QHnAB5b8gsA6A78OWAdAuo8BKAoHJnvALEQAsf/' +
    'EALEQAseDBFiAACAYAAIB89FZxku5kARyrnhwI5VzCzgA4uQAloCcZF8ECER9zNwBRaQEK021FgQFM4OBAUyDgAEgACmRAICsY4E' +
    'BWPhAICOB4QABkBwUJACL1dMxQjoHc41XeEERLhaAmAAhMjIG7dSBj/kjIKZ42EVm6RAACBR9wsAA+AAIEDAXwAEkgsQOhAtsgmL' +
    'moWRACxAFFoQjTzbVlhAUyDhAUzLAIArEHAIArHwgAC4MGDoQABIABTwEAUXBSb8OdgQABAoRLICcS5gQ2REE7lEQ8oknOWQAAVA' +
    'IC7mFnAAQnYE/ieNDSiiIynEGDwZkHgzODwZkHACAOZ/whAAECcwAAgaBAAElAKwOAAgQJlgMoADqoILl9rLEBMFEpYBWMSnw3LX' +
    'u1lgAQAKwF8ABJILECoQLbeRFzMMIgBYgCi0IRp5tqywgKZBwgKZlgEAViDgEAVj4YAfYQAAgIgACBQAQAXAouHJPxC8CBEeWQQx' +
    'LmAuJinKoziBaeNkiAAIFCJZAAAgDAACAGAEXOAAAAABQZoivDMOHuLT4QABsHEphABEYoACkiIgNmFLUWJZTyoVRbb0kb5zBqr+' +
    'uAAzi8myBKYZi5bjqPK0+kMgAAAAAWdCwAraEewEQAAAAwBAAAAMg8SJqAAAAAFozg/IAAABZYiEOgxgAebDEaUGGeRFVIDt7sAK' +
    '02BiMNtQgCAhkQBARgAORl4U1RBmEoCUX/4cBAQyOAATAAIZ0YJMFMU8zSUhPn/7RBeikoYVTUDev/w4CAjFGQToOEoKInPV4cBA' +
    'RgHgAFUCkPVpIGev3yiINkHCEFUTvq9Tglwo3iHSnq9IAAVUIQ5WEgb+/fJAACeHY1FtBnL98AwABYMAaEABHBAEAAPStgRHCyb6' +
    'TrXjlqYC65/mA2FvcnhcbSpv7EBRY0CQVWZv/AAVZmbBCrYIq0sxx5jYJZmlwFcya0TFN5wMVFyc2EA1zRQsFzrP74L4APhq4Oty' +
    'w+ohe4yQoMAVpiFYebagFYWgpAvqU+5avxAAAQBYBjE5BAQEMjggIZIAAEAUDGSwAmF6ccbr0t2ajulBocUZxEwV9XqWPB1Wp4BT' +
    'Pq9gAfGYUxFNBrZTp6AJwzrUHlGarA7i4dXKcAV71epwuc4OpwKe9XoAThn8oPKeqtgB45gy+tYc2U0eCoIoQAMA4VcaDscgOXF9' +
    'NgA6XgKLkD2CJiVogSIn/32DUZnoD1rfvtOzCKLXkF+L2/oqfEJS+uwG6HYt5QHmO/9YEvZGyhLiF/vgxgA4ZgUepuSr3vvrgvcB' +
    'COgjI6CM6GZMFOUSdpKwtB/+0Iy8Keog7CVBaL/8OgjI4AIAxnQzJgpyiTtJWFoP/wdEQNkChSC6Ij6vUZAnQKFoLIiHq9IAAXUM' +
    'QQrCQFo375IAAXQOQSrSQFIX75REDZAoUguiI+rwLjDRRkuLcb6vSAAF1DEEKwkBaN++MARzEueag6ggCAAIDCQABASCABDphiMC' +
    'I9AGDamDXEEurtzAxv/YAAMDoEPWmNqegRFEWyMUMtCfX/5hINUQONqYDsoHF5IDso1gABIoUu6G1PA1zo9ri/Mf/oXUAOQ3aiXA' +
    '8/Do8QvDAFaYhWHm2qBqCUcnmFY/havf4QEBDI4ICGdGLQUjmkW3xfH/7RC9FJ5hFN4X1/+BeYSjOQ4oGqer1OEoEaL4gG0Xq8wA' +
    'jmocDlEHVjANBXNRbwcPRUfKUNAI0VxENo/V6nCUCNF8QDaL1eoAfEYzqaCx61fv1ADwrG9bQUPWL9+CYAEABQgABAAAAwKHD9L0' +
    'FnV0ELzE0JQ+DanoGyHKcTUC6R8k//lAACRwQoQoNFXCDQziJ41xoyarTCQAAgElQBwB42p6E9RDHcM2rnH8wAAVEeeL3AbUww4O' +
    'BAAiAABBPTBwEBGPHAQEY/+OAgIxHAQEY+IAATAAaIAAaAAsmBBbggABDQKgQW4OAAQ0CSCuCAAExoFEFcHAAJjQDGPASgKNTPeA' +
    'WIgBY/+IAWIgBY8MAKmgYAAuhyncDJdzIERbgYcRFuYZJEgAIAAgBlDwOi+sfHvjxI88e+PfHnjzx4keePEjzx5488eePPHhgEAw' +
    'AEQwAEHGy4uKADweLnAB5b8iwDoDvw9gHQLqPASgKByZ7wCxEALH/xACxEALHiBFiAACAYAAICMp3PJdzIAjlXPDgRyrmFnABxcg' +
    'BLQE4yL4IEIj7mbgCi0gIVptqLAgKZwcCApkHAAJAAFMiAQFYxwICsfCAQEcBIQABkBwUKACL1dMxQjoHc41XeEERrhaAmAAhMjI' +
    'G7dSBj/kjIKZo2EVG6RAACBR9wsAA6AAIDzAXwAEkgsQOhAtsgmLmoWRACxAFFoQjTzbVlhAUyDhAUzLAIArEHAIArHwgAC4MHDo' +
    'QABAADiRgCi4KTfhzsCAAIFCJZATiXMCGyIgncoiHlEk5yyAACoBAXcws4ACE7An8TxoaUURGU4gweDMg8GZweDMg4AQBzP+EIAA' +
    'gTmAAEDYIAAkoBVA4ADAIE1sBlAAdVBBcvtQZYgEwUSlgFYxKfDcte7WWAAQAA7AXwAEkgsQKhAtt5EXMwwiAFiAKLQhGnm2rLCA' +
    'pkHCApmWAQBWIOAQBWPhgH2EAAIB4AAgVAEAGQKLhyT8QvAgRHlkEMS5gLiYpyqM4gWnjZIgACBQiWQAAIAwAAgBgBFzgA==' +
    '',
  'base64',
);

/**
 * A hand-made SPS that reaches the branches x264 never writes, checked field by field with
 * `ffmpeg -bsf:v trace_headers` (libavcodec's independent parser): High 4:4:4 Predictive with
 * separate_colour_plane_flag, 10/12-bit, seq_scaling_matrix_present_flag with 8 of the 12 lists
 * (one cut short by a zero nextScale at j=0, one at j=5), pic_order_cnt_type 1 with a 3-entry
 * cycle, field coding (frame_mbs_only_flag 0, mb_adaptive_frame_field_flag), frame cropping
 * 2/4/1/3 (CropUnitX 1, CropUnitY 2 since ChromaArrayType is 0), VUI with Extended_SAR 4:3,
 * overscan, colour description, chroma location, timing 1001/60000 fixed.
 */
const SINK_SPS =
  '67f40028212cac51e3807880c86db6db6d08c285309140a494c5314c5314c5314c5314c5314c5314c5314c5314c5314c5' +
  '314c5314c5314c5314c5314c5314c53203f8020292492492492492492492492492492492492492492492494140397fffff' +
  'ffffffffffcc8721114714078044eca89ff80020001fa808080d92000007d20001d4c1080';

const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

function resultOrLalError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    assert.match(e.message, /^(nal|avc): /);
  }
}

/** The record's first SPS. */
function spsOf(g: Golden): Uint8Array {
  const sps = parseAvcDecoderConfigurationRecord(unhex(g.record)).sps[0];
  assert.ok(sps);
  return sps;
}

/** Splits TINY into access units (each ends with its one slice); raw Annex B slices of TINY. */
function tinyAccessUnits(): { nalus: Uint8Array[]; raw: Uint8Array }[] {
  const nalus = splitAnnexB(TINY);
  const aus: { nalus: Uint8Array[]; raw: Uint8Array }[] = [];
  let cur: Uint8Array[] = [];
  let start = 0;
  for (const n of nalus) {
    cur.push(n);
    const t = avcNalUnitType(n[0] as number);
    if (t === AvcNalUnitType.IdrSlice || t === AvcNalUnitType.NonIdrSlice) {
      const end = n.byteOffset - TINY.byteOffset + n.length;
      aus.push({ nalus: cur, raw: TINY.subarray(start, end) });
      cur = [];
      start = end;
    }
  }
  return aus;
}

describe('avc: AVCDecoderConfigurationRecord', () => {
  for (const g of GOLDENS) {
    it(`${g.name}: parses, packs back byte for byte, and is rebuilt from its SPS/PPS`, () => {
      const bytes = unhex(g.record);
      const rec = parseAvcDecoderConfigurationRecord(bytes);
      assert.equal(rec.configurationVersion, 1);
      assert.equal(rec.profileIndication, g.profile);
      assert.equal(rec.profileCompatibility, g.constraintFlags);
      assert.equal(rec.levelIndication, g.level);
      assert.equal(rec.lengthSizeMinusOne, 3);
      assert.equal(rec.sps.length, 1);
      assert.equal(rec.pps.length, 1);
      assert.equal(rec.sps[0]?.buffer, bytes.buffer, 'NAL units are views');
      if (g.profile === 66) {
        assert.equal(rec.highProfileExt, undefined);
      } else {
        assert.deepEqual(rec.highProfileExt, {
          chromaFormat: g.chromaFormat,
          bitDepthLumaMinus8: g.bitDepth - 8,
          bitDepthChromaMinus8: g.bitDepth - 8,
          spsExt: [],
        });
      }
      assert.equal(rec.trailing, undefined);
      assert.equal(hexOf(packAvcDecoderConfigurationRecord(rec)), g.record);
      assert.equal(hexOf(buildAvcDecoderConfigurationRecord(rec.sps, rec.pps)), g.record);
    });
  }

  it('accepts the truncated form without the high-profile tail and packs it back as it was', () => {
    const full = unhex(GOLDENS[0]?.record ?? '');
    const cut = full.subarray(0, full.length - 4);
    const rec = parseAvcDecoderConfigurationRecord(cut);
    assert.equal(rec.highProfileExt, undefined);
    assert.equal(rec.pps.length, 1);
    assert.equal(hexOf(packAvcDecoderConfigurationRecord(rec)), hexOf(cut));
  });

  it('rejects every other truncation with a ShortBufferError', () => {
    for (const g of GOLDENS) {
      const full = unhex(g.record);
      const tolerated = g.profile === 66 ? -1 : full.length - 4;
      for (let n = 0; n < full.length; n++) {
        if (n === tolerated) continue;
        assert.throws(
          () => parseAvcDecoderConfigurationRecord(full.subarray(0, n)),
          (e: unknown) => e instanceof ShortBufferError && e.message.startsWith('avc: record'),
          `${g.name} cut to ${n}`,
        );
      }
    }
  });

  it('rejects corrupted twins with typed errors', () => {
    const good = unhex(GOLDENS[0]?.record ?? '');
    const twin = (at: number, v: number): Uint8Array => {
      const b = Uint8Array.from(good);
      b[at] = v;
      return b;
    };
    assert.throws(() => parseAvcDecoderConfigurationRecord(twin(0, 0)), ProtocolError);
    assert.throws(() => parseAvcDecoderConfigurationRecord(twin(5, 0xff)), ShortBufferError);
    assert.throws(() => parseAvcDecoderConfigurationRecord(twin(6, 0xff)), ShortBufferError);
    assert.throws(() => parseAvcDecoderConfigurationRecord(twin(33, 0xff)), ShortBufferError);
    assert.throws(() => parseAvcDecoderConfigurationRecord(twin(good.length - 1, 3)), ShortBufferError);
    assert.throws(() => parseAvcDecoderConfigurationRecord(unhex('00')), ShortBufferError);
  });

  it('keeps bytes it does not interpret so that they pack back', () => {
    const withTail = unhex(`${GOLDENS[2]?.record}cafe`);
    const rec = parseAvcDecoderConfigurationRecord(withTail);
    assert.equal(hexOf(rec.trailing ?? new Uint8Array(0)), 'cafe');
    assert.equal(hexOf(packAvcDecoderConfigurationRecord(rec)), hexOf(withTail));
  });

  it('refuses to pack fields and counts that do not fit', () => {
    const rec = parseAvcDecoderConfigurationRecord(unhex(GOLDENS[0]?.record ?? ''));
    const sps = rec.sps[0] ?? new Uint8Array(0);
    assert.throws(
      () => packAvcDecoderConfigurationRecord({ ...rec, sps: Array.from({ length: 32 }, () => sps) }),
      InvalidArgError,
    );
    assert.throws(
      () => packAvcDecoderConfigurationRecord({ ...rec, lengthSizeMinusOne: 4 }),
      InvalidArgError,
    );
    assert.throws(
      () => packAvcDecoderConfigurationRecord({ ...rec, pps: [new Uint8Array(65536)] }),
      InvalidArgError,
    );
    assert.throws(() => packAvcDecoderConfigurationRecord({ ...rec, levelIndication: 256 }), InvalidArgError);
  });

  it('round-trips generated records', () => {
    const nal = fc.uint8Array({ maxLength: 40 });
    const arb = fc.record({
      configurationVersion: fc.constant(1),
      profileIndication: fc.integer({ min: 0, max: 255 }),
      profileCompatibility: fc.integer({ min: 0, max: 255 }),
      levelIndication: fc.integer({ min: 0, max: 255 }),
      lengthSizeMinusOne: fc.integer({ min: 0, max: 3 }),
      sps: fc.array(nal, { maxLength: 31 }),
      pps: fc.array(nal, { maxLength: 40 }),
      ext: fc.option(
        fc.record({
          chromaFormat: fc.integer({ min: 0, max: 3 }),
          bitDepthLumaMinus8: fc.integer({ min: 0, max: 7 }),
          bitDepthChromaMinus8: fc.integer({ min: 0, max: 7 }),
          spsExt: fc.array(nal, { maxLength: 4 }),
        }),
        { nil: undefined },
      ),
    });
    fc.assert(
      fc.property(arb, ({ ext, ...base }) => {
        const rec: AvcDecoderConfigurationRecord = { ...base };
        if (ext !== undefined && ![66, 77, 88].includes(base.profileIndication)) rec.highProfileExt = ext;
        const bytes = packAvcDecoderConfigurationRecord(rec);
        const back = parseAvcDecoderConfigurationRecord(bytes);
        const norm = (r: AvcDecoderConfigurationRecord) =>
          JSON.stringify(r, function (this: Record<string, unknown>, k: string, v: unknown) {
            const raw = this[k];
            return raw instanceof Uint8Array ? hexOf(raw) : v;
          });
        assert.equal(norm(back), norm(rec));
        assert.equal(hexOf(packAvcDecoderConfigurationRecord(back)), hexOf(bytes));
      }),
    );
  });
});

describe('avc: SPS', () => {
  for (const g of GOLDENS) {
    it(`${g.name}: matches ffprobe`, () => {
      const sps = parseAvcSps(spsOf(g));
      assert.equal(sps.profile, g.profile);
      assert.equal(sps.constraintFlags, g.constraintFlags);
      assert.equal(sps.level, g.level);
      assert.equal(sps.width, g.width);
      assert.equal(sps.height, g.height);
      assert.equal(sps.chromaFormat, g.chromaFormat);
      assert.equal(sps.bitDepthLuma, g.bitDepth);
      assert.equal(sps.bitDepthChroma, g.bitDepth);
      assert.equal(sps.frameRate, g.frameRate);
      assert.equal(sps.picOrderCntType, g.picOrderCntType);
      assert.equal(sps.frameMbsOnly, g.frameMbsOnly);
      assert.deepEqual([sps.crop.left, sps.crop.right, sps.crop.top, sps.crop.bottom], g.crop);
      assert.equal(sps.codedWidth - sps.crop.left - sps.crop.right, sps.width);
      assert.equal(sps.separateColourPlane, false);
      assert.equal(sps.scalingMatrixPresent, false);
    });
  }

  it('parses the hand-made SPS the way libavcodec trace_headers does', () => {
    const sps = parseAvcSps(unhex(SINK_SPS));
    assert.deepEqual(sps, {
      profile: 244,
      constraintFlags: 0,
      level: 40,
      spsId: 3,
      chromaFormat: 3,
      separateColourPlane: true,
      bitDepthLuma: 10,
      bitDepthChroma: 12,
      scalingMatrixPresent: true,
      log2MaxFrameNum: 9,
      picOrderCntType: 1,
      log2MaxPicOrderCntLsb: 0,
      pocType1: {
        deltaPicOrderAlwaysZero: false,
        offsetForNonRefPic: -3,
        offsetForTopToBottomField: 2,
        offsetForRefFrame: [1, -2, 7],
      },
      maxNumRefFrames: 4,
      frameMbsOnly: false,
      codedWidth: 1920,
      codedHeight: 1088,
      crop: { left: 2, right: 4, top: 2, bottom: 6 },
      width: 1914,
      height: 1080,
      timing: { numUnitsInTick: 1001, timeScale: 60000, fixedFrameRate: true },
      frameRate: 60000 / 2002,
    });
  });

  it('reads a1 in detail', () => {
    const sps = parseAvcSps(spsOf(GOLDENS[0] as Golden));
    assert.equal(sps.spsId, 0);
    assert.equal(sps.log2MaxFrameNum, 4);
    assert.equal(sps.log2MaxPicOrderCntLsb, 6);
    assert.equal(sps.maxNumRefFrames, 4);
    assert.deepEqual(sps.timing, { numUnitsInTick: 1, timeScale: 50, fixedFrameRate: false });
  });

  it('tolerates a VUI cut short, and nothing else', () => {
    for (const nal of [spsOf(GOLDENS[0] as Golden), unhex(SINK_SPS)]) {
      const full = parseAvcSps(nal);
      let firstOk = -1;
      for (let n = 0; n < nal.length; n++) {
        try {
          const sps = parseAvcSps(nal.subarray(0, n));
          if (firstOk < 0) firstOk = n;
          assert.equal(sps.width, full.width);
          assert.equal(sps.height, full.height);
        } catch (e) {
          assert.ok(e instanceof ShortBufferError, `cut to ${n}: ${e}`);
          assert.equal(firstOk, -1, `cut to ${n} fails after a shorter cut parsed`);
        }
      }
      assert.ok(firstOk > 4);
      assert.equal(parseAvcSps(nal.subarray(0, firstOk)).frameRate, undefined);
    }
  });

  const spsBits = (f: (w: BitWriter) => void): Uint8Array => {
    const w = new BitWriter();
    f(w);
    w.writeBits(1, 1);
    return Uint8Array.from([0x67, ...rbspToEbsp(w.finish())]);
  };

  it('rejects corrupted twins with typed errors', () => {
    const good = spsOf(GOLDENS[0] as Golden);
    assert.throws(
      () => parseAvcSps(Uint8Array.from([0x68, ...good.subarray(1)])),
      /^ProtocolError: avc: sps: NAL unit type is 8/,
    );
    assert.throws(() => parseAvcSps(new Uint8Array(0)), ShortBufferError);
    assert.throws(() => parseAvcSps(unhex('6764001f0000000000000001')), ProtocolError);
    // chroma_format_idc 4
    assert.throws(
      () => parseAvcSps(spsBits((w) => w.writeBits(24, 0x64001f).writeUE(0).writeUE(4))),
      /chroma_format_idc 4/,
    );
    // pic_order_cnt_type 3
    assert.throws(
      () => parseAvcSps(spsBits((w) => w.writeBits(24, 0x42001f).writeUE(0).writeUE(0).writeUE(3))),
      /pic_order_cnt_type 3/,
    );
    // cropping wider than the picture: 1 MB wide, crop left 8 (x2)
    assert.throws(
      () =>
        parseAvcSps(
          spsBits((w) =>
            w
              .writeBits(24, 0x42001f)
              .writeUE(0)
              .writeUE(0)
              .writeUE(2)
              .writeUE(1)
              .writeBit(0)
              .writeUE(0)
              .writeUE(0)
              .writeBit(1)
              .writeBit(1)
              .writeBit(1)
              .writeUE(8)
              .writeUE(0)
              .writeUE(0)
              .writeUE(0),
          ),
        ),
      /frame cropping/,
    );
  });
});

describe('avc: PPS', () => {
  it('reads the ids and the entropy coder', () => {
    const a1 = parseAvcDecoderConfigurationRecord(unhex(GOLDENS[0]?.record ?? '')).pps[0];
    const a2 = parseAvcDecoderConfigurationRecord(unhex(GOLDENS[1]?.record ?? '')).pps[0];
    assert.deepEqual(parseAvcPps(a1 ?? new Uint8Array(0)), {
      ppsId: 0,
      spsId: 0,
      entropyCodingModeFlag: true,
    });
    assert.deepEqual(parseAvcPps(a2 ?? new Uint8Array(0)), {
      ppsId: 0,
      spsId: 0,
      entropyCodingModeFlag: false,
    });
    assert.deepEqual(parseAvcPps(unhex('68 6e')), { ppsId: 2, spsId: 2, entropyCodingModeFlag: true });
  });
  it('rejects twins', () => {
    assert.throws(() => parseAvcPps(unhex('67ce')), ProtocolError);
    assert.throws(() => parseAvcPps(unhex('68')), ShortBufferError);
    assert.throws(() => parseAvcPps(new Uint8Array(0)), ShortBufferError);
    assert.throws(() => parseAvcPps(unhex('68 0080e0')), /pic_parameter_set_id 256/);
  });
});

describe('avc: access units', () => {
  const aus = tinyAccessUnits();
  const want = [true, false, true, false, true];

  it('finds the key frames in Annex B and length-prefixed access units', () => {
    assert.equal(aus.length, 5);
    assert.deepEqual(
      aus.map((a) => isAvcKeyFrame(a.raw, 'annexb')),
      want,
    );
    assert.deepEqual(
      aus.map((a) => isAvcKeyFrame(packAnnexB(a.nalus), 'annexb')),
      want,
    );
    for (const size of [2, 4]) {
      assert.deepEqual(
        aus.map((a) => isAvcKeyFrame(packLengthPrefixed(a.nalus, size), size)),
        want,
      );
    }
  });

  it('reports in-band parameter sets', () => {
    const infos = aus.map((a) => inspectAvcAccessUnit(packLengthPrefixed(a.nalus, 4), 4));
    assert.deepEqual(
      infos.map((i) => [i.keyFrame, i.hasSps, i.hasPps, i.hasAud, i.firstSliceType]),
      [
        [true, true, true, false, 5],
        [false, false, false, false, 1],
        [true, true, true, false, 5],
        [false, false, false, false, 1],
        [true, true, true, false, 5],
      ],
    );
    assert.deepEqual(inspectAvcAccessUnit(aus[0]?.raw ?? new Uint8Array(0), 'annexb'), infos[0]);
  });

  it('handles delimiters, SEI and units without a slice', () => {
    const au = packAnnexB([unhex('0910'), unhex('06 0501 80'), unhex('65 88 80')]);
    assert.deepEqual(inspectAvcAccessUnit(au, 'annexb'), {
      keyFrame: true,
      hasSps: false,
      hasPps: false,
      hasAud: true,
      firstSliceType: 5,
    });
    const noSlice = packLengthPrefixed([spsOf(GOLDENS[0] as Golden)], 4);
    assert.equal(isAvcKeyFrame(noSlice, 4), false);
    assert.equal(inspectAvcAccessUnit(noSlice, 4).firstSliceType, -1);
    assert.equal(isAvcKeyFrame(new Uint8Array(0), 4), false);
  });

  it('rejects broken framing with typed errors', () => {
    assert.throws(() => isAvcKeyFrame(unhex('00000009 65'), 4), ShortBufferError);
    assert.throws(() => isAvcKeyFrame(unhex('6588'), 'annexb'), ProtocolError);
    assert.throws(() => isAvcKeyFrame(unhex('6588'), 0), InvalidArgError);
  });

  it('collects the parameter sets of a stream and rebuilds its record', () => {
    const ps = findAvcParameterSets(TINY, 'annexb');
    assert.equal(ps.sps.length, 3);
    assert.equal(ps.pps.length, 3);
    assert.equal(ps.spsExt.length, 0);
    const tiny = GOLDENS.find((g) => g.name.startsWith('tiny'));
    assert.equal(
      hexOf(buildAvcDecoderConfigurationRecord(ps.sps[0] ?? TINY, ps.pps[0] ?? TINY)),
      tiny?.record,
    );
    const lp = packLengthPrefixed(splitAnnexB(TINY), 4);
    assert.deepEqual(findAvcParameterSets(lp, 4).sps.map(hexOf), ps.sps.map(hexOf));
  });
});

describe('avc: building a record', () => {
  const a1 = parseAvcDecoderConfigurationRecord(unhex(GOLDENS[0]?.record ?? ''));
  const sps = a1.sps[0] ?? new Uint8Array(0);
  const pps = a1.pps[0] ?? new Uint8Array(0);
  it('takes a length size and SPS extensions', () => {
    const rec = makeAvcDecoderConfigurationRecord(sps, pps, { lengthSize: 2, spsExt: [unhex('6d0102')] });
    assert.equal(rec.lengthSizeMinusOne, 1);
    assert.deepEqual(rec.highProfileExt?.spsExt.map(hexOf), ['6d0102']);
    const back = parseAvcDecoderConfigurationRecord(packAvcDecoderConfigurationRecord(rec));
    assert.deepEqual(back.highProfileExt?.spsExt.map(hexOf), ['6d0102']);
  });
  it('checks what it is given', () => {
    assert.throws(() => buildAvcDecoderConfigurationRecord([], pps), InvalidArgError);
    assert.throws(() => buildAvcDecoderConfigurationRecord(sps, []), InvalidArgError);
    assert.throws(() => buildAvcDecoderConfigurationRecord(pps, pps), ProtocolError);
    assert.throws(() => buildAvcDecoderConfigurationRecord(sps, sps), ProtocolError);
    assert.throws(() => buildAvcDecoderConfigurationRecord(sps, pps, { lengthSize: 5 }), InvalidArgError);
    assert.throws(() => buildAvcDecoderConfigurationRecord(sps, pps, { spsExt: [sps] }), InvalidArgError);
  });
});

describe('avc: random and mutated input', () => {
  const goldenBytes = GOLDENS.map((g) => unhex(g.record));
  const goldenSps = [...GOLDENS.map(spsOf), unhex(SINK_SPS)];

  it('random bytes end in a result or a LalError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 120 }), (b) => {
        resultOrLalError(() => parseAvcDecoderConfigurationRecord(b));
        resultOrLalError(() => parseAvcDecoderConfigurationRecord(Uint8Array.from([1, ...b])));
        resultOrLalError(() => parseAvcSps(Uint8Array.from([0x67, ...b])));
        resultOrLalError(() => parseAvcSps(Uint8Array.from([0x67, 100, ...b])));
        resultOrLalError(() => parseAvcPps(Uint8Array.from([0x68, ...b])));
        resultOrLalError(() => inspectAvcAccessUnit(b, 'annexb'));
        resultOrLalError(() => inspectAvcAccessUnit(b, 4));
        resultOrLalError(() => findAvcParameterSets(b, 'annexb'));
        resultOrLalError(() =>
          buildAvcDecoderConfigurationRecord(Uint8Array.from([0x67, ...b]), unhex('68ce')),
        );
      }),
      { numRuns: 1000 },
    );
  });

  it('mutated goldens end in a result or a LalError', () => {
    const mutate = (src: Uint8Array, edits: [number, number][]): Uint8Array => {
      const b = Uint8Array.from(src);
      for (const [at, v] of edits) b[at % b.length] = v;
      return b;
    };
    const edits = fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 })), {
      minLength: 1,
      maxLength: 4,
    });
    fc.assert(
      fc.property(fc.nat(), edits, (pick, e) => {
        const rec = mutate(goldenBytes[pick % goldenBytes.length] as Uint8Array, e);
        resultOrLalError(() => parseAvcDecoderConfigurationRecord(rec));
        const sps = mutate(goldenSps[pick % goldenSps.length] as Uint8Array, e);
        resultOrLalError(() => parseAvcSps(sps));
      }),
      { numRuns: 2000 },
    );
  });
});
