// The library without the CLI: train on a synthetic set, watch the residual, predict.
// Run from the repository root after `npm install`:  node examples/library.mjs
import { generateSynthetic, train, predict, createBackend } from '../dist/index.js';

const data = generateSynthetic({ inputs: 'sphere', n: 32, d: 6, labels: 'normal', seed: 1 });
const result = train(data, {
  model: { activation: 'exp', scaling: 'ntk', init: 'gaussian', m: 2048, seed: 0 },
  epsilon: 1e-3,
  onStep: ({ k, residual }) => {
    if (k % 100 === 0) console.log(`step ${k}: ‖F(W,X) − y‖₂ = ${residual.toExponential(3)}`);
  },
});
console.log(result.message);
console.log('conventions:', result.conventions);

const u = predict(result.model, createBackend(), data.X, data.n, data.d);
console.log('F(W, x_1) =', u[0], ' y_1 =', data.y[0]);
