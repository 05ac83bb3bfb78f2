// Job: the base of every long native computation. It runs off the JS main thread on
// the libuv pool, returns a Promise, reports progress to an optional callback, polls a
// cancel flag (an Int32Array element set by an AbortSignal listener), and holds
// references to every JS array it reads or writes until it settles.
#pragma once
#include <napi.h>

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

  Napi::Promise Start() {
    Queue();
    return deferred_.Promise();
  }
  // Keeps a JS value (an input or output array) alive while the job runs.
  void Keep(Napi::Value v) { kept_.push_back(Napi::Persistent(v.As<Napi::Object>())); }

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

  Napi::Promise::Deferred deferred_;
  Napi::FunctionReference progress_cb_;
  std::vector<Napi::ObjectReference> kept_;
  const int32_t* cancel_flag_ = nullptr;
  bi::Status status_;
};

// A bytes argument (Buffer or Uint8Array) that `job` keeps alive while it runs.
inline ArrayArg<uint8_t> KeptBytes(Napi::Env env, Job* job, Napi::Value v, const char* name) {
  auto a = BytesArg(env, v, name);
  job->Keep(v);
  return a;
}

// Starts `job` after `fill` has read its arguments; a throwing fill deletes it.
template <typename J, typename Fill>
Napi::Value Launch(J* job, Fill fill) {
  try {
    fill(job);
  } catch (...) {
    delete job;
    throw;
  }
  return job->Start();
}

}  // namespace bi_napi
