/**
 * Hostile and broken inputs, as a user (or an attacker) hands them to the CLI: special files,
 * zip bombs, oversized files, over- and underflowing rows, non-finite models, lax headers, CSV
 * columns in another order, runs larger than memory. Each gets one line, the right exit code,
 * and no hang, no stack trace, no silent NaN.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { closeSync, existsSync, ftruncateSync, mkdtempSync, openSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { zipSync } from 'fflate';
import { formatNpy, parseNpy } from '../../src/data/npy.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-hostile-'));
const run = (...args: string[]) => {
  const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf-8', cwd: dir, timeout: 30_000 });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr, timedOut: p.error !== undefined };
};
const file = (name: string, data: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, data);
  return p;
};
function oneLine(r: ReturnType<typeof run>, code: number, re: RegExp, what: string): void {
  assert.ok(!r.timedOut, `${what}: hung`);
  assert.equal(r.code, code, `${what}: exit ${r.code}\n${r.stderr}`);
  assert.match(r.stderr, re, what);
  assert.doesNotMatch(r.stderr, /\n\s+at |internal error/, `${what}: stack trace or internal error`);
}
const SMALL = ['--width', '16', '--max-steps', '2', '--monitor-every', '0'];

test('--data that is not a regular file is refused at once: /dev/zero, /dev/urandom, a FIFO, a symbolic link to one', () => {
  const fifo = join(dir, 'pipe.csv');
  assert.equal(spawnSync('mkfifo', [fifo]).status, 0);
  const link = join(dir, 'zeros.npy');
  symlinkSync('/dev/zero', link);
  const cases: [string, RegExp][] = [
    ['/dev/zero', /not a regular file \(a device\)/],
    ['/dev/urandom', /not a regular file \(a device\)/],
    [fifo, /not a regular file \(a FIFO\)/],
    [link, /zeros\.npy: not a regular file \(a device\)/],
  ];
  for (const [path, re] of cases) oneLine(run('train', '--data', path, ...SMALL), 3, re, path);
});

test('an .npz that unpacks beyond the memory limit is refused before it is unpacked; an oversized CSV is refused with a pointer to .npy', () => {
  const zeros = formatNpy(new Float64Array(2_000_000), [400_000, 5]); // 16 MB of zeros …
  const bomb = file('bomb.npz', zipSync({ 'X.npy': zeros, 'y.npy': formatNpy(new Float64Array(400_000), [400_000]) }, { level: 9 })); // … in ~30 KB
  assert.ok(readFileSync(bomb).length < 100_000);
  oneLine(run('train', '--data', bomb, '--max-memory', '4M', ...SMALL), 3, /bomb\.npz: its arrays unpack to more than 4\.0 MiB \(X\.npy alone states 15\.3 MiB\); refused before unpacking/, 'zip bomb');
  // a sparse file: 300 MB to stat(), nothing on disk
  const big = join(dir, 'big.csv');
  const fd = openSync(big, 'w');
  ftruncateSync(fd, 300 * 2 ** 20);
  closeSync(fd);
  oneLine(run('train', '--data', big, ...SMALL), 3, /big\.csv: the CSV file \(CSV is parsed as text; save large data sets as \.npy instead, e\.g\. numpy\.save\) is 300\.0 MiB, more than the 256\.0 MiB allowed/, 'big CSV');
});

test('a run larger than memory is refused before anything is allocated, saying how much it needs', () => {
  oneLine(run('train', '--n', '1', '--d', '10000000', '--width', '16', '--max-memory', '1G'), 2, /^error: --max-memory: this run needs about \d+\.\d GiB \(mostly the native kernels' scratch \(d = 10000000\): \d+\.\d GiB; W, W\(0\) and the native run's copies .*\(try lower --d, or raise --max-memory\)\n/, 'm·d huge'); // 15.7 GiB on 2 cores: the scratch is per thread
  oneLine(run('train', '--width', '100000000', '--max-memory', '2G'), 2, /this run needs about \d+\.\d GiB/, 'm = 1e8');
  oneLine(run('train', '--width', '1000000000'), 2, /--width: n·m = 64000000000 is beyond what one run can hold/, 'm = 1e9');
  oneLine(run('train', '--max-memory', 'lots'), 2, /--max-memory must be a size such as 8G/, 'bad size');
  // ntk holds n×n kernels and the widest W(0): refused up front too, with what to lower
  oneLine(run('ntk', '--n', '100000', '--width', '10', '--max-memory', '8G'), 2, /^error: --max-memory: this run needs about 596\.1 GiB \(mostly the kernel's n×n matrices \(n = 100000\).*\(try lower --n, or raise --max-memory\)\n/, 'ntk n = 1e5');
  oneLine(run('ntk', '--width', '1000000000', '--seeds', '1', '--max-memory', '8G'), 2, /this run needs about .* GiB \(mostly W, W\(0\) and a copy .*\(try lower --width/, 'ntk m = 1e9');
  // the same limit for a run of a sweep: the run fails with the reason, the sweep goes on
  const s = run('sweep', '--n', '1', '--d', '10000000', '--width', '16', '--seeds', '1', '--max-memory', '1G', '--results', join(dir, 'big.jsonl'), '--json');
  assert.equal(s.code, 1, s.stderr);
  const line = JSON.parse(readFileSync(join(dir, 'big.jsonl'), 'utf-8').trim());
  assert.equal(line.status, 'error');
  assert.match(line.message, /this run needs about \d+\.\d GiB \(mostly the native kernels' scratch/); // 14.5 GiB on 2 cores: no kernel monitor in a sweep by default
});

test('rows of 1e200 or 1e-200 are normalised exactly (scaled before squaring), a zero row is named with its file', () => {
  const rows = file('extreme.csv', 'a,b,y\n1e200,0,1\n0,1e-200,-1\n3e199,4e199,0.5\n');
  const r = run('train', '--data', rows, '--width', '64', '--max-steps', '0', '--json', '--export-npy', join(dir, 'extreme'));
  assert.ok(r.code === 1, r.stderr);
  const X = parseNpy(readFileSync(join(dir, 'extreme', 'X.npy')), 'X').data;
  assert.deepEqual(Array.from(X.subarray(0, 4)), [1, 0, 0, 1]);
  assert.ok(Math.abs(X[4] - 0.6) <= 1e-16 && Math.abs(X[5] - 0.8) <= 2e-16, `(3e199, 4e199) → (${X[4]}, ${X[5]})`);
  oneLine(run('train', '--data', file('zero.csv', 'a,b,y\n1,2,1\n0,0,2\n'), ...SMALL), 3, /zero\.csv: row 2 has zero norm and cannot be normalised to unit norm \(try --normalize max, or --normalize none\)/, 'zero row');
});

test('a model file with NaN or Inf weights, or a bad normalisation, is refused on load; a non-finite prediction names its row', () => {
  const model = join(dir, 'm.json');
  const data = file('small.csv', 'a,b,y\n0.1,0.2,1\n0.3,0.1,2\n');
  assert.ok([0, 1].includes(run('train', '--data', data, '--width', '8', '--max-steps', '1', '--save', model).code!));
  const doc = JSON.parse(readFileSync(model, 'utf-8'));
  const bytes = (v: number[]) => Buffer.from(new Float64Array(v).buffer).toString('base64');
  const bad: [string, (d: typeof doc) => void, RegExp][] = [
    ['nan-W.json', (d) => (d.arrays.W.data = bytes([NaN, ...new Array(15).fill(0)])), /array 'W' holds NaN at entry 0/],
    ['inf-a.json', (d) => (d.arrays.a.data = bytes([Infinity, 1, 1, 1, -1, -1, -1, 1])), /array 'a' holds Infinity at entry 0/],
    ['scale-inf.json', (d) => (d.normalization = { kind: 'max', scale: 1e400 }), /the scale of 'max' must be a positive finite number, got null/],
    ['scale-text.json', (d) => (d.normalization = { kind: 'max', scale: '5' }), /the scale of 'max' must be a positive finite number, got "5"/],
  ];
  for (const [name, change, re] of bad) {
    const d = JSON.parse(JSON.stringify(doc));
    change(d);
    // 1e400 in JSON text reads back as Infinity
    const text = JSON.stringify(d).replace('"scale":null', '"scale":1e400');
    oneLine(run('predict', '--model', file(name, text), '--data', data), 4, re, name);
  }
  // a valid model without normalisation, given inputs of norm 1000: F overflows, and predict says where
  const raw = join(dir, 'raw.json');
  assert.ok([0, 1].includes(run('train', '--data', data, '--normalize', 'none', '--width', '8', '--max-steps', '1', '--save', raw).code!));
  oneLine(run('predict', '--model', raw, '--data', file('far.csv', 'a,b\n0.1,0.2\n600,800\n')), 3, /far\.csv: row 2: F\(W, x\) = (Infinity|-Infinity|NaN) \(‖x‖ = 1000 after the model's normalisation/, 'overflow');
});

test('lax headers and cells are refused: .npy shape (6.9, 3), a header length beyond the file, hex and other non-decimal CSV cells', () => {
  const npy = (header: string, data: Uint8Array, major = 1): Uint8Array => {
    const h = new TextEncoder().encode(header);
    const pre = major === 1 ? 10 : 12;
    const out = new Uint8Array(pre + h.length + data.length);
    out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, major, 0]);
    const v = new DataView(out.buffer);
    if (major === 1) v.setUint16(8, h.length, true);
    else v.setUint32(8, h.length, true);
    out.set(h, pre);
    out.set(data, pre + h.length);
    return out;
  };
  const values = new Uint8Array(new Float64Array(18).buffer);
  oneLine(run('train', '--data', file('frac.npy', npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6.9, 3), }\n", values)), ...SMALL), 3, /malformed shape \(6\.9, 3\): each dimension must be a non-negative integer/, 'fractional shape');
  const huge = npy("{'descr': '<f8', 'fortran_order': False, 'shape': (6, 3), }\n", values, 2);
  new DataView(huge.buffer).setUint32(8, 0xfffffff0, true);
  oneLine(run('train', '--data', file('hdr.npy', huge), ...SMALL), 3, /hdr\.npy: malformed \.npy header: its length field says 4294967280 bytes, but the file has only \d+ after it/, 'header length');
  for (const cell of ['0x10', '0b1', '1_000', '1e', '--1', '  ']) {
    oneLine(run('train', '--data', file('cells.csv', `a,y\n1,2\n${cell},3\n`), ...SMALL), 3, /cells\.csv: row 3, column 'a'/, `cell '${cell}'`);
  }
});

test('predict matches CSV columns by the names stored in the model, refuses a mismatch, and says when it goes by position', () => {
  const train = file('named.csv', 'alpha,beta,gamma,target\n0.1,0.2,0.3,1\n0.3,0.1,0.2,2\n0.2,0.3,0.1,0\n');
  const model = join(dir, 'named.json');
  assert.ok([0, 1].includes(run('train', '--data', train, '--label-column', 'target', '--width', '32', '--max-steps', '3', '--save', model).code!));
  assert.deepEqual(JSON.parse(readFileSync(model, 'utf-8')).inputNames, ['alpha', 'beta', 'gamma']);
  const ref = JSON.parse(run('predict', '--model', model, '--data', train, '--label-column', 'target', '--json').stdout).predictions;
  // the same points, columns shuffled: the same predictions, with a note
  const shuffled = file('shuffled.csv', 'target,gamma,alpha,beta\n1,0.3,0.1,0.2\n2,0.2,0.3,0.1\n0,0.1,0.2,0.3\n');
  const p = run('predict', '--model', model, '--data', shuffled, '--json');
  assert.equal(p.code, 0, p.stderr);
  assert.deepEqual(JSON.parse(p.stdout).predictions, ref);
  assert.match(p.stderr, /matched to the model's inputs by name/);
  const noLabels = run('predict', '--model', model, '--data', file('nolabel.csv', 'beta,alpha,gamma\n0.2,0.1,0.3\n0.1,0.3,0.2\n0.3,0.2,0.1\n'), '--json');
  assert.deepEqual(JSON.parse(noLabels.stdout).predictions, ref);
  oneLine(run('predict', '--model', model, '--data', file('renamed.csv', 'a,b,c\n1,2,3\n')), 3, /the model's input column\(s\) 'alpha', 'beta', 'gamma' are not in this file \(its columns: a, b, c/, 'renamed');
  oneLine(run('predict', '--model', model, '--data', file('extra.csv', 'alpha,beta,gamma,delta,y\n1,2,3,4,5\n')), 3, /column\(s\) 'delta', 'y' are neither inputs of the model/, 'extra columns');
  // .npy inputs carry no names: by position, and said so
  const npy = file('inputs.npy', formatNpy(new Float64Array([0.1, 0.2, 0.3, 0.3, 0.1, 0.2, 0.2, 0.3, 0.1]), [3, 3]));
  const q = run('predict', '--model', model, '--data', npy, '--json');
  assert.deepEqual(JSON.parse(q.stdout).predictions, ref);
  assert.match(q.stderr, /an array has no column names; its columns are taken in the order of the model's inputs \(alpha, beta, gamma\)/);
});

test('an .npy without --labels: the CLI says its last column became the labels', () => {
  const npy = file('xy.npy', formatNpy(new Float64Array([0.1, 0.2, 1, 0.3, 0.1, 2, 0.2, 0.2, 0]), [3, 3]));
  const r = run('train', '--data', npy, ...SMALL);
  assert.ok([0, 1].includes(r.code!), r.stderr);
  assert.match(r.stderr, /warning: .*xy\.npy: its last column was taken as the labels, the first 2 as the inputs/);
  assert.ok(!existsSync(join(dir, '.tmp')));
});

test('inputs too large for the kernel, and labels too large for the loss, are data errors that say so (exit 3)', () => {
  const big = file('norm30.csv', 'a,b,y\n30,0,1\n0,30,2\n10,10,0\n');
  for (const cmd of [['train', '--width', '16'], ['ntk'], ['bounds']]) {
    oneLine(run(...cmd, '--data', big, '--normalize', 'none'), 3, /--normalize: the infinite-width kernel H\^cts is Infinity at entry \(1, 1\) \(‖x_1‖ = 30\.00\): the inputs are too large for it.*\(try --normalize unit\)/, cmd[0]);
  }
  oneLine(run('train', '--data', file('labels.csv', 'a,b,y\n0.3,0.1,1e300\n0.1,0.2,2\n'), ...SMALL), 3, /labels\.csv: the labels are too large for the squared loss: ‖y‖² overflows \(\|y_1\| = 1\.00e\+300\)/, 'labels');
});

test('repeated inputs (and x, −x for cosh and sinh) are named once with the rows, the residual they leave, and no negative thresholds', () => {
  const dup = file('dup.csv', 'a,b,y\n1,0,1\n0,1,2\n2,0,3\n0.5,0.5,0\n'); // rows 1 and 3 coincide after unit normalisation
  const t = run('train', '--data', dup, '--width', '64', '--max-steps', '100', '--monitor-every', '20');
  assert.equal(t.code, 1, t.stderr);
  assert.equal(t.stderr.match(/warning:/g)?.length, 1, t.stderr);
  assert.match(t.stderr, /dup\.csv: rows 1 and 3 coincide after normalisation: the limit kernel is singular \(λ = 0\).*‖F\(W,X\) − y‖₂ ≥ 1\.41, so ε = 0\.01 cannot be reached/);
  assert.match(t.stdout, /no threshold: λ = 0/);
  assert.match(t.stdout, /note: λ = λ_min\(H\^lim\) is 0 to rounding: the limit kernel is singular/);
  assert.doesNotMatch(t.stdout, /[≤≥] -\d/, 'no negative threshold');
  oneLine(run('bounds', '--data', dup), 3, /λ_min\(H\^cts\) is 0 to rounding .*, and every bound of docs\/theory\.md §4 divides by λ\. .*dup\.csv: rows 1 and 3 coincide/, 'bounds');
  // x and 2x coincide after normalisation; λ_min comes out as a positive rounding error here
  const scaled = file('scaled.csv', 'a,b,y\n1,2,1\n2,4,0\n3,1,1\n-1,1,0\n');
  oneLine(run('bounds', '--data', scaled), 3, /λ_min\(H\^cts\) is 0 to rounding/, 'bounds, positive rounding');
  assert.match(run('train', '--data', scaled, '--width', '64', '--max-steps', '20', '--monitor-every', '10').stdout, /no threshold: λ = 0/);
  // three coinciding rows, labels 0, 0, 1: the floor is √(2/3) (one value for all three), and GD gets there
  const tri = file('tri.csv', 'a,b,y\n1,0,0\n1,0,0\n1,0,1\n0,1,0\n');
  const g = run('train', '--data', tri, '--width', '64', '--epsilon', '0.8', '--max-steps', '3000', '--monitor-every', '0', '--json');
  assert.match(g.stderr, /keep ‖F\(W,X\) − y‖₂ ≥ 0\.816, so ε = 0\.8 cannot be reached/);
  const reached = (JSON.parse(g.stdout) as { residual: number }).residual;
  assert.ok(reached >= Math.sqrt(2 / 3) - 1e-12 && reached < Math.sqrt(2 / 3) + 1e-3, `GD ends at ${reached}, the floor is ${Math.sqrt(2 / 3)}`);
  const anti = file('anti.csv', 'a,b,y\n1,0,1\n0,1,2\n-1,0,3\n0.5,0.5,0\n');
  assert.match(run('train', '--data', anti, '--activation', 'cosh', ...SMALL).stderr, /rows 1 and 3 \(x and −x\) coincide/);
  assert.doesNotMatch(run('train', '--data', anti, '--activation', 'exp', ...SMALL).stderr, /coincide/, 'x and −x are fine for exp');
});
