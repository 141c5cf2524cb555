// The neuron-panel kernels (NK): forward, gradient, step, jvp, pattern flips and the vector-function
// test entry point, for the pointwise forms (σ by kernel id, common.inl) and for the softmax
// network (its passes are the section "the softmax network" below). Neurons in SIMD lanes; see
// kernels.inl for the layout and README.md, "blocking and fusion", for the passes.

// ───────────────────────────── the neuron-panel kernels ─────────────────────────────

// The smallest unsigned type with at least P bits (P ≤ 32): one ReLU sign pattern of a panel.
template <bool S8, bool S16>
struct OvPatternType { typedef unsigned int T; };
template <>
struct OvPatternType<true, true> { typedef unsigned char T; };
template <>
struct OvPatternType<false, true> { typedef unsigned short T; };

template <class V>
struct NK {
  typedef typename V::T T;
  typedef typename V::R R;
  static const int L = V::L, NV = V::NV, P = V::NV * V::L, MR = V::MR, JB = V::JB;
  // MR samples a step in zdots: MR·NV independent FMA chains (16 with AVX-512, twice the 8 that
  // latency 4 × 2 FMA ports needs: the chains keep both ports busy also while a row group's exps
  // and stores run; 8 with AVX2's 16 registers). Rows go in whole groups of MR (X is packed and
  // zero-padded, pack_x); jvp keeps two accumulator blocks live and takes MRJ (a divisor of MR)
  // samples a step.
  static const int MRJ = V::MRJ;
  static_assert(V::MR % V::MRJ == 0, "MRJ must divide MR");
  static const int IB = 96;  // samples per block of the fused gradient: C block IB×P stays in L1
  static_assert(P <= 32, "a panel's sign pattern must fit in 32 bits");
  typedef typename OvPatternType<(P <= 8), (P <= 16)>::T Pattern;

  // What a chunk's task reports besides its partial sums, a cache line per chunk: neighbouring
  // chunks run on different workers, and a shared line would move between their cores on every
  // write.
  struct alignas(64) Report {
    double move2;   // softmax step: max_q ‖w_q − w_q(0)‖² over the chunk's neurons
    int64_t flips;  // flips: ReLU pattern flips against W(0) in the chunk
    int bad;        // softmax step: 1 if a new weight of the chunk is not finite
    // (the pointwise step reports through its worker's Fold instead)
  };

  // What a worker folded during one step (task_step), in its own scratch: the partial sums of
  // the chunks it ran in order from a half's first chunk, added exactly as reduce_chunks adds
  // them (from 0, chunk by chunk), and its chunks' reports combined. The caller then reads one
  // line and the folded sums from each worker instead of every chunk's n partial sums and
  // report: at (32, 8, 256) on two threads, 5 cache lines from the other core after every step
  // instead of 40 (native/README.md, "A run on two threads as a team").
  struct alignas(64) Fold {
    uint64_t job;   // the step (Ctx::job) the record is of; an older record is ignored
    int next[2];    // half h: chunks [first of h, next[h]) are folded into acc h (−1: none)
    double move2;   // max over the worker's chunks (each chunk's move2 is ≥ 0, never NaN)
    int bad;
    int64_t flips;
  };

  struct Ctx {
    const OvProblem* p;
    const T* X;             // row-major n×d, as given
    const T* XP;            // X packed in groups of MR rows (see pack_x), zero rows up to npad
    int n, d, m, act;
    int npad;               // n rounded up to a multiple of MR
    int njb;                // column blocks of JB in Xr
    int ib;                 // rows of an Xr tile: IB, or n when n < IB (no padding rows to store)
    int npan, nchunk;
    int h, npanA, nchunkA;  // the two halves [0,h) and [h,m): see Layout
    // step / gradient / forward / jvp / flips
    const double* Wc;       // read-only W, m×d (forward, gradient, jvp, flips, Gram)
    // a run of steps (Stepper) keeps W panel-major in float64: panel pi's d×P block at pi·d·P,
    // zero in padded lanes, so that loading, updating and measuring a panel are contiguous loops
    const double* Wp;       // the weights a step starts from; also what the softmax passes load (null: Wc)
    double* Wn;             // the weights a step writes (never the same buffer as Wp)
    double* Wmd;            // a single step (step()): W m×d, updated in place, each panel staged
                            // through two panel-major blocks of the worker's scratch (Scr::Ws, Wsn)
    bool stage;             // the scratch has room for the staging blocks
    const double* W0p;      // W(0) panel-major for the movement (null: not measured)
    // ReLU run that counts pattern flips: bit q of mask0[pi·npad + i] = [⟨w_q(0), x_i⟩ ≥ 0] for
    // neuron q of panel pi (null: not counted)
    Pattern* mask0;
    const double* W2;       // V for jvp, W for flips (second operand)
    const T* Xr;            // diag(r) X in T (step/gradient), packed for pass B (see set_r)
    // Small diag(r)X is formed by each worker in its own scratch instead (xr_of): the caller's copy
    // would have to move to every other core each step, and forming it costs n·d products.
    bool xrLocal;
    int64_t xrBytes;        // its size (set_r)
    const double* r;        // the step's residual (xrLocal)
    uint64_t rgen;          // bumped whenever r changes: a worker's copy is current if its tag matches
    uint64_t job;           // bumped for every step (step_on): tags the workers' Fold records
    double xmax;            // max_i ‖x_i‖ (Inf if any entry is not finite)
    double eta;
    double* G;              // gradient output (m×d)
    double* chunkU;         // nchunk×n partial outputs, reduced in chunk order
    double* redB;           // n: the second half's sum in reduce_chunks
    Report* rep;            // nchunk: what each chunk reports besides its partial sums
    // softmax only (null otherwise): per-sample M_i, c_i, m/D_i in T, npad each (rows past n: 0),
    // and the second nchunk×n block of partial sums (N_i beside D_i in chunkU)
    T *smM, *smC, *smS;
    double* chunkN;
    char* scratch;          // per-worker scratch, stride scratchBytes
    int64_t scratchBytes;
  };

  // per-worker scratch: Wt, Vt, G, ap (P), Cb (max(npad, IB)×P: σ' of a whole panel for step's
  // second pass, see task_step; the gradient alone reuses its first IB rows), Ul (npad×L); for
  // softmax also pad (P) and Ul2 (npad×L, the lane sums of N_i beside those of D_i in Ul)
  static int64_t scratch_bytes(int npad, int d, bool sm, bool stage, int64_t xrLocal) {
    int64_t b = stage ? 2 * (int64_t)d * P * sizeof(double) : 0;
    b += 64 + 2 * fold_slot_bytes(npad);  // two steps' Folds and sums (cache-line aligned)
    b += 64 + xrLocal;  // the tag (a cache line) and the worker's diag(r)X
    b += 3 * (int64_t)d * P * sizeof(T);
    b += (int64_t)P * sizeof(T);
    b += (int64_t)(npad > IB ? npad : IB) * P * sizeof(T);
    b += (int64_t)npad * L * sizeof(T);
    if (sm) b += (int64_t)P * sizeof(T) + (int64_t)npad * L * sizeof(T);
    return (b + 63) / 64 * 64 + 256;
  }
  // doubles of one folded half (npad, a multiple of MR, rounded up to a cache line)
  static int64_t acc_len(int npad) { return ((int64_t)npad + 7) / 8 * 8; }
  // A Fold and its two sums. A worker has two, used by steps of odd and of even Ctx::job: in a
  // team run (run_half) the other thread may still be reading this step's sums while this one
  // folds the next step's.
  static int64_t fold_slot_bytes(int npad) { return (int64_t)sizeof(Fold) + 2 * acc_len(npad) * (int64_t)sizeof(double); }
  struct Scr {
    double *Ws, *Wsn;  // single step: the panel's weights before and after (null in a run)
    char* folds;       // the worker's two Fold slots (fold_of)
    uint64_t* xrTag;   // the rgen its Xr was formed for (xrLocal)
    T *Xr, *Wt, *Vt, *G, *ap, *Cb, *Ul, *pad, *Ul2;
  };
  static Scr scr(const Ctx& c, int worker) {
    char* base = c.scratch + (int64_t)worker * c.scratchBytes;
    Scr s;
    s.Ws = s.Wsn = 0;
    if (c.stage) {  // float64 first: the base is 64-byte aligned
      s.Ws = (double*)base;
      s.Wsn = s.Ws + (int64_t)c.d * P;
      base = (char*)(s.Wsn + (int64_t)c.d * P);
    }
    base = (char*)(((uintptr_t)base + 63) / 64 * 64);
    s.folds = base;
    base += 2 * fold_slot_bytes(c.npad);
    s.xrTag = (uint64_t*)base;
    base += 64;
    s.Xr = (T*)base;
    base += c.xrLocal ? c.xrBytes : 0;
    T* t = (T*)base;
    s.Wt = t; t += (int64_t)c.d * P;
    s.Vt = t; t += (int64_t)c.d * P;
    s.G = t; t += (int64_t)c.d * P;
    s.ap = t; t += P;
    s.Cb = t; t += (int64_t)(c.npad > IB ? c.npad : IB) * P;
    s.Ul = t; t += (int64_t)c.npad * L;
    s.pad = 0;
    s.Ul2 = 0;
    if (c.act == OV_ACT_SOFTMAX) {
      s.pad = t; t += P;
      s.Ul2 = t;
    }
    return s;
  }

  // What the softmax passes read besides X and the panel (unused by the pointwise forms):
  struct Sm {
    const T* ap;   // a_q of the panel, 0 in padded lanes
    const T* pad;  // 0, or −∞ in padded lanes: z + pad keeps padded neurons out of the max and the sums
    const T* M;    // M_i = max_r z_ir, npad (rows past n: 0)
    const T* c;    // c_i = N_i / D_i
    const T* s;    // m / D_i
  };
  static Sm sm_of(const Ctx& c, const Scr& s) {
    Sm sm = {s.ap, s.pad, c.smM, c.smC, c.smS};
    return sm;
  }

  // Transpose neurons [r0, r0+cnt) of an m×d float64 matrix into a d×P panel of T, zero-padded:
  // padded neurons have w = 0 and a = 0, so they add exactly 0 to every sum.
  // U: T for the kernels' panel, double for a single step's staging block (stage_in).
  template <class U>
  static void load_panel(const double* W, int d, int r0, int cnt, U* Wt) {
    for (int j = 0; j < d; j++) {
      U* row = Wt + (int64_t)j * P;
      for (int q = 0; q < cnt; q++) row[q] = (U)W[(int64_t)(r0 + q) * d + j];
      for (int q = cnt; q < P; q++) row[q] = 0;
    }
  }
  static void load_a(const double* a, int r0, int cnt, T* ap) {
    for (int q = 0; q < cnt; q++) ap[q] = (T)a[r0 + q];
    for (int q = cnt; q < P; q++) ap[q] = 0;
  }
  // softmax: 0 for the panel's neurons, −∞ for its padded lanes (their z is exactly 0, so z + pad
  // is −∞: never the max, and e^{−∞ − M} = 0 in every sum)
  static void load_pad(int cnt, T* pad) {
    for (int q = 0; q < P; q++) pad[q] = q < cnt ? (T)0 : -__builtin_inf();
  }
  // A panel-major block (Ctx::Wp) into Wt: a contiguous conversion, padded lanes already zero.
  static void load_block(const double* __restrict B, int d, T* __restrict Wt) {
    for (int64_t k = 0; k < (int64_t)d * P; k++) Wt[k] = (T)B[k];
  }
  // A panel-major block as T: the block itself when T is double, else converted into tmp.
  static const T* as_t(const double* B, int d, T* tmp) {
    if constexpr (sizeof(T) == sizeof(double)) {
      return (const T*)B;
    } else {
      load_block(B, d, tmp);
      return tmp;
    }
  }
  // Panel pi of the weights the forward-type passes read: the run's panel-major Wp, else Wc
  // (loaded into tmp).
  static const T* load_w(const Ctx& c, int pi, int r0, int cnt, T* tmp) {
    if (c.Wp) return as_t(c.Wp + (int64_t)pi * c.d * P, c.d, tmp);
    load_panel(c.Wc, c.d, r0, cnt, tmp);
    return tmp;
  }

  // z[mr][v] = ⟨x_{i+mr}, w_q⟩ for the P neurons of the panel. M·NV independent FMA chains
  // hide the FMA latency; x is broadcast from memory, the panel row is loaded once per j.
  // Xi points into the packed X (pack_x): x_{i+mr, j} = Xi[j·MR + mr], so each j's M broadcasts
  // come from one cache line and the rows stream in order.
  template <int M>
  OV_INLINE static void zdots(const T* Xi, int d, const T* Wt, R z[M][NV]) {
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) z[mr][v] = V::zero();
#pragma GCC unroll 4
    for (int j = 0; j < d; j++) {
      R w[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) w[v] = V::load(Wt + (int64_t)j * P + v * L);
      // the next row group's x_{·j}: X leaves L1 once d is large (new/old 0.97–0.98 at d = 64, 0.99 at 16)
      if (M == MR) __builtin_prefetch(Xi + (int64_t)(d + j) * MR, 0, 3);
#pragma GCC unroll 8
      for (int mr = 0; mr < M; mr++) {
        R x = V::set1(Xi[(int64_t)j * MR + mr]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) z[mr][v] = V::fmadd(x, w[v], z[mr][v]);
      }
    }
  }

  // σ and σ' by kernel id: OvActivation (api.h) or the internal OV_ACT_EXP_NC (common.inl).
  template <int ACT> OV_INLINE static R sig(R z) { return ov_sig<V, ACT>(z); }
  template <int ACT> OV_INLINE static R dsig(R z) { return ov_dsig<V, ACT>(z); }

  // e^{z + pad − M_i} of the softmax network: ≤ 1 (z − M_i ≤ 0 by construction), 0 in padded lanes.
  OV_INLINE static R sm_exp(R z, R pad, R mi) { return V::exp(V::sub(V::add(z, pad), mi)); }

  // Pass A: C[i][q] = σ'(z_iq) for M samples i, i+1, … (the residual is folded into X, see
  // grad_panel); softmax: C[i][q] = φ_iq = m e^{z_iq − M_i} (a_q − c_i) / D_i.
  template <int ACT, int M>
  OV_INLINE static void passA(const T* Xi, int d, const T* Wt, T* Ci, const Sm& sm, int i) {
    R z[M][NV];
    zdots<M>(Xi, d, Wt, z);
    if constexpr (ACT == OV_ACT_SOFTMAX) {
      R av[NV], pv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) {
        av[v] = V::load(sm.ap + v * L);
        pv[v] = V::load(sm.pad + v * L);
      }
#pragma GCC unroll 8
      for (int mr = 0; mr < M; mr++) {
        R mi = V::set1(sm.M[i + mr]), ci = V::set1(sm.c[i + mr]), si = V::set1(sm.s[i + mr]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
          V::store(Ci + (int64_t)mr * P + v * L, ov_sm_phi<V>(sm_exp(z[mr][v], pv[v], mi), av[v], ci, si));
      }
    } else {
#pragma GCC unroll 8
      for (int mr = 0; mr < M; mr++)
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) V::store(Ci + (int64_t)mr * P + v * L, dsig<ACT>(z[mr][v]));
    }
  }

  // Pass B: G[j][q] += Σ_i (r_i x_ij) C[i][q] for J dimensions; J·NV accumulators in registers.
  // Xb: the block's packed diag(r)X columns, r_i x_ij = Xb[i·JB + jj] (set_r). FIRST: the first
  // block of samples, G starts at 0 (the same sums as from a zeroed G, without storing it).
  template <int J, bool FIRST>
  OV_INLINE static void passB(const T* Xb, int nb, const T* Cb, T* Gj) {
    R g[J][NV];
#pragma GCC unroll 8
    for (int jj = 0; jj < J; jj++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) g[jj][v] = FIRST ? V::zero() : V::load(Gj + (int64_t)jj * P + v * L);
#pragma GCC unroll 2
    for (int i = 0; i < nb; i++) {
      R c[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) c[v] = V::load(Cb + (int64_t)i * P + v * L);
#pragma GCC unroll 8
      for (int jj = 0; jj < J; jj++) {
        R x = V::set1(Xb[(int64_t)i * JB + jj]);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) g[jj][v] = V::fmadd(x, c[v], g[jj][v]);
      }
    }
#pragma GCC unroll 8
    for (int jj = 0; jj < J; jj++)
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) V::store(Gj + (int64_t)jj * P + v * L, g[jj][v]);
  }

  template <int J, bool FIRST>
  static inline void passB_tail(int rem, const T* Xb, int nb, const T* Cb, T* Gj) {
    if (J == 0) return;
    if (rem == J) passB<(J > 0 ? J : 1), FIRST>(Xb, nb, Cb, Gj);
    else passB_tail<(J > 0 ? J - 1 : 0), FIRST>(rem, Xb, nb, Cb, Gj);
  }

  // The gradient of one panel without the factor κ a_q (docs/theory.md §2; softmax: without κ,
  // σ'(⟨w_q,x_i⟩) read φ_iq, docs/theory.md §5):
  // G[j][q] = Σ_i σ'(⟨w_q,x_i⟩) · (r_i x_ij), with Xr = diag(r) X formed once per call. Samples go
  // in blocks of IB so that C never leaves L1: the n×m matrix of σ' values is never stored.
  // keep: block i0 goes to Cb + i0·P, so that the n×P σ' values of the panel (n×P, L2-resident)
  // are still there afterwards (step); otherwise every block reuses Cb[0, IB·P). Pass A runs over
  // whole groups of MR rows (IB is a multiple of MR): rows past n are zero, their σ' goes to Cb's
  // spare rows and pass B never reads it.
  template <int ACT>
  static void grad_panel(const Ctx& c, const T* Xr, const T* Wt, T* G, T* Cb0, bool keep, const Sm& sm) {
    const int n = c.n, d = c.d;
    if (n <= 0)
      for (int64_t k = 0; k < (int64_t)d * P; k++) G[k] = 0;
    for (int i0 = 0, b = 0; i0 < n; i0 += IB, b++) {
      int nb = ov_min(IB, n - i0);
      T* Cb = keep ? Cb0 + (int64_t)i0 * P : Cb0;
      for (int i = 0; i < nb; i += MR) passA<ACT, MR>(c.XP + (int64_t)(i0 + i) * d, d, Wt, Cb + (int64_t)i * P, sm, i0 + i);
      const T* Xrb = Xr + (int64_t)b * c.njb * c.ib * JB;
      int j0 = 0;
      if (b == 0) {  // every row of G is written here first
        for (; j0 + JB <= d; j0 += JB, Xrb += c.ib * JB) passB<JB, true>(Xrb, nb, Cb, G + (int64_t)j0 * P);
        if (j0 < d) passB_tail<JB - 1, true>(d - j0, Xrb, nb, Cb, G + (int64_t)j0 * P);
      } else {
        for (; j0 + JB <= d; j0 += JB, Xrb += c.ib * JB) passB<JB, false>(Xrb, nb, Cb, G + (int64_t)j0 * P);
        if (j0 < d) passB_tail<JB - 1, false>(d - j0, Xrb, nb, Cb, G + (int64_t)j0 * P);
      }
    }
  }
  static void grad_any(int act, const Ctx& c, const T* Xr, const T* Wt, T* G, T* Cb, bool keep, const Sm& sm) {
    switch (act) {
      case OV_ACT_EXP: grad_panel<OV_ACT_EXP>(c, Xr, Wt, G, Cb, keep, sm); break;
      case OV_ACT_EXP_NC: grad_panel<OV_ACT_EXP_NC>(c, Xr, Wt, G, Cb, keep, sm); break;
      case OV_ACT_RELU: grad_panel<OV_ACT_RELU>(c, Xr, Wt, G, Cb, keep, sm); break;
      case OV_ACT_COSH: grad_panel<OV_ACT_COSH>(c, Xr, Wt, G, Cb, keep, sm); break;
      case OV_ACT_SINH: grad_panel<OV_ACT_SINH>(c, Xr, Wt, G, Cb, keep, sm); break;
      case OV_ACT_SOFTMAX: grad_panel<OV_ACT_SOFTMAX>(c, Xr, Wt, G, Cb, keep, sm); break;
    }
  }

  // Pass C: Ul[i] += Σ_v a_v ⊙ σ(z_iv) (lane-wise partial sums of u_i / κ, docs/theory.md §1).
  template <int ACT, int M>
  OV_INLINE static void passC(const T* Xi, int d, const T* Wt, const T* ap, T* Ui) {
    R z[M][NV];
    zdots<M>(Xi, d, Wt, z);
    R av[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) av[v] = V::load(ap + v * L);
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc = V::fmadd(av[v], sig<ACT>(z[mr][v]), acc);
      V::store(Ui + (int64_t)mr * L, acc);
    }
  }
  // Whole groups of MR rows: Ul rows past n collect the zero rows' σ(0) and are never read.
  template <int ACT>
  static void fwd_panel(const T* XP, int n, int d, const T* Wt, const T* ap, T* Ul) {
    for (int i = 0; i < n; i += MR) passC<ACT, MR>(XP + (int64_t)i * d, d, Wt, ap, Ul + (int64_t)i * L);
  }
  static void fwd_any(int act, const T* XP, int n, int d, const T* Wt, const T* ap, T* Ul) {
    switch (act) {
      case OV_ACT_EXP: fwd_panel<OV_ACT_EXP>(XP, n, d, Wt, ap, Ul); break;
      case OV_ACT_EXP_NC: fwd_panel<OV_ACT_EXP_NC>(XP, n, d, Wt, ap, Ul); break;
      case OV_ACT_RELU: fwd_panel<OV_ACT_RELU>(XP, n, d, Wt, ap, Ul); break;
      case OV_ACT_COSH: fwd_panel<OV_ACT_COSH>(XP, n, d, Wt, ap, Ul); break;
      case OV_ACT_SINH: fwd_panel<OV_ACT_SINH>(XP, n, d, Wt, ap, Ul); break;
    }
  }

  // Sign pattern of the M rows' z: bit v·L + l of the result = [z[mr][v] lane l ≥ 0] (NaN: 0).
  template <int M>
  OV_INLINE static void patterns(const R z[M][NV], unsigned out[M]) {
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      unsigned mk = 0;
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) mk |= V::ge0(z[mr][v]) << (v * L);
      out[mr] = mk;
    }
  }
  // ReLU pass C that also counts the pattern flips against W(0): the z it computes anyway,
  // compared with the stored pattern of the same rows (Ctx::mask0).
  template <int M>
  OV_INLINE static int64_t passCF(const T* Xi, int d, const T* Wt, const T* ap, T* Ui, const Pattern* m0) {
    R z[M][NV];
    zdots<M>(Xi, d, Wt, z);
    R av[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) av[v] = V::load(ap + v * L);
    unsigned mk[M];
    patterns<M>(z, mk);
    int64_t flips = 0;
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc = V::fmadd(av[v], sig<OV_ACT_RELU>(z[mr][v]), acc);
      V::store(Ui + (int64_t)mr * L, acc);
      flips += __builtin_popcount(mk[mr] ^ (unsigned)m0[mr]);
    }
    return flips;
  }
  static int64_t fwd_relu_flips(const T* XP, int n, int d, const T* Wt, const T* ap, T* Ul, const Pattern* m0) {
    int64_t flips = 0;
    for (int i = 0; i < n; i += MR) flips += passCF<MR>(XP + (int64_t)i * d, d, Wt, ap, Ul + (int64_t)i * L, m0 + i);
    return flips;
  }
  // The sign patterns of every row group at the panel Wt into m0 (npad entries).
  static void panel_patterns(const T* XP, int npad, int d, const T* Wt, Pattern* m0) {
    for (int i = 0; i < npad; i += MR) {
      R z[MR][NV];
      zdots<MR>(XP + (int64_t)i * d, d, Wt, z);
      unsigned mk[MR];
      patterns<MR>(z, mk);
      for (int mr = 0; mr < MR; mr++) m0[i + mr] = (Pattern)mk[mr];
    }
  }

  // Cauchy–Schwarz bound on every argument of a panel: |⟨w_q, x_i⟩| ≤ max_q ‖w_q‖ · max_i ‖x_i‖.
  // NaN anywhere gives NaN, which fails every "bound < limit" test below.
  static double zbound(double xmax, const T* Wt, int d) { return xmax * __builtin_sqrt(max_sq(Wt, d)) * 1.0000001; }
  // max_q Σ_j Wt[j][q]² in float64 for a transposed panel. The P sums run side by side (j outer,
  // q inner) so that the loop vectorises instead of waiting on one addition chain per neuron; each
  // sum still adds its terms in the order j = 0, 1, …
  static double max_sq(const T* Wt, int d) {
    double s[P];
    for (int q = 0; q < P; q++) s[q] = 0;
    for (int j = 0; j < d; j++)
      for (int q = 0; q < P; q++) s[q] += (double)Wt[(int64_t)j * P + q] * (double)Wt[(int64_t)j * P + q];
    return lane_max(s);
  }
  static double lane_max(const double* s) {
    bool nan = false;
    for (int q = 0; q < P; q++) nan |= s[q] != s[q];
    if (nan) {
      double w = 0;
      for (int q = 0; q < P; q++)
        if (!(s[q] <= w)) w = s[q];
      return w;
    }
    double t[P];
    for (int q = 0; q < P; q++) t[q] = s[q];
    return tree_max(t);
  }
  template <int H = P>
  OV_INLINE static double tree_max(double* t) {
    if constexpr (H > 1) {
      constexpr int K = (H + 1) / 2;
#pragma GCC unroll 16
      for (int q = 0; q + K < H; q++) t[q] = t[q] > t[q + K] ? t[q] : t[q + K];
      return tree_max<K>(t);
    } else {
      return t[0] > 0 ? t[0] : 0;
    }
  }
  // Which σ to use for a panel: for exp, the unclamped vector exp when the bound is < EXP_SAFE.
  static int act_for(int act, double xmax, const T* Wt, int d) {
    if (act != OV_ACT_EXP) return act;
    return zbound(xmax, Wt, d) < V::EXP_SAFE ? OV_ACT_EXP_NC : OV_ACT_EXP;
  }

  // ── step's second pass by an exp update (README.md, "blocking and fusion") ──
  // After the update w_q ← w_q + Δw_q of a panel, e^{z'} = e^{z} · e^{δ} with δ = ⟨Δw_q, x_i⟩:
  // e^{z} is still in Cb from pass A, δ costs the dot product that z' would have cost, and e^{δ}
  // needs only a short polynomial since |δ| ≤ b := max_q ‖Δw_q‖ · max_i ‖x_i‖ is small.
  // e^δ − 1 = δ·p_K(δ), p_K = Σ_{k=1..K} δ^{k−1}/k!, truncation relative to e^δ at most
  // b^{K+1}/(K+1)! · e^{2b}; K is the least degree that makes this ≤ FX_TOL (½ ulp) for the
  // panel's b, 0 (= recompute z' and the full exp) when b > ½ or K would exceed FX_KMAX, where
  // the polynomial stops being cheaper than the exp.
  static constexpr double FX_TOL = sizeof(T) == 8 ? 0x1p-54 : 0x1p-25;
  static const int FX_KMAX = sizeof(T) == 8 ? 11 : 7;
  // |z|, |z'| below FX_LIM: e^{z} and e^{z'} are normal and finite, so the product is as
  // accurate as the exp (no overflow to +Inf, no subnormal e^{z} losing bits); else recompute.
  static constexpr double FX_LIM = sizeof(T) == 8 ? 700.0 : 80.0;
  static constexpr double ifact(int k) {
    double f = 1;
    for (int t = 2; t <= k; t++) f *= t;  // exact for k ≤ 18
    return 1.0 / f;
  }
  // The degree test "3·t_K ≤ FX_TOL", t_0 = b, t_K = t_{K−1}·b/(K+1), each operation rounded.
  static bool fx_enough(double b, int K) {
    double t = b;  // b^{K+1}/(K+1)! for K = 0
    for (int k = 1; k <= K; k++) t = t * b / (k + 1);
    return 3 * t <= FX_TOL;
  }
  // The least K ≤ FX_KMAX with fx_enough(b, K), 0 if none or b > ½ (NaN too; e^{2b} ≤ e < 3 in the
  // bound). Every operation of t_K is monotone in b ≥ 0 (products and quotients of non-negative
  // numbers, correctly rounded), so fx_enough(b, K) holds exactly for b ≤ β_K, the largest double
  // where it holds: comparisons with β_K, found once by bisection on the bit patterns, give the
  // same K as evaluating the test K by K, without its chain of divisions.
  struct FxBeta {
    double beta[FX_KMAX + 1];
    FxBeta() {
      beta[0] = -1;
      for (int K = 1; K <= FX_KMAX; K++) {
        uint64_t lo = 0, hi = bits(0.5);  // fx_enough(0, K) holds
        if (fx_enough(0.5, K)) lo = hi;
        while (hi - lo > 1) {  // fx_enough(lo) holds, fx_enough(hi) does not
          uint64_t mid = lo + (hi - lo) / 2;
          if (fx_enough(of_bits(mid), K)) lo = mid;
          else hi = mid;
        }
        beta[K] = of_bits(lo);
      }
    }
    static uint64_t bits(double x) { uint64_t u; __builtin_memcpy(&u, &x, 8); return u; }
    static double of_bits(uint64_t u) { double x; __builtin_memcpy(&x, &u, 8); return x; }
  };
  static int fx_degree(double b) {
    static const FxBeta fb;
    if (!(b <= 0.5)) return 0;
    for (int K = 1; K <= FX_KMAX; K++)
      if (b <= fb.beta[K]) return K;
    return 0;
  }

  // Ul[i] += Σ_v a_v ⊙ (E ⊙ e^{δ}), E = Ei[mr][v] = e^{z} from pass A, δ = ⟨Δw_q, x_i⟩ (Dt: Δw
  // transposed like Wt). e^{z+δ} = E + (E δ) p_K(δ): one rounding after the correction.
  template <int K, int M>
  OV_INLINE static void passE(const T* Xi, int d, const T* Dt, const T* Ei, const T* ap, T* Ui) {
    R z[M][NV];
    zdots<M>(Xi, d, Dt, z);
    R av[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) av[v] = V::load(ap + v * L);
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) {
        R dl = z[mr][v];
        R p = V::set1((T)ifact(K));
#pragma GCC unroll 16
        for (int k = K - 1; k >= 1; k--) p = V::fmadd(p, dl, V::set1((T)ifact(k)));
        R e = V::load(Ei + (int64_t)mr * P + v * L);
        acc = V::fmadd(av[v], V::fmadd(V::mul(e, dl), p, e), acc);
      }
      V::store(Ui + (int64_t)mr * L, acc);
    }
  }
  template <int K>
  static void fwdE_panel(const T* XP, int n, int d, const T* Dt, const T* Eb, const T* ap, T* Ul) {
    for (int i = 0; i < n; i += MR)
      passE<K, MR>(XP + (int64_t)i * d, d, Dt, Eb + (int64_t)i * P, ap, Ul + (int64_t)i * L);
  }
  template <int K>
  static void fwdE_any(int k, const T* XP, int n, int d, const T* Dt, const T* Eb, const T* ap, T* Ul) {
    if (k == K) fwdE_panel<K>(XP, n, d, Dt, Eb, ap, Ul);
    else if constexpr (K > 1) fwdE_any<K - 1>(k, XP, n, d, Dt, Eb, ap, Ul);
  }

  // JVP: Ul[i] += Σ_v a_v ⊙ σ'(z_iv) ⊙ ⟨v_q, x_i⟩; softmax: Ul[i] += Σ_v φ_iv ⊙ ⟨v_q, x_i⟩.
  template <int ACT, int M>
  OV_INLINE static void passJ(const T* Xi, int d, const T* Wt, const T* Vt, const T* ap, T* Ui, const Sm& sm, int i) {
    R z[M][NV], zv[M][NV];
    zdots<M>(Xi, d, Wt, z);
    zdots<M>(Xi, d, Vt, zv);
    R av[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) av[v] = V::load(ap + v * L);
    if constexpr (ACT == OV_ACT_SOFTMAX) {
      R pv[NV];
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) pv[v] = V::load(sm.pad + v * L);
#pragma GCC unroll 8
      for (int mr = 0; mr < M; mr++) {
        R mi = V::set1(sm.M[i + mr]), ci = V::set1(sm.c[i + mr]), si = V::set1(sm.s[i + mr]);
        R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++)
          acc = V::fmadd(ov_sm_phi<V>(sm_exp(z[mr][v], pv[v], mi), av[v], ci, si), zv[mr][v], acc);
        V::store(Ui + (int64_t)mr * L, acc);
      }
    } else {
#pragma GCC unroll 8
      for (int mr = 0; mr < M; mr++) {
        R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
        for (int v = 0; v < NV; v++) acc = V::fmadd(V::mul(av[v], dsig<ACT>(z[mr][v])), zv[mr][v], acc);
        V::store(Ui + (int64_t)mr * L, acc);
      }
    }
  }

  // ── chunks: a fixed partition of the panels that does not depend on the thread count ──
  // The neurons are split into two halves [0, h) and [h, m), h = ⌊m/2⌋, each cut into panels of P
  // neurons from its own start and the panels into chunks the same way. Two halves of equal length
  // are thus computed and reduced identically; with coupled initialisation (second half = first
  // half with negated a_r) their partial sums are exact negatives and F(W(0), x) = 0 exactly, as in
  // the reference backend (docs/theory.md §3).
  static int chunks_for(int npan) { return npan < 64 ? npan : 64; }
  static void chunk_range(int npan, int nchunk, int c, int* p0, int* p1) {
    *p0 = (int)((int64_t)c * npan / nchunk);
    *p1 = (int)((int64_t)(c + 1) * npan / nchunk);
  }
  struct Layout { int h, npanA, nchunkA, npan, nchunk; };
  static Layout layout(int m) {
    Layout l;
    l.h = m / 2;
    l.npanA = (l.h + P - 1) / P;
    int npanB = (m - l.h + P - 1) / P;
    l.nchunkA = chunks_for(l.npanA);
    l.npan = l.npanA + npanB;
    l.nchunk = l.nchunkA + chunks_for(npanB);
    return l;
  }
  // Panels [p0, p1) of a chunk, as global panel indices.
  static void chunk_panels(const Ctx& c, int chunk, int* p0, int* p1) {
    if (chunk < c.nchunkA) {
      chunk_range(c.npanA, c.nchunkA, chunk, p0, p1);
    } else {
      chunk_range(c.npan - c.npanA, c.nchunk - c.nchunkA, chunk - c.nchunkA, p0, p1);
      *p0 += c.npanA;
      *p1 += c.npanA;
    }
  }
  // First neuron and neuron count of global panel pi.
  static void panel(const Ctx& c, int pi, int* r0, int* cnt) {
    if (pi < c.npanA) {
      *r0 = pi * P;
      *cnt = ov_min(P, c.h - *r0);
    } else {
      *r0 = c.h + (pi - c.npanA) * P;
      *cnt = ov_min(P, c.m - *r0);
    }
  }
  // Reduce the lanes of Ul into chunkU[c] (fixed lane order) and clear Ul (the padding rows too)
  // for the next chunk.
  // Rows go in groups of MR (npad is a multiple of MR); each sum adds its lanes in the order
  // l = 0, 1, …, from 0: where the traits have rowsums (float64, MR = L) a group's rows are added
  // side by side, with the same roundings as the plain loop.
  // The clearing is MR vector stores (as a loop GCC makes it a rep stos, which cost a third of
  // the flush at n = 64), and a whole group's sums go straight to out.
  static void flush_chunk(T* __restrict Ul, int n, int npad, double* __restrict out) {
    for (int i0 = 0; i0 < npad; i0 += MR) {
      T* __restrict g = Ul + (int64_t)i0 * L;
      double s[MR];
      if constexpr (V::ROWSUMS && MR == L && sizeof(T) == sizeof(double)) {
        if (i0 + MR <= n) {
          V::rowsums((const double*)g, out + i0);
        } else {
          V::rowsums((const double*)g, s);
          for (int ii = 0; i0 + ii < n; ii++) out[i0 + ii] = s[ii];
        }
      } else {
        for (int ii = 0; ii < MR; ii++) {
          s[ii] = 0;
          for (int l = 0; l < L; l++) s[ii] += (double)g[ii * L + l];
        }
        for (int ii = 0; ii < MR && i0 + ii < n; ii++) out[i0 + ii] = s[ii];
      }
#pragma GCC unroll 16
      for (int k = 0; k < MR; k++) V::store(g + (int64_t)k * L, V::zero());
    }
  }
  // u_i = κ (Σ_{c in half A} chunkU[c][i] + Σ_{c in half B} chunkU[c][i]), chunks in order.
  // Chunks outer, samples inner: every u_i still adds its chunks in order, and the loop vectorises.
  static void reduce_chunks(const Ctx& c, double* __restrict u) {
    double* __restrict b = c.redB;
    for (int i = 0; i < c.n; i++) u[i] = b[i] = 0;
    for (int k = 0; k < c.nchunk; k++) {
      const double* __restrict ck = c.chunkU + (int64_t)k * c.n;
      double* __restrict acc = k < c.nchunkA ? u : b;
      for (int i = 0; i < c.n; i++) acc[i] += ck[i];
    }
    for (int i = 0; i < c.n; i++) u[i] = c.p->kappa * (u[i] + b[i]);
  }
  // reduce_chunks after task_step, the same bits: each half's sum starts from the longest prefix
  // a worker folded (fold_chunk) and adds the remaining chunks in order. With two threads each
  // worker runs one half, so nothing is left but the two folded sums. move2, bad and flips: over
  // the workers' combined reports (a maximum, an or and an integer sum: any grouping is exact).
  // b: n doubles of scratch (the second half's sum).
  static void reduce_folded(const Ctx& c, int th, double* __restrict u, double* __restrict b, double* move2, int* finite, int64_t* flips) {
    const double* acc[2] = {0, 0};
    int next[2] = {0, c.nchunkA};
    double m2 = 0;
    bool bad = false;
    int64_t f = 0;
    for (int w = 0; w < th; w++) {
      Fold* fp = fold_of(c, scr(c, w));
      const Fold& fw = *fp;
      if (fw.job != c.job) continue;  // ran no chunk of this step
      for (int h = 0; h < 2; h++)
        if (fw.next[h] > next[h]) {
          next[h] = fw.next[h];
          acc[h] = fold_acc(c, fp, h);
        }
      if (fw.move2 > m2) m2 = fw.move2;
      if (fw.bad) bad = true;
      f += fw.flips;
    }
    double* sums[2] = {u, b};
    const int end[2] = {c.nchunkA, c.nchunk};
    for (int h = 0; h < 2; h++) {
      double* __restrict v = sums[h];
      if (acc[h]) {
        for (int i = 0; i < c.n; i++) v[i] = acc[h][i];
      } else {
        for (int i = 0; i < c.n; i++) v[i] = 0;
      }
      for (int k = next[h]; k < end[h]; k++) {
        const double* __restrict ck = c.chunkU + (int64_t)k * c.n;
        for (int i = 0; i < c.n; i++) v[i] += ck[i];
      }
    }
    for (int i = 0; i < c.n; i++) u[i] = c.p->kappa * (u[i] + b[i]);
    *move2 = m2;
    *finite = !bad;
    *flips = f;
  }

  // ── a step on the panel-major weights of a run (Ctx::Wp → Ctx::Wn), or on m×d W (Ctx::Wmd) ──
  // Neurons r0 … r0+cnt−1 of m×d W into a panel-major float64 d×P block (padded lanes 0), and back.
  static void stage_in(const double* W, int d, int r0, int cnt, double* B) { load_panel(W, d, r0, cnt, B); }
  static void stage_out(const double* B, int d, int r0, int cnt, double* W) {
    for (int q = 0; q < cnt; q++)
      for (int j = 0; j < d; j++) W[(int64_t)(r0 + q) * d + j] = B[(int64_t)j * P + q];
  }
  // Panel pi's weights before (w) and after (wn) the step: the run's blocks, or for a single step
  // the worker's staging blocks, w loaded from Wmd (wn goes back to Wmd once the panel is done).
  static void step_blocks(const Ctx& c, const Scr& s, int pi, int r0, int cnt, const double** w, double** wn) {
    if (c.Wmd) {
      stage_in(c.Wmd, c.d, r0, cnt, s.Ws);
      *w = s.Ws;
      *wn = s.Wsn;
    } else {
      *w = c.Wp + (int64_t)pi * c.d * P;
      *wn = c.Wn + (int64_t)pi * c.d * P;
    }
  }
  // W ← W − η κ a_q G (docs/theory.md §2; softmax: η κ G) for panel pi, in float64 whatever the
  // kernel precision, and what the step reports of the new weights, in one pass over the d×P block.
  // Lanes run over the panel's neurons; each weight is the same two roundings as the scalar
  // w − (coef·g) with coef = (η κ)·a_q, and each lane's sums add their terms in the order
  // j = 0, 1, …: ‖w_q − w_q(0)‖² as src/model/movement.ts adds it (the recorded movement keeps its
  // bits), Σ (w − w) (0 for finite weights, NaN otherwise) and, with Dt (exp), ‖Δw_q‖² of
  // Δw = w_new − w_old in T, pass E's operand. Padded lanes of wn and Dt are set to 0 (a = 0 there,
  // but g may be anything) and count as 0 in every sum.
  struct Tail {
    double move2;  // max_q ‖w_q − w_q(0)‖² (0 without W(0))
    double dmax2;  // max_q ‖Δw_q‖² as max_sq(Dt) gives it (0 without Dt)
    bool finite;
  };
  template <bool D, bool M0>
  static Tail update_tail(const Ctx& c, int pi, int r0, int cnt, const double* __restrict w, double* __restrict wn, const T* __restrict G,
                          T* __restrict Dt) {
    const int d = c.d;
    const double ek = c.eta * c.p->kappa;
    // coef_q = (η κ)·a_q, formed where it is used (a full panel reads a_q in place; stored
    // coefficients would be read back before their stores have landed); softmax: a_q = 1 here
    const bool sm0 = c.act == OV_ACT_SOFTMAX;
    double apad[P];
    const double* aq = c.p->a + r0;
    if (sm0 || cnt < P) {
      for (int q = 0; q < P; q++) apad[q] = q < cnt ? (sm0 ? 1.0 : aq[q]) : 0;
      aq = apad;
    }
    const double* __restrict w0 = M0 ? c.W0p + (int64_t)pi * d * P : 0;
    double sd[P], sm[P], fin[P];
    for (int q = 0; q < P; q++) sd[q] = sm[q] = fin[q] = 0;
    for (int j = 0; j < d; j++) {
      const double* __restrict wj = w + (int64_t)j * P;
      double* __restrict nj = wn + (int64_t)j * P;
      const T* __restrict gj = G + (int64_t)j * P;
      for (int q = 0; q < P; q++) {
        const double x = wj[q] - (ek * aq[q]) * (double)gj[q];
        nj[q] = x;
        fin[q] += x - x;
        if (M0) {
          const double t = x - w0[(int64_t)j * P + q];
          sm[q] += t * t;
        }
        if (D) {
          const T dl = (T)(x - wj[q]);
          Dt[(int64_t)j * P + q] = dl;
          sd[q] += (double)dl * (double)dl;
        }
      }
    }
    if (cnt < P) {
      for (int j = 0; j < d; j++)
        for (int q = cnt; q < P; q++) {
          wn[(int64_t)j * P + q] = 0;
          if (D) Dt[(int64_t)j * P + q] = 0;
        }
      for (int q = cnt; q < P; q++) sd[q] = sm[q] = fin[q] = 0;
    }
    Tail r;
    r.dmax2 = D ? lane_max(sd) : 0;
    // the movement: the largest live sum, NaN ignored, as "if (s > best) best = s" from best = 0;
    // finite: every fin[q] is 0 (it is 0 or NaN), i.e. their sum is 0
    r.move2 = 0;
    if (M0) {
      for (int q = 0; q < P; q++) sm[q] = sm[q] > 0 ? sm[q] : 0;
      r.move2 = tree_max(sm);
    }
    bool ok = true;
    for (int q = 0; q < P; q++) ok &= fin[q] == 0;
    r.finite = ok;
    return r;
  }
  // update_tail with its options as run-time flags: Dt (exp's pass E), W(0) (the movement)
  static Tail update_any(const Ctx& c, int pi, int r0, int cnt, const double* w, double* wn, const T* G, T* Dt) {
    if (Dt) return c.W0p ? update_tail<true, true>(c, pi, r0, cnt, w, wn, G, Dt) : update_tail<true, false>(c, pi, r0, cnt, w, wn, G, Dt);
    return c.W0p ? update_tail<false, true>(c, pi, r0, cnt, w, wn, G, 0) : update_tail<false, false>(c, pi, r0, cnt, w, wn, G, 0);
  }

  // the worker's Fold for the step c.job, and its folded sum of half h
  static Fold* fold_of(const Ctx& c, const Scr& s) { return (Fold*)(s.folds + (int64_t)(c.job & 1) * fold_slot_bytes(c.npad)); }
  static double* fold_acc(const Ctx& c, Fold* f, int h) { return (double*)(f + 1) + h * acc_len(c.npad); }
  // Write-prefetch (PREFETCHW) what a chunk's task writes and the caller read after the last
  // step: its partial sums, and at the worker's first chunk of a step its Fold and sums. The caller's reads left those lines shared; a store to one then waits for the other
  // core to give it up, and the stores behind it (the next panel's σ' block) fill the store
  // buffer and stall the worker. Fetched for ownership here, they are the worker's before the
  // chunk's ~0.5 µs of arithmetic ends (32, 8, 256: 6.26 → 5.72 µs a step). Changes no value.
  static void own_outputs(const Ctx& c, const Scr& s, int chunk) {
    const char* u = (const char*)(c.chunkU + (int64_t)chunk * c.n);
    for (int64_t b = 0; b < (int64_t)c.n * (int64_t)sizeof(double); b += 64) __builtin_prefetch(u + b, 1, 3);
    const Fold* fo = fold_of(c, s);
    if (fo->job != c.job)
      for (int64_t b = 0; b < fold_slot_bytes(c.npad); b += 64) __builtin_prefetch((const char*)fo + b, 1, 3);
  }
  // After chunk `chunk` flushed its partial sums: fold them into the worker's sum of its half if
  // they continue it (or start it, at the half's first chunk), and combine its report. The sums
  // are those reduce_chunks forms (from 0, chunk by chunk, in order), so reduce_folded gives the
  // same bits whichever worker ran which chunk.
  static void fold_chunk(const Ctx& c, const Scr& s, int chunk, double move2, bool bad, int64_t flips) {
    Fold& f = *fold_of(c, s);
    if (f.job != c.job) {
      f.job = c.job;
      f.next[0] = f.next[1] = -1;
      f.move2 = 0;
      f.bad = 0;
      f.flips = 0;
    }
    const int h = chunk < c.nchunkA ? 0 : 1;
    const double* __restrict ck = c.chunkU + (int64_t)chunk * c.n;
    double* __restrict acc = fold_acc(c, &f, h);
    if (chunk == (h == 0 ? 0 : c.nchunkA)) {
      for (int i = 0; i < c.n; i++) acc[i] = 0;
      for (int i = 0; i < c.n; i++) acc[i] += ck[i];
      f.next[h] = chunk + 1;
    } else if (f.next[h] == chunk) {
      for (int i = 0; i < c.n; i++) acc[i] += ck[i];
      f.next[h] = chunk + 1;
    }
    if (move2 > f.move2) f.move2 = move2;
    if (bad) f.bad = 1;
    f.flips += flips;
  }
  template <int ACT>
  static void task_step(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    own_outputs(c, s, chunk);
    const Sm sm = sm_of(c, s);
    const T* Xr = xr_of(c, s);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    double move2 = 0;
    bool bad = false;
    int64_t flips = 0;
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      const double *w;
      double* wn;
      step_blocks(c, s, pi, r0, cnt, &w, &wn);
      const T* Wt = as_t(w, c.d, s.Wt);
      load_a(c.p->a, r0, cnt, s.ap);
      double bz = ACT == OV_ACT_EXP ? zbound(c.xmax, Wt, c.d) : 0;
      int actA = ACT != OV_ACT_EXP ? ACT : bz < V::EXP_SAFE ? OV_ACT_EXP_NC : OV_ACT_EXP;
      // exp: pass A leaves e^{z} of all n samples in Cb for the exp update below
      grad_any(actA, c, Xr, Wt, s.G, s.Cb, ACT == OV_ACT_EXP, sm);
      // for exp, keep Δw transposed in Vt: max ‖Δw_q‖ bounds δ
      T* Dt = s.Vt;
      const Tail tl = update_any(c, pi, r0, cnt, w, wn, s.G, ACT == OV_ACT_EXP ? Dt : 0);
      if (tl.move2 > move2) move2 = tl.move2;
      if (!tl.finite) bad = true;
      // the exp update of pass E is for exp only; cosh, sinh and ReLU recompute σ (pass C)
      int K = 0;
      if (ACT == OV_ACT_EXP) {
        double bd = c.xmax * __builtin_sqrt(tl.dmax2) * 1.000001;  // ≥ |δ| as computed in T
        if (bz + bd < FX_LIM) K = fx_degree(bd);                          // NaN fails both
      }
      if (K > 0) {
        fwdE_any<FX_KMAX>(K, c.XP, c.n, c.d, Dt, s.Cb, s.ap, s.Ul);
      } else {
        const T* Wn = as_t(wn, c.d, s.Wt);  // u at the new weights: the second σ per pair
        if (ACT == OV_ACT_RELU && c.mask0) flips += fwd_relu_flips(c.XP, c.n, c.d, Wn, s.ap, s.Ul, c.mask0 + (int64_t)pi * c.npad);
        else fwd_any(act_for(ACT, c.xmax, Wn, c.d), c.XP, c.n, c.d, Wn, s.ap, s.Ul);
      }
      if (c.Wmd) stage_out(wn, c.d, r0, cnt, c.Wmd);
    }
    flush_chunk(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
    fold_chunk(c, s, chunk, move2, bad, flips);
  }

  template <int ACT>
  static void task_forward(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);
      load_a(c.p->a, r0, cnt, s.ap);
      fwd_any(act_for(ACT, c.xmax, s.Wt, c.d), c.XP, c.n, c.d, s.Wt, s.ap, s.Ul);
    }
    flush_chunk(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
  }

  // g_q = κ a_q G (pointwise) or κ G (softmax: a_q is inside φ)
  template <int ACT>
  static void task_gradient(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    const Sm sm = sm_of(c, s);
    const T* Xr = xr_of(c, s);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);
      if (ACT == OV_ACT_SOFTMAX) {
        load_a(c.p->a, r0, cnt, s.ap);
        load_pad(cnt, s.pad);
      }
      grad_any(act_for(ACT, c.xmax, s.Wt, c.d), c, Xr, s.Wt, s.G, s.Cb, false, sm);
      for (int q = 0; q < cnt; q++) {
        double coef = ACT == OV_ACT_SOFTMAX ? c.p->kappa : c.p->kappa * c.p->a[r0 + q];
        double* g = c.G + (int64_t)(r0 + q) * c.d;
        for (int j = 0; j < c.d; j++) g[j] = coef * (double)s.G[(int64_t)j * P + q];
      }
    }
  }

  // Row i of the packed X starts at XP + ⌊i/MR⌋·MR·d + i mod MR (pack_x); MRJ divides MR.
  static const T* xrow(const Ctx& c, int i) { return c.XP + (int64_t)(i / MR) * MR * c.d + i % MR; }
  template <int ACT>
  static void jvp_panel(const Ctx& c, const Scr& s, const Sm& sm) {
    for (int i = 0; i < c.n; i += MRJ) passJ<ACT, MRJ>(xrow(c, i), c.d, s.Wt, s.Vt, s.ap, s.Ul + (int64_t)i * L, sm, i);
  }

  template <int ACT>
  static void task_jvp(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    const Sm sm = sm_of(c, s);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);
      load_panel(c.W2, c.d, r0, cnt, s.Vt);
      load_a(c.p->a, r0, cnt, s.ap);
      if (ACT == OV_ACT_SOFTMAX) load_pad(cnt, s.pad);
      int act = act_for(ACT, c.xmax, s.Wt, c.d);
      if (act == OV_ACT_EXP_NC) jvp_panel<OV_ACT_EXP_NC>(c, s, sm);
      else jvp_panel<ACT>(c, s, sm);
    }
    flush_chunk(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
  }

  static void task_flips(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    int64_t count = 0;
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      load_panel(c.Wc, c.d, r0, cnt, s.Wt);  // W0
      load_panel(c.W2, c.d, r0, cnt, s.Vt);  // W
      for (int i = 0; i < c.n; i++) {
        R z0[1][NV], z1[1][NV];
        zdots<1>(xrow(c, i), c.d, s.Wt, z0);
        zdots<1>(xrow(c, i), c.d, s.Vt, z1);
        // padded neurons have z = 0 in both: same pattern, never counted
        for (int v = 0; v < NV; v++) count += __builtin_popcount(V::ge0(z0[0][v]) ^ V::ge0(z1[0][v]));
      }
    }
    c.rep[chunk].flips = count;
  }

  // ───────────────────────────── the softmax network ─────────────────────────────
  // F(W, x_i) = κ m c_i, c_i = N_i / D_i, with M_i = max_r z_ir, D_i = Σ_r e^{z_ir − M_i},
  // N_i = Σ_r a_r e^{z_ir − M_i}; φ_ir = m e^{z_ir − M_i} (a_r − c_i) / D_i (docs/theory.md §5,
  // src/model/activations/softmax.ts). Passes over the same chunks and panels as above:
  //   SM1 (passMax): lane-wise max of z + pad per sample, reduced per chunk (flush_max), then over
  //       the chunks: a max is exact, so M_i does not depend on any order;
  //   SM2 (passSum): lane sums of e = e^{z + pad − M_i} ≤ 1 and of a e per sample, flushed per chunk
  //       like u, reduced like u (reduce_sm): each half's chunks in order, the halves added last.
  //       With coupled initialisation the halves' e are the same bits and their a e exact
  //       negatives, so N_i = 0, c_i = 0 and u_i = 0 exactly;
  //   then the gradient (pass A with φ, pass B), jvp or Gram with M_i, c_i, m/D_i broadcast.
  // step: SM1, SM2 at W; per panel the gradient, the update, and SM1 at the new weights; SM2 at
  // the new weights gives u. Huge z (where e^z overflows) is harmless: only z − M_i ≤ 0 is
  // exponentiated.

  // Ul[i] ← max(Ul[i], z_iq + pad_q), lane-wise; Ul starts the chunk at −∞ (fill).
  template <int M>
  OV_INLINE static void passMax(const T* Xi, int d, const T* Wt, const T* pad, T* Ui) {
    R z[M][NV];
    zdots<M>(Xi, d, Wt, z);
    R pv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) pv[v] = V::load(pad + v * L);
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R acc = V::load(Ui + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) acc = V::max(V::add(z[mr][v], pv[v]), acc);
      V::store(Ui + (int64_t)mr * L, acc);
    }
  }
  // UD[i] += e, UN[i] += a ⊙ e, e = e^{z_iq + pad_q − M_i}, lane-wise.
  template <int M>
  OV_INLINE static void passSum(const T* Xi, int d, const T* Wt, const Sm& sm, int i, T* UD, T* UN) {
    R z[M][NV];
    zdots<M>(Xi, d, Wt, z);
    R av[NV], pv[NV];
#pragma GCC unroll 4
    for (int v = 0; v < NV; v++) {
      av[v] = V::load(sm.ap + v * L);
      pv[v] = V::load(sm.pad + v * L);
    }
#pragma GCC unroll 8
    for (int mr = 0; mr < M; mr++) {
      R mi = V::set1(sm.M[i + mr]);
      R dacc = V::load(UD + (int64_t)mr * L), nacc = V::load(UN + (int64_t)mr * L);
#pragma GCC unroll 4
      for (int v = 0; v < NV; v++) {
        R e = sm_exp(z[mr][v], pv[v], mi);
        dacc = V::add(dacc, e);
        nacc = V::fmadd(av[v], e, nacc);
      }
      V::store(UD + (int64_t)mr * L, dacc);
      V::store(UN + (int64_t)mr * L, nacc);
    }
  }
  static void fill(T* p, int64_t len, T v) {
    for (int64_t k = 0; k < len; k++) p[k] = v;
  }
  // max over the lanes of Ul into out (any order gives the same max), then clear Ul as flush_chunk does
  static void flush_max(T* Ul, int n, int npad, double* out) {
    for (int i = 0; i < n; i++) {
      double mx = -__builtin_inf();
      for (int l = 0; l < L; l++) {
        double x = (double)Ul[(int64_t)i * L + l];
        if (x > mx || x != x) mx = x;  // NaN stays (a NaN z makes every output NaN anyway)
        if (mx != mx) break;
      }
      out[i] = mx;
    }
    for (int64_t k = 0; k < (int64_t)npad * L; k++) Ul[k] = 0;
  }
  // M_i = max over the chunks of chunkU[k][i], into smM (exact in T: the maxima are values of T)
  static void reduce_max(const Ctx& c) {
    for (int i = 0; i < c.n; i++) {
      double mx = -__builtin_inf();
      for (int k = 0; k < c.nchunk; k++) {
        double x = c.chunkU[(int64_t)k * c.n + i];
        if (x > mx || x != x) mx = x;
        if (mx != mx) break;
      }
      c.smM[i] = (T)mx;
    }
  }
  // D_i, N_i from the chunk partials (each half's chunks in order, the halves added last, as
  // reduce_chunks); c_i = N_i / D_i and m / D_i into smC, smS; u_i = κ (m c_i) when u is given.
  static void reduce_sm(const Ctx& c, double* u) {
    const double m = (double)c.m;
    for (int i = 0; i < c.n; i++) {
      double da = 0, db = 0, na = 0, nb = 0;
      for (int k = 0; k < c.nchunkA; k++) {
        da += c.chunkU[(int64_t)k * c.n + i];
        na += c.chunkN[(int64_t)k * c.n + i];
      }
      for (int k = c.nchunkA; k < c.nchunk; k++) {
        db += c.chunkU[(int64_t)k * c.n + i];
        nb += c.chunkN[(int64_t)k * c.n + i];
      }
      double D = da + db, cc = (na + nb) / D;
      c.smC[i] = (T)cc;
      c.smS[i] = (T)(m / D);
      if (u) u[i] = c.p->kappa * (m * cc);
    }
  }
  // SM1 at the weights of load_w into chunkU
  static void task_sm_max(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    fill(s.Ul, (int64_t)c.npad * L, -__builtin_inf());
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      const T* Wt = load_w(c, pi, r0, cnt, s.Wt);
      load_pad(cnt, s.pad);
      for (int i = 0; i < c.n; i += MR) passMax<MR>(c.XP + (int64_t)i * c.d, c.d, Wt, s.pad, s.Ul + (int64_t)i * L);
    }
    flush_max(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
  }
  // SM2 at the weights of load_w (with M_i in smM) into chunkU (D) and chunkN (N)
  static void task_sm_sum(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    const Sm sm = sm_of(c, s);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      const T* Wt = load_w(c, pi, r0, cnt, s.Wt);
      load_a(c.p->a, r0, cnt, s.ap);
      load_pad(cnt, s.pad);
      for (int i = 0; i < c.n; i += MR)
        passSum<MR>(c.XP + (int64_t)i * c.d, c.d, Wt, sm, i, s.Ul + (int64_t)i * L, s.Ul2 + (int64_t)i * L);
    }
    flush_chunk(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
    flush_chunk(s.Ul2, c.n, c.npad, c.chunkN + (int64_t)chunk * c.n);
  }
  // M_i, c_i, m/D_i at the weights of load_w into smM, smC, smS, and u = F(W, X) when u is given
  static void sm_stats(Ctx& c, int th, double* u) {
    ov_parallel(c.nchunk, th, task_sm_max, &c);
    reduce_max(c);
    ov_parallel(c.nchunk, th, task_sm_sum, &c);
    reduce_sm(c, u);
  }
  // step, per chunk: the gradient at Wp (M_i, c_i, m/D_i at Wp in smM, smC, smS), Wn = Wp − η κ G
  // per neuron, and SM1 at the new weights into chunkU
  static void task_step_sm(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    const Sm sm = sm_of(c, s);
    const T* Xr = xr_of(c, s);
    fill(s.Ul, (int64_t)c.npad * L, -__builtin_inf());
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    double move2 = 0;
    bool bad = false;
    for (int pi = p0; pi < p1; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      const double *w;
      double* wn;
      step_blocks(c, s, pi, r0, cnt, &w, &wn);
      load_a(c.p->a, r0, cnt, s.ap);
      load_pad(cnt, s.pad);
      grad_panel<OV_ACT_SOFTMAX>(c, Xr, as_t(w, c.d, s.Wt), s.G, s.Cb, false, sm);
      const Tail tl = update_any(c, pi, r0, cnt, w, wn, s.G, 0);
      if (tl.move2 > move2) move2 = tl.move2;
      if (!tl.finite) bad = true;
      const T* Wn = as_t(wn, c.d, s.Wt);
      for (int i = 0; i < c.n; i += MR) passMax<MR>(c.XP + (int64_t)i * c.d, c.d, Wn, s.pad, s.Ul + (int64_t)i * L);
      if (c.Wmd) stage_out(wn, c.d, r0, cnt, c.Wmd);
    }
    flush_max(s.Ul, c.n, c.npad, c.chunkU + (int64_t)chunk * c.n);
    c.rep[chunk].move2 = move2;
    c.rep[chunk].bad = bad;
  }

  // ── entry points ──
  // stage: room in the scratch for a single step's staging blocks (Ctx::Wmd)
  static bool setup(Ctx& c, const OvProblem* p, int threads, bool stage = false) {
    c.p = p;
    c.X = (const T*)p->X;
    c.n = p->n;
    c.d = p->d;
    c.m = p->m;
    c.act = p->act;
    const bool sm = p->act == OV_ACT_SOFTMAX;
    Layout lay = layout(p->m);
    c.h = lay.h;
    c.npanA = lay.npanA;
    c.nchunkA = lay.nchunkA;
    c.npan = lay.npan;
    c.nchunk = lay.nchunk;
    c.npad = (c.n + MR - 1) / MR * MR;
    c.njb = (c.d + JB - 1) / JB;
    c.ib = c.n < IB ? c.n : IB;
    c.stage = stage;
    c.xrBytes = xr_bytes(c.n, c.d);
    c.xrLocal = c.xrBytes <= XR_LOCAL;
    c.r = 0;
    c.rgen = 0;
    c.job = 0;
    c.scratchBytes = scratch_bytes(c.npad, c.d, sm, stage, c.xrLocal ? c.xrBytes : 0);
    c.scratch = (char*)ov_alloc(c.scratchBytes * (threads < 1 ? 1 : threads));
    const int64_t nch = c.nchunk > 0 ? c.nchunk : 1;
    c.chunkU = (double*)ov_alloc((sm ? 2 : 1) * nch * c.n * sizeof(double));
    c.chunkN = sm && c.chunkU ? c.chunkU + nch * c.n : 0;
    c.rep = (Report*)ov_alloc(nch * sizeof(Report));
    c.redB = (double*)ov_alloc((int64_t)c.n * sizeof(double));
    c.Wc = c.Wp = c.W0p = 0;
    c.Wn = c.Wmd = 0;
    c.mask0 = 0;
    c.smM = c.smC = c.smS = 0;
    if (sm) {
      c.smM = (T*)ov_alloc(3 * (int64_t)c.npad * sizeof(T));  // zero-filled: rows past n stay 0
      c.smC = c.smM ? c.smM + c.npad : 0;
      c.smS = c.smM ? c.smM + 2 * (int64_t)c.npad : 0;
    }
    c.Xr = 0;
    T* xp = (T*)ov_alloc((int64_t)c.npad * c.d * sizeof(T));
    c.XP = xp;
    if (xp) pack_x(c.X, c.n, c.d, xp);
    c.xmax = 0;
    for (int i = 0; i < c.n; i++) {
      double s = 0;
      for (int j = 0; j < c.d; j++) s += (double)c.X[(int64_t)i * c.d + j] * (double)c.X[(int64_t)i * c.d + j];
      if (!(s <= c.xmax)) c.xmax = s;
    }
    c.xmax = c.xmax == c.xmax ? __builtin_sqrt(c.xmax) : __builtin_inf();
    return c.scratch && c.chunkU && c.rep && c.redB && c.XP && (!sm || c.smM);
  }
  static void teardown(Ctx& c) {
    ov_free(c.scratch);
    ov_free(c.chunkU);
    ov_free(c.rep);
    ov_free(c.redB);
    ov_free((void*)c.XP);
    if (c.smM) ov_free(c.smM);
    if (c.Xr) ov_free((void*)c.Xr);
  }
  // Packed X for the dot products: groups of MR rows, x_ij at XP[⌊i/MR⌋·MR·d + j·MR + i mod MR];
  // rows n..npad−1 stay zero (ov_alloc zero-fills). Same values, so the same sums as on X itself.
  static void pack_x(const T* X, int n, int d, T* xp) {
    for (int i = 0; i < n; i++)
      for (int j = 0; j < d; j++) xp[(int64_t)(i / MR) * MR * d + (int64_t)j * MR + i % MR] = X[(int64_t)i * d + j];
  }
  // diag(r) X packed for pass B: per block b of IB rows and column block jb of JB columns, an
  // ib×JB tile (ib = min(IB, n)), row-major, zero-padded: r_i x_ij at
  // Xr[((b·njb + jb)·ib + i mod IB)·JB + j mod JB].
  static int64_t xr_bytes(int n, int d) {
    const int nblk = (n + IB - 1) / IB, njb = (d + JB - 1) / JB, ib = n < IB ? n : IB;
    return (int64_t)nblk * njb * ib * JB * sizeof(T);
  }
  // Up to this size each worker forms its own copy (Ctx::xrLocal).
  static const int64_t XR_LOCAL = 16384;
  // The tiles' entries into xr; the padding is left as it is (zero: the buffers are zero-filled
  // when allocated and only these entries are ever written).
  static void fill_xr(const Ctx& c, const double* r, T* __restrict xr) {
    const int nblk = (c.n + IB - 1) / IB;
    for (int b = 0; b < nblk; b++) {
      const int i0 = b * IB, nb = ov_min(IB, c.n - i0);
      for (int jb = 0; jb < c.njb; jb++) {
        const int j0 = jb * JB, nj = ov_min(JB, c.d - j0);
        T* tile = xr + (int64_t)(b * c.njb + jb) * c.ib * JB;
        for (int ii = 0; ii < nb; ii++) {
          const double ri = r[i0 + ii];
          const T* xi = c.X + (int64_t)(i0 + ii) * c.d + j0;
          for (int jj = 0; jj < nj; jj++) tile[(int64_t)ii * JB + jj] = (T)(ri * (double)xi[jj]);
        }
      }
    }
  }
  // The residual of the next step or gradient: the shared diag(r)X, allocated on first use and
  // rewritten in place by later steps of a run; or, for small ones, only r, each worker forming
  // its copy when it first needs it (xr_of).
  static void set_r(Ctx& c, const double* r) {
    if (c.xrLocal) {
      c.r = r;
      c.rgen++;
      return;
    }
    T* xr = c.Xr ? (T*)c.Xr : (T*)ov_alloc(c.xrBytes);
    if (!xr) return;
    fill_xr(c, r, xr);
    c.Xr = xr;
  }
  // This step's diag(r)X for a worker
  static const T* xr_of(const Ctx& c, const Scr& s) {
    if (!c.xrLocal) return c.Xr;
    if (*s.xrTag != c.rgen) {
      fill_xr(c, c.r, s.Xr);
      *s.xrTag = c.rgen;
    }
    return s.Xr;
  }
  static int workers(int threads, int tasks) {
    if (threads < 1) threads = 1;
    return threads < tasks ? threads : (tasks < 1 ? 1 : tasks);
  }
  // The pointwise task of a public id (validated by the caller).
  static OvTaskFn pick(int act, OvTaskFn e, OvTaskFn r, OvTaskFn ch, OvTaskFn sh) {
    return act == OV_ACT_EXP ? e : act == OV_ACT_RELU ? r : act == OV_ACT_COSH ? ch : sh;
  }

  static void forward(const OvProblem* p, const double* W, double* u, int threads) {
    if (!ov_act_valid(p->act)) return ov_fill_nan(u, p->n);
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return;
    c.Wc = W;
    if (p->act == OV_ACT_SOFTMAX) {
      sm_stats(c, th, u);
    } else {
      ov_parallel(c.nchunk, th,
                  pick(p->act, task_forward<OV_ACT_EXP>, task_forward<OV_ACT_RELU>, task_forward<OV_ACT_COSH>, task_forward<OV_ACT_SINH>), &c);
      reduce_chunks(c, u);
    }
    teardown(c);
  }
  // A run of steps on one problem (api.h run_begin … run_end): the context (scratch, packed X,
  // diag(r)X) is set up once, and W lives panel-major in two float64 buffers, the current weights
  // and the next ones a step writes; run_accept swaps them, so a step that must be undone (not
  // finite) costs nothing and no step copies W. Every step overwrites all of the state it reads
  // (chunk partials, the per-worker Ul, Xr, the next buffer), so a step's bits depend only on W,
  // r and η: a single step() (the same task on staged panels) gives the same bits.
  struct Stepper {
    Ctx c;
    int th;
    double* buf[2];  // panel-major W: buf[cur] the current weights, buf[1 − cur] the next
    int cur;
    double* W0p;     // panel-major W(0), or null (no movement)
    Pattern* mask0;     // ReLU's sign patterns at W(0) (Ctx::mask0), or null (no flips counted)
    double* redT;       // a team run's two threads' scratch for the second half's sum (run_join)
  };
  static int64_t panel_len(const Ctx& c) { return (int64_t)c.npan * c.d * P; }
  // m×d neuron-major W into panel-major B (padded lanes 0), and back
  static void to_panels(const Ctx& c, const double* W, double* B) {
    for (int pi = 0; pi < c.npan; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      stage_in(W, c.d, r0, cnt, B + (int64_t)pi * c.d * P);
    }
  }
  static void from_panels(const Ctx& c, const double* B, double* W) {
    for (int pi = 0; pi < c.npan; pi++) {
      int r0, cnt;
      panel(c, pi, &r0, &cnt);
      stage_out(B + (int64_t)pi * c.d * P, c.d, r0, cnt, W);
    }
  }
  // The sign patterns at W(0) of a chunk's panels (run_begin, flips counted).
  static void task_masks(void* vc, int chunk, int worker) {
    const Ctx& c = *(const Ctx*)vc;
    Scr s = scr(c, worker);
    int p0, p1;
    chunk_panels(c, chunk, &p0, &p1);
    for (int pi = p0; pi < p1; pi++)
      panel_patterns(c.XP, c.npad, c.d, as_t(c.W0p + (int64_t)pi * c.d * P, c.d, s.Wt), c.mask0 + (int64_t)pi * c.npad);
  }
  // W0 null: no movement is measured and its buffer is not allocated. flips (ReLU with W0 only):
  // count the pattern flips against W(0) in every step, from the patterns of W(0) kept here
  // (npan·npad masks of P bits, at most n·m/4 bytes).
  static void* run_begin(const OvProblem* p, const double* W, const double* W0, int flips, int threads) {
    if (!ov_act_valid(p->act)) return 0;
    Stepper* s = (Stepper*)ov_alloc(sizeof(Stepper));
    if (!s) return 0;
    s->th = workers(threads, layout(p->m).nchunk);
    s->buf[0] = s->buf[1] = s->W0p = 0;
    s->mask0 = 0;
    s->redT = 0;
    s->cur = 0;
    const bool masks = flips && W0 && p->act == OV_ACT_RELU;
    bool ok = setup(s->c, p, s->th);
    if (ok) {
      const int64_t len = panel_len(s->c);
      s->buf[0] = (double*)ov_alloc_raw(len * sizeof(double));
      s->buf[1] = (double*)ov_alloc_raw(len * sizeof(double));
      if (W0) s->W0p = (double*)ov_alloc_raw(len * sizeof(double));
      if (masks) s->mask0 = (Pattern*)ov_alloc_raw((int64_t)s->c.npan * s->c.npad * sizeof(Pattern));
      s->redT = (double*)ov_alloc_raw(2 * acc_len(s->c.npad) * (int64_t)sizeof(double));
      ok = s->buf[0] && s->buf[1] && (!W0 || s->W0p) && (!masks || s->mask0) && s->redT;
    }
    if (!ok) {
      run_end(s);
      return 0;
    }
    to_panels(s->c, W, s->buf[0]);
    if (W0) to_panels(s->c, W0, s->W0p);
    if (masks) {
      Ctx& c = s->c;
      c.W0p = s->W0p;
      c.mask0 = s->mask0;
      ov_parallel(c.nchunk, s->th, task_masks, &c);
    }
    return s;
  }
  static void run_end(void* vs) {
    Stepper* s = (Stepper*)vs;
    if (!s) return;
    teardown(s->c);
    ov_free(s->buf[0]);
    ov_free(s->buf[1]);
    ov_free(s->W0p);
    ov_free(s->mask0);
    ov_free(s->redT);
    ov_free(s);
  }
  // One step of c: from Wp into Wn (a run) or on Wmd in place (a single step); u = F(W_new, X).
  // False (u NaN) when diag(r)X could not be allocated.
  // move2, finite, flips: as run_step reports them (softmax: from the chunks' reports).
  static bool step_on(Ctx& c, int th, const double* r, double eta, double* u, double* move2, int* finite, int64_t* flips) {
    c.eta = eta;
    c.job++;
    set_r(c, r);
    if (!c.xrLocal && !c.Xr) {
      ov_fill_nan(u, c.n);
      return false;
    }
    if (c.act == OV_ACT_SOFTMAX) {
      sm_stats(c, th, 0);                        // M_i, c_i, m/D_i at the old weights
      ov_parallel(c.nchunk, th, task_step_sm, &c);  // gradient, update, SM1 at the new weights
      reduce_max(c);
      if (c.Wp) c.Wp = c.Wn;                     // SM2 loads the new weights (a single step: Wc, updated)
      ov_parallel(c.nchunk, th, task_sm_sum, &c);
      reduce_sm(c, u);
      double m2 = 0;
      int ok = 1;
      for (int k = 0; k < c.nchunk; k++) {
        if (c.rep[k].move2 > m2) m2 = c.rep[k].move2;
        if (c.rep[k].bad) ok = 0;
      }
      *move2 = m2;
      *finite = ok;
      *flips = 0;
    } else {
      ov_parallel(c.nchunk, th, pick(c.act, task_step<OV_ACT_EXP>, task_step<OV_ACT_RELU>, task_step<OV_ACT_COSH>, task_step<OV_ACT_SINH>), &c);
      reduce_folded(c, th, u, c.redB, move2, finite, flips);
    }
    return true;
  }
  // One step from the current weights into the next buffer: u = F(W_next, X); *move2 = max_r
  // ‖w_r − w_r(0)‖² of the next weights (0 without W0), *finite = whether they are all finite,
  // *flips = the pattern flips of the next weights against W(0) (0 unless counted, run_begin).
  static void run_step(void* vs, const double* r, double eta, double* u, double* move2, int* finite, int64_t* flips) {
    Stepper* s = (Stepper*)vs;
    Ctx& c = s->c;
    const int th = s->th;
    c.Wp = s->buf[s->cur];
    c.Wn = s->buf[1 - s->cur];
    c.W0p = s->W0p;
    c.mask0 = s->mask0;
    *flips = 0;
    const bool ok0 = step_on(c, th, r, eta, u, move2, finite, flips);
    c.Wp = 0;
    c.Wn = 0;
    if (!ok0) {
      *move2 = 0;
      *finite = 0;
      *flips = 0;
    }
  }
  // The step's next weights become the current ones.
  static void run_accept(void* vs) {
    Stepper* s = (Stepper*)vs;
    s->cur = 1 - s->cur;
  }

  // ── a run on two threads as a team (api.h run_team; addon.cc runs the loop) ──
  // Each thread takes one half of the neurons every step (run_half: its chunks in order, folded
  // as it goes) and both then form u from the two folded halves (run_join): the sums
  // reduce_chunks adds, so the bits of run_step on any thread count. No thread hands the step to
  // the other, so a step costs the two threads one exchange of flags and half sums instead of a
  // hand-off and a return (measured in native/README.md, "A run on two threads as a team").
  static int run_team(void* vs) {
    const Stepper* s = (const Stepper*)vs;
    const Ctx& c = s->c;
    return s->th == 2 && c.act != OV_ACT_SOFTMAX && c.xrLocal && c.nchunkA > 0 && c.nchunk > c.nchunkA;
  }
  // Step `step` of the run (0, 1, …) for half `part`, from the weights buf[cur] into buf[1 − cur],
  // with residual r (the thread's own copy); the thread's scratch is part's.
  static void run_half(void* vs, int part, int cur, const double* r, double eta, int64_t step) {
    const Stepper* s = (const Stepper*)vs;
    Ctx c = s->c;  // this thread's view of the step; every buffer it writes is part's own
    c.Wp = s->buf[cur];
    c.Wn = s->buf[1 - cur];
    c.W0p = s->W0p;
    c.mask0 = s->mask0;
    c.eta = eta;
    c.r = r;
    c.rgen = (uint64_t)step + 1;  // part's scratch forms diag(r)X for this step (xr_of)
    c.job = (uint64_t)step + 1;   // and folds into its slot for this step (fold_of)
    const OvTaskFn f = pick(c.act, task_step<OV_ACT_EXP>, task_step<OV_ACT_RELU>, task_step<OV_ACT_COSH>, task_step<OV_ACT_SINH>);
    const int k0 = part == 0 ? 0 : c.nchunkA, k1 = part == 0 ? c.nchunkA : c.nchunk;
    for (int k = k0; k < k1; k++) f(&c, k, part);
  }
  // After both halves of step `step` are done: u = F(W_new, X) and the reports, as run_step
  // gives them; part: whose scratch sum to use (each thread its own).
  static void run_join(void* vs, int part, int64_t step, double* u, double* move2, int* finite, int64_t* flips) {
    const Stepper* s = (const Stepper*)vs;
    Ctx c = s->c;
    c.job = (uint64_t)step + 1;
    reduce_folded(c, 2, u, s->redT + (int64_t)part * acc_len(c.npad), move2, finite, flips);
  }
  // Which buffer holds the current weights (after a team run, which kept it per thread).
  static void run_set_cur(void* vs, int cur) { ((Stepper*)vs)->cur = cur; }
  // The current weights into m×d W.
  static void run_store(void* vs, double* W) {
    Stepper* s = (Stepper*)vs;
    from_panels(s->c, s->buf[s->cur], W);
  }
  // One step on m×d W in place: the run's step (task_step, step_on) on panels staged one at a time
  // through the worker's scratch, so a single call costs no copy of W.
  static void step(const OvProblem* p, double* W, const double* r, double eta, double* u, int threads) {
    if (!ov_act_valid(p->act)) return ov_fill_nan(u, p->n);
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (setup(c, p, th, true)) {
      c.Wmd = W;
      c.Wc = W;  // what the softmax statistics load, before and after the update
      double move2;
      int finite;
      int64_t flips;
      step_on(c, th, r, eta, u, &move2, &finite, &flips);
    }
    teardown(c);
  }
  static void gradient(const OvProblem* p, const double* W, const double* r, double* G, int threads) {
    if (!ov_act_valid(p->act)) return ov_fill_nan(G, (int64_t)p->m * p->d);
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return;
    c.Wc = W;
    c.G = G;
    set_r(c, r);
    if (!c.xrLocal && !c.Xr) {  // out of memory
      ov_fill_nan(G, (int64_t)p->m * p->d);
      teardown(c);
      return;
    }
    if (p->act == OV_ACT_SOFTMAX) {
      sm_stats(c, th, 0);
      ov_parallel(c.nchunk, th, task_gradient<OV_ACT_SOFTMAX>, &c);
    } else {
      ov_parallel(c.nchunk, th,
                  pick(p->act, task_gradient<OV_ACT_EXP>, task_gradient<OV_ACT_RELU>, task_gradient<OV_ACT_COSH>, task_gradient<OV_ACT_SINH>), &c);
    }
    teardown(c);
  }
  static void jvp(const OvProblem* p, const double* W, const double* Vm, double* out, int threads) {
    if (!ov_act_valid(p->act)) return ov_fill_nan(out, p->n);
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return;
    c.Wc = W;
    c.W2 = Vm;
    if (p->act == OV_ACT_SOFTMAX) {
      sm_stats(c, th, 0);
      ov_parallel(c.nchunk, th, task_jvp<OV_ACT_SOFTMAX>, &c);
    } else {
      ov_parallel(c.nchunk, th, pick(p->act, task_jvp<OV_ACT_EXP>, task_jvp<OV_ACT_RELU>, task_jvp<OV_ACT_COSH>, task_jvp<OV_ACT_SINH>), &c);
    }
    reduce_chunks(c, out);
    teardown(c);
  }
  static int64_t flips(const OvProblem* p, const double* W0, const double* W, int threads) {
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return -1;
    c.Wc = W0;
    c.W2 = W;
    ov_parallel(c.nchunk, th, task_flips, &c);
    int64_t total = 0;
    for (int k = 0; k < c.nchunk; k++) total += c.rep[k].flips;
    teardown(c);
    return total;
  }
  // For the Gram kernel: M_i, c_i and m/D_i of the softmax network at W, in T, into the first n
  // entries of Mo, Co, So (computed exactly as forward computes them). False if out of memory.
  static bool sm_sample_stats(const OvProblem* p, const double* W, int threads, T* Mo, T* Co, T* So) {
    Ctx c;
    int th = workers(threads, layout(p->m).nchunk);
    if (!setup(c, p, th)) return false;
    c.Wc = W;
    sm_stats(c, th, 0);
    for (int i = 0; i < c.n; i++) {
      Mo[i] = c.smM[i];
      Co[i] = c.smC[i];
      So[i] = c.smS[i];
    }
    teardown(c);
    return true;
  }

  static void vfun(int fn, const double* x, double* y, int64_t len) {
    if (fn < 0 || fn >= OV_VF_COUNT) return ov_fill_nan(y, len);
    alignas(64) T buf[V::L];
    for (int64_t i = 0; i < len; i += L) {
      int k = (int)ov_min((int64_t)L, len - i);
      for (int l = 0; l < L; l++) buf[l] = l < k ? (T)x[i + l] : 0;
      R v = V::load(buf);
      V::store(buf, fn == OV_VF_EXP ? V::exp(v) : fn == OV_VF_COSH ? ov_cosh<V>(v) : ov_sinh<V>(v));
      for (int l = 0; l < k; l++) y[i + l] = (double)buf[l];
    }
  }
};
