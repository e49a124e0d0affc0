import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { InvalidArgError, LalError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { unhex } from '../../util/hex.js';
import { packAnnexB, packLengthPrefixed, splitAnnexB } from '../nal/index.js';
import {
  buildHevcDecoderConfigurationRecord,
  findHevcParameterSets,
  type HevcDecoderConfigurationRecord,
  HevcNalUnitType,
  hevcNalUnitType,
  hevcRecordParameterSets,
  inspectHevcAccessUnit,
  isHevcIrap,
  isHevcIrapNalUnitType,
  isHevcVclNalUnitType,
  makeHevcDecoderConfigurationRecord,
  packHevcDecoderConfigurationRecord,
  parseHevcDecoderConfigurationRecord,
  parseHevcPps,
  parseHevcSps,
  parseHevcVps,
} from './index.js';

/*
 * Golden bytes. The records are the `hvcC` boxes of MP4 files that ffmpeg 5.1 wrote
 * (`-c copy -tag:v hvc1`, so array_completeness is 1) for streams libx265 3.5 made; the expected
 * values are what `ffprobe -show_streams` reports for the same streams.
 *
 *   h1  -f lavfi -i testsrc2=size=320x240:rate=25 -c:v libx265
 *   h2  testsrc2=size=322x242:rate=30                    (conformance window)
 *   h3  testsrc2=size=1920x1080:rate=25 -preset ultrafast (1088 coded lines)
 *   h4  testsrc2=size=352x288:rate=25 -pix_fmt yuv420p10le   (Main 10)
 *   h5  testsrc2=size=176x144:rate=25 -pix_fmt yuv444p        (RExt 4:4:4)
 *   h6  testsrc2=size=176x144:rate=25 -pix_fmt yuv422p10le    (RExt 4:2:2 10-bit)
 *   h7  h1 with -x265-params temporal-layers=1   (two temporal sub-layers)
 *   h8  h1 through -bsf:v hevc_metadata=sample_aspect_ratio=17/13:video_format=2:
 *       video_full_range_flag=1:colour_primaries=1:transfer_characteristics=1:matrix_coefficients=1:
 *       chroma_sample_loc_type=1:tick_rate=30000/1001:crop_left=8:crop_top=4:crop_right=6:crop_bottom=2
 *   h9  h1 with -x265-params hrd=1:vbv-bufsize=1000:vbv-maxrate=1000   (VUI HRD parameters)
 *   hs  h1 with -x265-params scaling-list=<file> (custom lists: scaling_list_data in the SPS)
 *   hg  testsrc2=size=202x122:rate=24 -pix_fmt gray   (monochrome)
 *   tiny  testsrc2=size=64x48:rate=25 -frames:v 5 -preset ultrafast
 *         -x265-params keyint=2:min-keyint=2:scenecut=0:info=0
 */
interface Golden {
  name: string;
  record: string;
  profile: number;
  level: number;
  width: number;
  height: number;
  codedWidth: number;
  codedHeight: number;
  chromaFormat: number;
  bitDepth: number;
  frameRate: number;
  subLayers: number;
}

const G = (
  name: string,
  record: string,
  profile: number,
  level: number,
  [width, height, codedWidth, codedHeight]: [number, number, number, number],
  chromaFormat: number,
  bitDepth: number,
  frameRate: number,
  subLayers = 1,
): Golden => ({
  name,
  record,
  profile,
  level,
  width,
  height,
  codedWidth,
  codedHeight,
  chromaFormat,
  bitDepth,
  frameRate,
  subLayers,
});

const GOLDENS: Golden[] = [
  G(
    'h1 main 320x240',
    '0101600000009000000000003cf000fcfdf8f800000f03a00001001840010c01ffff0160000003009000000300000300' +
      '3c959809a10001002a42010101600000030090000003000003003ca00a080f165959a4932bc05a020000030002000003' +
      '003210a2000100074401c172b46240',
    1,
    60,
    [320, 240, 320, 240],
    1,
    8,
    25,
    1,
  ),
  G(
    'h2 main 322x242 conformance window',
    '0101600000009000000000003cf000fcfdf8f800000f03a00001001840010c01ffff0160000003009000000300000300' +
      '3c959809a10001002b42010101600000030090000003000003003ca00a480f9c9265959a4932bc05a020000003002000' +
      '000303c1a2000100074401c172b46240',
    1,
    60,
    [322, 242, 328, 248],
    1,
    8,
    30,
    1,
  ),
  G(
    'h3 1920x1080',
    '01016000000090000000000078f000fcfdf8f800000f03a00001001840010c01ffff0160000003009000000300000300' +
      '78959409a10001002b420101016000000300900000030000030078a003c0801107cb965654a4c2f01680800000030080' +
      '00000c84a2000100064401c073c189',
    1,
    120,
    [1920, 1080, 1920, 1088],
    1,
    8,
    25,
    1,
  ),
  G(
    'h4 main 10',
    '0102200000009000000000003cf000fcfdfafa00000f03a00001001840010c01ffff0220000003009000000300000300' +
      '3c959809a10001002b42010102200000030090000003000003003ca00b080484d96566924caf01680800000300080000' +
      '0300c840a2000100074401c172b46240',
    2,
    60,
    [352, 288, 352, 288],
    1,
    10,
    25,
    1,
  ),
  G(
    'h5 rext 4:4:4',
    '0104080000009e08000000003cf000fcfff8f800000f03a00001001740010c01ffff0408000003009e0800000300003c' +
      '959809a1000100294201010408000003009e0800000300003c9002c4048b2cacd24995e02d0100000300010000030019' +
      '08a2000100084401c172860c4624',
    4,
    60,
    [176, 144, 176, 144],
    3,
    8,
    25,
    1,
  ),
  G(
    'h6 rext 4:2:2 10-bit',
    '0104080000009d08000000003cf000fcfefafa00000f03a00001001740010c01ffff0408000003009d0800000300003c' +
      '959809a1000100284201010408000003009d0800000300003cb01620244d96566924caf0168080000003008000000c84' +
      'a2000100074401c172b46240',
    4,
    60,
    [176, 144, 176, 144],
    2,
    10,
    25,
    1,
  ),
  G(
    'h7 two temporal sub-layers',
    '0101600000009000000000003cf000fcfdf8f800001303a00001001c40010c02ffff0160000003009000000300000300' +
      '3c00009598acc048a10001002e42010201600000030090000003000003003c0000a00a080f1659598acd24995e02d010' +
      '0000030010000003019080a2000100074401c172b46240',
    1,
    60,
    [320, 240, 320, 240],
    1,
    8,
    25,
    2,
  ),
  G(
    'h8 hevc_metadata crop, SAR, colour, timing',
    '0101600000009000000000003cf000fcfdf8f800000f03a00001002140010c01ffff0160000003009000000300000300' +
      '3c95980c00000fa40001d4c140a10001003242010101600000030090000003000003003ca00a080f1948d65959a4932b' +
      'ffc004400355808080d20800001f480003a98040a2000100074401c172b46240',
    1,
    60,
    [306, 234, 320, 240],
    1,
    8,
    30000 / 1001,
    1,
  ),
  G(
    'h9 HRD parameters',
    '0101600000009000000000003cf000fcfdf8f800000f03a00001001840010c01ffff0160000003009000000300000300' +
      '3c959809a10001003442010101600000030090000003000003003ca00a080f165959a4932bc05a020000030002000003' +
      '0032c0292cbc001e848003d091a2000100074401c172b46240',
    1,
    60,
    [320, 240, 320, 240],
    1,
    8,
    25,
    1,
  ),
  G(
    'hs custom scaling lists',
    '0101600000009000000000003cf000fcfdf8f800000f03a00001001840010c01ffff0160000003009000000300000300' +
      '3c959809a1000104c242010101600000030090000003000003003ca00a080f165959a493e0a0118c394150e0983a0b83' +
      '90607020a241b02d0540d01183f024090986419010c481101785e04805a0b81382105c0941304808204206ec2c1e5034' +
      '07c60290d0331e402201141e305e1302a0d8683820606068390e04c380801b8c04a1006503103d120f8360e583030a07' +
      '61630586066141a05812201b8210441a06a04606e0a8a2c380d42c8130310d07c111878780ca05a028811868c0903f05' +
      '80dc1004c15013c19044402d281980c68150641030481f0480dc486c341194144190280a8310f04c694341d07c0bca0e' +
      '824131e09418025314160370521c82a02082c05a2904c2410161a101e04a281ab0540c01190c0c478128482114405415' +
      '07e0f058390482604c0f82902530218320f87d8178128f04a040023828090401989027011c08808c782016170a411982' +
      'c34128809081c0cc840d026020811808e502a016409c045121007815681287c084c1040800a4241302705c1782004ac0' +
      '940ad02a0d84c1003d1860680ac128502a0444606a088149015015c0c8720390984408404b0d03e180ac108401c14794' +
      '0860b0108f0220330401802a85848288190198781f81301a822604189074c110a02b8440a81202981201c8481803b04c' +
      '0fc3c86029022012ec1502b1c04a0b8d1004d2016808e3c1d0221615024810019870a241f0250d9c1d044d0340278200' +
      '46341381600ca06605a281a826101f021017c2004c02981400ba05e07617202e05a1102d015c0941b0803b02302105a0' +
      'e8a3009e088c180760f0340942c170d8283cc0bc16080258190139604260c4742c090502d0520d019a160a8260d03608' +
      '00821e1c130cc1b205a110904ca04a160bc3e0c0706c17013c110360886c2638a084a0a81783661f07481587c260b0a6' +
      '05e0a2080170114341508020202402386d83a160cc501082c1f1c3101142e04e0d82a029981901040b00510210394172' +
      '02a0d85878a05c05d28a6840300c822057070150561b0e0581698283e0c015850a0500218d05c04506c1302101444020' +
      '0802b0581307a0520620a84023303d0b02c1c041140e81b8741003e60b42e088e090188d18c340e41a0b062120d02202' +
      '0940941b076702e014d813205c0e9c340ac2a3878300660e0c0530507281280a2121a1a0400cc3a140902d2824098502' +
      'a0b81b870e1d028143e0c0138230a02c07e0b8096088503802d9cc0d8630c84c2012020817a0e605e0420a80ae0b8340' +
      'dc118e0601c161604e39810c200e8502b0e0f0a8270200b0e012c581383e0dc0c81f0801540b404105004302b0e609d8' +
      '39140460802304a0c22009e2d02c04c1b0b0f04805f82407481283509181905c1081284811c1f0802bb0290144380b81' +
      '987a1904c160521d02203f60b01e8f0741e0278130a3c3e0903e162837204018039180d00b205205a14042088198300e' +
      '06d83982e18084260981381807812c1d0b02082e0f010c17145023026015c200f81a82a0c848702f1a63083240a4c121' +
      '62a1163810c3009461c20120640490f02802d8483c0c4140220a015f0802e0761a0f83605605802e81482a0880ba0981' +
      '701740bc7020813185d013c0a8047060730d04805b029010414042381983e287c582102401460a83809c1181081a84c2' +
      'c150a02805a150740881f8265780b4040000030004000003006420a2000100074401c172b46240',
    1,
    60,
    [320, 240, 320, 240],
    1,
    8,
    25,
    1,
  ),
  G(
    'hg monochrome 202x122',
    '0104080000009fc8000000003cf000fcfcf8f800000f03a00001001740010c01ffff0408000003009fc800000300003c' +
      '959809a10001002a4201010408000003009fc800000300003cc0688081cf3e5959a4932bc05b02000003000200000300' +
      '3010a2000100074401c172b46240',
    4,
    60,
    [202, 122, 208, 128],
    0,
    8,
    24,
    1,
  ),
  G(
    'tiny 64x48',
    '0101600000009000000000001ef000fcfdf8f800000f03a00001001840010c01ffff0160000003009000000300000300' +
      '1e959409a10001002942010101600000030090000003000003001ea0208316595952930bc05a02000003000200000300' +
      '3210a2000100064401c073c089',
    1,
    30,
    [64, 48, 64, 48],
    1,
    8,
    25,
    1,
  ),
];

/** The whole `tiny` stream (Annex B, decode order: IDR_N_LP, CRA, RASL_N, CRA, RASL_N). */
const TINY = Buffer.from(
  'AAAAAUABDAH//wFgAAADAJAAAAMAAAMAHpWUCQAAAAFCAQEBYAAAAwCQAAADAAADAB6gIIMWWVlSkwvAWgIAAAMAAgAAAwAyEAAA' +
    'AAFEAcBzwIkAAAEoAax2oPW9j95pMmpyhP77pMkhN+ajZymMKaRZ8+gqjFB3CMoFo/69q/IIdoVoV5YWYgXos0zeOYJIdlG4SAfx' +
    'iCYuZ7Pkd6IW1n3j5OSxcf3NSH4X7fgDB39IqiIFer//2C+6jV8hKWSaRedbpnsruvJ8IW069XtqHcbP0lcGbOj8Ii8nciJXt/In' +
    'kocnNkeZ5cnR0ZfQfv5ltBEHQ8kDUw/fKLkBj0W8ySWRFz81tmZps1LuXcJQ/QH4ea+vjD6fG7XiUSXqqFEFKr1+xJ3e/tgmvYzv' +
    'SO4GAzFT7R5Eidp/XuB/552KEYThnVTG8puNddetBWedOZfJVQE66G9dlQdKbA8vX//CD0QWwI9jPx6RtwfEyrpN92m0eR8+T/GE' +
    'YGXyHxGQIwhtG9eN4mMCE5BYsWr/ua9Ua2M7DPwqvt+aYdLEboo0VeExYmayTAo35bW3FufNyafyfftJnmS0iIPFVQU7rKATRFkM' +
    've0DWEj8ayzblaumAYek9tcOdnP2V7uyYInO7Np8akHcHLtDWZ5nrKbito2wOMnH9/xF0a635wErNcTJAeXtCofyEE0m68zY5dES' +
    'w4p+e2ZYPda1v+5HqUNaYVZw4OJQHJF785Zux3p6Z3AfNMCXkiqsfDlnN6nfSwjrEq3MyMqa6oHCZ+nWDgxa58SjRQbm6j9v4xxr' +
    'Di/L3M4IrwM7BrKpJehMpKEzzfjybYqTtVXxMKrUKHl1ZVc+BUVLdhJ6NW70CZ+uHMfDXoAaNrWpU9GaU1qCfh7hVC+9mtra5Q6a' +
    'MYrBu+vSLSlLEPfChmyNEoFXyhXb0dL6V7c8VwoY7axA2QBw/LxzszW78xLELlcDInxaC9bm/IrgnWQO3T3P62iI7xT1l3GPmEIQ' +
    'p7/PuJ+hdX4BTBdSyLw5sCZsaRZ6VYtqqyR+JDluHMhxwNRYZPS97yAcUC/Lmva7n8Hqz51nJ8yjh3Vq3kZhc8k6fo/Cy2SD8a+0' +
    'C10O35U2u50Mp9qNLRpIDbX3x+pzOEzUfV5D9vSpgdwJCU0mo+a75LrakFlRdzIZ4pOHokfDf4jy3MyVinLtQE7EnsYiFsvDnuPn' +
    'T4K8/fzrcQtRuWLaHEBfKaqxDp61yBxrkHBZIWkjcp3xnAnxk5J9q/ysKA0Ugi5vHMmcwYjwAAAAAUABDAH//wFgAAADAJAAAAMA' +
    'AAMAHpWUCQAAAAFCAQEBYAAAAwCQAAADAAADAB6gIIMWWVlSkwvAWgIAAAMAAgAAAwAyEAAAAAFEAcBzwIkAAAEqAawIqRyAoPW9' +
    'j95pMmpyhP77pMkhN+ajZymMKaRZ8+gqjFB3CMoFo/69q/IIdoVoV5YWYgXos0zeOYJIdlG4SAfxiCYuZ7Pkd6IW1n3j5OSxcf3N' +
    'SH4X7fgDB39IqiIFer//2C+6jV8hKWSaRedbpnsruvJ8IW069XtqHcbP0lcGbOj8Ii8nciJXt/InkocnNkeZ5cnR0ZfQfv5ltBEH' +
    'Q8kDUw/fKLkBj0W8ySWRFz81tmZps1LuXcJQ/QH4ea+vjD6fG7XiUSXqqFEFKr1+xJ3e/tgmvYzvSO4GAzFT7R5Eidp/XuB/552K' +
    'EYThnVTG8puNddetBWedOZfJVQE66G9dlQdKbA8vX//CD0QWwI9jPx6RtwfEyrpN92m0eR8+T/GEYGXyHxGQIwhtG9eN4mMCE5BY' +
    'sWr/ua9Ua2M7DPwqvt+aYdLEboo0VeExYmayTAo35bW3FufNyafyfftJnmS0iIPFVQU7rKATRFkMve0DWEj8ayzblaumAYek9tcO' +
    'dnP2V7uyYInO7Np8akHcHLtDWZ5nrKbito2wOMnH9/xF0a635wErNcTJAeXtCofyEE0m68zY5dESw4p+e2ZYPda1v+5HqUNaYVZw' +
    '4OJQHJF785Zux3p6Z3AfNMCXkiqsfDlnN6nfSwjrEq3MyMqa6oHCZ+nWDgxa58SjRQbm6j9v4xxrDi/L3M4IrwM7BrKpJehMpKEz' +
    'zfjybYqTtVXxMKrUKHl1ZVc+BUVLdhJ6NW70CZ+uHMfDXoAaNrWpU9GaU1qCfh7hVC+9mtra5Q6aMYrBu+vSLSlLEPfChmyNEoFX' +
    'yhXb0dL6V7c8VwoY7axA2QBw/LxzszW78xLELlcDInxaC9bm/IrgnWQO3T3P62iI7xT1l3GPmEIQp7/PuJ+hdX4BTBdSyLw5sCZs' +
    'aRZ6VYtqqyR+JDluHMhxwNRYZPS97yAcUC/Lmva7n8Hqz51nJ8yjh3Vq3kZhc8k6fo/Cy2SD8a+0C10O35U2u50Mp9qNLRpIDbX3' +
    'x+pzOEzUfV5D9vSpgdwJCU0mo+a75LrakFlRdzIZ4pOHokfDf4jy3MyVinLtQE7EnsYiFsvDnuPnT4K8/fzrcQtRuWLaHEBfKaqx' +
    'Dp61yBxrkHBZIWkjcp3xnAnxk5J9q/ysKA0Ugi5vHMmcwYjwAAAAARAB4CS+CBrAijgAAAABQAEMAf//AWAAAAMAkAAAAwAAAwAe' +
    'lZQJAAAAAUIBAQFgAAADAJAAAAMAAAMAHqAggxZZWVKTC8BaAgAAAwACAAADADIQAAAAAUQBwHPAiQAAASoBrBCpHYChfUlKpu8e' +
    'lLUXVlAKseIQ6Ud3ouKyG6SIY961B53NDbb6MWPMK2leSCNsG1Jn06i3z5EY9rh5LGaDBknFOihGPRjuEtGFmM+//wPiJRmdV+U2' +
    '5bzGv63vXTUA+3IRslyz2JXOA8LpvPXpyz7WWCiLoQubHX6E151XZ3XsF1BZwzWIZUvjUFVyfEfjZldmlwjYW4ayzEFaqjbJ1kes' +
    'RHL7sXCDQG/GITF7lPJ1ZhCfWWqSIX6AzIqEtN/yR8acwesnp2mM/jB+25nn5XOxfMCWlBiU+OtrHyA4gZZJRmy7Jg1NueanDw/H' +
    'GELWw/6zTncKaulWW1KJSOwPBAB3gXHL1JHu+rWHEvmabohT34HcIXrPYH2RWau+gwtAhaPARpxqVltaG/CeMNMXFw9ffetE2PLD' +
    'BykoviTi6kIh8OJHxOQ2jQ5CLzXzGEtp4mPOr3tP/SHqfUh2lGghoIUFzQA2y9enzmI48Yi2IZst1BXXpH8cRiSiIsTzi0UsHi/M' +
    'DrOIc0t2bzCBtvAUFUFxcM9AZMK8gqFA0hFAvIemPKSp8NM5x7ZOFCN0ZCmpVBS7mM3sbWlBC7lZF22v3i2hVzdEmKXHUUfavxdP' +
    'nWjC+RMbAiCwsJ0ZG/42D5+UMx/CJRfCdGH/XmyDrYDpWWh7uPlUX1nd8GRRw7YJPMRcGAOZZ6U/XwV3L9eCmSfJWLbm0FtLo5Jo' +
    'wDKFx0YT517sz/m0g/BGio4fPbv42tohe88c+j+77ERODV35EM1I4wP+IC0yq0K5kUUu/ZKcTDwEuK21DGmWmZlVQ7Vqjz8SdMdn' +
    'R8L6uDDuE92+Q4x8oGZGgoAPKbbtfc7XwF+SWUDzPRnCFBNjE9OW/Tebob291NloEyW3OS+z2qOYgBPa+6uQZI+ub+elyU2TGCPL' +
    'efyn+Hcl19LLjIsPF5D4AAAAARAB4GS+CBpAijg=' +
    '',
  'base64',
);

/*
 * A hand-made VPS and SPS that reach the branches x265 never writes, checked field by field with
 * `ffmpeg -bsf:v trace_headers` (libavcodec's independent parser): three temporal sub-layers with
 * sub_layer_profile/level_present flags, High tier, 4:2:2 10-bit, a conformance window, ordering
 * info per sub-layer, scaling_list_data with predicted and coded lists, PCM, three short-term RPS
 * (the second predicted from the first), long-term pictures, and a VUI with every optional part:
 * Extended_SAR, default display window, timing 1001/60000 with POC proportionality, HRD
 * parameters (NAL and VCL, sub-picture parameters, two CPBs, all three sub-layer cases) and a
 * bitstream restriction with min_spatial_segmentation_idc 123.
 */
const SINK_VPS = '40011c04ffff226000000300900000030000030099d00001600000030090000003000003005a78bc8a566024';
const SINK_SPS =
  '420114226000000300900000030000030099d00001600000030090000003000003005a786c00f1200441a233b65bc8a5' +
  '669246b893316428a471112662c8528a471112662c85148e22c590a291c444998b2145151c444998b214523888990a29' +
  '1c444998b21452388893316428a471112662c85148e2224cc590a291c444998b2145238889314444998b214523888933' +
  '16428a471112662c85148e2224cc590a291c444998b21452388893316428a8a471112662c85148e2224cc590a291c444' +
  '998b21452388893316428a471112662c85148e2224cc5944998b21452388893316428a471112662c85148e2224cc590a' +
  '291c444998b21452388893316428a47868e2224cc590a291c444998b21452388893316428a471112662c85148e2224cc' +
  '590a291c444998b214a1e62c85148e2224cc590a291c444998b21452388893316428a471112662c85148e2224cc590a2' +
  '91c4608224cc590a291c444998b21452388893316428a471112662c85148e2224cc590a291c444998b21452282421452' +
  '388893316428a471112662c85148e2224cc590a291c444998b21452388893316428a47111268263316428a471112662c' +
  '85148e2224cc590a291c444998b21452388893316428a471112662c85148e20bbbd48d7a7a4af623c87ff80080005da8' +
  '48804f1295b800001f4800075307e1449848ef7be801f4801f443e0a400fa800fa408015401f4801f443e0a400fa800f' +
  'a4080154803e9003e887c14801f4801f443e0a4a803e9003e887c14801f4801f443e0a5607c6820104';

const hexOf = (b: Uint8Array): string => Buffer.from(b.buffer, b.byteOffset, b.length).toString('hex');

function resultOrLalError(f: () => unknown): void {
  try {
    f();
  } catch (e) {
    if (!(e instanceof LalError)) throw e;
    assert.match(e.message, /^(nal|hevc): /);
  }
}

function psOf(g: Golden): { vps: Uint8Array; sps: Uint8Array; pps: Uint8Array } {
  const ps = hevcRecordParameterSets(parseHevcDecoderConfigurationRecord(unhex(g.record)));
  const [vps, sps, pps] = [ps.vps[0], ps.sps[0], ps.pps[0]];
  assert.ok(vps && sps && pps);
  return { vps, sps, pps };
}

describe('hevc: NAL unit types', () => {
  it('classifies Table 7-1', () => {
    assert.equal(hevcNalUnitType(0x40), HevcNalUnitType.VpsNut);
    assert.equal(hevcNalUnitType(0x42), HevcNalUnitType.SpsNut);
    assert.equal(hevcNalUnitType(0x26), HevcNalUnitType.IdrWRadl);
    const irap = Array.from({ length: 64 }, (_, t) => t).filter(isHevcIrapNalUnitType);
    assert.deepEqual(irap, [16, 17, 18, 19, 20, 21, 22, 23]);
    assert.equal(Array.from({ length: 64 }, (_, t) => t).filter(isHevcVclNalUnitType).length, 32);
  });
});

describe('hevc: HEVCDecoderConfigurationRecord', () => {
  for (const g of GOLDENS) {
    it(`${g.name}: parses, packs back byte for byte, and is rebuilt from its VPS/SPS/PPS`, () => {
      const bytes = unhex(g.record);
      const rec = parseHevcDecoderConfigurationRecord(bytes);
      assert.equal(rec.configurationVersion, 1);
      assert.equal(rec.generalProfileIdc, g.profile);
      assert.equal(rec.generalLevelIdc, g.level);
      assert.equal(rec.chromaFormat, g.chromaFormat);
      assert.equal(rec.bitDepthLumaMinus8, g.bitDepth - 8);
      assert.equal(rec.numTemporalLayers, g.subLayers);
      assert.equal(rec.temporalIdNested, g.subLayers === 1);
      assert.equal(rec.lengthSizeMinusOne, 3);
      assert.deepEqual(
        rec.arrays.map((a) => [a.completeness, a.nalUnitType, a.nalus.length]),
        [
          [true, 32, 1],
          [true, 33, 1],
          [true, 34, 1],
        ],
      );
      assert.equal(rec.arrays[1]?.nalus[0]?.buffer, bytes.buffer, 'NAL units are views');
      assert.equal(hexOf(packHevcDecoderConfigurationRecord(rec)), g.record);
      const { vps, sps, pps } = psOf(g);
      assert.equal(
        hexOf(buildHevcDecoderConfigurationRecord(vps, sps, pps, { arrayCompleteness: true })),
        g.record,
      );
    });
  }

  it('reads h1 in detail', () => {
    const rec = parseHevcDecoderConfigurationRecord(unhex(GOLDENS[0]?.record ?? ''));
    const { arrays, ...fixed } = rec;
    assert.deepEqual(fixed, {
      configurationVersion: 1,
      generalProfileSpace: 0,
      generalTierFlag: false,
      generalProfileIdc: 1,
      generalProfileCompatibilityFlags: 0x60000000,
      generalConstraintIndicatorFlags: 0x900000000000,
      generalLevelIdc: 60,
      minSpatialSegmentationIdc: 0,
      parallelismType: 0,
      chromaFormat: 1,
      bitDepthLumaMinus8: 0,
      bitDepthChromaMinus8: 0,
      avgFrameRate: 0,
      constantFrameRate: 0,
      numTemporalLayers: 1,
      temporalIdNested: true,
      lengthSizeMinusOne: 3,
    });
    assert.equal(arrays.length, 3);
  });

  it('rejects every truncation with a ShortBufferError', () => {
    for (const g of GOLDENS) {
      const full = unhex(g.record);
      for (let n = 0; n < full.length; n++) {
        assert.throws(
          () => parseHevcDecoderConfigurationRecord(full.subarray(0, n)),
          (e: unknown) => e instanceof ShortBufferError && e.message.startsWith('hevc: record'),
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
    assert.throws(() => parseHevcDecoderConfigurationRecord(twin(0, 0)), ProtocolError);
    // numOfArrays 255: checked against the bytes left before anything is read.
    assert.throws(
      () => parseHevcDecoderConfigurationRecord(twin(22, 0xff)),
      (e: unknown) => e instanceof ShortBufferError && e.need === 765,
    );
    // numNalus 0xff01 in the first array.
    assert.throws(() => parseHevcDecoderConfigurationRecord(twin(24, 0xff)), /NAL units: need/);
    // nalUnitLength 0xff18.
    assert.throws(() => parseHevcDecoderConfigurationRecord(twin(26, 0xff)), ShortBufferError);
  });

  it('keeps bytes it does not interpret so that they pack back', () => {
    const withTail = unhex(`${GOLDENS[0]?.record}beef`);
    const rec = parseHevcDecoderConfigurationRecord(withTail);
    assert.equal(hexOf(rec.trailing ?? new Uint8Array(0)), 'beef');
    assert.equal(hexOf(packHevcDecoderConfigurationRecord(rec)), hexOf(withTail));
  });

  it('refuses to pack fields and counts that do not fit', () => {
    const rec = parseHevcDecoderConfigurationRecord(unhex(GOLDENS[0]?.record ?? ''));
    assert.throws(
      () => packHevcDecoderConfigurationRecord({ ...rec, generalProfileIdc: 32 }),
      InvalidArgError,
    );
    assert.throws(
      () => packHevcDecoderConfigurationRecord({ ...rec, numTemporalLayers: 8 }),
      InvalidArgError,
    );
    assert.throws(
      () => packHevcDecoderConfigurationRecord({ ...rec, generalConstraintIndicatorFlags: 2 ** 48 }),
      InvalidArgError,
    );
    assert.throws(
      () =>
        packHevcDecoderConfigurationRecord({
          ...rec,
          arrays: [{ completeness: false, nalUnitType: 32, nalus: [new Uint8Array(65536)] }],
        }),
      InvalidArgError,
    );
  });

  it('round-trips generated records', () => {
    const arb = fc.record({
      configurationVersion: fc.constant(1),
      generalProfileSpace: fc.integer({ min: 0, max: 3 }),
      generalTierFlag: fc.boolean(),
      generalProfileIdc: fc.integer({ min: 0, max: 31 }),
      generalProfileCompatibilityFlags: fc.integer({ min: 0, max: 0xffffffff }),
      generalConstraintIndicatorFlags: fc.integer({ min: 0, max: 2 ** 48 - 1 }),
      generalLevelIdc: fc.integer({ min: 0, max: 255 }),
      minSpatialSegmentationIdc: fc.integer({ min: 0, max: 4095 }),
      parallelismType: fc.integer({ min: 0, max: 3 }),
      chromaFormat: fc.integer({ min: 0, max: 3 }),
      bitDepthLumaMinus8: fc.integer({ min: 0, max: 7 }),
      bitDepthChromaMinus8: fc.integer({ min: 0, max: 7 }),
      avgFrameRate: fc.integer({ min: 0, max: 0xffff }),
      constantFrameRate: fc.integer({ min: 0, max: 3 }),
      numTemporalLayers: fc.integer({ min: 0, max: 7 }),
      temporalIdNested: fc.boolean(),
      lengthSizeMinusOne: fc.integer({ min: 0, max: 3 }),
      arrays: fc.array(
        fc.record({
          completeness: fc.boolean(),
          nalUnitType: fc.integer({ min: 0, max: 63 }),
          nalus: fc.array(fc.uint8Array({ maxLength: 30 }), { maxLength: 4 }),
        }),
        { maxLength: 6 },
      ),
    });
    fc.assert(
      fc.property(arb, (rec) => {
        const bytes = packHevcDecoderConfigurationRecord(rec);
        const back = parseHevcDecoderConfigurationRecord(bytes);
        const norm = (r: HevcDecoderConfigurationRecord) =>
          JSON.stringify(r, function (this: Record<string, unknown>, k: string, v: unknown) {
            const raw = this[k];
            return raw instanceof Uint8Array ? hexOf(raw) : v;
          });
        assert.equal(norm(back), norm(rec));
        assert.equal(hexOf(packHevcDecoderConfigurationRecord(back)), hexOf(bytes));
      }),
    );
  });
});

describe('hevc: VPS, SPS, PPS', () => {
  for (const g of GOLDENS) {
    it(`${g.name}: matches ffprobe`, () => {
      const { vps, sps, pps } = psOf(g);
      const s = parseHevcSps(sps);
      assert.equal(s.profile, g.profile);
      assert.equal(s.level, g.level);
      assert.equal(s.highTier, false);
      assert.equal(s.width, g.width);
      assert.equal(s.height, g.height);
      assert.equal(s.codedWidth, g.codedWidth);
      assert.equal(s.codedHeight, g.codedHeight);
      assert.equal(s.chromaFormat, g.chromaFormat);
      assert.equal(s.bitDepthLuma, g.bitDepth);
      assert.equal(s.bitDepthChroma, g.bitDepth);
      assert.equal(s.frameRate, g.frameRate);
      assert.equal(s.maxSubLayers, g.subLayers);
      assert.equal(s.profileTierLevel.subLayers.length, g.subLayers - 1);
      assert.equal(s.separateColourPlane, false);
      const v = parseHevcVps(vps);
      assert.equal(v.maxSubLayers, g.subLayers);
      assert.deepEqual(v.profileTierLevel, s.profileTierLevel);
      // x265 turns wavefront parallel processing off for a picture one CTU row high (tiny).
      assert.deepEqual(parseHevcPps(pps), {
        ppsId: 0,
        spsId: 0,
        dependentSliceSegmentsEnabled: false,
        outputFlagPresent: false,
        numExtraSliceHeaderBits: 0,
        tilesEnabled: false,
        entropyCodingSyncEnabled: !g.name.startsWith('tiny'),
      });
    });
  }

  it('reads h1 profile_tier_level in detail', () => {
    const s = parseHevcSps(psOf(GOLDENS[0] as Golden).sps);
    assert.deepEqual(s.profileTierLevel, {
      generalProfileSpace: 0,
      generalTierFlag: false,
      generalProfileIdc: 1,
      generalProfileCompatibilityFlags: 0x60000000,
      generalConstraintIndicatorFlags: 0x900000000000,
      generalLevelIdc: 60,
      subLayers: [],
    });
    assert.equal(s.log2MaxPicOrderCntLsb, 8);
    assert.deepEqual(s.timing, { numUnitsInTick: 1, timeScale: 25 });
    assert.equal(s.minSpatialSegmentationIdc, undefined);
  });

  it('parses the hand-made VPS and SPS the way libavcodec trace_headers does', () => {
    const ptl = {
      generalProfileSpace: 0,
      generalTierFlag: true,
      generalProfileIdc: 2,
      generalProfileCompatibilityFlags: 0x60000000,
      generalConstraintIndicatorFlags: 0x900000000000,
      generalLevelIdc: 153,
      subLayers: [
        {
          profilePresent: true,
          levelPresent: true,
          profileSpace: 0,
          tierFlag: false,
          profileIdc: 1,
          profileCompatibilityFlags: 0x60000000,
          constraintIndicatorFlags: 0x900000000000,
          levelIdc: 90,
        },
        { profilePresent: false, levelPresent: true, levelIdc: 120 },
      ],
    };
    assert.deepEqual(parseHevcVps(unhex(SINK_VPS)), {
      vpsId: 1,
      maxLayers: 1,
      maxSubLayers: 3,
      temporalIdNesting: false,
      profileTierLevel: ptl,
    });
    assert.deepEqual(parseHevcSps(unhex(SINK_SPS)), {
      vpsId: 1,
      maxSubLayers: 3,
      temporalIdNesting: false,
      profileTierLevel: ptl,
      profile: 2,
      highTier: true,
      level: 153,
      spsId: 2,
      chromaFormat: 2,
      separateColourPlane: false,
      codedWidth: 1928,
      codedHeight: 1088,
      conformanceWindow: { left: 2, right: 6, top: 2, bottom: 6 },
      width: 1920,
      height: 1080,
      bitDepthLuma: 10,
      bitDepthChroma: 10,
      log2MaxPicOrderCntLsb: 8,
      ctbLog2SizeY: 6,
      minSpatialSegmentationIdc: 123,
      timing: { numUnitsInTick: 1001, timeScale: 60000 },
      frameRate: 60000 / 1001,
    });
  });

  it('tolerates a VUI cut short, and nothing else', () => {
    for (const nal of [psOf(GOLDENS[0] as Golden).sps, unhex(SINK_SPS)]) {
      const full = parseHevcSps(nal);
      let firstOk = -1;
      for (let n = 0; n < nal.length; n++) {
        try {
          const sps = parseHevcSps(nal.subarray(0, n));
          if (firstOk < 0) firstOk = n;
          assert.equal(sps.width, full.width);
        } catch (e) {
          assert.ok(e instanceof ShortBufferError, `cut to ${n}: ${e}`);
          assert.equal(firstOk, -1, `cut to ${n} fails after a shorter cut parsed`);
        }
      }
      assert.ok(firstOk > 10);
      assert.equal(parseHevcSps(nal.subarray(0, firstOk)).frameRate, undefined);
    }
  });

  it('rejects corrupted twins with typed errors', () => {
    const { vps, sps, pps } = psOf(GOLDENS[0] as Golden);
    assert.throws(() => parseHevcSps(vps), /^ProtocolError: hevc: sps: NAL unit type is 32, not 33/);
    assert.throws(() => parseHevcVps(sps), ProtocolError);
    assert.throws(() => parseHevcPps(sps), ProtocolError);
    assert.throws(() => parseHevcPps(pps.subarray(0, 3)), ShortBufferError);
    assert.throws(() => parseHevcSps(unhex('42')), ShortBufferError);
    assert.throws(() => parseHevcPps(unhex('4401')), ShortBufferError);
    // sps_max_sub_layers_minus1 = 7
    const sub7 = Uint8Array.from(sps);
    sub7[2] = 0x0e;
    assert.throws(() => parseHevcSps(sub7), /sps_max_sub_layers_minus1 is 7/);
    const vps7 = Uint8Array.from(vps);
    vps7[3] = 0x0e;
    assert.throws(() => parseHevcVps(vps7), /vps_max_sub_layers_minus1 is 7/);
    // chroma_format_idc 4: byte 18 (0xa0) holds sps_seq_parameter_set_id '1' and chroma_format_idc
    // '010'; 0x94 makes that '1' '00101'.
    const chroma = Uint8Array.from(sps);
    chroma[18] = 0x94;
    assert.throws(() => parseHevcSps(chroma), /chroma_format_idc 4/);
    assert.throws(() => parseHevcSps(unhex('4201 0100000000000000000000 00000000 0001')), LalError);
  });
});

describe('hevc: access units', () => {
  const nalus = splitAnnexB(TINY);
  const aus: Uint8Array[][] = [];
  let cur: Uint8Array[] = [];
  for (const n of nalus) {
    cur.push(n);
    if (isHevcVclNalUnitType(hevcNalUnitType(n[0] as number))) {
      aus.push(cur);
      cur = [];
    }
  }

  it('finds the IRAP pictures in Annex B and length-prefixed access units', () => {
    assert.equal(aus.length, 5);
    const want = [true, true, false, true, false];
    assert.deepEqual(
      aus.map((a) => isHevcIrap(packAnnexB(a), 'annexb')),
      want,
    );
    for (const size of [2, 4]) {
      assert.deepEqual(
        aus.map((a) => isHevcIrap(packLengthPrefixed(a, size), size)),
        want,
      );
    }
  });

  it('reports the picture type and in-band parameter sets', () => {
    assert.deepEqual(
      aus.map((a) => {
        const i = inspectHevcAccessUnit(packLengthPrefixed(a, 4), 4);
        return [i.irap, i.idr, i.hasVps, i.hasSps, i.hasPps, i.hasAud, i.firstSliceType];
      }),
      [
        [true, true, true, true, true, false, HevcNalUnitType.IdrNLp],
        [true, false, true, true, true, false, HevcNalUnitType.CraNut],
        [false, false, false, false, false, false, HevcNalUnitType.RaslN],
        [true, false, true, true, true, false, HevcNalUnitType.CraNut],
        [false, false, false, false, false, false, HevcNalUnitType.RaslN],
      ],
    );
    const au = packAnnexB([unhex('4601 50'), unhex('2001 80'), unhex('0201 80')]);
    assert.deepEqual(inspectHevcAccessUnit(au, 'annexb'), {
      irap: true,
      idr: false,
      hasVps: false,
      hasSps: false,
      hasPps: false,
      hasAud: true,
      firstSliceType: HevcNalUnitType.BlaWLp,
    });
    // A TRAIL_N header starts with 0x00: found after a 3-byte start code, not taken for zero padding.
    assert.equal(
      inspectHevcAccessUnit(unhex('000001 0001 ff'), 'annexb').firstSliceType,
      HevcNalUnitType.TrailN,
    );
  });

  it('rejects broken framing with typed errors', () => {
    assert.throws(() => isHevcIrap(unhex('00000009 2601'), 4), ShortBufferError);
    assert.throws(() => isHevcIrap(unhex('2601'), 'annexb'), ProtocolError);
    assert.throws(() => isHevcIrap(unhex('2601'), 9), InvalidArgError);
  });

  it('collects parameter sets from a stream and from a record', () => {
    const ps = findHevcParameterSets(TINY, 'annexb');
    assert.deepEqual([ps.vps.length, ps.sps.length, ps.pps.length, ps.sei.length], [3, 3, 3, 0]);
    const tiny = GOLDENS.find((g) => g.name.startsWith('tiny')) as Golden;
    const rec = parseHevcDecoderConfigurationRecord(unhex(tiny.record));
    const fromRec = hevcRecordParameterSets(rec);
    assert.deepEqual(fromRec.sps.map(hexOf), [hexOf(ps.sps[0] as Uint8Array)]);
    const built = buildHevcDecoderConfigurationRecord(
      ps.vps.slice(0, 1),
      ps.sps.slice(0, 1),
      ps.pps.slice(0, 1),
      {
        arrayCompleteness: true,
      },
    );
    assert.equal(hexOf(built), tiny.record);
    const lp = packLengthPrefixed(nalus, 4);
    assert.deepEqual(findHevcParameterSets(lp, 4).pps.map(hexOf), ps.pps.map(hexOf));
  });
});

describe('hevc: building a record', () => {
  const { vps, sps, pps } = psOf(GOLDENS[0] as Golden);

  it('writes array_completeness 0 by default, as the FLV muxers do', () => {
    const rec = makeHevcDecoderConfigurationRecord(vps, sps, pps);
    assert.deepEqual(
      rec.arrays.map((a) => a.completeness),
      [false, false, false],
    );
    const bytes = buildHevcDecoderConfigurationRecord(vps, sps, pps);
    const ffmpeg = unhex(GOLDENS[0]?.record ?? '');
    assert.equal(bytes.length, ffmpeg.length);
    const diff = [...bytes.keys()].filter((i) => bytes[i] !== ffmpeg[i]);
    assert.equal(diff.length, 3, 'only the three array headers differ');
  });

  it('carries SEI, a length size, and fills the fields from the hand-made parameter sets', () => {
    const sei = [unhex('4e01 0501 80'), unhex('5001 0501 80')];
    const rec = makeHevcDecoderConfigurationRecord(unhex(SINK_VPS), unhex(SINK_SPS), pps, {
      sei,
      lengthSize: 2,
    });
    assert.deepEqual(
      rec.arrays.map((a) => [a.completeness, a.nalUnitType, a.nalus.length]),
      [
        [false, 32, 1],
        [false, 33, 1],
        [false, 34, 1],
        [false, 39, 1],
        [false, 40, 1],
      ],
    );
    assert.equal(rec.lengthSizeMinusOne, 1);
    assert.equal(rec.generalTierFlag, true);
    assert.equal(rec.generalProfileIdc, 2);
    assert.equal(rec.generalLevelIdc, 153);
    assert.equal(rec.chromaFormat, 2);
    assert.equal(rec.bitDepthLumaMinus8, 2);
    assert.equal(rec.numTemporalLayers, 3);
    assert.equal(rec.temporalIdNested, false);
    assert.equal(rec.minSpatialSegmentationIdc, 123);
    assert.equal(rec.parallelismType, 3, 'wavefront, from the x265 PPS');
    const back = parseHevcDecoderConfigurationRecord(packHevcDecoderConfigurationRecord(rec));
    assert.deepEqual(hevcRecordParameterSets(back).sei.map(hexOf), sei.map(hexOf));
  });

  it('merges profile_tier_level like ffmpeg: highest tier and level, common flags', () => {
    const rec = makeHevcDecoderConfigurationRecord([vps, unhex(SINK_VPS)], sps, pps);
    assert.equal(rec.generalTierFlag, true);
    assert.equal(rec.generalLevelIdc, 153, 'the level of the higher tier wins');
    assert.equal(rec.generalProfileIdc, 2);
    assert.equal(rec.generalProfileCompatibilityFlags, 0x60000000);
    assert.equal(rec.numTemporalLayers, 3);
  });

  it('checks what it is given', () => {
    assert.throws(() => buildHevcDecoderConfigurationRecord([], sps, pps), InvalidArgError);
    assert.throws(() => buildHevcDecoderConfigurationRecord(vps, [], pps), InvalidArgError);
    assert.throws(() => buildHevcDecoderConfigurationRecord(vps, sps, []), InvalidArgError);
    assert.throws(() => buildHevcDecoderConfigurationRecord(sps, sps, pps), ProtocolError);
    assert.throws(() => buildHevcDecoderConfigurationRecord(vps, pps, pps), ProtocolError);
    assert.throws(() => buildHevcDecoderConfigurationRecord(vps, sps, vps), ProtocolError);
    assert.throws(() => buildHevcDecoderConfigurationRecord(vps, sps, pps, { sei: [pps] }), InvalidArgError);
    assert.throws(
      () => buildHevcDecoderConfigurationRecord(vps, sps, pps, { lengthSize: 0 }),
      InvalidArgError,
    );
  });
});

describe('hevc: random and mutated input', () => {
  const goldenBytes = GOLDENS.map((g) => unhex(g.record));
  const goldenSps = [...GOLDENS.map((g) => psOf(g).sps), unhex(SINK_SPS)];
  const goldenVps = [...GOLDENS.map((g) => psOf(g).vps), unhex(SINK_VPS)];

  it('random bytes end in a result or a LalError', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 160 }), (b) => {
        resultOrLalError(() => parseHevcDecoderConfigurationRecord(b));
        resultOrLalError(() => parseHevcDecoderConfigurationRecord(Uint8Array.from([1, ...b])));
        resultOrLalError(() => parseHevcVps(Uint8Array.from([0x40, 0x01, ...b])));
        resultOrLalError(() => parseHevcSps(Uint8Array.from([0x42, 0x01, ...b])));
        resultOrLalError(() => parseHevcSps(Uint8Array.from([0x42, 0x01, 0x01, ...b])));
        resultOrLalError(() => parseHevcPps(Uint8Array.from([0x44, 0x01, ...b])));
        resultOrLalError(() => inspectHevcAccessUnit(b, 'annexb'));
        resultOrLalError(() => inspectHevcAccessUnit(b, 4));
        resultOrLalError(() => findHevcParameterSets(b, 'annexb'));
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
        resultOrLalError(() =>
          parseHevcDecoderConfigurationRecord(
            mutate(goldenBytes[pick % goldenBytes.length] as Uint8Array, e),
          ),
        );
        const sps = mutate(goldenSps[pick % goldenSps.length] as Uint8Array, e);
        const vps = mutate(goldenVps[pick % goldenVps.length] as Uint8Array, e);
        resultOrLalError(() => parseHevcSps(sps));
        resultOrLalError(() => parseHevcVps(vps));
        resultOrLalError(() => buildHevcDecoderConfigurationRecord(vps, sps, psOf(GOLDENS[0] as Golden).pps));
      }),
      { numRuns: 2000 },
    );
  });
});
