import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadDataset, loadInputs, saveDataset } from '../../src/data/files.js';
import { formatNpy, parseNpy } from '../../src/data/npy.js';
import { applyNormalization, fitNormalization } from '../../src/data/normalize.js';
import { generateSynthetic } from '../../src/data/synthetic.js';
import { DataError } from '../../src/errors.js';

const dir = mkdtempSync(join(tmpdir(), 'overparam-data-'));
const file = (name: string, text: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function hasNumpy(): boolean {
  try {
    execFileSync('python3', ['-c', 'import numpy'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

test('CSV, .npy and .npz round-trip a data set bit for bit', () => {
  const ds = generateSynthetic({ inputs: 'gaussian', n: 17, d: 3, labels: 'teacher', seed: 4 });
  for (const ext of ['csv', 'npy', 'npz']) {
    const p = join(dir, `rt.${ext}`);
    saveDataset(ds, p);
    const back = loadDataset(p);
    assert.equal(back.n, 17);
    assert.equal(back.d, 3);
    assert.deepEqual(back.X, ds.X, ext);
    assert.deepEqual(back.y, ds.y, ext);
  }
});

test('.npy files written by numpy are read exactly (float32, big-endian, Fortran order, int)', (t) => {
  if (!hasNumpy()) {
    t.skip('python3 with numpy not available');
    return;
  }
  const script = `
import numpy as np
rng = np.random.default_rng(0)
A = rng.standard_normal((5, 4))
np.save(r'${dir}/c.npy', A)
np.save(r'${dir}/f.npy', np.asfortranarray(A))
np.save(r'${dir}/be.npy', A.astype('>f8'))
np.save(r'${dir}/f4.npy', A.astype('<f4'))
np.save(r'${dir}/i8.npy', np.arange(20).reshape(5, 4))
np.savez(r'${dir}/xy.npz', X=A[:, :3], y=A[:, 3])
np.savez_compressed(r'${dir}/xyc.npz', X=A[:, :3], y=A[:, 3])
print(' '.join(repr(float(v)) for v in A.ravel()))
print(' '.join(repr(float(v)) for v in A.astype('<f4').ravel()))
`;
  const out = execFileSync('python3', ['-c', script], { encoding: 'utf-8' }).trim().split('\n');
  const A = out[0].split(' ').map(Number);
  const A4 = out[1].split(' ').map(Number);
  for (const name of ['c', 'f', 'be']) assert.deepEqual(Array.from(parseNpy(readFileSync(join(dir, `${name}.npy`)), name).data), A, name);
  assert.deepEqual(Array.from(parseNpy(readFileSync(join(dir, 'f4.npy')), 'f4').data), A4);
  assert.deepEqual(Array.from(parseNpy(readFileSync(join(dir, 'i8.npy')), 'i8').data), Array.from({ length: 20 }, (_, k) => k));
  for (const name of ['xy.npz', 'xyc.npz']) {
    const ds = loadDataset(join(dir, name));
    assert.deepEqual(Array.from(ds.y), [3, 7, 11, 15, 19].map((k) => A[k]));
  }
  // and numpy reads ours
  writeFileSync(join(dir, 'ours.npy'), formatNpy(Float64Array.from(A), [5, 4]));
  const check = execFileSync('python3', ['-c', `import numpy as np; B = np.load(r'${dir}/ours.npy'); print(B.shape, ' '.join(repr(float(v)) for v in B.ravel()))`], { encoding: 'utf-8' });
  assert.equal(check.trim(), `(5, 4) ${out[0]}`);
});

test('CSV: label column by name, default last, and every malformed input named', () => {
  const ok = file('ok.csv', 'a,target,b\n1,10,2\n3,30,4\n');
  const ds = loadDataset(ok, { labelColumn: 'target' });
  assert.deepEqual(Array.from(ds.X), [1, 2, 3, 4]);
  assert.deepEqual(Array.from(ds.y), [10, 30]);
  assert.deepEqual(Array.from(loadDataset(ok).y), [2, 4]);
  const bad: [string, string, RegExp][] = [
    ['ragged.csv', 'a,b,y\n1,2,3\n4,5\n', /ragged rows: line 3 has 2 field\(s\), the header has 3$/],
    ['ragged-blank.csv', 'a,b,y\n\n1,2,3\n\n4,5,6,7\n', /line 5 has 4 field\(s\), the header has 3$/],
    ['trailing.csv', 'a,b,y\n1,2,3,\n', /line 2 has 4 field\(s\), the header has 3 \(a trailing comma\?\)/],
    ['nonnum.csv', 'a,y\n1,2\nfoo,3\n', /row 3, column 'a': 'foo' is not a decimal number/],
    ['nan.csv', 'a,y\n1,2\nNaN,3\n', /must be finite/],
    ['inf.csv', 'a,y\n1,inf\n', /must be finite/],
    ['empty.csv', '', /empty file/],
    ['header.csv', 'a,y\n', /no rows/],
    ['noheader.csv', '1,2\n3,4\n', /header/],
    ['blank.csv', 'a,y\n1,\n', /is empty/],
    ['quote.csv', 'a,y\n"1,2\n', /malformed CSV/],
  ];
  for (const [name, text, re] of bad) assert.throws(() => loadDataset(file(name, text)), (e: Error) => e instanceof DataError && re.test(e.message), name);
  // text that is not UTF-8: UTF-16 (with and without its byte-order mark), Latin-1, binary
  const utf16 = (t: string, bom: boolean): Uint8Array => Uint8Array.from([...(bom ? [0xff, 0xfe] : []), ...[...t].flatMap((ch) => [ch.charCodeAt(0), 0])]);
  const encodings: [string, Uint8Array, RegExp][] = [
    ['utf16-bom.csv', utf16('a,y\n1,2\n', true), /not UTF-8 text/],
    ['utf16.csv', utf16('a,y\n1,2\n', false), /contains NUL bytes/],
    ['latin1.csv', Uint8Array.from([...Buffer.from('caf'), 0xe9, ...Buffer.from(',y\n1,2\n')]), /not UTF-8 text/],
  ];
  for (const [name, bytes, re] of encodings) assert.throws(() => loadDataset(file(name, bytes)), (e: Error) => e instanceof DataError && re.test(e.message), name);
  // a UTF-8 byte-order mark and CRLF line ends are plain CSV
  assert.deepEqual(Array.from(loadDataset(file('bom.csv', '\ufeffa,y\r\n1,2\r\n3,4\r\n')).y), [2, 4]);
  assert.throws(() => loadDataset(ok, { labelColumn: 'nope' }), /label column 'nope' not found/);
  assert.throws(() => loadDataset(join(dir, 'missing.csv')), /no such file/);
  assert.throws(() => loadDataset(file('x.txt', 'a')), /unknown data format/);
  assert.throws(() => loadDataset(file('bad.npy', 'not numpy')), /not a .npy file/);
});

test('loadInputs takes label-less tables for prediction', () => {
  const p = file('inputs.csv', 'a,b\n1,2\n3,4\n');
  const r = loadInputs(p, 2);
  assert.deepEqual(Array.from(r.X), [1, 2, 3, 4]);
  assert.equal(r.y, undefined);
  assert.throws(() => loadInputs(p, 3), /inputs\.csv: 2 column\(s\), but the model takes d = 3 inputs: give 3 columns \(inputs only\) or 4 \(inputs, then the label\)/);
  assert.throws(() => loadInputs(file('wide.csv', 'a,b,c,d,e\n1,2,3,4,5\n'), 3), /5 column\(s\), but the model takes d = 3 inputs/);
  assert.equal(loadInputs(file('labelled.csv', 'a,b,c,y\n1,2,3,9\n'), 3).y![0], 9, 'd + 1 columns: the last is the label');
});

test('normalisation: unit rows, max scale, and zero rows refused', () => {
  const X = Float64Array.from([3, 4, 0, 2]);
  const unit = applyNormalization(fitNormalization('unit', X, 2, 2), X, 2, 2);
  assert.deepEqual(Array.from(unit), [0.6, 0.8, 0, 1]);
  const mx = fitNormalization('max', X, 2, 2);
  assert.deepEqual(mx, { kind: 'max', scale: 5 });
  assert.deepEqual(Array.from(applyNormalization(mx, X, 2, 2)), [0.6, 0.8, 0, 0.4]);
  assert.throws(() => applyNormalization({ kind: 'unit' }, Float64Array.from([0, 0]), 1, 2), /zero norm/);
});
