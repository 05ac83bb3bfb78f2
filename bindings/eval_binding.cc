// evaluate(params, hidden, data, ranges, options, cancel, onProgress) → Promise<EvalResult>
//   params: Float32Array (the model buffer), data: Uint8Array/Buffer (the corpus),
//   ranges: Float64Array of [begin, end) pairs, options: { isa, threads, losses?,
//   captures?: Array<{ hidden?, preact?, signs? }> } with outputs allocated in JS.
#include "modules.h"

#include "args.h"
#include "bi/eval.h"
#include "job.h"

namespace bi_napi {
namespace {

class EvalJob : public Job {
 public:
  EvalJob(Napi::Env env, Napi::Value cancel, Napi::Value progress) : Job(env, cancel, progress) {}

  bi::ModelView model;
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  std::vector<bi::EvalRange> ranges;
  std::vector<bi::Capture> captures;
  bi::EvalOptions options;
  bi::EvalResult result;

 protected:
  bi::Status Run(const bi::Control& control) override {
    options.control = control;
    options.captures = captures.empty() ? nullptr : captures.data();
    return bi::evaluate(model, data, size, ranges, options, &result);
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    auto bits = Napi::Float64Array::New(env, result.bits.size());
    auto positions = Napi::Float64Array::New(env, result.positions.size());
    for (size_t i = 0; i < result.bits.size(); ++i) {
      bits[i] = result.bits[i];
      positions[i] = double(result.positions[i]);
    }
    out.Set("bits", bits);
    out.Set("positions", positions);
    out.Set("totalBits", result.total_bits);
    out.Set("totalPositions", double(result.total_positions));
    out.Set("isa", options.kernels->name);
    return out;
  }
};

// Checks an output array's size against what the job will write.
template <typename T>
T* OutputArg(Napi::Env env, EvalJob* job, ArrayArg<T> a, size_t need, const char* name, Napi::Value v) {
  T* p = Sized(env, a, need, name);
  job->Keep(v);
  return p;
}

}  // namespace

namespace {
Napi::Value Evaluate(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 5 || !info[4].IsObject()) Throw(env, "E_NATIVE", "evaluate: wrong arguments");
  return Launch(new EvalJob(env, info[5], info[6]), [&](EvalJob* job) {
    auto params = Float32Arg(env, info[0], "params");
    const int H = IntArg(env, info[1], "hidden", bi::kMinHidden, bi::kMaxHidden);
    if (params.length != bi::param_count(H))
      Throw(env, "E_SHAPE", "params must have " + std::to_string(bi::param_count(H)) + " floats for H=" + std::to_string(H));
    job->model = bi::param_views<const float>(params.data, H);
    job->Keep(info[0]);

    auto data = KeptBytes(env, job, info[2], "data");
    job->data = data.data;
    job->size = data.length;

    auto ranges = TypedArrayArg<double, napi_float64_array>(env, info[3], "ranges");
    if (ranges.length % 2 != 0) Throw(env, "E_RANGE", "ranges must hold [begin, end) pairs");
    for (size_t i = 0; i < ranges.length; i += 2) {
      const double a = ranges.data[i], b = ranges.data[i + 1];
      if (!(a >= 0 && b >= 0 && a <= 9007199254740991.0 && b <= 9007199254740991.0) || a != uint64_t(a) || b != uint64_t(b))
        Throw(env, "E_RANGE", "range bounds must be non-negative integers");
      job->ranges.push_back({uint64_t(a), uint64_t(b)});
    }

    Napi::Object opt = info[4].As<Napi::Object>();
    job->options.kernels = &KernelsArg(env, opt.Get("isa"));
    job->options.threads = opt.Has("threads") ? IntArg(env, opt.Get("threads"), "threads", 1, 256) : 1;

    uint64_t total_preds = 0;
    for (auto& r : job->ranges) total_preds += r.end > r.begin ? r.end - r.begin - 1 : 0;
    Napi::Value losses = opt.Get("losses");
    if (!losses.IsUndefined())
      job->options.losses = OutputArg(env, job, Float32Arg(env, losses, "losses"), total_preds, "losses", losses);

    Napi::Value caps = opt.Get("captures");
    if (!caps.IsUndefined()) {
      if (!caps.IsArray() || caps.As<Napi::Array>().Length() != job->ranges.size())
        Throw(env, "E_SHAPE", "captures must be an array with one entry per range");
      auto arr = caps.As<Napi::Array>();
      for (uint32_t i = 0; i < arr.Length(); ++i) {
        Napi::Object c = arr.Get(i).As<Napi::Object>();
        const auto& r = job->ranges[i];
        const size_t steps = r.end > r.begin ? size_t(r.end - r.begin) : 0;
        bi::Capture cap;
        if (c.Has("hidden") && !c.Get("hidden").IsUndefined())
          cap.hidden = OutputArg(env, job, Float32Arg(env, c.Get("hidden"), "hidden"), steps * H, "capture.hidden", c.Get("hidden"));
        if (c.Has("preact") && !c.Get("preact").IsUndefined())
          cap.preact = OutputArg(env, job, Float32Arg(env, c.Get("preact"), "preact"), steps * H, "capture.preact", c.Get("preact"));
        if (c.Has("signs") && !c.Get("signs").IsUndefined())
          cap.signs = OutputArg(env, job, BytesArg(env, c.Get("signs"), "signs"), steps * bi::sign_bytes(H), "capture.signs", c.Get("signs"));
        job->captures.push_back(cap);
      }
    }
  });
}

}  // namespace

void RegisterEval(Napi::Env env, Napi::Object exports) {
  exports.Set("evaluate", Napi::Function::New(env, Evaluate));
}

}  // namespace bi_napi
