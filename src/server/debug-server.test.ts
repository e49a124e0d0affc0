import assert from 'node:assert/strict';
import { request } from 'node:http';
import { after, before, describe, it } from 'node:test';
import type { DebugServer } from './debug-server.js';
import { startDebugServer } from './debug-server.js';

interface Reply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: Buffer;
}

function get(port: number, path: string, method = 'GET'): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port, path, method, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () =>
        resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) }),
      );
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end();
  });
}

/** Waits until /debug/vars says a profile is running. */
async function waitProfiling(port: number): Promise<void> {
  for (;;) {
    const v = JSON.parse((await get(port, '/debug/vars')).body.toString()) as { profiling: boolean };
    if (v.profiling) return;
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

describe('debug server', () => {
  let server: DebugServer;
  const lines: string[] = [];
  const logger = {
    debug: (m: string) => lines.push(m),
    info: (m: string) => lines.push(m),
    warn: (m: string) => lines.push(m),
    error: (m: string) => lines.push(m),
  };

  before(async () => {
    server = await startDebugServer({
      addr: '127.0.0.1:0',
      dump: () => ({ groups: [{ key: 'live/test', subs: 2 }] }),
      logger,
    });
  });
  after(async () => {
    await server.close();
  });

  it('listens on the port it reports', () => {
    assert.ok(server.port > 0);
    assert.ok(lines.some((l) => l.includes(`port ${server.port}`)));
  });

  it('a 1-second CPU profile is a .cpuprofile JSON, and a second profile meanwhile is refused', async () => {
    const profile = get(server.port, '/debug/pprof/profile?seconds=1');
    await waitProfiling(server.port);
    const busy = await get(server.port, '/debug/pprof/heap');
    assert.equal(busy.status, 409);
    // keep the CPU busy a little so there are samples
    const until = Date.now() + 200;
    let x = 0;
    while (Date.now() < until) x += Math.sqrt(x + 1);
    const r = await profile;
    assert.equal(r.status, 200);
    assert.match(String(r.headers['content-disposition']), /\.cpuprofile"$/);
    const p = JSON.parse(r.body.toString()) as { nodes: unknown[]; samples: unknown[]; startTime: number };
    assert.ok(Array.isArray(p.nodes) && p.nodes.length > 0);
    assert.ok(Array.isArray(p.samples));
    assert.equal(typeof p.startTime, 'number');
  });

  it('a bad seconds value is 400', async () => {
    for (const s of ['0', '301', 'x', '1.5']) {
      assert.equal((await get(server.port, `/debug/pprof/profile?seconds=${s}`)).status, 400, s);
    }
  });

  it('a heap snapshot starts with {"snapshot"', async () => {
    const r = await get(server.port, '/debug/pprof/heap');
    assert.equal(r.status, 200);
    assert.ok(r.body.subarray(0, 11).toString() === '{"snapshot"', r.body.subarray(0, 40).toString());
    assert.match(String(r.headers['content-disposition']), /\.heapsnapshot"$/);
  });

  it('/debug/groups returns the dump', async () => {
    const r = await get(server.port, '/debug/groups');
    assert.equal(r.status, 200);
    assert.deepEqual(JSON.parse(r.body.toString()), { groups: [{ key: 'live/test', subs: 2 }] });
  });

  it('/debug/vars returns process figures', async () => {
    const r = await get(server.port, '/debug/vars');
    assert.equal(r.status, 200);
    const v = JSON.parse(r.body.toString()) as Record<string, unknown>;
    assert.equal(v.pid, process.pid);
    for (const k of [
      'profiling',
      'memory',
      'cpu_usage_us',
      'uptime_sec',
      'event_loop_delay_ms',
      'active_resources',
    ]) {
      assert.ok(k in v, k);
    }
  });

  it('anything else is 404 (405 for another method on a known path)', async () => {
    assert.equal((await get(server.port, '/')).status, 404);
    assert.equal((await get(server.port, '/debug/pprof/goroutine')).status, 404);
    const r = await get(server.port, '/debug/groups', 'POST');
    assert.equal(r.status, 405);
    assert.equal(r.headers.allow, 'GET');
  });
});

describe('debug server lifecycle', () => {
  it('close() stops it, ends a profile in progress and is idempotent', async () => {
    const s = await startDebugServer({ addr: '127.0.0.1:0' });
    const pending = get(s.port, '/debug/pprof/profile?seconds=60').then(
      () => 'answered',
      () => 'dropped',
    );
    await waitProfiling(s.port);
    await Promise.all([s.close(), s.close()]);
    assert.equal(await pending, 'dropped');
    await assert.rejects(get(s.port, '/debug/vars'), /ECONNREFUSED/);
  });

  it('a dump that throws is a 500, not a crash', async () => {
    const s = await startDebugServer({
      addr: '127.0.0.1:0',
      dump: () => {
        throw new Error('nope');
      },
    });
    try {
      const r = await get(s.port, '/debug/groups');
      assert.equal(r.status, 500);
      assert.match(r.body.toString(), /nope/);
    } finally {
      await s.close();
    }
  });

  it('a port in use rejects', async () => {
    const s = await startDebugServer({ addr: '127.0.0.1:0' });
    try {
      await assert.rejects(startDebugServer({ addr: `127.0.0.1:${s.port}` }), /EADDRINUSE/);
    } finally {
      await s.close();
    }
  });
});
