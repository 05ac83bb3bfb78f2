#include "job.h"

#include <exception>

namespace bi_napi {

Job::Job(Napi::Env env, Napi::Value cancel, Napi::Value progress)
    : Napi::AsyncProgressWorker<ProgressEvent>(env, "bi-embed:job"), deferred_(Napi::Promise::Deferred::New(env)) {
  if (cancel.IsTypedArray()) {
    auto arr = cancel.As<Napi::TypedArray>();
    if (arr.TypedArrayType() != napi_int32_array || arr.ElementLength() < 1)
      Throw(env, "E_NATIVE", "cancel flag must be an Int32Array");
    cancel_flag_ = cancel.As<Napi::Int32Array>().Data();
    Keep(cancel);
  }
  if (progress.IsFunction()) progress_cb_ = Napi::Persistent(progress.As<Napi::Function>());
  // A Worker's environment waits for running jobs before it goes: stop them at once.
  napi_add_env_cleanup_hook(env, OnEnvCleanup, this);
}

Job::~Job() { napi_remove_env_cleanup_hook(Env(), OnEnvCleanup, this); }

void Job::OnEnvCleanup(void* job) { __atomic_store_n(&static_cast<Job*>(job)->stop_flag_, 1, __ATOMIC_RELAXED); }

void Job::Keep(Napi::Value v) {
  Napi::Env env = Env();
  if (v.IsTypedArray()) {
    Napi::Value buffer = v.As<Napi::TypedArray>().ArrayBuffer();
    bool detached = false;
    if (buffer.IsArrayBuffer() && napi_is_detached_arraybuffer(env, buffer, &detached) == napi_ok && detached)
      Throw(env, "E_OPTION", "an array given to bi-embed was transferred (its ArrayBuffer is detached)");
    Napi::Object b = buffer.As<Napi::Object>();
    if (b.Get("resizable").ToBoolean() || b.Get("growable").ToBoolean())
      Throw(env, "E_OPTION",
            "an array given to bi-embed is backed by a resizable ArrayBuffer or a growable SharedArrayBuffer: "
            "the native code reads it in place for the whole job; copy it into a fixed-length one");
    // Pinned: a transfer list naming this buffer now copies it (Node 20) or throws (Node ≥ 21).
    AddonData* data = env.GetInstanceData<AddonData>();
    if (buffer.IsArrayBuffer() && data && !data->pin.IsEmpty()) data->pin.Call({buffer});
  }
  kept_.push_back(Napi::Persistent(v.As<Napi::Object>()));
}

void Job::Execute(const ExecutionProgress& progress) {
  bi::Control control;
  control.cancel_flag = cancel_flag_;
  control.stop_flag = &stop_flag_;
  if (!progress_cb_.IsEmpty())
    control.progress = [&progress](double done, double total) {
      ProgressEvent e{done, total};
      progress.Send(&e, 1);
    };
  try {  // no exception may escape Execute
    status_ = Run(control);
  } catch (const std::bad_alloc&) {
    status_ = bi::Status::Error("E_MEMORY_LIMIT", "out of memory");
  } catch (const std::exception& e) {
    status_ = bi::Status::Error("E_NATIVE", e.what());
  } catch (...) {
    status_ = bi::Status::Error("E_NATIVE", "unknown native error");
  }
}

void Job::OnProgress(const ProgressEvent* data, size_t count) {
  if (progress_cb_.IsEmpty() || count == 0 || !callback_error_.IsEmpty()) return;
  try {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    const ProgressEvent& e = data[count - 1];
    try {
      progress_cb_.Call({Napi::Number::New(env, e.done), Napi::Number::New(env, e.total)});
    } catch (const Napi::Error& err) {
      // A throwing callback stops the job, which then rejects with what it threw.
      callback_error_ = Napi::Reference<Napi::Value>::New(err.Value(), 1);
      __atomic_store_n(&stop_flag_, 1, __ATOMIC_RELAXED);
    }
  } catch (...) {
    // The environment is going away: nobody is left to call.
  }
}

void Job::Settle(Napi::Env env) {
  Napi::HandleScope scope(env);
  if (!callback_error_.IsEmpty()) {
    deferred_.Reject(callback_error_.Value());
    return;
  }
  if (!status_.ok()) {
    deferred_.Reject(MakeError(env, status_).Value());
    return;
  }
  try {
    deferred_.Resolve(Result(env));
  } catch (const Napi::Error& e) {
    deferred_.Reject(e.Value());
  }
}

// No exception may leave OnOK/OnError: node-addon-api calls them from the environment's
// teardown too (a terminated Worker), where every N-API call fails and a throw aborts.
void Job::OnOK() {
  try {
    Settle(Env());
  } catch (...) {
  }
}

void Job::OnError(const Napi::Error& e) {
  try {
    deferred_.Reject(e.Value());
  } catch (...) {
  }
}

Napi::Value SetPinFunction(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) Throw(env, "E_NATIVE", "setPinFunction needs a function");
  env.GetInstanceData<AddonData>()->pin = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

}  // namespace bi_napi
