/**
 * The width study's pieces: the step budget c·T against an independent computation of T, the
 * initial-kernel runs against a kernel built from its definition, the monitor's sparse schedule,
 * and the planner and analysis on a simulated world whose thresholds are known.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { eigvalsh } from '../../src/linalg/eigh.js';
import { initialWeights } from '../../src/model/init.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { runOne, type RunResult } from '../../src/experiments/run.js';
import { runId, validateRunSpec, type RunSpec } from '../../src/experiments/spec.js';
import { analyseStudy, DEFAULT_STUDY, eventOutcome, planRound, runWidthStudy, studyCells, widthAt, type StudyEvent, type WidthStudyConfig } from '../../src/experiments/width-study.js';

const base: RunSpec = {
  data: { kind: 'synthetic', inputs: 'sphere', n: 10, d: 3, labels: 'normal', seed: 0 },
  model: { activation: 'exp', scaling: 'ntk', init: 'gaussian', m: 32, seed: 1 },
  normalize: 'unit',
  eta: 'auto',
  epsilon: 0.01,
  maxSteps: 100_000,
  precision: 'f64',
  monitorEvery: 5,
};

/** H(W(0)) of the exp network from its definition: ⟨x_i,x_j⟩ (1/m) Σ_r e^{⟨w_r,x_i⟩} e^{⟨w_r,x_j⟩} (NTK scale, a_r² = 1). */
function expKernelAtInit(spec: RunSpec): { H0: number[]; Hlim: number[]; n: number } {
  if (spec.data.kind !== 'synthetic') throw new Error('synthetic data only');
  const { n, d } = spec.data;
  const X = generateSynthetic({ inputs: spec.data.inputs, n, d, labels: spec.data.labels, seed: spec.data.seed }).X; // already on the sphere
  const { W0: W } = initialWeights(spec.model, d);
  const m = spec.model.m;
  const dot = (i: number, j: number) => Array.from({ length: d }, (_, t) => X[i * d + t] * X[j * d + t]).reduce((a, b) => a + b, 0);
  const H0: number[] = [];
  const Hlim: number[] = [];
  for (let i = 0; i < n; i++) {
    for (let j = 0; j < n; j++) {
      let s = 0;
      for (let r = 0; r < m; r++) {
        let zi = 0;
        let zj = 0;
        for (let t = 0; t < d; t++) {
          zi += W[r * d + t] * X[i * d + t];
          zj += W[r * d + t] * X[j * d + t];
        }
        s += Math.exp(zi) * Math.exp(zj);
      }
      const rho = dot(i, j);
      H0.push((rho * s) / m);
      Hlim.push(rho * Math.exp(1 + rho)); // E e^{⟨w,x_i + x_j⟩} = e^{‖x_i + x_j‖²/2} = e^{1 + ρ} on the sphere
    }
  }
  return { H0, Hlim, n };
}

test('the budget c·T is the linearised prediction of the run’s own H(W(0)), and a run stops there', () => {
  const spec = validateRunSpec({ ...base, budget: 0.25 });
  const r = runOne(spec);
  const { H0, n } = expKernelAtInit(spec);
  const lambdaMin0 = eigvalsh(Float64Array.from(H0), n)[0];
  const T = Math.log(r.initialResidual! / spec.epsilon) / -Math.log(1 - r.eta! * lambdaMin0); // η κ² m = η under ntk scaling
  assert.ok(r.budget, 'the result records its budget');
  assert.ok(Math.abs(r.budget.linearisedSteps! - T) <= 1e-8 * T, `T = ${r.budget.linearisedSteps} vs ${T}`);
  assert.equal(r.budget.steps, Math.ceil(0.25 * T));
  assert.equal(r.budget.capped, false);
  assert.equal(r.status, 'max-steps');
  assert.equal(r.steps, Math.ceil(0.25 * T));
  assert.match(r.message, /0\.25 × the linearised T/);
  assert.equal(eventOutcome(r).int, false);
  // with c·T beyond maxSteps the run has maxSteps, and missing ε then says nothing about c·T
  const capped = runOne(validateRunSpec({ ...base, budget: 0.25, maxSteps: 3 }));
  assert.equal(capped.steps, 3);
  assert.equal(capped.budget?.capped, true);
  assert.equal(eventOutcome(capped).int, null);
  // a generous budget: the run reaches ε within it
  const ok = runOne(validateRunSpec({ ...base, budget: 4 }));
  assert.equal(ok.status, 'converged');
  assert.ok(ok.steps <= ok.budget!.steps);
  assert.equal(eventOutcome(ok).int, true);
});

test('an initial-kernel run measures ‖H(W(0)) − H^lim‖₂ and λ as the definition gives them, and as the training run’s monitor does', () => {
  const spec = validateRunSpec({ ...base, eta: 1, maxSteps: 0, monitorEvery: 0, initialOnly: true });
  const r = runOne(spec);
  const c = r.monitors?.concentration;
  assert.ok(c, 'the concentration report is stored');
  assert.equal(r.steps, 0);
  const { H0, Hlim, n } = expKernelAtInit(spec);
  const diff = eigvalsh(Float64Array.from(H0.map((v, k) => v - Hlim[k])), n);
  const norm = Math.max(-diff[0], diff[n - 1]);
  const lambda = eigvalsh(Float64Array.from(Hlim), n)[0];
  assert.ok(Math.abs(c.initDistance - norm) <= 1e-10 * norm, `${c.initDistance} vs ${norm}`);
  assert.ok(Math.abs(c.lambda - lambda) <= 1e-10 * lambda, `${c.lambda} vs ${lambda}`);
  assert.equal(c.held, norm <= lambda / 4);
  const trained = runOne(validateRunSpec({ ...base, budget: 4 }));
  assert.ok(Math.abs(trained.monitors!.ntk!.initial.initDistance - c.initDistance) <= 1e-12 * norm);
  assert.equal(eventOutcome(r).B, eventOutcome(trained).B);
  assert.deepEqual({ ...eventOutcome(r), B: null }, { int: null, B: null, lazy: null });
  // an initial-kernel run that would take steps is refused with the reason
  assert.throws(() => validateRunSpec({ ...spec, maxSteps: 10 }), /takes no step/);
  assert.throws(() => validateRunSpec({ ...base, budget: 2, monitorEvery: 0 }), /needs the kernel monitor/);
  assert.throws(() => validateRunSpec({ ...base, budget: -1 }), /positive number/);
});

test('after monitorUntil the kernel monitor measures only at K·2^j and the last step', () => {
  const r = runOne(validateRunSpec({ ...base, model: { ...base.model, m: 8 }, monitorEvery: 3, monitorUntil: 12, maxSteps: 200 }));
  const ks = r.monitors!.ntk!.observations.map((o) => o.k);
  const want = new Set<number>([0, 3, 6, 9, 12]);
  for (let j = 1; 3 * j <= r.steps; j *= 2) if (3 * j > 12) want.add(3 * j);
  want.add(r.steps);
  assert.deepEqual(ks, [...want].sort((a, b) => a - b));
});

// A simulated world: seed s succeeds at event e when m ≥ its own threshold t_e(s), spread evenly in ln m around a known median.
const world: Record<StudyEvent, (n: number, s: number) => number> = {
  int: () => 1, // holds at every width: censored below
  B: (n, s) => 4 * n * 2 ** ((s - 4.5) / 6), // median 4n, spread ×2.8
  lazy: (n, s) => 1e9 * (s + 1), // never within the widths: censored above
};

function fabricate(spec: RunSpec): RunResult {
  const n = spec.data.kind === 'synthetic' ? spec.data.n : 0;
  const { m, seed } = spec.model;
  const held = (e: StudyEvent) => m >= world[e](n, seed);
  const row = (ref: string, name: string, ok: boolean) => ({ name, ref, held: ok, measured: 0, threshold: 0, comparison: '≤' });
  return {
    kind: 'overparam-run',
    id: runId(spec),
    spec,
    status: held('int') ? 'converged' : 'max-steps',
    budget: { multiple: 4, linearisedSteps: 10, steps: 40, capped: false },
    monitors: {
      ntk: {
        initial: { lambda: 0.5 },
        laziness: { maxRelativeDrift: 1 / m },
        certificate: [row('docs/theory.md §4A', 'max_k ‖H(W(k)) − H(W(0))‖₂', held('lazy')), row('docs/theory.md §4B', '‖H(W(0)) − H^cts‖₂', held('B')), row('docs/theory.md §4C', 'min_k λ_min(H(W(k)))', true)],
      },
    },
  } as unknown as RunResult;
}

test('the planner brackets each transition, bisects it to the fine grid, and the analysis recovers the thresholds', async () => {
  const config: WidthStudyConfig = { ...DEFAULT_STUDY, models: [{ activation: 'exp', init: 'gaussian' }], n: [16, 64, 256], seeds: 10, mMax: 2 ** 16 };
  const results: RunResult[] = [];
  const out = await runWidthStudy(config, {
    read: () => results,
    execute: async (specs) => {
      for (const s of specs) if (!results.some((r) => r.id === runId(s))) results.push(fabricate(s));
    },
  });
  assert.equal(out.complete, true);
  assert.deepEqual(planRound(config, studyCells(config), results), [], 'nothing left to run');
  for (const cell of out.cells) {
    const n = cell.cell.n;
    const B = cell.curves.find((c) => c.event === 'B')!;
    // every width ran every seed
    for (const w of B.rates) assert.equal(w.trials, 10);
    // inside the transition (0 < rate < 1) neighbouring widths are one fine step (2^{1/2}) apart
    const inside = B.rates.filter((w) => w.rate > 0 && w.rate < 1);
    assert.ok(inside.length >= 2, `n = ${n}: ${inside.length} widths in the transition`);
    const ms = B.rates.map((w) => w.m);
    for (const w of inside) {
      const k = ms.indexOf(w.m);
      assert.ok(ms[k + 1] / w.m <= 2 ** 0.5 * 1.01, `n = ${n}: gap ${w.m} → ${ms[k + 1]}`);
    }
    assert.equal(B.half.status, 'estimated');
    assert.ok(B.half.ci![0]! <= 4 * n && 4 * n <= B.half.ci![1]!, `n = ${n}: m½ ${B.half.m} [${B.half.ci}] vs ${4 * n}`);
    assert.equal(cell.curves.find((c) => c.event === 'int')!.half.status, 'censored-below');
    assert.equal(cell.curves.find((c) => c.event === 'lazy')!.half.status, 'censored-above');
  }
  const fitB = out.fits.find((f) => f.event === 'B' && f.q === 0.5 && f.against === 'n')!;
  assert.deepEqual(fitB.used, [16, 64, 256]);
  assert.ok(Math.abs(fitB.fit!.exponent - 1) < 0.15, `exponent ${fitB.fit!.exponent}`);
  assert.ok(fitB.fit!.ci![0] <= 1 && 1 <= fitB.fit!.ci![1]);
  const fitInt = out.fits.find((f) => f.event === 'int' && f.q === 0.5 && f.against === 'n')!;
  assert.equal(fitInt.fit, null, 'censored thresholds are not fitted');
  assert.deepEqual(fitInt.refused.map((r) => r.why), ['censored-below', 'censored-below', 'censored-below']);
  // the analysis is a function of the results alone
  assert.deepEqual(analyseStudy(config, studyCells(config), [...results].reverse()).fits, out.fits);
});

test('grid widths are even, distinct where the planner uses them, and 2^{j/g} to rounding', () => {
  for (let j = 2; j < 40; j++) {
    const m = widthAt(j, 2);
    assert.equal(m % 2, 0);
    assert.ok(Math.abs(m - 2 ** (j / 2)) <= 1, `${j}: ${m}`);
  }
});

test('a run whose initial kernel vanished fails every event; a run refused for other reasons decides none', () => {
  const spec = validateRunSpec({ ...base, model: { ...base.model, activation: 'softmax', m: 2 }, budget: 4 });
  // softmax with m = 2: for the seeds whose two signs a_r agree, F is constant in W and H(W(0)) = 0
  const results = Array.from({ length: 12 }, (_, seed) => runOne({ ...spec, model: { ...spec.model, seed } }));
  const vanished = results.filter((r) => r.status === 'error');
  assert.ok(vanished.length > 0 && vanished.length < results.length, `${vanished.length} of 12 seeds with a vanishing kernel`);
  for (const r of vanished) {
    assert.match(r.message, /λ_max = 0/);
    assert.deepEqual(eventOutcome(r), { int: false, B: false, lazy: false });
  }
  const refused = { ...vanished[0], field: 'm', message: 'refused: needs 3 GiB' } as RunResult;
  assert.deepEqual(eventOutcome(refused), { int: null, B: null, lazy: null });
});

test('the planner stops where the events hold on any grid, and a cap below the first level ends a cell instead of the study', async () => {
  const simulate = async (config: WidthStudyConfig) => {
    const results: RunResult[] = [];
    const out = await runWidthStudy(config, {
      read: () => results,
      execute: async (specs) => {
        for (const s of specs) if (!results.some((r) => r.id === runId(s))) results.push(fabricate(s));
      },
    });
    return { out, widest: Math.max(...results.map((r) => r.spec.model.m)) };
  };
  // g = 6: small widths repeat after the even rounding (2^{17/6} and 2^{18/6} are both 8)
  const fine = await simulate({ ...DEFAULT_STUDY, models: [{ activation: 'exp', init: 'gaussian' }], n: [16], seeds: 10, mMax: 2 ** 20, gridPerDoubling: 6, maxTrainWork: 2 ** 40 });
  assert.equal(fine.out.complete, true);
  // B holds for every seed from 4·16·2^{4.5/6} ≈ 108: two levels 4× apart above that and no further (lazy never holds, so up to the cap)
  const B = fine.out.cells[0].curves.find((c) => c.event === 'B')!;
  assert.equal(B.half.status, 'estimated');
  assert.ok(B.half.ci![0]! <= 64 && 64 <= B.half.ci![1]!, `m½ ${B.half.m} [${B.half.ci}]`);
  // a cap below the smallest width (n·2·d > maxTrainWork): nothing run there, the study still completes
  const capped = await simulate({ ...DEFAULT_STUDY, models: [{ activation: 'exp', init: 'gaussian' }], n: [16, 64], seeds: 3, mMax: 2 ** 12, maxTrainWork: 2 * 16 * 16 * 4 });
  assert.equal(capped.out.complete, true);
  const big = capped.out.cells.find((a) => a.cell.n === 64)!;
  assert.equal(big.runs, 0);
  assert.ok(capped.widest <= 8, `widest ${capped.widest}`); // n = 16: m ≤ maxTrainWork/(n·d) = 8
  // a cap that is a repeated width (3: the grid's 2^{3/2} rounds to 2) completes too
  const tiny = await simulate({ ...DEFAULT_STUDY, models: [{ activation: 'exp', init: 'gaussian' }], n: [16], seeds: 3, mMax: 3 });
  assert.equal(tiny.out.complete, true);
  assert.equal(tiny.widest, 2);
});
