/** Public surface of the kernel layer (theory.md §3). */
export { hCts, hInf, infiniteKernel, inputGram } from './infinite.js';
export { drawGaussianW, drawSigns } from './init.js';
export { empiricalKernel, normalisedKernel, ntkNormalisation, ntkGram } from './empirical.js';
export { spectralDistance, distanceToLimit } from './distance.js';
export { initDistanceStats } from './montecarlo.js';
export type { InitDistanceOptions, InitDistanceStats } from './montecarlo.js';
