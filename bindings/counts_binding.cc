// Skip-k-gram jobs (SPEC §4). Every function takes (data, args…, options, cancel, onProgress)
// and returns a Promise; ranges are [begin, end) numbers, offsets an Int32Array.
//   skipgramEntropy(data, begin, end, offsets, {maxBytes})            plug-in H(Y | X_D)
//   skipgramMiProfile(data, begin, end, maxOffset)                    MI(d), d = 1 … maxOffset
//   skipgramGreedy(data, start, order, maxOffset, {mode: 'study', begin, end} |
//                  {mode: 'heldout', fit: [b, e], valid: [b, e], smoothing, threads}, maxBytes)
//   skipgramHeldOut(data, offsets, train [b, e], test [b, e], {smoothing, maxBytes})
//   skipgramWitness(params, hidden, data, offsets, begin, end, {isa, maxBytes, train?: [b, e]})
#include <functional>
#include <memory>

#include "args.h"
#include "bi/skipgram.h"
#include "job.h"
#include "modules.h"

namespace bi_napi {
namespace {

// A job given as two closures: the work (pool thread) and the result (main thread).
class FnJob : public Job {
 public:
  FnJob(Napi::Env env, Napi::Value cancel, Napi::Value progress) : Job(env, cancel, progress) {}
  std::function<bi::Status(const bi::Control&)> run;
  std::function<Napi::Value(Napi::Env)> result;

 protected:
  bi::Status Run(const bi::Control& control) override { return run(control); }
  Napi::Value Result(Napi::Env env) override { return result(env); }
};

uint64_t PosArg(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsNumber()) Throw(env, "E_RANGE", std::string(name) + " must be a number");
  const double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 9007199254740991.0) || d != double(uint64_t(d)))
    Throw(env, "E_RANGE", std::string(name) + " must be a non-negative integer");
  return uint64_t(d);
}

bi::LmRange RangeArg(Napi::Env env, Napi::Value v, const char* name) {
  if (!v.IsArray() || v.As<Napi::Array>().Length() != 2) Throw(env, "E_RANGE", std::string(name) + " must be [begin, end]");
  auto a = v.As<Napi::Array>();
  bi::LmRange r{PosArg(env, a.Get(0u), name), PosArg(env, a.Get(1u), name)};
  if (r.begin > r.end) Throw(env, "E_RANGE", std::string(name) + " has begin > end");
  return r;
}

std::vector<int> OffsetsArg(Napi::Env env, Napi::Value v) {
  auto a = TypedArrayArg<int32_t, napi_int32_array>(env, v, "offsets");
  std::vector<int> out(a.data, a.data + a.length);
  bi::Status st = bi::check_offsets(out);
  if (!st.ok()) Throw(env, st.code, st.message);
  return out;
}

uint64_t MaxBytesArg(Napi::Env env, Napi::Object opt) {
  if (!opt.Has("maxBytes") || opt.Get("maxBytes").IsUndefined()) return uint64_t(8) << 30;
  const uint64_t b = PosArg(env, opt.Get("maxBytes"), "maxBytes");
  if (b < 4096) Throw(env, "E_OPTION", "maxBytes must be at least 4096");
  return b;
}

bi::Smoothing SmoothingArg(Napi::Env env, Napi::Object opt) {
  if (!opt.Has("smoothing") || opt.Get("smoothing").IsUndefined()) return bi::Smoothing::kneser_ney;
  const std::string s = opt.Get("smoothing").ToString();
  if (s == "kneser-ney") return bi::Smoothing::kneser_ney;
  if (s == "witten-bell") return bi::Smoothing::witten_bell;
  Throw(env, "E_OPTION", "smoothing must be 'kneser-ney' or 'witten-bell'");
}

Napi::Object OptionsArg(Napi::Env env, const Napi::CallbackInfo& info, size_t i) {
  if (info.Length() <= i || !info[i].IsObject()) Throw(env, "E_NATIVE", "options object expected");
  return info[i].As<Napi::Object>();
}

Napi::Int32Array ToInt32(Napi::Env env, const std::vector<int>& v) {
  auto a = Napi::Int32Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = v[i];
  return a;
}
template <typename T>
Napi::Float64Array ToFloat64(Napi::Env env, const std::vector<T>& v) {
  auto a = Napi::Float64Array::New(env, v.size());
  for (size_t i = 0; i < v.size(); ++i) a[i] = double(v[i]);
  return a;
}

Napi::Object EntropyToJs(Napi::Env env, const bi::EntropyResult& r) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("bits", r.bits);
  o.Set("patterns", double(r.patterns));
  o.Set("contexts", double(r.contexts));
  o.Set("positions", double(r.positions));
  o.Set("bytes", double(r.bytes));
  return o;
}

// Reads the corpus argument and keeps it alive.
bi::LmRange DataArg(Napi::Env env, FnJob* job, Napi::Value v, const uint8_t** data) {
  auto d = BytesArg(env, v, "data");
  job->Keep(v);
  *data = d.data;
  return {0, d.length};
}

template <typename Setup>
Napi::Value StartJob(const Napi::CallbackInfo& info, size_t cancel_at, Setup setup) {
  Napi::Env env = info.Env();
  auto* job = new FnJob(env, info.Length() > cancel_at ? info[cancel_at] : env.Undefined(),
                        info.Length() > cancel_at + 1 ? info[cancel_at + 1] : env.Undefined());
  try {
    setup(env, job);
  } catch (...) {
    delete job;
    throw;
  }
  return job->Start();
}

void CheckRange(Napi::Env env, bi::LmRange r, uint64_t size, const char* name) {
  if (r.end > size) Throw(env, "E_RANGE", std::string(name) + " ends past the data");
}

Napi::Value Entropy(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const uint8_t* data;
    const uint64_t size = DataArg(env, job, info[0], &data).end;
    const bi::LmRange r{PosArg(env, info[1], "begin"), PosArg(env, info[2], "end")};
    CheckRange(env, r, size, "range");
    auto offsets = OffsetsArg(env, info[3]);
    auto budget = std::make_shared<bi::MemoryBudget>();
    budget->limit = MaxBytesArg(env, OptionsArg(env, info, 4));
    auto out = std::make_shared<bi::EntropyResult>();
    job->run = [=](const bi::Control& c) { return bi::conditional_entropy(data, size, r.begin, r.end, offsets, budget.get(), c, out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return EntropyToJs(e, *out); };
  });
}

Napi::Value MiProfile(const Napi::CallbackInfo& info) {
  return StartJob(info, 4, [&](Napi::Env env, FnJob* job) {
    const uint8_t* data;
    const uint64_t size = DataArg(env, job, info[0], &data).end;
    const bi::LmRange r{PosArg(env, info[1], "begin"), PosArg(env, info[2], "end")};
    CheckRange(env, r, size, "range");
    const int max_d = IntArg(env, info[3], "maxOffset", 1, bi::kMaxSkipOffset);
    auto out = std::make_shared<std::vector<double>>();
    job->run = [=](const bi::Control& c) { return bi::mi_profile(data, size, r.begin, r.end, max_d, out.get(), c); };
    job->result = [=](Napi::Env e) -> Napi::Value { return ToFloat64(e, *out); };
  });
}

Napi::Value Greedy(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const uint8_t* data;
    const uint64_t size = DataArg(env, job, info[0], &data).end;
    auto start = OffsetsArg(env, info[1]);
    const int order = IntArg(env, info[2], "order", 0, bi::kMaxSkipOrder);
    const int max_d = IntArg(env, info[3], "maxOffset", 1, bi::kMaxSkipOffset);
    Napi::Object opt = OptionsArg(env, info, 4);
    auto budget = std::make_shared<bi::MemoryBudget>();
    budget->limit = MaxBytesArg(env, opt);
    auto steps = std::make_shared<std::vector<bi::GreedyStep>>();
    const std::string mode = opt.Get("mode").ToString();
    if (mode == "study") {
      const bi::LmRange r{PosArg(env, opt.Get("begin"), "begin"), PosArg(env, opt.Get("end"), "end")};
      CheckRange(env, r, size, "range");
      job->run = [=](const bi::Control& c) {
        return bi::greedy_study(data, size, r.begin, r.end, start, order, max_d, budget.get(), c, steps.get());
      };
    } else if (mode == "heldout") {
      const bi::LmRange fit = RangeArg(env, opt.Get("fit"), "fit"), valid = RangeArg(env, opt.Get("valid"), "valid");
      CheckRange(env, fit, size, "fit");
      CheckRange(env, valid, size, "valid");
      const bi::Smoothing sm = SmoothingArg(env, opt);
      const int threads = opt.Has("threads") && !opt.Get("threads").IsUndefined() ? IntArg(env, opt.Get("threads"), "threads", 1, 256) : 1;
      job->run = [=](const bi::Control& c) {
        return bi::greedy_heldout(data, size, fit, valid, start, order, max_d, sm, budget.get(), c, steps.get(), threads);
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
    const uint8_t* data;
    const uint64_t size = DataArg(env, job, info[0], &data).end;
    auto offsets = OffsetsArg(env, info[1]);
    const bi::LmRange train = RangeArg(env, info[2], "train"), test = RangeArg(env, info[3], "test");
    CheckRange(env, train, size, "train");
    CheckRange(env, test, size, "test");
    Napi::Object opt = OptionsArg(env, info, 4);
    const bi::Smoothing sm = SmoothingArg(env, opt);
    auto budget = std::make_shared<bi::MemoryBudget>();
    budget->limit = MaxBytesArg(env, opt);
    struct Out {
      bi::HeldOutResult r;
      uint64_t train_positions = 0, patterns = 0, contexts = 0, bytes = 0;
    };
    auto out = std::make_shared<Out>();
    job->run = [=](const bi::Control& c) {
      const uint64_t s0 = std::max<uint64_t>(train.begin, uint64_t(bi::max_offset(offsets)));
      if (s0 >= train.end) return bi::Status::Error("E_CORPUS_TOO_SHORT", "the training part is shorter than the largest offset");
      bi::SkipTrie trie;
      bi::Status st = bi::count_trie(data, size, s0, train.end, offsets, budget.get(), c, &trie);
      if (!st.ok()) return st;
      out->train_positions = trie.positions;
      out->patterns = trie.levels.back().pairs.size();
      out->contexts = trie.levels.back().contexts.size();
      out->bytes = trie.bytes();
      return bi::score_trie(trie, sm, data, size, test.begin, test.end, c, &out->r);
    };
    job->result = [=](Napi::Env e) -> Napi::Value {
      Napi::Object o = Napi::Object::New(e);
      o.Set("bits", out->r.bits);
      o.Set("positions", double(out->r.positions));
      o.Set("depth", ToFloat64(e, out->r.depth));
      o.Set("trainPositions", double(out->train_positions));
      o.Set("patterns", double(out->patterns));
      o.Set("contexts", double(out->contexts));
      o.Set("bytes", double(out->bytes));
      return o;
    };
  });
}

Napi::Value Witness(const Napi::CallbackInfo& info) {
  return StartJob(info, 7, [&](Napi::Env env, FnJob* job) {
    auto params = Float32Arg(env, info[0], "params");
    const int H = IntArg(env, info[1], "hidden", bi::kMinHidden, bi::kMaxHidden);
    if (params.length != bi::param_count(H)) Throw(env, "E_SHAPE", "params do not match hidden size " + std::to_string(H));
    job->Keep(info[0]);
    const bi::ModelView model = bi::param_views<const float>(params.data, H);
    const uint8_t* data;
    const uint64_t size = DataArg(env, job, info[2], &data).end;
    auto offsets = OffsetsArg(env, info[3]);
    const bi::LmRange r{PosArg(env, info[4], "begin"), PosArg(env, info[5], "end")};
    CheckRange(env, r, size, "range");
    Napi::Object opt = OptionsArg(env, info, 6);
    const bi::Kernels* k = &KernelsArg(env, opt.Get("isa"));
    // The trie: counted on `train` when given (scale mode), else in-sample on the range.
    bi::LmRange tr = r;
    if (opt.Has("train") && !opt.Get("train").IsUndefined()) tr = RangeArg(env, opt.Get("train"), "train");
    CheckRange(env, tr, size, "train");
    auto budget = std::make_shared<bi::MemoryBudget>();
    budget->limit = MaxBytesArg(env, opt);
    auto out = std::make_shared<bi::WitnessResult>();
    job->run = [=](const bi::Control& c) {
      const uint64_t s0 = std::max<uint64_t>(tr.begin, uint64_t(bi::max_offset(offsets)));
      if (s0 >= tr.end || r.end - r.begin < 2) return bi::Status::Error("E_CORPUS_TOO_SHORT", "no position to witness in the range");
      bi::SkipTrie trie;
      bi::Status st = bi::count_trie(data, size, s0, tr.end, offsets, budget.get(), bi::Control{c.cancel_flag, nullptr}, &trie);
      if (!st.ok()) return st;
      std::vector<uint8_t> argmax(r.end - r.begin - 1);
      st = bi::rnn_argmax(*k, model, data, size, r.begin, r.end, argmax.data(), c);
      if (!st.ok()) return st;
      return bi::witness_stats(trie, data, size, r.begin, r.end, argmax.data(), r.begin, out.get());
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

void RegisterCounts(Napi::Env env, Napi::Object exports) {
  exports.Set("skipgramEntropy", Napi::Function::New(env, Entropy));
  exports.Set("skipgramMiProfile", Napi::Function::New(env, MiProfile));
  exports.Set("skipgramGreedy", Napi::Function::New(env, Greedy));
  exports.Set("skipgramHeldOut", Napi::Function::New(env, HeldOut));
  exports.Set("skipgramWitness", Napi::Function::New(env, Witness));
}

}  // namespace bi_napi
