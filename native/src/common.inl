// Shared by every kernel family (included first by kernels.inl): the inline attribute and the
// small helpers that panel.inl, gram.inl, dense.inl and probes.inl all use.

#ifndef OV_INLINE
#define OV_INLINE inline __attribute__((always_inline))
#endif

template <class A, class B> static inline A ov_min(A a, B b) { return a < (A)b ? a : (A)b; }
