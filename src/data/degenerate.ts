/**
 * Data on which the convergence argument degenerates, named before any training: inputs that
 * coincide after normalisation (the limit kernel has two equal rows, so λ = λ_min(H^lim) = 0),
 * and — for the even cosh network and the odd sinh network (docs/theory.md §5) — inputs that are
 * each other's negatives. With different labels a duplicate pair caps how close GD can get:
 * F(W, x_i) = F(W, x_j) forces ‖F(W,X) − y‖₂ ≥ |y_i − y_j|/√2 (even: the same; odd: F(−x) = −F(x)
 * forces ≥ |y_i + y_j|/√2). Pairs that share rows join into clusters on which F takes one value
 * f up to sign, F(x_k) = s_k f: the floor is then √(Σ_clusters Σ_k (s_k y_k − mean)²) (residualFloor).
 *
 * Found in O(n log n + n·d·k): the rows are sorted by a fixed random projection and only rows whose
 * projections lie within the tolerance are compared in full.
 */
import { rowNorm } from './dataset.js';

export interface Degeneracy {
  /** Row numbers, 1-based as in messages. */
  readonly rows: readonly [number, number];
  readonly kind: 'duplicate' | 'antipodal';
  /** F(W, x_j) = sign · F(W, x_i) for every W: −1 for x_j = −x_i under an odd network, else 1. */
  readonly sign: 1 | -1;
  /** The labels y_i, y_j of the two rows. */
  readonly labels: readonly [number, number];
  /** The residual no network of this form can go below because of this pair alone (0 when the labels allow a fit). */
  readonly floor: number;
}

export interface DegeneracyOptions {
  /** Relative distance below which two rows count as one: ‖x_i ∓ x_j‖ ≤ tol · max(‖x_i‖, ‖x_j‖). Default 1e-9. */
  readonly tol?: number;
  /** Also look for x_i = −x_j, and with which symmetry F has there ('even': F(−x) = F(x), 'odd': F(−x) = −F(x)). */
  readonly parity?: 'even' | 'odd';
  /** At most this many pairs are returned (default 10). */
  readonly max?: number;
}

/** A fixed direction (deterministic, independent of the data) for the sorting projection. */
function direction(d: number): Float64Array {
  const v = new Float64Array(d);
  for (let j = 0; j < d; j++) v[j] = Math.cos(1 + 2.399963 * j); // golden-angle steps: no zero, no symmetry
  return v;
}

export function findDegeneracies(X: Float64Array, n: number, d: number, y: Float64Array, o: DegeneracyOptions = {}): Degeneracy[] {
  const tol = o.tol ?? 1e-9;
  const max = o.max ?? 10;
  const v = direction(d);
  const out: Degeneracy[] = [];
  const seen = new Set<string>();
  const norms = Float64Array.from({ length: n }, (_, i) => rowNorm(X, i, d));
  let scale = 0;
  for (const q of norms) scale = Math.max(scale, q);
  const search = (sign: 1 | -1, kind: Degeneracy['kind']): void => {
    // project x_i (sign = 1) and compare with x_j, or compare x_i with −x_j through |projection| (sign = −1)
    const proj = Float64Array.from({ length: n }, (_, i) => {
      let p = 0;
      for (let j = 0; j < d; j++) p += v[j] * X[i * d + j];
      return sign === 1 ? p : Math.abs(p);
    });
    const order = Array.from({ length: n }, (_, i) => i).sort((a, b) => proj[a] - proj[b]);
    const window = tol * scale * Math.sqrt(d) * 4;
    for (let a = 0; a < n && out.length < max; a++) {
      const i = order[a];
      for (let b = a + 1; b < n && proj[order[b]] - proj[i] <= window; b++) {
        const j = order[b];
        let dist = 0;
        for (let t = 0; t < d; t++) dist = Math.hypot(dist, X[i * d + t] - sign * X[j * d + t]);
        if (dist > tol * Math.max(norms[i], norms[j]) || !(Math.max(norms[i], norms[j]) > 0)) continue;
        const [r0, r1] = i < j ? [i, j] : [j, i];
        const key = `${r0},${r1}`;
        if (seen.has(key)) continue;
        seen.add(key);
        const s = kind === 'duplicate' || o.parity === 'even' ? 1 : -1;
        out.push({ rows: [r0 + 1, r1 + 1], kind, sign: s, labels: [y[r0], y[r1]], floor: Math.abs(y[r1] - s * y[r0]) / Math.SQRT2 });
        if (out.length >= max) return;
      }
    }
  };
  search(1, 'duplicate');
  if (o.parity) search(-1, 'antipodal');
  return out;
}

/**
 * The residual no network of this form can go below on rows tied by these pairs: the pairs join rows
 * into clusters (union–find, each row's sign s_k relative to its cluster's first row), F takes the
 * values s_k f on a cluster, and the best f leaves Σ_k (s_k y_k − mean_k s_k y_k)² there. Pairs not
 * found (beyond `max`) only lower it: it stays a lower bound.
 */
export function residualFloor(found: readonly Degeneracy[]): number {
  const parent = new Map<number, number>();
  const sign = new Map<number, 1 | -1>(); // F(x_k) = sign_k · F(x_parent)
  const label = new Map<number, number>();
  const root = (k: number): [number, 1 | -1] => {
    let s: 1 | -1 = 1;
    let r = k;
    while (parent.get(r) !== r) {
      s = (s * sign.get(r)!) as 1 | -1;
      r = parent.get(r)!;
    }
    return [r, s];
  };
  for (const g of found) {
    for (const [k, v] of [[g.rows[0], g.labels[0]], [g.rows[1], g.labels[1]]] as const) {
      if (!parent.has(k)) {
        parent.set(k, k);
        sign.set(k, 1);
        label.set(k, v);
      }
    }
    const [ri, si] = root(g.rows[0]);
    const [rj, sj] = root(g.rows[1]);
    if (ri === rj) continue;
    // F(x_j) = sign·F(x_i), F(x_i) = si·F(ri), F(x_j) = sj·F(rj)  ⇒  F(rj) = sj·sign·si·F(ri)
    parent.set(rj, ri);
    sign.set(rj, (sj * g.sign * si) as 1 | -1);
  }
  const clusters = new Map<number, number[]>();
  for (const k of parent.keys()) {
    const [r, s] = root(k);
    const v = s * label.get(k)!;
    clusters.set(r, [...(clusters.get(r) ?? []), v]);
  }
  let sq = 0;
  for (const vs of clusters.values()) {
    const mean = vs.reduce((a, b) => a + b, 0) / vs.length;
    for (const v of vs) sq += (v - mean) ** 2;
  }
  return Math.sqrt(sq);
}

/** One sentence for a warning: which rows, why it matters, and what it costs. */
export function describeDegeneracies(found: readonly Degeneracy[], where: string, epsilon?: number): string | undefined {
  if (found.length === 0) return undefined;
  const pairs = found
    .slice(0, 5)
    .map((g) => `${g.rows[0]} and ${g.rows[1]}${g.kind === 'antipodal' ? ' (x and −x)' : ''}`)
    .join(', ');
  const floor = residualFloor(found);
  const reach =
    floor > 0
      ? `; their labels keep ‖F(W,X) − y‖₂ ≥ ${floor.toPrecision(3)}${epsilon !== undefined && floor > epsilon ? `, so ε = ${epsilon} cannot be reached` : ''}`
      : '';
  return `${where}: rows ${pairs}${found.length > 5 ? ` and ${found.length - 5} more pair(s)` : ''} coincide after normalisation: the limit kernel is singular (λ = 0), so docs/theory.md §4 gives no thresholds${reach}`;
}
