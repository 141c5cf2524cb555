import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { Rng } from '../../src/random/xoshiro.js';

// The reference C code of xoshiro128** 1.1 (Blackman & Vigna), compiled here and run from the same state.
const REFERENCE_C = `
#include <stdint.h>
#include <stdio.h>
static inline uint32_t rotl(const uint32_t x, int k) { return (x << k) | (x >> (32 - k)); }
static uint32_t s[4] = {0x01234567u, 0x89abcdefu, 0xdeadbeefu, 0x00c0ffeeu};
uint32_t next(void) {
  const uint32_t result = rotl(s[1] * 5, 7) * 9;
  const uint32_t t = s[1] << 9;
  s[2] ^= s[0]; s[3] ^= s[1]; s[1] ^= s[2]; s[0] ^= s[3]; s[2] ^= t; s[3] = rotl(s[3], 11);
  return result;
}
int main(void) { for (int i = 0; i < 1000; i++) printf("%u\\n", next()); return 0; }
`;

test('xoshiro128** matches the reference C implementation for 1000 outputs', (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'xoshiro-'));
  writeFileSync(join(dir, 'ref.c'), REFERENCE_C);
  try {
    execFileSync('cc', ['-O1', '-o', join(dir, 'ref'), join(dir, 'ref.c')]);
  } catch {
    t.skip('no C compiler');
    return;
  }
  const expected = execFileSync(join(dir, 'ref'), { encoding: 'utf-8' }).trim().split('\n').map(Number);
  const rng = Rng.fromState(0x01234567, 0x89abcdef, 0xdeadbeef, 0x00c0ffee);
  const got = expected.map(() => rng.nextUint32());
  assert.deepEqual(got, expected);
});

test('same seed and stream give the same bits; different seeds or streams differ', () => {
  const draw = (seed: number, stream: string) => new Rng(seed, stream).fillNormal(new Float64Array(64));
  assert.deepEqual(draw(7, 'init'), draw(7, 'init'));
  assert.notDeepEqual(draw(7, 'init'), draw(8, 'init'));
  assert.notDeepEqual(draw(7, 'init'), draw(7, 'data'));
});

test('normal draws have mean 0, variance 1, kurtosis 3 within sampling error', () => {
  const N = 200_000;
  const z = new Rng(1, 'moments').fillNormal(new Float64Array(N));
  let m1 = 0;
  let m2 = 0;
  let m4 = 0;
  for (const v of z) {
    m1 += v;
    m2 += v * v;
    m4 += v ** 4;
  }
  m1 /= N;
  m2 /= N;
  m4 /= N;
  // standard errors: mean 1/√N ≈ 0.0022, variance √(2/N) ≈ 0.0032, fourth moment √(96/N) ≈ 0.022
  assert.ok(Math.abs(m1) < 5 * Math.sqrt(1 / N), `mean ${m1}`);
  assert.ok(Math.abs(m2 - 1) < 5 * Math.sqrt(2 / N), `variance ${m2}`);
  assert.ok(Math.abs(m4 - 3) < 5 * Math.sqrt(96 / N), `fourth moment ${m4}`);
  // tail: P(|z| > 3) = 0.0026998
  const tail = z.filter((v) => Math.abs(v) > 3).length / N;
  assert.ok(Math.abs(tail - 0.0026998) < 5 * Math.sqrt(0.0027 / N), `tail ${tail}`);
});

test('uniform doubles lie in [0,1) and signs are fair', () => {
  const rng = new Rng(3, 'u');
  let sum = 0;
  let plus = 0;
  const N = 100_000;
  for (let k = 0; k < N; k++) {
    const u = rng.nextDouble();
    assert.ok(u >= 0 && u < 1);
    sum += u;
    if (rng.sign() === 1) plus++;
  }
  assert.ok(Math.abs(sum / N - 0.5) < 5 * Math.sqrt(1 / 12 / N));
  assert.ok(Math.abs(plus / N - 0.5) < 5 * 0.5 / Math.sqrt(N));
});

test('bad seeds are refused', () => {
  assert.throws(() => new Rng(-1), RangeError);
  assert.throws(() => new Rng(1.5), RangeError);
});
