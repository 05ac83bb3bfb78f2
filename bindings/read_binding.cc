// The read module (ψ, SPEC §3). Every function returns a Promise from a Job.
//   rows = { states: Float32Array (steps × H), first, begin, end } — positions t ∈ [begin, end)
//   of a trajectory whose row 0 is h_first.
//   factorMap(data, H, fitRows, scoreRows, lags: Int32Array, threads, cancel, onProgress)
//   featureMap(data, H, rows, cancel, onProgress)
//   hebbian(data, H, rows, isa, cancel, onProgress)
//   readback(params, H, data, fitRows, scoreRows, partner: Int32Array, isa, cancel, onProgress)
#include "modules.h"

#include <memory>

#include "args.h"
#include "bi/psi.h"
#include "job.h"
#include "rows_arg.h"

namespace bi_napi {
namespace {

Napi::Object FactorMapToJs(Napi::Env env, const bi::FactorMapResult& r) {
  Napi::Object o = Napi::Object::New(env);
  SetFloat64s(env, o, "pairLag1", r.pair_lag1, "pairLag2", r.pair_lag2, "pairR2", r.pair_r2, "singleR2", r.single_r2,
              "pairCells", r.pair_cells, "pairUnseen", r.pair_unseen);
  o.Set("peakCellBytes", double(r.peak_cell_bytes));
  return o;
}

Napi::Object HebbianToJs(Napi::Env env, const bi::HebbianResult& r) {
  Napi::Object o = Napi::Object::New(env);
  SetFloat64s(env, o, "mean", r.mean, "C", r.C, "Cx", r.Cx, "Cy", r.Cy, "countX", r.count_x, "countY", r.count_y);
  return o;
}

Napi::Object ReadbackToJs(Napi::Env env, const bi::ReadbackResult& r) {
  Napi::Object o = Napi::Object::New(env);
  auto bpc = Napi::Float64Array::New(env, 3);
  auto resolved = Napi::Float64Array::New(env, 12);
  for (int L = 0; L < 3; ++L) {
    bpc[L] = r.bpc[L];
    for (int d = 0; d < 4; ++d) resolved[L * 4 + d] = double(r.resolved[L][d]);
  }
  o.Set("bpc", bpc);
  o.Set("resolved", resolved);
  o.Set("bpcRnn", r.bpc_rnn);
  o.Set("h0", r.h0);
  o.Set("positions", double(r.positions));
  return o;
}

Napi::Value FactorMap(const Napi::CallbackInfo& info) {
  return StartJob(info, 6, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const int H = HiddenArg(env, info[1]);
    const bi::StateRows fit = RowsArg(env, job, info[2], H), score = RowsArg(env, job, info[3], H);
    bi::FactorMapOptions options;
    options.lags = IntsArg(env, info[4], "lags");
    options.threads = IntArg(env, info[5], "threads", 1, 256);
    auto out = std::make_shared<bi::FactorMapResult>();
    job->run = [=](const bi::Control& c) { return bi::factor_map(d.data, d.size, fit, score, WithControl(options, c), out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return FactorMapToJs(e, *out); };
  });
}

Napi::Value FeatureMap(const Napi::CallbackInfo& info) {
  return StartJob(info, 3, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const bi::StateRows rows = RowsArg(env, job, info[2], HiddenArg(env, info[1]));
    RunIntoObject<bi::FeatureMapResult>(job,
        [=](const bi::Control& c, bi::FeatureMapResult* out) { return bi::feature_map(d.data, d.size, rows, c, out); },
        [](Napi::Env e, Napi::Object o, const bi::FeatureMapResult& r) { SetFloat64s(e, o, "r2", r.r2, "byteR2", r.byte_r2); });
  });
}

Napi::Value Hebbian(const Napi::CallbackInfo& info) {
  return StartJob(info, 4, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const bi::StateRows rows = RowsArg(env, job, info[2], HiddenArg(env, info[1]));
    const bi::Kernels* k = &KernelsArg(env, info[3]);
    auto out = std::make_shared<bi::HebbianResult>();
    job->run = [=](const bi::Control&) { return bi::hebbian(*k, d.data, d.size, rows, out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return HebbianToJs(e, *out); };
  });
}

Napi::Value Readback(const Napi::CallbackInfo& info) {
  return StartJob(info, 7, [&](Napi::Env env, FnJob* job) {
    auto params = Float32Arg(env, info[0], "params");
    const int H = HiddenArg(env, info[1]);
    if (params.length != bi::param_count(H)) Throw(env, "E_SHAPE", "params do not match H");
    job->Keep(info[0]);
    const bi::ModelView model = bi::param_views<const float>(params.data, H);
    const Bytes d = DataArg(env, job, info[2]);
    const bi::StateRows fit = RowsArg(env, job, info[3], H), score = RowsArg(env, job, info[4], H);
    bi::ReadbackOptions options;
    options.partner = IntsArg(env, info[5], "partner");
    options.kernels = &KernelsArg(env, info[6]);
    auto out = std::make_shared<bi::ReadbackResult>();
    job->run = [=](const bi::Control& c) { return bi::readback(model, d.data, d.size, fit, score, WithControl(options, c), out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return ReadbackToJs(e, *out); };
  });
}

}  // namespace

void RegisterRead(Napi::Env env, Napi::Object exports) {
  SetExports(env, exports, {{"factorMap", FactorMap}, {"featureMap", FeatureMap}, {"hebbian", Hebbian}, {"readback", Readback}});
}

}  // namespace bi_napi
