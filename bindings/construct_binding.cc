// Functions of the construct module (not yet implemented).
#include "modules.h"

namespace bi_napi {

void RegisterConstruct(Napi::Env, Napi::Object) {}

}  // namespace bi_napi
