// Test helpers shared by the loopback tests and the interop tests (not part of the library).
import { readFileSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { join } from 'node:path';
import type { FlvHeader } from '../../format/flv/header.js';
import { parseFlvFile } from '../../format/flv/reader.js';
import { type FlvTag, packFlvTag } from '../../format/flv/tag.js';
import type { HttpFlvCloseReason } from './close-reason.js';
import { HttpFlvRejectError } from './errors.js';
import type { HttpFlvServerObserver } from './http-flv-server.js';
import type { HttpFlvSubSession } from './sub-session.js';

/** A fixture FLV from testdata/ (tests run from the repo root): header, tags, and each tag packed once. */
export function loadFixture(name = 'avc-aac'): {
  header: FlvHeader;
  tags: FlvTag[];
  packed: Buffer[];
  file: Buffer;
} {
  const file = readFileSync(join(process.cwd(), 'testdata', `${name}.flv`));
  const { header, tags } = parseFlvFile(file);
  if (header === undefined) throw new Error(`fixture ${name}: no header`);
  return { header, tags, packed: tags.map(packFlvTag), file };
}

/** Options of the fixture observer. */
export interface FixtureObserverOptions {
  /** Stream names served under app `live`; others get 404. Default ['test']. */
  streams?: string[];
  /** Tags per write() call. Default 16. */
  batch?: number;
  /** Write one batch every this many ms instead of all at once (a live-ish stream). Default 0. */
  intervalMs?: number;
  /** The streams intervalMs applies to. Default all. */
  slow?: string[];
  /** Streams that get the FLV header and then nothing (they stay open until closed). Default none. */
  hold?: string[];
}

/** An observer that serves a fixed tag list to each player and then closes it; records what happened. */
export class FixtureObserver implements HttpFlvServerObserver {
  readonly sessions: HttpFlvSubSession[] = [];
  readonly closes: Array<{ id: string; reason: HttpFlvCloseReason }> = [];
  private readonly timers = new Set<NodeJS.Timeout>();

  constructor(
    private readonly header: FlvHeader,
    private readonly packed: Buffer[],
    private readonly opts: FixtureObserverOptions = {},
  ) {}

  onNewHttpFlvSub(session: HttpFlvSubSession): Error | undefined {
    const streams = this.opts.streams ?? ['test'];
    if (session.app !== 'live' || !streams.includes(session.streamName)) {
      return new HttpFlvRejectError(404, `no stream ${session.app}/${session.streamName}`);
    }
    if (session.query.token === 'deny') return new HttpFlvRejectError(403, 'bad token');
    this.sessions.push(session);
    session.writeHeader({ hasAudio: this.header.hasAudio, hasVideo: this.header.hasVideo });
    if (this.opts.hold?.includes(session.streamName)) return undefined;
    const batch = this.opts.batch ?? 16;
    const slow = this.opts.slow === undefined || this.opts.slow.includes(session.streamName);
    const interval = slow ? (this.opts.intervalMs ?? 0) : 0;
    if (interval <= 0) {
      for (let i = 0; i < this.packed.length; i += batch) session.write(this.packed.slice(i, i + batch));
      session.close('end of the fixture');
      return undefined;
    }
    let i = 0;
    const t = setInterval(() => {
      if (session.closed || i >= this.packed.length) {
        clearInterval(t);
        this.timers.delete(t);
        session.close('end of the fixture');
        return;
      }
      session.write(this.packed.slice(i, i + batch));
      i += batch;
    }, interval);
    this.timers.add(t);
    return undefined;
  }

  onClose(session: HttpFlvSubSession, reason: HttpFlvCloseReason): void {
    this.closes.push({ id: session.id, reason });
  }

  /** Stops the interval writers and closes the held sessions. */
  stop(): void {
    for (const s of this.sessions) if (this.opts.hold?.includes(s.streamName)) s.close('test over');
    for (const t of this.timers) clearInterval(t);
    this.timers.clear();
  }
}

/**
 * Opens a raw TCP connection, sends `bytes` (if any), and resolves with everything received once the
 * server closes (or rejects after `timeoutMs`).
 */
export function rawExchange(port: number, bytes: Uint8Array | string, timeoutMs = 5000): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1');
    const got: Buffer[] = [];
    const timer = setTimeout(() => {
      s.destroy();
      reject(
        new Error(
          `no close from the server within ${timeoutMs} ms; got ${JSON.stringify(Buffer.concat(got).toString('latin1').slice(0, 200))}`,
        ),
      );
    }, timeoutMs);
    s.on('data', (b) => got.push(b));
    s.on('error', () => {});
    s.on('close', () => {
      clearTimeout(timer);
      resolve(Buffer.concat(got));
    });
    if (bytes.length > 0) s.write(bytes);
  });
}

/** Connects a raw socket (resolves once connected). */
export function rawConnect(port: number): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const s = connect(port, '127.0.0.1', () => resolve(s));
    s.once('error', reject);
  });
}
