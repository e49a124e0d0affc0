import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import fc from 'fast-check';
import { decodeAmf0, ecmaArray } from '../../format/amf/index.js';
import { InvalidArgError, isLalError, ProtocolError, ShortBufferError } from '../../util/errors.js';
import { hex, unhex } from '../../util/hex.js';
import { captureMessages } from './capture.test-util.js';
import {
  closeStreamCommand,
  connectCommand,
  connectRejected,
  connectResult,
  createStreamCommand,
  createStreamResult,
  deleteStreamCommand,
  emptyResult,
  errorResult,
  getStreamLengthResult,
  NetStatusCode,
  onBWDone,
  onFCPublish,
  onFCUnpublish,
  onStatus,
  packCommand,
  parseCommand,
  playCommand,
  publishCommand,
  readStatusInfo,
  receiveCommand,
  streamNameCommand,
} from './command.js';
import {
  addSetDataFrame,
  amf3DataToAmf0,
  dataMessageName,
  hasSetDataFrame,
  isMetadata,
  packMetadata,
  rtmpSampleAccess,
  stripSetDataFrame,
} from './data-message.js';
import type { RtmpMessage } from './message-types.js';

// An independent statement of the AMF0 encoding (Adobe "AMF0 File Format Specification" 2.2-2.11)
// for hand-checked golden bytes; not the encoder under test.
function S(s: string): string {
  const b = Buffer.from(s, 'utf8');
  return `02 ${b.length.toString(16).padStart(4, '0')} ${b.toString('hex')}`;
}
function K(s: string): string {
  const b = Buffer.from(s, 'utf8');
  return `${b.length.toString(16).padStart(4, '0')} ${b.toString('hex')}`;
}
function N(n: number): string {
  const b = Buffer.alloc(8);
  b.writeDoubleBE(n);
  return `00 ${b.toString('hex')}`;
}
function B(v: boolean): string {
  return v ? '01 01' : '01 00';
}
function O(...pairs: Array<[string, string]>): string {
  return `03 ${pairs.map(([k, v]) => `${K(k)} ${v}`).join(' ')} 000009`;
}
const NULL = '05';
const UNDEFINED = '06';

function golden(actual: Uint8Array, expected: string): void {
  assert.equal(hex(actual), hex(unhex(expected)));
}

const publishMsgs = captureMessages('ffmpeg-publish.bin');
const listenMsgs = captureMessages('ffmpeg-listen-play.bin');
const dumpMsgs = captureMessages('rtmpdump-play.bin');
const commands = (list: RtmpMessage[]): RtmpMessage[] => list.filter((m) => m.typeId === 20);

describe('server replies: golden bytes', () => {
  it('connect _result (properties, information with objectEncoding)', () => {
    golden(
      connectResult(1),
      `${S('_result')} ${N(1)} ${O(['fmsVer', S('FMS/3,0,1,123')], ['capabilities', N(31)], ['mode', N(1)])}
       ${O(
         ['level', S('status')],
         ['code', S('NetConnection.Connect.Success')],
         ['description', S('Connection succeeded.')],
         ['objectEncoding', N(0)],
       )}`,
    );
    // objectEncoding echoed
    golden(
      connectResult(7, { objectEncoding: 3, fmsVer: 'X', capabilities: 1, mode: 2, description: 'ok' }),
      `${S('_result')} ${N(7)} ${O(['fmsVer', S('X')], ['capabilities', N(1)], ['mode', N(2)])}
       ${O(['level', S('status')], ['code', S('NetConnection.Connect.Success')], ['description', S('ok')], ['objectEncoding', N(3)])}`,
    );
  });

  it('connect _result without mode equals what ffmpeg -listen sends, byte for byte', () => {
    const ffmpegResult = commands(listenMsgs)[0] as RtmpMessage;
    assert.equal(hex(connectResult(1, { mode: null })), hex(ffmpegResult.payload));
  });

  it('connect _error NetConnection.Connect.Rejected', () => {
    golden(
      connectRejected(1, 'bad token'),
      `${S('_error')} ${N(1)} ${NULL} ${O(
        ['level', S('error')],
        ['code', S('NetConnection.Connect.Rejected')],
        ['description', S('bad token')],
      )}`,
    );
  });

  it('generic _error (NetConnection.Call.Failed by default)', () => {
    golden(
      errorResult(5, 'unknown command'),
      `${S('_error')} ${N(5)} ${NULL} ${O(['level', S('error')], ['code', S('NetConnection.Call.Failed')], ['description', S('unknown command')])}`,
    );
    golden(
      errorResult(6, 'd', 'X.Y'),
      `${S('_error')} ${N(6)} ${NULL} ${O(['level', S('error')], ['code', S('X.Y')], ['description', S('d')])}`,
    );
  });

  it('createStream _result, also equal to ffmpeg -listen bytes', () => {
    golden(createStreamResult(4, 1), `${S('_result')} ${N(4)} ${NULL} ${N(1)}`);
    golden(createStreamResult(2, 1), '0200075f726573756c7400400000000000000005003ff0000000000000');
    assert.equal(hex(createStreamResult(2, 1)), hex((commands(listenMsgs)[2] as RtmpMessage).payload));
  });

  it('releaseStream / FCPublish / FCUnpublish _result (null, undefined) and getStreamLength _result', () => {
    golden(emptyResult(2), `${S('_result')} ${N(2)} ${NULL} ${UNDEFINED}`);
    golden(emptyResult(2), '0200075f726573756c74 00 4000000000000000 05 06');
    golden(getStreamLengthResult(3), `${S('_result')} ${N(3)} ${NULL} ${N(0)}`);
    golden(getStreamLengthResult(3, 12.5), `${S('_result')} ${N(3)} ${NULL} ${N(12.5)}`);
  });

  const statuses: Array<[keyof typeof NetStatusCode, 'status' | 'error', string]> = [
    ['PublishStart', 'status', 'NetStream.Publish.Start'],
    ['PublishBadName', 'error', 'NetStream.Publish.BadName'],
    ['PlayReset', 'status', 'NetStream.Play.Reset'],
    ['PlayStart', 'status', 'NetStream.Play.Start'],
    ['PlayStreamNotFound', 'error', 'NetStream.Play.StreamNotFound'],
    ['PlayUnpublishNotify', 'status', 'NetStream.Play.UnpublishNotify'],
    ['PlayPublishNotify', 'status', 'NetStream.Play.PublishNotify'],
    ['UnpublishSuccess', 'status', 'NetStream.Unpublish.Success'],
    ['PlayStop', 'status', 'NetStream.Play.Stop'],
    ['ConnectRejected', 'error', 'NetConnection.Connect.Rejected'],
  ];
  for (const [key, level, code] of statuses) {
    it(`onStatus ${code}`, () => {
      assert.equal(NetStatusCode[key], code);
      golden(
        onStatus(level, NetStatusCode[key], 'why'),
        `${S('onStatus')} ${N(0)} ${NULL} ${O(['level', S(level)], ['code', S(code)], ['description', S('why')])}`,
      );
    });
  }

  it('onStatus with extra fields after description; NetStream.Play.Start as ffmpeg sends it', () => {
    golden(
      onStatus('status', 'NetStream.Play.Start', 'd', { details: 'x', clientid: 1 }),
      `${S('onStatus')} ${N(0)} ${NULL} ${O(
        ['level', S('status')],
        ['code', S('NetStream.Play.Start')],
        ['description', S('d')],
        ['details', S('x')],
        ['clientid', N(1)],
      )}`,
    );
    const ffmpegStatus = commands(listenMsgs)[3] as RtmpMessage;
    assert.equal(
      hex(onStatus('status', NetStatusCode.PlayStart, 'playing stream')),
      hex(ffmpegStatus.payload),
    );
  });

  it('onFCPublish / onFCUnpublish', () => {
    golden(
      onFCPublish('x'),
      `${S('onFCPublish')} ${N(0)} ${NULL} ${O(['code', S('NetStream.Publish.Start')], ['description', S('x')])}`,
    );
    golden(
      onFCUnpublish('x'),
      `${S('onFCUnpublish')} ${N(0)} ${NULL} ${O(['code', S('NetStream.Unpublish.Success')], ['description', S('x')])}`,
    );
  });

  it('onBWDone, and with a bandwidth as ffmpeg sends it', () => {
    golden(onBWDone(), `${S('onBWDone')} ${N(0)} ${NULL}`);
    assert.equal(hex(onBWDone(8192)), hex((commands(listenMsgs)[1] as RtmpMessage).payload));
  });

  it('|RtmpSampleAccess data message', () => {
    golden(rtmpSampleAccess(), `${S('|RtmpSampleAccess')} ${B(true)} ${B(true)}`);
    golden(rtmpSampleAccess(false, false), '02 0011 7c52746d7053616d706c65416363657373 0100 0100');
  });
});

describe('client commands: equal to what ffmpeg and rtmpdump send', () => {
  const ff = commands(publishMsgs).map((m) => hex(m.payload));
  const dump = commands(dumpMsgs).map((m) => hex(m.payload));

  it('ffmpeg publish sequence: connect, releaseStream, FCPublish, createStream, publish, FCUnpublish, deleteStream', () => {
    assert.deepEqual(
      [
        connectCommand(1, {
          app: 'live',
          type: 'nonprivate',
          flashVer: 'FMLE/3.0 (compatible; Lavf59.27.100)',
          tcUrl: 'rtmp://127.0.0.1:46595/live',
        }),
        streamNameCommand('releaseStream', 2, 'x'),
        streamNameCommand('FCPublish', 3, 'x'),
        createStreamCommand(4),
        publishCommand(5, 'x', 'live'),
        streamNameCommand('FCUnpublish', 6, 'x'),
        deleteStreamCommand(7, 1),
      ].map((b) => hex(b)),
      ff,
    );
  });

  it('rtmpdump play sequence: connect, createStream, play', () => {
    assert.deepEqual(
      [
        connectCommand(1, {
          app: 'live',
          flashVer: 'LNX 10,0,32,18',
          tcUrl: 'rtmp://127.0.0.1:34735/live',
          fpad: false,
          capabilities: 15,
          audioCodecs: 3191,
          videoCodecs: 252,
          videoFunction: 1,
        }),
        createStreamCommand(2),
        playCommand(3, 'x', 0),
      ].map((b) => hex(b)),
      dump,
    );
  });

  it('other client commands', () => {
    golden(playCommand(4, 's?k=v'), `${S('play')} ${N(4)} ${NULL} ${S('s?k=v')} ${N(-2)}`);
    golden(
      playCommand(4, 's', -1, 10, false),
      `${S('play')} ${N(4)} ${NULL} ${S('s')} ${N(-1)} ${N(10)} ${B(false)}`,
    );
    golden(closeStreamCommand(), `${S('closeStream')} ${N(0)} ${NULL}`);
    golden(receiveCommand('receiveVideo', false), `${S('receiveVideo')} ${N(0)} ${NULL} ${B(false)}`);
    golden(
      connectCommand(1, { app: 'a', tcUrl: 't', objectEncoding: 3, extra: { k: 'v' } }),
      `${S('connect')} ${N(1)} ${O(['app', S('a')], ['tcUrl', S('t')], ['objectEncoding', N(3)], ['k', S('v')])}`,
    );
  });
});

describe('parseCommand', () => {
  it('parses every command ffmpeg sends when publishing', () => {
    const parsed = commands(publishMsgs).map((m) => parseCommand(m.typeId, m.payload));
    assert.deepEqual(
      parsed.map((c) => [c.name, c.transactionId, c.commandObject === null ? null : 'object', c.args]),
      [
        ['connect', 1, 'object', []],
        ['releaseStream', 2, null, ['x']],
        ['FCPublish', 3, null, ['x']],
        ['createStream', 4, null, []],
        ['publish', 5, null, ['x', 'live']],
        ['FCUnpublish', 6, null, ['x']],
        ['deleteStream', 7, null, [1]],
      ],
    );
    const connect = parsed[0];
    assert.equal(connect?.commandObject?.app, 'live');
    assert.equal(connect?.commandObject?.type, 'nonprivate');
    assert.equal(connect?.commandObject?.flashVer, 'FMLE/3.0 (compatible; Lavf59.27.100)');
    assert.equal(connect?.commandObject?.tcUrl, 'rtmp://127.0.0.1:46595/live');
  });

  it('parses rtmpdump connect and play', () => {
    const [connect, createStream, play] = commands(dumpMsgs).map((m) => parseCommand(m.typeId, m.payload));
    assert.equal(connect?.name, 'connect');
    assert.equal(connect?.commandObject?.flashVer, 'LNX 10,0,32,18');
    assert.equal(connect?.commandObject?.capabilities, 15);
    assert.equal(connect?.commandObject?.fpad, false);
    assert.equal(createStream?.name, 'createStream');
    assert.deepEqual(
      [play?.name, play?.transactionId, play?.commandObject, play?.args],
      ['play', 3, null, ['x', 0]],
    );
  });

  it('parses what ffmpeg -listen sends a player (_result, onBWDone, onStatus) and reads the status info', () => {
    const [result, bw, cs, status] = commands(listenMsgs).map((m) => parseCommand(m.typeId, m.payload));
    assert.equal(result?.name, '_result');
    assert.equal(result?.commandObject?.fmsVer, 'FMS/3,0,1,123');
    assert.deepEqual(readStatusInfo(result?.args[0] ?? null), {
      level: 'status',
      code: 'NetConnection.Connect.Success',
      description: 'Connection succeeded.',
    });
    assert.deepEqual([bw?.name, bw?.args], ['onBWDone', [8192]]);
    assert.deepEqual(cs?.args, [1]);
    assert.equal(readStatusInfo(status?.args[0] ?? null).code, 'NetStream.Play.Start');
    assert.deepEqual(readStatusInfo('nope'), { level: '', code: '', description: '' });
  });

  it('AMF3 command messages (type 17): format selector 0, then AMF0 values, AVM+ switched values inside', () => {
    const body = unhex(`00 ${S('connect')} ${N(1)} ${O(['app', S('live')])} 11 06 07 616263`);
    const c = parseCommand(17, body);
    assert.equal(c.name, 'connect');
    assert.equal(c.commandObject?.app, 'live');
    assert.deepEqual(c.args, ['abc']);
  });

  it('a bare name (ffmpeg sends onFCPublish so) reads as transaction id 0', () => {
    const c = parseCommand(20, unhex(S('onFCPublish')));
    assert.deepEqual([c.name, c.transactionId, c.commandObject, c.args], ['onFCPublish', 0, null, []]);
  });

  it('round trip: parseCommand(packCommand(x)) gives x back', () => {
    const c = parseCommand(20, packCommand('publish', 5, null, 'x', 'live'));
    assert.deepEqual([c.name, c.transactionId, c.commandObject, c.args], ['publish', 5, null, ['x', 'live']]);
  });

  it('rejects malformed commands with typed errors', () => {
    assert.throws(() => parseCommand(20, unhex(N(1))), ProtocolError);
    assert.throws(() => parseCommand(20, unhex(`${S('x')} ${S('1')}`)), ProtocolError);
    assert.throws(() => parseCommand(20, unhex(`${S('x')} ${N(1)} ${N(2)}`)), ProtocolError);
    assert.throws(() => parseCommand(18, unhex(S('x'))), InvalidArgError);
    assert.throws(
      () => parseCommand(17, unhex(`01 ${S('x')}`)),
      (e) => isLalError(e),
    );
    const full = commands(publishMsgs)[0]?.payload as Uint8Array;
    // Cut inside the command object (after name 10 + transaction id 9 bytes): always an error.
    for (let n = 20; n < full.length; n++) {
      assert.throws(
        () => parseCommand(20, full.subarray(0, n)),
        (e) => isLalError(e),
        `truncated to ${n}`,
      );
    }
    assert.throws(() => parseCommand(20, full.subarray(0, 5)), ShortBufferError);
  });

  it('random input ends in a result or a LalError, never anything else', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(17, 20), (bytes, typeId) => {
        try {
          parseCommand(typeId, bytes, { maxDepth: 8 });
        } catch (e) {
          if (!isLalError(e)) throw e;
        }
      }),
      { numRuns: 2000 },
    );
  });

  it('the AMF depth limit is passed down', () => {
    // 40 nested AMF0 strict arrays of one element (0x0a, count 1), then a number.
    const body = unhex(`${S('x')} ${N(1)} ${NULL} ${'0a 00000001 '.repeat(40)}${N(0)}`);
    assert.throws(
      () => parseCommand(20, body, { maxDepth: 32 }),
      (e) => isLalError(e) && e.code === 'ERR_LIMIT',
    );
  });
});

describe('data messages', () => {
  const meta = publishMsgs.find((m) => m.typeId === 18)?.payload as Uint8Array;

  it("ffmpeg's metadata has @setDataFrame; strip gives the FLV onMetaData body, add puts it back", () => {
    assert.ok(hasSetDataFrame(meta));
    assert.ok(isMetadata(meta));
    assert.equal(dataMessageName(meta), '@setDataFrame');
    const bare = stripSetDataFrame(meta);
    assert.equal(bare.buffer, meta.buffer, 'a view, not a copy');
    assert.equal(dataMessageName(bare), 'onMetaData');
    assert.ok(isMetadata(bare));
    const values = decodeAmf0(bare);
    assert.equal(values[0], 'onMetaData');
    assert.equal((values[1] as Record<string, unknown>).width, 320);
    assert.equal(hex(addSetDataFrame(bare)), hex(meta));
    assert.equal(addSetDataFrame(meta), meta, 'already there: the same bytes');
    assert.equal(stripSetDataFrame(bare), bare, 'nothing to strip');
  });

  it('packMetadata writes an ECMA array, with or without @setDataFrame', () => {
    golden(
      packMetadata(ecmaArray({ width: 2 }), false),
      `${S('onMetaData')} 08 00000001 ${K('width')} ${N(2)} 000009`,
    );
    golden(
      packMetadata({ width: 2 }),
      `${S('@setDataFrame')} ${S('onMetaData')} 08 00000001 ${K('width')} ${N(2)} 000009`,
    );
  });

  it('names and AMF3 data bodies', () => {
    assert.equal(dataMessageName(rtmpSampleAccess()), '|RtmpSampleAccess');
    assert.equal(isMetadata(rtmpSampleAccess()), false);
    assert.equal(dataMessageName(unhex('0200')), undefined);
    assert.equal(dataMessageName(unhex('000102')), undefined);
    assert.equal(dataMessageName(unhex('020005 6162')), undefined);
    assert.equal(
      hex(amf3DataToAmf0(unhex(`00 ${S('onMetaData')}`)) ?? new Uint8Array(0)),
      hex(unhex(S('onMetaData'))),
    );
    assert.equal(amf3DataToAmf0(unhex('01')), undefined);
    assert.equal(amf3DataToAmf0(new Uint8Array(0)), undefined);
  });
});
