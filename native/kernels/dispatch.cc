// The ISA registry and the run-time choice of the kernel table: CPU feature detection,
// BI_FORCE_ISA.
#include <cstdlib>
#include <string>

#include "bi/dispatch_detail.h"
#include "bi/kernels.h"

#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
#include <immintrin.h>
#include <intrin.h>
#elif (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
#include <cpuid.h>
#endif

namespace bi {

namespace {
bool detect_avx2_fma() {
#if defined(_MSC_VER) && (defined(_M_X64) || defined(_M_IX86))
  int r[4];
  __cpuid(r, 0);
  if (r[0] < 7) return false;
  __cpuidex(r, 1, 0);
  const unsigned ecx1 = (unsigned)r[2];
  if (!(ecx1 & (1u << 12)) || !(ecx1 & (1u << 27)) || !(ecx1 & (1u << 28))) return false;
  if ((_xgetbv(0) & 0x6) != 0x6) return false;  // OS saves XMM and YMM state
  __cpuidex(r, 7, 0);
  return ((unsigned)r[1] & (1u << 5)) != 0;
#elif (defined(__x86_64__) || defined(__i386__)) && (defined(__GNUC__) || defined(__clang__))
  unsigned a, b, c, d;
  if (__get_cpuid_max(0, nullptr) < 7) return false;
  if (!__get_cpuid(1, &a, &b, &c, &d)) return false;
  // FMA (12), OSXSAVE (27: XGETBV usable), AVX (28).
  if (!(c & (1u << 12)) || !(c & (1u << 27)) || !(c & (1u << 28))) return false;
  unsigned xlo, xhi;
  // XGETBV(0): bits 1 and 2 say the OS saves XMM and YMM state on switches.
  __asm__ volatile(".byte 0x0f, 0x01, 0xd0" : "=a"(xlo), "=d"(xhi) : "c"(0));
  (void)xhi;
  if ((xlo & 0x6) != 0x6) return false;
  if (!__get_cpuid_count(7, 0, &a, &b, &c, &d)) return false;
  return (b & (1u << 5)) != 0;  // AVX2
#else
  return false;
#endif
}
}  // namespace

// CPUID traps to the hypervisor in VMs (microseconds), so ask once.
bool cpu_has_avx2_fma() {
  static const bool has = detect_avx2_fma();
  return has;
}

bool cpu_has_neon() {
#if defined(__aarch64__) || defined(_M_ARM64)
  return true;  // baseline on aarch64
#else
  return false;
#endif
}

namespace {
bool cpu_runs_scalar() { return true; }
}  // namespace

const std::array<IsaEntry, 3>& isa_registry() {
  static const std::array<IsaEntry, 3> kRegistry = {{
      {Isa::avx2, "avx2", avx2_kernels, cpu_has_avx2_fma},
      {Isa::neon, "neon", neon_kernels, cpu_has_neon},
      {Isa::scalar, "scalar", scalar_kernels, cpu_runs_scalar},
  }};
  return kRegistry;
}

std::string isa_names(const char* sep) {
  std::string out;
  for (const IsaEntry& e : isa_registry()) out += (out.empty() ? "" : sep) + std::string(e.name);
  return out;
}

namespace {
const IsaEntry* entry_of(Isa isa) {
  for (const IsaEntry& e : isa_registry())
    if (e.isa == isa) return &e;
  return nullptr;
}
}  // namespace

bool isa_supported(Isa isa) {
  const IsaEntry* e = entry_of(isa);
  return e && e->cpu_can_run() && e->table() != nullptr;
}

const Kernels* kernels_for(Isa isa) { return isa_supported(isa) ? entry_of(isa)->table() : nullptr; }

const char* isa_name(Isa isa) {
  const IsaEntry* e = entry_of(isa);
  return e ? e->name : "unknown";
}

bool parse_isa(const std::string& name, Isa* out) {
  for (const IsaEntry& e : isa_registry()) {
    if (name == e.name) {
      if (out) *out = e.isa;
      return true;
    }
  }
  return false;
}

Isa best_isa() {
  for (const IsaEntry& e : isa_registry())
    if (isa_supported(e.isa)) return e.isa;
  return Isa::scalar;
}

const Kernels* kernels_from_env(const char* value, std::string* err) {
  if (value == nullptr || *value == '\0') return kernels_for(best_isa());
  Isa isa;
  if (!parse_isa(value, &isa)) {
    if (err) *err = std::string("BI_FORCE_ISA=") + value + " is not an ISA (" + isa_names() + ")";
    return nullptr;
  }
  const Kernels* k = kernels_for(isa);
  if (k == nullptr && err)
    *err = std::string("BI_FORCE_ISA=") + value + ": this CPU/build cannot run " + value;
  return k;
}

namespace {
struct Choice {
  const Kernels* kernels;
  std::string error;
};
Choice choose() {
  Choice c;
  c.kernels = kernels_from_env(std::getenv("BI_FORCE_ISA"), &c.error);
  return c;
}
}  // namespace

const Kernels* default_kernels(std::string* error) {
  static const Choice choice = choose();  // thread-safe, env read on first call
  if (choice.kernels == nullptr && error) *error = choice.error;
  return choice.kernels;
}

}  // namespace bi
