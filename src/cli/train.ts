/** `overparam train`: parse → train → print / save. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Command } from 'commander';
import { createBackend, type BackendName } from '../backend/index.js';
import type { Precision } from '../backend/types.js';
import { formatNpy } from '../data/npy.js';
import { NORMALIZE_KINDS, type NormalizeKind } from '../data/normalize.js';
import { writeFileAtomic } from '../io/atomic.js';
import { saveModel } from '../model/file.js';
import { ACTIVATION_NAMES, DEFAULT_MODEL_SPEC, INIT_NAMES, SCALING_NAMES } from '../model/spec.js';
import { writeHistory } from '../train/log.js';
import { autoMonitorEvery, NTK_MONITOR, type NtkReport } from '../theory/train-monitor.js';
import { DEFAULTS, trainAsync } from '../train/train.js';
import type { TrainResult } from '../train/types.js';
import type { InputKind, LabelKind } from '../data/synthetic.js';
import { resultOf } from '../experiments/run.js';
import type { RunSpec } from '../experiments/spec.js';
import { resultsPage } from '../report/results-page.js';
import { conventionRows, fmt, table } from './format.js';
import { pngScaleOption, reportLines, writePage } from './report-output.js';
import { addDataOptions, choice, type DataOptions, intOption, overflowWarning, positiveOption, resolveData } from './options.js';
import { trainProgress } from './progress.js';
import { EXIT, warn } from './run.js';

interface TrainCliOptions extends DataOptions {
  activation: string;
  scaling: string;
  init: string;
  width: string;
  seed: string;
  normalize: string;
  eta: string;
  epsilon: string;
  maxSteps: string;
  backend: string;
  precision: string;
  threads?: string;
  json?: boolean;
  log?: string;
  save?: string;
  exportNpy?: string;
  monitorEvery: string;
  progress: boolean;
  report?: string;
  pngScale?: string;
}

export function trainCommand(): Command {
  const cmd = new Command('train')
    .summary('train the network by full-batch gradient descent until ‖F(W,X) − y‖₂ ≤ ε')
    .description(
      'Trains F(W,x) = κ Σ_r a_r σ(⟨w_r,x⟩) (theory.md §1) by full-batch gradient descent on ½‖F(W,X) − y‖₂² ' +
        'until the unsquared residual ‖F(W,X) − y‖₂ ≤ ε, the step budget, or divergence. With no options it trains ' +
        'the default: n = 64 points uniform on the unit sphere in d = 8, labels N(0,1), m = 4096, exp, ntk scaling, seed 0. ' +
        'Exit code 0 when ε was reached, 1 when it was not (the result is still printed and saved).',
    );
  addDataOptions(cmd)
    .option('--activation <name>', `activation σ: ${ACTIVATION_NAMES.join('|')}`, DEFAULT_MODEL_SPEC.activation)
    .option('--scaling <name>', 'output scale κ: ntk (1/√m) | none (1; η must then carry 1/m, which --eta auto does)', DEFAULT_MODEL_SPEC.scaling)
    .option('--init <name>', `initialisation: ${INIT_NAMES.join('|')} (coupled: pairs with w_{r+m/2} = w_r, a_{r+m/2} = −a_r, so F(W(0),·) = 0)`, DEFAULT_MODEL_SPEC.init)
    .option('-m, --width <m>', 'number of neurons m', String(DEFAULT_MODEL_SPEC.m))
    .option('--seed <int>', 'seed of the initialisation (xoshiro128**)', String(DEFAULT_MODEL_SPEC.seed))
    .option('--normalize <kind>', 'input normalisation: unit (rows to ‖x‖ = 1) | max (all rows by the largest norm) | none', DEFAULTS.normalize)
    .option('--eta <value>', "step size η, or 'auto' = 1/λ_max(H(W(0))) by power iteration", 'auto')
    .option('--epsilon <value>', 'target ε for ‖F(W,X) − y‖₂ (unsquared)', String(DEFAULTS.epsilon))
    .option('--max-steps <count>', 'step budget', String(DEFAULTS.maxSteps))
    .option('--backend <name>', 'auto | reference | native', 'auto')
    .option('--precision <p>', 'f64 | f32 (f32 needs the native backend)', 'f64')
    .option('--threads <count>', 'threads for the native backend (default: all cores)')
    .option('--json', 'print one JSON object with the result instead of the summary')
    .option('--log <file>', 'write the per-step history (CSV; JSON lines if the name ends in .jsonl)')
    .option('--save <file>', 'write the model (JSON; see README "Model file")')
    .option('--export-npy <dir>', 'write W.npy and W0.npy (d×m, as in theory.md), a.npy, X.npy (the normalised inputs), y.npy and u.npy = F(W,X) into a directory')
    .option(
      '--monitor-every <K>',
      "kernel monitor (theory.md §4) every K steps: λ_min(H(W(k))), ‖H(W(k)) − H(W(0))‖₂, R(k), and the certificate; 'auto' picks K from n, m, d so it costs a few percent; 0 = off",
      'auto',
    )
    .option('--no-progress', 'no progress bar')
    .option('--report <dir>', 'write an HTML report of the run (loss curves, λ_min, movement, certificate; SVG + PNG) into DIR; turns the kernel monitor on if --monitor-every 0')
    .option('--png-scale <factor>', 'with --report: PNG width as a multiple of the SVG width (default 2)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  overparam train                                  # the default run\n' +
        '  overparam train --activation relu --width 8192 --json\n' +
        '  overparam train --data points.csv --label-column target --save model.json --log history.csv\n' +
        '  overparam train --init coupled --eta 0.01 --epsilon 1e-3 --max-steps 5000',
    )
    .action(async (o: TrainCliOptions) => {
      process.exitCode = await runTrain(o);
    });
  return cmd;
}

async function runTrain(o: TrainCliOptions): Promise<number> {
  const activation = choice('activation', ACTIVATION_NAMES, o.activation);
  const scaling = choice('scaling', SCALING_NAMES, o.scaling);
  const init = choice('init', INIT_NAMES, o.init);
  const m = intOption('width', o.width, 1);
  const seed = intOption('seed', o.seed, 0);
  const normalize = choice<NormalizeKind>('normalize', NORMALIZE_KINDS, o.normalize);
  const eta = o.eta === 'auto' ? 'auto' : positiveOption('eta', o.eta);
  const epsilon = positiveOption('epsilon', o.epsilon);
  const maxSteps = intOption('max-steps', o.maxSteps, 0);
  const backendName = choice<BackendName>('backend', ['auto', 'reference', 'native'], o.backend);
  const precision = choice<Precision>('precision', ['f64', 'f32'], o.precision);
  const threads = o.threads === undefined ? undefined : intOption('threads', o.threads, 1);
  const data = resolveData(o);
  let monitorEvery = o.monitorEvery === 'auto' ? autoMonitorEvery(data.n, m, data.d) : intOption('monitor-every', o.monitorEvery, 0);
  const pngScale = pngScaleOption(o.pngScale);
  if (o.report !== undefined && monitorEvery === 0) {
    // the report's figures are the kernel monitor's quantities (theory.md §4): it cannot be off
    monitorEvery = autoMonitorEvery(data.n, m, data.d);
    warn(`--report needs the kernel monitor: turned it on (--monitor-every ${monitorEvery}) although --monitor-every 0 was given`);
  }
  const warning = overflowWarning(data, normalize, activation);
  if (warning) warn(warning);
  const backend = createBackend({ name: backendName, precision, ...(threads !== undefined ? { threads } : {}), onNotice: warn });

  const showProgress = o.progress && !o.json;
  const preparing = [eta === 'auto' ? 'η by power iteration' : '', monitorEvery > 0 ? "the monitor's H(W(0))" : '']
    .filter(Boolean)
    .join(', then ');
  const progress = showProgress ? trainProgress(epsilon, maxSteps, preparing && `computing ${preparing}`) : undefined;
  let interrupted = false;
  // first Ctrl-C: stop after the current step and keep the result; a second one exits at once
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  let result: TrainResult;
  try {
    result = await trainAsync(data, {
      model: { activation, scaling, init, m, seed },
      normalize,
      eta,
      epsilon,
      maxSteps,
      backend,
      monitorEvery,
      onStep: (info) => {
        progress?.update(info);
        return !interrupted;
      },
    });
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
  }

  const training = { status: result.status, steps: result.steps, residual: result.residual, conventions: result.conventions, data: result.data };
  if (o.save) saveModel(result.model, o.save, training);
  if (o.log) writeHistory(o.log, result.history, result.conventions);
  if (o.exportNpy) exportNpy(o.exportNpy, result, data.y);
  let reportText: string[] = [];
  if (o.report !== undefined) {
    const spec: RunSpec = {
      data: o.data !== undefined
        ? { kind: 'file', path: o.data, ...(o.labelColumn !== undefined ? { labelColumn: o.labelColumn } : {}), ...(o.labels !== undefined ? { labelsPath: o.labels } : {}) }
        : { kind: 'synthetic', inputs: o.synthetic as InputKind, n: data.n, d: data.d, labels: o.labelKind as LabelKind, seed: intOption('data-seed', o.dataSeed, 0) },
      model: { activation, scaling, init, m, seed },
      normalize,
      eta,
      epsilon,
      maxSteps,
      precision,
      monitorEvery,
    };
    const rp = resultsPage([resultOf(spec, result, result.timeMs)], null, {
      title: `overparam train: ${activation}, m = ${m}, ${result.data.source}`,
      intro: `One training run: ${result.message}. Data ${result.data.source} (n = ${result.data.n}, d = ${result.data.d}); kernel monitor every ${monitorEvery} steps. Made by \`overparam train --report\`.`,
    });
    const written = await writePage(o.report, rp, pngScale);
    reportText = reportLines(rp, written);
  }

  if (o.json) {
    process.stdout.write(JSON.stringify(resultJson(result, o), null, 2) + '\n');
  } else {
    printSummary(result, o);
    if (reportText.length > 0) process.stdout.write(`report\n${reportText.join('\n')}\n`);
  }
  return result.status === 'converged' ? EXIT.ok : EXIT.notConverged;
}

export function resultJson(r: TrainResult, o: { save?: string; log?: string; exportNpy?: string; report?: string }) {
  const last = r.history.residual.length - 1;
  return {
    command: 'train',
    status: r.status,
    message: r.message,
    steps: r.steps,
    initialResidual: r.initialResidual,
    residual: r.residual,
    movement: r.history.movement[last],
    ...(r.history.flipFraction ? { flipFraction: r.history.flipFraction[last] } : {}),
    eta: r.eta,
    monitor: ntkJson(r),
    conventions: r.conventions,
    data: r.data,
    timeMs: r.timeMs,
    files: { model: o.save ?? null, log: o.log ?? null, npy: o.exportNpy ?? null, report: o.report ?? null },
  };
}

function printSummary(r: TrainResult, o: TrainCliOptions): void {
  const last = r.history.residual.length - 1;
  const rows: [string, string][] = [
    ['result', `${r.status}: ${r.message}`],
    ['data', `${r.data.source} (n = ${r.data.n}, d = ${r.data.d})`],
    ['steps', String(r.steps)],
    ['residual', `‖F(W,X) − y‖₂ = ${fmt(r.residual)} (from ${fmt(r.initialResidual)})`],
    ['movement', `max_r ‖w_r − w_r(0)‖₂ = ${fmt(r.history.movement[last])}`],
  ];
  if (r.history.flipFraction) rows.push(['flipped', `${(100 * r.history.flipFraction[last]).toFixed(3)}% of activation patterns`]);
  if (r.eta.mode === 'auto') rows.push(['λ_max(H(W(0)))', `${fmt(r.eta.lambdaMax!)} (power iteration, ${r.eta.iterations} iterations) → η = 1/λ_max`]);
  rows.push(['time', `${(r.timeMs / 1000).toFixed(2)} s (${r.steps > 0 ? (r.timeMs / r.steps).toFixed(2) : '-'} ms/step)`]);
  const mon = r.monitors[NTK_MONITOR] as NtkReport | undefined;
  if (mon) rows.push(['monitoring', `every ${mon.every} steps, ${(100 * mon.timeMs / r.timeMs).toFixed(1)}% of the run's time; kernels on the NTK scale H/(κ²m)`]);
  rows.push(...conventionRows(r.conventions));
  for (const [what, path] of [['model', o.save], ['history', o.log], ['npy files', o.exportNpy]] as const) if (path) rows.push([`wrote ${what}`, path]);
  process.stdout.write(`overparam train\n${table(rows)}\n`);
  if (mon) process.stdout.write(certificateText(mon));
}

/** The monitor's report for --json, without the per-step series (they are in the history and --log). */
function ntkJson(r: TrainResult): Omit<NtkReport, 'perStep'> | null {
  const mon = r.monitors[NTK_MONITOR] as NtkReport | undefined;
  if (!mon) return null;
  const { perStep: _perStep, ...rest } = mon;
  return rest;
}

function certificateText(mon: NtkReport): string {
  const i = mon.initial;
  const head: [string, string][] = [
    ['λ = λ_min(H^lim)', `${fmt(i.lambda)} (infinite-width kernel)`],
    ['λ_min(H(W(0)))', fmt(i.lambdaMin0)],
    ['B', `${fmt(i.B)} = max |⟨w_r(0), x_i⟩|`],
    ['R*', fmt(i.rStar)],
    ['η κ² m', fmt(i.etaNtk)],
  ];
  const w = Math.max(...mon.certificate.map((c) => c.name.length));
  const lines = mon.certificate.map(
    (c) => `  ${c.held ? '✓' : '✗'} ${c.name.padEnd(w)}  ${fmt(c.measured, 4).padStart(11)} ${c.comparison} ${fmt(c.threshold, 4).padEnd(11)} ${c.ref}${c.note ? ` (${c.note})` : ''}`,
  );
  const verdict = mon.allHeld ? 'every condition held on this run' : `${mon.certificate.filter((c) => !c.held).length} condition(s) did not hold on this run (sufficient conditions; GD may converge anyway)`;
  return `certificate (theory.md §4, measured at ${mon.observations.length} monitored steps)\n${table(head)}\n${lines.join('\n')}\n  → ${verdict}\n`;
}

/** numpy-readable weights: W as theory.md's d×m matrix, exactly. */
function exportNpy(dir: string, r: TrainResult, y: Float64Array): void {
  mkdirSync(dir, { recursive: true });
  const { m } = r.model.spec;
  const d = r.model.d;
  const transpose = (A: Float64Array): Float64Array => {
    const T = new Float64Array(m * d);
    for (let k = 0; k < m; k++) for (let j = 0; j < d; j++) T[j * m + k] = A[k * d + j];
    return T;
  };
  writeFileAtomic(join(dir, 'W.npy'), formatNpy(transpose(r.model.W), [d, m]));
  writeFileAtomic(join(dir, 'W0.npy'), formatNpy(transpose(r.model.W0), [d, m]));
  writeFileAtomic(join(dir, 'a.npy'), formatNpy(r.model.a, [m]));
  const n = y.length;
  writeFileAtomic(join(dir, 'X.npy'), formatNpy(r.inputs, [n, d]));
  writeFileAtomic(join(dir, 'y.npy'), formatNpy(y, [n]));
  writeFileAtomic(join(dir, 'u.npy'), formatNpy(r.predictions, [n]));
}
