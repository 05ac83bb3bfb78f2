// φ (SPEC §2) glue. Counts travel to JS as Float64Arrays (exact below 2^53) and back.
//   phiCount(data, begin, end, cancel, onProgress) → Promise<PhiCounts>
//   phiBuild(counts, alpha, scale, signBias, params)      fills a H = 128 buffer (sync, small)
//   phiSample(data, begin, end, bh, seed, out{positions, states, targets}, isa, cancel, onProgress) → Promise<void>
//   phiGrid(counts, by, states, targets, alphas, scales, {isa, threads}, cancel, onProgress) → Promise<Float64Array>
//   phiFitReadout(states, targets, Wy, by, {isa, threads, epochs, lr, milestones, decay}, cancel, onProgress)
//     → Promise<Float64Array> (mean nats per epoch; Wy and by updated in place)
#include "modules.h"

#include <algorithm>
#include <memory>

#include "args.h"
#include "bi/construct.h"
#include "job.h"

namespace bi_napi {
namespace {

std::vector<uint64_t> U64Vector(Napi::Env env, Napi::Object o, const char* key, size_t need) {
  auto a = TypedArrayArg<double, napi_float64_array>(env, o.Get(key), key);
  Sized(env, a, need, key);
  std::vector<uint64_t> v(need);
  for (size_t i = 0; i < need; ++i) v[i] = CheckedIndex(env, a.data[i], key, "E_OPTION");
  return v;
}

bi::PhiCounts CountsArg(Napi::Env env, Napi::Value v) {
  Napi::Object o = ObjectArg(env, v, "E_OPTION", "counts must be an object");
  bi::PhiCounts c;
  c.n = IndexArg(env, o.Get("n"), "counts.n", "E_OPTION");
  c.count = U64Vector(env, o, "count", 256);
  c.plus = U64Vector(env, o, "plus", size_t(bi::kPhiHidden) * 256);
  c.total = U64Vector(env, o, "total", size_t(bi::kPhiGroups) * 256);
  c.nonneg = U64Vector(env, o, "nonneg", bi::kPhiHidden);
  return c;
}

Napi::Object CountsToJs(Napi::Env env, const bi::PhiCounts& c) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("n", double(c.n));
  SetFloat64s(env, o, "count", c.count, "plus", c.plus, "total", c.total, "nonneg", c.nonneg);
  return o;
}

// ---- phiCount
Napi::Value PhiCount(const Napi::CallbackInfo& info) {
  return StartJob(info, 3, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const uint64_t begin = IndexArg(env, info[1], "begin", "E_OPTION"), end = IndexArg(env, info[2], "end", "E_OPTION");
    auto out = std::make_shared<bi::PhiCounts>();
    job->run = [=](const bi::Control& c) { return bi::phi_count(d.data, d.size, begin, end, out.get(), c); };
    job->result = [=](Napi::Env e) -> Napi::Value { return CountsToJs(e, *out); };
  });
}

// ---- phiBuild
Napi::Value PhiBuild(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  bi::PhiCounts c = CountsArg(env, info[0]);
  const double alpha = NumArg(env, info[1], "alpha"), scale = NumArg(env, info[2], "scale");
  const bool sign_bias = info[3].ToBoolean();
  float* p = Sized(env, Float32Arg(env, info[4], "params"), bi::param_count(bi::kPhiHidden), "params");
  bi::phi_build(c, alpha, scale, sign_bias, p);
  return env.Undefined();
}

// ---- phiSample
Napi::Value PhiSample(const Napi::CallbackInfo& info) {
  return StartJob(info, 7, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const uint64_t begin = IndexArg(env, info[1], "begin", "E_OPTION"), end = IndexArg(env, info[2], "end", "E_OPTION");
    const float* bh_arg = Sized(env, Float32Arg(env, info[3], "bh"), bi::kPhiHidden, "bh");
    const std::vector<float> bh(bh_arg, bh_arg + bi::kPhiHidden);
    const uint64_t seed = IndexArg(env, info[4], "seed", "E_OPTION");
    Napi::Object out = ObjectArg(env, info[5], "E_OPTION", "phiSample: out must be an object");
    auto pos = TypedArrayArg<double, napi_float64_array>(env, out.Get("positions"), "positions");
    const uint64_t S = pos.length;
    double* positions_out = pos.data;
    float* states_out = Sized(env, Float32Arg(env, out.Get("states"), "states"), S * bi::kPhiHidden, "states");
    uint8_t* targets_out = Sized(env, BytesArg(env, out.Get("targets"), "targets"), S, "targets");
    job->Keep(out.Get("positions"));
    job->Keep(out.Get("states"));
    job->Keep(out.Get("targets"));
    const bi::Kernels* k = &KernelsArg(env, info[6]);
    job->run = [=](const bi::Control&) {
      std::vector<uint64_t> p;
      std::vector<float> st;
      std::vector<uint8_t> tg;
      bi::Status s = bi::phi_sample(*k, d.data, d.size, begin, end, bh.data(), S, seed, &p, &st, &tg);
      if (!s.ok()) return s;
      for (uint64_t i = 0; i < S; ++i) positions_out[i] = double(p[i]);
      std::copy(st.begin(), st.end(), states_out);
      std::copy(tg.begin(), tg.end(), targets_out);
      return s;
    };
    job->result = [](Napi::Env e) -> Napi::Value { return e.Undefined(); };
  });
}

// ---- phiGrid
Napi::Value PhiGrid(const Napi::CallbackInfo& info) {
  return StartJob(info, 7, [&](Napi::Env env, FnJob* job) {
    auto counts = std::make_shared<const bi::PhiCounts>(CountsArg(env, info[0]));
    const float* by = KeptFloats(env, job, info[1], bi::kVocab, "by");
    const Bytes targets = DataArg(env, job, info[3], "targets");
    const float* states = KeptFloats(env, job, info[2], targets.size * bi::kPhiHidden, "states");
    const std::vector<double> alphas = DoublesArg(env, info[4], "alphas"), scales = DoublesArg(env, info[5], "scales");
    bi::PhiGridOptions options;
    SetIsaThreads(env, ObjectArg(env, info[6], "E_OPTION", "phiGrid: options must be an object"), &options);
    auto bits = std::make_shared<std::vector<double>>();
    job->run = [=](const bi::Control& c) {
      return bi::phi_grid(*counts, by, states, targets.data, targets.size, alphas, scales, WithControl(options, c), bits.get());
    };
    job->result = [=](Napi::Env e) -> Napi::Value { return ToFloat64(e, *bits); };
  });
}

// ---- phiFitReadout
Napi::Value PhiFitReadout(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const Bytes targets = DataArg(env, job, info[1], "targets");
    const float* states = KeptFloats(env, job, info[0], targets.size * bi::kPhiHidden, "states");
    float* Wy = KeptFloats(env, job, info[2], size_t(bi::kVocab) * bi::kPhiHidden, "Wy");
    float* by = KeptFloats(env, job, info[3], bi::kVocab, "by");
    Napi::Object opt = ObjectArg(env, info[4], "E_OPTION", "phiFitReadout: options must be an object");
    bi::PhiFitOptions options;
    SetIsaThreads(env, opt, &options);
    options.epochs = IntArg(env, opt.Get("epochs"), "epochs", 0, 1000000);
    options.lr = NumArg(env, opt.Get("lr"), "lr");
    options.decay = NumArg(env, opt.Get("decay"), "decay");
    options.milestones.clear();
    for (double m : DoublesArg(env, opt.Get("milestones"), "milestones"))
      options.milestones.push_back(int(CheckedInteger(env, m, "milestones", 0, 1000000, "E_OPTION")));
    auto loss = std::make_shared<std::vector<double>>();
    job->run = [=](const bi::Control& c) {
      return bi::phi_fit_readout(states, targets.data, targets.size, WithControl(options, c), Wy, by, loss.get());
    };
    job->result = [=](Napi::Env e) -> Napi::Value { return ToFloat64(e, *loss); };
  });
}

}  // namespace

void RegisterConstruct(Napi::Env env, Napi::Object exports) {
  SetExports(env, exports, {{"phiCount", PhiCount}, {"phiBuild", PhiBuild}, {"phiSample", PhiSample},
                            {"phiGrid", PhiGrid}, {"phiFitReadout", PhiFitReadout}});
}

}  // namespace bi_napi
