// Argument conversion: typed arrays are read in place (their byte offset and length
// respected) and kept alive by the job that reads them. Validation of meaning happens
// in TypeScript; these checks only stop the glue from reading out of bounds.
#pragma once
#include <napi.h>

#include <cstdint>
#include <string>

#include "bi/kernels.h"
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

inline int IntArg(Napi::Env env, Napi::Value v, const char* name, int lo, int hi) {
  if (!v.IsNumber()) Throw(env, "E_OPTION", std::string(name) + " must be a number");
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= lo && d <= hi) || d != static_cast<int>(d))
    Throw(env, "E_OPTION", std::string(name) + " must be an integer in " + std::to_string(lo) + "…" + std::to_string(hi));
  return static_cast<int>(d);
}

// Kernels named by `isa` ("" or undefined = the default, which honours BI_FORCE_ISA).
const bi::Kernels& KernelsArg(Napi::Env env, Napi::Value isa);

}  // namespace bi_napi
