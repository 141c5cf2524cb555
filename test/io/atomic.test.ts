/** io/atomic.ts: a set of files is replaced whole or not at all, and failures name the user's path. */
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { DataError } from '../../src/errors.js';
import { writeFileAtomic, writeFilesAtomic } from '../../src/io/atomic.js';

const dir = mkdtempSync(join(tmpdir(), 'overparam-atomic-'));

test('writeFilesAtomic replaces the whole set, and leaves no temporary directory', () => {
  const out = join(dir, 'set');
  writeFilesAtomic(out, [{ name: 'a.txt', data: 'old a' }, { name: 'b.txt', data: 'old b' }]);
  writeFilesAtomic(out, [{ name: 'a.txt', data: 'new a' }, { name: 'b.txt', data: 'new b' }]);
  assert.equal(readFileSync(join(out, 'a.txt'), 'utf-8'), 'new a');
  assert.equal(readFileSync(join(out, 'b.txt'), 'utf-8'), 'new b');
  assert.deepEqual(readdirSync(out).sort(), ['a.txt', 'b.txt']);
});

test('writeFilesAtomic: a target that is a directory refuses the set before any file is replaced', () => {
  const out = join(dir, 'blocked');
  writeFilesAtomic(out, [{ name: 'a.txt', data: 'old a' }]);
  mkdirSync(join(out, 'b.txt', 'inside'), { recursive: true });
  assert.throws(
    () => writeFilesAtomic(out, [{ name: 'a.txt', data: 'new a' }, { name: 'b.txt', data: 'new b' }]),
    (e: Error) => e instanceof DataError && /b\.txt: is a directory; none of the 2 files in .* was replaced/.test(e.message) && !e.message.includes('.overparam-'),
  );
  assert.equal(readFileSync(join(out, 'a.txt'), 'utf-8'), 'old a', 'the old file is untouched');
  assert.deepEqual(readdirSync(out).sort(), ['a.txt', 'b.txt']);
});

test('writeFileAtomic names the path it was given, not its temporary sibling', () => {
  const target = join(dir, 'isdir');
  mkdirSync(target);
  writeFileSync(join(target, 'keep'), 'x');
  assert.throws(() => writeFileAtomic(target, 'data'), (e: Error) => e instanceof DataError && e.message.startsWith(`${target}: cannot write`) && !e.message.includes('.tmp'));
  assert.ok(!readdirSync(dir).some((f) => f.endsWith('.tmp')), 'no temporary file left');
});
