/**
 * Child processes of the bench: load tools whose `--json` lines are collected, and servers. Every
 * child is stopped by its own pid (SIGTERM, SIGKILL after a grace period), never by name.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';

/** One JSON line of a tool, with the bench's clock when it arrived (performance.now ms). */
export interface ToolLine {
  atMs: number;
  obj: Record<string, unknown>;
}

const live = new Set<ChildProcess>();

/** Every child still running (for the emergency exit path). */
export function liveChildren(): ChildProcess[] {
  return [...live];
}

/** Spawns a child; stdout and stderr go to `logPath` (and JSON stdout lines to `onLine`). */
export function spawnLogged(
  cmd: string,
  args: readonly string[],
  logPath: string,
  onLine?: (line: ToolLine) => void,
): ChildProcess {
  const log: WriteStream = createWriteStream(logPath);
  const child = spawn(cmd, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  live.add(child);
  child.once('exit', () => live.delete(child));
  child.once('error', (e) => log.write(`spawn error: ${e.message}\n`));
  child.stderr?.pipe(log, { end: false });
  if (child.stdout) {
    const rl = createInterface({ input: child.stdout });
    rl.on('line', (l) => {
      log.write(`${l}\n`);
      if (onLine === undefined || l[0] !== '{') return;
      try {
        onLine({ atMs: performance.now(), obj: JSON.parse(l) as Record<string, unknown> });
      } catch {
        // not JSON: logged only
      }
    });
  }
  child.once('close', () => log.end());
  return child;
}

/** Resolves with the exit code (or signal) once the child has exited. */
export function exited(child: ChildProcess): Promise<number | string> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  if (child.signalCode !== null) return Promise.resolve(child.signalCode);
  return new Promise((resolve) => child.once('exit', (code, sig) => resolve(code ?? sig ?? -1)));
}

/** Sends a signal to one pid, ignoring "no such process". */
export function signalPid(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // gone already
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Stops a child: SIGTERM, then SIGKILL after `graceMs`; `extraPids` (e.g. nginx workers, which the
 * master stops itself) get SIGKILL too if they outlive the grace period.
 */
export async function stopChild(
  child: ChildProcess,
  graceMs = 5000,
  extraPids: readonly number[] = [],
): Promise<void> {
  const pid = child.pid;
  if (pid !== undefined && child.exitCode === null && child.signalCode === null) {
    signalPid(pid, 'SIGTERM');
    const timer = setTimeout(() => signalPid(pid, 'SIGKILL'), graceMs);
    await exited(child);
    clearTimeout(timer);
  }
  const deadline = performance.now() + graceMs;
  for (const p of extraPids) {
    while (pidAlive(p) && performance.now() < deadline) await sleep(50);
    if (pidAlive(p)) signalPid(p, 'SIGKILL');
  }
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
