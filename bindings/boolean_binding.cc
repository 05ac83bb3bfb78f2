// Boolean structure, ablation and attribution (SPEC §5–§6). Every function returns a Promise
// from a Job; options = { isa, threads, … }; rows as in rows_arg.h.
//   signVectors(params, H, data, begin, end, {signOnly, streams, maxMemory, score}, cancel, onProgress)
//   ablation(params, H, data, ranges: Float64Array [b0, e0, b1, e1, …], options, cancel, onProgress)
//   counterfactual(params, H, data, rows, positions: Float64Array, {maxOffset}, cancel, onProgress)
//   jacobianAttribution(params, H, data, rows, {maxOffset, alpha?: Float32Array, aligned?: Uint8Array}, cancel, onProgress)
//   pmiTables(data, begin, end, offsets: Int32Array, out: Float32Array, cancel, onProgress)
#include <memory>

#include "args.h"
#include "bi/ablation.h"
#include "bi/attribution.h"
#include "bi/signvec.h"
#include "job.h"
#include "modules.h"
#include "rows_arg.h"

namespace bi_napi {
namespace {

// The model buffer (kept alive by the job) as a view.
bi::ModelView ModelArg(Napi::Env env, Job* job, Napi::Value params, Napi::Value hidden) {
  const int H = HiddenArg(env, hidden);
  auto p = Float32Arg(env, params, "params");
  if (p.length != bi::param_count(H)) Throw(env, "E_SHAPE", "params do not match H");
  job->Keep(params);
  return bi::param_views<const float>(p.data, H);
}

template <typename Options>
void AttributionArgs(Napi::Env env, Napi::Object opt, Options* o) {
  SetIsaThreads(env, opt, o);
  o->max_offset = opt.Has("maxOffset") ? IntArg(env, opt.Get("maxOffset"), "maxOffset", 1, 256) : 20;
}

Napi::Value MarginsToJs(Napi::Env env, const bi::MarginStats& m) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("count", double(m.count));
  o.Set("mean", m.mean);
  o.Set("median", m.median);
  o.Set("medianExact", m.median_exact);
  o.Set("below1", double(m.below_1));
  o.Set("below01", double(m.below_01));
  auto h = Napi::Float64Array::New(env, bi::kMarginBins), e = Napi::Float64Array::New(env, bi::kMarginBins);
  for (int i = 0; i < bi::kMarginBins; ++i) { h[i] = double(m.histogram[i]); e[i] = bi::kMarginEdges[i]; }
  o.Set("histogram", h);
  o.Set("edges", e);
  return o;
}

Napi::Value SignVectors(const Napi::CallbackInfo& info) {
  return StartJob(info, 6, [&](Napi::Env env, FnJob* job) {
    const bi::ModelView m = ModelArg(env, job, info[0], info[1]);
    const Bytes d = DataArg(env, job, info[2]);
    const uint64_t begin = IndexArg(env, info[3], "begin"), end = IndexArg(env, info[4], "end");
    Napi::Object opt = ObjectArg(env, info[5], "E_OPTION", "options must be an object");
    bi::SignVectorOptions o;
    SetIsaThreads(env, opt, &o);
    o.sign_only = opt.Get("signOnly").ToBoolean();
    if (opt.Has("score")) o.score = opt.Get("score").ToBoolean();
    if (opt.Has("streams")) o.streams = IntArg(env, opt.Get("streams"), "streams", 1, 1 << 20);
    if (opt.Has("maxMemory")) o.max_memory = IndexArg(env, opt.Get("maxMemory"), "maxMemory", "E_OPTION");
    RunIntoObject<bi::SignVectorResult>(job,
        [=](const bi::Control& c, bi::SignVectorResult* out) { return bi::sign_vectors(m, d.data, d.size, begin, end, WithControl(o, c), out); },
        [](Napi::Env e, Napi::Object v, const bi::SignVectorResult& r) {
          v.Set("positions", double(r.positions));
          v.Set("bits", r.bits);
          v.Set("transitions", double(r.transitions));
          v.Set("estimated", r.estimated);
          v.Set("distinct", r.distinct);
          v.Set("keys", r.keys);
          v.Set("exactPositions", double(r.exact_positions));
          v.Set("exactTransitions", double(r.exact_transitions));
          v.Set("exactDistinct", double(r.exact_distinct));
          v.Set("exactKeys", double(r.exact_keys));
          v.Set("deterministicKeys", double(r.deterministic_keys));
          v.Set("deterministicTransitions", double(r.deterministic_transitions));
          v.Set("entropy", r.entropy);
          v.Set("topCounts", ToFloat64(e, r.top_counts));
          v.Set("peakTableBytes", double(r.peak_table_bytes));
          v.Set("margins", MarginsToJs(e, r.margins));
        });
  });
}

// [b0, e0, b1, e1, …] as ranges.
std::vector<bi::EvalRange> RangesArg(Napi::Env env, Napi::Value v) {
  const std::vector<double> flat = DoublesArg(env, v, "ranges");
  if (flat.size() % 2 != 0) Throw(env, "E_RANGE", "ranges must hold begin/end pairs");
  std::vector<bi::EvalRange> r(flat.size() / 2);
  for (size_t i = 0; i < r.size(); ++i)
    r[i] = {CheckedIndex(env, flat[2 * i], "range begin", "E_RANGE"), CheckedIndex(env, flat[2 * i + 1], "range end", "E_RANGE")};
  return r;
}

Napi::Value Ablation(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const bi::ModelView m = ModelArg(env, job, info[0], info[1]);
    const Bytes d = DataArg(env, job, info[2]);
    const auto ranges = RangesArg(env, info[3]);
    bi::AblationOptions o;
    SetIsaThreads(env, ObjectArg(env, info[4], "E_OPTION", "options must be an object"), &o);
    RunIntoObject<bi::AblationResult>(job,
        [=](const bi::Control& c, bi::AblationResult* out) { return bi::ablation(m, d.data, d.size, ranges, WithControl(o, c), out); },
        [](Napi::Env e, Napi::Object v, const bi::AblationResult& r) {
          v.Set("positions", double(r.positions));
          v.Set("baseBits", r.base_bits);
          v.Set("signReadoutBits", r.sign_readout_bits);
          SetFloat64s(e, v, "knockoutBits", r.knockout_bits, "keepBits", r.keep_bits);
        });
  });
}

Napi::Value Counterfactual(const Napi::CallbackInfo& info) {
  return StartJob(info, 6, [&](Napi::Env env, FnJob* job) {
    const bi::ModelView m = ModelArg(env, job, info[0], info[1]);
    const Bytes d = DataArg(env, job, info[2]);
    const bi::StateRows rows = RowsArg(env, job, info[3], m.H);
    std::vector<uint64_t> positions;
    for (double p : DoublesArg(env, info[4], "positions")) positions.push_back(CheckedIndex(env, p, "positions", "E_RANGE"));
    bi::AttributionOptions o;
    AttributionArgs(env, ObjectArg(env, info[5], "E_OPTION", "options must be an object"), &o);
    RunIntoObject<bi::CounterfactualResult>(job,
        [=](const bi::Control& c, bi::CounterfactualResult* out) {
          return bi::counterfactual(m, d.data, d.size, rows, positions, WithControl(o, c), out);
        },
        [](Napi::Env e, Napi::Object v, const bi::CounterfactualResult& r) { SetFloat64s(e, v, "alpha", r.alpha, "bits", r.bits); });
  });
}

Napi::Value Jacobian(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const bi::ModelView m = ModelArg(env, job, info[0], info[1]);
    const Bytes d = DataArg(env, job, info[2]);
    const bi::StateRows rows = RowsArg(env, job, info[3], m.H);
    Napi::Object opt = ObjectArg(env, info[4], "E_OPTION", "options must be an object");
    bi::JacobianOptions o;
    AttributionArgs(env, opt, &o);
    const uint64_t n = rows.end > rows.begin ? rows.end - rows.begin : 0;
    if (opt.Has("alpha") && !opt.Get("alpha").IsUndefined())
      o.alpha = KeptFloats(env, job, opt.Get("alpha"), n * size_t(o.max_offset), "alpha");
    if (opt.Has("aligned") && !opt.Get("aligned").IsUndefined()) {
      auto a = KeptBytes(env, job, opt.Get("aligned"), "aligned");
      o.aligned = Sized(env, a, size_t(o.max_offset) * 65536, "aligned");
    }
    RunIntoObject<bi::JacobianResult>(job,
        [=](const bi::Control& c, bi::JacobianResult* out) { return bi::jacobian_attribution(m, d.data, d.size, rows, WithControl(o, c), out); },
        [](Napi::Env e, Napi::Object v, const bi::JacobianResult& r) {
          v.Set("positions", double(r.positions));
          SetFloat64s(e, v, "count", r.count, "sum", r.sum, "absSum", r.abs_sum, "alignedAbs", r.aligned_abs);
        });
  });
}

Napi::Value PmiTables(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const uint64_t begin = IndexArg(env, info[1], "begin"), end = IndexArg(env, info[2], "end");
    const std::vector<int> offsets = IntsArg(env, info[3], "offsets");
    float* out = KeptFloats(env, job, info[4], offsets.size() * 65536, "out");
    job->run = [=](const bi::Control& c) { return bi::pmi_tables(d.data, d.size, begin, end, offsets, out, c); };
    job->result = [](Napi::Env e) -> Napi::Value { return e.Undefined(); };
  });
}

}  // namespace

void RegisterBoolean(Napi::Env env, Napi::Object exports) {
  SetExports(env, exports, {{"signVectors", SignVectors}, {"ablation", Ablation}, {"counterfactual", Counterfactual},
                            {"jacobianAttribution", Jacobian}, {"pmiTables", PmiTables}});
}

}  // namespace bi_napi
