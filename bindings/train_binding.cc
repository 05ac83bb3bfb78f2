// trainRun(data, state, config, run, cancel, onProgress) → Promise<TrainRunResult>
//   data: Uint8Array/Buffer (the corpus); state: { params, m?, v?, hidden, best?, counters }
//   with Float32Arrays updated in place and counters a Float64Array [step, bestBpc, bestStep,
//   cycleNats, cyclePositions];
//   config: { isa, hidden, streams, window, threads, optimizer: 'sgd'|'adam', schedule:
//   'constant'|'cosine'|'warmup-cosine', lr, minLr, epochs, warmup, decayStart, horizon, beta1, beta2, eps, clip, begin, end, trackBest,
//   sumLoss, partialTail, nanAtStep }; run: { maxSteps, maxSeconds }. Validation of meaning is in lib/train.
#include "modules.h"

#include "args.h"
#include "bi/rnn.h"
#include "bi/train.h"
#include "job.h"

namespace bi_napi {
namespace {

class TrainJob : public Job {
 public:
  TrainJob(Napi::Env env, Napi::Value cancel, Napi::Value progress) : Job(env, cancel, progress) {}

  const uint8_t* data = nullptr;
  uint64_t size = 0;
  bi::TrainConfig config;
  bi::TrainState state;
  bi::TrainRunOptions run;
  bi::TrainRunResult result;
  double* counters = nullptr;

 protected:
  bi::Status Run(const bi::Control& control) override {
    run.control = control;
    bi::Status st = bi::train_run(data, size, config, &state, run, &result);
    // The counters follow the state even when a step failed (the state is that of the last good step).
    counters[0] = double(state.step);
    counters[1] = state.best_bpc;
    counters[2] = double(state.best_step);
    counters[3] = state.cycle_nats;
    counters[4] = double(state.cycle_positions);
    return st;
  }

  Napi::Value Result(Napi::Env env) override {
    Napi::Object out = Napi::Object::New(env);
    out.Set("steps", double(result.steps));
    out.Set("nats", result.nats);
    out.Set("positions", double(result.positions));
    out.Set("lastGradNorm", result.last_grad_norm);
    out.Set("lastLr", result.last_lr);
    out.Set("lastCycleBpc", result.last_cycle_bpc);
    out.Set("cancelled", result.cancelled);
    out.Set("isa", run.kernels->name);
    return out;
  }
};

double NumberArg(Napi::Env env, Napi::Object o, const char* name, double fallback) {
  Napi::Value v = o.Get(name);
  return v.IsUndefined() ? fallback : NumArg(env, v, name);
}

float* StateArray(Napi::Env env, TrainJob* job, Napi::Object state, const char* name, size_t need, bool required) {
  Napi::Value v = state.Get(name);
  if (v.IsUndefined() || v.IsNull()) {
    if (required) Throw(env, "E_NATIVE", std::string("train state has no ") + name);
    return nullptr;
  }
  float* p = Sized(env, Float32Arg(env, v, name), need, name);
  job->Keep(v);
  return p;
}

Napi::Value TrainRun(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 4 || !info[1].IsObject() || !info[2].IsObject() || !info[3].IsObject())
    Throw(env, "E_NATIVE", "trainRun: wrong arguments");
  return Launch(new TrainJob(env, info[4], info[5]), [&](TrainJob* job) {
    auto data = KeptBytes(env, job, info[0], "data");
    job->data = data.data;
    job->size = data.length;

    Napi::Object cfg = info[2].As<Napi::Object>();
    bi::TrainConfig& c = job->config;
    c.H = IntArg(env, cfg.Get("hidden"), "hidden", bi::kMinHidden, bi::kMaxHidden);
    c.streams = IntArg(env, cfg.Get("streams"), "streams", 1, 65536);
    c.window = IntArg(env, cfg.Get("window"), "window", 1, 100000);
    c.threads = IntArg(env, cfg.Get("threads"), "threads", 1, 256);
    const std::string opt = cfg.Get("optimizer").ToString().Utf8Value();
    if (opt != "sgd" && opt != "adam") Throw(env, "E_OPTION", "optimizer must be sgd or adam");
    c.optimizer = opt == "adam" ? bi::Optimizer::adam : bi::Optimizer::sgd;
    const std::string sched = cfg.Get("schedule").ToString().Utf8Value();
    if (sched == "constant") c.schedule = bi::Schedule::constant;
    else if (sched == "cosine") c.schedule = bi::Schedule::cosine;
    else if (sched == "warmup-cosine") c.schedule = bi::Schedule::warmup_cosine;
    else Throw(env, "E_OPTION", "schedule must be constant, cosine or warmup-cosine");
    c.lr = NumberArg(env, cfg, "lr", c.lr);
    c.min_lr = NumberArg(env, cfg, "minLr", c.min_lr);
    c.epochs = int64_t(NumberArg(env, cfg, "epochs", 1));
    c.warmup = uint64_t(NumberArg(env, cfg, "warmup", 0));
    c.decay_start = uint64_t(NumberArg(env, cfg, "decayStart", 0));
    c.horizon = uint64_t(NumberArg(env, cfg, "horizon", 0));
    c.adam.beta1 = NumberArg(env, cfg, "beta1", c.adam.beta1);
    c.adam.beta2 = NumberArg(env, cfg, "beta2", c.adam.beta2);
    c.adam.eps = NumberArg(env, cfg, "eps", c.adam.eps);
    c.clip = NumberArg(env, cfg, "clip", c.clip);
    c.begin = uint64_t(NumberArg(env, cfg, "begin", 0));
    c.end = uint64_t(NumberArg(env, cfg, "end", double(job->size)));
    c.track_best = cfg.Get("trackBest").ToBoolean().Value();
    c.sum_loss = cfg.Get("sumLoss").ToBoolean().Value();
    c.partial_tail = cfg.Get("partialTail").ToBoolean().Value();
    c.nan_at_step = int64_t(NumberArg(env, cfg, "nanAtStep", -1));
    job->run.kernels = &KernelsArg(env, cfg.Get("isa"));

    Napi::Object st = info[1].As<Napi::Object>();
    const size_t n = bi::param_count(c.H);
    bi::TrainState& s = job->state;
    s.params = StateArray(env, job, st, "params", n, true);
    s.m = StateArray(env, job, st, "m", n, false);
    s.v = StateArray(env, job, st, "v", n, false);
    s.hidden = StateArray(env, job, st, "hidden", size_t(c.streams) * c.H, true);
    s.best = StateArray(env, job, st, "best", n, false);
    Napi::Value cv = st.Get("counters");
    auto counters = TypedArrayArg<double, napi_float64_array>(env, cv, "counters");
    if (counters.length != 5) Throw(env, "E_SHAPE", "train state counters must have 5 elements");
    job->Keep(cv);
    job->counters = counters.data;
    s.step = uint64_t(counters.data[0]);
    s.best_bpc = counters.data[1];
    s.best_step = uint64_t(counters.data[2]);
    s.cycle_nats = counters.data[3];
    s.cycle_positions = uint64_t(counters.data[4]);

    Napi::Object run = info[3].As<Napi::Object>();
    job->run.max_steps = uint64_t(NumberArg(env, run, "maxSteps", 0));
    job->run.max_seconds = NumberArg(env, run, "maxSeconds", 0);
  });
}

// fmaPeak(isa, seconds) → Promise<number>: FLOP/s of one thread (bench:train's ceiling).
class FmaPeakJob : public Job {
 public:
  FmaPeakJob(Napi::Env env) : Job(env, env.Undefined(), env.Undefined()) {}
  bi::Isa isa = bi::Isa::scalar;
  double seconds = 0.3, flops = 0;

 protected:
  bi::Status Run(const bi::Control&) override {
    flops = bi::fma_peak_flops(isa, seconds);
    return bi::Status::Ok();
  }
  Napi::Value Result(Napi::Env env) override { return Napi::Number::New(env, flops); }
};

Napi::Value FmaPeak(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  auto* job = new FmaPeakJob(env);
  try {
    job->isa = KernelsArg(env, info[0]).isa;
    if (info.Length() > 1 && info[1].IsNumber()) job->seconds = info[1].As<Napi::Number>().DoubleValue();
  } catch (...) {
    delete job;
    throw;
  }
  return job->Start();
}

}  // namespace

void RegisterTrain(Napi::Env env, Napi::Object exports) {
  exports.Set("trainRun", Napi::Function::New(env, TrainRun));
  exports.Set("fmaPeak", Napi::Function::New(env, FmaPeak));
}

}  // namespace bi_napi
