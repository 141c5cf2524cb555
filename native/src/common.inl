// Shared by every kernel family (included first by kernels.inl): the inline attribute and the
// small helpers that panel.inl, gram.inl, dense.inl and probes.inl all use.

#ifndef OV_INLINE
#define OV_INLINE inline __attribute__((always_inline))
#endif

template <class A, class B> static inline A ov_min(A a, B b) { return a < (A)b ? a : (A)b; }

// ───────────────────────────── activation ids ─────────────────────────────
// Public ids: OvActivation (api.h). Internal variant, never seen outside the kernels: exp where
// Cauchy–Schwarz bounds every argument of a panel below V::EXP_SAFE, so that the vector exp may
// skip its clamping (README.md, "vector exp"). Its id lies above every public one.
static const int OV_ACT_EXP_NC = 0x100;
static_assert(OV_ACT_EXP_NC >= OV_ACT_COUNT, "internal activation ids must not collide with public ones");

static inline bool ov_act_valid(int act) { return act >= 0 && act < OV_ACT_COUNT; }

static inline void ov_fill_nan(double* y, int64_t len) {
  for (int64_t k = 0; k < len; k++) y[k] = __builtin_nan("");
}

// ───────────────────────────── cosh and sinh from the vector exp ─────────────────────────────
// With E = e^{|z|} ≥ 1 (the ISA's vector exp; +Inf once |z| > ln(max), NaN stays NaN):
//   cosh z = ½E + ½/E    (two positive terms: no cancellation, ≈ 2 ulp),
//   sinh z = ±(½E − ½/E) for |z| ≥ ½, where ½/E ≤ 0.31·½E, so the difference loses at most a
//            factor coth ½ = 2.16 of the terms' relative error;
//   sinh z = z + z³/3! + … + z¹³/13! (float: to z⁷/7!) for |z| < ½, where ½(E − 1/E) would cancel:
//            truncation z¹⁵/15! = 2.3e-17, 4.5e-17 (0.2 ulp) relative to sinh ½ at |z| = ½
//            (float: z⁹/9!, 1.1e-8 relative, 0.2 ulp).
// Both branches are computed and one is selected per lane (V::lt, V::select). ½E and ½/E are
// exact scalings of E and one division, so E overflowing gives ±Inf for |z| > 709.78 (float
// 88.72); cosh and sinh themselves overflow only at 710.48 (89.42): in that band the kernels
// give ±Inf where Math.cosh / Math.sinh are still finite (README.md, "vector cosh and sinh").
template <class V>
OV_INLINE static typename V::R ov_cosh(typename V::R z) {
  typedef typename V::T T;
  typename V::R e = V::exp(V::abs(z));
  return V::add(V::mul(V::set1((T)0.5), e), V::div(V::set1((T)0.5), e));
}
template <class V>
OV_INLINE static typename V::R ov_sinh(typename V::R z) {
  typedef typename V::T T;
  typedef typename V::R R;
  R a = V::abs(z);
  R e = V::exp(a);
  R big = V::sub(V::mul(V::set1((T)0.5), e), V::div(V::set1((T)0.5), e));
  big = V::select(V::lt(z, V::zero()), V::sub(V::zero(), big), big);  // NaN: not < 0, stays NaN
  R t = V::mul(z, z);
  R p;
  if (sizeof(T) == 8) {
    p = V::set1((T)(1.0 / 6227020800.0));                    // 1/13!
    p = V::fmadd(p, t, V::set1((T)(1.0 / 39916800.0)));      // 1/11!
    p = V::fmadd(p, t, V::set1((T)(1.0 / 362880.0)));        // 1/9!
    p = V::fmadd(p, t, V::set1((T)(1.0 / 5040.0)));          // 1/7!
    p = V::fmadd(p, t, V::set1((T)(1.0 / 120.0)));           // 1/5!
    p = V::fmadd(p, t, V::set1((T)(1.0 / 6.0)));             // 1/3!
  } else {
    p = V::set1((T)(1.0 / 5040.0));
    p = V::fmadd(p, t, V::set1((T)(1.0 / 120.0)));
    p = V::fmadd(p, t, V::set1((T)(1.0 / 6.0)));
  }
  R small = V::fmadd(V::mul(z, t), p, z);  // z + z³ p(z²); keeps the sign of ±0
  return V::select(V::lt(a, V::set1((T)0.5)), small, big);
}

// σ and σ' of the pointwise forms by kernel id (docs/theory.md §1, §5; ReLU derivative 1{z ≥ 0}
// as in Du et al.). The softmax network has neither: its kernels are separate (panel.inl, gram.inl).
template <class V, int ACT>
OV_INLINE static typename V::R ov_sig(typename V::R z) {
  static_assert(ACT == OV_ACT_EXP || ACT == OV_ACT_EXP_NC || ACT == OV_ACT_RELU || ACT == OV_ACT_COSH || ACT == OV_ACT_SINH,
                "σ of a pointwise activation");
  if constexpr (ACT == OV_ACT_EXP) return V::exp(z);
  else if constexpr (ACT == OV_ACT_EXP_NC) return V::exp_nc(z);
  else if constexpr (ACT == OV_ACT_RELU) return V::relu(z);
  else if constexpr (ACT == OV_ACT_COSH) return ov_cosh<V>(z);
  else return ov_sinh<V>(z);
}
template <class V, int ACT>
OV_INLINE static typename V::R ov_dsig(typename V::R z) {
  static_assert(ACT == OV_ACT_EXP || ACT == OV_ACT_EXP_NC || ACT == OV_ACT_RELU || ACT == OV_ACT_COSH || ACT == OV_ACT_SINH,
                "σ' of a pointwise activation");
  if constexpr (ACT == OV_ACT_EXP) return V::exp(z);
  else if constexpr (ACT == OV_ACT_EXP_NC) return V::exp_nc(z);
  else if constexpr (ACT == OV_ACT_RELU) return V::step(z);
  else if constexpr (ACT == OV_ACT_COSH) return ov_sinh<V>(z);
  else return ov_cosh<V>(z);
}

// The softmax network's factor φ_ir = m e^{z_ir − M_i} (a_r − c_i) / D_i from e = e^{z_ir − M_i},
// a = a_r, c = c_i and s = m / D_i: the one formula of the panel kernels and of the Gram kernel.
template <class V>
OV_INLINE static typename V::R ov_sm_phi(typename V::R e, typename V::R a, typename V::R c, typename V::R s) {
  return V::mul(V::mul(e, s), V::sub(a, c));
}
