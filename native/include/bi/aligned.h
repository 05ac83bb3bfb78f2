// std::vector with 64-byte aligned storage. The SIMD kernels use unaligned loads, but a
// 32-byte load that straddles two cache lines costs a second access: with malloc's
// 16-byte alignment half of them do, and the GEMMs and gemv lose 5–15 %.
#pragma once
#include <cstddef>
#include <new>
#include <vector>

namespace bi {

template <typename T>
struct AlignedAllocator {
  using value_type = T;
  static constexpr std::size_t kAlign = 64;
  AlignedAllocator() noexcept = default;
  template <typename U>
  AlignedAllocator(const AlignedAllocator<U>&) noexcept {}
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T), std::align_val_t(kAlign))); }
  void deallocate(T* p, std::size_t) noexcept { ::operator delete(p, std::align_val_t(kAlign)); }
  template <typename U>
  struct rebind {
    using other = AlignedAllocator<U>;
  };
};
template <typename T, typename U>
bool operator==(const AlignedAllocator<T>&, const AlignedAllocator<U>&) noexcept {
  return true;
}
template <typename T, typename U>
bool operator!=(const AlignedAllocator<T>&, const AlignedAllocator<U>&) noexcept {
  return false;
}

template <typename T>
using AlignedVector = std::vector<T, AlignedAllocator<T>>;

}  // namespace bi
