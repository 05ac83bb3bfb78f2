// φ (SPEC §2) glue. Counts travel to JS as Float64Arrays (exact below 2^53) and back.
//   phiCount(data, begin, end, cancel, onProgress) → Promise<PhiCounts>
//   phiBuild(counts, alpha, scale, signBias, params)      fills a H = 128 buffer (sync, small)
//   phiSample(data, begin, end, bh, seed, out{positions, states, targets}, isa, cancel, onProgress) → Promise<void>
//   phiGrid(counts, by, states, targets, alphas, scales, {isa, threads}, cancel, onProgress) → Promise<Float64Array>
//   phiFitReadout(states, targets, Wy, by, {isa, threads, epochs, lr, milestones, decay}, cancel, onProgress)
//     → Promise<Float64Array> (mean nats per epoch; Wy and by updated in place)
#include "modules.h"

#include "args.h"
#include "bi/construct.h"
#include "job.h"

namespace bi_napi {
namespace {

std::vector<uint64_t> U64Vector(Napi::Env env, Napi::Object o, const char* key, size_t need) {
  auto a = TypedArrayArg<double, napi_float64_array>(env, o.Get(key), key);
  Sized(env, a, need, key);
  std::vector<uint64_t> v(need);
  for (size_t i = 0; i < need; ++i) v[i] = uint64_t(a.data[i]);
  return v;
}

bi::PhiCounts CountsArg(Napi::Env env, Napi::Value v) {
  if (!v.IsObject()) Throw(env, "E_OPTION", "counts must be an object");
  Napi::Object o = v.As<Napi::Object>();
  bi::PhiCounts c;
  c.n = IndexArg(env, o.Get("n"), "counts.n", "E_OPTION");
  c.count = U64Vector(env, o, "count", 256);
  c.plus = U64Vector(env, o, "plus", size_t(bi::kPhiHidden) * 256);
  c.total = U64Vector(env, o, "total", size_t(bi::kPhiGroups) * 256);
  c.nonneg = U64Vector(env, o, "nonneg", bi::kPhiHidden);
  return c;
}

int ThreadsOpt(Napi::Env env, Napi::Object opt) {
  return opt.Has("threads") && !opt.Get("threads").IsUndefined() ? IntArg(env, opt.Get("threads"), "threads", 1, 256) : 1;
}

// ---- phiCount
class CountJob : public Job {
 public:
  using Job::Job;
  const uint8_t* data = nullptr;
  uint64_t size = 0, begin = 0, end = 0;
  bi::PhiCounts counts;

 protected:
  bi::Status Run(const bi::Control& control) override { return bi::phi_count(data, size, begin, end, &counts, control); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("n", double(counts.n));
    o.Set("count", ToFloat64(env, counts.count));
    o.Set("plus", ToFloat64(env, counts.plus));
    o.Set("total", ToFloat64(env, counts.total));
    o.Set("nonneg", ToFloat64(env, counts.nonneg));
    return o;
  }
};

Napi::Value PhiCount(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new CountJob(env, info[3], info[4]), [&](CountJob* job) {
    auto data = KeptBytes(env, job, info[0], "data");
    job->data = data.data;
    job->size = data.length;
    job->begin = IndexArg(env, info[1], "begin", "E_OPTION");
    job->end = IndexArg(env, info[2], "end", "E_OPTION");
  });
}

// ---- phiBuild
Napi::Value PhiBuild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bi::PhiCounts c = CountsArg(env, info[0]);
  const double alpha = NumArg(env, info[1], "alpha"), scale = NumArg(env, info[2], "scale");
  const bool sign_bias = info[3].ToBoolean();
  float* p = Sized(env, Float32Arg(env, info[4], "params"), bi::param_count(bi::kPhiHidden), "params");
  bi::phi_inputs(p);
  auto v = bi::param_views(p, bi::kPhiHidden);
  bi::phi_by(c, v.by);
  bi::phi_log_ratios(c, alpha, v.Wy);
  for (size_t i = 0; i < size_t(bi::kVocab) * bi::kPhiHidden; ++i) v.Wy[i] *= float(scale);
  if (sign_bias) bi::phi_sign_log_odds(c, v.bh);
  return env.Undefined();
}

// ---- phiSample
class SampleJob : public Job {
 public:
  using Job::Job;
  const bi::Kernels* kernels = nullptr;
  const uint8_t* data = nullptr;
  uint64_t size = 0, begin = 0, end = 0, S = 0, seed = 0;
  std::vector<float> bh;
  double* positions_out = nullptr;
  float* states_out = nullptr;
  uint8_t* targets_out = nullptr;

 protected:
  bi::Status Run(const bi::Control&) override {
    std::vector<uint64_t> pos;
    std::vector<float> st;
    std::vector<uint8_t> tg;
    bi::Status s = bi::phi_sample(*kernels, data, size, begin, end, bh.data(), S, seed, &pos, &st, &tg);
    if (!s.ok()) return s;
    for (uint64_t i = 0; i < S; ++i) positions_out[i] = double(pos[i]);
    std::copy(st.begin(), st.end(), states_out);
    std::copy(tg.begin(), tg.end(), targets_out);
    return s;
  }
  Napi::Value Result(Napi::Env env) override { return env.Undefined(); }
};

Napi::Value PhiSample(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new SampleJob(env, info[7], info[8]), [&](SampleJob* job) {
    auto data = KeptBytes(env, job, info[0], "data");
    job->data = data.data;
    job->size = data.length;
    job->begin = IndexArg(env, info[1], "begin", "E_OPTION");
    job->end = IndexArg(env, info[2], "end", "E_OPTION");
    const float* bh = Sized(env, Float32Arg(env, info[3], "bh"), bi::kPhiHidden, "bh");
    job->bh.assign(bh, bh + bi::kPhiHidden);
    job->seed = IndexArg(env, info[4], "seed", "E_OPTION");
    if (!info[5].IsObject()) Throw(env, "E_OPTION", "phiSample: out must be an object");
    Napi::Object out = info[5].As<Napi::Object>();
    auto pos = TypedArrayArg<double, napi_float64_array>(env, out.Get("positions"), "positions");
    job->S = pos.length;
    job->positions_out = pos.data;
    job->states_out = Sized(env, Float32Arg(env, out.Get("states"), "states"), job->S * bi::kPhiHidden, "states");
    job->targets_out = Sized(env, BytesArg(env, out.Get("targets"), "targets"), job->S, "targets");
    job->Keep(out.Get("positions"));
    job->Keep(out.Get("states"));
    job->Keep(out.Get("targets"));
    job->kernels = &KernelsArg(env, info[6]);
  });
}

// ---- phiGrid
class GridJob : public Job {
 public:
  using Job::Job;
  bi::PhiCounts counts;
  const float* by = nullptr;
  const float* states = nullptr;
  const uint8_t* targets = nullptr;
  uint64_t S = 0;
  std::vector<double> alphas, scales, bits;
  bi::PhiGridOptions options;

 protected:
  bi::Status Run(const bi::Control& control) override {
    options.control = control;
    return bi::phi_grid(counts, by, states, targets, S, alphas, scales, options, &bits);
  }
  Napi::Value Result(Napi::Env env) override { return ToFloat64(env, bits); }
};

Napi::Value PhiGrid(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new GridJob(env, info[7], info[8]), [&](GridJob* job) {
    job->counts = CountsArg(env, info[0]);
    job->by = Sized(env, Float32Arg(env, info[1], "by"), bi::kVocab, "by");
    job->Keep(info[1]);
    auto targets = KeptBytes(env, job, info[3], "targets");
    job->S = targets.length;
    job->targets = targets.data;
    job->states = Sized(env, Float32Arg(env, info[2], "states"), job->S * bi::kPhiHidden, "states");
    job->Keep(info[2]);
    job->alphas = DoublesArg(env, info[4], "alphas");
    job->scales = DoublesArg(env, info[5], "scales");
    if (!info[6].IsObject()) Throw(env, "E_OPTION", "phiGrid: options must be an object");
    Napi::Object opt = info[6].As<Napi::Object>();
    job->options.kernels = &KernelsArg(env, opt.Get("isa"));
    job->options.threads = ThreadsOpt(env, opt);
  });
}

// ---- phiFitReadout
class FitJob : public Job {
 public:
  using Job::Job;
  const float* states = nullptr;
  const uint8_t* targets = nullptr;
  uint64_t S = 0;
  float* Wy = nullptr;
  float* by = nullptr;
  bi::PhiFitOptions options;
  std::vector<double> loss;

 protected:
  bi::Status Run(const bi::Control& control) override {
    options.control = control;
    return bi::phi_fit_readout(states, targets, S, options, Wy, by, &loss);
  }
  Napi::Value Result(Napi::Env env) override { return ToFloat64(env, loss); }
};

Napi::Value PhiFitReadout(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new FitJob(env, info[5], info[6]), [&](FitJob* job) {
    auto targets = KeptBytes(env, job, info[1], "targets");
    job->S = targets.length;
    job->targets = targets.data;
    job->states = Sized(env, Float32Arg(env, info[0], "states"), job->S * bi::kPhiHidden, "states");
    job->Keep(info[0]);
    job->Wy = Sized(env, Float32Arg(env, info[2], "Wy"), size_t(bi::kVocab) * bi::kPhiHidden, "Wy");
    job->Keep(info[2]);
    job->by = Sized(env, Float32Arg(env, info[3], "by"), bi::kVocab, "by");
    job->Keep(info[3]);
    if (!info[4].IsObject()) Throw(env, "E_OPTION", "phiFitReadout: options must be an object");
    Napi::Object opt = info[4].As<Napi::Object>();
    job->options.kernels = &KernelsArg(env, opt.Get("isa"));
    job->options.threads = ThreadsOpt(env, opt);
    job->options.epochs = IntArg(env, opt.Get("epochs"), "epochs", 0, 1000000);
    job->options.lr = NumArg(env, opt.Get("lr"), "lr");
    job->options.decay = NumArg(env, opt.Get("decay"), "decay");
    auto ms = DoublesArg(env, opt.Get("milestones"), "milestones");
    job->options.milestones.assign(ms.begin(), ms.end());
  });
}

}  // namespace

void RegisterConstruct(Napi::Env env, Napi::Object exports) {
  exports.Set("phiCount", Napi::Function::New(env, PhiCount));
  exports.Set("phiBuild", Napi::Function::New(env, PhiBuild));
  exports.Set("phiSample", Napi::Function::New(env, PhiSample));
  exports.Set("phiGrid", Napi::Function::New(env, PhiGrid));
  exports.Set("phiFitReadout", Napi::Function::New(env, PhiFitReadout));
}

}  // namespace bi_napi
