import assert from 'node:assert/strict';
import { test } from 'node:test';
import { clopperPearsonInterval, erfc, normalCdf, normalQuantile, wilsonInterval } from '../../src/experiments/binomial.js';
import { logGamma } from '../../src/experiments/stats.js';

const close = (got: number, want: number, tol: number, what: string): void => assert.ok(Math.abs(got - want) <= tol, `${what}: ${got} vs ${want}`);

/** P(X ≥ k) for X ~ Bin(s, p), summed term by term in logs (a route independent of the incomplete beta). */
function upperTail(k: number, s: number, p: number): number {
  let sum = 0;
  for (let j = k; j <= s; j++) sum += Math.exp(logGamma(s + 1) - logGamma(j + 1) - logGamma(s - j + 1) + j * Math.log(p) + (s - j) * Math.log1p(-p));
  return sum;
}
const lowerTail = (k: number, s: number, p: number): number => 1 - (k + 1 <= s ? upperTail(k + 1, s, p) : 0); // P(X ≤ k)

test('normal quantile matches reference values to 1e-12, is antisymmetric, and inverts the CDF', () => {
  close(normalQuantile(0.975), 1.959963984540054, 1e-12, 'z_0.975');
  // scipy.stats.norm.ppf
  const ref: [number, number][] = [
    [1e-300, -37.0470962993612],
    [1e-20, -9.262340089798409],
    [1e-10, -6.361340902404056],
    [0.001, -3.090232306167813],
    [0.02425, -1.972961051311885],
    [0.3, -0.5244005127080409],
    [0.5, 0],
    [0.9, 1.2815515655446004],
    [0.999999, 4.753424308817087],
  ];
  for (const [p, z] of ref) close(normalQuantile(p), z, 1e-12 * Math.max(1, Math.abs(z)), `Φ⁻¹(${p})`);
  // not far below 1e-4: rounding 1 − p by ~1e-16 moves the quantile by ~1e-16/φ(z), past 1e-12 in the far tail
  for (const p of [1e-4, 0.01, 0.024, 0.025, 0.2, 0.49, 0.51, 0.8, 0.975, 0.99]) {
    close(normalQuantile(1 - p), -normalQuantile(p), 1e-12, `symmetry at ${p}`);
    close(normalCdf(normalQuantile(p)), p, 1e-15 + 1e-13 * p, `Φ(Φ⁻¹(${p}))`);
  }
  // scipy.special.erfc: the tail keeps its relative precision
  close(erfc(0.5), 0.4795001221869535, 1e-15, 'erfc(0.5)');
  close(erfc(3) / 2.209049699858544e-5, 1, 1e-14, 'erfc(3)');
  close(erfc(10) / 2.088487583762545e-45, 1, 1e-14, 'erfc(10)');
  close(erfc(-1), 1.8427007929497148, 1e-15, 'erfc(−1)');
  for (const p of [0, 1, -0.1, 1.5, NaN]) assert.throws(() => normalQuantile(p), RangeError);
});

test('Wilson and Clopper–Pearson intervals agree with published values', () => {
  // Wilson 95% from its closed form in scipy's float64, Clopper–Pearson from scipy.stats.beta.ppf (scipy 1.17)
  const cases: [k: number, s: number, wilson: [number, number], cp: [number, number]][] = [
    [0, 10, [0, 0.2775327998628892], [0, 0.3084971078187607]],
    [1, 10, [0.017876213095072896, 0.4041500267952385], [0.0025285785444617848, 0.4450161170281954]],
    [5, 10, [0.236593090512564, 0.7634069094874361], [0.18708602844739855, 0.8129139715526015]],
    [10, 10, [0.7224672001371107, 1], [0.6915028921812392, 1]],
    [3, 7, [0.15821985525146975, 0.7495416354723428], [0.09898827844250786, 0.8159484323599169]],
    [17, 50, [0.2243694922250009, 0.478461739497674], [0.21205471343538174, 0.48765248772158837]],
    [0, 1, [0, 0.7934506856227626], [0, 0.975]],
    [499, 1000, [0.468073488750724, 0.529934164766247], [0.4675521862537382, 0.5304537166614578]],
  ];
  for (const [k, s, w, cp] of cases) {
    const gw = wilsonInterval(k, s);
    const gc = clopperPearsonInterval(k, s);
    for (let side = 0; side < 2; side++) {
      close(gw[side], w[side], 1e-12, `Wilson ${k}/${s} side ${side}`);
      close(gc[side], cp[side], 1e-11, `Clopper–Pearson ${k}/${s} side ${side}`);
    }
  }
  // the 5-digit values usually quoted
  const r5 = (v: [number, number]): number[] => v.map((x) => Math.round(x * 1e5) / 1e5);
  assert.deepEqual(r5(wilsonInterval(0, 10)), [0, 0.27753]);
  assert.deepEqual(r5(wilsonInterval(5, 10)), [0.23659, 0.76341]);
  assert.deepEqual(r5(wilsonInterval(1, 10)), [0.01788, 0.40415]);
  assert.deepEqual(r5(clopperPearsonInterval(0, 10)), [0, 0.3085]);
  assert.deepEqual(r5(clopperPearsonInterval(5, 10)), [0.18709, 0.81291]);
  assert.deepEqual(r5(clopperPearsonInterval(1, 10)), [0.00253, 0.44502]);
  // other levels (scipy)
  const w99 = wilsonInterval(3, 7, 0.99);
  close(w99[0], 0.11637368051613817, 1e-12, 'Wilson 99% lo');
  close(w99[1], 0.8102850959116124, 1e-12, 'Wilson 99% hi');
  const c99 = clopperPearsonInterval(17, 50, 0.99);
  close(c99[0], 0.17998384448823784, 1e-11, 'CP 99% lo');
  close(c99[1], 0.5312411590174271, 1e-11, 'CP 99% hi');
});

test('Clopper–Pearson bounds put exactly α/2 in each binomial tail (summed directly)', () => {
  for (const level of [0.8, 0.95, 0.99]) {
    const half = (1 - level) / 2;
    for (const s of [1, 2, 5, 10, 37, 200]) {
      for (let k = 0; k <= s; k += Math.max(1, Math.floor(s / 7))) {
        const [lo, hi] = clopperPearsonInterval(k, s, level);
        if (k > 0) close(upperTail(k, s, lo), half, 1e-11, `P(X ≥ ${k} | ${s}, lo) at ${level}`);
        else assert.equal(lo, 0);
        if (k < s) close(lowerTail(k, s, hi), half, 1e-11, `P(X ≤ ${k} | ${s}, hi) at ${level}`);
        else assert.equal(hi, 1);
        assert.ok(lo <= k / s && k / s <= hi);
      }
    }
  }
});

test('intervals are symmetric under k ↔ s − k, nested in the level, and exact at the edges', () => {
  for (const s of [1, 3, 10, 25]) {
    for (let k = 0; k <= s; k++) {
      for (const f of [wilsonInterval, clopperPearsonInterval]) {
        const [lo, hi] = f(k, s);
        const [lo2, hi2] = f(s - k, s);
        close(lo, 1 - hi2, 1e-12, `${f.name} symmetry lo ${k}/${s}`);
        close(hi, 1 - lo2, 1e-12, `${f.name} symmetry hi ${k}/${s}`);
        assert.ok(lo >= 0 && hi <= 1 && lo < hi);
        const [l9, h9] = f(k, s, 0.99);
        assert.ok(l9 <= lo && h9 >= hi, `${f.name} ${k}/${s}: 99% contains 95%`);
      }
    }
    assert.equal(wilsonInterval(0, s)[0], 0);
    assert.equal(wilsonInterval(s, s)[1], 1);
    assert.equal(clopperPearsonInterval(0, s)[0], 0);
    assert.equal(clopperPearsonInterval(s, s)[1], 1);
  }
});

test('interval inputs are validated', () => {
  for (const f of [wilsonInterval, clopperPearsonInterval]) {
    assert.throws(() => f(-1, 10), RangeError);
    assert.throws(() => f(11, 10), RangeError);
    assert.throws(() => f(1.5, 10), RangeError);
    assert.throws(() => f(0, 0), RangeError);
    assert.throws(() => f(1, 2.5), RangeError);
    assert.throws(() => f(1, 10, 0), RangeError);
    assert.throws(() => f(1, 10, 1), RangeError);
    assert.throws(() => f(1, 10, NaN), RangeError);
  }
});
