// Each native module registers its functions on the addon's exports. One file per
// module: eval_binding.cc, train_binding.cc, skipgram_binding.cc, construct_binding.cc,
// read_binding.cc, skipgram_shards_binding.cc.
#pragma once
#include <napi.h>

#include <initializer_list>

namespace bi_napi {
void RegisterEval(Napi::Env env, Napi::Object exports);
void RegisterTrain(Napi::Env env, Napi::Object exports);
void RegisterSkipgram(Napi::Env env, Napi::Object exports);
void RegisterConstruct(Napi::Env env, Napi::Object exports);
void RegisterRead(Napi::Env env, Napi::Object exports);
void RegisterSkipgramShards(Napi::Env env, Napi::Object exports);
void RegisterBoolean(Napi::Env env, Napi::Object exports);
void RegisterGenerate(Napi::Env env, Napi::Object exports);

// One exported function: its JS name (what lib/native.ts types) and its callback.
struct Export {
  const char* name;
  Napi::Function::Callback fn;
};
inline void SetExports(Napi::Env env, Napi::Object exports, std::initializer_list<Export> fns) {
  for (const Export& f : fns) exports.Set(f.name, Napi::Function::New(env, f.fn));
}
}  // namespace bi_napi
