// Kernel table: every hot numeric primitive, one implementation per ISA.
// The scalar table is the reference and the fallback; SIMD tables must match it
// within the tolerances stated in native/tests/test_kernels.cc.
// All matrices are row-major with explicit leading dimensions (in floats).
#pragma once
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>

namespace bi {

// Coefficients of one Adam step (see Kernels::adam).
struct AdamStep {
  float gscale, b1, b2, c1, c2, lr, eps;
};

// Margins |z| are binned in 64 equal bins per octave over 2^−32 … 2^32 (bin 0: below 2^−32; the
// last bin: 2^32 and above, and NaN), read off the float's exponent and top six mantissa bits: no
// logarithm per value. Every power of two starts a bin, so counts below one come exactly from it.
constexpr int kMarginFineBins = 64 * 64 + 2;
inline int margin_bin(float a) {  // a ≥ 0 (a |z|)
  uint32_t bits;
  std::memcpy(&bits, &a, 4);
  // bits >> 17 is 64·(biased exponent) + top mantissa bits; 2^−32 has biased exponent 95.
  const int v = int(bits >> 17) - (95 * 64 - 1);
  return v < 0 ? 0 : v > kMarginFineBins - 1 ? kMarginFineBins - 1 : v;
}
// What margin_scan adds to: Σ|z| and the counts of |z| < 1 and |z| < 0.1 (as float comparisons).
struct MarginSums {
  double abs_sum = 0;
  uint64_t below_1 = 0, below_01 = 0;
};

// Shared by every table's margin_scan: elements i … n − 1 one by one, then Σ|z| as the contract
// says (the tail in order, then the eight float lanes in order, in double) and the counts into *acc.
inline void margin_scan_finish(int i, int n, const float* z, float* a, uint64_t* hist, const float* lanes,
                               uint64_t below_1, uint64_t below_01, MarginSums* acc) {
  double sum = 0;
  for (; i < n; ++i) {
    const float v = std::fabs(z[i]);
    if (a) a[i] = v;
    ++hist[margin_bin(v)];
    below_1 += v < 1.0f;
    below_01 += v < 0.1f;
    sum += v;
  }
  for (int l = 0; l < 8; ++l) sum += lanes[l];
  acc->abs_sum += sum;
  acc->below_1 += below_1;
  acc->below_01 += below_01;
}

// Shared by every table's sign_bits: the signs of x[i … min(n, i + 8)) into out[i / 8] (i % 8 = 0).
inline void sign_byte(int i, int n, const float* x, uint8_t* out) {
  uint32_t byte = 0;
  for (int j = i; j < n && j < i + 8; ++j) byte |= uint32_t(x[j] >= 0.0f) << (j - i);
  out[i / 8] = uint8_t(byte);
}

// The instruction sets the kernels are written for; their names and the order in which
// dispatch prefers them are in the registry below (isa_registry), nowhere else.
enum class Isa { scalar = 0, avx2 = 1, neon = 2 };

// Every kernel of a table, as (member, function name in the ISA's namespace): `tanh` is
// `tanh_` there, so that it does not hide std::tanh. Each kernels/*.cc fills its table from
// this one list, by member name, never by position (gemv_n and gemv_t share a signature, so a
// positional swap would compile); adding a kernel is a member below and a line here.
#define BI_KERNEL_MEMBERS(X)                                                                \
  X(gemm_nn, gemm_nn) X(gemm_tn, gemm_tn) X(gemv_n, gemv_n) X(gemv_t, gemv_t) X(ger, ger)   \
  X(tanh, tanh_) X(logsoftmax_xent, logsoftmax_xent) X(dot, dot) X(axpy, axpy)            \
  X(adam, adam) X(transpose, transpose) X(tanh_grad, tanh_grad)                           \
  X(sum_squares, sum_squares) X(sign_bits, sign_bits) X(margin_scan, margin_scan)

// The table of ISA `ns` (also its namespace): isa, name, and every member of
// BI_KERNEL_MEMBERS from ns::. Used once per kernels/*.cc.
#define BI_KERNEL_SET(member, fn) t.member = kns::fn;
#define BI_KERNEL_TABLE(ns)                    \
  [] {                                         \
    namespace kns = ns;                        \
    Kernels t{};                               \
    t.isa = Isa::ns;                           \
    t.name = isa_name(Isa::ns);                \
    BI_KERNEL_MEMBERS(BI_KERNEL_SET)           \
    return t;                                  \
  }()

struct Kernels {
  Isa isa;
  const char* name;  // isa_name(isa)

  // C[M×N] (+)= A[M×K] · B[K×N]. With accumulate=false C is overwritten.
  // Used for multi-stream recurrence (Hprev · Whᵀ with a transposed copy) and
  // window-batched readout (H · Wyᵀ).
  void (*gemm_nn)(int M, int N, int K, const float* A, int lda, const float* B,
                  int ldb, float* C, int ldc, bool accumulate);
  // C[M×N] += A[K×M]ᵀ · B[K×N]: rank-K accumulation (dW += dZᵀ · H over a window).
  void (*gemm_tn)(int M, int N, int K, const float* A, int lda, const float* B,
                  int ldb, float* C, int ldc);
  // y[M] (+)= A[M×N] · x[N]
  void (*gemv_n)(int M, int N, const float* A, int lda, const float* x, float* y,
                 bool accumulate);
  // y[N] (+)= A[M×N]ᵀ · x[M]
  void (*gemv_t)(int M, int N, const float* A, int lda, const float* x, float* y,
                 bool accumulate);
  // A[M×N] += alpha · x[M] · y[N]ᵀ (rank-1 accumulation)
  void (*ger)(int M, int N, float alpha, const float* x, const float* y, float* A,
              int lda);
  // y[i] = tanh(x[i]); x and y may alias.
  void (*tanh)(int n, const float* x, float* y);
  // Natural-log softmax cross-entropy of logits[n] against target:
  // returns -ln softmax(logits)[target] (not floored). If dlogits is non-null it
  // receives scale·(softmax − onehot(target)); dlogits may alias logits.
  float (*logsoftmax_xent)(int n, const float* logits, int target, float* dlogits,
                           float scale);
  float (*dot)(int n, const float* x, const float* y);
  // y += a·x
  void (*axpy)(int n, float a, const float* x, float* y);
  // Adam over n parameters, element-wise (optim.h): ĝ = gscale·g, m = b1·m + (1−b1)·ĝ,
  // v = b2·v + (1−b2)·ĝ², p −= lr·(m·c1)/(√(v·c2) + eps), c1, c2 the bias corrections.
  // Returns false when some updated p is ±Inf or NaN.
  bool (*adam)(int n, float* p, float* m, float* v, const float* g, const AdamStep& s);
  // dst[j·ldd + i] = src[i·lds + j] for a rows × cols source (an exact copy).
  void (*transpose)(int rows, int cols, const float* src, int lds, float* dst, int ldd);
  // Backward through tanh: dz[i] = (dh[i] + dnext[i])·(1 − h[i]·h[i]), or dh[i]·(1 − h[i]·h[i])
  // when dnext is null (h = tanh z). Rounded step by step (no fused multiply-add on AVX2).
  void (*tanh_grad)(int n, const float* dh, const float* dnext, const float* h, float* dz);
  // Σ x[i]² in double: 32 partial sums (lane i % 32) combined in a fixed order. A float's
  // square is exact in double, so only the order of the adds rounds, and every table gives
  // bitwise the scalar table's value. 32 lanes, not one: eight 4-wide double chains hide the
  // add latency (the global norm of a gradient).
  double (*sum_squares)(int n, const float* x);
  // Packed signs: bit i % 8 of out[i / 8] is 1[x[i] ≥ 0] (−0 counts as ≥ 0, NaN as < 0), for
  // ceil(n / 8) bytes; the unused high bits of the last byte are 0. The sign vector σ of a state.
  void (*sign_bits)(int n, const float* x, uint8_t* out);
  // Margins of n pre-activations z: ++hist[margin_bin(|z[i]|)] (hist: kMarginFineBins counts),
  // |z[i]| into a[i] when a is non-null, and into *acc: Σ|z| summed in float in eight lanes
  // (lane i % 8 over the whole groups of eight, in order), then in double the tail in order and
  // the eight lanes in order — so every table gives bitwise the scalar sum — and the counts.
  void (*margin_scan)(int n, const float* z, float* a, uint64_t* hist, MarginSums* acc);
};

// BI_KERNEL_MEMBERS names every kernel of the struct: one added to the struct only fails here.
#define BI_KERNEL_COUNT(member, fn) +1
static_assert(sizeof(Kernels) == offsetof(Kernels, gemm_nn) + (0 BI_KERNEL_MEMBERS(BI_KERNEL_COUNT)) * sizeof(void (*)()),
              "a kernel member is missing from BI_KERNEL_MEMBERS");
#undef BI_KERNEL_COUNT

// The fixed order in which every table's sum_squares combines its 32 lane sums: pairwise.
inline double combine_lanes32(const double* lanes) {
  double s[32];
  for (int l = 0; l < 32; ++l) s[l] = lanes[l];
  for (int w = 16; w >= 1; w /= 2)
    for (int l = 0; l < w; ++l) s[l] = s[l] + s[l + w];
  return s[0];
}

// One entry of the ISA registry.
struct IsaEntry {
  Isa isa;
  const char* name;           // what BI_FORCE_ISA, options.isa and the CLI's --isa take
  const Kernels* (*table)();  // the table compiled into this build, or nullptr
  bool (*cpu_can_run)();      // this CPU (and OS) can execute its instructions
};
// Every ISA the code knows, in priority order (best first; scalar, the reference and
// fallback, last). The one list that dispatch, parse_isa, the addon's names (and through
// them lib/validate.ts and the CLI's help), the tests and the benchmarks loop over.
const std::array<IsaEntry, 3>& isa_registry();
// The registry's names joined by sep, in priority order ("avx2|neon|scalar"), for messages.
std::string isa_names(const char* sep = "|");

// The table of an ISA when this build has it and this CPU can run it, else nullptr.
const Kernels* kernels_for(Isa isa);
bool isa_supported(Isa isa);
const char* isa_name(Isa isa);
// Parses a registry name; returns false on an unknown name.
bool parse_isa(const std::string& name, Isa* out);
// The best table for this CPU, unless BI_FORCE_ISA names another. Sets *error
// (and returns nullptr) when BI_FORCE_ISA is unknown or unsupported here.
const Kernels* default_kernels(std::string* error);

// Per-ISA tables (defined in kernels/*.cc; absent ones return nullptr): the registry's
// `table` entries.
const Kernels* scalar_kernels();
const Kernels* avx2_kernels();
const Kernels* neon_kernels();

}  // namespace bi
