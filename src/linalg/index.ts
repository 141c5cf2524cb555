/** Public surface of the linear-algebra layer. */
export { powerIteration } from './power.js';
export type { PowerOptions, PowerResult } from './power.js';
export { eigvalsh, eigh, eigvalshByIndex, lambdaMinMax, lambdaMin } from './eigh.js';
export type { EighResult } from './eigh.js';
export { tridiagonalize, applyQ } from './tridiagonal.js';
export type { TridiagonalForm } from './tridiagonal.js';
export { tridiagonalQL } from './ql.js';
export { sturmCount, bisectEigenvalue, gershgorin } from './sturm.js';
export type { Tridiag } from './sturm.js';
export { lanczosExtremes } from './lanczos.js';
export type { LanczosOptions, LanczosResult } from './lanczos.js';
export { symMatVec, subtract, frobeniusNorm, trace, asymmetry, spectralNormSym } from './dense.js';
export type { SpectralMethod, SpectralNormOptions } from './dense.js';
