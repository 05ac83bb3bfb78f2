#include "errors.h"

namespace bi_napi {

Napi::Error MakeError(Napi::Env env, const std::string& code, const std::string& message) {
  AddonData* data = env.GetInstanceData<AddonData>();
  if (data && !data->error_ctor.IsEmpty()) {
    Napi::Object err = data->error_ctor.New({Napi::String::New(env, code), Napi::String::New(env, message)});
    return Napi::Error(env, err);
  }
  Napi::Error err = Napi::Error::New(env, message);
  err.Set("code", Napi::String::New(env, code));
  return err;
}

void Throw(Napi::Env env, const std::string& code, const std::string& message) {
  throw MakeError(env, code, message);
}

Napi::Value SetErrorClass(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsFunction()) Throw(env, "E_NATIVE", "setErrorClass needs a constructor");
  env.GetInstanceData<AddonData>()->error_ctor = Napi::Persistent(info[0].As<Napi::Function>());
  return env.Undefined();
}

}  // namespace bi_napi
