/** Wall time spent inside a monitor, summed over its calls (reported beside the run's own time). */
export interface Stopwatch {
  /** Runs f and adds its wall time. */
  timed<T>(f: () => T): T;
  readonly ms: number;
}

export function stopwatch(): Stopwatch {
  let ms = 0;
  return {
    timed<T>(f: () => T): T {
      const t = performance.now();
      try {
        return f();
      } finally {
        ms += performance.now() - t;
      }
    },
    get ms() {
      return ms;
    },
  };
}
