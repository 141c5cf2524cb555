/**
 * docs/theory.md §4 on real training runs: the linearised prediction tracks wide networks, the
 * certificate holds where the theory's conditions are met and names what fails where they are not.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createBackend } from '../../src/backend/index.js';
import { ReferenceBackend } from '../../src/backend/reference.js';
import type { Dataset } from '../../src/data/dataset.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { drawGaussianW, drawSigns } from '../../src/kernel/init.js';
import { initialWeights } from '../../src/model/init.js';
import { Rng } from '../../src/random/xoshiro.js';
import { ntkMonitor } from '../../src/theory/train-monitor.js';
import { train } from '../../src/train/train.js';

const backend = new ReferenceBackend();

/** max_k |‖r(k)‖ − linearised(k)| / ‖r(0)‖ over a run. */
function deviation(width: number, data: Dataset): number {
  const res = train(data, { model: { m: width, seed: 1 }, eta: 0.02, maxSteps: 150, epsilon: 1e-9, monitors: { ntk: ntkMonitor(50) }, backend: createBackend() });
  const lin = res.monitors.ntk.linearised!;
  assert.equal(lin.length, res.steps + 1);
  assert.ok(Math.abs(lin[0] - res.history.residual[0]) <= 1e-12 * lin[0], 'the prediction starts at r(0)');
  let dev = 0;
  res.history.residual.forEach((r, k) => (dev = Math.max(dev, Math.abs(r - lin[k]))));
  return dev / res.history.residual[0];
}

test('the residual follows the linearised prediction (I − ηH(W(0)))^k r(0) on a wide network, less so on a narrow one', () => {
  const data = generateSynthetic({ inputs: 'sphere', n: 10, d: 4, labels: 'normal', seed: 2 });
  const wide = deviation(40_000, data);
  const narrow = deviation(40, data);
  // stated tolerance: within 2% of ‖r(0)‖ over 150 steps at m = 40000; the width-40 network deviates ≥ 5× more
  console.log(`# linearised deviation: m = 40000 → ${wide.toExponential(2)}, m = 40 → ${narrow.toExponential(2)} (relative to ‖r(0)‖)`);
  assert.ok(wide < 0.02, `wide deviation ${wide}`);
  assert.ok(narrow > 5 * wide, `narrow ${narrow} vs wide ${wide}`);
});

test('the certificate holds on every row for a wide network inside the theory, and names the failing rows on a narrow one', () => {
  // Inside the theory: orthonormal inputs (λ = e², the largest possible), tiny labels (so the weights
  // barely move: R ≪ R*) and a step inside the bound of §4D; m = 20000 for the concentration of §4B.
  const n = 3;
  const X = new Float64Array(n * n);
  for (let i = 0; i < n; i++) X[i * n + i] = 1;
  const y = Float64Array.from([1e-7, -2e-7, 1.5e-7]);
  const inside: Dataset = { n, d: n, X, y, source: 'orthonormal' };
  const first = train(inside, { model: { m: 20_000, seed: 4 }, maxSteps: 0, monitors: { ntk: ntkMonitor(1) }, backend });
  const etaBound = first.monitors.ntk.certificate.find((r) => r.name.startsWith('η'))!.threshold;
  const res = train(inside, { model: { m: 20_000, seed: 4 }, eta: etaBound / 2, maxSteps: 30, epsilon: 1e-30, monitors: { ntk: ntkMonitor(10) }, backend });
  const cert = res.monitors.ntk.certificate;
  assert.equal(cert.length, 6);
  for (const row of cert) assert.ok(row.held, `${row.name}: ${row.measured} ${row.comparison} ${row.threshold}`);

  const data = generateSynthetic({ inputs: 'sphere', n: 12, d: 4, labels: 'normal', seed: 5 });
  const narrow = train(data, { model: { m: 30, seed: 1 }, eta: 0.02, maxSteps: 100, monitors: { ntk: ntkMonitor(10) }, backend });
  const failing = narrow.monitors.ntk.certificate.filter((r) => !r.held).map((r) => r.name);
  assert.ok(failing.includes('‖H(W(0)) − H^cts‖₂'), `failing rows: ${failing.join('; ')}`);
  assert.ok(failing.some((f) => f.startsWith('max_k R(k)')), `failing rows: ${failing.join('; ')}`);
});

test('monitored steps, per-step series and the envelope are in the history', () => {
  const data = generateSynthetic({ inputs: 'sphere', n: 8, d: 3, labels: 'normal', seed: 1 });
  const res = train(data, { model: { m: 500 }, maxSteps: 45, epsilon: 1e-12, monitors: { ntk: ntkMonitor(20) }, backend });
  const extra = res.history.extra!;
  for (const key of ['linearised', 'envelope', 'lambda_min', 'kernel_drift']) assert.equal(extra[key].length, res.steps + 1, key);
  const measured = extra.lambda_min.map((v, k) => (v === null ? -1 : k)).filter((k) => k >= 0);
  assert.deepEqual(measured, [0, 20, 40, 45]);
  // the envelope is (1 − ηλ/2)^{k/2} ‖r(0)‖: geometric with ratio √(1 − ηλ/2)
  const mon = res.monitors.ntk;
  const q = Math.sqrt(mon.thresholds.contraction);
  for (let k = 1; k <= res.steps; k++) assert.ok(Math.abs(extra.envelope[k]! / extra.envelope[k - 1]! - q) < 1e-12);
});

test('ntk seeds are training seeds: the kernel module draws the same W(0) and a as the model', () => {
  for (const seed of [0, 7]) {
    const rng = new Rng(seed, 'init');
    const W = drawGaussianW(50, 6, rng);
    const a = drawSigns(50, rng);
    const model = initialWeights({ activation: 'exp', scaling: 'ntk', init: 'gaussian', m: 50, seed }, 6);
    assert.deepEqual(W, model.W0);
    assert.deepEqual(a, model.a);
  }
});
