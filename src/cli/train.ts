/** `overparam train`: parse → train → print / save. */
import { Command } from 'commander';
import { createBackend, type BackendName } from '../backend/index.js';
import { formatNpy } from '../data/npy.js';
import { DataError, OverparamError } from '../errors.js';
import { checkOutputDir, checkOutputFile, ioFailure, writeFilesAtomic } from '../io/atomic.js';
import { provenance } from '../io/provenance.js';
import { expandGrid } from '../experiments/grid.js';
import { loadRunData, monitorIntervalOf, monitorsOf, resultOf, trainOptionsOf, type RunMonitorSet } from '../experiments/run.js';
import type { HeldOutReport } from '../theory/heldout-monitor.js';
import type { RunSpec } from '../experiments/spec.js';
import { ACTIVATION_NAMES, ACTIVATIONS, activationByName } from '../activations/index.js';
import { saveModel } from '../model/file.js';
import { resultsPage } from '../report/results-page.js';
import { autoMonitorEvery, LINEARISED_MAX_N, type NtkReport } from '../theory/train-monitor.js';
import type { CertificateRow } from '../theory/certificate.js';
import { conventionsPath, writeHistory } from '../train/log.js';
import { BATCH_WORK, trainAsync } from '../train/train.js';
import type { TrainResult } from '../train/types.js';
import { conventionRows, fmt, table } from './format.js';
import { checkRunMemory } from '../train/memory.js';
import { addMemoryOption, choice, degenerateWarning, intOption, memoryLimit, overflowWarning } from './options.js';
import { trainProgress } from './progress.js';
import { pngScaleOption, reportLines, writePage } from './report-output.js';
import { addRunOptions, gridOfOptions, hintsText, TRAIN_GRID, type RunOptionValues } from './run-options.js';
import { errorText, EXIT, warn } from './run.js';

interface TrainCliOptions extends RunOptionValues {
  backend: string;
  maxMemory?: string;
  threads?: string;
  json?: boolean;
  log?: string;
  save?: string;
  exportNpy?: string;
  progress: boolean;
  report?: string;
  pngScale?: string;
}

type Result = TrainResult<Partial<RunMonitorSet>>;

export function trainCommand(): Command {
  const cmd = new Command('train')
    .summary('train the network by full-batch gradient descent until ‖F(W,X) − y‖₂ ≤ ε')
    .description(
      'Trains F(W,x) = κ Σ_r a_r σ(⟨w_r,x⟩) (docs/theory.md §1; the softmax network of §5 with --activation softmax) by ' +
        'full-batch gradient descent on ½‖F(W,X) − y‖₂² until the unsquared residual ‖F(W,X) − y‖₂ ≤ ε, the step budget, or ' +
        'divergence. With no options it trains the default: n = 64 points uniform on the unit sphere in d = 8, labels N(0,1), ' +
        'm = 4096, exp, ntk scaling, seed 0. Exit code 0 when ε was reached, 1 when it was not (the result is still printed and saved).\n\n' +
        'Activations:\n' +
        ACTIVATION_NAMES.map((a) => `  ${a.padEnd(8)} ${ACTIVATIONS[a].summary}`).join('\n'),
    );
  addMemoryOption(addRunOptions(cmd, 'single', TRAIN_GRID))
    .option('--backend <name>', 'auto | reference | native', 'auto')
    .option('--threads <count>', 'threads for the native backend (default: all cores)')
    .option('--json', 'print one JSON object with the result instead of the summary')
    .option('--log <file>', 'write the per-step history (CSV; JSON lines if the name ends in .jsonl)')
    .option('--save <file>', 'write the model (JSON; see README "Model file")')
    .option(
      '--export-npy <dir>',
      'write W.npy and W0.npy (d×m, as in docs/theory.md), a.npy, X.npy (the normalised inputs), y.npy and u.npy = F(W,X) into a directory; with test points also X_test.npy, y_test.npy, u_test.npy (the network), u_test_lin.npy and u_test_inf.npy (the linearised and infinite-width predictions at the final step, docs/theory.md §6)',
    )
    .option('--no-progress', 'no progress bar')
    .option('--report <dir>', 'write an HTML report of the run (loss curves, λ_min, movement, certificate; SVG + PNG) into DIR; turns the kernel monitor on if --monitor-every 0')
    .option('--png-scale <factor>', 'with --report: PNG width as a multiple of the SVG width (default 2)')
    .addHelpText(
      'after',
      '\nExamples:\n' +
        '  overparam train                                  # the default run\n' +
        '  overparam train --activation relu --width 8192 --json\n' +
        '  overparam train --activation softmax --init coupled   # F(W(0), ·) = 0 exactly\n' +
        '  overparam train --data points.csv --label-column target --save model.json --log history.csv\n' +
        '  overparam train --init coupled --eta 0.01 --epsilon 1e-3 --max-steps 5000\n' +
        '  overparam train --test-n 200 --label-kind teacher     # held-out points: network, linearised, infinite width\n' +
        '  overparam train --data points.csv --test-fraction 0.2 --export-npy out/\n' +
        '  overparam train --init coupled --alpha 100             # the lazy (kernel) regime of the centred model',
    )
    .action(async (o: TrainCliOptions) => {
      process.exitCode = await runTrain(o);
    });
  return cmd;
}

async function runTrain(o: TrainCliOptions): Promise<number> {
  let spec: RunSpec = expandGrid(gridOfOptions(o, 'single', TRAIN_GRID))[0];
  const backendName = choice<BackendName>('backend', ['auto', 'reference', 'native'], o.backend);
  const threads = o.threads === undefined ? undefined : intOption('threads', o.threads, 1);
  const pngScale = pngScaleOption(o.pngScale);
  const { limit, limitText } = memoryLimit(o.maxMemory);
  // every output is checked before the work, so that minutes of training are not lost to a typo
  for (const f of [o.save, o.log, o.log !== undefined ? conventionsPath(o.log) : undefined]) if (f !== undefined) checkOutputFile(f);
  for (const d of [o.exportNpy, o.report]) if (d !== undefined) checkOutputDir(d);
  const activation = activationByName(spec.model.activation);
  if (spec.data.kind === 'synthetic') {
    const nTest = spec.test?.kind === 'synthetic' ? spec.test.n : 0;
    checkRunMemory({ n: spec.data.n, d: spec.data.d, m: spec.model.m, monitor: spec.monitorEvery !== 0 || nTest > 0, reference: false, precision: spec.precision, nTest }, limit, limitText);
  }
  const runData = loadRunData(spec, limit);
  const data = runData.train;
  for (const note of data.notes ?? []) warn(note);
  let monitorEvery = monitorIntervalOf(spec, data.n, data.d);
  if (o.report !== undefined && monitorEvery === 0) {
    // the report's figures are the kernel monitor's quantities (docs/theory.md §4): it cannot be off
    monitorEvery = autoMonitorEvery(data.n, spec.model.m, data.d);
    warn(`--report needs the kernel monitor: turned it on (--monitor-every ${monitorEvery}) although --monitor-every 0 was given`);
  }
  spec = { ...spec, monitorEvery };
  for (const w of [overflowWarning(data, spec.normalize, activation), degenerateWarning(data, spec.normalize, activation, spec.epsilon)]) if (w) warn(w);
  const backend = createBackend({ name: backendName, precision: spec.precision, activation, ...(threads !== undefined ? { threads } : {}), onNotice: warn });

  const progress = o.progress && !o.json ? trainProgress(spec.epsilon, spec.maxSteps) : undefined;
  const preparing: string[] = [];
  let interrupted = false;
  // first Ctrl-C: stop after the current step and keep the result; a second one exits at once
  const onSigint = (): void => {
    if (interrupted) process.exit(130);
    interrupted = true;
  };
  process.on('SIGINT', onSigint);
  let result: Result;
  try {
    result = await trainAsync(data, {
      ...trainOptionsOf(spec, runData),
      backend,
      maxMemory: limit,
      monitors: monitorsOf(spec, runData),
      onPrepare: (what) => {
        preparing.push(what === 'eta' ? 'η = 1/λ_max(H(W(0)))' : runData.test ? "the monitors' kernels at W(0)" : "the monitor's H(W(0))");
        progress?.preparing(preparing.join(', then '));
      },
      shouldStop: () => interrupted,
      // the progress bar (8 frames a second) and Ctrl-C (heard when trainAsync yields, every 50 ms)
      // need a report every few milliseconds, not every step: the steps between reports go to the
      // backend in one call (the same bits). BATCH_WORK multiply-adds a report, so that the batches
      // are as long as the trainer makes them: with 2²² the default run's were 2 steps long, and
      // the native call's setup made it 193 ms instead of 160 (2026-12-04)
      reportEvery: Math.max(1, Math.floor(BATCH_WORK / (data.n * spec.model.m * data.d))),
      onStep: (info) => {
        progress?.update(info);
        return !interrupted;
      },
    });
  } finally {
    progress?.stop();
    process.off('SIGINT', onSigint);
  }

  // the outputs: a failure (disk full after training) still leaves the result printed, then exit 3
  const made = provenance(['overparam', ...process.argv.slice(2)]);
  const training = { status: result.status, steps: result.steps, residual: result.residual, conventions: result.conventions, data: result.data, provenance: made };
  const failures: OverparamError[] = [];
  const written = { model: null as string | null, log: null as string | null, npy: null as string | null, report: null as string | null };
  const attempt = async (key: keyof typeof written, path: string | undefined, write: (path: string) => void | Promise<void>): Promise<void> => {
    if (path === undefined) return;
    try {
      await write(path);
      written[key] = path;
    } catch (err) {
      // whatever went wrong with one output, the result is still printed and the others written
      failures.push(err instanceof OverparamError ? err : new DataError(`${path}: cannot write (${ioFailure(err)})`));
    }
  };
  await attempt('model', o.save, (p) => saveModel(result.model, p, training));
  await attempt('log', o.log, (p) => writeHistory(p, result.history, result.conventions));
  await attempt('npy', o.exportNpy, (p) => exportNpy(p, result, data.y));
  let reportText: string[] = [];
  await attempt('report', o.report, async (p) => {
    const rp = resultsPage([resultOf(spec, result, result.timeMs)], null, {
      title: `overparam train: ${activation.label}, m = ${spec.model.m}, ${result.data.source}`,
      intro: `One training run: ${result.message}. Data ${result.data.source} (n = ${result.data.n}, d = ${result.data.d}); kernel monitor every ${monitorEvery} steps. Made by \`overparam train --report\`.`,
    });
    reportText = reportLines(rp, await writePage(p, rp, pngScale));
  });

  if (o.json) {
    process.stdout.write(JSON.stringify({ ...resultJson(result, written), provenance: made, ...(failures.length ? { errors: failures.map(errorText) } : {}) }, null, 2) + '\n');
  } else {
    printSummary(result, written);
    if (reportText.length > 0) process.stdout.write(`report\n${reportText.join('\n')}\n`);
  }
  for (const f of failures) process.stderr.write(`error: ${errorText(f)}\n`);
  if (failures.length > 0) return EXIT.data;
  return result.status === 'converged' ? EXIT.ok : EXIT.notConverged;
}

/** What was written where (null: not asked for, or not written). */
interface Written {
  model: string | null;
  log: string | null;
  npy: string | null;
  report: string | null;
}

export function resultJson(r: Result, files: Written) {
  const last = r.history.residual.length - 1;
  return {
    command: 'train',
    status: r.status,
    message: r.message,
    hints: r.hints,
    steps: r.steps,
    initialResidual: r.initialResidual,
    residual: r.residual,
    movement: r.history.movement[last],
    ...(r.history.flipFraction ? { flipFraction: r.history.flipFraction[last] } : {}),
    eta: r.eta,
    monitor: ntkJson(r),
    ...(r.test ? { test: testJson(r) } : {}),
    conventions: r.conventions,
    data: r.data,
    timeMs: r.timeMs,
    files,
  };
}

function printSummary(r: Result, files: Written): void {
  const last = r.history.residual.length - 1;
  const rows: [string, string][] = [
    ['result', `${r.status}: ${r.message}${hintsText(r.hints)}`],
    ['data', `${r.data.source} (n = ${r.data.n}, d = ${r.data.d})`],
    ['steps', String(r.steps)],
    ['residual', `‖F(W,X) − y‖₂ = ${fmt(r.residual)} (from ${fmt(r.initialResidual)})`],
    ['movement', `max_r ‖w_r − w_r(0)‖₂ = ${fmt(r.history.movement[last])}`],
  ];
  if (r.history.flipFraction) rows.push(['flipped', `${(100 * r.history.flipFraction[last]).toFixed(3)}% of activation patterns`]);
  if (r.eta.mode === 'auto' && r.eta.lambdaMax !== undefined) {
    // src/train/eta.ts: power iteration below n·m·d = 4·10⁸, Lanczos or Jacobi–Davidson with H^lim above
    const method = r.eta.method ?? 'power';
    const how = method === 'davidson' ? `Jacobi–Davidson with H^lim, ${r.eta.iterations} products with H` : method === 'lanczos' ? `Lanczos, ${r.eta.iterations} products with H` : `power iteration, ${r.eta.iterations} iterations`;
    rows.push(['λ_max(H(W(0)))', `${fmt(r.eta.lambdaMax)} (${how}) → η = 1/λ_max`]);
  }
  rows.push(['time', `${(r.timeMs / 1000).toFixed(2)} s (${r.steps > 0 ? (r.timeMs / r.steps).toFixed(2) : '-'} ms/step)`]);
  const mon = r.monitors.ntk;
  if (mon) {
    rows.push(['monitoring', `every ${mon.every} steps, ${((100 * mon.timeMs) / r.timeMs).toFixed(1)}% of the run's time; kernels on the NTK scale H/(κ²m)`]);
    const z = mon.laziness;
    rows.push(['kernel change', `max_k ‖H(W(k)) − H(W(0))‖₂/‖H(W(0))‖₂ = ${fmt(z.maxRelativeDrift, 4)}; max_k η κ² m λ_max(H(W(k))) = ${fmt(z.maxSharpness, 4)} (linearly stable below 2)`]);
    rows.push(['movement spread', `median neuron ${fmt(z.maxMovementMedian, 4)}, ‖W − W(0)‖_F ${fmt(z.maxMovementFrobenius, 4)} (largest over the monitored steps)`]);
  }
  rows.push(...conventionRows(r.conventions));
  for (const [what, path] of [['model', files.model], ['history', files.log], ['npy files', files.npy]] as const) if (path) rows.push([`wrote ${what}`, path]);
  process.stdout.write(`overparam train\n${table(rows)}\n`);
  if (r.test) process.stdout.write(heldOutText(r));
  if (mon) process.stdout.write(certificateText(mon));
}

/** The held-out side for --json: the network's test residual and both kernel predictions (docs/theory.md §6), without the long arrays. */
function testJson(r: Result) {
  const t = r.test!;
  const h = r.monitors.heldout;
  const curves = (c: HeldOutReport['linearised']) => ({
    test: c.test[c.test.length - 1],
    rmse: c.test[c.test.length - 1] / Math.sqrt(t.n),
    train: c.train[c.train.length - 1],
    limit: c.limit ? { test: c.limit.test, rmse: c.limit.test / Math.sqrt(t.n), train: c.limit.train } : null,
    stable: c.stable,
    dropped: c.dropped,
  });
  return {
    n: t.n,
    source: t.source,
    network: { test: t.residual, rmse: t.rmse, initial: t.initialResidual, train: r.residual },
    ...(h ? { scale: h.scale, etaNtk: h.etaNtk, linearised: curves(h.linearised), infinite: curves(h.infinite) } : {}),
    history: t.history,
  };
}

function heldOutText(r: Result): string {
  const t = r.test!;
  const h = r.monitors.heldout;
  const rt = Math.sqrt(t.n);
  const rows: [string, string, string, string][] = [['', '‖u* − y*‖₂', 'test RMSE', '‖u − y‖₂ (train)']];
  rows.push(['network', fmt(t.residual, 5), fmt(t.rmse, 5), fmt(r.residual, 5)]);
  if (h) {
    for (const [name, c] of [['linearised f_lin', h.linearised], ['infinite width f_∞', h.infinite]] as const) {
      const last = c.test.length - 1;
      rows.push([name, fmt(c.test[last], 5), fmt(c.test[last] / rt, 5), fmt(c.train[last], 5)]);
    }
    for (const [name, c] of [['f_lin, k → ∞', h.linearised], ['f_∞, k → ∞', h.infinite]] as const) {
      rows.push([name, c.limit ? fmt(c.limit.test, 5) : 'unstable', c.limit ? fmt(c.limit.test / rt, 5) : '—', c.limit ? fmt(c.limit.train, 5) : '—']);
    }
  }
  const w = rows[0].map((_, j) => Math.max(...rows.map((row) => row[j].length)));
  const lines = rows.map((row) => `  ${row.map((c, j) => (j === 0 ? c.padEnd(w[j]) : c.padStart(w[j]))).join('   ')}`);
  const dropped = h ? [h.linearised, h.infinite].map((c) => c.dropped) : [0, 0];
  const skipped = h ? '' : `  (the kernel predictions need two n×n eigendecompositions and are computed for n ≤ ${LINEARISED_MAX_N}; this run has n = ${r.data.n})\n`;
  return (
    `held-out points (docs/theory.md §6): ${t.n} from ${t.source}, at step ${r.steps}${h ? `; both kernel predictions with η κ² m = ${fmt(h.etaNtk)} on the NTK scale` : ''}\n` +
    `${lines.join('\n')}\n` +
    skipped +
    (dropped.some((x) => x > 0) ? `  (${dropped[0]} direction(s) of H(W(0)) and ${dropped[1]} of H^lim have eigenvalue 0 to rounding and are left out: the minimum-norm fit)\n` : '')
  );
}

/** The monitor's report for --json, without the per-step series (they are in the history and --log). */
function ntkJson(r: Result): Omit<NtkReport, 'perStep'> | null {
  const mon = r.monitors.ntk;
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
  // a NaN is a quantity the run never measured, or a threshold a singular λ cannot give: neither ✓ nor ✗
  const open = (c: CertificateRow): boolean => Number.isNaN(c.measured) || Number.isNaN(c.threshold);
  const value = (v: number): string => (Number.isNaN(v) ? '—' : fmt(v, 4));
  const lines = mon.certificate.map(
    (c) => `  ${open(c) ? '–' : c.held ? '✓' : '✗'} ${c.name.padEnd(w)}  ${value(c.measured).padStart(11)} ${c.comparison} ${value(c.threshold).padEnd(11)} ${c.ref}${c.note ? ` (${c.note})` : ''}`,
  );
  const failed = mon.certificate.filter((c) => !c.held && !open(c)).length;
  const unknown = mon.certificate.filter(open).length;
  const verdict = mon.allHeld
    ? 'every condition held on this run'
    : [
        ...(failed > 0 ? [`${failed} condition(s) did not hold on this run (sufficient conditions; GD may converge anyway)`] : []),
        ...(unknown > 0 ? [`${unknown} could not be checked`] : []),
      ].join('; ');
  const note = mon.note ? `\n  note: ${mon.note}` : '';
  return `certificate (docs/theory.md §4, measured at ${mon.observations.length} monitored steps)\n${table(head)}\n${lines.join('\n')}\n  → ${verdict}${note}\n`;
}

/** numpy-readable weights: W as docs/theory.md's d×m matrix, exactly; the set replaces the old one whole or not at all. */
function exportNpy(dir: string, r: Result, y: Float64Array): void {
  const { m } = r.model.spec;
  const d = r.model.d;
  const transpose = (A: Float64Array): Float64Array => {
    const T = new Float64Array(m * d);
    for (let k = 0; k < m; k++) for (let j = 0; j < d; j++) T[j * m + k] = A[k * d + j];
    return T;
  };
  const n = y.length;
  const t = r.test;
  const h = r.monitors.heldout;
  writeFilesAtomic(dir, [
    { name: 'W.npy', data: formatNpy(transpose(r.model.W), [d, m]) },
    { name: 'W0.npy', data: formatNpy(transpose(r.model.W0), [d, m]) },
    { name: 'a.npy', data: formatNpy(r.model.a, [m]) },
    { name: 'X.npy', data: formatNpy(r.inputs, [n, d]) },
    { name: 'y.npy', data: formatNpy(y, [n]) },
    { name: 'u.npy', data: formatNpy(r.predictions, [n]) },
    ...(t
      ? [
          { name: 'X_test.npy', data: formatNpy(t.inputs, [t.n, d]) },
          { name: 'y_test.npy', data: formatNpy(t.labels, [t.n]) },
          { name: 'u_test.npy', data: formatNpy(t.predictions, [t.n]) },
          ...(h
            ? [
                { name: 'u_test_lin.npy', data: formatNpy(h.linearised.final, [t.n]) },
                { name: 'u_test_inf.npy', data: formatNpy(h.infinite.final, [t.n]) },
              ]
            : []),
        ]
      : []),
  ]);
}
