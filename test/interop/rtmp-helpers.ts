/**
 * Helpers for the RTMP interop tests (not a test file): child processes that are always killed,
 * temp dirs, a tiny FLV file reader, and a minimal RTMP server built from the library that records
 * what publishers send and serves a recorded message list to players.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, connect as tcpConnect } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import {
  csidForMessageType,
  packMessage,
  type RtmpMediaMessage,
  RtmpMsgType,
  RtmpServer,
  type RtmpServerObserver,
  type RtmpSubSession,
  stripSetDataFrame,
} from '../../src/protocol/rtmp/index.js';

/**
 * Gate for rtmpdump with the policy of test/helpers/tools.ts `needTool` (CI: a missing tool fails;
 * elsewhere: skip loudly). needTool probes `-version` / `--version`, which rtmpdump 2.4 answers
 * with exit code 1 even when installed; it exits 0 for `-h`.
 */

export interface ToolResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningTool {
  proc: ChildProcess;
  /** Resolves when the process exits (never rejects). */
  done: Promise<ToolResult>;
}

/**
 * Starts `cmd args`, killed (SIGKILL, by PID) after `timeoutMs` and in any case when the test ends.
 */
export function startTool(t: TestContext, cmd: string, args: string[], timeoutMs: number): RunningTool {
  const proc = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  proc.stdout?.on('data', (b: Buffer) => {
    stdout += b.toString('utf8');
  });
  proc.stderr?.on('data', (b: Buffer) => {
    stderr += b.toString('utf8');
  });
  const kill = (): void => {
    if (proc.pid !== undefined && proc.exitCode === null && proc.signalCode === null) {
      try {
        process.kill(proc.pid, 'SIGKILL');
      } catch {
        // already gone
      }
    }
  };
  const timer = setTimeout(kill, timeoutMs);
  t.after(kill);
  const done = new Promise<ToolResult>((resolve) => {
    proc.on('error', (e) => {
      clearTimeout(timer);
      resolve({ code: -1, signal: null, stdout, stderr: `${stderr}\nspawn error: ${e.message}` });
    });
    proc.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, stderr });
    });
  });
  return { proc, done };
}

/** Runs a tool to completion (bounded by timeoutMs) and returns its result. */
export function runTool(t: TestContext, cmd: string, args: string[], timeoutMs: number): Promise<ToolResult> {
  return startTool(t, cmd, args, timeoutMs).done;
}

/** A fresh temp dir, removed when the test ends. */
export function tempDir(t: TestContext): string {
  const d = mkdtempSync(join(tmpdir(), 'lalts-rtmp-'));
  t.after(() => rmSync(d, { recursive: true, force: true }));
  return d;
}

/** A port that was free a moment ago on 127.0.0.1 (for tools that must listen themselves). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a !== null ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

/** Resolves once something accepts TCP connections on 127.0.0.1:port (polling), or rejects at the deadline. */
export async function waitForPort(port: number, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const ok = await new Promise<boolean>((resolve) => {
      const s = tcpConnect({ host: '127.0.0.1', port });
      s.once('connect', () => {
        s.destroy();
        resolve(true);
      });
      s.once('error', () => resolve(false));
    });
    if (ok) return;
    if (Date.now() > deadline) throw new Error(`nothing listens on port ${port} after ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/**
 * Probing a listening ffmpeg with a bare TCP connect makes it fail (it takes the first connection).
 * So wait on its log line instead: ffmpeg -listen prints nothing when ready, hence a short grace.
 */
export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** One FLV tag, read by the tiny reader below. */
export interface FlvTag {
  typeId: number;
  timestampMs: number;
  body: Buffer;
}

/**
 * A tiny FLV file reader for the tests (header, then tag header 11 | body | previous tag size 4);
 * deliberately independent of src/format/flv.
 */
export function readFlvTags(file: Buffer): FlvTag[] {
  if (file.length < 9 || file.toString('latin1', 0, 3) !== 'FLV') throw new Error('not an FLV file');
  let p = file.readUInt32BE(5) + 4;
  const tags: FlvTag[] = [];
  while (p + 11 <= file.length) {
    const typeId = (file[p] as number) & 0x1f;
    const size = file.readUIntBE(p + 1, 3);
    const ts = file.readUIntBE(p + 4, 3) + (file[p + 7] as number) * 0x1000000;
    if (p + 11 + size > file.length) break;
    tags.push({ typeId, timestampMs: ts, body: file.subarray(p + 11, p + 11 + size) });
    p += 11 + size + 4;
  }
  return tags;
}

/** True for an AVC sequence header (FLV video tag body: 0x17 0x00). */
export function isAvcSequenceHeader(body: Uint8Array): boolean {
  return body[0] === 0x17 && body[1] === 0;
}

/** True for an AAC sequence header (FLV audio tag body: 0xAx 0x00). */
export function isAacSequenceHeader(body: Uint8Array): boolean {
  return (body[0] as number) >> 4 === 10 && body[1] === 0;
}

/** A media message copied out of the session (the test keeps it). */
export interface Recorded {
  typeId: number;
  timestampMs: number;
  payload: Buffer;
}

/**
 * The minimal server of the interop tests: records every publisher's messages per stream name,
 * and serves a stream to players from a given list (metadata without `@setDataFrame`, sequence
 * headers, frames), packed once per message, then NetStream.Play.Stop.
 */
export class MiniServer {
  readonly server: RtmpServer;
  readonly recorded = new Map<string, Recorded[]>();
  readonly published: string[] = [];
  readonly stopped: string[] = [];
  readonly played: string[] = [];
  /** Handshake mode of each publisher and player, in order. */
  readonly handshakes: string[] = [];
  private readonly serving = new Map<string, readonly Recorded[]>();
  private donePublishing: Array<() => void> = [];

  constructor() {
    const observer: RtmpServerObserver = {
      onNewPubSession: (s) => {
        this.published.push(s.streamName);
        this.handshakes.push(s.handshake?.mode ?? 'none');
        this.recorded.set(s.streamName, []);
        return undefined;
      },
      onPubMessage: (s, m) => {
        this.recorded.get(s.streamName)?.push({
          typeId: m.typeId,
          timestampMs: m.timestampMs,
          payload: Buffer.from(m.payload),
        });
      },
      onPubStop: (s) => {
        this.stopped.push(s.streamName);
        for (const f of this.donePublishing.splice(0)) f();
      },
      onNewSubSession: (s) => {
        const list = this.serving.get(s.streamName);
        if (list === undefined) return new Error(`no stream '${s.streamName}'`);
        this.played.push(s.streamName);
        this.handshakes.push(s.handshake?.mode ?? 'none');
        serve(s, list);
        return undefined;
      },
      onClose: () => {},
    };
    this.server = new RtmpServer(observer, { idleTimeoutMs: 10_000 });
  }

  async listen(): Promise<number> {
    const a = await this.server.listen(0, '127.0.0.1');
    return a.port;
  }

  /** Serve `list` to players of `name`. */
  serve(name: string, list: readonly Recorded[]): void {
    this.serving.set(name, list);
  }

  /** Resolves at the next publisher stop (FCUnpublish / deleteStream / close). */
  nextPublishStop(): Promise<void> {
    return new Promise((resolve) => this.donePublishing.push(resolve));
  }

  close(): Promise<void> {
    return this.server.close();
  }
}

function serve(s: RtmpSubSession, list: readonly Recorded[]): void {
  for (const m of list) {
    const payload = m.typeId === RtmpMsgType.DataAmf0 ? stripSetDataFrame(m.payload) : m.payload;
    s.writeChunks(
      packMessage(
        {
          csid: csidForMessageType(m.typeId),
          typeId: m.typeId,
          streamId: s.streamId,
          timestampMs: m.timestampMs,
          payload,
        },
        s.outChunkSize,
      ),
      m.typeId,
    );
  }
  // Sent after the queued writes: onNewSubSession's writes go out right after Play.Start, and
  // these once the session is active.
  setImmediate(() => s.sendPlayStop());
}

/** Media messages as plain data for comparisons. */
export function summarize(list: readonly (RtmpMediaMessage | Recorded)[]): Array<[number, number, number]> {
  return list.map((m) => [m.typeId, m.timestampMs, m.payload.length]);
}
