/**
 * overparam's library API. See README "Library" for a runnable example.
 */
export * from './errors.js';
export { Rng } from './random/xoshiro.js';
export * from './backend/index.js';
// The network forms: one table, one module per activation (src/activations/).
export {
  ACTIVATIONS,
  ACTIVATION_NAMES,
  activationByName,
  customActivation,
  resolveActivation,
  limitKernel,
  limitCrossKernel,
  gaussHermite,
  DEFAULT_QUADRATURE_DEGREE,
  type ActivationFunctions,
  type ActivationInput,
  type LimitKernel,
  type TheoryFacts,
} from './activations/index.js';
export * from './data/dataset.js';
export * from './data/normalize.js';
export * from './data/synthetic.js';
export { loadDataset, loadInputs, saveDataset, type LoadOptions } from './data/files.js';
export { splitDataset, selectRows, seededPermutation, checkTestData } from './data/split.js';
export { withLabelNoise } from './data/noise.js';
export { parseNpy, formatNpy, type NpyArray } from './data/npy.js';
export * from './model/spec.js';
export { initialWeights, type InitialWeights } from './model/init.js';
export { createModel, predict, outputs, problemOf, type Model } from './model/model.js';
export { movementStats, type MovementStats } from './model/movement.js';
export { saveModel, loadModel, serializeModel, parseModel } from './model/file.js';
export { powerIteration, type PowerResult } from './linalg/power.js';
export { autoEta, ntkTimes, type AutoEta } from './train/eta.js';
export { train, trainAsync, trainMany, movement, DEFAULTS as TRAIN_DEFAULTS } from './train/train.js';
// Kernels (docs/theory.md §3, §5) and the a-posteriori quantities of §4.
export { infiniteKernel, infiniteCrossKernel, hCts, hInf } from './kernel/infinite.js';
export { empiricalKernel, normalisedKernel, normalisedJointKernel, ntkNormalisation, type JointKernel } from './kernel/empirical.js';
// Held-out points (docs/theory.md §6): kernel regression by GD in closed form, the spectral view, the monitor.
export { kernelRegression, labelProjections, geometricFactor, type KernelRegression, type KernelRegressionInput, type LabelProjections } from './kernel/regression.js';
export { heldOutMonitor, HELDOUT_MONITOR, type HeldOutReport, type PredictorCurves } from './theory/heldout-monitor.js';
export { initDistanceStats, type InitDistanceOptions, type InitDistanceStats } from './kernel/montecarlo.js';
export { ntkMonitor, autoMonitorEvery, NTK_MONITOR, type NtkReport } from './theory/train-monitor.js';
export { createKernelMonitor, type KernelMonitor, type KernelObservation } from './theory/monitor.js';
export { certificate, type CertificateInput } from './theory/certificate.js';
export { aPrioriBounds, type APrioriBounds } from './theory/apriori.js';
export { writeHistory, historyCsv, historyJsonl } from './train/log.js';
export type * from './train/types.js';
// The report layer (figures, SVG/PNG, HTML). vega, vega-lite and resvg load on first render only.
export {
  lineChart,
  lossCurves,
  lambdaMinOverSteps,
  movementOverSteps,
  movementVsWidth,
  kernelDistanceVsWidth,
  thresholdVsN,
  flipsOverSteps,
  describeConventions,
  renderSvg,
  renderPng,
  writeReport,
  certificateTable,
} from './report/index.js';
// Reports from results files (overparam report / train --report / replicate du2019).
export { resultsPage, resultsSections, conventionsOf, type ResultsPage, type ResultsPageOptions, type SkippedFigure } from './report/results-page.js';
export { du2019Page } from './report/du2019-page.js';
export { thresholdsFromResults, type Censoring, type MStarCurve, type MStarPoint } from './experiments/analysis.js';
export { du2019Setup, du2019Specs, du2019Summary, DU2019_SCALES, type Du2019Setup, type Du2019ScaleName } from './experiments/du2019.js';
export * from './experiments/arora2019.js';
export { arora2019Page } from './report/arora2019-page.js';
export { runOne, runMany, resultOf, loadRunData, type RunResult, type RunData, type StoredTest } from './experiments/run.js';
export { readResults } from './experiments/results.js';
// The width study (docs/width-study.md): three width thresholds with binomial intervals and logistic fits.
export * from './experiments/width-study.js';
export { wilsonInterval, clopperPearsonInterval } from './experiments/binomial.js';
export { logisticThreshold, type RatePoint, type ThresholdEstimate, type ThresholdStatus } from './experiments/logistic.js';
export { fitPowerLaw, fitPowerLawWeighted, normalQuantile, type PowerLawFit, type WeightedPowerLawFit } from './experiments/stats.js';
export { widthStudyPage } from './report/width-study-page.js';
export { concentrationMonitor, type ConcentrationReport } from './theory/concentration.js';
export { linearisedSteps } from './theory/linearised.js';
export { runSweep } from './experiments/sweep.js';
export type {
  FigureSpec,
  FigureConventions,
  FigureOptions,
  LineChartOptions,
  Series,
  Rule,
  LossRun,
  LambdaRun,
  MovementRun,
  FlipRun,
  WidthSample,
  ThresholdPoint,
  PowerFit,
  CertificateRow,
  Table,
  Cell,
  Page,
  PageSection,
  FigureEntry,
  WriteReportOptions,
  WrittenReport,
  WrittenFigure,
} from './report/index.js';
