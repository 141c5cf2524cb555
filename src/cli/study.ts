/**
 * `overparam study`: the width study of docs/width-study.md — success probability against width of
 * interpolation (m_int), concentration at initialisation (m_B) and the kernel regime (m_lazy), with
 * binomial intervals, logistic thresholds and weighted exponent fits; resumable from its results
 * file, and distributable through the job queue (`--queue`).
 */
import { Command } from 'commander';
import { ACTIVATION_NAMES, type ActivationName } from '../activations/index.js';
import { INPUT_KINDS, LABEL_KINDS, type InputKind, type LabelKind } from '../data/synthetic.js';
import { OptionError } from '../errors.js';
import { latestById, readResults } from '../experiments/results.js';
import { runId } from '../experiments/spec.js';
import type { RunResult } from '../experiments/run.js';
import type { RunSpec } from '../experiments/spec.js';
import { runSweep } from '../experiments/sweep.js';
import type { ThresholdEstimate } from '../experiments/logistic.js';
import {
  analyseStudy,
  DEFAULT_STUDY,
  planRound,
  settled,
  studyCells,
  EVENT_TEXT,
  protocolText,
  runWidthStudy,
  STUDY_EVENTS,
  type Protocol,
  type StudyModel,
  type WidthStudyConfig,
  type WidthStudyOutcome,
} from '../experiments/width-study.js';
import { checkOutputDir, checkOutputFile } from '../io/atomic.js';
import { provenance } from '../io/provenance.js';
import { INIT_NAMES, type Init } from '../model/spec.js';
import { addMemoryOption, choice, intOption, memoryOption, positiveOption, probabilityOption } from './options.js';
import { runLine } from './progress.js';
import { pngScaleOption } from './report-output.js';
import { addQueueOptions, type QueueCliOptions } from './queue-options.js';
import { EXIT, interruptible, warn } from './run.js';

interface StudyCliOptions extends QueueCliOptions {
  activation: string;
  init: string;
  protocol: string;
  n: string;
  trainMaxN: string;
  seeds: string;
  budget: string;
  maxSteps: string;
  mMin: string;
  mMax: string;
  grid: string;
  maxTrainWork: string;
  maxInitWork: string;
  delta: string;
  epsilon: string;
  synthetic: string;
  labelKind: string;
  dataSeed: string;
  precision: string;
  results: string;
  workers?: string;
  maxMemory?: string;
  pollMs: string;
  report?: string;
  pngScale?: string;
  json?: boolean;
  run: boolean;
}

const list = (v: string): string[] =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);

export function studyCommand(): Command {
  const d = DEFAULT_STUDY;
  const cmd = new Command('study')
    .summary('how wide must it be? success probability against width of interpolation, concentration and the kernel regime')
    .description(
      'For each activation × initialisation, protocol (d = n, or a fixed d) and n, measures over seeds 0 … S−1 of the ' +
        'initialisation (the data fixed) the success rate against width m of three events: int — GD reaches ε within ' +
        'c·T steps, T = ln(‖r(0)‖/ε)/(−ln(1 − ηλ_min(H(W(0))))) the linearised prediction of the run (runs whose cap ' +
        '--max-steps fell below c·T and that did not reach ε are budget-limited and left out of the rate); B — ' +
        '‖H(W(0)) − H^lim‖₂ ≤ λ/4 (docs/theory.md §4B; above --train-max-n only this, from the initial kernel); lazy — ' +
        'max_k ‖H(W(k)) − H(W(0))‖₂ ≤ λ/4 and min_k λ_min(H(W(k))) ≥ λ/2 over the monitored steps (§4A, §4C). ' +
        'Widths: levels 4× apart from --m-min until every event holds for all seeds at two levels, then bisection ' +
        'of the transition to the grid 2^(j/g). Each rate gets Wilson and Clopper–Pearson 95% intervals; the threshold ' +
        'of each n is where a logistic fit in ln m crosses ½ and 1 − δ, with a profile-likelihood 95% interval, censored ' +
        'when outside the probed widths; exponents are weighted log-log fits over n (against n and n/λ) that refuse ' +
        'censored thresholds. Resumable: every run is cached in the results file, and a rerun of the same command ' +
        'continues. With --queue the runs of each round go to `overparam worker`s.',
    )
    .option('--activation <names>', `networks, comma-separated: ${ACTIVATION_NAMES.join('|')}`, d.models.map((x) => x.activation).filter((v, k, a) => a.indexOf(v) === k).join(','))
    .option('--init <names>', `initialisations, comma-separated: ${INIT_NAMES.join('|')}`, 'gaussian')
    .option('--protocol <list>', "input dimension per n: 'n' (d = n, points on the sphere in as many dimensions as points) or a fixed d, comma-separated, e.g. n,8", 'n')
    .option('--n <list>', 'numbers of points, comma-separated', d.n.join(','))
    .option('--train-max-n <count>', 'above this n only the initial kernel is measured (event B)', String(d.trainMaxN))
    .option('--seeds <count>', 'seeds of the initialisation per width (0 … count−1)', String(d.seeds))
    .option('--budget <c>', 'step budget as a multiple c of the linearised T of each run', String(d.budget))
    .option('--max-steps <count>', 'cap on any run’s steps (a run capped below c·T that missed ε is budget-limited)', String(d.maxSteps))
    .option('--m-min <width>', 'smallest width', String(d.mMin))
    .option('--m-max <width>', 'largest width', String(d.mMax))
    .option('--grid <g>', 'fine grid points per doubling of m (the transition is bisected down to 2^(1/g))', String(d.gridPerDoubling))
    .option('--max-train-work <count>', 'largest n·m·d of a training run (wider: not run, the threshold censored above)', String(d.maxTrainWork))
    .option('--max-init-work <count>', 'largest n²·m of an initial-kernel run', String(d.maxInitWork))
    .option('--delta <value>', 'the second threshold is read at success probability 1 − δ', String(d.delta))
    .option('--epsilon <value>', 'target ε of the unsquared ‖F(W,X) − y‖₂', String(d.epsilon))
    .option('--synthetic <kind>', `inputs: ${INPUT_KINDS.join('|')}`, d.inputs)
    .option('--label-kind <kind>', `labels: ${LABEL_KINDS.join('|')}`, d.labels)
    .option('--data-seed <int>', 'seed of the data (the same data for every seed of the initialisation)', String(d.dataSeed))
    .option('--precision <p>', 'f64 | f32', d.precision)
    .option('--results <file>', 'results file (JSON lines) caching every run', 'study-results.jsonl')
    .option('--workers <count>', 'worker threads (default: all cores)')
    .option('--report <dir>', 'also write an HTML report (rate curves, thresholds against n, phase diagrams, λ(n)) to this directory')
    .option('--png-scale <factor>', 'with --report: PNG width as a multiple of the SVG width (default 2)')
    .option('--json', 'print the study as JSON')
    .option('--no-run', 'run nothing: analyse (and report) the results file as it is, saying how many runs the study still needs')
    .option('--poll-ms <ms>', 'with --queue: interval between progress polls', '1000');
  addQueueOptions(addMemoryOption(cmd), false).addHelpText(
    'after',
    '\nExamples:\n' +
      '  overparam study --n 8,16 --seeds 4 --m-max 4096          # a small study: 240 runs, 7 s on 2 cores\n' +
      '  overparam study --activation exp,softmax,relu --init gaussian,coupled --protocol n,8 --n 16,32,64,128,256,512,1024\n' +
      '  overparam study … --queue redis://host:6379               # each round’s runs on `overparam worker`s anywhere\n' +
      'Rerun the same command to resume (or to add seeds, n or models: runs already done are reused).',
  );
  return cmd.action(async (o: StudyCliOptions) => {
    process.exitCode = await runStudyCli(o);
  });
}

/** The largest n of a study (its cells hold n×n kernels). */
const STUDY_MAX_N = 16384;
/** Seeds per width at most: each width runs every seed, and a round lists its runs. */
const STUDY_MAX_SEEDS = 1000;

function boundedSeeds(s: number): number {
  if (s > STUDY_MAX_SEEDS) throw new OptionError(`--seeds: ${s} seeds per width is more than a study plans (at most ${STUDY_MAX_SEEDS})`);
  return s;
}

function protocolOf(v: string): Protocol {
  if (v === 'n' || v === 'd=n') return 'd=n';
  const d = Number(v);
  if (!Number.isSafeInteger(d) || d < 1) throw new OptionError(`--protocol: '${v}' is neither 'n' (d = n) nor a positive integer d`);
  return d;
}

export function studyConfigOf(o: StudyCliOptions): WidthStudyConfig {
  const activations = list(o.activation).map((a) => choice('activation', ACTIVATION_NAMES, a) as ActivationName);
  const inits = list(o.init).map((i) => choice('init', INIT_NAMES, i) as Init);
  if (activations.length === 0 || inits.length === 0) throw new OptionError('--activation and --init need at least one name each');
  const models: StudyModel[] = activations.flatMap((activation) => inits.map((init) => ({ activation, init })));
  const protocols = [...new Set(list(o.protocol).map(protocolOf))];
  if (protocols.length === 0) throw new OptionError('--protocol needs at least one entry');
  const n = [...new Set(list(o.n).map((v) => intOption('n', v, 1)))].sort((a, b) => a - b);
  if (n.length === 0) throw new OptionError('--n needs at least one number of points');
  // every cell holds n×n kernels (H^lim, H(W(0))): 16 384² doubles are 2 GiB
  if (n[n.length - 1] > STUDY_MAX_N) throw new OptionError(`--n: ${n[n.length - 1]} points is beyond the study's n×n kernels (at most ${STUDY_MAX_N})`);
  const mMin = intOption('m-min', o.mMin, 2);
  const mMax = intOption('m-max', o.mMax, mMin);
  return {
    models,
    protocols,
    n,
    trainMaxN: intOption('train-max-n', o.trainMaxN, 0),
    seeds: boundedSeeds(intOption('seeds', o.seeds, 1)),
    inputs: choice('synthetic', INPUT_KINDS, o.synthetic) as InputKind,
    labels: choice('label-kind', LABEL_KINDS, o.labelKind) as LabelKind,
    dataSeed: intOption('data-seed', o.dataSeed, 0),
    scaling: 'ntk',
    normalize: 'unit',
    precision: choice('precision', ['f64', 'f32'] as const, o.precision),
    epsilon: positiveOption('epsilon', o.epsilon),
    budget: positiveOption('budget', o.budget),
    maxSteps: intOption('max-steps', o.maxSteps, 1),
    mMin,
    mMax,
    gridPerDoubling: intOption('grid', o.grid, 1),
    maxTrainWork: positiveOption('max-train-work', o.maxTrainWork),
    maxInitWork: positiveOption('max-init-work', o.maxInitWork),
    delta: probabilityOption('delta', o.delta),
  };
}

async function runStudyCli(o: StudyCliOptions): Promise<number> {
  const config = studyConfigOf(o);
  checkOutputFile(o.results);
  // before a study of hours: a report that could not be written must be said now
  if (o.report !== undefined) checkOutputDir(o.report);
  const pngScale = o.pngScale === undefined ? undefined : pngScaleOption(o.pngScale);
  const maxMemory = memoryOption(o.maxMemory);
  const workers = o.workers === undefined ? undefined : intOption('workers', o.workers, 1);
  if (o.queue !== undefined && workers !== undefined) throw new OptionError('--workers is for a local study; with --queue, start `overparam worker` on each machine');
  const talk = !(o.json && process.stderr.isTTY);
  const interrupt = interruptible();
  const stopped = interrupt.stopped;
  const read = (): RunResult[] => readResults(o.results).results;
  let closeQueue: (() => Promise<void>) | undefined;
  let outcome: WidthStudyOutcome;
  try {
    let execute: (specs: RunSpec[]) => Promise<void>;
    if (o.queue !== undefined && o.run) {
      const { queueExecutor } = await import('./study-queue.js');
      const q = await queueExecutor(o, o.results, intOption('poll-ms', o.pollMs, 50), stopped, talk);
      execute = q.execute;
      closeQueue = q.close;
    } else {
      execute = async (specs) => {
        // on worker threads even when small: a study run's time is mostly its kernel monitor's O(n³) work in JS, which only threads spread
        await runSweep(specs, o.results, {
          inProcess: false,
          ...(workers ? { workers } : {}),
          ...(maxMemory !== undefined ? { maxMemory } : {}),
          shouldStop: stopped,
          onProgress: (p) => {
            if (talk && p.last && p.done > p.skipped) process.stderr.write(runLine(p.done, p.total, p.last));
          },
        });
      };
    }
    if (!o.run) {
      const cells = studyCells(config);
      const results = read();
      const done = latestById(results);
      const left = planRound(config, cells, results).filter((sp) => !settled(done.get(runId(sp)))).length;
      if (talk && left > 0) process.stderr.write(`study: the next round needs ${left} more runs (rerun without --no-run to run them)\n`);
      outcome = { ...analyseStudy(config, cells, results), rounds: 0, complete: left === 0 };
    } else outcome = await runWidthStudy(config, {
      execute,
      read,
      shouldStop: stopped,
      onRound: ({ round, runs }) => {
        if (talk) process.stderr.write(`study round ${round}: ${runs} runs (runs already in ${o.results} are reused)\n`);
      },
    });
  } finally {
    interrupt.release();
    await closeQueue?.();
  }
  if (stopped()) return 130;
  const conventions = conventionsOf(config);
  if (o.report !== undefined) {
    const { writeStudyReport } = await import('./study-report.js');
    const where = await writeStudyReport(o.report, config, outcome, ['overparam', ...process.argv.slice(2)].join(' '), pngScale);
    if (talk) process.stderr.write(`report: ${where}\n`);
  }
  if (o.json) {
    process.stdout.write(JSON.stringify({ command: 'study', provenance: provenance(['overparam', ...process.argv.slice(2)]), conventions, config, results: o.results, ...outcome }, null, 2) + '\n');
  } else {
    process.stdout.write(studyLines(config, outcome, o.results).join('\n') + '\n');
  }
  const errors = outcome.cells.reduce((s, c) => s + c.errors.count, 0);
  return outcome.complete && errors === 0 ? EXIT.ok : EXIT.notConverged;
}

/** The conventions every output of the study states. */
export function conventionsOf(c: WidthStudyConfig): Record<string, unknown> {
  return {
    scaling: `${c.scaling} (κ = 1/√m)`,
    normalization: c.normalize,
    precision: c.precision === 'f64' ? 'float64' : 'float32',
    eta: "auto: η = 1/λ_max(H(W(0))) per run (initial-kernel runs take no step)",
    epsilon: c.epsilon,
    budget: `c·T with c = ${c.budget}, T = ln(‖r(0)‖/ε)/(−ln(1 − ηλ_min(H(W(0))))), capped at ${c.maxSteps} steps`,
    seeds: `0…${c.seeds - 1} (initialisation); data seed ${c.dataSeed}, ${c.inputs} inputs, ${c.labels} labels`,
    widths: `levels 4× apart from ${c.mMin}, transition bisected to 2^(j/${c.gridPerDoubling}); at most ${c.mMax}, n·m·d ≤ ${c.maxTrainWork} (training), n²·m ≤ ${c.maxInitWork} (initial kernel)`,
    thresholds: `logistic fit in ln m, read at ½ and 1 − δ = ${1 - c.delta}; 95% profile-likelihood intervals`,
    events: EVENT_TEXT,
  };
}

/** The widths at which some run decided the event (the logistic fit's range; budget-limited widths decide nothing). */
export function probedRange(rates: readonly { m: number; trials: number }[]): { lo: number; hi: number } | null {
  const ms = rates.filter((w) => w.trials > 0).map((w) => w.m);
  return ms.length ? { lo: Math.min(...ms), hi: Math.max(...ms) } : null;
}

const fmtM = (v: number): string => (v >= 100 ? v.toFixed(0) : v.toPrecision(3));

/** A threshold in words: the estimate and its interval, or the bound a censored one gives. */
export function thresholdText(t: ThresholdEstimate, probed: { lo: number; hi: number } | null): string {
  if (t.status === 'censored-below') return `< ${probed?.lo ?? '?'} (censored below)`;
  if (t.status === 'censored-above') return `> ${probed?.hi ?? '?'} (censored above)`;
  if (t.status === 'insufficient' || t.m === null) return 'insufficient data';
  const lo = t.ci?.[0] ?? null;
  const hi = t.ci?.[1] ?? null;
  return `${fmtM(t.m)} [${lo === null ? 'open' : fmtM(lo)}, ${hi === null ? 'open' : fmtM(hi)}]`;
}

function studyLines(c: WidthStudyConfig, out: WidthStudyOutcome, results: string): string[] {
  const lines = [
    `overparam study: ${out.runs} runs in ${results}, ${out.rounds} round(s) now${out.complete ? '' : ' — INCOMPLETE (stopped, or runs keep failing; see errors below)'}`,
    `  conventions: scaling ${c.scaling}, normalisation ${c.normalize}, ${c.precision === 'f64' ? 'float64' : 'float32'}, η = 1/λ_max(H(W(0))), ε = ${c.epsilon}, budget ${c.budget}·T (cap ${c.maxSteps} steps), seeds 0…${c.seeds - 1}, data seed ${c.dataSeed} (${c.inputs}, ${c.labels} labels)`,
    `  thresholds: logistic fit in ln m at ½ and at 1 − δ = ${1 - c.delta}, 95% profile-likelihood intervals [lo, hi]; rates with Wilson intervals in --json`,
    ...STUDY_EVENTS.map((e) => `  ${e.padEnd(4)} = ${EVENT_TEXT[e]}`),
  ];
  for (const model of c.models) {
    for (const protocol of c.protocols) {
      lines.push(`  ${model.activation}/${model.init}, ${protocolText(protocol)}:`);
      for (const a of out.cells.filter((x) => x.cell.model.activation === model.activation && x.cell.model.init === model.init && x.cell.protocol === protocol)) {
        const lam = a.lambda === null ? '-' : a.lambda.toPrecision(3);
        const tail = `${a.pending.length ? `; pending widths ${a.pending.join(',')}` : ''}${a.errors.count ? `; ${a.errors.count} error(s): ${a.errors.first}` : ''}`;
        lines.push(`    n = ${a.cell.n} (d = ${a.cell.d}), λ = ${lam}${a.cell.kind === 'initial' ? ', initial kernel only' : ''}${tail}`);
        for (const cv of a.curves) {
          const probed = probedRange(cv.rates);
          const limited = cv.rates.reduce((sum, w) => sum + w.undetermined, 0);
          const widths = probed ? `${cv.rates.length} widths ${probed.lo}…${probed.hi}` : 'no widths';
          const drift = cv.event === 'lazy' && a.relativeDriftAtLazy ? `; median relative kernel change ${a.relativeDriftAtLazy.median.toPrecision(2)} at m = ${a.relativeDriftAtLazy.m}` : '';
          lines.push(`      m_${cv.event.padEnd(4)}  ½: ${thresholdText(cv.half, probed).padEnd(26)} ${1 - c.delta}: ${thresholdText(cv.high, probed).padEnd(26)} (${widths}${limited ? `, ${limited} budget-limited run(s) left out` : ''}${drift})`);
        }
      }
      for (const f of out.fits.filter((x) => x.model.activation === model.activation && x.model.init === model.init && x.protocol === protocol && x.against === 'n')) {
        const k = `${f.used.length} of ${f.used.length + f.refused.length} n`;
        const text = f.fit
          ? `m_${f.event}(q = ${f.q}) ∝ n^${f.fit.exponent.toFixed(2)} ${f.fit.ci ? `[${f.fit.ci[0].toFixed(2)}, ${f.fit.ci[1].toFixed(2)}]` : '(no interval)'} over ${k}`
          : `m_${f.event}(q = ${f.q}): no fit (needs thresholds with intervals at two or more n; ${k})`;
        const refused = f.refused.length ? `; left out ${f.refused.map((r) => `n = ${r.n} (${r.why})`).join(', ')}` : '';
        lines.push(`    fit: ${text}${refused}`);
      }
    }
  }
  return lines;
}
