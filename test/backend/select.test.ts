/** Backend selection: auto, reference, native, and the errors for impossible requests. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createBackend } from '../../src/backend/index.js';
import { loadAddon } from '../../src/backend/native.js';
import { OptionError } from '../../src/errors.js';

const built = 'addon' in loadAddon();

test('createBackend: reference is float64 only', () => {
  assert.equal(createBackend({ name: 'reference' }).name, 'reference');
  assert.throws(() => createBackend({ name: 'reference', precision: 'f32' }), OptionError);
  assert.throws(() => createBackend({ threads: 0 }), OptionError);
});

test('createBackend: auto picks native when built, silently', { skip: built ? false : 'native addon not built' }, () => {
  const notices: string[] = [];
  const b = createBackend({ onNotice: (m) => notices.push(m) });
  assert.match(b.name, /^native-(avx512|avx2|scalar)$/);
  assert.equal(b.precision, 'f64');
  assert.deepEqual(notices, []);
  const f = createBackend({ name: 'native', precision: 'f32', threads: 3 });
  assert.equal(f.precision, 'f32');
  assert.equal(f.threads, 3);
});

test('createBackend: without the addon, auto falls back with one notice and native is an OptionError', {
  skip: built ? 'native addon is built here' : false,
}, () => {
  const notices: string[] = [];
  const b = createBackend({ onNotice: (m) => notices.push(m) });
  assert.equal(b.name, 'reference');
  assert.equal(notices.length, 1);
  assert.throws(() => createBackend({ name: 'native' }), OptionError);
});
