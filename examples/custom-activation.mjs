// Any activation from the library: give σ and σ' as plain functions. The network trains on the
// reference backend (no native kernel), its infinite-width kernel comes by Gauss–Hermite
// quadrature (docs/theory.md §5), and the kernel monitor's certificate uses that kernel.
// Run from the repository root after `npm install`:  node examples/custom-activation.mjs
import { customActivation, generateSynthetic, infiniteKernel, ntkMonitor, train } from '../dist/index.js';

// GELU in its tanh form, σ(z) = ½ z (1 + tanh(s(z + 0.044715 z³))), s = √(2/π), with its exact derivative
const s = Math.sqrt(2 / Math.PI);
const gelu = customActivation({
  name: 'gelu',
  sigma: (z) => 0.5 * z * (1 + Math.tanh(s * (z + 0.044715 * z ** 3))),
  dsigma: (z) => {
    const t = Math.tanh(s * (z + 0.044715 * z ** 3));
    return 0.5 * (1 + t) + 0.5 * z * (1 - t * t) * s * (1 + 3 * 0.044715 * z * z);
  },
});

const data = generateSynthetic({ inputs: 'sphere', n: 16, d: 5, labels: 'teacher', seed: 2 });
const K = infiniteKernel(gelu, data.X, data.n, data.d);
console.log(`H^gelu(x_1, x_1) = ${K[0].toFixed(6)} (${gelu.limit.method})`);

for (const activation of [gelu, { name: 'tanh', sigma: Math.tanh, dsigma: (z) => 1 - Math.tanh(z) ** 2 }]) {
  const result = train(data, { model: { activation, m: 256, seed: 0 }, epsilon: 1e-2, monitors: { ntk: ntkMonitor(100) } });
  const held = result.monitors.ntk.certificate.filter((row) => row.held).length;
  console.log(`${result.conventions.activation}: ${result.status}, ${result.message} (${result.conventions.backend} backend)`);
  console.log(`  λ = λ_min(H^lim) = ${result.monitors.ntk.initial.lambda.toPrecision(4)}; certificate: ${held} of ${result.monitors.ntk.certificate.length} measured conditions held`);
}
