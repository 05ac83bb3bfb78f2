// Job: the base of every long native computation. It runs off the JS main thread on
// the libuv pool, returns a Promise, reports progress to an optional callback, polls a
// cancel flag (an Int32Array element set by an AbortSignal listener), and holds
// references to every JS array it reads or writes until it settles.
// Reliability (docs/reliability.md): every kept array is pinned (its ArrayBuffer marked
// untransferable, resizable or growable buffers refused with E_OPTION), a throwing progress
// callback stops the job and becomes its rejection, and a job whose environment is torn
// down (a Worker terminated) stops at its next poll and settles without touching JS.
#pragma once
#include <napi.h>

#include <functional>
#include <memory>
#include <vector>

#include "bi/control.h"
#include "args.h"
#include "bi/status.h"
#include "errors.h"

namespace bi_napi {

struct ProgressEvent {
  double done = 0, total = 0;
};

class Job : public Napi::AsyncProgressWorker<ProgressEvent> {
 public:
  // cancel: Int32Array or undefined; progress: function or undefined.
  Job(Napi::Env env, Napi::Value cancel, Napi::Value progress);
  ~Job() override;

  Napi::Promise Start() {
    Queue();
    return deferred_.Promise();
  }
  // Keeps a JS value (an input or output array) alive while the job runs, and pins a typed
  // array's memory: E_OPTION for a detached, resizable or growable buffer.
  void Keep(Napi::Value v);

 protected:
  // The work, on a pool thread: no N-API calls here.
  virtual bi::Status Run(const bi::Control& control) = 0;
  // Builds the resolved value, on the main thread.
  virtual Napi::Value Result(Napi::Env env) = 0;

 private:
  void Execute(const ExecutionProgress& progress) override;
  void OnProgress(const ProgressEvent* data, size_t count) override;
  void OnOK() override;
  void OnError(const Napi::Error& e) override;
  void Settle(Napi::Env env);
  static void OnEnvCleanup(void* job);

  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference progress_cb_;
  Napi::Reference<Napi::Value> callback_error_;  // what a throwing progress callback threw
  std::vector<Napi::ObjectReference> kept_;
  const int32_t* cancel_flag_ = nullptr;
  int32_t stop_flag_ = 0;  // set on the main thread, read by the work (bi::Control::stop_flag)
  bi::Status status_;
};

// pinMemory(markAsUntransferable): registered once per environment by lib/native.ts.
Napi::Value SetPinFunction(const Napi::CallbackInfo& info);

// A bytes argument (Buffer or Uint8Array) that `job` keeps alive while it runs.
inline ArrayArg<uint8_t> KeptBytes(Napi::Env env, Job* job, Napi::Value v, const char* name) {
  auto a = BytesArg(env, v, name);
  job->Keep(v);
  return a;
}

// A byte buffer read in place, as the work on the pool thread sees it.
struct Bytes {
  const uint8_t* data = nullptr;
  uint64_t size = 0;
};

// A bytes argument (the corpus, targets) read in one call and kept alive by `job`.
inline Bytes DataArg(Napi::Env env, Job* job, Napi::Value v, const char* name = "data") {
  auto a = KeptBytes(env, job, v, name);
  return {a.data, a.length};
}

// A Float32Array argument of exactly `need` elements, kept alive by `job`.
inline float* KeptFloats(Napi::Env env, Job* job, Napi::Value v, size_t need, const char* name) {
  float* p = Sized(env, Float32Arg(env, v, name), need, name);
  job->Keep(v);
  return p;
}

// Native options structs carry the job's control; the work sets it on a copy.
template <typename Options>
Options WithControl(Options options, const bi::Control& control) {
  options.control = control;
  return options;
}

// A job given as two closures: the work (pool thread) and the result (main thread).
// Everything the closures share lives in values or shared_ptrs they capture.
class FnJob : public Job {
 public:
  using Job::Job;
  std::function<bi::Status(const bi::Control&)> run;
  std::function<Napi::Value(Napi::Env)> result;

 protected:
  bi::Status Run(const bi::Control& control) override { return run(control); }
  Napi::Value Result(Napi::Env env) override { return result(env); }
};

// Sets the job's work to run(control, out) and its result to a new object filled by
// fill(env, object, *out), `out` a fresh Result the two closures share.
template <typename Result, typename Run, typename Fill>
void RunIntoObject(FnJob* job, Run run, Fill fill) {
  auto out = std::make_shared<Result>();
  job->run = [=](const bi::Control& c) { return run(c, out.get()); };
  job->result = [=](Napi::Env e) -> Napi::Value {
    Napi::Object v = Napi::Object::New(e);
    fill(e, v, *out);
    return v;
  };
}

// Starts an FnJob whose cancel flag and progress callback are info[cancel_at] and the
// argument after it; `setup(env, job)` reads the other arguments and sets run and result.
// When setup throws, its error reaches the caller as usual and the job is queued anyway with
// no work, settling a promise nobody holds: a constructed AsyncProgressWorker must not be
// deleted unqueued (its thread-safe function's finalizer would read the freed worker when
// the environment is torn down: a crash at exit).
template <typename Setup>
Napi::Value StartJob(const Napi::CallbackInfo& info, size_t cancel_at, Setup setup) {
  Napi::Env env = info.Env();
  auto* job = new FnJob(env, info.Length() > cancel_at ? info[cancel_at] : env.Undefined(),
                        info.Length() > cancel_at + 1 ? info[cancel_at + 1] : env.Undefined());
  try {
    setup(env, job);
  } catch (...) {
    job->run = [](const bi::Control&) { return bi::Status::Ok(); };
    job->result = [](Napi::Env e) -> Napi::Value { return e.Undefined(); };
    job->Start();
    throw;
  }
  return job->Start();
}

}  // namespace bi_napi
