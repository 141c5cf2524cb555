/** Progress on terminals (a bar) and off them (a line per finished run). */
import cliProgress from 'cli-progress';
import type { RunResult } from '../experiments/run.js';
import { describeRun } from '../experiments/spec.js';
import type { StepInfo } from '../train/types.js';
import { errorText } from './run.js';

export interface Progress {
  update(info: StepInfo): void;
  /** Names the work before step 0 (η = 1/λ_max(H(W(0))), the monitor's first kernel), shown until step 0 is reported: at large m it takes minutes. */
  preparing(what: string): void;
  stop(): void;
}

/**
 * The training progress bar (stderr, terminals only), one line of at most 80 columns:
 *   ▓▓▓▓▓░░░░░░░ 42% to ε | step 1234/100000 | ‖r‖ 3.44e-2 | ×0.99500/step | 12s left
 * The percentage is the progress of log‖r‖ from log‖r(0)‖ to log ε — what linear convergence
 * makes uniform in time — and is labelled so; the step count beside it is the budget used. The
 * time left is the steps that the smoothed contraction rate still needs to reach ε (at most the
 * budget left) times the smoothed time per step: both averages are long (about 100 steps), so the
 * estimate moves slowly instead of jumping with every step.
 */
export function trainProgress(epsilon: number, maxSteps: number): Progress {
  if (!process.stderr.isTTY) return { update() {}, preparing() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}% to ε{phase} | step {step}/{max} | ‖r‖ {res} | ×{rate}/step | {left}',
      barsize: 12,
      hideCursor: true,
      fps: 8,
    },
    cliProgress.Presets.shades_classic,
  );
  let r0 = Number.NaN;
  const clock = new TimeLeft(epsilon, maxSteps);
  bar.start(1000, 0, { step: 0, max: maxSteps, res: '-', rate: '-', left: '', phase: '' });
  return {
    preparing(what) {
      bar.update(0, { phase: ` | computing ${what} …` });
      bar.render(); // now: the work it names blocks the event loop, and with it the bar's timer
    },
    update(info) {
      if (info.k === 0) r0 = info.residual;
      const seconds = clock.observe(info.k, info.residual, info.ratio, performance.now() / 1000);
      const span = Math.log(r0 / epsilon);
      const done = span > 0 ? Math.log(r0 / info.residual) / span : 1;
      bar.update(Math.round(1000 * Math.min(1, Math.max(0, done))), {
        step: info.k,
        max: maxSteps,
        res: info.residual.toExponential(2),
        rate: Number.isNaN(clock.rate) ? '-' : clock.rate.toFixed(5),
        left: Number.isFinite(seconds) ? `${formatSeconds(seconds)} left` : '',
        phase: '',
      });
    },
    stop() {
      bar.stop();
    },
  };
}

/**
 * The time a run has left: the steps the smoothed contraction rate ‖r(k+1)‖/‖r(k)‖ still needs to
 * go from ‖r(k)‖ to ε (at most the budget left), times the smoothed wall time per step. Both are
 * exponential averages over about 100 steps, so the estimate does not jump with each step's rate.
 */
export class TimeLeft {
  rate = Number.NaN;
  perStep = Number.NaN;
  private lastK = -1;
  private lastT = Number.NaN;
  constructor(
    private readonly epsilon: number,
    private readonly maxSteps: number,
  ) {}
  /** Seconds left after step k at ‖r(k)‖ = residual (NaN while not yet known or not contracting). */
  observe(k: number, residual: number, ratio: number, nowSeconds: number): number {
    const smooth = (old: number, v: number): number => (Number.isNaN(old) ? v : 0.99 * old + 0.01 * v);
    if (Number.isFinite(ratio) && ratio > 0) this.rate = smooth(this.rate, ratio);
    if (this.lastK >= 0 && k > this.lastK) this.perStep = smooth(this.perStep, (nowSeconds - this.lastT) / (k - this.lastK));
    this.lastK = k;
    this.lastT = nowSeconds;
    if (!(this.rate > 0 && this.rate < 1 && this.perStep > 0)) return Number.NaN;
    const steps = Math.min(this.maxSteps - k, Math.ceil(Math.log(residual / this.epsilon) / -Math.log(this.rate)));
    return Math.max(0, steps) * this.perStep;
  }
}

/** 12 → "12s", 754 → "12m34s", 7300 → "2h01m" (minutes floored). */
export function formatSeconds(seconds: number): string {
  const s = Math.round(seconds); // first, so that 119.6 s reads 2m00s, not 1m60s
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m${String(Math.round(s % 60)).padStart(2, '0')}s`;
  return `${Math.floor(s / 3600)}h${String(Math.floor((s % 3600) / 60)).padStart(2, '0')}m`;
}

/**
 * Progress of a sweep off a terminal (a log file, CI, a pipe): one line on stderr per run as it
 * finishes, so that a long command is never silent. On a terminal the bar shows it instead.
 */
export function runLine(done: number, total: number, r: Pick<RunResult, 'spec' | 'status' | 'steps' | 'timeMs' | 'message' | 'field' | 'hints'>): string {
  const what = r.status === 'error' ? `error: ${errorText(r)}` : r.spec.initialOnly ? 'initial kernel measured' : `${r.status}, ${r.steps} steps`;
  return `  ${String(done).padStart(String(total).length)}/${total} ${describeRun(r.spec)}: ${what} (${(r.timeMs / 1000).toFixed(1)} s)\n`;
}

/** A bar counting runs (sweeps, queues) on stderr; undefined when not on a terminal or not wanted. */
export function runsBar(format: string, wanted: boolean): cliProgress.SingleBar | undefined {
  if (!wanted || !process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar({ stream: process.stderr, format: ` {bar} ${format}`, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic);
}
