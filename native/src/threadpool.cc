#include "bi/threadpool.h"

#include <utility>

namespace bi {

ThreadPool::ThreadPool(int threads) {
  for (int i = 1; i < threads; ++i) workers_.emplace_back([this] { worker_loop(); });
}

ThreadPool::~ThreadPool() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  wake_.notify_all();
  for (auto& t : workers_) t.join();
}

bool ThreadPool::take(int* task) {  // called with mu_ held
  if (!fn_ || next_ >= tasks_) return false;
  *task = next_++;
  return true;
}

void ThreadPool::call(const std::function<void(int)>& fn, int task) {
  try {
    fn(task);
  } catch (...) {
    std::lock_guard<std::mutex> lock(mu_);
    if (!error_) error_ = std::current_exception();
  }
}

void ThreadPool::run(int tasks, const std::function<void(int)>& fn) {
  if (tasks <= 0) return;
  if (workers_.empty() || tasks == 1) {
    for (int i = 0; i < tasks; ++i) fn(i);
    return;
  }
  std::unique_lock<std::mutex> lock(mu_);
  fn_ = &fn;
  next_ = 0;
  tasks_ = tasks;
  pending_ = tasks;
  ++generation_;
  wake_.notify_all();
  int task;
  while (take(&task)) {  // the caller works too
    lock.unlock();
    call(fn, task);
    lock.lock();
    --pending_;
  }
  done_.wait(lock, [this] { return pending_ == 0; });
  fn_ = nullptr;
  if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
}

void ThreadPool::worker_loop() {
  std::unique_lock<std::mutex> lock(mu_);
  unsigned long seen = generation_;
  for (;;) {
    wake_.wait(lock, [&] { return stop_ || generation_ != seen; });
    if (stop_) return;
    seen = generation_;
    int task;
    while (take(&task)) {
      const std::function<void(int)>* fn = fn_;
      lock.unlock();
      call(*fn, task);
      lock.lock();
      if (--pending_ == 0) done_.notify_all();
    }
  }
}

int hardware_threads() {
  unsigned n = std::thread::hardware_concurrency();
  return n == 0 ? 1 : static_cast<int>(n);
}

}  // namespace bi
