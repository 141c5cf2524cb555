/**
 * The one table of run options. Every setting of a run (a field of the library's Grid / RunSpec)
 * has one flag, one help text and one parse here, shared by `train` (one value each), `sweep` and
 * `threshold` (comma-separated lists where a grid crosses them), `replicate`, `ntk`, `bounds` and
 * `data` (the subsets they use). Values are converted by the library's own checks (parseGrid,
 * then validateRunSpec, the same functions the queue worker applies to a job), so a bad value gets
 * one message whichever command it came through; this file only words fields as flags.
 */
import type { Command } from 'commander';
import { DEFAULT_GRID, parseGrid, type Grid } from '../experiments/grid.js';
import { NORMALIZE_KINDS } from '../data/normalize.js';
import { DEFAULT_SYNTHETIC, INPUT_KINDS, LABEL_KINDS } from '../data/synthetic.js';
import { OptionError, type Hint } from '../errors.js';
import { ACTIVATION_NAMES } from '../activations/index.js';
import { DEFAULT_MODEL_SPEC, INIT_NAMES, SCALING_NAMES } from '../model/spec.js';
import { DEFAULTS } from '../train/train.js';

/** 'single': one run (train); 'grid': lists that a sweep crosses (sweep, threshold, replicate). */
export type OptionMode = 'single' | 'grid';

/** Fields of a run description, as the library's errors and hints name them. */
export type RunField =
  | 'data'
  | 'labelsPath'
  | 'labelColumn'
  | 'synthetic'
  | 'n'
  | 'd'
  | 'labelKind'
  | 'dataSeed'
  | 'testData'
  | 'testLabels'
  | 'testFraction'
  | 'splitSeed'
  | 'testN'
  | 'labelNoise'
  | 'activation'
  | 'scaling'
  | 'init'
  | 'm'
  | 'seed'
  | 'normalize'
  | 'eta'
  | 'epsilon'
  | 'maxSteps'
  | 'monitorEvery'
  | 'precision'
  | 'alpha';

interface RunOptionDef {
  field: RunField;
  /** Flags and value name in one-run mode, e.g. '--eta <value>'. */
  single: string;
  /** In grid mode, where the flag differs (a list). */
  grid?: string;
  /** Help text; `{default}` is replaced by the mode's default. */
  help: string;
  gridHelp?: string;
  /** The mode's default as text (undefined: none). */
  defaultOf?: (g: Grid) => string | undefined;
}

const first = <T>(xs: readonly T[]): T => xs[0];
const synthetic = (g: Grid) => {
  const d = first(g.data);
  return d && !('path' in d) ? d : undefined;
};

/** The defaults of a single training run (`overparam train` with no options). */
export const TRAIN_GRID: Grid = {
  data: [{ inputs: DEFAULT_SYNTHETIC.inputs, d: DEFAULT_SYNTHETIC.d, labels: DEFAULT_SYNTHETIC.labels, seed: DEFAULT_SYNTHETIC.seed }],
  n: [DEFAULT_SYNTHETIC.n],
  width: [DEFAULT_MODEL_SPEC.m],
  seeds: [DEFAULT_MODEL_SPEC.seed],
  activation: ['exp'],
  init: [DEFAULT_MODEL_SPEC.init],
  scaling: DEFAULT_MODEL_SPEC.scaling,
  normalize: DEFAULTS.normalize,
  eta: 'auto',
  epsilon: DEFAULTS.epsilon,
  maxSteps: DEFAULTS.maxSteps,
  precision: 'f64',
  monitorEvery: 'auto',
};


export const RUN_OPTIONS: readonly RunOptionDef[] = [
  { field: 'data', single: '--data <file>', grid: '--data <files>', help: 'training data: .csv (header row), .npy or .npz; default: a built-in synthetic set', gridHelp: 'data files (comma-separated) instead of synthetic sets; n then comes from each file' },
  { field: 'labelsPath', single: '--labels <file>', help: '.npy labels to go with --data inputs.npy (else the last column is the label)' },
  { field: 'labelColumn', single: '--label-column <name>', help: 'CSV: the label column by name (default: the last column)' },
  { field: 'synthetic', single: '--synthetic <kind>', help: `synthetic inputs when no --data: ${INPUT_KINDS.join('|')} (default {default})`, defaultOf: (g) => synthetic(g)?.inputs },
  { field: 'n', single: '--n <count>', grid: '--n <list>', help: 'synthetic: number of points (default {default})', gridHelp: 'numbers of points, comma-separated (default {default})', defaultOf: (g) => g.n.join(',') },
  { field: 'd', single: '--d <dim>', help: 'synthetic: input dimension (default {default})', defaultOf: (g) => String(synthetic(g)?.d) },
  { field: 'labelKind', single: '--label-kind <kind>', help: `synthetic labels: ${LABEL_KINDS.join('|')}: N(0,1), or a random width-8 exp teacher (default {default})`, defaultOf: (g) => synthetic(g)?.labels },
  { field: 'dataSeed', single: '--data-seed <int>', help: 'synthetic: seed of the data stream (default {default})', defaultOf: (g) => String(synthetic(g)?.seed) },
  { field: 'testData', single: '--test-data <file>', help: 'held-out points (docs/theory.md §6): a file in the formats of --data, normalised with the training set\'s normalisation; the CSV label column is that of --label-column' },
  { field: 'testLabels', single: '--test-labels <file>', help: '.npy labels to go with --test-data inputs.npy' },
  { field: 'testFraction', single: '--test-fraction <p>', help: 'hold out a seeded fraction p ∈ (0, 1) of the training rows as test points' },
  { field: 'splitSeed', single: '--split-seed <int>', help: 'with --test-fraction: seed of the split (default 0)' },
  { field: 'testN', single: '--test-n <count>', help: 'synthetic: N held-out points from the same distribution and the same teacher (the rows after the n training points)' },
  { field: 'labelNoise', single: '--label-noise <p>', help: 'replace a seeded fraction p ∈ [0, 1] of the training labels by labels drawn at random from the labels themselves (seed: --data-seed, 0 for a file); test labels stay clean' },
  {
    field: 'activation',
    single: '--activation <name>',
    grid: '--activation <list>',
    help: `the network: ${ACTIVATION_NAMES.join('|')}, each described under "Activations" in \`overparam train --help\` (default {default})`,
    gridHelp: `activations, comma-separated: ${ACTIVATION_NAMES.join(',')} (default {default})`,
    defaultOf: (g) => g.activation.join(','),
  },
  { field: 'scaling', single: '--scaling <name>', help: `output scale κ: ${SCALING_NAMES.join('|')}: ntk is 1/√m, none is 1 (η must then carry 1/m, which --eta auto does) (default {default})`, defaultOf: (g) => g.scaling },
  {
    field: 'init',
    single: '--init <name>',
    grid: '--init <list>',
    help: `initialisation: ${INIT_NAMES.join('|')} (coupled: pairs with w_{r+m/2} = w_r, a_{r+m/2} = −a_r, so F(W(0),·) = 0) (default {default})`,
    gridHelp: `initialisations, comma-separated: ${INIT_NAMES.join(',')} (default {default})`,
    defaultOf: (g) => g.init.join(','),
  },
  { field: 'm', single: '-m, --width <m>', grid: '--width <list>', help: 'number of neurons m (default {default})', gridHelp: 'widths m, comma-separated (default {default})', defaultOf: (g) => (g.width.length ? g.width.join(',') : undefined) },
  {
    field: 'seed',
    single: '--seed <int>',
    grid: '--seeds <count|list>',
    help: 'seed of the initialisation (xoshiro128**) (default {default})',
    gridHelp: 'seeds of the initialisation: a count (3 → seeds 0,1,2) or a list (default {default})',
    defaultOf: (g) => (g.seeds.length === 1 ? String(g.seeds[0]) : String(g.seeds.length)),
  },
  { field: 'normalize', single: '--normalize <kind>', help: `input normalisation: ${NORMALIZE_KINDS.join('|')}: unit (rows to ‖x‖ = 1), max (all rows by the largest norm), none (default {default})`, defaultOf: (g) => g.normalize },
  { field: 'eta', single: '--eta <value>', help: "step size η, or 'auto' = 1/λ_max(H(W(0))), matrix-free (power iteration; Lanczos or Jacobi–Davidson with H^lim above n·m·d = 4·10⁸) (default {default})", defaultOf: (g) => String(g.eta) },
  { field: 'epsilon', single: '--epsilon <value>', help: 'target ε of the unsquared ‖F(W,X) − y‖₂ (default {default})', defaultOf: (g) => String(g.epsilon) },
  { field: 'maxSteps', single: '--max-steps <count>', help: 'step budget per run (default {default})', defaultOf: (g) => String(g.maxSteps) },
  {
    field: 'monitorEvery',
    single: '--monitor-every <K>',
    help: "kernel monitor (docs/theory.md §4) every K steps: λ_min(H(W(k))), ‖H(W(k)) − H(W(0))‖₂, R(k) and the certificate; 'auto' picks K from n, m, d so that it costs a few percent; 0 = off (default {default})",
    defaultOf: (g) => String(g.monitorEvery),
  },
  { field: 'precision', single: '--precision <p>', help: 'f64 | f32 (f32 needs the native backend) (default {default})', defaultOf: (g) => g.precision },
  {
    field: 'alpha',
    single: '--alpha <A>',
    grid: '--alpha <list>',
    help: 'train the centred, α-scaled model F_α = α(F(W,·) − F(W(0),·)) on ½‖F_α − y‖²/α² (docs/theory.md §6, Chizat et al.): large α keeps the kernel regime, small α lets features move (default: the plain network)',
    gridHelp: 'output factors α of the centred model, comma-separated (docs/theory.md §6) (default: the plain network)',
  },
];

/** Command-line flag of each field, for wording the library's errors and hints (cli/run.ts). */
export const FLAG_OF: Readonly<Record<string, string>> = {
  ...Object.fromEntries(RUN_OPTIONS.map((o) => [o.field, longFlag(o.single)])),
  seeds: '--seeds',
  backend: '--backend',
  threads: '--threads',
  queue: '--queue',
  delta: '--delta',
  maxMemory: '--max-memory',
  pngScale: '--png-scale',
  budget: '--budget',
};

function longFlag(flags: string): string {
  return flags.split(/[ ,]+/).find((f) => f.startsWith('--'))!;
}

/** Commander's attribute name for a flag: --max-steps → maxSteps. */
function attr(flags: string): string {
  return longFlag(flags)
    .slice(2)
    .replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
}

/**
 * Adds the run options (all, or the fields in `only`) to a command, in the table's order, with the
 * mode's flags and help. No commander defaults: an option not given is undefined, so that a grid
 * spec file and the mode's defaults (stated in the help) show through.
 */
export function addRunOptions(cmd: Command, mode: OptionMode, defaults: Grid, only?: readonly RunField[], lists: readonly RunField[] = []): Command {
  for (const o of RUN_OPTIONS) {
    if (only && !only.includes(o.field)) continue;
    const grid = modeOf(o.field, mode, lists) === 'grid';
    const flags = grid ? (o.grid ?? o.single) : o.single;
    const def = o.defaultOf?.(defaults);
    const help = (grid ? (o.gridHelp ?? o.help) : o.help).replace(' (default {default})', def ? ` (default ${def})` : '');
    cmd.option(flags, help);
  }
  return cmd;
}

/** A field takes a list in grid mode, and in single mode where the command lists it (e.g. ntk's --activation). */
const modeOf = (field: RunField, mode: OptionMode, lists: readonly RunField[]): OptionMode => (mode === 'grid' || lists.includes(field) ? 'grid' : 'single');

/** The values commander parsed (run options are text, or undefined when not given). */
export type RunOptionValues = Record<string, unknown>;

const csv = (s: string): string[] =>
  s
    .split(',')
    .map((x) => x.trim())
    .filter((x) => x.length > 0);

/**
 * The run description the options give: `base` (the mode's defaults, or a spec file's grid on top
 * of them) with every option given on top, each field checked by the library (parseGrid).
 */
export function gridOfOptions(o: RunOptionValues, mode: OptionMode, base: Grid, lists: readonly RunField[] = []): Grid {
  const get = (field: RunField): string | undefined => {
    const def = RUN_OPTIONS.find((d) => d.field === field)!;
    const v = o[attr(modeOf(field, mode, lists) === 'grid' ? (def.grid ?? def.single) : def.single)];
    return typeof v === 'string' ? v : undefined;
  };
  const manyOf = (field: RunField, s: string): string[] => (modeOf(field, mode, lists) === 'grid' ? csv(s) : [s.trim()]);
  const raw: Record<string, unknown> = {};
  const n = get('n');
  const width = get('m');
  const seeds = get('seed');
  const activation = get('activation');
  const init = get('init');
  if (n !== undefined) raw.n = manyOf('n', n);
  if (width !== undefined) raw.width = manyOf('m', width);
  if (seeds !== undefined) raw.seeds = modeOf('seed', mode, lists) === 'single' || seeds.includes(',') ? manyOf('seed', seeds) : seeds.trim();
  if (activation !== undefined) raw.activation = manyOf('activation', activation);
  if (init !== undefined) raw.init = manyOf('init', init);
  for (const f of ['scaling', 'normalize', 'eta', 'epsilon', 'maxSteps', 'monitorEvery', 'precision'] as const) {
    const v = get(f);
    if (v !== undefined) raw[f] = v.trim();
  }
  const alpha = get('alpha');
  if (alpha !== undefined) raw.alpha = manyOf('alpha', alpha);
  const labelNoise = get('labelNoise');
  if (labelNoise !== undefined) raw.labelNoise = labelNoise.trim();
  const data = get('data');
  const labelsPath = get('labelsPath');
  const labelColumn = get('labelColumn');
  const test = { testData: get('testData'), testFraction: get('testFraction'), testN: get('testN') };
  const given = (Object.keys(test) as (keyof typeof test)[]).filter((f) => test[f] !== undefined);
  if (given.length > 1) throw new OptionError(`${given.map((f) => FLAG_OF[f]).join(' and ')} exclude each other: give one source of test points`);
  if (get('testLabels') !== undefined && test.testData === undefined) throw new OptionError('--test-labels goes with --test-data');
  if (get('splitSeed') !== undefined && test.testFraction === undefined) throw new OptionError('--split-seed goes with --test-fraction');
  if (test.testData !== undefined) {
    const testLabels = get('testLabels');
    raw.test = { kind: 'file', path: test.testData, ...(labelColumn !== undefined ? { labelColumn } : {}), ...(testLabels !== undefined ? { labelsPath: testLabels } : {}) };
  } else if (test.testFraction !== undefined) {
    raw.test = { kind: 'fraction', fraction: test.testFraction.trim(), seed: get('splitSeed')?.trim() ?? 0 };
  } else if (test.testN !== undefined) {
    if (data !== undefined) throw new OptionError('--test-n draws synthetic test points and does not go with --data: use --test-data or --test-fraction');
    raw.test = { kind: 'synthetic', n: test.testN.trim() };
  }
  if (data !== undefined) {
    // a file gives n, d and the labels itself: options that describe synthetic data would be ignored
    const synth = (['n', 'd', 'synthetic', 'labelKind', 'dataSeed'] as const).filter((f) => get(f) !== undefined);
    if (synth.length > 0) {
      throw new OptionError(`${synth.map((f) => FLAG_OF[f]).join(', ')} describe${synth.length === 1 ? 's' : ''} synthetic data and do${synth.length === 1 ? 'es' : ''} not go with --data (the file gives n, d and the labels)`);
    }
    raw.data = manyOf('data', data).map((path) => ({ path, ...(labelColumn !== undefined ? { labelColumn } : {}), ...(labelsPath !== undefined ? { labelsPath } : {}) }));
  } else {
    if (labelsPath !== undefined || labelColumn !== undefined) throw new OptionError('--labels and --label-column go with --data');
    const over = { d: get('d'), inputs: get('synthetic'), labels: get('labelKind'), seed: get('dataSeed') };
    if (Object.values(over).some((v) => v !== undefined)) {
      const b = synthetic(base) ?? { inputs: DEFAULT_SYNTHETIC.inputs, d: DEFAULT_SYNTHETIC.d, labels: DEFAULT_SYNTHETIC.labels, seed: DEFAULT_SYNTHETIC.seed };
      raw.data = [{ ...b, ...Object.fromEntries(Object.entries(over).filter(([, v]) => v !== undefined)) }];
    }
  }
  try {
    return parseGrid(raw, base);
  } catch (e) {
    // the grid's field is `seeds`; a command that takes one seed calls its flag --seed
    if (e instanceof OptionError && e.field === 'seeds' && modeOf('seed', mode, lists) === 'single') throw new OptionError(e.message, { field: 'seed', hints: e.hints });
    throw e;
  }
}

export { DEFAULT_GRID };

/** A hint of the library in words: "--eta 0.001", "raise --max-steps". */
export function hintText(h: Hint): string {
  const flag = FLAG_OF[h.field] ?? h.field;
  if (h.value !== undefined) return `${flag} ${h.value}`;
  return h.change === 'lower' ? `lower ${flag}` : `raise ${flag}`;
}

/** " (try --eta 0.001, or raise --max-steps)" — empty without hints. */
export function hintsText(hints: readonly Hint[]): string {
  if (hints.length === 0) return '';
  return ` (try ${hints.map(hintText).join(', or ')})`;
}
