/** Self time by function from a V8 .cpuprofile (what DevTools' "Bottom-Up" view shows). */

interface CpuProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  hitCount?: number;
}

interface CpuProfile {
  nodes: CpuProfileNode[];
  startTime: number;
  endTime: number;
  samples?: number[];
  timeDeltas?: number[];
}

export interface SelfTimeRow {
  fn: string;
  where: string;
  selfMs: number;
  percent: number;
}

/** Top `n` functions by self time (ms and % of the samples, idle excluded from neither). */
export function topSelfTime(
  profile: CpuProfile,
  n = 20,
): { rows: SelfTimeRow[]; totalMs: number; idlePercent: number } {
  const byNode = new Map<number, CpuProfileNode>();
  for (const node of profile.nodes) byNode.set(node.id, node);
  const selfUs = new Map<number, number>();
  const samples = profile.samples ?? [];
  const deltas = profile.timeDeltas ?? [];
  if (samples.length > 0 && deltas.length === samples.length) {
    // Each sample's duration is the delta to the next sample.
    for (let i = 0; i < samples.length; i++) {
      const id = samples[i] as number;
      const d = (deltas[i + 1] ?? 0) as number;
      selfUs.set(id, (selfUs.get(id) ?? 0) + Math.max(0, d));
    }
  } else {
    const per = (profile.endTime - profile.startTime) / Math.max(1, sumHits(profile.nodes));
    for (const node of profile.nodes) selfUs.set(node.id, (node.hitCount ?? 0) * per);
  }
  const byFn = new Map<string, { fn: string; where: string; us: number }>();
  let total = 0;
  let idle = 0;
  for (const [id, us] of selfUs) {
    const node = byNode.get(id);
    if (!node) continue;
    total += us;
    const cf = node.callFrame;
    const fn = cf.functionName || '(anonymous)';
    if (fn === '(idle)') idle += us;
    const file = cf.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|\.build\/bench|node_modules)\//, '$1/');
    const where = file ? `${file}:${cf.lineNumber + 1}` : '';
    const k = `${fn} ${where}`;
    const e = byFn.get(k);
    if (e) e.us += us;
    else byFn.set(k, { fn, where, us });
  }
  const rows = [...byFn.values()]
    .sort((a, b) => b.us - a.us)
    .slice(0, n)
    .map((e) => ({
      fn: e.fn,
      where: e.where,
      selfMs: Math.round(e.us / 1000),
      percent: total > 0 ? Math.round((e.us / total) * 1000) / 10 : 0,
    }));
  return {
    rows,
    totalMs: Math.round(total / 1000),
    idlePercent: total > 0 ? Math.round((idle / total) * 1000) / 10 : 0,
  };
}

function sumHits(nodes: readonly CpuProfileNode[]): number {
  let s = 0;
  for (const n of nodes) s += n.hitCount ?? 0;
  return s;
}
