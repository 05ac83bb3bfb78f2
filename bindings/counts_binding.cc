// Functions of the counts module (not yet implemented).
#include "modules.h"

namespace bi_napi {

void RegisterCounts(Napi::Env, Napi::Object) {}

}  // namespace bi_napi
