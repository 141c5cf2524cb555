// The table of entry points of one (ISA, precision), as api.h declares it.

template <class V, class D>
static OvKernels make_table(const char* isa) {
  OvKernels k;
  k.isa = isa;
  k.lanes = V::L;
  k.forward = NK<V>::forward;
  k.gradient = NK<V>::gradient;
  k.step = NK<V>::step;
  k.step_begin = NK<V>::step_begin;
  k.step_next = NK<V>::step_next;
  k.step_end = NK<V>::step_end;
  k.jvp = NK<V>::jvp;
  k.gram = GK<V>::gram;
  k.flips = NK<V>::flips;
  k.vfun = NK<V>::vfun;
  k.symv = DK<D>::symv;
  k.gemm = DK<D>::gemm;
  k.potrf = DK<D>::potrf;
  k.potrs = DK<D>::potrs;
  k.probe_fma = PK<V>::fma;
  k.probe_exp = PK<V>::exp;
  return k;
}
