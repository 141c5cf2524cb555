import assert from 'node:assert/strict';
import { test } from 'node:test';
import { formatSeconds, TimeLeft } from '../../src/cli/progress.js';
import { Rng } from '../../src/random/xoshiro.js';

test('the time left settles: noisy contraction rates and step times give estimates within 2× of each other and of the truth', () => {
  // ‖r‖ contracts by 0.999 a step on average, each step's ratio jittered by ±20% of its distance to 1,
  // each step taking 1 ms ± 50%: the truth at step k is the steps to ε times 1 ms
  const rng = new Rng(3, 'eta');
  const eps = 1e-6;
  const clock = new TimeLeft(eps, 1e9);
  let r = 1;
  let t = 0;
  const estimates: number[] = [];
  const truths: number[] = [];
  for (let k = 0; k < 20_000 && r > eps; k++) {
    const ratio = k === 0 ? Number.NaN : 1 - 0.001 * (1 + 0.2 * (2 * rng.nextDouble() - 1));
    if (k > 0) r *= ratio;
    t += 0.001 * (1 + 0.5 * (2 * rng.nextDouble() - 1));
    const e = clock.observe(k, r, ratio, t);
    if (k >= 500 && k % 100 === 0) {
      estimates.push(e);
      truths.push((Math.log(r / eps) / -Math.log(0.999)) * 0.001);
    }
  }
  assert.ok(estimates.length > 50);
  for (let q = 1; q < estimates.length; q++) assert.ok(estimates[q] <= 2 * estimates[q - 1] + 0.05, `${estimates[q - 1]} → ${estimates[q]}`);
  estimates.forEach((e, q) => assert.ok(Math.abs(e - truths[q]) <= 0.5 * truths[q] + 0.1, `estimate ${e} s, truth ${truths[q]} s`));
  // a budget caps it
  const capped = new TimeLeft(eps, 1000);
  capped.observe(0, 1, Number.NaN, 0);
  assert.ok(capped.observe(900, 0.5, 0.9999, 1) <= 100 * (1 / 900) + 1e-12);
});

test('formatSeconds rounds before it splits: never 60 seconds or 60 minutes in a field', () => {
  const cases: [number, string][] = [[12.4, '12s'], [59.6, '1m00s'], [119.6, '2m00s'], [754, '12m34s'], [3599.6, '1h00m'], [7300, '2h01m']];
  for (const [s, text] of cases) assert.equal(formatSeconds(s), text, `${s} s`);
});
