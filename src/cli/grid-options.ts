/** Grid options shared by `sweep` and `threshold`: lists on the command line over a spec file. */
import type { Command } from 'commander';
import { DEFAULT_GRID, parseGrid, readGridFile, type Grid } from '../experiments/grid.js';

export interface GridCliOptions {
  n?: string;
  d?: string;
  width?: string;
  seeds?: string;
  activation?: string;
  init?: string;
  scaling?: string;
  normalize?: string;
  eta?: string;
  epsilon?: string;
  maxSteps?: string;
  monitorEvery?: string;
  precision?: string;
  data?: string;
  synthetic?: string;
  labelKind?: string;
  dataSeed?: string;
  labelColumn?: string;
}

export function addGridOptions(cmd: Command, what: { width: boolean }): Command {
  cmd
    .option('--n <list>', `numbers of points, comma-separated (default ${DEFAULT_GRID.n.join(',')})`)
    .option('--d <dim>', 'synthetic input dimension (default 8)')
    .option('--seeds <count|list>', `a count (3 → seeds 0,1,2) or a list (default ${DEFAULT_GRID.seeds.length})`)
    .option('--activation <list>', 'exp,relu (default exp)')
    .option('--init <list>', 'gaussian,coupled (default gaussian)')
    .option('--scaling <name>', 'ntk | none (default ntk)')
    .option('--normalize <kind>', 'unit | max | none (default unit)')
    .option('--eta <value>', "step size or 'auto' (default auto)")
    .option('--epsilon <value>', `target of ‖F(W,X) − y‖₂ (default ${DEFAULT_GRID.epsilon})`)
    .option('--max-steps <count>', `step budget per run (default ${DEFAULT_GRID.maxSteps})`)
    .option('--monitor-every <k>', 'kernel monitoring interval in steps, 0 = off (default 0)')
    .option('--precision <p>', 'f64 | f32 (default f64)')
    .option('--data <files>', 'data files (comma-separated) instead of synthetic sets; n then comes from each file')
    .option('--label-column <name>', 'CSV label column for --data files')
    .option('--synthetic <kind>', 'sphere | gaussian (default sphere)')
    .option('--label-kind <kind>', 'normal | teacher (default normal)')
    .option('--data-seed <int>', 'seed of the synthetic data (default 0)');
  if (what.width) cmd.option('--width <list>', `widths m, comma-separated (default ${DEFAULT_GRID.width.join(',')})`);
  return cmd;
}

const csv = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x.length > 0);

/** Spec file fields, then command-line options on top. */
export function resolveGrid(specFile: string | undefined, o: GridCliOptions): Grid {
  const raw: Record<string, unknown> = specFile ? readGridFile(specFile) : {};
  let grid = parseGrid(raw);
  const cli: Record<string, unknown> = {};
  if (o.n) cli.n = csv(o.n);
  if (o.width) cli.width = csv(o.width);
  if (o.seeds) cli.seeds = o.seeds.includes(',') ? csv(o.seeds) : Number(o.seeds);
  if (o.activation) cli.activation = csv(o.activation);
  if (o.init) cli.init = csv(o.init);
  if (o.scaling) cli.scaling = o.scaling;
  if (o.normalize) cli.normalize = o.normalize;
  if (o.eta) cli.eta = o.eta;
  if (o.epsilon) cli.epsilon = o.epsilon;
  if (o.maxSteps) cli.maxSteps = o.maxSteps;
  if (o.monitorEvery) cli.monitorEvery = o.monitorEvery;
  if (o.precision) cli.precision = o.precision;
  if (o.data) cli.data = csv(o.data).map((path) => ({ path, ...(o.labelColumn ? { labelColumn: o.labelColumn } : {}) }));
  else if (o.d || o.synthetic || o.labelKind || o.dataSeed) {
    const base = grid.data[0] && !('path' in grid.data[0]) ? grid.data[0] : { inputs: 'sphere', d: 8, labels: 'normal', seed: 0 };
    cli.data = [{ ...base, ...(o.d ? { d: Number(o.d) } : {}), ...(o.synthetic ? { inputs: o.synthetic } : {}), ...(o.labelKind ? { labels: o.labelKind } : {}), ...(o.dataSeed ? { seed: Number(o.dataSeed) } : {}) }];
  }
  grid = parseGrid(cli, grid);
  return grid;
}
