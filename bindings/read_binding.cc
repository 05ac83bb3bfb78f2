// Functions of the read module (not yet implemented).
#include "modules.h"

namespace bi_napi {

void RegisterRead(Napi::Env, Napi::Object) {}

}  // namespace bi_napi
