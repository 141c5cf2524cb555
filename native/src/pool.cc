// A persistent thread pool: workers are created on first use and sleep on a condition variable
// between jobs, so a GD step pays a wake-up (~µs), not a thread creation. Tasks are claimed from
// an atomic counter; the kernels make every task's result independent of the worker that ran it
// (fixed partition, per-task outputs reduced in task order), which is what makes results
// bit-identical for any thread count (README: determinism).
#include "api.h"

#include <atomic>
#include <condition_variable>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <thread>
#include <vector>

namespace {

struct Pool {
  std::mutex mu;
  std::condition_variable wake, done;
  std::vector<std::thread> workers;
  // current job
  OvTaskFn fn = nullptr;
  void* ctx = nullptr;
  int ntasks = 0;
  int active = 0;          // helpers taking part in this job
  uint64_t generation = 0;
  std::atomic<int> next{0};
  int finished = 0;        // helpers that finished this job
  std::mutex job;          // one job at a time

  ~Pool() {
    {
      std::lock_guard<std::mutex> lk(mu);
      stop = true;
      generation++;
    }
    wake.notify_all();
    for (auto& t : workers) t.join();
  }
  bool stop = false;

  void drain(int worker) {
    for (;;) {
      int t = next.fetch_add(1, std::memory_order_relaxed);
      if (t >= ntasks) break;
      fn(ctx, t, worker);
    }
  }

  void loop(int id) {
    uint64_t seen = 0;
    for (;;) {
      {
        std::unique_lock<std::mutex> lk(mu);
        wake.wait(lk, [&] { return generation != seen; });
        seen = generation;
        if (stop) return;
        if (id > active) continue;  // not needed for this job
      }
      drain(id);
      {
        std::lock_guard<std::mutex> lk(mu);
        finished++;
      }
      done.notify_one();
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
        workers.emplace_back([this, id] { loop(id); });
      }
      fn = f;
      ctx = c;
      ntasks = n;
      active = threads - 1;
      finished = 0;
      next.store(0, std::memory_order_relaxed);
      generation++;
    }
    wake.notify_all();
    drain(0);
    std::unique_lock<std::mutex> lk(mu);
    done.wait(lk, [&] { return finished == active; });
  }
};

Pool& pool() {
  static Pool* p = new Pool();  // never destroyed: workers may outlive static destruction order
  return *p;
}

}  // namespace

extern "C" {

void ov_parallel(int ntasks, int threads, OvTaskFn fn, void* ctx) { pool().run(ntasks, threads, fn, ctx); }

int ov_hardware_threads(void) {
  unsigned h = std::thread::hardware_concurrency();
  return h == 0 ? 1 : (int)h;
}

void* ov_alloc(int64_t bytes) {
  size_t b = (size_t)((bytes + 63) / 64 * 64);
  if (b == 0) b = 64;
  void* p = std::aligned_alloc(64, b);
  if (p) std::memset(p, 0, b);
  return p;
}

void ov_free(void* p) { std::free(p); }
}
