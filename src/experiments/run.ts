/**
 * Executes one run spec and returns a plain, JSON-safe result: one line of a results file.
 * Deterministic: the same spec gives the same numbers (all but timeMs) wherever it runs.
 */
import { createBackend } from '../backend/index.js';
import type { Backend } from '../backend/types.js';
import type { Dataset } from '../data/dataset.js';
import { loadDataset } from '../data/files.js';
import { generateSynthetic } from '../data/synthetic.js';
import { OverparamError } from '../errors.js';
import { train } from '../train/train.js';
import type { Conventions, TrainStatus } from '../train/types.js';
import { runId, type RunSpec } from './spec.js';

/** Histories longer than this are thinned to this many evenly spaced steps (first and last kept). */
export const HISTORY_POINTS = 1000;

export interface RunHistory {
  k: number[];
  residual: number[];
  movement: number[];
  flipFraction?: number[];
}

export interface RunResult {
  /** Format marker for results files. */
  kind: 'overparam-run';
  id: string;
  spec: RunSpec;
  status: TrainStatus | 'error';
  message: string;
  steps: number;
  initialResidual: number | null;
  residual: number | null;
  movement: number | null;
  flipFraction?: number | null;
  eta: number | null;
  lambdaMax: number | null;
  conventions: Conventions | null;
  history: RunHistory | null;
  /** Extra measurements (the kernel monitor and certificate, when monitorEvery > 0). */
  monitors?: Record<string, unknown>;
  /** Wall time; the only field that differs between two executions of the same spec. */
  timeMs: number;
}

export function datasetOf(spec: RunSpec): Dataset {
  const d = spec.data;
  if (d.kind === 'synthetic') return generateSynthetic({ inputs: d.inputs, n: d.n, d: d.d, labels: d.labels, seed: d.seed });
  return loadDataset(d.path, {
    ...(d.labelColumn !== undefined ? { labelColumn: d.labelColumn } : {}),
    ...(d.labelsPath !== undefined ? { labelsPath: d.labelsPath } : {}),
  });
}

function thin(n: number): number[] {
  if (n <= HISTORY_POINTS) return Array.from({ length: n }, (_, k) => k);
  const ks = new Set<number>();
  for (let j = 0; j < HISTORY_POINTS; j++) ks.add(Math.round((j * (n - 1)) / (HISTORY_POINTS - 1)));
  return [...ks].sort((a, b) => a - b);
}

/** Hook for extra monitors (the kernel monitor registers here). */
export type MonitorFactory = (spec: RunSpec) => import('../train/types.js').TrainMonitor[];
let monitorFactory: MonitorFactory | undefined;
export function setRunMonitors(f: MonitorFactory | undefined): void {
  monitorFactory = f;
}

export function runOne(spec: RunSpec, backend?: Backend): RunResult {
  const t0 = performance.now();
  const id = runId(spec);
  try {
    const data = datasetOf(spec);
    const be = backend ?? createBackend({ precision: spec.precision });
    const res = train(data, {
      model: spec.model,
      normalize: spec.normalize,
      eta: spec.eta,
      epsilon: spec.epsilon,
      maxSteps: spec.maxSteps,
      backend: be,
      monitors: spec.monitorEvery > 0 && monitorFactory ? monitorFactory(spec) : [],
    });
    const h = res.history;
    const ks = thin(h.residual.length);
    const last = h.residual.length - 1;
    return {
      kind: 'overparam-run',
      id,
      spec,
      status: res.status,
      message: res.message,
      steps: res.steps,
      initialResidual: res.initialResidual,
      residual: res.residual,
      movement: h.movement[last],
      ...(h.flipFraction ? { flipFraction: h.flipFraction[last] } : {}),
      eta: res.eta.eta,
      lambdaMax: res.eta.lambdaMax ?? null,
      conventions: res.conventions,
      history: {
        k: ks,
        residual: ks.map((k) => h.residual[k]),
        movement: ks.map((k) => h.movement[k]),
        ...(h.flipFraction ? { flipFraction: ks.map((k) => h.flipFraction![k]) } : {}),
      },
      ...(Object.keys(res.monitors).length ? { monitors: res.monitors } : {}),
      timeMs: performance.now() - t0,
    };
  } catch (err) {
    const message = err instanceof OverparamError ? err.message : `internal error: ${(err as Error)?.message ?? String(err)}`;
    return {
      kind: 'overparam-run',
      id,
      spec,
      status: 'error',
      message,
      steps: 0,
      initialResidual: null,
      residual: null,
      movement: null,
      eta: null,
      lambdaMax: null,
      conventions: null,
      history: null,
      timeMs: performance.now() - t0,
    };
  }
}
