/**
 * The training progress bar (stderr, terminals only). The bar's fill is the progress of
 * log‖r‖ from log‖r(0)‖ to log ε, which is what linear convergence makes uniform in time.
 */
import cliProgress from 'cli-progress';
import type { StepInfo } from '../train/types.js';

export interface Progress {
  update(info: StepInfo): void;
  /** Names the work before step 0 (η by power iteration, the monitor's first kernel), shown until step 0 is reported: at large m it takes minutes. */
  preparing(what: string): void;
  stop(): void;
}

export function trainProgress(epsilon: number, maxSteps: number): Progress {
  if (!process.stderr.isTTY) return { update() {}, preparing() {}, stop() {} };
  const bar = new cliProgress.SingleBar(
    {
      stream: process.stderr,
      format: ' {bar} {percentage}%{phase} | step {step}/{max} | ‖r‖ {res} → ε {eps} | rate {rate}/step | {eta}s left',
      barsize: 24,
      hideCursor: true,
      fps: 8,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let r0 = NaN;
  let smoothed = NaN;
  bar.start(1000, 0, { step: 0, max: maxSteps, res: '-', eps: epsilon, rate: '-', phase: '' });
  return {
    preparing(what) {
      bar.update(0, { phase: ` | computing ${what} …` });
      bar.render(); // now: the work it names blocks the event loop, and with it the bar's timer
    },
    update(info) {
      if (info.k === 0) r0 = info.residual;
      if (Number.isFinite(info.ratio)) smoothed = Number.isNaN(smoothed) ? info.ratio : 0.95 * smoothed + 0.05 * info.ratio;
      const span = Math.log(r0 / epsilon);
      const done = span > 0 ? Math.log(r0 / info.residual) / span : 1;
      bar.update(Math.round(1000 * Math.min(1, Math.max(0, done))), {
        step: info.k,
        max: maxSteps,
        res: info.residual.toExponential(3),
        eps: epsilon,
        rate: Number.isNaN(smoothed) ? '-' : smoothed.toFixed(5),
        phase: '',
      });
    },
    stop() {
      bar.stop();
    },
  };
}

/** A bar counting runs (sweeps, queues) on stderr; undefined when not on a terminal or not wanted. */
export function runsBar(format: string, wanted: boolean): cliProgress.SingleBar | undefined {
  if (!wanted || !process.stderr.isTTY) return undefined;
  return new cliProgress.SingleBar({ stream: process.stderr, format: ` {bar} ${format}`, hideCursor: true, etaBuffer: 20 }, cliProgress.Presets.shades_classic);
}
