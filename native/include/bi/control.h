// Control: what a long native job polls — a cancel flag written by JS (an Int32Array
// element set through Atomics) and a progress callback. Both are optional.
#pragma once
#include <cstdint>
#include <functional>

namespace bi {

struct Control {
  const int32_t* cancel_flag = nullptr;  // non-zero means stop
  std::function<void(double done, double total)> progress;

  bool cancelled() const {
    if (!cancel_flag) return false;
#if defined(_MSC_VER)
    return *static_cast<const volatile int32_t*>(cancel_flag) != 0;
#else
    return __atomic_load_n(cancel_flag, __ATOMIC_RELAXED) != 0;
#endif
  }
  void report(double done, double total) const {
    if (progress) progress(done, total);
  }
};

}  // namespace bi
