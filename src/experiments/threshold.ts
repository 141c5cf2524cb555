/**
 * The smallest width m* at which GD succeeds (reaches ε within the step budget in at least a
 * fraction 1 − δ of seeds), searched on a geometric grid m_j = m0 · 2^{j/g}: doubling (or halving)
 * until the outcome changes, then bisection on the grid index. With success monotone in m this
 * needs about log2(m* ÷ m0) + log2(g) + 1 probes.
 */

export interface Probe {
  m: number;
  /** Fraction of seeds that reached ε. */
  rate: number;
  success: boolean;
}

export interface ThresholdSearch {
  /** Smallest successful grid width, or null when none up to mMax succeeded. */
  mStar: number | null;
  /** Largest failing grid width below m* (null if even the smallest probed width succeeded). */
  mBelow: number | null;
  probes: Probe[];
}

export interface ThresholdOptions {
  /** First width probed (default 64). */
  m0?: number;
  /** Largest width probed (default 2^20). */
  mMax?: number;
  /** Smallest width probed (default 2). */
  mMin?: number;
  /** Grid points per doubling (default 4: widths grow by 2^{1/4} ≈ 1.19). */
  gridPerDoubling?: number;
  /** Success when rate ≥ target (default 1, i.e. δ = 0 over the seeds). */
  target?: number;
}

/** Grid width m_j, rounded to an even integer (coupled initialisation needs even m). */
export function gridWidth(m0: number, g: number, j: number): number {
  return Math.max(2, 2 * Math.round((m0 * 2 ** (j / g)) / 2));
}

export async function searchThreshold(rateAt: (m: number) => Promise<number> | number, opts: ThresholdOptions = {}): Promise<ThresholdSearch> {
  const m0 = opts.m0 ?? 64;
  const mMax = opts.mMax ?? 2 ** 20;
  const mMin = opts.mMin ?? 2;
  const g = opts.gridPerDoubling ?? 4;
  const target = opts.target ?? 1;
  const probes: Probe[] = [];
  const cache = new Map<number, boolean>();
  const probe = async (j: number): Promise<boolean> => {
    const hit = cache.get(j);
    if (hit !== undefined) return hit;
    const m = gridWidth(m0, g, j);
    const rate = await rateAt(m);
    const success = rate >= target;
    probes.push({ m, rate, success });
    cache.set(j, success);
    return success;
  };
  let jFail: number | null = null;
  let jOk: number | null = null;
  if (await probe(0)) {
    jOk = 0;
    for (let j = -g; gridWidth(m0, g, j) >= mMin; j -= g) {
      if (await probe(j)) jOk = j;
      else {
        jFail = j;
        break;
      }
      if (gridWidth(m0, g, j) === mMin) break;
    }
  } else {
    jFail = 0;
    for (let j = g; gridWidth(m0, g, j) <= mMax; j += g) {
      if (await probe(j)) {
        jOk = j;
        break;
      }
      jFail = j;
    }
  }
  if (jOk === null) return { mStar: null, mBelow: jFail === null ? null : gridWidth(m0, g, jFail), probes };
  if (jFail !== null) {
    while (jOk - jFail > 1) {
      const mid = Math.floor((jOk + jFail) / 2);
      if (await probe(mid)) jOk = mid;
      else jFail = mid;
    }
  }
  return { mStar: gridWidth(m0, g, jOk), mBelow: jFail === null ? null : gridWidth(m0, g, jFail), probes };
}
