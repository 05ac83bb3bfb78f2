// Functions of the train module (not yet implemented).
#include "modules.h"

namespace bi_napi {

void RegisterTrain(Napi::Env, Napi::Object) {}

}  // namespace bi_napi
