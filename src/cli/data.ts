/** `overparam data`: write a synthetic data set to a file. */
import { Command } from 'commander';
import { extname } from 'node:path';
import { saveDataset } from '../data/files.js';
import { OptionError } from '../errors.js';
import { checkOutputFile } from '../io/atomic.js';
import { recipesOf } from '../experiments/grid.js';
import { loadRecipe } from '../experiments/run.js';
import { table } from './format.js';
import { addRunOptions, gridOfOptions, TRAIN_GRID, type RunOptionValues } from './run-options.js';

interface DataCliOptions extends RunOptionValues {
  out: string;
  json?: boolean;
}

export function dataCommand(): Command {
  const cmd = new Command('data')
    .summary('write a synthetic data set to a file')
    .description(
      'Draws a synthetic data set exactly as `overparam train` does without --data, and writes it as .csv (header ' +
        'x1…xd,y; 17 significant digits, so values read back exactly), .npy (n×(d+1), label last) or .npz (X, y).',
    )
    .requiredOption('--out <file>', 'output file: .csv, .npy or .npz');
  addRunOptions(cmd, 'single', TRAIN_GRID, ['synthetic', 'n', 'd', 'labelKind', 'dataSeed'])
    .option('--json', 'print a JSON description of what was written')
    .addHelpText('after', '\nExample:\n  overparam data --n 200 --d 10 --label-kind teacher --out points.csv && overparam train --data points.csv')
    .action((o: DataCliOptions) => {
      // reject an unwritable path (a directory is named as one) or an unknown extension before drawing anything
      checkOutputFile(o.out);
      if (!['.csv', '.npy', '.npz'].includes(extname(o.out).toLowerCase())) throw new OptionError(`--out ${o.out}: unknown format '${extname(o.out) || '(none)'}' (expected .csv, .npy or .npz)`);
      const recipe = recipesOf(gridOfOptions(o, 'single', TRAIN_GRID))[0];
      const ds = loadRecipe(recipe);
      saveDataset(ds, o.out);
      if (o.json) process.stdout.write(JSON.stringify({ command: 'data', out: o.out, spec: recipe, source: ds.source }, null, 2) + '\n');
      else process.stdout.write(`overparam data\n${table([['wrote', o.out], ['data', ds.source]])}\n`);
    });
  return cmd;
}
