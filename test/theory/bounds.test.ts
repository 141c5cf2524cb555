import { test } from 'node:test';
import assert from 'node:assert/strict';
import {
  bHighProb,
  concentrationBound,
  contractionFactor,
  etaFromD,
  rStar,
  stabilityBound,
  stepsFromD,
  widthFromB,
  widthFromC,
  PAPER_WIDTH_ORDER,
} from '../../src/theory/bounds.js';
import { conditionB, conditionC, solveWidthB, solveWidthC } from '../../src/theory/implicit.js';
import { Rng } from '../../src/random/xoshiro.js';

/** log of 32 n² e^{4B} ln(2n²/δ) / λ² with B = √(2 ln(2mn/δ)), written out from docs/theory.md §4B. */
function logRhsB(m: number, n: number, lambda: number, delta: number): number {
  const B = Math.sqrt(2 * Math.log((2 * m * n) / delta));
  return Math.log(32) + 2 * Math.log(n) + 4 * B + Math.log(Math.log((2 * n * n) / delta)) - 2 * Math.log(lambda);
}

test('implicit width from B: holds at the returned m, fails just below (integer and astronomic cases)', () => {
  // a case small enough for integers: m − 1 must fail
  const a = solveWidthB(1, 100, 0.9);
  assert.ok(Number.isInteger(a.m) && a.m > 1e6 && a.m < 2 ** 52, `m = ${a.m}`);
  assert.ok(logRhsB(a.m, 1, 100, 0.9) <= Math.log(a.m));
  assert.ok(logRhsB(a.m - 1, 1, 100, 0.9) > Math.log(a.m - 1));
  // docs/theory.md's example: n = 30, λ ≈ 0.227: astronomically large; compare relatively
  const b = solveWidthB(30, 0.227, 0.1);
  assert.ok(b.m > 1e20 && Number.isFinite(b.m));
  assert.ok(logRhsB(b.m, 30, 0.227, 0.1) <= Math.log(b.m) + 1e-12);
  const below = b.m * (1 - 1e-9);
  assert.ok(logRhsB(below, 30, 0.227, 0.1) > Math.log(below));
  assert.equal(conditionB(b.m, 30, 0.227, 0.1).holds, true);
  // and it keeps holding above (the condition is not met by accident)
  for (const f of [2, 10, 1e3, 1e10]) assert.ok(logRhsB(b.m * f, 30, 0.227, 0.1) <= Math.log(b.m * f));
  // the explicit formula with B = B(m) agrees with the implicit condition at the solution
  assert.ok(Math.abs(widthFromB(30, b.B, 0.227, 0.1) / b.m - 1) < 1e-6);
});

test('implicit width from C: holds at the returned m, fails just below', () => {
  const n = 10;
  const lambda = 0.3;
  const delta = 0.05;
  const r0Sq = n * (Math.E ** 2 + 1);
  const c = solveWidthC(n, lambda, delta, r0Sq);
  const direct = (m: number): number => {
    // 16 n e^{2(B+R*)} ‖r(0)‖² / (λ² R*²), R* = ½ ln(1 + λ/(4n e^{2B})), B = B(m)   (docs/theory.md §4A, §4C)
    const B = Math.sqrt(2 * Math.log((2 * m * n) / delta));
    const R = 0.5 * Math.log1p(lambda / (4 * n * Math.exp(2 * B)));
    return Math.log(16 * n * r0Sq) + 2 * (B + R) - 2 * Math.log(lambda * R);
  };
  assert.ok(direct(c.m) <= Math.log(c.m) + 1e-12);
  assert.ok(direct(c.m * (1 - 1e-9)) > Math.log(c.m * (1 - 1e-9)));
  assert.equal(conditionC(c.m, n, lambda, delta, r0Sq).holds, true);
  assert.ok(Math.abs(widthFromC(n, c.B, c.rStar, r0Sq, lambda) / c.m - 1) < 1e-6);
  // C needs far more width than B here (docs/theory.md §4: order n⁴/λ⁴ against n²/λ²)
  assert.ok(c.m > solveWidthB(n, lambda, delta).m);
});

test('B high-probability bound against the simulated (1 − δ)-quantile of max |⟨w_r, x_i⟩|', () => {
  const n = 10;
  const d = 5;
  const m = 200;
  const delta = 0.1;
  const rng = new Rng(77, 'test-b');
  const X = new Float64Array(n * d);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let t = 0; t < d; t++) s += (X[i * d + t] = rng.normal()) ** 2;
    for (let t = 0; t < d; t++) X[i * d + t] /= Math.sqrt(s);
  }
  const trials = 400;
  const maxima: number[] = [];
  const w = new Float64Array(d);
  for (let k = 0; k < trials; k++) {
    let b = 0;
    for (let r = 0; r < m; r++) {
      rng.fillNormal(w);
      for (let i = 0; i < n; i++) {
        let z = 0;
        for (let t = 0; t < d; t++) z += w[t] * X[i * d + t];
        b = Math.max(b, Math.abs(z));
      }
    }
    maxima.push(b);
  }
  maxima.sort((x, y) => x - y);
  const q = maxima[Math.floor((1 - delta) * trials)];
  const bound = bHighProb(m, n, delta);
  assert.ok(q <= bound, `quantile ${q} vs bound ${bound}`);
  // loose but not absurd: the union bound over mn Gaussians is within ~40% of the truth here
  assert.ok(bound < 1.4 * q, `bound ${bound} too loose against ${q}`);
});

test('§4 identities: stability at R* is λ/4; concentration at the B-width is λ/4; T steps reach ε', () => {
  const n = 12;
  const lambda = 0.4;
  const B = 2.3;
  const rs = rStar(lambda, n, B);
  assert.ok(Math.abs(stabilityBound(n, B, rs) / (lambda / 4) - 1) < 1e-12);
  const delta = 0.05;
  const mB = widthFromB(n, B, lambda, delta);
  assert.ok(Math.abs(concentrationBound(n, B, mB, delta) / (lambda / 4) - 1) < 1e-12);
  const eta = etaFromD(lambda, n, B, rs);
  assert.ok(Math.abs(eta - lambda / (4 * n * n * Math.exp(4 * (B + rs)))) < 1e-30);
  // T is the first k with (1 − ηλ/2)^k ‖r(0)‖² ≤ ε² (up to the ln(1−x) ≤ −x slack of the formula)
  const r0Sq = 50;
  const eps = 0.05;
  const etaBig = 0.3; // a step large enough to count
  const T = stepsFromD(r0Sq, eps, etaBig, lambda);
  const f = contractionFactor(etaBig, lambda);
  assert.ok(f ** T * r0Sq <= eps * eps);
  assert.ok(Math.exp(-((etaBig * lambda) / 2) * (T - 1)) * r0Sq > eps * eps);
  assert.equal(stepsFromD(1e-4, 0.05, etaBig, lambda), 0);
  assert.match(PAPER_WIDTH_ORDER, /n\^\{2\+o\(1\)\}/);
});

test('aPrioriBounds: B source, and no guessed values when inputs are missing', async () => {
  const { aPrioriBounds } = await import('../../src/theory/apriori.js');
  const base = { n: 20, lambda: 0.3, delta: 0.1, eps: 0.05, r0Sq: 20 * 8.4 };
  const none = aPrioriBounds(base);
  assert.equal(none.bSource, 'none');
  assert.ok(Number.isNaN(none.widthFromB) && Number.isNaN(none.eta) && Number.isNaN(none.steps));
  assert.ok(none.implicitWidthB.m > 1 && none.implicitWidthC.m > none.implicitWidthB.m);
  const hp = aPrioriBounds({ ...base, m: 4096 });
  assert.equal(hp.bSource, 'high-probability');
  assert.equal(hp.B, Math.sqrt(2 * Math.log((2 * 4096 * 20) / 0.1)));
  const obs = aPrioriBounds({ ...base, m: 4096, observedB: 3.1 });
  assert.equal(obs.bSource, 'observed');
  assert.equal(obs.B, 3.1);
  // a smaller B can only make the width conditions weaker and the step larger
  assert.ok(obs.widthFromB < hp.widthFromB && obs.widthFromC < hp.widthFromC && obs.eta > hp.eta && obs.steps < hp.steps);
});
