// A persistent thread pool: workers are created on first use and, between jobs, first spin for a
// short while (SPIN_NS; yielding the core between looks after YIELD_AFTER_NS) and then sleep on a
// condition variable. A run of GD steps on a small
// network issues a job every few µs: there a condition-variable wake-up (tens of µs on this VM)
// would cost more than the step, while a spinning worker picks the next job up within ~0.1 µs.
// The caller likewise spins before it sleeps on the workers' completion. Tasks are claimed from
// atomic counters (Pool::drain); the kernels make every task's result independent of the worker that ran it
// (fixed partition, per-task outputs reduced in task order), which is what makes results
// bit-identical for any thread count (README: determinism).
#include "api.h"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <mutex>
#include <thread>
#include <vector>

namespace {

// How long an idle worker (or the caller waiting for the workers) spins before it sleeps: long
// enough to bridge the gap between two steps of a run and the short stretches of JavaScript
// between the native calls of a monitored run (a run's batch of steps, then the Gram matrix, then
// the eigen-routines: 50 µs let the worker fall asleep there, and the Gram matrix took 0.4–0.6 ms
// in the default run instead of 0.35–0.4), short enough that a worker left idle gives its core
// back within a third of a millisecond.
const int64_t SPIN_NS = 300000;

inline void cpu_relax() {
#if defined(__x86_64__) || defined(__i386__)
  __builtin_ia32_pause();
#endif
}
inline int64_t now_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(std::chrono::steady_clock::now().time_since_epoch()).count();
}
// After this long a spinning thread offers its core to any other runnable thread at every look at
// the clock (sched_yield). The thread it waits for may be one of them: another process's threads
// (two overparam processes, the test runner's two files at once) can hold both cores, and a
// thread that only spins then keeps the core the awaited one needs until its time slice ends.
// With two 2-thread processes on the two cores, softmax steps at (32, 8, 256) had taken 2400 µs
// (22 alone) and the Gram matrix at (64, 8, 4096) 3.7 ms (0.28 alone); now 44–48 µs and 0.66 ms
// (native/README.md, "A spinning thread yields after 20 µs"). A hand-off
// between two running threads takes well under a microsecond, so the first YIELD_AFTER_NS are
// spent spinning only.
const int64_t YIELD_AFTER_NS = 20000;

// Spin until pred() or `ns` have passed; the clock is read every 64 rounds.
template <class F>
bool spin_until(F pred, int64_t ns) {
  if (ns <= 0) return pred();
  int64_t t0 = now_ns();
  for (int k = 1;; k++) {
    if (pred()) return true;
    cpu_relax();
    if ((k & 63) == 0) {
      const int64_t dt = now_ns() - t0;
      if (dt > ns) return pred();
      if (dt > YIELD_AFTER_NS) std::this_thread::yield();
    }
  }
}

struct Pool {
  std::mutex mu;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  // current job
  OvTaskFn fn = nullptr;
  void* ctx = nullptr;
  int ntasks = 0;
  int active = 0;          // helpers taking part in this job
  // how long to spin (SPIN_NS), or 0 when the job has more threads than the machine has: then a
  // spinning thread would take the core a working one needs
  std::atomic<int64_t> spinNs{SPIN_NS};
  const int hardware = ov_hardware_threads();  // read once: a system call
  // bumped (release, under mu) once the job's fields above are set; a spinning worker that reads
  // a new value (acquire) therefore sees them
  // (each on its own cache line: the caller spins on `finished` while the workers work, and a
  // worker spins on `generation` while the caller sets up a job)
  alignas(64) std::atomic<uint64_t> generation{0};
  alignas(64) std::atomic<int> finished{0};  // helpers that finished this job
  // who sleeps on a condition variable (changed under mu): the other side then must notify, and
  // only then (a notify costs a system call on this VM even when nobody waits)
  alignas(64) std::atomic<int> sleepers{0};
  std::atomic<bool> callerAsleep{false};
  std::mutex job;          // one job at a time

  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu);
      stop = true;
      generation.fetch_add(1, std::memory_order_release);
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
  }
  bool stop = false;

  // Tasks are dealt out in contiguous ranges, one per thread, each claimed from its own counter
  // (a cache line of its own): a thread claims from its range without contending with the others
  // and keeps the same tasks (the same panels of W, in its own cache) from one step to the next.
  // A thread done with its range takes what is left of the others', so a thread that starts late
  // or is descheduled delays the job by at most its current task.
  struct alignas(128) Range {
    std::atomic<int> next{0};
    int end = 0;
  };
  std::unique_ptr<Range[]> ranges;
  int nranges = 0;
  void claim(int k, int worker) {
    Range& r = ranges[k];
    for (;;) {
      int t = r.next.fetch_add(1, std::memory_order_relaxed);
      if (t >= r.end) return;
      fn(ctx, t, worker);
    }
  }
  void drain(int worker) {
    const int T = active + 1;
    for (int k = 0; k < T; k++) claim((worker + k) % T, worker);
  }

  // seen: the generation when the worker was created (under mu, before the job it was created
  // for is published): it takes part from that job on. Starting from 0 instead, a worker created
  // after the first job would take the finished job's generation for a new one and run, and count
  // itself finished, while the caller is still setting the next job up.
  void loop(int id, uint64_t seen) {
    for (;;) {
      auto fresh = [&] { return generation.load(std::memory_order_acquire) != seen; };
      if (!spin_until(fresh, spinNs.load(std::memory_order_relaxed))) {
        std::unique_lock<std::mutex> lk(mu);
        sleepers.fetch_add(1);
        wake.wait(lk, fresh);
        sleepers.fetch_sub(1);
      }
      seen = generation.load(std::memory_order_acquire);
      if (stop) return;
      if (id > active) continue;  // not needed for this job
      drain(id);
      finished.fetch_add(1, std::memory_order_seq_cst);
      // the caller may be asleep on `done` (it sets callerAsleep under mu before its last check of
      // `finished`): taking mu orders this wake-up after that check
      if (callerAsleep.load(std::memory_order_seq_cst)) {
        { std::lock_guard<std::mutex> lk(mu); }
        done.notify_one();
      }
    }
  }

  void run(int n, int threads, OvTaskFn f, void* c) {
    if (n <= 0) return;
    if (threads > n) threads = n;
    if (threads <= 1) {
      for (int t = 0; t < n; t++) f(c, t, 0);
      return;
    }
    std::lock_guard<std::mutex> jl(job);
    {
      std::lock_guard<std::mutex> lk(mu);
      while ((int)workers.size() < threads - 1) {
        int id = (int)workers.size() + 1;
        const uint64_t g = generation.load(std::memory_order_relaxed);
        workers.emplace_back([this, id, g] { loop(id, g); });
      }
      fn = f;
      ctx = c;
      ntasks = n;
      active = threads - 1;
      spinNs.store(threads <= hardware ? SPIN_NS : 0, std::memory_order_relaxed);
      finished.store(0, std::memory_order_relaxed);
      if (nranges < threads) {  // no job is in flight (job is held): nobody reads the old ranges
        ranges.reset(new Range[threads]);
        nranges = threads;
      }
      for (int k = 0; k < threads; k++) {
        ranges[k].next.store((int)((int64_t)k * n / threads), std::memory_order_relaxed);
        ranges[k].end = (int)((int64_t)(k + 1) * n / threads);
      }
      generation.fetch_add(1, std::memory_order_release);
      // a worker asleep has registered under mu, which this block holds: none is missed
      if (sleepers.load() > 0) wake.notify_all();
    }
    drain(0);
    auto all = [&] { return finished.load(std::memory_order_seq_cst) == active; };
    if (!spin_until(all, spinNs.load(std::memory_order_relaxed))) {
      std::unique_lock<std::mutex> lk(mu);
      callerAsleep.store(true, std::memory_order_seq_cst);
      done.wait(lk, all);
      callerAsleep.store(false);
    }
  }
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

// Scratch blocks a thread frees are kept (per thread, blocks of at most KEEP_BLOCK bytes, KEEP_BYTES
// in all) and handed out again to a request they fit without wasting more than half: a monitored
// run asks for the same Gram buffers at every observation, and a block fresh from the system costs
// its page faults each time (glibc returns a freed 1 MB block to the system: the default run's
// Gram matrix took 0.45–0.6 ms on those calls instead of 0.29). No value depends on it: every
// buffer is written before it is read, and ov_alloc zero-fills as before. Each block carries its
// size in a 64-byte header (which keeps the 64-byte alignment).
const size_t HEADER = 64, KEEP_BLOCK = (size_t)4 << 20, KEEP_BYTES = (size_t)8 << 20;
struct ScratchCache {
  std::vector<std::pair<size_t, char*>> kept;  // (size, base)
  size_t total = 0;
  // the smallest kept block of at least b bytes and at most 2b, or null
  char* take(size_t b) {
    size_t best = kept.size();
    for (size_t k = 0; k < kept.size(); k++)
      if (kept[k].first >= b && kept[k].first <= 2 * b && (best == kept.size() || kept[k].first < kept[best].first)) best = k;
    if (best == kept.size()) return nullptr;
    char* base = kept[best].second;
    total -= kept[best].first;
    kept.erase(kept.begin() + (std::ptrdiff_t)best);
    return base;
  }
  bool keep(char* base, size_t b) {
    if (b > KEEP_BLOCK || total + b > KEEP_BYTES) return false;
    kept.emplace_back(b, base);
    total += b;
    return true;
  }
  ~ScratchCache() {
    for (auto& k : kept) std::free(k.second);
  }
};
thread_local ScratchCache scratch;

}  // namespace

extern "C" {

void ov_parallel(int ntasks, int threads, OvTaskFn fn, void* ctx) { pool().run(ntasks, threads, fn, ctx); }

int ov_hardware_threads(void) {
  unsigned h = std::thread::hardware_concurrency();
  return h == 0 ? 1 : (int)h;
}

void* ov_alloc_raw(int64_t bytes) {
  size_t b = (size_t)((bytes + 63) / 64 * 64);
  if (b == 0) b = 64;
  if (char* kept = scratch.take(b)) return kept + HEADER;
  char* base = (char*)std::aligned_alloc(64, b + HEADER);
  if (!base) return nullptr;
  *(size_t*)base = b;
  return base + HEADER;
}

void* ov_alloc(int64_t bytes) {
  void* p = ov_alloc_raw(bytes);
  if (p) std::memset(p, 0, (size_t)((bytes + 63) / 64 * 64));
  return p;
}

void ov_free(void* p) {
  if (!p) return;
  char* base = (char*)p - HEADER;
  if (!scratch.keep(base, *(size_t*)base)) std::free(base);
}
}
