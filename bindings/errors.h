// Coded errors: the BiEmbedError constructor registered from JS (lib/native.ts) is
// kept per environment, so every error the addon raises carries a `code`.
#pragma once
#include <napi.h>

#include <string>

#include "bi/status.h"

namespace bi_napi {

struct AddonData {
  Napi::FunctionReference error_ctor;
  // worker_threads.markAsUntransferable, registered from JS: pins the memory a job reads (job.cc).
  Napi::FunctionReference pin;
};

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message);
inline Napi::Error MakeError(Napi::Env env, const bi::Status& s) { return MakeError(env, s.code, s.message); }
// Throws a JS exception (C++ exceptions are enabled in the glue).
[[noreturn]] void Throw(Napi::Env env, const std::string& code, const std::string& message);

// Registers the constructor: setErrorClass(BiEmbedError).
Napi::Value SetErrorClass(const Napi::CallbackInfo& info);

}  // namespace bi_napi
