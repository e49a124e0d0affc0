import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { ChunkReader } from './chunk-reader.js';
import { HandshakeClient, HandshakeServer } from './handshake.js';
import type { RtmpMessage } from './message-types.js';

/** Test helper: the captures of testdata/ (found from the repository root, the tests' cwd). */
export function readCapture(
  name: 'ffmpeg-publish.bin' | 'ffmpeg-listen-play.bin' | 'rtmpdump-play.bin',
): Buffer {
  return readFileSync(resolve(process.cwd(), 'src/protocol/rtmp/testdata', name));
}

/**
 * The messages of a capture: client-to-server captures are read after our HandshakeServer,
 * server-to-client ones after our HandshakeClient.
 */
export function captureMessages(
  name: 'ffmpeg-publish.bin' | 'ffmpeg-listen-play.bin' | 'rtmpdump-play.bin',
): RtmpMessage[] {
  const bytes = readCapture(name);
  let rest: Uint8Array = new Uint8Array(0);
  const onDone = (_: unknown, r: Uint8Array): void => {
    rest = Buffer.from(r);
  };
  if (name === 'ffmpeg-listen-play.bin') {
    const c = new HandshakeClient({ onSend: () => {}, onDone });
    c.start();
    c.feed(bytes);
  } else {
    new HandshakeServer({ onSend: () => {}, onDone }).feed(bytes);
  }
  const out: RtmpMessage[] = [];
  new ChunkReader({ onMessage: (m) => out.push(m) }).feed(rest);
  return out;
}
