// ThreadPool: every task runs once, and an exception thrown by a task on any thread
// (std::bad_alloc on a worker) comes back from run() on the caller instead of std::terminate.
#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <vector>

#include "bi/threadpool.h"

TEST(ThreadPool, RunsEveryTaskOnce) {
  bi::ThreadPool pool(3);
  std::vector<std::atomic<int>> hits(50);
  pool.run(50, [&](int i) { hits[i]++; });
  for (auto& h : hits) EXPECT_EQ(h.load(), 1);
}

TEST(ThreadPool, BadAllocOnEveryThreadComesBackFromRun) {
  bi::ThreadPool pool(2);
  for (int round = 0; round < 20; ++round) {  // tasks land on the worker as well as the caller
    std::atomic<int> ran{0};
    EXPECT_THROW(pool.run(8, [&](int) {
      ran++;
      throw std::bad_alloc();
    }), std::bad_alloc);
    EXPECT_EQ(ran.load(), 8);  // the other tasks still ran: run() returns when all have ended
  }
  std::atomic<int> after{0};
  pool.run(4, [&](int) { after++; });  // the pool is usable afterwards
  EXPECT_EQ(after.load(), 4);
}

TEST(ThreadPool, OnlyOneTaskThrows) {
  bi::ThreadPool pool(4);
  EXPECT_THROW(pool.run(16, [](int i) {
    if (i == 13) throw std::runtime_error("task 13");
  }), std::runtime_error);
}
