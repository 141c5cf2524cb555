// NX: the neuron-panel kernels with the panel width chosen by m. A panel is P = NV·L neurons
// (kernels.inl); at a small width most of a wide panel's lanes would be padding (m = 8: 4 neurons a
// half in 16 lanes), so there the kernels run on narrow panels (V1: NV = 1) instead. The choice
// depends on m alone, and every entry point of a problem makes the same one (the Gram matrix's
// softmax statistics included), so forward, step, gradient, jvp, flips and Gram agree with each
// other as they do on wide panels; the bits are the same on every thread count either way.

// The traits V with panels of one register.
template <class V>
struct OvNarrow : V {
  static const int NV = 1;
};

template <class V, class V1>
struct NX {
  typedef NK<V> KW;   // wide panels
  typedef NK<V1> KN;  // narrow panels

  static int padded(int k, int P) { return (k + P - 1) / P * P; }
  // Narrow panels when they leave fewer padded lanes in the two halves (kernels: Layout) and m is
  // small (below two wide panels a half): there the lanes, not the per-panel work, set the cost.
  static bool narrow(int m) {
    if (KN::P == KW::P) return false;
    const int h = m / 2, h2 = m - h;
    return h2 < 2 * KW::P && padded(h, KN::P) + padded(h2, KN::P) < padded(h, KW::P) + padded(h2, KW::P);
  }

  static void forward(const OvProblem* p, const double* W, double* u, int th) {
    if (narrow(p->m)) KN::forward(p, W, u, th);
    else KW::forward(p, W, u, th);
  }
  static void gradient(const OvProblem* p, const double* W, const double* r, double* G, int th) {
    if (narrow(p->m)) KN::gradient(p, W, r, G, th);
    else KW::gradient(p, W, r, G, th);
  }
  static void step(const OvProblem* p, double* W, const double* r, double eta, double* u, int th) {
    if (narrow(p->m)) KN::step(p, W, r, eta, u, th);
    else KW::step(p, W, r, eta, u, th);
  }
  static void jvp(const OvProblem* p, const double* W, const double* Vm, double* out, int th) {
    if (narrow(p->m)) KN::jvp(p, W, Vm, out, th);
    else KW::jvp(p, W, Vm, out, th);
  }
  static int64_t flips(const OvProblem* p, const double* W0, const double* W, int th) {
    return narrow(p->m) ? KN::flips(p, W0, W, th) : KW::flips(p, W0, W, th);
  }
  static void gram(const OvProblem* p, const double* W, double* H, int th) {
    if (narrow(p->m)) GK<V>::template gram<KN>(p, W, H, th);
    else GK<V>::template gram<KW>(p, W, H, th);
  }

  // A run remembers which panels it was begun on.
  struct Run {
    int narrow;
    void* run;
  };
  static void* run_begin(const OvProblem* p, const double* W, const double* W0, int flips, int th) {
    Run* r = (Run*)ov_alloc(sizeof(Run));
    if (!r) return 0;
    r->narrow = narrow(p->m);
    r->run = r->narrow ? KN::run_begin(p, W, W0, flips, th) : KW::run_begin(p, W, W0, flips, th);
    if (!r->run) {
      ov_free(r);
      return 0;
    }
    return r;
  }
  static void run_step(void* vr, const double* rr, double eta, double* u, double* move2, int* finite, int64_t* flips) {
    Run* r = (Run*)vr;
    if (r->narrow) KN::run_step(r->run, rr, eta, u, move2, finite, flips);
    else KW::run_step(r->run, rr, eta, u, move2, finite, flips);
  }
  static void run_accept(void* vr) {
    Run* r = (Run*)vr;
    if (r->narrow) KN::run_accept(r->run);
    else KW::run_accept(r->run);
  }
  static int run_team(void* vr) {
    Run* r = (Run*)vr;
    return r->narrow ? KN::run_team(r->run) : KW::run_team(r->run);
  }
  static void run_half(void* vr, int part, int cur, const double* rr, double eta, int64_t step) {
    Run* r = (Run*)vr;
    if (r->narrow) KN::run_half(r->run, part, cur, rr, eta, step);
    else KW::run_half(r->run, part, cur, rr, eta, step);
  }
  static void run_join(void* vr, int part, int64_t step, double* u, double* move2, int* finite, int64_t* flips) {
    Run* r = (Run*)vr;
    if (r->narrow) KN::run_join(r->run, part, step, u, move2, finite, flips);
    else KW::run_join(r->run, part, step, u, move2, finite, flips);
  }
  static void run_set_cur(void* vr, int cur) {
    Run* r = (Run*)vr;
    if (r->narrow) KN::run_set_cur(r->run, cur);
    else KW::run_set_cur(r->run, cur);
  }
  static void run_store(void* vr, double* W) {
    Run* r = (Run*)vr;
    if (r->narrow) KN::run_store(r->run, W);
    else KW::run_store(r->run, W);
  }
  static void run_end(void* vr) {
    Run* r = (Run*)vr;
    if (!r) return;
    if (r->narrow) KN::run_end(r->run);
    else KW::run_end(r->run);
    ov_free(r);
  }
};
