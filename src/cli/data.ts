/** `overparam data`: write a synthetic data set to a file. */
import { Command } from 'commander';
import { formatOf, saveDataset } from '../data/files.js';
import { generateSynthetic, INPUT_KINDS, LABEL_KINDS, type InputKind, type LabelKind, DEFAULT_SYNTHETIC } from '../data/synthetic.js';
import { choice, intOption } from './options.js';
import { table } from './format.js';

interface DataCliOptions {
  out: string;
  synthetic: string;
  n: string;
  d: string;
  labelKind: string;
  dataSeed: string;
  json?: boolean;
}

export function dataCommand(): Command {
  return new Command('data')
    .summary('write a synthetic data set to a file')
    .description(
      'Draws a synthetic data set exactly as `overparam train` does without --data, and writes it as .csv (header ' +
        'x1…xd,y; 17 significant digits, so values read back exactly), .npy (n×(d+1), label last) or .npz (X, y).',
    )
    .requiredOption('--out <file>', 'output file: .csv, .npy or .npz')
    .option('--synthetic <kind>', `inputs: ${INPUT_KINDS.join('|')} (sphere: uniform on the unit sphere; gaussian: N(0, I/d))`, DEFAULT_SYNTHETIC.inputs)
    .option('--n <count>', 'number of points', String(DEFAULT_SYNTHETIC.n))
    .option('--d <dim>', 'input dimension', String(DEFAULT_SYNTHETIC.d))
    .option('--label-kind <kind>', `labels: ${LABEL_KINDS.join('|')}`, DEFAULT_SYNTHETIC.labels)
    .option('--data-seed <int>', 'seed of the data stream', String(DEFAULT_SYNTHETIC.seed))
    .option('--json', 'print a JSON description of what was written')
    .addHelpText('after', '\nExample:\n  overparam data --n 200 --d 10 --label-kind teacher --out points.csv && overparam train --data points.csv')
    .action((o: DataCliOptions) => {
      formatOf(o.out); // reject an unknown extension before drawing anything
      const spec = {
        inputs: choice<InputKind>('synthetic', INPUT_KINDS, o.synthetic),
        n: intOption('n', o.n, 1),
        d: intOption('d', o.d, 1),
        labels: choice<LabelKind>('label-kind', LABEL_KINDS, o.labelKind),
        seed: intOption('data-seed', o.dataSeed, 0),
      };
      const ds = generateSynthetic(spec);
      saveDataset(ds, o.out);
      if (o.json) process.stdout.write(JSON.stringify({ command: 'data', out: o.out, spec, source: ds.source }, null, 2) + '\n');
      else process.stdout.write(`overparam data\n${table([['wrote', o.out], ['data', ds.source]])}\n`);
    });
}
