// evaluate(params, hidden, data, ranges, options, cancel, onProgress) → Promise<EvalResult>
//   params: Float32Array (the model buffer), data: Uint8Array/Buffer (the corpus),
//   ranges: Float64Array of [begin, end) pairs, options: { isa, threads, losses?,
//   captures?: Array<{ hidden?, preact?, signs?, argmax? }> } with outputs allocated in JS.
#include "modules.h"

#include <memory>
#include <type_traits>

#include "args.h"
#include "bi/eval.h"
#include "job.h"

namespace bi_napi {
namespace {

// What the pool thread reads and writes; shared by the job's two closures.
struct EvalWork {
  bi::ModelView model;
  Bytes data;
  std::vector<bi::EvalRange> ranges;
  std::vector<bi::Capture> captures;
  bi::EvalOptions options;
  bi::EvalResult result;
};

// An output array of exactly `need` elements, kept alive by the job, or null when absent.
template <typename T>
T* OutputArg(Napi::Env env, FnJob* job, Napi::Object o, const char* key, size_t need, const char* name) {
  if (!o.Has(key) || o.Get(key).IsUndefined()) return nullptr;
  Napi::Value v = o.Get(key);
  T* p;
  if constexpr (std::is_same<T, float>::value) p = Sized(env, Float32Arg(env, v, name), need, name);
  else p = Sized(env, BytesArg(env, v, name), need, name);
  job->Keep(v);
  return p;
}

Napi::Object ResultToJs(Napi::Env env, const EvalWork& w) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("bits", ToFloat64(env, w.result.bits));
  out.Set("positions", ToFloat64(env, w.result.positions));
  out.Set("totalBits", w.result.total_bits);
  out.Set("totalPositions", double(w.result.total_positions));
  out.Set("isa", w.options.kernels->name);
  return out;
}

Napi::Value Evaluate(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    if (info.Length() < 5 || !info[4].IsObject()) Throw(env, "E_NATIVE", "evaluate: wrong arguments");
    auto w = std::make_shared<EvalWork>();
    const int H = HiddenArg(env, info[1]);
    w->model = bi::param_views<const float>(KeptFloats(env, job, info[0], bi::param_count(H), "params"), H);
    w->data = DataArg(env, job, info[2]);

    auto ranges = TypedArrayArg<double, napi_float64_array>(env, info[3], "ranges");
    if (ranges.length % 2 != 0) Throw(env, "E_RANGE", "ranges must hold [begin, end) pairs");
    for (size_t i = 0; i < ranges.length; i += 2)
      w->ranges.push_back({CheckedIndex(env, ranges.data[i], "range begin", "E_RANGE"),
                           CheckedIndex(env, ranges.data[i + 1], "range end", "E_RANGE")});

    Napi::Object opt = info[4].As<Napi::Object>();
    SetIsaThreads(env, opt, &w->options);
    uint64_t total_preds = 0;
    for (auto& r : w->ranges) total_preds += r.end > r.begin ? r.end - r.begin - 1 : 0;
    w->options.losses = OutputArg<float>(env, job, opt, "losses", total_preds, "losses");

    Napi::Value caps = opt.Get("captures");
    if (!caps.IsUndefined()) {
      if (!caps.IsArray() || caps.As<Napi::Array>().Length() != w->ranges.size())
        Throw(env, "E_SHAPE", "captures must be an array with one entry per range");
      auto arr = caps.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Object c = ObjectArg(env, arr.Get(i), "E_SHAPE", "each capture must be an object");
        const auto& r = w->ranges[i];
        const size_t steps = r.end > r.begin ? size_t(r.end - r.begin) : 0;
        bi::Capture cap;
        cap.hidden = OutputArg<float>(env, job, c, "hidden", steps * H, "capture.hidden");
        cap.preact = OutputArg<float>(env, job, c, "preact", steps * H, "capture.preact");
        cap.signs = OutputArg<uint8_t>(env, job, c, "signs", steps * bi::sign_bytes(H), "capture.signs");
        cap.argmax = OutputArg<uint8_t>(env, job, c, "argmax", steps > 0 ? steps - 1 : 0, "capture.argmax");
        w->captures.push_back(cap);
      }
    }
    job->run = [w](const bi::Control& c) {
      w->options.control = c;
      w->options.captures = w->captures.empty() ? nullptr : w->captures.data();
      return bi::evaluate(w->model, w->data.data, w->data.size, w->ranges, w->options, &w->result);
    };
    job->result = [w](Napi::Env e) -> Napi::Value { return ResultToJs(e, *w); };
  });
}

}  // namespace

void RegisterEval(Napi::Env env, Napi::Object exports) { SetExports(env, exports, {{"evaluate", Evaluate}}); }

}  // namespace bi_napi
