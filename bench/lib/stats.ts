/** Small statistics helpers. */

/** The q-quantile (0..1) of already sorted numbers (nearest rank), NaN when empty. */
export function quantileSorted(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  const i = Math.min(sorted.length - 1, Math.max(0, Math.ceil(q * sorted.length) - 1));
  return sorted[i] as number;
}

export function summarize(values: readonly number[]): {
  count: number;
  p50: number;
  p90: number;
  p99: number;
  max: number;
  mean: number;
} {
  const s = [...values].sort((a, b) => a - b);
  const mean = s.length ? s.reduce((a, b) => a + b, 0) / s.length : Number.NaN;
  return {
    count: s.length,
    p50: r2(quantileSorted(s, 0.5)),
    p90: r2(quantileSorted(s, 0.9)),
    p99: r2(quantileSorted(s, 0.99)),
    max: r2(s[s.length - 1] ?? Number.NaN),
    mean: r2(mean),
  };
}

export function r1(x: number): number {
  return Math.round(x * 10) / 10;
}

export function r2(x: number): number {
  return Math.round(x * 100) / 100;
}
