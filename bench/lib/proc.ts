/**
 * Process and machine figures from /proc (Linux only): CPU time and RSS of a process tree (a server
 * and its children, e.g. nginx's master and workers), and the machine's busy time.
 */
import { readdirSync, readFileSync } from 'node:fs';

/** Clock ticks per second of /proc/<pid>/stat (getconf CLK_TCK; 100 on every Linux we run on). */
export const CLK_TCK = 100;

interface StatLine {
  ppid: number;
  /** utime + stime, ticks. */
  ticks: number;
  /** stime (kernel), ticks. */
  sys: number;
}

function readStat(pid: number): StatLine | undefined {
  let s: string;
  try {
    s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return undefined;
  }
  // The command name (field 2) may hold spaces and parentheses: split after the last ')'.
  const rest = s.slice(s.lastIndexOf(')') + 2).split(' ');
  const ppid = Number(rest[1]);
  const utime = Number(rest[11]);
  const stime = Number(rest[12]);
  if (!Number.isFinite(ppid) || !Number.isFinite(utime) || !Number.isFinite(stime)) return undefined;
  return { ppid, ticks: utime + stime, sys: stime };
}

/** pid and every descendant of it that is alive now. */
export function processTree(root: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    const pid = Number(name);
    if (!Number.isInteger(pid)) continue;
    const st = readStat(pid);
    if (st === undefined) continue;
    const list = children.get(st.ppid);
    if (list) list.push(pid);
    else children.set(st.ppid, [pid]);
  }
  const out: number[] = [];
  const todo = [root];
  while (todo.length > 0) {
    const p = todo.pop() as number;
    if (readStat(p) === undefined) continue;
    out.push(p);
    for (const c of children.get(p) ?? []) todo.push(c);
  }
  return out;
}

/** CPU seconds (user + system) used so far by each pid of the list (0 for a gone one), summed. */
export function cpuSeconds(pids: readonly number[]): number {
  let ticks = 0;
  for (const p of pids) ticks += readStat(p)?.ticks ?? 0;
  return ticks / CLK_TCK;
}

/** VmRSS of a process in bytes (0 when it is gone). */
export function rssBytes(pid: number): number {
  try {
    const m = /VmRSS:\s+(\d+)\s+kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? Number(m[1]) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** Summed RSS of a list of pids, bytes. */
export function treeRss(pids: readonly number[]): number {
  let sum = 0;
  for (const p of pids) sum += rssBytes(p);
  return sum;
}

/** The machine's CPU counters (all cores) from /proc/stat, in ticks. */
export interface MachineCpu {
  busy: number;
  total: number;
}

export function machineCpu(): MachineCpu {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
  const f = line.trim().split(/\s+/).slice(1).map(Number);
  const total = f.reduce((a, b) => a + b, 0);
  // idle + iowait are not busy.
  const idle = (f[3] ?? 0) + (f[4] ?? 0);
  return { busy: total - idle, total };
}

/**
 * CPU time of a set of process trees over a window: pids are re-discovered at every reading (a
 * process born in the window counts from 0; one that died keeps its last reading).
 */
export class TreeCpu {
  private readonly roots: readonly number[];
  /** pid -> [ticks, sys ticks] at begin() (0 for processes born later) and at the last reading. */
  private readonly first = new Map<number, [number, number]>();
  private readonly last = new Map<number, [number, number]>();
  private startMs = 0;

  constructor(roots: readonly number[]) {
    this.roots = roots;
  }

  private read(initial: boolean): void {
    for (const pid of new Set(this.roots.flatMap((r) => processTree(r)))) {
      const st = readStat(pid);
      if (st === undefined) continue;
      if (!this.first.has(pid)) this.first.set(pid, initial ? [st.ticks, st.sys] : [0, 0]);
      this.last.set(pid, [st.ticks, st.sys]);
    }
  }

  begin(): void {
    this.first.clear();
    this.last.clear();
    this.read(true);
    this.startMs = performance.now();
  }

  /** CPU seconds and % of one core since begin(), and the kernel (system) part of it. */
  percent(): { cpuSec: number; seconds: number; percent: number; sysPercent: number } {
    this.read(false);
    let ticks = 0;
    let sys = 0;
    for (const [pid, [t, s]] of this.last) {
      const [t0, s0] = this.first.get(pid) ?? [0, 0];
      ticks += t - t0;
      sys += s - s0;
    }
    const cpuSec = ticks / CLK_TCK;
    const seconds = (performance.now() - this.startMs) / 1000;
    const pct = (x: number): number => (seconds > 0 ? (x / CLK_TCK / seconds) * 100 : 0);
    return { cpuSec, seconds, percent: pct(ticks), sysPercent: pct(sys) };
  }

  /** The pids seen so far. */
  get pids(): number[] {
    return [...this.last.keys()];
  }
}

/** Short machine facts for the report. */
export function machineInfo(): Record<string, string | number> {
  const cpuinfo = readFileSync('/proc/cpuinfo', 'utf8');
  const model = /model name\s*:\s*(.+)/.exec(cpuinfo)?.[1]?.trim() ?? 'unknown';
  const cores = (cpuinfo.match(/^processor\s*:/gm) ?? []).length;
  const memKb = Number(/MemTotal:\s+(\d+)/.exec(readFileSync('/proc/meminfo', 'utf8'))?.[1] ?? 0);
  const kernel = readFileSync('/proc/sys/kernel/osrelease', 'utf8').trim();
  return {
    cpu: model,
    cores,
    memGiB: Math.round((memKb / 1048576) * 10) / 10,
    kernel,
    node: process.version,
  };
}

/** Load averages (1, 5, 15 min). */
export function loadAvg(): number[] {
  return readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).map(Number);
}
