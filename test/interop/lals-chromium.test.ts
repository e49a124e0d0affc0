/**
 * Interop, level 4: a browser plays lals. Debian's headless Chromium, driven by playwright-core,
 * loads test/interop/lals-player.html from a tiny static server of this test (127.0.0.1, its own
 * port: the page and lals are cross-origin, so HTTP-FLV relies on lals's
 * `Access-Control-Allow-Origin: *`). The page plays the stream with mpegts.js (FLV demuxer and
 * MP4 remuxer in JS, fed to Media Source Extensions) over HTTP-FLV (fetch) and WebSocket-FLV, while
 * the project's RTMP push session publishes the avc-aac fixture in real time, looped. Chromium's
 * own decoders must then have decoded the H.264 pictures and the AAC audio, with time advancing and
 * no mpegts.js error event.
 *
 * Debian's Chromium (156) can decode H.264 and AAC in MSE (checked below); it cannot take HEVC in
 * MSE (`hvc1` is not supported), so H.265 is not played in the browser.
 */
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { type BrowserContext, chromium } from 'playwright-core';
import { readFixture } from '../helpers/fixtures.js';
import { startLals, type TestLals, waitFor } from '../helpers/lals.js';
import { haveTool, needTool } from '../helpers/tools.js';
import { type LoopingPublisher, startLoopingPublisher } from './lals-helpers.js';
import { sleep } from './rtmp-helpers.js';

const CHROMIUM = '/usr/bin/chromium';

interface PlayerState {
  errors: Array<{ type: string; detail: string; info: string }>;
  mediaInfo: {
    mimeType?: string;
    videoCodec?: string;
    audioCodec?: string;
    width?: number;
    height?: number;
    audioSampleRate?: number;
    audioChannelCount?: number;
  } | null;
  playError: string | null;
  features: { mseLivePlayback?: boolean; networkStreamIO?: boolean };
  mse: { avcBaseline: boolean; avcHigh: boolean; aac: boolean; hevc: boolean };
}

interface Snapshot {
  totalVideoFrames: number;
  droppedVideoFrames: number;
  currentTime: number;
  paused: boolean;
  readyState: number;
  videoWidth: number;
  videoHeight: number;
  audioDecodedBytes: number;
  videoDecodedBytes: number;
  mediaError: string | null;
  state: PlayerState;
}

/** Serves the player page and mpegts.js (from node_modules) on 127.0.0.1, port 0. */
async function startStaticServer(): Promise<{ server: Server; base: string }> {
  const page = readFileSync(join(process.cwd(), 'test', 'interop', 'lals-player.html'));
  const mpegts = readFileSync(createRequire(import.meta.url).resolve('mpegts.js'));
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? '/', 'http://x').pathname;
    if (path === '/') {
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(page);
    } else if (path === '/mpegts.js') {
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8' }).end(mpegts);
    } else {
      res.writeHead(404).end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const a = server.address();
  const port = typeof a === 'object' && a !== null ? a.port : 0;
  return { server, base: `http://127.0.0.1:${port}` };
}

describe('headless Chromium plays lals through mpegts.js', { timeout: 45_000 }, () => {
  let lals: TestLals | undefined;
  let pub: LoopingPublisher | undefined;
  let web: { server: Server; base: string } | undefined;
  let browser: BrowserContext | undefined;
  let profile: string | undefined;
  const name = 'web';

  before(async () => {
    if (!haveTool('chromium')) return; // each test fails or skips through needTool
    lals = await startLals();
    pub = await startLoopingPublisher(lals.rtmp(name), readFixture('avc-aac').tags);
    web = await startStaticServer();
  });
  after(async () => {
    try {
      await browser?.close();
    } finally {
      await pub?.stop();
      await lals?.stop();
      await new Promise((r) => web?.server.close(r) ?? r(undefined));
      if (profile !== undefined) rmSync(profile, { recursive: true, force: true });
    }
  });

  async function context(): Promise<BrowserContext> {
    if (browser === undefined) {
      // A fresh, empty profile (playwright passes it as --user-data-dir); the flags of node.md.
      profile = mkdtempSync(join(tmpdir(), 'lalts-chromium-'));
      browser = await chromium.launchPersistentContext(profile, {
        executablePath: CHROMIUM,
        headless: true,
        timeout: 20_000,
        args: [
          '--no-sandbox',
          '--disable-gpu',
          '--disable-quic',
          '--no-first-run',
          '--disable-background-networking',
          '--disable-component-update',
          '--disable-sync',
          '--autoplay-policy=no-user-gesture-required',
        ],
      });
    }
    return browser;
  }

  it('Chromium can decode H.264 and AAC in MSE (not HEVC); mpegts.js can play live', async (t) => {
    if (!needTool(t, 'chromium')) return;
    const page = await (await context()).newPage();
    try {
      await page.goto(`${web?.base}/`);
      const st = (await page.evaluate('window.lalsState')) as PlayerState;
      t.diagnostic(`MSE support: ${JSON.stringify(st.mse)}`);
      assert.equal(st.mse.avcBaseline, true, 'video/mp4; codecs="avc1.42E01E" in MSE');
      assert.equal(st.mse.avcHigh, true, 'video/mp4; codecs="avc1.640028" in MSE');
      assert.equal(st.mse.aac, true, 'audio/mp4; codecs="mp4a.40.2" in MSE');
      assert.equal(st.features.mseLivePlayback, true, 'mpegts.js: MSE live playback');
    } finally {
      await page.close();
    }
  });

  for (const proto of ['HTTP-FLV', 'WebSocket-FLV'] as const) {
    it(`plays ${proto}: decoded pictures and audio, time advances, no errors`, async (t) => {
      if (!needTool(t, 'chromium') || lals === undefined) return;
      const src = proto === 'HTTP-FLV' ? lals.http(name) : lals.ws(name);
      const page = await (await context()).newPage();
      const pageErrors: string[] = [];
      const consoleErrors: string[] = [];
      page.on('pageerror', (e) => pageErrors.push(e.message));
      page.on('console', (m) => {
        if (m.type() === 'error') consoleErrors.push(m.text());
      });
      const snap = async () => (await page.evaluate('window.lalsSnapshot()')) as Snapshot;
      try {
        await page.goto(`${web?.base}/?src=${encodeURIComponent(src)}`);
        try {
          await page.waitForFunction(
            'window.lalsSnapshot().totalVideoFrames > 10 && window.lalsSnapshot().currentTime > 0.2',
            undefined,
            { timeout: 15_000, polling: 100 },
          );
        } catch (e) {
          assert.fail(
            `${proto}: no playback: ${String(e)}\n${JSON.stringify(await snap())}\npage errors: ${pageErrors}\nconsole errors: ${consoleErrors}`,
          );
        }
        // lals sees this page as a player of the expected protocol.
        const subs = (lals.server.groups.get('live', name)?.dump().subs ?? []) as Array<{ protocol: string }>;
        assert.deepEqual(
          subs.map((s) => s.protocol),
          [proto === 'HTTP-FLV' ? 'httpflv' : 'wsflv'],
        );
        const a = await snap();
        await sleep(800);
        const b = await snap();
        const detail = `${JSON.stringify(b)}\nconsole errors: ${consoleErrors}`;
        assert.ok(b.currentTime > a.currentTime, `${proto}: currentTime advances: ${detail}`);
        assert.ok(b.totalVideoFrames > a.totalVideoFrames, `${proto}: more frames decoded: ${detail}`);
        assert.equal(b.videoWidth, 320, detail);
        assert.equal(b.videoHeight, 240, detail);
        assert.ok(b.videoDecodedBytes > 0, `${proto}: video bytes decoded: ${detail}`);
        assert.ok(b.audioDecodedBytes > 0, `${proto}: AAC decoded: ${detail}`);
        assert.equal(b.mediaError, null, detail);
        assert.equal(b.state.playError, null, detail);
        assert.deepEqual(b.state.errors, [], `${proto}: mpegts.js error events`);
        assert.deepEqual(pageErrors, [], `${proto}: page errors`);
        assert.match(b.state.mediaInfo?.videoCodec ?? '', /^avc1\./, detail);
        assert.match(b.state.mediaInfo?.audioCodec ?? '', /^mp4a\.40\./, detail);
        t.diagnostic(
          `${proto}: ${b.totalVideoFrames} frames decoded (${b.droppedVideoFrames} dropped), t=${b.currentTime.toFixed(2)} s, ${b.audioDecodedBytes} audio bytes`,
        );
      } finally {
        await page.close();
      }
      // The page's connection is gone: lals drops the player.
      await waitFor(
        () => (lals?.server.groups.get('live', name)?.subCount ?? 0) === 0,
        'player removed',
        5000,
      );
    });
  }
});
