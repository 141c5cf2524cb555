/**
 * The numpy peer of `npm run bench -- --only study` (bench/peer_study.py) must run the same search
 * and the same training as the library, or its m* says nothing: its search against searchThreshold
 * on success-rate tables (monotone or not), and its GD against train() on one small problem each.
 * Skipped where `python3` has no numpy.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import path from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { ACTIVATIONS } from '../../src/activations/index.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { gridWidth, searchThreshold } from '../../src/experiments/threshold.js';
import { infiniteKernel } from '../../src/kernel/infinite.js';
import { lambdaMinMax } from '../../src/linalg/eigh.js';
import { initialWeights } from '../../src/model/init.js';
import { Rng } from '../../src/random/xoshiro.js';
import { train } from '../../src/train/train.js';

const bench = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'bench');
const hasNumpy = spawnSync('python3', ['-c', 'import numpy'], { encoding: 'utf8' }).status === 0;
const skip = hasNumpy ? false : 'python3 with numpy is unavailable';

function python(code: string, input: unknown): unknown {
  const r = spawnSync('python3', ['-c', `import json, sys\nsys.path.insert(0, ${JSON.stringify(bench)})\nimport peer_study as ps\n${code}`], {
    input: JSON.stringify(input),
    env: { ...process.env, PYTHONDONTWRITEBYTECODE: '1' }, // no bench/__pycache__ left behind
    encoding: 'utf8',
    maxBuffer: 1 << 26,
  });
  assert.equal(r.status, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('peer_study.py searches the grid as searchThreshold does, probe for probe', { skip }, async () => {
  const rng = new Rng(5, 'peer-study-test');
  const cases: Array<{ m0: number; g: number; mMin: number; mMax: number; rates: Record<string, number> }> = [];
  for (let c = 0; c < 60; c++) {
    const m0 = [8, 12, 64][c % 3];
    const g = 1 + (c % 4);
    const mMax = [64, 512, 4096][c % 3];
    const mMin = c % 5 === 0 ? 6 : 2;
    const rates: Record<string, number> = {};
    const jStar = Math.floor(rng.nextDouble() * 24) - 8;
    for (let j = -10 * g; gridWidth(m0, g, j) <= mMax; j++) {
      const m = gridWidth(m0, g, j);
      // half the cases monotone in m, the others with random failures above the threshold too
      rates[m] = j >= jStar && (c % 2 === 0 || rng.nextDouble() < 0.7) ? 1 : Math.floor(rng.nextDouble() * 10) / 10;
    }
    cases.push({ m0, g, mMin, mMax, rates });
  }
  const ours = [];
  for (const k of cases) {
    const s = await searchThreshold((m) => k.rates[m], { m0: k.m0, gridPerDoubling: k.g, mMin: k.mMin, mMax: k.mMax, target: 1 });
    ours.push({ mStar: s.mStar, mBelow: s.mBelow, probes: s.probes });
  }
  const theirs = python(
    'cases = json.load(sys.stdin)\n' +
      'print(json.dumps([ps.run_search(lambda m: c["rates"][str(m)], c["m0"], c["mMax"], c["mMin"], c["g"], 1.0) for c in cases]))',
    cases,
  );
  assert.deepEqual(theirs, ours);
});

test('peer_study.py trains as train() does: same status and step count, residuals to rounding', { skip }, () => {
  const n = 16;
  const d = 8;
  const runs = [];
  for (const act of ['exp', 'relu'] as const) {
    const ds = generateSynthetic({ inputs: 'sphere', n, d, labels: 'normal', seed: 3 });
    const lm = lambdaMinMax(infiniteKernel(ACTIVATIONS[act], ds.X, n, d), n).lambdaMax;
    for (const m of [16, 64]) {
      const eta = 0.25 / lm;
      const { W0, a } = initialWeights({ activation: act, scaling: 'ntk', init: 'gaussian', m, seed: 1 }, d);
      // the inputs as train() sees them after its unit normalisation
      const res = train(ds, { model: { activation: act, scaling: 'ntk', init: 'gaussian', m, seed: 1 }, eta, epsilon: 0.01, maxSteps: 5000 });
      runs.push({ act, m, eta, X: Array.from(res.inputs), y: Array.from(ds.y), W0: Array.from(W0), a: Array.from(a), ours: { status: res.status, steps: res.steps, residual: res.residual, initialResidual: res.initialResidual } });
    }
  }
  const theirs = python(
    'import math\nimport numpy as np\nout = []\n' +
      'for r in json.load(sys.stdin):\n' +
      '    m = r["m"]\n' +
      '    X = np.array(r["X"]).reshape(-1, 8); W = np.array(r["W0"]).reshape(m, 8).T.copy()\n' +
      '    out.append(ps.train(X, np.array(r["y"]), W, np.array(r["a"]), 1 / math.sqrt(m), r["eta"], 0.01, 5000, 1e3, r["act"] == "relu"))\n' +
      'print(json.dumps(out))',
    runs,
  ) as Array<{ status: string; steps: number; residual: number; initialResidual: number }>;
  runs.forEach((r, k) => {
    const t = theirs[k];
    assert.equal(t.status, r.ours.status, `${r.act} m=${r.m}`);
    assert.equal(t.steps, r.ours.steps, `${r.act} m=${r.m}`);
    assert.ok(Math.abs(t.initialResidual - r.ours.initialResidual) <= 1e-14 * r.ours.initialResidual, `${r.act} m=${r.m}: ‖r(0)‖ ${t.initialResidual} vs ${r.ours.initialResidual}`);
    assert.ok(Math.abs(t.residual - r.ours.residual) <= 1e-9 * r.ours.residual, `${r.act} m=${r.m}: ‖r‖ ${t.residual} vs ${r.ours.residual}`);
  });
});
