// The addon's entry point: registers the functions that lib/native.ts types.
#include <napi.h>

#include "args.h"
#include "bi/kernels.h"
#include "bi/rnn.h"
#include "bi/threadpool.h"
#include "errors.h"
#include "job.h"
#include "modules.h"

namespace bi_napi {

const bi::Kernels& KernelsArg(Napi::Env env, Napi::Value isa) {
  if (isa.IsUndefined() || isa.IsNull() || (isa.IsString() && isa.As<Napi::String>().Utf8Value().empty())) {
    std::string err;
    const bi::Kernels* k = bi::default_kernels(&err);
    if (!k) Throw(env, "E_ISA_UNAVAILABLE", err);
    return *k;
  }
  if (!isa.IsString()) Throw(env, "E_OPTION", "isa must be a string");
  const std::string name = isa.As<Napi::String>().Utf8Value();
  bi::Isa id;
  if (!bi::parse_isa(name, &id)) Throw(env, "E_OPTION", "unknown ISA '" + name + "' (" + bi::isa_names() + ")");
  const bi::Kernels* k = bi::kernels_for(id);
  if (!k) Throw(env, "E_ISA_UNAVAILABLE", "this CPU/build cannot run " + name);
  return *k;
}

namespace {

// info() → { isa, isas, hardwareThreads, isaError? }: isas are the ISAs this CPU and build
// run, in the registry's priority order.
Napi::Value Info(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Object out = Napi::Object::New(env);
  std::string err;
  const bi::Kernels* k = bi::default_kernels(&err);
  out.Set("isa", k ? Napi::Value(Napi::String::New(env, k->name)) : env.Null());
  if (!k) out.Set("isaError", err);
  Napi::Array isas = Napi::Array::New(env);
  uint32_t n = 0;
  for (const bi::IsaEntry& e : bi::isa_registry())
    if (bi::kernels_for(e.isa)) isas.Set(n++, Napi::String::New(env, e.name));
  out.Set("isas", isas);
  out.Set("hardwareThreads", bi::hardware_threads());
  return out;
}

// Every ISA name the addon knows, in priority order (kernels.h, isa_registry): what
// lib/validate.ts accepts and the CLI's help lists.
Napi::Array IsaNames(Napi::Env env) {
  Napi::Array names = Napi::Array::New(env);
  uint32_t n = 0;
  for (const bi::IsaEntry& e : bi::isa_registry()) names.Set(n++, Napi::String::New(env, e.name));
  return names;
}

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  env.SetInstanceData(new AddonData());
  exports.Set("setErrorClass", Napi::Function::New(env, SetErrorClass));
  exports.Set("setPinFunction", Napi::Function::New(env, SetPinFunction));
  exports.Set("info", Napi::Function::New(env, Info));
  exports.Set("isaNames", IsaNames(env));
  RegisterEval(env, exports);
  RegisterTrain(env, exports);
  RegisterSkipgram(env, exports);
  RegisterConstruct(env, exports);
  RegisterRead(env, exports);
  RegisterSkipgramShards(env, exports);
  RegisterBoolean(env, exports);
  RegisterGenerate(env, exports);
  return exports;
}

}  // namespace
}  // namespace bi_napi

static Napi::Object InitAddon(Napi::Env env, Napi::Object exports) { return bi_napi::Init(env, exports); }
NODE_API_MODULE(bi_embed, InitAddon)
