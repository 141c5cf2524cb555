/** The text summary of a sweep's results, shared by local and queued sweeps. */
import type { Grid } from '../experiments/grid.js';
import type { RunResult } from '../experiments/run.js';
import { describeRun } from '../experiments/spec.js';
import { summarize } from '../experiments/summary.js';
import { errorText } from './run.js';

/** The conventions line and one line per group of runs, then the first failures. */
export function summaryLines(grid: Grid, done: readonly RunResult[]): string[] {
  const lines = [
    `  conventions: scaling ${grid.scaling}, normalisation ${grid.normalize}, η ${grid.eta}, ε ${grid.epsilon}, budget ${grid.maxSteps} steps, ${grid.precision === 'f64' ? 'float64' : 'float32'}`,
    `  data                       n  activation init     ${grid.alpha ? '        α ' : ''} width    success  median steps  max movement${grid.test ? '  median test RMSE' : ''}`,
  ];
  for (const g of summarize(done)) {
    lines.push(
      `  ${g.data.padEnd(24)} ${String(g.n ?? '-').padStart(4)}  ${g.activation.padEnd(10)} ${g.init.padEnd(9)}${grid.alpha ? ` ${(g.alpha === null ? '-' : g.alpha.toPrecision(3)).padStart(9)}` : ''} ${String(g.width).padStart(7)}  ${`${g.converged}/${g.runs}`.padStart(7)}  ${String(g.medianSteps ?? '-').padStart(12)}  ${(g.maxMovement === null ? '-' : g.maxMovement.toPrecision(4)).padEnd(12)}${grid.test ? `  ${g.medianTestRmse === null ? '-' : g.medianTestRmse.toPrecision(4)}` : ''}`.trimEnd(),
    );
  }
  for (const r of done.filter((r) => r.status === 'error').slice(0, 5)) lines.push(`  failed: ${describeRun(r.spec)}: ${errorText(r)}`);
  return lines;
}
