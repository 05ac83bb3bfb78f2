// The read module (ψ, SPEC §3). Every function returns a Promise from a Job.
//   rows = { states: Float32Array (steps × H), first, begin, end } — positions t ∈ [begin, end)
//   of a trajectory whose row 0 is h_first.
//   factorMap(data, H, fitRows, scoreRows, lags: Int32Array, threads, cancel, onProgress)
//   featureMap(data, H, rows, cancel, onProgress)
//   hebbian(data, H, rows, isa, cancel, onProgress)
//   readback(params, H, data, fitRows, scoreRows, partner: Int32Array, isa, cancel, onProgress)
#include "modules.h"

#include "args.h"
#include "bi/psi.h"
#include "job.h"

namespace bi_napi {
namespace {

// Reads a rows object; the job keeps its states array alive.
bi::StateRows RowsArg(Napi::Env env, Job* job, Napi::Value v, int H) {
  if (!v.IsObject()) Throw(env, "E_NATIVE", "rows must be an object");
  Napi::Object o = v.As<Napi::Object>();
  auto states = Float32Arg(env, o.Get("states"), "states");
  if (states.length % size_t(H) != 0) Throw(env, "E_SHAPE", "states length must be a multiple of H");
  job->Keep(o.Get("states"));
  bi::StateRows r;
  r.states = states.data;
  r.rows = states.length / size_t(H);
  r.H = H;
  r.first = IndexArg(env, o.Get("first"), "first");
  r.begin = IndexArg(env, o.Get("begin"), "begin");
  r.end = IndexArg(env, o.Get("end"), "end");
  return r;
}

class FactorMapJob : public Job {
 public:
  using Job::Job;
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bi::StateRows fit, score;
  bi::FactorMapOptions options;
  bi::FactorMapResult result;

 protected:
  bi::Status Run(const bi::Control& control) override {
    options.control = control;
    return bi::factor_map(data, size, fit, score, options, &result);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("pairLag1", ToFloat64(env, result.pair_lag1));
    o.Set("pairLag2", ToFloat64(env, result.pair_lag2));
    o.Set("pairR2", ToFloat64(env, result.pair_r2));
    o.Set("singleR2", ToFloat64(env, result.single_r2));
    o.Set("pairCells", ToFloat64(env, result.pair_cells));
    o.Set("pairUnseen", ToFloat64(env, result.pair_unseen));
    o.Set("peakCellBytes", double(result.peak_cell_bytes));
    return o;
  }
};

class FeatureMapJob : public Job {
 public:
  using Job::Job;
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bi::StateRows rows;
  bi::FeatureMapResult result;

 protected:
  bi::Status Run(const bi::Control& control) override {
    return bi::feature_map(data, size, rows, control, &result);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("r2", ToFloat64(env, result.r2));
    o.Set("byteR2", ToFloat64(env, result.byte_r2));
    return o;
  }
};

class HebbianJob : public Job {
 public:
  using Job::Job;
  const bi::Kernels* kernels = nullptr;
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bi::StateRows rows;
  bi::HebbianResult result;

 protected:
  bi::Status Run(const bi::Control&) override { return bi::hebbian(*kernels, data, size, rows, &result); }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    o.Set("mean", ToFloat64(env, result.mean));
    o.Set("C", ToFloat64(env, result.C));
    o.Set("Cx", ToFloat64(env, result.Cx));
    o.Set("Cy", ToFloat64(env, result.Cy));
    o.Set("countX", ToFloat64(env, result.count_x));
    o.Set("countY", ToFloat64(env, result.count_y));
    return o;
  }
};

class ReadbackJob : public Job {
 public:
  using Job::Job;
  bi::ModelView model;
  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bi::StateRows fit, score;
  bi::ReadbackOptions options;
  bi::ReadbackResult result;

 protected:
  bi::Status Run(const bi::Control& control) override {
    options.control = control;
    return bi::readback(model, data, size, fit, score, options, &result);
  }
  Napi::Value Result(Napi::Env env) override {
    Napi::Object o = Napi::Object::New(env);
    auto bpc = Napi::Float64Array::New(env, 3);
    auto resolved = Napi::Float64Array::New(env, 12);
    for (int L = 0; L < 3; ++L) {
      bpc[L] = result.bpc[L];
      for (int d = 0; d < 4; ++d) resolved[L * 4 + d] = double(result.resolved[L][d]);
    }
    o.Set("bpc", bpc);
    o.Set("resolved", resolved);
    o.Set("bpcRnn", result.bpc_rnn);
    o.Set("h0", result.h0);
    o.Set("positions", double(result.positions));
    return o;
  }
};

Napi::Value FactorMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new FactorMapJob(env, info[6], info[7]), [&](FactorMapJob* job) {
    auto d = KeptBytes(env, job, info[0], "data");
    job->data = d.data;
    job->size = d.length;
    const int H = IntArg(env, info[1], "hidden", bi::kMinHidden, bi::kMaxHidden);
    job->fit = RowsArg(env, job, info[2], H);
    job->score = RowsArg(env, job, info[3], H);
    job->options.lags = IntsArg(env, info[4], "lags");
    job->options.threads = IntArg(env, info[5], "threads", 1, 256);
  });
}

Napi::Value FeatureMap(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new FeatureMapJob(env, info[3], info[4]), [&](FeatureMapJob* job) {
    auto d = KeptBytes(env, job, info[0], "data");
    job->data = d.data;
    job->size = d.length;
    job->rows = RowsArg(env, job, info[2], IntArg(env, info[1], "hidden", bi::kMinHidden, bi::kMaxHidden));
  });
}

Napi::Value Hebbian(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new HebbianJob(env, info[4], info[5]), [&](HebbianJob* job) {
    auto d = KeptBytes(env, job, info[0], "data");
    job->data = d.data;
    job->size = d.length;
    job->rows = RowsArg(env, job, info[2], IntArg(env, info[1], "hidden", bi::kMinHidden, bi::kMaxHidden));
    job->kernels = &KernelsArg(env, info[3]);
  });
}

Napi::Value Readback(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  return Launch(new ReadbackJob(env, info[7], info[8]), [&](ReadbackJob* job) {
    auto params = Float32Arg(env, info[0], "params");
    const int H = IntArg(env, info[1], "hidden", bi::kMinHidden, bi::kMaxHidden);
    if (params.length != bi::param_count(H)) Throw(env, "E_SHAPE", "params do not match H");
    job->Keep(info[0]);
    job->model = bi::param_views<const float>(params.data, H);
    auto d = KeptBytes(env, job, info[2], "data");
    job->data = d.data;
    job->size = d.length;
    job->fit = RowsArg(env, job, info[3], H);
    job->score = RowsArg(env, job, info[4], H);
    job->options.partner = IntsArg(env, info[5], "partner");
    job->options.kernels = &KernelsArg(env, info[6]);
  });
}

}  // namespace

void RegisterRead(Napi::Env env, Napi::Object exports) {
  exports.Set("factorMap", Napi::Function::New(env, FactorMap));
  exports.Set("featureMap", Napi::Function::New(env, FeatureMap));
  exports.Set("hebbian", Napi::Function::New(env, Hebbian));
  exports.Set("readback", Napi::Function::New(env, Readback));
}

}  // namespace bi_napi
