/** Grouped summaries of run results: success rate and typical steps per grid cell. */
import type { RunResult } from './run.js';

export interface GroupSummary {
  n: number | null;
  d: number | null;
  data: string;
  activation: string;
  init: string;
  width: number;
  /** α of the centred model (null: the plain network). */
  alpha: number | null;
  runs: number;
  converged: number;
  errors: number;
  successRate: number;
  medianSteps: number | null;
  medianResidual: number | null;
  maxMovement: number | null;
  /** Median held-out RMSE ‖u* − y*‖₂/√n* of the finished runs (null: no test points). */
  medianTestRmse: number | null;
}

function median(xs: number[]): number | null {
  if (xs.length === 0) return null;
  const s = [...xs].sort((a, b) => a - b);
  const h = Math.floor(s.length / 2);
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
}

export function dataLabel(r: RunResult): string {
  const d = r.spec.data;
  return d.kind === 'synthetic' ? `${d.inputs}/${d.labels}/seed${d.seed}` : d.path;
}

export function summarize(results: readonly RunResult[]): GroupSummary[] {
  const groups = new Map<string, RunResult[]>();
  for (const r of results) {
    const d = r.spec.data;
    const key = JSON.stringify([dataLabel(r), d.kind === 'synthetic' ? d.n : null, r.spec.model.activation, r.spec.model.init, r.spec.alpha ?? null, r.spec.model.m]);
    let g = groups.get(key);
    if (!g) groups.set(key, (g = []));
    g.push(r);
  }
  return [...groups.values()].map((g) => {
    const r0 = g[0];
    const d = r0.spec.data;
    const ok = g.filter((r) => r.status === 'converged');
    return {
      n: d.kind === 'synthetic' ? d.n : null,
      d: d.kind === 'synthetic' ? d.d : null,
      data: dataLabel(r0),
      activation: r0.spec.model.activation,
      init: r0.spec.model.init,
      width: r0.spec.model.m,
      alpha: r0.spec.alpha ?? null,
      runs: g.length,
      converged: ok.length,
      errors: g.filter((r) => r.status === 'error').length,
      successRate: ok.length / g.length,
      medianSteps: median(ok.map((r) => r.steps)),
      medianResidual: median(g.filter((r) => r.residual !== null).map((r) => r.residual!)),
      maxMovement: g.reduce<number | null>((mx, r) => (r.movement === null ? mx : Math.max(mx ?? 0, r.movement)), null),
      medianTestRmse: median(g.filter((r) => r.test !== undefined).map((r) => r.test!.rmse)),
    };
  });
}
