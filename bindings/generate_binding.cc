// generate(params, hidden, prompt, { isa, temperature, seed, count }, cancel, onProgress)
//   → Promise<{ nextProbs: Float64Array(256), promptBits, promptPositions, sampled: Uint8Array, isa }>
// order0Bits(data, begin, end, cancel, onProgress) → Promise<number>: bi::order0_bits, the plug-in entropy
//   −Σ p_b log2 p_b of the byte frequencies in [begin, end) (what every bpc is printed beside).
#include "bi/counts.h"
#include "bi/generate.h"
#include "job.h"
#include "modules.h"

namespace bi_napi {
namespace {

Napi::Value Generate(const Napi::CallbackInfo& info) {
  return StartJob(info, 4, [&](Napi::Env env, FnJob* job) {
    auto params = Float32Arg(env, info[0], "params");
    const int H = HiddenArg(env, info[1]);
    if (params.length != bi::param_count(H))
      Throw(env, "E_SHAPE", "params must have " + std::to_string(bi::param_count(H)) + " floats for H=" + std::to_string(H));
    job->Keep(info[0]);
    const Bytes prompt = DataArg(env, job, info[2], "prompt");
    Napi::Object opt = ObjectArg(env, info[3], "E_OPTION", "generate: options must be an object");
    bi::GenerateOptions o;
    o.kernels = &KernelsArg(env, opt.Get("isa"));
    o.temperature = NumArg(env, opt.Get("temperature"), "temperature");
    o.seed = IndexArg(env, opt.Get("seed"), "seed", "E_OPTION");
    const uint64_t count = IndexArg(env, opt.Get("count"), "count", "E_OPTION");
    const bi::ModelView model = bi::param_views<const float>(params.data, H);
    auto result = std::make_shared<bi::GenerateResult>();
    job->run = [=](const bi::Control& control) {
      return bi::generate(model, prompt.data, prompt.size, count, WithControl(o, control), result.get());
    };
    job->result = [=](Napi::Env e) {
      Napi::Object out = Napi::Object::New(e);
      out.Set("nextProbs", ToFloat64(e, result->next_probs));
      out.Set("promptBits", result->prompt_bits);
      out.Set("promptPositions", double(result->prompt_positions));
      auto sampled = Napi::Uint8Array::New(e, result->sampled.size());
      std::copy(result->sampled.begin(), result->sampled.end(), sampled.Data());
      out.Set("sampled", sampled);
      out.Set("isa", o.kernels->name);
      return Napi::Value(out);
    };
  });
}

Napi::Value Order0Bits(const Napi::CallbackInfo& info) {
  return StartJob(info, 3, [&](Napi::Env env, FnJob* job) {
    const Bytes data = DataArg(env, job, info[0]);
    const uint64_t begin = IndexArg(env, info[1], "begin"), end = IndexArg(env, info[2], "end");
    if (begin > end || end > data.size) Throw(env, "E_RANGE", "order0Bits: range outside the data");
    auto bits = std::make_shared<double>(0);
    job->run = [=](const bi::Control&) {
      *bits = bi::order0_bits(data.data, begin, end);
      return bi::Status::Ok();
    };
    job->result = [=](Napi::Env e) { return Napi::Value(Napi::Number::New(e, *bits)); };
  });
}

}  // namespace

void RegisterGenerate(Napi::Env env, Napi::Object exports) {
  SetExports(env, exports, {{"generate", Generate}, {"order0Bits", Order0Bits}});
}

}  // namespace bi_napi
