import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runOne } from '../../src/experiments/run.js';
import { runId, validateRunSpec, type RunSpec } from '../../src/experiments/spec.js';

const spec: RunSpec = {
  data: { kind: 'synthetic', inputs: 'sphere', n: 10, d: 3, labels: 'normal', seed: 0 },
  model: { activation: 'exp', scaling: 'ntk', init: 'gaussian', m: 128, seed: 2 },
  normalize: 'unit',
  eta: 'auto',
  epsilon: 0.01,
  maxSteps: 500,
  precision: 'f64',
  monitorEvery: 7,
};

test('a monitored run gives the same result line twice, all but its wall time', () => {
  const a = runOne(spec);
  const b = runOne(spec);
  assert.equal(a.status, 'converged');
  assert.ok(a.monitors && 'ntk' in a.monitors);
  assert.deepEqual({ ...a, timeMs: 0 }, { ...b, timeMs: 0 });
});

test('run ids depend on every field of the spec and on nothing else', () => {
  const id = runId(spec);
  assert.equal(runId(JSON.parse(JSON.stringify(spec)) as RunSpec), id);
  // the same spec with its keys in another order is the same run
  const reordered = Object.fromEntries(Object.entries(spec).reverse()) as unknown as RunSpec;
  assert.equal(runId(reordered), id);
  for (const changed of [{ ...spec, epsilon: 0.02 }, { ...spec, model: { ...spec.model, seed: 3 } }, { ...spec, monitorEvery: 0 }]) assert.notEqual(runId(changed), id);
});

test('untrusted specs are refused with the reason', () => {
  assert.deepEqual(validateRunSpec(JSON.parse(JSON.stringify(spec))), spec);
  const bad: [unknown, RegExp][] = [
    [null, /JSON object/],
    [{ ...spec, extra: 1 }, /unknown field/],
    [{ ...spec, epsilon: -1 }, /ε must be a positive number/],
    [{ ...spec, model: { ...spec.model, m: 0 } }, /width/],
    [{ ...spec, data: { kind: 'web', url: 'x' } }, /data.kind/],
    [{ ...spec, data: { ...spec.data, path: 'x'.repeat(20000) } }, /too large/],
  ];
  for (const [raw, re] of bad) assert.throws(() => validateRunSpec(raw), re);
});
