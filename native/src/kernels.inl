// The hot loops of docs/theory.md §1–3, written once over a SIMD "traits" class and included by each
// ISA unit (isa_avx512.cc, isa_avx2.cc, isa_scalar.cc) inside its own namespace. No standard
// headers here: everything this file instantiates stays private to the ISA it is compiled for.
//
// Layout: neurons in SIMD lanes. A *panel* is P = NV·L consecutive neurons; its weights are
// transposed into Wt (d×P) so that z_{i,q} = Σ_j x_ij · Wt[j][q] is a broadcast of x_ij times a
// vector of P neurons. The reduction over samples (gradient) then runs along the loop, and the
// reduction over neurons (forward) runs across lanes into an n×L buffer Ul. See README.md.
//
// Requires from the includer: traits V (element type T, register R, lanes L, blocking NV, MR,
// JB, GMR, GNR and the operations used below) for the kernel precision, V1 the same with NV = 1
// (narrow panels, OvNarrow<V>; V itself where the panels are already one lane wide), and D64 for float64
// (dense helpers); ov_* from api.h.
//
// Files, included in this order (each relies on the ones before it):
//   common.inl  OV_INLINE, ov_min, kernel ids, σ/σ' (vector cosh and sinh), the softmax factor
//   panel.inl   NK: the neuron-panel kernels (forward, gradient, step, jvp, flips, vfun)
//   gram.inl    GK: the Gram matrix H = κ² (XXᵀ)∘(ΦΦᵀ)
//   narrow.inl  NX: NK and GK on narrow panels (NV = 1) at small widths, wide ones otherwise
//   dense.inl   DK: dense float64 helpers (symv, gemm, potrf, potrs)
//   probes.inl  PK: roofline probes
//   table.inl   make_table: the OvKernels table of one (ISA, precision)

#include "common.inl"
#include "panel.inl"
#include "gram.inl"
#include "narrow.inl"
#include "dense.inl"
#include "probes.inl"
#include "table.inl"
