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
}

void Job::Execute(const ExecutionProgress& progress) {
  bi::Control control;
  control.cancel_flag = cancel_flag_;
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
  if (progress_cb_.IsEmpty() || count == 0) return;
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
  const ProgressEvent& e = data[count - 1];
  try {
    progress_cb_.Call({Napi::Number::New(env, e.done), Napi::Number::New(env, e.total)});
  } catch (const Napi::Error&) {
    // A throwing progress callback must not take the job down; the error is dropped.
  }
}

void Job::OnOK() {
  Napi::Env env = Env();
  Napi::HandleScope scope(env);
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

void Job::OnError(const Napi::Error& e) { deferred_.Reject(e.Value()); }

}  // namespace bi_napi
