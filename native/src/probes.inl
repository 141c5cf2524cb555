// Throughput probes for the benchmark's roofline (PK).

// ───────────────────────────── roofline probes ─────────────────────────────

template <class V>
struct PK {
  typedef typename V::R R;
  typedef typename V::T T;
  struct Ctx { int64_t iters; double sink[64]; };
  static void task_fma(void* vc, int t, int) {
    Ctx& c = *(Ctx*)vc;
    R a[12];
    for (int k = 0; k < 12; k++) a[k] = V::set1((T)(1.0 + k * 1e-3));
    R b = V::set1((T)0.999999), d = V::set1((T)1e-7);
    for (int64_t i = 0; i < c.iters; i++) {
#pragma GCC unroll 12
      for (int k = 0; k < 12; k++) a[k] = V::fmadd(a[k], b, d);
    }
    R s = a[0];
    for (int k = 1; k < 12; k++) s = V::add(s, a[k]);
    c.sink[t] = (double)V::hsum(s);
  }
  static void task_exp(void* vc, int t, int) {
    Ctx& c = *(Ctx*)vc;
    alignas(64) T in[256], out[256];
    for (int k = 0; k < 256; k++) in[k] = (T)(-5.0 + k * 0.04);
    double acc = 0;
    for (int64_t i = 0; i < c.iters; i++) {
      for (int k = 0; k < 256; k += V::L) V::store(out + k, V::exp(V::load(in + k)));
      acc += (double)out[i & 255];
    }
    c.sink[t] = acc;
  }
  static void fma(int threads, int64_t iters) {
    Ctx c;
    c.iters = iters;
    ov_parallel(threads, threads, task_fma, &c);
  }
  static void exp(int threads, int64_t iters) {
    Ctx c;
    c.iters = iters;
    ov_parallel(threads, threads, task_exp, &c);
  }
};
