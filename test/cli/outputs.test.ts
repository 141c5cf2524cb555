/**
 * Outputs as a user meets them (spawned CLI): every output path is checked before the work, the
 * errors name the user's path, a set of .npy files is replaced whole or not at all, and a write
 * that fails after training still prints the result.
 */
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { fileURLToPath } from 'node:url';

const MAIN = fileURLToPath(new URL('../../dist/cli/main.js', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'overparam-outputs-'));
const run = (...args: string[]) => {
  const p = spawnSync(process.execPath, [MAIN, ...args], { encoding: 'utf-8', cwd: dir, timeout: 60_000 });
  return { code: p.status, stdout: p.stdout, stderr: p.stderr };
};
// a run that would never end: an output refused afterwards would mean it had trained first
const FOREVER = ['--n', '16', '--d', '4', '--width', '64', '--epsilon', '1e-300', '--max-steps', '1000000000', '--monitor-every', '0'];

test('outputs are checked before training: a bad path fails at once, naming the path the user gave', () => {
  const file = join(dir, 'plain.txt');
  writeFileSync(file, 'x');
  const locked = join(dir, 'locked');
  mkdirSync(locked);
  chmodSync(locked, 0o555);
  mkdirSync(join(dir, 'hist.csv.conventions.json'), { recursive: true }); // --log's sidecar path is taken
  const root = process.getuid?.() === 0; // root writes anywhere: the permission case means nothing then
  const cases: [string[], RegExp][] = [
    [['--save', join(dir, 'no', 'dir', 'm.json')], /m\.json: the directory .*\/no\/dir does not exist/],
    [['--log', join(dir, 'no', 'h.csv')], /h\.csv: the directory .*\/no does not exist/],
    [['--save', dir], /is a directory; give a file name/],
    [['--log', join(dir, 'hist.csv')], /hist\.csv\.conventions\.json: is a directory; give a file name/],
    [['--export-npy', file], /plain\.txt: exists and is not a directory/],
    [['--report', join(file, 'sub')], /plain\.txt\/sub: cannot be written \(a part of the path is not a directory/],
    ...(root ? [] : ([[['--save', join(locked, 'm.json')], /the directory .*locked is not writable/]] as [string[], RegExp][])),
  ];
  for (const [args, re] of cases) {
    const r = run('train', ...FOREVER, ...args);
    assert.equal(r.code, 3, `${args.join(' ')}: exit ${r.code}\n${r.stderr}`);
    assert.match(r.stderr, re, args.join(' '));
    assert.equal(r.stdout, '');
    assert.doesNotMatch(r.stderr, /\.tmp|\n\s+at /, 'no temporary name, no stack trace');
  }
  chmodSync(locked, 0o755);
  assert.equal(run('predict', '--model', 'x.json', '--data', 'y.csv', '--out', join(dir, 'p.txt')).code, 2, 'an unknown --out format is a bad option');
  assert.equal(run('data', '--out', join(dir, 'p.txt')).code, 2, '… in data too');
  assert.equal(run('data', '--out', join(dir, 'nodir', 'p.csv')).code, 3);
  assert.equal(run('report', 'r.jsonl', '--out', file).code, 3);
  assert.equal(run('sweep', '--n', '4', '--width', '8', '--seeds', '1', '--results', join(dir, 'none', 'r.jsonl')).code, 3);
  assert.ok(!readdirSync(dir).some((f) => f.startsWith('.')), 'no temporary files left');
  assert.ok(!existsSync(join(dir, 'hist.csv')), 'no history without its sidecar');
});

test('--export-npy replaces its set of files whole or not at all; a failed write after training still prints the result', () => {
  const out = join(dir, 'npy');
  const small = run('train', '--n', '8', '--d', '3', '--width', '16', '--max-steps', '5', '--export-npy', out);
  assert.ok(small.code === 0 || small.code === 1, small.stderr);
  const before = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')]));
  assert.deepEqual(Object.keys(before).sort(), ['W.npy', 'W0.npy', 'X.npy', 'a.npy', 'u.npy', 'y.npy']);
  // W.npy of a width-4096 network is 256 KB: past a 64 KB file size limit its write fails
  const cmd = `ulimit -f 64; exec "${process.execPath}" "${MAIN}" train --n 8 --d 3 --width 4096 --max-steps 5 --export-npy "${out}"`;
  const big = spawnSync('bash', ['-c', cmd], { encoding: 'utf-8', cwd: dir });
  assert.equal(big.status, 3, big.stderr);
  assert.match(big.stderr, /npy\/W(0)?\.npy: cannot write \(the file size limit was reached \(EFBIG\)\); none of the 6 files in .*npy was replaced/);
  assert.match(big.stdout, /^overparam train\n  result/, 'the result is printed all the same');
  assert.doesNotMatch(big.stdout, /wrote npy files/);
  const after = Object.fromEntries(readdirSync(out).map((f) => [f, readFileSync(join(out, f)).toString('base64')]));
  assert.deepEqual(after, before, 'the old set is intact, nothing mixed, no temporary directory left');
  assert.ok(!existsSync(join(out, '.tmp')));
});

test('a report states its conventions once (the inline figures leave theirs out, the files keep them), and what made it', () => {
  const out = join(dir, 'rep');
  const model = join(dir, 'prov.json');
  const r = run('train', '--n', '12', '--d', '3', '--width', '64', '--max-steps', '30', '--report', out, '--save', model, '--json');
  assert.ok(r.code === 0 || r.code === 1, r.stderr);
  const html = readFileSync(join(out, 'index.html'), 'utf-8');
  assert.ok(!html.includes('Conventions: '), 'no figure on the page repeats the conventions box');
  assert.match(html, /<div class="conventions"><strong>Conventions<\/strong>/);
  const files = readdirSync(join(out, 'figures')).filter((f) => f.endsWith('.svg'));
  assert.ok(files.length >= 3);
  for (const f of files) assert.ok(readFileSync(join(out, 'figures', f), 'utf-8').includes('Conventions: '), `${f} keeps its conventions`);
  assert.match(html, /<footer>Made by overparam \d+\.\d+\.\d+( \(git [0-9a-f]{40}(\+dirty)?\))? on Node\.js v\d+\.\d+\.\d+: overparam train --n 12/);
  // the same provenance in the JSON result and the model file
  const j = JSON.parse(r.stdout);
  assert.equal(j.provenance.node, process.version);
  assert.deepEqual(j.provenance.command.slice(0, 3), ['overparam', 'train', '--n']);
  assert.match(j.provenance.overparam, /^\d+\.\d+\.\d+$/);
  assert.deepEqual(JSON.parse(readFileSync(model, 'utf-8')).training.provenance, j.provenance);
});
