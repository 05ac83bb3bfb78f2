// A trajectory's rows as the ψ and attribution jobs take them:
//   rows = { states: Float32Array (steps × H), first, begin, end } — positions t ∈ [begin, end)
//   of a trajectory whose row 0 is h_first. The job keeps the states array alive.
#pragma once
#include <napi.h>

#include "args.h"
#include "bi/psi.h"
#include "job.h"

namespace bi_napi {

inline bi::StateRows RowsArg(Napi::Env env, Job* job, Napi::Value v, int H) {
  Napi::Object o = ObjectArg(env, v, "E_NATIVE", "rows must be an object");
  auto states = Float32Arg(env, o.Get("states"), "states");
  if (states.length % size_t(H) != 0) Throw(env, "E_SHAPE", "states length must be a multiple of H");
  job->Keep(o.Get("states"));
  bi::StateRows r;
  r.states = states.data;
  r.rows = states.length / size_t(H);
  r.H = H;
  r.first = IndexArg(env, o.Get("first"), "first");
  r.begin = IndexArg(env, o.Get("begin"), "begin");
  r.end = IndexArg(env, o.Get("end"), "end");
  return r;
}

}  // namespace bi_napi
