// Skip-k-gram jobs (SPEC §4). Every function takes (data, args…, options, cancel, onProgress)
// and returns a Promise; ranges are [begin, end) numbers, offsets an Int32Array.
//   skipgramEntropy(data, begin, end, offsets, {maxBytes})            plug-in H(Y | X_D)
//   skipgramMiProfile(data, begin, end, maxOffset)                    MI(d), d = 1 … maxOffset
//   skipgramGreedy(data, start, order, maxOffset, {mode: 'study', begin, end} |
//                  {mode: 'heldout', fit: [b, e], valid: [b, e], smoothing, threads}, maxBytes)
//   skipgramHeldOut(data, offsets, train [b, e], test [b, e], {smoothing, maxBytes})
//   skipgramWitness(params, hidden, data, offsets, begin, end, {isa, maxBytes, train?: [b, e]})
#include <memory>

#include "bi/skipgram.h"
#include "modules.h"
#include "skipgram_args.h"

namespace bi_napi {
namespace {

Napi::Value Entropy(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const bi::LmRange r = SpanArg(env, info[1], info[2], d.size);
    auto offsets = OffsetsArg(env, info[3]);
    auto budget = BudgetArg(env, OptionsArg(env, info, 4));
    auto out = std::make_shared<bi::EntropyResult>();
    job->run = [=](const bi::Control& c) { return bi::conditional_entropy(d.data, d.size, r.begin, r.end, offsets, budget.get(), c, out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return EntropyToJs(e, *out); };
  });
}

Napi::Value MiProfile(const Napi::CallbackInfo& info) {
  return StartJob(info, 4, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const bi::LmRange r = SpanArg(env, info[1], info[2], d.size);
    const int max_d = IntArg(env, info[3], "maxOffset", 1, bi::kMaxSkipOffset);
    auto out = std::make_shared<std::vector<double>>();
    job->run = [=](const bi::Control& c) { return bi::mi_profile(d.data, d.size, r.begin, r.end, max_d, out.get(), c); };
    job->result = [=](Napi::Env e) -> Napi::Value { return ToFloat64(e, *out); };
  });
}

Napi::Value Greedy(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    auto start = OffsetsArg(env, info[1]);
    const int order = IntArg(env, info[2], "order", 0, bi::kMaxSkipOrder);
    const int max_d = IntArg(env, info[3], "maxOffset", 1, bi::kMaxSkipOffset);
    Napi::Object opt = OptionsArg(env, info, 4);
    auto budget = BudgetArg(env, opt);
    auto steps = std::make_shared<std::vector<bi::GreedyStep>>();
    const std::string mode = opt.Get("mode").ToString();
    if (mode == "study") {
      const bi::LmRange r = SpanArg(env, opt.Get("begin"), opt.Get("end"), d.size);
      job->run = [=](const bi::Control& c) {
        return bi::greedy_study(d.data, d.size, r.begin, r.end, start, order, max_d, budget.get(), c, steps.get());
      };
    } else if (mode == "heldout") {
      const bi::LmRange fit = RangeArg(env, opt.Get("fit"), "fit"), valid = RangeArg(env, opt.Get("valid"), "valid");
      CheckRange(env, fit, d.size, "fit");
      CheckRange(env, valid, d.size, "valid");
      const bi::Smoothing sm = SmoothingArg(env, opt);
      const int threads = ThreadsOption(env, opt);
      job->run = [=](const bi::Control& c) {
        return bi::greedy_heldout(d.data, d.size, fit, valid, start, order, max_d, sm, budget.get(), c, steps.get(), threads);
      };
    } else {
      Throw(env, "E_OPTION", "mode must be 'study' or 'heldout'");
    }
    job->result = [=](Napi::Env e) -> Napi::Value {
      auto arr = Napi::Array::New(e, steps->size());
      for (size_t i = 0; i < steps->size(); ++i) {
        const bi::GreedyStep& s = (*steps)[i];
        Napi::Object o = EntropyToJs(e, s.stats);
        o.Set("offsets", ToInt32(e, s.offsets));
        o.Set("added", s.added);
        o.Set("score", s.score);
        o.Set("candidates", ToFloat64(e, s.candidates));
        arr.Set(uint32_t(i), o);
      }
      return arr;
    };
  });
}

Napi::Value HeldOut(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    auto offsets = OffsetsArg(env, info[1]);
    const bi::LmRange train = RangeArg(env, info[2], "train"), test = RangeArg(env, info[3], "test");
    CheckRange(env, train, d.size, "train");
    CheckRange(env, test, d.size, "test");
    const HeldOutOptions o = HeldOutOptionsArg(env, info, 4);
    auto out = std::make_shared<bi::HeldOutResult>();
    job->run = [=](const bi::Control& c) {
      return bi::held_out(d.data, d.size, offsets, train, test, o.sm, o.budget.get(), c, out.get());
    };
    job->result = [=](Napi::Env e) -> Napi::Value { return HeldOutToJs(e, *out); };
  });
}

Napi::Value Witness(const Napi::CallbackInfo& info) {
  return StartJob(info, 7, [&](Napi::Env env, FnJob* job) {
    auto params = Float32Arg(env, info[0], "params");
    const int H = HiddenArg(env, info[1]);
    if (params.length != bi::param_count(H)) Throw(env, "E_SHAPE", "params do not match hidden size " + std::to_string(H));
    job->Keep(info[0]);
    const bi::ModelView model = bi::param_views<const float>(params.data, H);
    const Bytes d = DataArg(env, job, info[2]);
    auto offsets = OffsetsArg(env, info[3]);
    const bi::LmRange r = SpanArg(env, info[4], info[5], d.size);
    Napi::Object opt = OptionsArg(env, info, 6);
    const bi::Kernels* k = &KernelsArg(env, opt.Get("isa"));
    // The trie: counted on `train` when given (scale mode), else in-sample on the range.
    bi::LmRange tr = r;
    if (opt.Has("train") && !opt.Get("train").IsUndefined()) tr = RangeArg(env, opt.Get("train"), "train");
    CheckRange(env, tr, d.size, "train");
    auto budget = BudgetArg(env, opt);
    auto out = std::make_shared<bi::WitnessResult>();
    job->run = [=](const bi::Control& c) {
      return bi::witness_pass(*k, model, d.data, d.size, offsets, r, tr, budget.get(), c, out.get());
    };
    job->result = [=](Napi::Env e) -> Napi::Value {
      Napi::Object o = Napi::Object::New(e);
      o.Set("positions", double(out->positions));
      o.Set("correct", double(out->correct));
      o.Set("covered", double(out->covered));
      o.Set("coveredCorrect", double(out->covered_correct));
      o.Set("coveredIncorrect", double(out->covered_incorrect));
      o.Set("matched", ToFloat64(e, out->matched));
      o.Set("witnessed", ToFloat64(e, out->witnessed));
      o.Set("witnessedCorrect", ToFloat64(e, out->witnessed_correct));
      o.Set("deepest", ToFloat64(e, out->deepest));
      return o;
    };
  });
}

}  // namespace

void RegisterSkipgram(Napi::Env env, Napi::Object exports) {
  SetExports(env, exports, {{"skipgramEntropy", Entropy}, {"skipgramMiProfile", MiProfile}, {"skipgramGreedy", Greedy},
                            {"skipgramHeldOut", HeldOut}, {"skipgramWitness", Witness}});
}

}  // namespace bi_napi
