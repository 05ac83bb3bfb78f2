// trainRun(data, state, config, run, cancel, onProgress) → Promise<TrainRunResult>
//   data: Uint8Array/Buffer (the corpus); state: { params, m?, v?, hidden, best?, counters }
//   with Float32Arrays updated in place and counters a Float64Array [step, bestBpc, bestStep,
//   cycleNats, cyclePositions];
//   config: { isa, hidden, streams, window, threads, optimizer: 'sgd'|'adam', schedule:
//   'constant'|'cosine'|'warmup-cosine', lr, minLr, epochs, warmup, decayStart, horizon, beta1,
//   beta2, eps, clip, begin, end, trackBest,
//   sumLoss, partialTail, nanAtStep }; run: { maxSteps, maxSeconds }. Validation of meaning is
//   in lib/train; here every number that becomes an integer is checked (E_OPTION).
// fmaPeak(isa, seconds) → Promise<number>: FLOP/s of one thread (bench:train's ceiling).
#include "modules.h"

#include <memory>

#include "args.h"
#include "bi/rnn.h"
#include "bi/train.h"
#include "job.h"

namespace bi_napi {
namespace {

// What the pool thread reads and writes; shared by the job's two closures.
struct TrainWork {
  Bytes data;
  bi::TrainConfig config;
  bi::TrainState state;
  bi::TrainRunOptions run;
  bi::TrainRunResult result;
  double* counters = nullptr;
};

double NumberOr(Napi::Env env, Napi::Object o, const char* name, double fallback) {
  Napi::Value v = o.Get(name);
  return v.IsUndefined() ? fallback : NumArg(env, v, name);
}

// o[name] as a checked integer in [lo, hi] (E_OPTION), or fallback when absent.
int64_t IntegerOr(Napi::Env env, Napi::Object o, const char* name, int64_t lo, int64_t hi, int64_t fallback) {
  Napi::Value v = o.Get(name);
  if (v.IsUndefined()) return fallback;
  return CheckedInteger(env, NumArg(env, v, name), name, lo, hi, "E_OPTION");
}

constexpr int64_t kMaxIndex = int64_t(kMaxSafeInteger);

float* StateArray(Napi::Env env, FnJob* job, Napi::Object state, const char* name, size_t need, bool required) {
  Napi::Value v = state.Get(name);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) Throw(env, "E_NATIVE", std::string("train state has no ") + name);
    return nullptr;
  }
  return KeptFloats(env, job, v, need, name);
}

void ReadConfig(Napi::Env env, Napi::Object cfg, uint64_t size, bi::TrainConfig* c) {
  c->H = HiddenArg(env, cfg.Get("hidden"));
  c->streams = IntArg(env, cfg.Get("streams"), "streams", 1, 65536);
  c->window = IntArg(env, cfg.Get("window"), "window", 1, 100000);
  c->threads = IntArg(env, cfg.Get("threads"), "threads", 1, 256);
  const std::string opt = cfg.Get("optimizer").ToString().Utf8Value();
  if (opt != "sgd" && opt != "adam") Throw(env, "E_OPTION", "optimizer must be sgd or adam");
  c->optimizer = opt == "adam" ? bi::Optimizer::adam : bi::Optimizer::sgd;
  const std::string sched = cfg.Get("schedule").ToString().Utf8Value();
  if (sched == "constant") c->schedule = bi::Schedule::constant;
  else if (sched == "cosine") c->schedule = bi::Schedule::cosine;
  else if (sched == "warmup-cosine") c->schedule = bi::Schedule::warmup_cosine;
  else Throw(env, "E_OPTION", "schedule must be constant, cosine or warmup-cosine");
  c->lr = NumberOr(env, cfg, "lr", c->lr);
  c->min_lr = NumberOr(env, cfg, "minLr", c->min_lr);
  c->epochs = IntegerOr(env, cfg, "epochs", 1, kMaxIndex, 1);
  c->warmup = uint64_t(IntegerOr(env, cfg, "warmup", 0, kMaxIndex, 0));
  c->decay_start = uint64_t(IntegerOr(env, cfg, "decayStart", 0, kMaxIndex, 0));
  c->horizon = uint64_t(IntegerOr(env, cfg, "horizon", 0, kMaxIndex, 0));
  c->adam.beta1 = NumberOr(env, cfg, "beta1", c->adam.beta1);
  c->adam.beta2 = NumberOr(env, cfg, "beta2", c->adam.beta2);
  c->adam.eps = NumberOr(env, cfg, "eps", c->adam.eps);
  c->clip = NumberOr(env, cfg, "clip", c->clip);
  c->begin = uint64_t(IntegerOr(env, cfg, "begin", 0, kMaxIndex, 0));
  c->end = uint64_t(IntegerOr(env, cfg, "end", 0, kMaxIndex, int64_t(size)));
  c->track_best = cfg.Get("trackBest").ToBoolean().Value();
  c->sum_loss = cfg.Get("sumLoss").ToBoolean().Value();
  c->partial_tail = cfg.Get("partialTail").ToBoolean().Value();
  c->nan_at_step = IntegerOr(env, cfg, "nanAtStep", -1, kMaxIndex, -1);
}

Napi::Object ResultToJs(Napi::Env env, const TrainWork& w) {
  Napi::Object out = Napi::Object::New(env);
  out.Set("steps", double(w.result.steps));
  out.Set("nats", w.result.nats);
  out.Set("positions", double(w.result.positions));
  out.Set("lastGradNorm", w.result.last_grad_norm);
  out.Set("lastLr", w.result.last_lr);
  out.Set("lastCycleBpc", w.result.last_cycle_bpc);
  out.Set("cancelled", w.result.cancelled);
  out.Set("isa", w.run.kernels->name);
  return out;
}

Napi::Value TrainRun(const Napi::CallbackInfo& info) {
  return StartJob(info, 4, [&](Napi::Env env, FnJob* job) {
    if (info.Length() < 4 || !info[1].IsObject() || !info[2].IsObject() || !info[3].IsObject())
      Throw(env, "E_NATIVE", "trainRun: wrong arguments");
    auto w = std::make_shared<TrainWork>();
    w->data = DataArg(env, job, info[0]);
    Napi::Object cfg = info[2].As<Napi::Object>();
    bi::TrainConfig& c = w->config;
    ReadConfig(env, cfg, w->data.size, &c);
    w->run.kernels = &KernelsArg(env, cfg.Get("isa"));

    Napi::Object st = info[1].As<Napi::Object>();
    const size_t n = bi::param_count(c.H);
    bi::TrainState& s = w->state;
    s.params = StateArray(env, job, st, "params", n, true);
    s.m = StateArray(env, job, st, "m", n, false);
    s.v = StateArray(env, job, st, "v", n, false);
    s.hidden = StateArray(env, job, st, "hidden", size_t(c.streams) * c.H, true);
    s.best = StateArray(env, job, st, "best", n, false);
    Napi::Value cv = st.Get("counters");
    auto counters = TypedArrayArg<double, napi_float64_array>(env, cv, "counters");
    if (counters.length != 5) Throw(env, "E_SHAPE", "train state counters must have 5 elements");
    job->Keep(cv);
    w->counters = counters.data;
    s.step = CheckedIndex(env, counters.data[0], "counters[0] (step)", "E_OPTION");
    s.best_bpc = counters.data[1];
    s.best_step = CheckedIndex(env, counters.data[2], "counters[2] (best step)", "E_OPTION");
    s.cycle_nats = counters.data[3];
    s.cycle_positions = CheckedIndex(env, counters.data[4], "counters[4] (cycle positions)", "E_OPTION");

    Napi::Object run = info[3].As<Napi::Object>();
    w->run.max_steps = uint64_t(IntegerOr(env, run, "maxSteps", 0, kMaxIndex, 0));
    w->run.max_seconds = NumberOr(env, run, "maxSeconds", 0);

    job->run = [w](const bi::Control& control) {
      w->run.control = control;
      bi::Status st = bi::train_run(w->data.data, w->data.size, w->config, &w->state, w->run, &w->result);
      // The counters follow the state even when a step failed (the state is that of the last good step).
      w->counters[0] = double(w->state.step);
      w->counters[1] = w->state.best_bpc;
      w->counters[2] = double(w->state.best_step);
      w->counters[3] = w->state.cycle_nats;
      w->counters[4] = double(w->state.cycle_positions);
      return st;
    };
    job->result = [w](Napi::Env e) -> Napi::Value { return ResultToJs(e, *w); };
  });
}

Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  // No cancel flag or progress: the probe runs for `seconds` (default 0.3).
  return StartJob(info, 2, [&](Napi::Env env, FnJob* job) {
    const bi::Isa isa = KernelsArg(env, info[0]).isa;
    const double seconds = info.Length() > 1 && info[1].IsNumber() ? info[1].As<Napi::Number>().DoubleValue() : 0.3;
    auto flops = std::make_shared<double>(0);
    job->run = [=](const bi::Control&) {
      *flops = bi::fma_peak_flops(isa, seconds);
      return bi::Status::Ok();
    };
    job->result = [=](Napi::Env e) -> Napi::Value { return Napi::Number::New(e, *flops); };
  });
}

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  SetExports(env, exports, {{"trainRun", TrainRun}, {"fmaPeak", FmaPeak}});
}

}  // namespace bi_napi
