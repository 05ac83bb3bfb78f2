// Argument conversion: typed arrays are read in place (their byte offset and length
// respected) and kept alive by the job that reads them. Validation of meaning happens
// in TypeScript; these checks only stop the glue from reading out of bounds.
#pragma once
#include <napi.h>

#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "bi/kernels.h"
#include "bi/rnn.h"
#include "errors.h"

namespace bi_napi {

template <typename T>
struct ArrayArg {
  T* data = nullptr;
  size_t length = 0;
};

template <typename T, napi_typedarray_type Type>
ArrayArg<T> TypedArrayArg(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsTypedArray() || v.As<Napi::TypedArray>().TypedArrayType() != Type)
    Throw(env, "E_DTYPE", std::string(name) + " has the wrong array type");
  auto arr = v.As<Napi::TypedArrayOf<T>>();
  return {arr.Data(), arr.ElementLength()};
}

inline ArrayArg<float> Float32Arg(Napi::Env env, Napi::Value v, const char* name) {
  return TypedArrayArg<float, napi_float32_array>(env, v, name);
}
inline ArrayArg<uint8_t> BytesArg(Napi::Env env, Napi::Value v, const char* name) {
  if (v.IsBuffer()) {
    auto b = v.As<Napi::Buffer<uint8_t>>();
    return {b.Data(), b.Length()};
  }
  return TypedArrayArg<uint8_t, napi_uint8_array>(env, v, name);
}

constexpr double kMaxSafeInteger = 9007199254740991.0;  // 2^53 − 1: a double holds it exactly

// A double that must become a C++ integer in [lo, hi] (both within ±2^53): NaN, ±Inf,
// fractions and values outside are `code` errors, checked before any cast (a cast of
// those is undefined behaviour).
inline int64_t CheckedInteger(Napi::Env env, double d, const char* name, int64_t lo, int64_t hi, const char* code) {
  if (!(d >= double(lo) && d <= double(hi)) || d != std::floor(d))
    Throw(env, code, std::string(name) + " must be an integer in " + std::to_string(lo) + "…" + std::to_string(hi) +
                         ", got " + std::to_string(d));
  return int64_t(d);
}

// A non-negative integer held exactly by a double (a count, an index, a range bound).
inline uint64_t CheckedIndex(Napi::Env env, double d, const char* name, const char* code) {
  return uint64_t(CheckedInteger(env, d, name, 0, int64_t(kMaxSafeInteger), code));
}

// A non-negative integer held exactly by a double; `code` names the error otherwise.
inline uint64_t IndexArg(Napi::Env env, Napi::Value v, const char* name, const char* code = "E_RANGE") {
  if (!v.IsNumber()) Throw(env, code, std::string(name) + " must be a number");
  return CheckedIndex(env, v.As<Napi::Number>().DoubleValue(), name, code);
}

// An integer option in [lo, hi] (E_OPTION otherwise).
inline int IntArg(Napi::Env env, Napi::Value v, const char* name, int lo, int hi) {
  if (!v.IsNumber()) Throw(env, "E_OPTION", std::string(name) + " must be a number");
  return int(CheckedInteger(env, v.As<Napi::Number>().DoubleValue(), name, lo, hi, "E_OPTION"));
}

// The hidden size H of a model.
inline int HiddenArg(Napi::Env env, Napi::Value v) { return IntArg(env, v, "hidden", bi::kMinHidden, bi::kMaxHidden); }

inline double NumArg(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsNumber()) Throw(env, "E_OPTION", std::string(name) + " must be a number");
  return v.As<Napi::Number>().DoubleValue();
}

inline std::vector<double> DoublesArg(Napi::Env env, Napi::Value v, const char* name) {
  auto a = TypedArrayArg<double, napi_float64_array>(env, v, name);
  return std::vector<double>(a.data, a.data + a.length);
}

inline std::vector<int> IntsArg(Napi::Env env, Napi::Value v, const char* name) {
  auto a = TypedArrayArg<int32_t, napi_int32_array>(env, v, name);
  return std::vector<int>(a.data, a.data + a.length);
}

// An object argument (options, out arrays); `message` is the error when it is not one.
inline Napi::Object ObjectArg(Napi::Env env, Napi::Value v, const char* code, const char* message) {
  if (!v.IsObject()) Throw(env, code, message);
  return v.As<Napi::Object>();
}

// options.threads: worker threads, 1 when absent.
inline int ThreadsOption(Napi::Env env, Napi::Object opt) {
  return opt.Has("threads") && !opt.Get("threads").IsUndefined() ? IntArg(env, opt.Get("threads"), "threads", 1, 256) : 1;
}

// The array's data, after checking it has exactly `need` elements.
template <typename T>
T* Sized(Napi::Env env, ArrayArg<T> a, size_t need, const char* name) {
  if (a.length != need)
    Throw(env, "E_SHAPE", std::string(name) + " must have " + std::to_string(need) + " elements, got " + std::to_string(a.length));
  return a.data;
}

// Counts and sums travel to JS as Float64Arrays (exact below 2^53).
template <typename T>
Napi::Float64Array ToFloat64(Napi::Env env, const std::vector<T>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = double(v[i]);
  return a;
}

// Sets each (name, vector) argument pair on `o` as a Float64Array field, in order.
inline void SetFloat64s(Napi::Env, Napi::Object) {}
template <typename T, typename... Rest>
void SetFloat64s(Napi::Env env, Napi::Object o, const char* name, const std::vector<T>& v, const Rest&... rest) {
  o.Set(name, ToFloat64(env, v));
  SetFloat64s(env, o, rest...);
}

// Kernels named by `isa` ("" or undefined = the default, which honours BI_FORCE_ISA).
const bi::Kernels& KernelsArg(Napi::Env env, Napi::Value isa);

// options.isa and options.threads, set on a native options struct that has both.
template <typename Options>
void SetIsaThreads(Napi::Env env, Napi::Object opt, Options* options) {
  options->kernels = &KernelsArg(env, opt.Get("isa"));
  options->threads = ThreadsOption(env, opt);
}

}  // namespace bi_napi
