// Opens and closes a region of functions compiled for AVX2+FMA inside a file built with
// the project's portable flags. Code in the region runs only after isa_supported(Isa::avx2)
// (CPUID and XGETBV) said yes. x86-64 only; MSVC needs no pragma for the intrinsics.
#pragma once

#if defined(__clang__)
#define BI_TARGET_AVX2_BEGIN \
  _Pragma("clang attribute push(__attribute__((target(\"avx2,fma\"))), apply_to = function)")
#define BI_TARGET_AVX2_END _Pragma("clang attribute pop")
#elif defined(__GNUC__)
#define BI_TARGET_AVX2_BEGIN _Pragma("GCC push_options") _Pragma("GCC target(\"avx2,fma\")")
#define BI_TARGET_AVX2_END _Pragma("GCC pop_options")
#else
#define BI_TARGET_AVX2_BEGIN
#define BI_TARGET_AVX2_END
#endif
