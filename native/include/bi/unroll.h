// BI_UNROLL before a loop over a register array: it must be fully unrolled early so the
// compiler keeps the array in registers (the GEMM micro-kernels of every SIMD ISA).
#pragma once

#if defined(__GNUC__) && !defined(__clang__)
#define BI_UNROLL _Pragma("GCC unroll 16")
#elif defined(__clang__)
#define BI_UNROLL _Pragma("unroll")
#else
#define BI_UNROLL
#endif
