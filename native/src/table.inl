// The table of entry points of one (ISA, precision), as api.h declares it.

template <class V, class V1, class D>
static OvKernels make_table(const char* isa) {
  OvKernels k;
  k.isa = isa;
  k.lanes = V::L;
  k.forward = NX<V, V1>::forward;
  k.gradient = NX<V, V1>::gradient;
  k.step = NX<V, V1>::step;
  k.run_begin = NX<V, V1>::run_begin;
  k.run_step = NX<V, V1>::run_step;
  k.run_accept = NX<V, V1>::run_accept;
  k.run_team = NX<V, V1>::run_team;
  k.run_half = NX<V, V1>::run_half;
  k.run_join = NX<V, V1>::run_join;
  k.run_set_cur = NX<V, V1>::run_set_cur;
  k.run_store = NX<V, V1>::run_store;
  k.run_end = NX<V, V1>::run_end;
  k.jvp = NX<V, V1>::jvp;
  k.gram = NX<V, V1>::gram;
  k.flips = NX<V, V1>::flips;
  k.vfun = NK<V>::vfun;
  k.symv = DK<D>::symv;
  k.gemm = DK<D>::gemm;
  k.potrf = DK<D>::potrf;
  k.potrs = DK<D>::potrs;
  k.probe_fma = PK<V>::fma;
  k.probe_exp = PK<V>::exp;
  return k;
}
