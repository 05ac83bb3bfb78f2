// Argument helpers shared by the skip-gram bindings (skipgram_binding.cc,
// skipgram_shards_binding.cc): ranges, offsets, options, results.
#pragma once
#include <napi.h>

#include <memory>
#include <string>
#include <vector>

#include "args.h"
#include "bi/skipgram.h"
#include "job.h"

namespace bi_napi {

inline bi::LmRange RangeArg(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 2) Throw(env, "E_RANGE", std::string(name) + " must be [begin, end]");
  auto a = v.As<Napi::Array>();
  bi::LmRange r{IndexArg(env, a.Get(0u), name), IndexArg(env, a.Get(1u), name)};
  if (r.begin > r.end) Throw(env, "E_RANGE", std::string(name) + " has begin > end");
  return r;
}

inline std::vector<int> OffsetsArg(Napi::Env env, Napi::Value v) {
  std::vector<int> out = IntsArg(env, v, "offsets");
  bi::Status st = bi::check_offsets(out);
  if (!st.ok()) Throw(env, st.code, st.message);
  return out;
}

inline uint64_t MaxBytesArg(Napi::Env env, Napi::Object opt) {
  if (!opt.Has("maxBytes") || opt.Get("maxBytes").IsUndefined()) return uint64_t(8) << 30;
  const uint64_t b = IndexArg(env, opt.Get("maxBytes"), "maxBytes");
  if (b < 4096) Throw(env, "E_OPTION", "maxBytes must be at least 4096");
  return b;
}

inline bi::Smoothing SmoothingArg(Napi::Env env, Napi::Object opt) {
  if (!opt.Has("smoothing") || opt.Get("smoothing").IsUndefined()) return bi::Smoothing::kneser_ney;
  const std::string s = opt.Get("smoothing").ToString();
  if (s == "kneser-ney") return bi::Smoothing::kneser_ney;
  if (s == "witten-bell") return bi::Smoothing::witten_bell;
  Throw(env, "E_OPTION", "smoothing must be 'kneser-ney' or 'witten-bell'");
}

inline Napi::Object OptionsArg(Napi::Env env, const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsObject()) Throw(env, "E_NATIVE", "options object expected");
  return info[i].As<Napi::Object>();
}

inline Napi::Int32Array ToInt32(Napi::Env env, const std::vector<int>& v) {
  auto a = Napi::Int32Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = v[i];
  return a;
}
inline Napi::Object EntropyToJs(Napi::Env env, const bi::EntropyResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("bits", r.bits);
  o.Set("patterns", double(r.patterns));
  o.Set("contexts", double(r.contexts));
  o.Set("positions", double(r.positions));
  o.Set("bytes", double(r.bytes));
  return o;
}

inline void CheckRange(Napi::Env env, bi::LmRange r, uint64_t size, const char* name) {
  if (r.end > size) Throw(env, "E_RANGE", std::string(name) + " ends past the data");
}

// [begin, end) given as two numbers, within data of `size` bytes.
inline bi::LmRange SpanArg(Napi::Env env, Napi::Value begin, Napi::Value end, uint64_t size) {
  const bi::LmRange r{IndexArg(env, begin, "begin"), IndexArg(env, end, "end")};
  CheckRange(env, r, size, "range");
  return r;
}

// The memory budget a job's tables count against: options.maxBytes.
inline std::shared_ptr<bi::MemoryBudget> BudgetArg(Napi::Env env, Napi::Object opt) {
  auto budget = std::make_shared<bi::MemoryBudget>();
  budget->limit = MaxBytesArg(env, opt);
  return budget;
}

// The options of a held-out score: { smoothing, maxBytes }.
struct HeldOutOptions {
  bi::Smoothing sm;
  std::shared_ptr<bi::MemoryBudget> budget;
};
inline HeldOutOptions HeldOutOptionsArg(Napi::Env env, const Napi::CallbackInfo& info, size_t i) {
  Napi::Object opt = OptionsArg(env, info, i);
  return {SmoothingArg(env, opt), BudgetArg(env, opt)};
}

inline Napi::Object HeldOutToJs(Napi::Env env, const bi::HeldOutResult& out) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("bits", out.bits);
  o.Set("positions", double(out.positions));
  o.Set("depth", ToFloat64(env, out.depth));
  o.Set("trainPositions", double(out.train_positions));
  o.Set("patterns", double(out.patterns));
  o.Set("contexts", double(out.contexts));
  o.Set("bytes", double(out.bytes));
  return o;
}

}  // namespace bi_napi
