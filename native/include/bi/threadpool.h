// A fixed pool of worker threads (no OpenMP). run(n, fn) calls fn(0..n-1) across the
// pool and the caller, and returns when all are done. Results go to per-task slots,
// so reductions happen afterwards in a fixed order: same output for any thread count.
// An exception thrown by a task (std::bad_alloc on a worker thread) is caught where it is
// thrown and rethrown by run() on the calling thread once every task has ended.
#pragma once
#include <condition_variable>
#include <exception>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

namespace bi {

class ThreadPool {
 public:
  explicit ThreadPool(int threads);  // total threads including the caller
  ~ThreadPool();
  ThreadPool(const ThreadPool&) = delete;
  ThreadPool& operator=(const ThreadPool&) = delete;

  int size() const { return static_cast<int>(workers_.size()) + 1; }
  void run(int tasks, const std::function<void(int)>& fn);

 private:
  void worker_loop();
  bool take(int* task);
  void call(const std::function<void(int)>& fn, int task);  // fn(task), its exception kept

  std::vector<std::thread> workers_;
  std::mutex mu_;
  std::condition_variable wake_, done_;
  const std::function<void(int)>* fn_ = nullptr;
  int next_ = 0, tasks_ = 0, pending_ = 0;
  std::exception_ptr error_;  // the first exception of this run()
  unsigned long generation_ = 0;
  bool stop_ = false;
};

int hardware_threads();

}  // namespace bi
