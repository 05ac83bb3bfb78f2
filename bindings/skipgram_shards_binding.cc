// Sorted skip-gram count tables (native/include/bi/skipgram_shards.h). A table crosses the
// boundary as {offsets: Int32Array, positions, contexts: BigUint64Array, next: Uint8Array,
// counts: Uint32Array}; tables are read in place and kept alive by the job that reads them.
//   skipgramCountTable(data, begin, end, offsets, {maxBytes})        counts of one shard
//   skipgramMergeTables([table…])                                     Σ of the tables
//   skipgramTableStats(table)                                         plug-in H(Y | X_D)
//   skipgramTableHeldOut(table, data, test [b, e], {smoothing, maxBytes})   test bits
//   skipgramTableCheck(table)                                         synchronous check
#include <cstring>
#include <memory>
#include <vector>

#include "bi/skipgram_shards.h"
#include "modules.h"
#include "skipgram_args.h"

namespace bi_napi {
namespace {

// Reads a table object; `job` (if any) keeps its arrays alive.
bi::SkipCountsView TableArg(Napi::Env env, FnJob* job, Napi::Value v) {
  Napi::Object o = ObjectArg(env, v, "E_OPTION", "a count table must be an object");
  bi::SkipCountsView t;
  t.offsets = OffsetsArg(env, o.Get("offsets"));
  t.positions = IndexArg(env, o.Get("positions"), "positions");
  const Napi::Value ctx = o.Get("contexts"), next = o.Get("next"), count = o.Get("counts");
  auto c = TypedArrayArg<uint64_t, napi_biguint64_array>(env, ctx, "contexts");
  auto y = TypedArrayArg<uint8_t, napi_uint8_array>(env, next, "next");
  auto n = TypedArrayArg<uint32_t, napi_uint32_array>(env, count, "counts");
  if (y.length != c.length || n.length != c.length)
    Throw(env, "E_SHAPE", "contexts, next and counts must have one length, got " + std::to_string(c.length) + ", " +
                              std::to_string(y.length) + ", " + std::to_string(n.length));
  t.ctx = c.data, t.next = y.data, t.count = n.data, t.size = c.length;
  if (job) {
    job->Keep(ctx);
    job->Keep(next);
    job->Keep(count);
  }
  return t;
}

template <typename A, typename T>
A Copy(Napi::Env env, std::vector<T>* v) {
  A a = A::New(env, v->size());
  if (!v->empty()) std::memcpy(a.Data(), v->data(), v->size() * sizeof(T));
  std::vector<T>().swap(*v);  // the JS copy is the result now
  return a;
}

Napi::Object TableToJs(Napi::Env env, bi::SkipCounts* t) {
  Napi::Object o = Napi::Object::New(env);
  o.Set("offsets", ToInt32(env, t->offsets));
  o.Set("positions", double(t->positions));
  o.Set("contexts", Copy<Napi::BigUint64Array>(env, &t->ctx));
  o.Set("next", Copy<Napi::Uint8Array>(env, &t->next));
  o.Set("counts", Copy<Napi::Uint32Array>(env, &t->count));
  return o;
}

Napi::Value CountTable(const Napi::CallbackInfo& info) {
  return StartJob(info, 5, [&](Napi::Env env, FnJob* job) {
    const Bytes d = DataArg(env, job, info[0]);
    const bi::LmRange r{IndexArg(env, info[1], "begin"), IndexArg(env, info[2], "end")};
    if (r.begin > r.end) Throw(env, "E_RANGE", "range has begin > end");
    CheckRange(env, r, d.size, "range");
    auto offsets = OffsetsArg(env, info[3]);
    auto budget = BudgetArg(env, OptionsArg(env, info, 4));
    auto out = std::make_shared<bi::SkipCounts>();
    job->run = [=](const bi::Control& c) { return bi::count_table(d.data, d.size, r.begin, r.end, offsets, budget.get(), c, out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return TableToJs(e, out.get()); };
  });
}

Napi::Value MergeTables(const Napi::CallbackInfo& info) {
  return StartJob(info, 1, [&](Napi::Env env, FnJob* job) {
    if (!info[0].IsArray()) Throw(env, "E_OPTION", "parts must be an array of count tables");
    auto arr = info[0].As<Napi::Array>();
    std::vector<bi::SkipCountsView> parts;
    for (uint32_t i = 0; i < arr.Length(); ++i) parts.push_back(TableArg(env, job, arr.Get(i)));
    auto out = std::make_shared<bi::SkipCounts>();
    job->run = [=](const bi::Control& c) { return bi::merge_tables(parts, c, out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return TableToJs(e, out.get()); };
  });
}

Napi::Value TableStats(const Napi::CallbackInfo& info) {
  return StartJob(info, 1, [&](Napi::Env env, FnJob* job) {
    const bi::SkipCountsView t = TableArg(env, job, info[0]);
    auto out = std::make_shared<bi::EntropyResult>();
    job->run = [=](const bi::Control&) { return bi::table_entropy(t, out.get()); };
    job->result = [=](Napi::Env e) -> Napi::Value { return EntropyToJs(e, *out); };
  });
}

Napi::Value TableHeldOut(const Napi::CallbackInfo& info) {
  return StartJob(info, 4, [&](Napi::Env env, FnJob* job) {
    const bi::SkipCountsView t = TableArg(env, job, info[0]);
    const Bytes d = DataArg(env, job, info[1]);
    const bi::LmRange test = RangeArg(env, info[2], "test");
    CheckRange(env, test, d.size, "test");
    const HeldOutOptions o = HeldOutOptionsArg(env, info, 3);
    auto out = std::make_shared<bi::HeldOutResult>();
    job->run = [=](const bi::Control& c) {
      bi::SkipTrie trie;
      bi::Status st = bi::table_trie(t, o.budget.get(), c, &trie);
      if (!st.ok()) return st;
      return bi::score_trie(trie, o.sm, d.data, d.size, test.begin, test.end, c, out.get());
    };
    job->result = [=](Napi::Env e) -> Napi::Value { return HeldOutToJs(e, *out); };
  });
}

Napi::Value TableCheck(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  const bi::Status st = bi::check_table(TableArg(env, nullptr, info[0]));
  if (!st.ok()) Throw(env, st.code, st.message);
  return env.Undefined();
}

}  // namespace

void RegisterSkipgramShards(Napi::Env env, Napi::Object exports) {
  SetExports(env, exports, {{"skipgramCountTable", CountTable}, {"skipgramMergeTables", MergeTables},
                            {"skipgramTableStats", TableStats}, {"skipgramTableHeldOut", TableHeldOut},
                            {"skipgramTableCheck", TableCheck}});
}

}  // namespace bi_napi
