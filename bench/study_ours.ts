/**
 * Our side of the threshold-study benchmark (bench/study.ts), run as a child process on the BUILT
 * library (dist/), as `overparam threshold` runs: from sources under tsx every worker thread would
 * first have to register tsx and compile the library (about a second per probe), which no user pays.
 *
 *   study_ours.ts prepare DIR PROTOCOL.json  η per (activation, n) = 1/λ_max(H^lim) of the data, and
 *       every input both sides train on: X_n{n}.npy (the unit-normalised inputs the trainer sees),
 *       y_n{n}.npy, init/s{seed}_m{m}_{W,a}.npy for every grid width (W(0) neuron-major m×d, a), and
 *       DIR/manifest.json (the protocol with η and the grid) → one JSON line.
 *   study_ours.ts run DIR WORKERS  the library's thresholdSearches (what `overparam threshold` runs:
 *       every activation × n searched at once, each round of probes one sweep on one fresh results
 *       file) → one JSON line: the wall time of all searches, their probes and m*, every run's outcome.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { StudyProtocol } from './study.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const dist = path.resolve(here, '..', 'dist');
const lib = async <T>(rel: string): Promise<T> => (await import(pathToFileURL(path.join(dist, rel)).href)) as T;

type StudyLib = typeof import('../src/experiments/study.js');
type GridLib = typeof import('../src/experiments/grid.js');
type ThresholdLib = typeof import('../src/experiments/threshold.js');
type SyntheticLib = typeof import('../src/data/synthetic.js');
type NormalizeLib = typeof import('../src/data/normalize.js');
type InitLib = typeof import('../src/model/init.js');
type NpyLib = typeof import('../src/data/npy.js');
type KernelLib = typeof import('../src/kernel/infinite.js');
type ActivationsLib = typeof import('../src/activations/index.js');
type EighLib = typeof import('../src/linalg/eigh.js');
type TrainLib = typeof import('../src/train/train.js');
type RunResult = import('../src/experiments/run.js').RunResult;

export interface Manifest extends StudyProtocol {
  /** η of each search, keyed `${activation}/${n}`. */
  eta: Record<string, number>;
  /** λ_max(H^lim) behind each η, same keys. */
  lambdaMax: Record<string, number>;
  /** Every grid index j the search may reach and its width gridWidth(m0, g, j). */
  grid: Array<[number, number]>;
  divergenceFactor: number;
  target: number;
}

export interface RunOutcome {
  activation: string;
  n: number;
  m: number;
  seed: number;
  status: string;
  steps: number;
  initialResidual: number | null;
  residual: number | null;
  /** The run's own wall time (runOne: data, model, training). */
  timeMs: number;
  backend?: string;
}

export interface SearchOutcome {
  activation: string;
  n: number;
  mStar: number | null;
  mBelow: number | null;
  probes: Array<{ m: number; rate: number; success: boolean }>;
  undetermined?: string;
}

const [mode, dir, arg] = process.argv.slice(2);

if (mode === 'prepare') {
  const proto = JSON.parse(readFileSync(arg, 'utf8')) as StudyProtocol;
  const { generateSynthetic } = await lib<SyntheticLib>('data/synthetic.js');
  const { applyNormalization, fitNormalization } = await lib<NormalizeLib>('data/normalize.js');
  const { initialWeights } = await lib<InitLib>('model/init.js');
  const { formatNpy } = await lib<NpyLib>('data/npy.js');
  const { infiniteKernel } = await lib<KernelLib>('kernel/infinite.js');
  const { activationByName } = await lib<ActivationsLib>('activations/index.js');
  const { lambdaMinMax } = await lib<EighLib>('linalg/eigh.js');
  const { gridWidth } = await lib<ThresholdLib>('experiments/threshold.js');
  const { DEFAULTS } = await lib<TrainLib>('train/train.js');
  const put = (name: string, v: Float64Array, shape: number[]): void => writeFileSync(path.join(dir, name), formatNpy(v, shape));
  mkdirSync(path.join(dir, 'init'), { recursive: true });
  const eta: Record<string, number> = {};
  const lambdaMax: Record<string, number> = {};
  for (const n of proto.n) {
    // exactly what runOne → train() sees: the drawn set, then the trainer's normalisation
    const ds = generateSynthetic({ inputs: proto.inputs, n, d: proto.d, labels: proto.labels, seed: proto.dataSeed });
    const X = applyNormalization(fitNormalization(proto.normalize, ds.X, n, proto.d), ds.X, n, proto.d);
    put(`X_n${n}.npy`, X, [n, proto.d]);
    put(`y_n${n}.npy`, ds.y, [n]);
    for (const act of proto.activations) {
      const lm = lambdaMinMax(infiniteKernel(activationByName(act), X, n, proto.d), n).lambdaMax;
      lambdaMax[`${act}/${n}`] = lm;
      eta[`${act}/${n}`] = proto.etaFactor / lm;
    }
  }
  // every width the search can reach: down to mMin (the downward loop stops there), up to mMax
  const grid: Array<[number, number]> = [];
  for (let j = 0; ; j--) {
    const m = gridWidth(proto.m0, proto.gridPerDoubling, j);
    grid.unshift([j, m]);
    if (m <= proto.mMin || j < -64) break;
  }
  for (let j = 1; gridWidth(proto.m0, proto.gridPerDoubling, j) <= proto.mMax; j++) grid.push([j, gridWidth(proto.m0, proto.gridPerDoubling, j)]);
  const widths = [...new Set(grid.map(([, m]) => m))];
  for (const seed of proto.seeds)
    for (const m of widths) {
      const { W0, a } = initialWeights({ activation: proto.activations[0], scaling: proto.scaling, init: proto.init, m, seed }, proto.d);
      put(`init/s${seed}_m${m}_W.npy`, W0, [m, proto.d]);
      put(`init/s${seed}_m${m}_a.npy`, a, [m]);
    }
  const manifest: Manifest = { ...proto, eta, lambdaMax, grid, divergenceFactor: DEFAULTS.divergenceFactor, target: 1 - proto.delta };
  writeFileSync(path.join(dir, 'manifest.json'), JSON.stringify(manifest));
  process.stdout.write(JSON.stringify({ eta, lambdaMax, widths: widths.length, files: 2 * proto.n.length + 2 * widths.length * proto.seeds.length }) + '\n');
} else if (mode === 'run') {
  const man = JSON.parse(readFileSync(path.join(dir, 'manifest.json'), 'utf8')) as Manifest;
  const workers = Number(arg);
  const { thresholdSearches } = await lib<StudyLib>('experiments/study.js');
  const { DEFAULT_GRID } = await lib<GridLib>('experiments/grid.js');
  const scratch = mkdtempSync(path.join(dir, 'results-'));
  const runs: RunOutcome[] = [];
  const searches: SearchOutcome[] = [];
  const seen = (r: RunResult): void => {
    runs.push({
      activation: r.spec.model.activation, n: r.spec.data.kind === 'synthetic' ? r.spec.data.n : -1, m: r.spec.model.m, seed: r.spec.model.seed,
      status: r.status, steps: r.steps, initialResidual: r.initialResidual, residual: r.residual, timeMs: r.timeMs, ...(r.conventions ? { backend: r.conventions.backend } : {}),
    });
  };
  // every (activation, n) searched at once on one results file, as `overparam threshold` does; the
  // grid of each carries its own η
  const keys = man.activations.flatMap((act) => man.n.map((n) => ({ act, n })));
  const t0 = performance.now();
  const { points } = await thresholdSearches(
    keys.map(({ act, n }) => ({
      grid: {
        ...DEFAULT_GRID,
        data: [{ inputs: man.inputs, d: man.d, labels: man.labels, seed: man.dataSeed }],
        n: [n], width: [man.m0], seeds: man.seeds, activation: [act], init: [man.init], scaling: man.scaling,
        normalize: man.normalize, eta: man.eta[`${act}/${n}`], epsilon: man.epsilon, maxSteps: man.maxSteps, precision: 'f64' as const, monitorEvery: 0,
      },
      activation: act, init: man.init, n,
    })),
    {
      delta: man.delta, m0: man.m0, mMax: man.mMax, mMin: man.mMin, gridPerDoubling: man.gridPerDoubling,
      resultsPath: path.join(scratch, 'searches.jsonl'), workers,
      onProgress: (p) => {
        if (p.last) seen(p.last);
      },
    },
  );
  keys.forEach(({ act, n }, k) => {
    const pt = points[k];
    searches.push({ activation: act, n, mStar: pt.mStar, mBelow: pt.mBelow, probes: pt.probes, ...(pt.undetermined !== undefined ? { undetermined: pt.undetermined } : {}) });
  });
  const ms = performance.now() - t0;
  rmSync(scratch, { recursive: true, force: true });
  process.stdout.write(JSON.stringify({ ms, workers, searches, runs, maxrss_kb: process.resourceUsage().maxRSS }) + '\n');
} else {
  process.stderr.write('usage: study_ours.ts prepare DIR PROTOCOL.json | run DIR WORKERS\n');
  process.exit(2);
}
