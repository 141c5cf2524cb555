/** `overparam predict`: apply a saved model to data. */
import { extname } from 'node:path';
import { Command } from 'commander';
import { type BackendName, createBackend } from '../backend/index.js';
import { loadInputs } from '../data/files.js';
import { formatNpy } from '../data/npy.js';
import { OptionError } from '../errors.js';
import { checkOutputFile, writeFileAtomic } from '../io/atomic.js';
import { loadModel } from '../model/file.js';
import { predict } from '../model/model.js';
import { scalingText } from '../report/conventions.js';
import { fmt, table } from './format.js';
import { choice } from './options.js';
import { warn } from './run.js';

interface PredictOptions {
  model: string;
  data: string;
  labels?: string;
  labelColumn?: string;
  out?: string;
  json?: boolean;
  backend: string;
}

export function predictCommand(): Command {
  return new Command('predict')
    .summary('apply a saved model to data')
    .description(
      'Computes F(W, x) for every row of --data with the weights, conventions and input normalisation stored in ' +
        'the model file. If the data carry labels (a d+1-th column, --labels, or y in an .npz), also reports ‖F(W,X) − y‖₂.',
    )
    .requiredOption('--model <file>', 'a model written by `overparam train --save`')
    .requiredOption('--data <file>', '.csv (header row), .npy or .npz with d input columns (and optionally a label)')
    .option('--labels <file>', '.npy labels to go with .npy inputs')
    .option('--label-column <name>', 'CSV: the label column by name')
    .option('--out <file>', 'write predictions: .npy, .csv (column "prediction") or .json')
    .option('--json', 'print predictions and conventions as JSON')
    .option('--backend <name>', 'auto | reference | native (use the training run\'s backend to reproduce its outputs bit for bit)', 'auto')
    .addHelpText('after', '\nExample:\n  overparam train --save model.json && overparam predict --model model.json --data new.csv --out pred.npy')
    .action((o: PredictOptions) => {
      if (o.out !== undefined) {
        checkOutputFile(o.out); // before the work: the path (a directory is named as one), then the format
        outFormat(o.out);
      }
      const model = loadModel(o.model);
      const inputs = loadInputs(o.data, model.d, {
        ...(o.labels !== undefined ? { labelsPath: o.labels } : {}),
        ...(o.labelColumn !== undefined ? { labelColumn: o.labelColumn } : {}),
        ...(model.inputNames ? { featureNames: model.inputNames } : {}),
      });
      for (const note of inputs.notes) warn(note);
      const backend = createBackend({ name: choice<BackendName>('backend', ['auto', 'reference', 'native'], o.backend), activation: model.activation, onNotice: warn });
      const u = predict(model, backend, inputs.X, inputs.n, model.d, o.data);
      let residual: number | undefined;
      if (inputs.y) {
        let s = 0;
        for (let i = 0; i < inputs.n; i++) s += (u[i] - inputs.y[i]) ** 2;
        residual = Math.sqrt(s);
      }
      if (o.out) writePredictions(o.out, u);
      const conventions = {
        activation: model.spec.activation,
        scaling: model.spec.scaling,
        kappa: model.kappa,
        init: model.spec.init,
        width: model.spec.m,
        seed: model.spec.seed,
        normalization: model.normalization,
        precision: backend.precision,
        backend: backend.name,
      };
      if (o.json) {
        process.stdout.write(
          JSON.stringify({ command: 'predict', n: inputs.n, d: model.d, residual: residual ?? null, predictions: Array.from(u), conventions, out: o.out ?? null }, null, 2) + '\n',
        );
        return;
      }
      const rows: [string, string][] = [
        ['model', `${o.model} (${model.activation.label}, ${scalingText(model.spec.scaling)}, m = ${model.spec.m}, d = ${model.d})`],
        ['data', `${o.data} (n = ${inputs.n})`],
      ];
      if (residual !== undefined) rows.push(['residual', `‖F(W,X) − y‖₂ = ${fmt(residual)}`]);
      if (o.out) rows.push(['wrote', o.out]);
      process.stdout.write(`overparam predict\n${table(rows)}\n`);
      if (!o.out) process.stdout.write(`prediction\n${Array.from(u, (v) => String(v)).join('\n')}\n`);
    });
}

function outFormat(path: string): '.npy' | '.csv' | '.json' {
  const ext = extname(path).toLowerCase();
  if (ext === '.npy' || ext === '.csv' || ext === '.json') return ext;
  throw new OptionError(`--out ${path}: unknown format '${ext || '(none)'}' (expected .npy, .csv or .json)`);
}

function writePredictions(path: string, u: Float64Array): void {
  const ext = outFormat(path);
  if (ext === '.npy') writeFileAtomic(path, formatNpy(u, [u.length]));
  else if (ext === '.csv') writeFileAtomic(path, `prediction\n${Array.from(u, (v) => String(v)).join('\n')}\n`);
  else writeFileAtomic(path, JSON.stringify(Array.from(u)) + '\n');
}
