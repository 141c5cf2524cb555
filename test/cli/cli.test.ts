/**
 * The CLI run as a user runs it: spawned processes of the built `dist/cli/main.js` (npm test builds first).
 */
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parseNpy } from '../../src/data/npy.js';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-cli-'));

function hasNumpy(): boolean {
  return spawnSync('python3', ['-c', 'import numpy']).status === 0;
}

function run(...args: string[]) {
  const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf-8', cwd: dir, env: { ...process.env } });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
}
const file = (name: string, text: string | Uint8Array): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};
const FAST = ['--n', '16', '--d', '4', '--width', '256'];

test('overparam train with no arguments trains the default and states its conventions', () => {
  const r = run('train');
  assert.equal(r.code, 0, r.stderr);
  for (const s of ['converged', 'n = 64, d = 8', 'width m = 4096, seed 0', 'exp', 'ntk (κ = 1/√m)', 'unit', 'float64', 'η = ', 'λ_max', 'ε = 0.01', 'steps']) {
    assert.ok(r.stdout.includes(s), `summary lacks '${s}':\n${r.stdout}`);
  }
  const residual = Number(/‖F\(W,X\) − y‖₂ = ([0-9.e-]+) \(from/.exec(r.stdout)?.[1]);
  assert.ok(residual <= 0.01);
});

test('--json prints one result object with conventions; --log writes the history', () => {
  const log = join(dir, 'hist.csv');
  const r = run('train', ...FAST, '--activation', 'relu', '--json', '--log', log);
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.equal(j.command, 'train');
  assert.equal(j.status, 'converged');
  assert.ok(j.residual <= 0.01 && j.steps > 0 && j.initialResidual > j.residual);
  assert.equal(j.conventions.activation, 'relu');
  assert.equal(j.conventions.width, 256);
  assert.equal(j.conventions.precision, 'f64');
  assert.equal(j.eta.mode, 'auto');
  assert.ok(j.eta.lambdaMax > 0 && Math.abs(j.eta.eta * j.eta.lambdaMax - 1) < 1e-12);
  assert.equal(typeof j.flipFraction, 'number');
  const lines = readFileSync(log, 'utf-8').trim().split('\n');
  assert.equal(lines[0], 'step,residual,movement,flip_fraction,linearised,envelope,lambda_min,kernel_drift,lambda_max,relative_drift,movement_median,movement_frobenius', 'the first line is the header');
  assert.equal(lines.length, 1 + j.steps + 1);
  assert.equal(Number(lines.at(-1)!.split(',')[1]), j.residual);
  const side = JSON.parse(readFileSync(`${log}.conventions.json`, 'utf-8'));
  assert.deepEqual(side.conventions, j.conventions);
  if (hasNumpy()) {
    // as numpy and pandas are usually called
    const py = "import numpy as np, sys; a = np.genfromtxt(sys.argv[1], delimiter=',', names=True); print(len(a), a.dtype.names[1], a['residual'][-1])";
    const out = spawnSync('python3', ['-c', py, log], { encoding: 'utf-8' });
    assert.equal(out.status, 0, out.stderr);
    const [count, name, last] = out.stdout.trim().split(' ');
    assert.equal(Number(count), j.steps + 1);
    assert.equal(name, 'residual');
    assert.equal(Number(last), j.residual);
  }
  const jl = join(dir, 'hist.jsonl');
  assert.equal(run('train', ...FAST, '--log', jl).code, 0);
  const rows = readFileSync(jl, 'utf-8').trim().split('\n').map((l) => JSON.parse(l));
  assert.deepEqual(Object.keys(rows[0]).slice(0, 3), ['step', 'residual', 'movement']);
  assert.equal(rows.at(-1).step, rows.length - 1);
});

test('save → predict reproduces the training outputs exactly; weights export as .npy', () => {
  const data = join(dir, 'train.csv');
  assert.equal(run('data', '--n', '30', '--d', '3', '--label-kind', 'teacher', '--out', data).code, 0);
  const model = join(dir, 'model.json');
  const npy = join(dir, 'npy');
  const t = run('train', '--data', data, '--width', '128', '--normalize', 'max', '--max-steps', '40', '--save', model, '--export-npy', npy, '--json');
  assert.ok(t.code === 0 || t.code === 1, t.stderr);
  const tj = JSON.parse(t.stdout);
  const p = run('predict', '--model', model, '--data', data, '--json');
  assert.equal(p.code, 0, p.stderr);
  const pj = JSON.parse(p.stdout);
  const u = parseNpy(readFileSync(join(npy, 'u.npy')), 'u').data;
  assert.deepEqual(pj.predictions, Array.from(u));
  assert.equal(pj.residual, tj.residual);
  const W = parseNpy(readFileSync(join(npy, 'W.npy')), 'W');
  assert.deepEqual(W.shape, [3, 128]);
  const out = join(dir, 'pred.npy');
  assert.equal(run('predict', '--model', model, '--data', data, '--out', out).code, 0);
  assert.deepEqual(Array.from(parseNpy(readFileSync(out), 'pred').data), Array.from(u));
  // label-less inputs predict too
  const rows = readFileSync(data, 'utf-8').trim().split('\n').map((l) => l.split(',').slice(0, 3).join(','));
  const p2 = run('predict', '--model', model, '--data', file('nolabel.csv', rows.join('\n') + '\n'), '--json');
  assert.equal(p2.code, 0, p2.stderr);
  assert.deepEqual(JSON.parse(p2.stdout).predictions, Array.from(u));
});

test('overparam data writes the same set train draws (csv/npy/npz)', () => {
  for (const ext of ['csv', 'npy', 'npz']) {
    const out = join(dir, `set.${ext}`);
    const r = run('data', '--out', out, '--n', '10', '--d', '2', '--json');
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).out, out);
    const a = JSON.parse(run('train', '--data', out, '--width', '32', '--max-steps', '3', '--json').stdout);
    const b = JSON.parse(run('train', '--n', '10', '--d', '2', '--width', '32', '--max-steps', '3', '--json').stdout);
    assert.equal(a.residual, b.residual, ext);
  }
});

test('every bad input gives one error line and its exit code, never a stack trace', () => {
  const good = file('good.csv', 'a,b,y\n0.1,0.2,1\n0.3,0.1,2\n0.2,0.2,0\n');
  mkdirSync(join(dir, 'adir'), { recursive: true });
  const model = join(dir, 'm3.json');
  assert.ok([0, 1].includes(run('train', '--data', good, '--width', '8', '--max-steps', '1', '--save', model).code!));
  const cases: [string[], number, RegExp][] = [
    [['train', '--data', join(dir, 'nope.csv')], 3, /no such file/],
    [['train', '--data', join(dir, 'adir')], 3, /unknown data format|directory/],
    [['train', '--data', file('dir.csv', '')], 3, /empty file/],
    [['train', '--data', file('q.csv', 'a,y\n"1,2\n')], 3, /malformed CSV/],
    [['train', '--data', file('rag.csv', 'a,b,y\n1,2,3\n4,5\n')], 3, /ragged/],
    [['train', '--data', file('nn.csv', 'a,y\n1,2\nx,3\n')], 3, /not a decimal number/],
    [['train', '--data', file('nan.csv', 'a,y\n1,2\nnan,3\n')], 3, /finite/],
    [['train', '--data', file('inf.csv', 'a,y\n1,2\n1,-Infinity\n')], 3, /finite/],
    [['train', '--data', file('norows.csv', 'a,y\n')], 3, /no rows/],
    [['train', '--data', good, '--label-column', 'target'], 3, /label column 'target' not found/],
    [['predict', '--model', model, '--data', file('d3.csv', 'a,b,c,d,y\n1,2,3,4,5\n')], 3, /'c', 'd', 'y' are neither inputs of the model \(a, b\) nor the label/],
    [['predict', '--model', join(dir, 'nomodel.json'), '--data', good], 4, /no such model file/],
    [['predict', '--model', good, '--data', good], 4, /not a model file/],
    [['train', '--init', 'coupled', '--width', '5'], 2, /even width/],
    [['train', '--width', '0'], 2, /--width: '0' is not an integer ≥ 1/],
    [['train', '--width', '-3'], 2, /--width/],
    [['train', '--eta', '0'], 2, /--eta: η must be a positive number/],
    [['train', '--eta', '-1'], 2, /--eta/],
    [['train', '--epsilon', '0'], 2, /--epsilon: ε must be a positive number/],
    [['train', '--epsilon', '1e-400'], 2, /--epsilon: '1e-400' is below the smallest double \(about 5e-324\) and reads as 0/],
    [['train', '--eta', '1e400'], 2, /--eta: '1e400' is beyond the range of a double/],
    [['train', '--activation', 'tanh'], 2, /--activation: unknown activation 'tanh'/],
    [['train', '--scaling', 'mup'], 2, /--scaling: unknown scaling 'mup'/],
    [['train', '--normalize', 'l1'], 2, /--normalize: unknown normalisation 'l1'/],
    [['train', '--frobnicate'], 2, /unknown option/],
    [['train', '--seed', '-1'], 2, /^error: --seed: '-1' is not an integer ≥ 0$/m],
    [['train', '--data', good, '--n', '3', '--label-kind', 'teacher'], 2, /--n, --label-kind describe synthetic data and do not go with --data/],
    [['train', '--threads', '5000'], 2, /--threads: threads must be an integer from 1 to 1024, got 5000/],
    [['train', '--data', file('latin1.csv', Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x2c, 0x79, 0x0a, 0x31, 0x2c, 0x32, 0x0a]))], 3, /latin1\.csv: not UTF-8 text/],
    [['train', '--save', join(dir, 'no', 'such', 'dir', 'm.json'), ...FAST, '--max-steps', '1'], 3, /m\.json: the directory .*no\/such\/dir does not exist/],
    [['train', '--data', file('huge.csv', 'a,b,y\n300,400,1\n1,1,0\n'), '--normalize', 'none'], 3, /overflowed at initialisation.*\(try --normalize unit\)/],
  ];
  for (const [args, code, re] of cases) {
    const r = run(...args);
    assert.equal(r.code, code, `${args.join(' ')} → exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.doesNotMatch(r.stderr, /\n\s+at /, `stack trace for ${args.join(' ')}`);
    assert.equal(r.stdout, '', `stdout for ${args.join(' ')}`);
  }
  assert.ok(!readdirSync(join(dir)).some((f) => f.endsWith('.tmp')), 'a temporary file was left behind');
});

test('a condition the run could not measure is marked – and counted apart, not as failed', () => {
  // no step taken: no contraction ratio ‖r(k+1)‖²/‖r(k)‖² exists
  const r = run('train', '--n', '8', '--d', '3', '--width', '64', '--max-steps', '0', '--threads', '64');
  assert.equal(r.code, 1, r.stderr);
  assert.match(r.stdout, /^ {2}– max_k ‖r\(k\+1\)‖² \/ ‖r\(k\)‖² +— ≤ [0-9.]+ +docs\/theory\.md §4D \(not measured\)$/m);
  assert.match(r.stdout, /→ (\d+ condition\(s\) did not hold on this run .*; )?1 could not be checked\n/);
  assert.doesNotMatch(r.stdout, /NaN/);
  // more threads than cores: said once, and the same run
  assert.match(r.stderr, /warning: 64 threads on \d+ core\(s\): the same bits as with fewer threads, only slower/);
});

test('large norms under --normalize none warn that exp will overflow', () => {
  const big = file('big.csv', 'a,b,y\n3,4,1\n1,1,0\n');
  const r = run('train', '--data', big, '--normalize', 'none', '--width', '16', '--max-steps', '2', '--eta', '1e-4');
  assert.match(r.stderr, /warning: inputs reach ‖x‖₂ = 5\.000 > 1 under --normalize none.*overflow/);
  assert.ok(!existsSync(join(dir, 'never')));
});

test('Ctrl-C stops training after the current step and still prints and saves the result', async () => {
  const model = join(dir, 'interrupted.json');
  const child = spawn(process.execPath, [MAIN, 'train', '--width', '2000', '--epsilon', '1e-300', '--max-steps', '100000000', '--json', '--save', model], { cwd: dir });
  let stdout = '';
  child.stdout.setEncoding('utf-8').on('data', (c: string) => (stdout += c));
  child.stderr.resume();
  await new Promise((r) => setTimeout(r, 2500));
  child.kill('SIGINT');
  const code = await new Promise<number | null>((r) => child.on('close', r));
  assert.equal(code, 1);
  const j = JSON.parse(stdout);
  assert.equal(j.status, 'stopped');
  assert.ok(existsSync(model));
});

test('the README library example runs', () => {
  const p = spawnSync(process.execPath, [fileURLToPath(new URL('../../examples/library.mjs', import.meta.url))], { encoding: 'utf-8' });
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /reached ‖F\(W,X\) − y‖₂ = .* ≤ ε = 0.001/);
});

test('the custom-activation example runs: GELU and tanh from plain functions, on the reference backend', () => {
  const p = spawnSync(process.execPath, [fileURLToPath(new URL('../../examples/custom-activation.mjs', import.meta.url))], { encoding: 'utf-8' });
  assert.equal(p.status, 0, p.stderr);
  assert.match(p.stdout, /H\^gelu\(x_1, x_1\) = 0\.\d+ \(Gauss–Hermite quadrature, 32×32 points\)/);
  assert.match(p.stdout, /gelu: converged, .* \(reference backend\)/);
  assert.match(p.stdout, /tanh: converged/);
});

test('train --json carries the kernel monitor and the certificate of docs/theory.md §4', () => {
  const r = run('train', ...FAST, '--monitor-every', '5', '--json');
  assert.equal(r.code, 0, r.stderr);
  const mon = JSON.parse(r.stdout).monitor;
  assert.equal(mon.every, 5);
  assert.ok(mon.initial.lambda > 0 && mon.thresholds.lambdaHalf === mon.initial.lambda / 2);
  assert.ok(mon.observations.length >= 2);
  assert.ok(mon.certificate.length >= 4 && mon.certificate.every((c: { held: boolean; ref: string }) => typeof c.held === 'boolean' && c.ref.startsWith('docs/theory.md §4')));
  const off = JSON.parse(run('train', ...FAST, '--monitor-every', '0', '--json').stdout);
  assert.equal(off.monitor, null);
});

test('ntk prints λ of the infinite-width kernel and the Monte-Carlo distance beside the §4B bound', () => {
  const r = run('ntk', '--n', '12', '--d', '4', '--width', '200,800', '--seeds', '3', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.ok(j.lambda > 0 && j.lambdaMax > j.lambda && Math.abs(j.condition - j.lambdaMax / j.lambda) < 1e-9);
  assert.equal(j.initDistance.length, 2);
  for (const s of j.initDistance) assert.ok(s.mean > 0 && s.bound > s.max && s.values.length === 3);
  const text = run('ntk', '--activation', 'relu', '--n', '12', '--d', '4');
  assert.match(text.stdout, /H\^∞/);
});

test('bounds prints the a-priori widths, and the paper only as an order', () => {
  const r = run('bounds', '--n', '12', '--d', '4', '--width', '1000', '--json');
  assert.equal(r.code, 0, r.stderr);
  const j = JSON.parse(r.stdout);
  assert.match(j.paperOrder, /n\^\{2\+o\(1\)\}/);
  assert.ok(j.implicitWidthB.m > 1000 && j.rStar > 0 && j.eta > 0 && j.steps > 0);
  assert.equal(run('bounds', '--delta', '2').code, 2);
});

test('on a terminal, the progress bar says what runs before step 0 (η, the monitor)', { skip: spawnSync('script', ['--version']).error ? 'no script(1) to give the CLI a terminal' : false }, () => {
  // script(1) runs the CLI on a pseudo-terminal, where the bar is drawn; its output is the screen
  const cmd = [process.execPath, MAIN, 'train', ...FAST, '--max-steps', '3'].map((a) => `'${a}'`).join(' ');
  const p = spawnSync('script', ['-qec', cmd, '/dev/null'], { encoding: 'utf-8', cwd: dir, env: { ...process.env, TERM: 'xterm' } });
  assert.equal(p.status, 1, p.stdout + p.stderr); // 3 steps do not reach ε: exit 1, result printed
  assert.match(p.stdout, /0% to ε \| computing η = 1\/λ_max\(H\(W\(0\)\)\), then the monitor's H\(W\(0\)\) … \| step 0\/3/);
  assert.match(p.stdout, /step 3\/3/);
  // the bar fits 80 columns: every redrawn line, escape codes and the bar's 12 cells aside
  for (const line of p.stdout.split(/\x1b\[1G|\r?\n/)) {
    const text = line.replace(/\x1b\[[0-9;?]*[A-Za-z]|\x1b[78]/g, '');
    if (text.includes('% to ε') && !text.includes('computing')) assert.ok([...text].length <= 80, `${[...text].length} columns: ${text}`);
  }
});

test('--help teaches: every command lists its options and an example', () => {
  for (const cmd of ['train', 'predict', 'data']) {
    const r = run(cmd, '--help');
    assert.equal(r.code, 0);
    assert.match(r.stdout, /Usage: overparam/);
    assert.match(r.stdout, /Example/);
  }
});
