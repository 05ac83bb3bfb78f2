// Internals of kernel dispatch, exposed for tests (native/tests/test_kernels.cc).
#pragma once
#include <string>

#include "bi/kernels.h"

namespace bi {

// What default_kernels() returns for BI_FORCE_ISA=value: value null or empty
// picks the best supported table; otherwise the named one, or nullptr with
// *err set when the name is unknown or this CPU/build cannot run it.
const Kernels* kernels_from_env(const char* value, std::string* err);

// The best supported ISA here: the first of the registry this build and CPU can run.
Isa best_isa();

// CPU (and OS) feature checks, independent of what is compiled in (the registry's
// cpu_can_run entries).
bool cpu_has_avx2_fma();
bool cpu_has_neon();

}  // namespace bi
