// rtv/core/parallel.hpp: a deterministic parallel loop. Work item i always runs the same computation with the
// same inputs whatever the thread count, and results are stored by index, so results do not depend on
// --threads (reproducibility: same command, same report).
#pragma once

#include <algorithm>
#include <atomic>
#include <exception>
#include <mutex>
#include <thread>
#include <vector>

namespace rtv {

/// Number of worker threads to use for `requested` (0 = all hardware threads).
inline int resolve_threads(int requested) {
  if (requested > 0) return requested;
  const unsigned hw = std::thread::hardware_concurrency();
  return hw > 0 ? static_cast<int>(hw) : 1;
}

/// Calls fn(i) for i in [0, n) on up to `threads` threads (dynamic scheduling; fn must only write to
/// per-index storage). The first exception thrown by any fn(i) is rethrown after all threads have joined.
template <class Fn>
void parallel_for(int n, int threads, Fn&& fn) {
  threads = std::max(1, std::min(resolve_threads(threads), n));
  if (threads <= 1) {
    for (int i = 0; i < n; ++i) fn(i);
    return;
  }
  std::atomic<int> next{0};
  std::exception_ptr error;
  std::mutex error_mutex;
  std::vector<std::thread> pool;
  for (int t = 0; t < threads; ++t) {
    pool.emplace_back([&] {
      for (int i = next++; i < n; i = next++) {
        try {
          fn(i);
        } catch (...) {
          std::lock_guard<std::mutex> lock(error_mutex);
          if (!error) error = std::current_exception();
        }
      }
    });
  }
  for (auto& th : pool) th.join();
  if (error) std::rethrow_exception(error);
}

}  // namespace rtv
