// Connection storms (lal's benchrtmpconnect): 1000 RTMP clients within a second, each doing
// the handshake, connect and publish or play, then closing. Every client is served or refused with a
// reason, none hangs, nothing is left behind, and the server serves normally afterwards. The same
// against lals in its own process: bench/rtmp-storm.ts.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { readFixture } from '../helpers/fixtures.js';
import { checkAlive, startLals, type TestLals, waitFor } from '../helpers/lals.js';
import { percentile, runStorm, type StormResult } from '../helpers/storm.js';

const { tags } = readFixture('avc-aac');
const N = 1000;

function summary(r: StormResult): string {
  return (
    `${r.n} clients in ${Math.round(r.elapsedMs)} ms: ${r.served} served, ${r.refused} refused, ${r.failed} failed; ` +
    `setup p50 ${percentile(r.setupMs, 50).toFixed(1)} ms, p99 ${percentile(r.setupMs, 99).toFixed(1)} ms; ` +
    `reasons ${JSON.stringify(r.reasons)}`
  );
}

async function drained(lals: TestLals): Promise<void> {
  await waitFor(
    () => {
      const c = lals.server.connectionCounts();
      return c.rtmp + c.http === 0 && lals.server.groups.size === 0;
    },
    () =>
      `nothing left: ${JSON.stringify(lals.server.connectionCounts())}, ${lals.server.groups.size} groups`,
    5000,
  );
}

describe('connection storm', () => {
  it(`${N} RTMP publishers and players within a second are all served`, { timeout: 20_000 }, async (t) => {
    const lals = await startLals();
    try {
      const r = await runStorm({ baseUrl: lals.rtmp(''), n: N, spreadMs: 1000 });
      t.diagnostic(summary(r));
      assert.equal(r.failed, 0, summary(r));
      assert.equal(r.served, N, summary(r));
      await drained(lals);
      await checkAlive(lals, 'after-storm', tags);
    } finally {
      await lals.stop();
    }
  });

  it(`${N} clients at once past limits.max_connections: each served or refused with a reason, none hangs`, {
    timeout: 20_000,
  }, async (t) => {
    // Clients and server share one thread here, so only some 10 connections are ever open at once:
    // a limit of 5 makes the storm overflow it.
    const lals = await startLals(['limits.max_connections=5'], { captureLog: true });
    try {
      const r = await runStorm({ baseUrl: lals.rtmp(''), n: N, spreadMs: 0 });
      t.diagnostic(summary(r));
      assert.equal(r.failed, 0, summary(r));
      assert.equal(r.served + r.refused, N);
      assert.ok(r.refused > 0 && r.served > 0, `both outcomes happened: ${summary(r)}`);
      const logged = lals.logLines.filter(
        (l) => l.includes('rtmp server: refusing') && l.includes('too many connections'),
      );
      assert.ok(
        logged.length >= r.refused,
        `every refusal is logged (${logged.length} lines, ${r.refused} refused)`,
      );
      await drained(lals);
      await checkAlive(lals, 'after-storm', tags);
    } finally {
      await lals.stop();
    }
  });
});
