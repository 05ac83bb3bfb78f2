// The transpose of L byte streams into one L-byte word per position, 16 positions at a
// time: byte l of word i is lane[l][i]. Pass 1 of the skip-gram counts builds one word per
// corpus position from K bytes at arbitrary offsets; done a byte at a time that is ~3
// instructions per byte and position, with SSE2 or NEON unpacks it is 3 (8 lanes) or 2
// (4 lanes) instructions per 16 bytes. SSE2 and NEON are part of the base ISA of x86-64 and
// AArch64, so there is no run-time choice; transpose16_scalar is the reference the tests
// compare against. Little-endian targets only (all of ours).
#pragma once
#include <cstdint>
#include <cstring>

#if defined(__SSE2__) || defined(_M_X64)
#include <emmintrin.h>
#define BI_TRANSPOSE_SSE2 1
#elif defined(__aarch64__) || defined(_M_ARM64)
#include <arm_neon.h>
#define BI_TRANSPOSE_NEON 1
#endif

namespace bi {

// A lane that holds only zeros (a word byte no stream fills).
inline const uint8_t* zero_lane() {
  alignas(16) static const uint8_t zeros[16] = {0};
  return zeros;
}

template <typename W>
void transpose16_scalar(const uint8_t* const* lane, W* out) {
  constexpr int L = int(sizeof(W));
  for (int i = 0; i < 16; ++i) {
    W w = 0;
    for (int l = 0; l < L; ++l) w |= W(lane[l][i]) << (8 * l);
    out[i] = w;
  }
}

#if defined(BI_TRANSPOSE_SSE2) || defined(BI_TRANSPOSE_NEON)
namespace transpose_detail {
#if defined(BI_TRANSPOSE_SSE2)
using V = __m128i;
inline V load(const uint8_t* p) { return _mm_loadu_si128(reinterpret_cast<const V*>(p)); }
inline void store(void* p, V v) { _mm_storeu_si128(reinterpret_cast<V*>(p), v); }
// Interleave the low (lo) or high (hi) halves of a and b in units of 8, 16 or 32 bits.
inline V lo8(V a, V b) { return _mm_unpacklo_epi8(a, b); }
inline V hi8(V a, V b) { return _mm_unpackhi_epi8(a, b); }
inline V lo16(V a, V b) { return _mm_unpacklo_epi16(a, b); }
inline V hi16(V a, V b) { return _mm_unpackhi_epi16(a, b); }
inline V lo32(V a, V b) { return _mm_unpacklo_epi32(a, b); }
inline V hi32(V a, V b) { return _mm_unpackhi_epi32(a, b); }
#else
using V = uint8x16_t;
inline V load(const uint8_t* p) { return vld1q_u8(p); }
inline void store(void* p, V v) { vst1q_u8(static_cast<uint8_t*>(p), v); }
inline V lo8(V a, V b) { return vzip1q_u8(a, b); }
inline V hi8(V a, V b) { return vzip2q_u8(a, b); }
inline V lo16(V a, V b) { return vreinterpretq_u8_u16(vzip1q_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b))); }
inline V hi16(V a, V b) { return vreinterpretq_u8_u16(vzip2q_u16(vreinterpretq_u16_u8(a), vreinterpretq_u16_u8(b))); }
inline V lo32(V a, V b) { return vreinterpretq_u8_u32(vzip1q_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b))); }
inline V hi32(V a, V b) { return vreinterpretq_u8_u32(vzip2q_u32(vreinterpretq_u32_u8(a), vreinterpretq_u32_u8(b))); }
#endif
}  // namespace transpose_detail

// 4 lanes → 16 uint32 words: interleave bytes (lanes 0|1, 2|3), then 16-bit pairs.
inline void transpose16(const uint8_t* const* lane, uint32_t* out) {
  using namespace transpose_detail;
  const V v0 = load(lane[0]), v1 = load(lane[1]), v2 = load(lane[2]), v3 = load(lane[3]);
  const V a0 = lo8(v0, v1), a1 = hi8(v0, v1), a2 = lo8(v2, v3), a3 = hi8(v2, v3);  // positions 0–7, 8–15
  store(out, lo16(a0, a2));       // positions 0–3
  store(out + 4, hi16(a0, a2));   // 4–7
  store(out + 8, lo16(a1, a3));   // 8–11
  store(out + 12, hi16(a1, a3));  // 12–15
}

// 8 lanes → 16 uint64 words: bytes, 16-bit pairs (lanes 0–3 and 4–7), then 32-bit halves.
inline void transpose16(const uint8_t* const* lane, uint64_t* out) {
  using namespace transpose_detail;
  V v[8];
  for (int l = 0; l < 8; ++l) v[l] = load(lane[l]);
  const V a0 = lo8(v[0], v[1]), a1 = hi8(v[0], v[1]), a2 = lo8(v[2], v[3]), a3 = hi8(v[2], v[3]);
  const V a4 = lo8(v[4], v[5]), a5 = hi8(v[4], v[5]), a6 = lo8(v[6], v[7]), a7 = hi8(v[6], v[7]);
  const V b0 = lo16(a0, a2), b1 = hi16(a0, a2), b2 = lo16(a1, a3), b3 = hi16(a1, a3);  // lanes 0–3 of positions 0–3, 4–7, 8–11, 12–15
  const V b4 = lo16(a4, a6), b5 = hi16(a4, a6), b6 = lo16(a5, a7), b7 = hi16(a5, a7);  // lanes 4–7
  store(out, lo32(b0, b4));
  store(out + 2, hi32(b0, b4));
  store(out + 4, lo32(b1, b5));
  store(out + 6, hi32(b1, b5));
  store(out + 8, lo32(b2, b6));
  store(out + 10, hi32(b2, b6));
  store(out + 12, lo32(b3, b7));
  store(out + 14, hi32(b3, b7));
}
#else
inline void transpose16(const uint8_t* const* lane, uint32_t* out) { transpose16_scalar(lane, out); }
inline void transpose16(const uint8_t* const* lane, uint64_t* out) { transpose16_scalar(lane, out); }
#endif

}  // namespace bi
