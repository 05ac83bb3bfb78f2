// Control: what a long native job polls — a cancel flag written by JS (an Int32Array
// element set through Atomics) and a progress callback. Both are optional.
#pragma once
#include <cstdint>
#include <functional>

namespace bi {

struct Control {
  const int32_t* cancel_flag = nullptr;  // non-zero means stop
  const int32_t* stop_flag = nullptr;    // the same, set by the glue (environment torn down, callback threw)
  std::function<void(double done, double total)> progress;

  bool cancelled() const { return is_set(cancel_flag) || is_set(stop_flag); }
  static bool is_set(const int32_t* flag) {
    if (!flag) return false;
#if defined(_MSC_VER)
    return *static_cast<const volatile int32_t*>(flag) != 0;
#else
    return __atomic_load_n(flag, __ATOMIC_RELAXED) != 0;
#endif
  }
  // The same flags without progress (for inner passes that must not report).
  Control quiet() const {
    Control q;
    q.cancel_flag = cancel_flag;
    q.stop_flag = stop_flag;
    return q;
  }
  void report(double done, double total) const {
    if (progress) progress(done, total);
  }
};

}  // namespace bi
