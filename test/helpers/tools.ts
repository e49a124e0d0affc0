import { spawnSync } from 'node:child_process';
import type { TestContext } from 'node:test';

const found = new Map<string, boolean>();

/** True when `name` runs on this machine (`name -version` or `--version` exits 0). */
export function haveTool(name: string): boolean {
  let ok = found.get(name);
  if (ok === undefined) {
    // Tools disagree on how to print their version (rtmpdump 2.4 exits 0 only for -h).
    ok = ['-version', '--version', '-h'].some(
      (flag) => spawnSync(name, [flag], { stdio: 'ignore' }).status === 0,
    );
    found.set(name, ok);
  }
  return ok;
}

/**
 * Gate for interop tests that need a third-party tool. In CI (CI=true) a missing tool fails the
 * test; on a developer machine the test is skipped with a loud message.
 */
export function needTool(t: TestContext, name: string): boolean {
  if (haveTool(name)) return true;
  const msg = `${name} is not installed: install it (apt-get install ${name === 'ffprobe' ? 'ffmpeg' : name}) to run this interop test`;
  if (process.env.CI === 'true' || process.env.CI === '1') throw new Error(`CI: ${msg}`);
  process.stderr.write(`\n!!! SKIPPED: ${msg}\n\n`);
  t.skip(msg);
  return false;
}
