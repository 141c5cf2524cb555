/** Synthetic inputs shaped like real results (numbers from docs/theory.md's "What to expect"). */
import { XMLParser } from 'fast-xml-parser';
import type { CertificateRow, FlipRun, LambdaRun, LossRun, MovementRun, Page, PowerFit, ThresholdPoint, WidthSample } from '../../src/report/types.js';
import {
  certificateTable,
  flipsOverSteps,
  kernelDistanceVsWidth,
  lambdaMinOverSteps,
  lossCurves,
  movementOverSteps,
  movementVsWidth,
  thresholdVsN,
} from '../../src/report/index.js';

export const CONVENTIONS = { activation: 'exp', scaling: 'ntk (κ = 1/√m)', init: 'gaussian', normalisation: 'unit rows', precision: 'f64', n: 30, d: 6 };

const steps = (K: number, every = 1) => Float64Array.from({ length: Math.floor(K / every) + 1 }, (_, i) => i * every);

export function lossRuns(): LossRun[] {
  return [1024, 8192].map((m, j) => {
    const k = steps(20000);
    const eta = 0.05;
    const lambda = 0.227;
    const r0 = 6 + j;
    const fast = 1 - eta * lambda * (1.2 + 0.3 * j); // per-step contraction of ‖r‖², a little better than the envelope's
    return {
      label: `m = ${m}`,
      steps: k,
      residual: k.map((s) => r0 * fast ** (s / 2) * (1 + (0.2 * 1024) / m / (1 + s / 2000))),
      linearised: k.map((s) => r0 * fast ** (s / 2)),
      eta,
      lambda,
    };
  });
}

export function lambdaRuns(): LambdaRun[] {
  return [1024, 8192].map((m) => {
    const k = steps(2000, 10);
    return { label: `m = ${m}`, steps: k, lambdaMin: k.map((s) => 0.2 + 0.05 * Math.exp(-s / 500) - 20 / m), lambda: 0.227 };
  });
}

export function movementRuns(): MovementRun[] {
  return [1024, 8192].map((m) => {
    const k = steps(2000, 10);
    return { label: `m = ${m}`, steps: k, movement: k.map((s) => (3 / Math.sqrt(m)) * (1 - Math.exp(-s / 300))), rStar: 2e-3 };
  });
}

export function flipRuns(): FlipRun[] {
  return [256, 1024, 4096].map((m) => {
    const k = steps(1000, 5);
    return { label: `m = ${m}`, steps: k, flipFraction: k.map((s) => (0.4 / Math.sqrt(m)) * (1 - Math.exp(-s / 200))) };
  });
}

export function kernelPoints(): WidthSample[] {
  const out: WidthSample[] = [];
  for (const [series, base] of [['exp', 5.9], ['relu', 0.105]] as const) {
    for (const m of [1000, 4000, 16000, 64000]) {
      for (let seed = 0; seed < 5; seed++) out.push({ series, m, seed, value: base * Math.sqrt(1000 / m) * (1 + 0.15 * Math.sin(seed * 7 + m)) });
    }
  }
  return out;
}

export function movementPoints(): WidthSample[] {
  return kernelPoints().map((p) => ({ ...p, value: p.value / 10 }));
}

export function thresholds(): { points: ThresholdPoint[]; fit: PowerFit } {
  const ns = [8, 16, 32, 64];
  const points = ns.map((n) => ({ n, mStar: 3 * n ** 2.2, lo: 2.4 * n ** 2.2, hi: 3.6 * n ** 2.2 }));
  return { points, fit: { exponent: 2.2, prefactor: 3, ci: [1.9, 2.5], level: 0.95, label: 'exp' } };
}

export const CERTIFICATE: CertificateRow[] = [
  { condition: 'λ_min(H(W(k))) ≥ λ/2 for all k', measured: 0.19, threshold: 0.1135, comparison: '≥', ref: 'docs/theory.md §4 C' },
  { condition: 'max_k R(k) ≤ R*', measured: 0.01, threshold: 2e-3, comparison: '≤', ref: 'docs/theory.md §4 A' },
  { condition: '‖H(W(0)) − H^cts‖₂ ≤ λ/4', measured: 0.85, threshold: 0.057, comparison: '≤', held: false, ref: 'docs/theory.md §4 B' },
];

/** A page with every figure; the names of the series each figure must show. */
export function fullPage(): Page {
  const o = { conventions: CONVENTIONS };
  const t = thresholds();
  return {
    title: 'overparam report <test> & check',
    intro: 'Synthetic numbers shaped like real runs.\n\nSecond paragraph with `code`.',
    conventions: CONVENTIONS,
    sections: [
      {
        heading: 'Training dynamics',
        text: 'Loss, eigenvalue, movement.',
        figures: [
          { name: 'loss', spec: lossCurves(lossRuns(), o), caption: 'Loss curves.' },
          { name: 'lambda-min', spec: lambdaMinOverSteps(lambdaRuns(), o), caption: 'λ_min over steps.' },
          { name: 'movement', spec: movementOverSteps(movementRuns(), o), caption: 'Movement over steps.' },
          { name: 'flips', spec: flipsOverSteps(flipRuns(), { conventions: { ...CONVENTIONS, activation: 'relu' } }), caption: 'Flips.' },
        ],
        tables: [certificateTable(CERTIFICATE)],
      },
      {
        heading: 'Widths',
        figures: [
          { name: 'kernel-distance', spec: kernelDistanceVsWidth(kernelPoints(), o), caption: 'Kernel distance.' },
          { name: 'movement-width', spec: movementVsWidth(movementPoints(), o), caption: 'Movement against width.' },
          { name: 'threshold', spec: thresholdVsN(t.points, t.fit, o), caption: 'Threshold.' },
        ],
        tables: [{ caption: 'Raw numbers', columns: ['m', 'distance', 'note'], rows: [[1000, 5.9, null], [64000, 0.85, 'slope −0.47']] }],
      },
    ],
  };
}

/** Every piece of text in an SVG document (text nodes of <text>/<tspan>, entities decoded). */
export function svgTexts(svg: string): string[] {
  const out: string[] = [];
  const walk = (node: unknown): void => {
    if (Array.isArray(node)) node.forEach(walk);
    else if (node !== null && typeof node === 'object') {
      for (const [k, v] of Object.entries(node)) {
        if (k === '#text') out.push(String(v));
        else if (k !== ':@') walk(v);
      }
    }
  };
  walk(new XMLParser({ preserveOrder: true, ignoreAttributes: false, processEntities: true }).parse(svg));
  return out;
}
