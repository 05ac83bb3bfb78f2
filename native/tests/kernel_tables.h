// The kernel tables a test runs over, read from the ISA registry (kernels.h).
#pragma once
#include <gtest/gtest.h>

#include <vector>

#include "bi/kernels.h"

namespace bi_test {

// Every kernel table this CPU and build can run, scalar (the reference) first: the
// registry from its end.
inline std::vector<const bi::Kernels*> all_kernels() {
  std::vector<const bi::Kernels*> ks;
  const auto& reg = bi::isa_registry();
  for (auto e = reg.rbegin(); e != reg.rend(); ++e)
    if (const bi::Kernels* k = bi::kernels_for(e->isa)) ks.push_back(k);
  return ks;
}

// The SIMD tables this CPU can run. Fails the calling test when the CPU can run an ISA
// whose table is missing from the build, so "every SIMD table matches scalar" cannot pass
// by having no SIMD table to compare.
inline std::vector<const bi::Kernels*> simd_kernels() {
  std::vector<const bi::Kernels*> ks;
  for (const bi::IsaEntry& e : bi::isa_registry()) {
    if (e.isa == bi::Isa::scalar || !e.cpu_can_run()) continue;
    EXPECT_NE(e.table(), nullptr) << "this CPU runs " << e.name << " but the build has no " << e.name << " table";
    if (const bi::Kernels* k = bi::kernels_for(e.isa)) ks.push_back(k);
  }
  return ks;
}

}  // namespace bi_test
