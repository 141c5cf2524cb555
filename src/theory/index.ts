/** Public surface of the theory layer (theory.md §4). */
export {
  PAPER_WIDTH_ORDER,
  bHighProb,
  observedB,
  rStar,
  stabilityBound,
  concentrationBound,
  widthFromB,
  movementBound,
  widthFromC,
  etaFromD,
  stepsFromD,
  contractionFactor,
  expectedR0Sq,
} from './bounds.js';
export { solveWidthB, solveWidthC, conditionB, conditionC } from './implicit.js';
export type { ImplicitWidth } from './implicit.js';
export { certificate } from './certificate.js';
export type { CertificateInput, CertificateRow } from './certificate.js';
export { linearisedPrediction, linearisedFromKernel, contractionEnvelope } from './linearised.js';
export type { LinearisedPrediction } from './linearised.js';
export { createKernelMonitor } from './monitor.js';
export type { KernelMonitor, KernelMonitorOptions, KernelObservation, KernelMonitorInitial } from './monitor.js';
export { aPrioriBounds } from './apriori.js';
export type { APrioriInput, APrioriBounds } from './apriori.js';
