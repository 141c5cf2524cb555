// Node-API glue: argument checking, ISA selection, timing of the roofline probes. The numerical
// work is in kernels.inl, compiled once per ISA (isa_*.cc) and chosen at run time.
#include <napi.h>

#include <atomic>
#include <chrono>
#include <cmath>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "api.h"
#include "bound.h"
#include "eigen.h"
#include "movement.h"

namespace {

bool has_avx512() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512dq") &&
         __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512bw");
}
bool has_avx2() {
  __builtin_cpu_init();
  return __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
}

const OvKernels* table(const Napi::Env& env, const std::string& isa, bool f32) {
  if (isa == "avx512") {
    if (!has_avx512()) throw Napi::Error::New(env, "this CPU lacks AVX-512 (F, DQ, VL, BW)");
    return ov_kernels_avx512(f32);
  }
  if (isa == "avx2") {
    if (!has_avx2()) throw Napi::Error::New(env, "this CPU lacks AVX2 + FMA");
    return ov_kernels_avx2(f32);
  }
  if (isa == "scalar") return ov_kernels_scalar(f32);
  throw Napi::Error::New(env, "unknown ISA: " + isa);
}

template <class T>
T* arr(const Napi::Value& v, int64_t need, const char* what) {
  Napi::Env env = v.Env();
  bool ok = v.IsTypedArray();
  if (ok) {
    napi_typedarray_type want = sizeof(T) == 8 ? napi_float64_array : napi_float32_array;
    ok = v.As<Napi::TypedArray>().TypedArrayType() == want;
  }
  if (!ok) {
    throw Napi::TypeError::New(env, std::string(what) + (sizeof(T) == 8 ? " must be a Float64Array" : " must be a Float32Array"));
  }
  auto ta = v.As<Napi::TypedArrayOf<T>>();
  if ((int64_t)ta.ElementLength() < need) {
    throw Napi::RangeError::New(env, std::string(what) + " has " + std::to_string(ta.ElementLength()) +
                                         " elements, needs " + std::to_string(need));
  }
  return ta.Data();
}

int intArg(const Napi::Value& v, const char* what, int lo) {
  if (!v.IsNumber()) throw Napi::TypeError::New(v.Env(), std::string(what) + " must be a number");
  double x = v.As<Napi::Number>().DoubleValue();
  if (!(x >= lo) || x > 2147483647.0 || x != (double)(int64_t)x)
    throw Napi::RangeError::New(v.Env(), std::string(what) + " must be an integer ≥ " + std::to_string(lo));
  return (int)x;
}

struct Call {
  const OvKernels* k;
  OvProblem p;
  bool f32;
};

// (isa, f32, prob, ...): prob = { n, d, m, X, a, kappa, act }
Call problemOf(Napi::Env env, const Napi::Value& isa, const Napi::Value& f32, const Napi::Value& prob) {
  Call c;
  c.f32 = f32.ToBoolean();
  c.k = table(env, isa.ToString().Utf8Value(), c.f32);
  if (!prob.IsObject()) throw Napi::TypeError::New(env, "problem must be an object");
  Napi::Object o = prob.As<Napi::Object>();
  c.p.n = intArg(o.Get("n"), "n", 1);
  c.p.d = intArg(o.Get("d"), "d", 1);
  c.p.m = intArg(o.Get("m"), "m", 1);
  int64_t nd = (int64_t)c.p.n * c.p.d;
  if (c.f32) c.p.X = arr<float>(o.Get("X"), nd, "X");
  else c.p.X = arr<double>(o.Get("X"), nd, "X");
  c.p.a = arr<double>(o.Get("a"), c.p.m, "a");
  c.p.kappa = o.Get("kappa").ToNumber().DoubleValue();
  // the activation's kernel id (api.h, OvActivation): an unknown id is an error, never a fallback
  Napi::Value act = o.Get("act");
  if (!act.IsNumber()) throw Napi::TypeError::New(env, "act must be a number");
  double a = act.As<Napi::Number>().DoubleValue();
  if (!(a >= 0 && a < OV_ACT_COUNT) || a != (double)(int)a)
    throw Napi::RangeError::New(env, "act must be a native activation id: 0 (exp), 1 (relu), 2 (cosh), 3 (sinh) or 4 (softmax); got " +
                                         act.ToString().Utf8Value());
  c.p.act = (int)a;
  return c;
}
Call problem(const Napi::CallbackInfo& info) { return problemOf(info.Env(), info[0], info[1], info[2]); }

int64_t md(const Call& c) { return (int64_t)c.p.m * c.p.d; }

Napi::Value Forward(const Napi::CallbackInfo& info) {
  Call c = problem(info);
  const double* W = arr<double>(info[3], md(c), "W");
  double* u = arr<double>(info[4], c.p.n, "u");
  c.k->forward(&c.p, W, u, intArg(info[5], "threads", 1));
  return info.Env().Undefined();
}
Napi::Value Gradient(const Napi::CallbackInfo& info) {
  Call c = problem(info);
  const double* W = arr<double>(info[3], md(c), "W");
  const double* r = arr<double>(info[4], c.p.n, "r");
  double* G = arr<double>(info[5], md(c), "G");
  c.k->gradient(&c.p, W, r, G, intArg(info[6], "threads", 1));
  return info.Env().Undefined();
}
Napi::Value Step(const Napi::CallbackInfo& info) {
  Call c = problem(info);
  double* W = arr<double>(info[3], md(c), "W");
  const double* r = arr<double>(info[4], c.p.n, "r");
  double eta = info[5].ToNumber().DoubleValue();
  double* u = arr<double>(info[6], c.p.n, "u");
  c.k->step(&c.p, W, r, eta, u, intArg(info[7], "threads", 1));
  return info.Env().Undefined();
}
// The trainer's per-step bookkeeping (src/train/train.ts), written out in the same order so that
// its doubles are the same bits: plain r_i = u_i − y_i; centred (α) F_α − y = α(u_i − u0_i) − y_i
// and r_i = (F_α − y)_i / α; ‖F_α − y‖₂ summed in index order. Compiled without FMA (this unit has
// no -mfma), as JavaScript evaluates it.
struct Residual {
  int n;
  const double* y;
  const double* u0;  // null: the plain network
  double alpha;
  double operator()(const double* u, double* r, double* rModel) const {
    double s = 0;
    if (!u0) {
      for (int i = 0; i < n; i++) {
        r[i] = u[i] - y[i];
        s += r[i] * r[i];
      }
    } else {
      for (int i = 0; i < n; i++) {
        rModel[i] = alpha * (u[i] - u0[i]) - y[i];
        r[i] = rModel[i] / alpha;
        s += rModel[i] * rModel[i];
      }
    }
    return std::sqrt(s);
  }
};

// Up to B steps of GD in one call, with the trainer's stopping rules between steps (train.ts):
// before a step, stop if ‖r‖ ≤ ε (reason 1); after it, if the output or W is not finite, restore
// the last finite state and stop without counting the step (2); record ‖r‖, R (and ReLU's pattern
// flips); stop if ‖r‖ > limit (3). Reason 0: all B steps taken; −1: out of memory.
struct Job {
  Call c;
  double *W, *u, *r, *rModel;
  const double *W0, *y;
  double eta, residual, epsilon, limit;
  Residual res;
  int B;
  double *outR, *outM, *outF;
  int steps = 0, reason = 0;
};

// The loop of steps with the trainer's rules (see Job) on state u, r, rModel: step(b, &move2,
// &finite, &flips) takes step b from the current weights into the next ones and sets u (and the
// reports); accept() makes the next weights current. outputs: whether this loop writes j's
// outputs and reason (a team's thread 1 runs the same loop on its own copies and writes nothing).
template <class Step, class Accept>
void stepLoop(Job& j, double* u, double* r, double* rModel, bool outputs, Step step, Accept accept) {
  const int n = j.c.p.n;
  std::vector<double> uprev((size_t)n);
  double residual = j.residual;
  int reason = 0, steps = 0;
  for (int b = 0; b < j.B; b++) {
    if (residual <= j.epsilon) {
      reason = 1;
      break;
    }
    std::memcpy(uprev.data(), u, (size_t)n * sizeof(double));
    double move2;
    int finite;
    int64_t flips;
    step(b, &move2, &finite, &flips);  // W(k+1) = W(k) − η ∇L(W(k)); u = F(W(k+1), X)
    double next = j.res(u, r, rModel);
    if (!std::isfinite(next) || !finite) {
      // keep the last finite weights: the step is not accepted
      std::memcpy(u, uprev.data(), (size_t)n * sizeof(double));
      j.res(u, r, rModel);
      reason = 2;
      break;
    }
    accept();
    residual = next;
    if (outputs) {
      j.outR[b] = residual;
      j.outM[b] = std::sqrt(move2);  // R = max_r ‖w_r − w_r(0)‖₂ (src/model/movement.ts)
      if (j.outF) j.outF[b] = (double)flips;  // ReLU: pattern flips against W(0), counted in the step
    }
    steps++;
    if (residual > j.limit) {
      reason = 3;
      break;
    }
  }
  if (outputs) {
    j.reason = reason;
    j.steps = steps;
  }
}

// A run on two threads as a team (api.h run_team): both threads run stepLoop, each with its own
// u, r (and rModel), and take the same decisions from the same bits; thread 0 works on the job's
// arrays and writes the outputs. A thread publishes the steps whose half it has finished (a cache
// line each) and waits for the other's before it joins the halves.
struct alignas(64) StepsDone {
  std::atomic<int64_t> steps{0};
};
struct Team {
  Job* j;
  void* run;
  StepsDone done[2];
};

// Spin until the other thread has finished `steps` steps; after ~512 rounds (15–20 µs of `pause`
// here) offer the core every 64 rounds (sched_yield): the other thread may be waiting for it
// behind another process's threads (pool.cc, YIELD_AFTER_NS).
void awaitSteps(const std::atomic<int64_t>& other, int64_t steps) {
  for (int k = 1; other.load(std::memory_order_acquire) < steps; k++) {
#if defined(__x86_64__) || defined(__i386__)
    __builtin_ia32_pause();
#endif
    if (k > 512 && (k & 63) == 0) std::this_thread::yield();
  }
}

void teamTask(void* ctx, int t, int) {
  Team& tm = *(Team*)ctx;
  Job& j = *tm.j;
  const OvKernels* k = j.c.k;
  const int n = j.c.p.n;
  // thread 1's own state, from the job's
  std::vector<double> own(t == 0 ? 0 : 3 * (size_t)n);
  double* u = j.u;
  double* r = j.r;
  double* rModel = j.rModel;
  if (t != 0) {
    u = own.data();
    r = u + n;
    rModel = j.rModel == j.r ? r : r + n;
    std::memcpy(u, j.u, (size_t)n * sizeof(double));
    std::memcpy(r, j.r, (size_t)n * sizeof(double));
    if (rModel != r) std::memcpy(rModel, j.rModel, (size_t)n * sizeof(double));
  }
  std::atomic<int64_t>& mine = tm.done[t].steps;
  const std::atomic<int64_t>& other = tm.done[1 - t].steps;
  int cur = 0;  // the buffer of the current weights, flipped by each accepted step on both threads alike
  auto step = [&](int b, double* move2, int* finite, int64_t* flips) {
    k->run_half(tm.run, t, cur, r, j.eta, b);  // this thread's half of the neurons
    mine.store(b + 1, std::memory_order_release);
    awaitSteps(other, b + 1);
    k->run_join(tm.run, t, b, u, move2, finite, flips);
  };
  stepLoop(j, u, r, rModel, t == 0, step, [&] { cur = 1 - cur; });
  if (t == 0) k->run_set_cur(tm.run, cur);
}

void runJob(Job& j, int threads) {
  // the run keeps its own (panel-major) copies of W and W(0); j.W is written back at the end
  void* run = j.c.k->run_begin(&j.c.p, j.W, j.W0, j.outF != nullptr, threads);
  if (!run) {
    j.reason = -1;
    return;
  }
  static const int hardware = ov_hardware_threads();  // read once: a system call
  if (threads == 2 && hardware >= 2 && j.c.k->run_team(run)) {
    Team tm;
    tm.j = &j;
    tm.run = run;
    ov_parallel(2, 2, teamTask, &tm);
  } else {
    const OvKernels* k = j.c.k;
    auto step = [&](int, double* move2, int* finite, int64_t* flips) { k->run_step(run, j.r, j.eta, j.u, move2, finite, flips); };
    stepLoop(j, j.u, j.r, j.rModel, true, step, [&] { k->run_accept(run); });
  }
  j.c.k->run_store(run, j.W);
  j.c.k->run_end(run);
}

// The arguments of one run, read on the main thread: a = [isa, f32, prob, W, W0, y, u, r, rModel, eta, opts, out]
//   opts = { steps: B, residual: ‖r‖ now, epsilon, limit, alpha, u0?: Float64Array, flips: bool }
//   out  = { residual, movement, flips? }: Float64Arrays of length ≥ B, entry b for the step b + 1 of the call
Job jobOf(Napi::Env env, const std::vector<Napi::Value>& a) {
  Job j{problemOf(env, a[0], a[1], a[2])};
  const int n = j.c.p.n;
  const int64_t len = md(j.c);
  j.W = arr<double>(a[3], len, "W");
  j.W0 = arr<double>(a[4], len, "W0");
  j.y = arr<double>(a[5], n, "y");
  j.u = arr<double>(a[6], n, "u");
  j.r = arr<double>(a[7], n, "r");
  j.rModel = arr<double>(a[8], n, "rModel");
  j.eta = a[9].ToNumber().DoubleValue();
  if (!a[10].IsObject() || !a[11].IsObject()) throw Napi::TypeError::New(env, "opts and out must be objects");
  Napi::Object o = a[10].As<Napi::Object>();
  Napi::Object out = a[11].As<Napi::Object>();
  j.B = intArg(o.Get("steps"), "steps", 0);
  j.residual = o.Get("residual").ToNumber().DoubleValue();
  j.epsilon = o.Get("epsilon").ToNumber().DoubleValue();
  j.limit = o.Get("limit").ToNumber().DoubleValue();
  j.res = Residual{n, j.y, nullptr, 1.0};
  if (o.Get("u0").IsTypedArray()) {
    j.res.u0 = arr<double>(o.Get("u0"), n, "u0");
    j.res.alpha = o.Get("alpha").ToNumber().DoubleValue();
  }
  const bool flips = o.Get("flips").ToBoolean();
  j.outR = arr<double>(out.Get("residual"), j.B, "out.residual");
  j.outM = arr<double>(out.Get("movement"), j.B, "out.movement");
  j.outF = flips ? arr<double>(out.Get("flips"), j.B, "out.flips") : nullptr;
  return j;
}

Napi::Object resultOf(Napi::Env env, const Job& j) {
  if (j.reason < 0) throw Napi::Error::New(env, "out of memory for the step's scratch");
  Napi::Object result = Napi::Object::New(env);
  result.Set("steps", j.steps);
  result.Set("reason", j.reason);
  return result;
}

// runSteps(isa, f32, prob, W, W0, y, u, r, rModel, eta, opts, out, threads) → { steps, reason }
Napi::Value RunSteps(const Napi::CallbackInfo& info) {
  std::vector<Napi::Value> a;
  for (size_t i = 0; i < 12; i++) a.push_back(info[i]);
  Job j = jobOf(info.Env(), a);
  runJob(j, intArg(info[12], "threads", 1));
  return resultOf(info.Env(), j);
}

// runMany(isa, f32, jobs, threads) → [{ steps, reason }]: jobs = [[prob, W, W0, y, u, r, rModel, eta, opts, out], …],
// each run on one thread with its own scratch, the jobs spread over `threads` workers. Each job's
// bits are those of runSteps alone: the kernels give the same bits on every thread count.
void taskJob(void* ctx, int t, int) { runJob((*(std::vector<Job>*)ctx)[t], 1); }

Napi::Value RunMany(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (!info[2].IsArray()) throw Napi::TypeError::New(env, "jobs must be an array");
  Napi::Array list = info[2].As<Napi::Array>();
  std::vector<Job> jobs;
  jobs.reserve(list.Length());
  for (uint32_t t = 0; t < list.Length(); t++) {
    Napi::Value v = list.Get(t);
    if (!v.IsArray() || v.As<Napi::Array>().Length() != 10) throw Napi::TypeError::New(env, "each job must be [prob, W, W0, y, u, r, rModel, eta, opts, out]");
    Napi::Array job = v.As<Napi::Array>();
    std::vector<Napi::Value> a = {info[0], info[1]};
    for (uint32_t i = 0; i < 10; i++) a.push_back(job.Get(i));
    jobs.push_back(jobOf(env, a));
  }
  ov_parallel((int)jobs.size(), intArg(info[3], "threads", 1), taskJob, &jobs);
  Napi::Array results = Napi::Array::New(env, jobs.size());
  for (uint32_t t = 0; t < jobs.size(); t++) results.Set(t, resultOf(env, jobs[t]));
  return results;
}

Napi::Value Jvp(const Napi::CallbackInfo& info) {
  Call c = problem(info);
  const double* W = arr<double>(info[3], md(c), "W");
  const double* V = arr<double>(info[4], md(c), "V");
  double* out = arr<double>(info[5], c.p.n, "out");
  c.k->jvp(&c.p, W, V, out, intArg(info[6], "threads", 1));
  return info.Env().Undefined();
}
Napi::Value Gram(const Napi::CallbackInfo& info) {
  Call c = problem(info);
  const double* W = arr<double>(info[3], md(c), "W");
  double* H = arr<double>(info[4], (int64_t)c.p.n * c.p.n, "H");
  c.k->gram(&c.p, W, H, intArg(info[5], "threads", 1));
  return info.Env().Undefined();
}
Napi::Value Flips(const Napi::CallbackInfo& info) {
  Call c = problem(info);
  const double* W0 = arr<double>(info[3], md(c), "W0");
  const double* W = arr<double>(info[4], md(c), "W");
  int64_t f = c.k->flips(&c.p, W0, W, intArg(info[5], "threads", 1));
  return Napi::Number::New(info.Env(), (double)f);
}
// vfun(isa, f32, fn, x, y): y = fn(x) elementwise, fn 'exp', 'cosh' or 'sinh', as the kernels compute it
void vcall(const Napi::CallbackInfo& info, int fn, int xi) {
  const OvKernels* k = table(info.Env(), info[0].ToString().Utf8Value(), info[1].ToBoolean());
  double* xp = arr<double>(info[xi], 0, "x");
  int64_t len = (int64_t)info[xi].As<Napi::Float64Array>().ElementLength();
  double* y = arr<double>(info[xi + 1], len, "y");
  k->vfun(fn, xp, y, len);
}
Napi::Value Vfun(const Napi::CallbackInfo& info) {
  std::string name = info[2].ToString().Utf8Value();
  int fn = name == "exp" ? OV_VF_EXP : name == "cosh" ? OV_VF_COSH : name == "sinh" ? OV_VF_SINH : -1;
  if (fn < 0) throw Napi::RangeError::New(info.Env(), "fn must be 'exp', 'cosh' or 'sinh', got '" + name + "'");
  vcall(info, fn, 3);
  return info.Env().Undefined();
}
// vexp(isa, f32, x, y) = vfun(isa, f32, 'exp', x, y)
Napi::Value Vexp(const Napi::CallbackInfo& info) {
  vcall(info, OV_VF_EXP, 2);
  return info.Env().Undefined();
}
// symv(isa, n, A, x, y, threads)
Napi::Value Symv(const Napi::CallbackInfo& info) {
  const OvKernels* k = table(info.Env(), info[0].ToString().Utf8Value(), false);
  int n = intArg(info[1], "n", 0);
  const double* A = arr<double>(info[2], (int64_t)n * n, "A");
  const double* x = arr<double>(info[3], n, "x");
  double* y = arr<double>(info[4], n, "y");
  k->symv(n, A, x, y, intArg(info[5], "threads", 1));
  return info.Env().Undefined();
}
// gemm(isa, m, n, k, A, B, C, threads): C = A B
Napi::Value Gemm(const Napi::CallbackInfo& info) {
  const OvKernels* kt = table(info.Env(), info[0].ToString().Utf8Value(), false);
  int m = intArg(info[1], "m", 0), n = intArg(info[2], "n", 0), k = intArg(info[3], "k", 0);
  const double* A = arr<double>(info[4], (int64_t)m * k, "A");
  const double* B = arr<double>(info[5], (int64_t)k * n, "B");
  double* C = arr<double>(info[6], (int64_t)m * n, "C");
  kt->gemm(m, n, k, A, B, C, intArg(info[7], "threads", 1));
  return info.Env().Undefined();
}
// potrf(isa, n, A, threads) → 0 or the order of the first non-positive minor
Napi::Value Potrf(const Napi::CallbackInfo& info) {
  const OvKernels* k = table(info.Env(), info[0].ToString().Utf8Value(), false);
  int n = intArg(info[1], "n", 0);
  double* A = arr<double>(info[2], (int64_t)n * n, "A");
  return Napi::Number::New(info.Env(), k->potrf(n, A, intArg(info[3], "threads", 1)));
}
// potrs(isa, n, L, b)
Napi::Value Potrs(const Napi::CallbackInfo& info) {
  const OvKernels* k = table(info.Env(), info[0].ToString().Utf8Value(), false);
  int n = intArg(info[1], "n", 0);
  const double* Lm = arr<double>(info[2], (int64_t)n * n, "L");
  double* b = arr<double>(info[3], n, "b");
  k->potrs(n, Lm, b);
  return info.Env().Undefined();
}
// probe(isa, f32, kind, threads, iters) → seconds
Napi::Value Probe(const Napi::CallbackInfo& info) {
  const OvKernels* k = table(info.Env(), info[0].ToString().Utf8Value(), info[1].ToBoolean());
  std::string kind = info[2].ToString().Utf8Value();
  int threads = intArg(info[3], "threads", 1);
  int64_t iters = (int64_t)info[4].ToNumber().DoubleValue();
  auto t0 = std::chrono::steady_clock::now();
  if (kind == "fma") k->probe_fma(threads, iters);
  else k->probe_exp(threads, iters);
  double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  return Napi::Number::New(info.Env(), s);
}

// tridiagonalize(n, a, d, e, h): a (n×n) holds A and is overwritten by the reflectors
Napi::Value Tridiagonalize(const Napi::CallbackInfo& info) {
  int n = intArg(info[0], "n", 1);
  double* a = arr<double>(info[1], (int64_t)n * n, "a");
  double* d = arr<double>(info[2], n, "d");
  double* e = arr<double>(info[3], n, "e");
  double* h = arr<double>(info[4], n, "h");
  ov_tridiagonalize(n, a, d, e, h);
  return info.Env().Undefined();
}
// applyQ(n, a, h, Z, count)
Napi::Value ApplyQ(const Napi::CallbackInfo& info) {
  int n = intArg(info[0], "n", 1);
  const double* a = arr<double>(info[1], (int64_t)n * n, "a");
  const double* h = arr<double>(info[2], n, "h");
  int count = intArg(info[4], "count", 0);
  double* Z = arr<double>(info[3], (int64_t)count * n, "Z");
  ov_apply_q(n, a, h, Z, count);
  return info.Env().Undefined();
}
// tridiagonalQL(n, d, e, Zt | null) → 0, or −1 if it did not converge
Napi::Value TridiagonalQL(const Napi::CallbackInfo& info) {
  int n = intArg(info[0], "n", 1);
  double* d = arr<double>(info[1], n, "d");
  double* e = arr<double>(info[2], n, "e");
  double* Zt = info[3].IsNull() ? nullptr : arr<double>(info[3], (int64_t)n * n, "Zt");
  return Napi::Number::New(info.Env(), ov_tridiagonal_ql(n, d, e, Zt));
}
// bisectEigenvalues(n, d, e, ks: number[], out: Float64Array): λ_k for each k of ks into out
Napi::Value BisectEigenvalues(const Napi::CallbackInfo& info) {
  int n = intArg(info[0], "n", 1);
  const double* d = arr<double>(info[1], n, "d");
  const double* e = arr<double>(info[2], n, "e");
  if (!info[3].IsArray()) throw Napi::TypeError::New(info.Env(), "ks must be an array");
  Napi::Array ka = info[3].As<Napi::Array>();
  std::vector<int> ks(ka.Length());
  for (uint32_t c = 0; c < ka.Length(); c++) {
    ks[c] = intArg(ka.Get(c), "k", 0);
    if (ks[c] >= n) throw Napi::RangeError::New(info.Env(), "eigenvalue index out of range");
  }
  double* out = arr<double>(info[4], (int64_t)ks.size(), "out");
  ov_bisect_eigenvalues(n, d, e, ks.data(), (int)ks.size(), out);
  return info.Env().Undefined();
}

// movementStats(W, W0, m, d, out) → 0, or 1 where a movement is NaN
Napi::Value MovementStats(const Napi::CallbackInfo& info) {
  int m = intArg(info[2], "m", 1), d = intArg(info[3], "d", 1);
  const double* W = arr<double>(info[0], (int64_t)m * d, "W");
  const double* W0 = arr<double>(info[1], (int64_t)m * d, "W0");
  double* out = arr<double>(info[4], 3, "out");
  return Napi::Number::New(info.Env(), ov_movement_stats(m, d, W, W0, out));
}

// extremesPair(n, A, B, C, threads, out) → 0, or 1 where an entry of A or B − C is not finite
Napi::Value ExtremesPair(const Napi::CallbackInfo& info) {
  int n = intArg(info[0], "n", 1);
  const double* A = arr<double>(info[1], (int64_t)n * n, "A");
  const double* B = arr<double>(info[2], (int64_t)n * n, "B");
  const double* C = arr<double>(info[3], (int64_t)n * n, "C");
  int threads = intArg(info[4], "threads", 1);
  double* out = arr<double>(info[5], 4, "out");
  return Napi::Number::New(info.Env(), ov_extremes_pair(n, A, B, C, threads, out));
}

// inputGram(X, n, d, G): G = X Xᵀ
Napi::Value InputGram(const Napi::CallbackInfo& info) {
  int n = intArg(info[1], "n", 1), d = intArg(info[2], "d", 1);
  const double* X = arr<double>(info[0], (int64_t)n * d, "X");
  double* G = arr<double>(info[3], (int64_t)n * n, "G");
  ov_input_gram(n, d, X, G);
  return info.Env().Undefined();
}

// observedB(X, n, d, W, m) → max_{r,i} |⟨w_r, x_i⟩|
Napi::Value ObservedB(const Napi::CallbackInfo& info) {
  int n = intArg(info[1], "n", 1), d = intArg(info[2], "d", 1), m = intArg(info[4], "m", 1);
  const double* X = arr<double>(info[0], (int64_t)n * d, "X");
  const double* W = arr<double>(info[3], (int64_t)m * d, "W");
  return Napi::Number::New(info.Env(), ov_observed_b(n, d, X, m, W));
}

Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object o = Napi::Object::New(env);
  Napi::Array isas = Napi::Array::New(env);
  uint32_t k = 0;
  if (has_avx512()) isas.Set(k++, "avx512");
  if (has_avx2()) isas.Set(k++, "avx2");
  isas.Set(k++, "scalar");
  o.Set("isas", isas);
  o.Set("hardwareThreads", ov_hardware_threads());
  Napi::Object lanes = Napi::Object::New(env);
  lanes.Set("avx512", 8);
  lanes.Set("avx2", 4);
  lanes.Set("scalar", 1);
  o.Set("lanes", lanes);
  // the activation kernel ids this build has (api.h, OvActivation)
  Napi::Array acts = Napi::Array::New(env);
  for (uint32_t a = 0; a < OV_ACT_COUNT; a++) acts.Set(a, a);
  o.Set("activations", acts);
  return o;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("forward", Napi::Function::New(env, Forward));
  exports.Set("gradient", Napi::Function::New(env, Gradient));
  exports.Set("step", Napi::Function::New(env, Step));
  exports.Set("runSteps", Napi::Function::New(env, RunSteps));
  exports.Set("runMany", Napi::Function::New(env, RunMany));
  exports.Set("jvp", Napi::Function::New(env, Jvp));
  exports.Set("gram", Napi::Function::New(env, Gram));
  exports.Set("flips", Napi::Function::New(env, Flips));
  exports.Set("vexp", Napi::Function::New(env, Vexp));
  exports.Set("vfun", Napi::Function::New(env, Vfun));
  exports.Set("symv", Napi::Function::New(env, Symv));
  exports.Set("gemm", Napi::Function::New(env, Gemm));
  exports.Set("potrf", Napi::Function::New(env, Potrf));
  exports.Set("potrs", Napi::Function::New(env, Potrs));
  exports.Set("probe", Napi::Function::New(env, Probe));
  exports.Set("tridiagonalize", Napi::Function::New(env, Tridiagonalize));
  exports.Set("applyQ", Napi::Function::New(env, ApplyQ));
  exports.Set("tridiagonalQL", Napi::Function::New(env, TridiagonalQL));
  exports.Set("bisectEigenvalues", Napi::Function::New(env, BisectEigenvalues));
  exports.Set("movementStats", Napi::Function::New(env, MovementStats));
  exports.Set("extremesPair", Napi::Function::New(env, ExtremesPair));
  exports.Set("inputGram", Napi::Function::New(env, InputGram));
  exports.Set("observedB", Napi::Function::New(env, ObservedB));
  return exports;
}

}  // namespace

NODE_API_MODULE(overparam, Init)
