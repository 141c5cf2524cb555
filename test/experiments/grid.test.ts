/** experiments/grid.ts: a grid is checked field by field, and refused whole when it is too large to hold. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { OptionError } from '../../src/errors.js';
import { expandGrid, MAX_RUNS, parseGrid } from '../../src/experiments/grid.js';

test('a grid beyond MAX_RUNS runs is refused before anything is expanded, naming its factors', () => {
  // a count of seeds that would not fit in memory as a list
  assert.throws(() => parseGrid({ seeds: 1e9 }), (e: Error) => e instanceof OptionError && e.field === 'seeds' && /at most 1,000,000 runs/.test(e.message));
  const widths = Array.from({ length: 1000 }, (_, k) => 2 * (k + 1));
  assert.throws(
    () => parseGrid({ n: [4, 8], width: widths, seeds: 501 }),
    (e: Error) => e instanceof OptionError && /the grid has 1,002,000 runs \(2 data sets × 1 activations × 1 initialisations × 1000 widths × 501 seeds\)/.test(e.message),
  );
  // within the limit: accepted, and it expands to one spec per combination
  const g = parseGrid({ n: [4], width: [8], seeds: 1000, activation: ['exp', 'relu'] });
  assert.equal(expandGrid(g).length, 2000);
  assert.ok(MAX_RUNS >= 2000);
});
