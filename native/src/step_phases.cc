// The phase table of step_phases.h: per-phase atomic nanosecond counters for the step in
// progress, and one row per finished step (end_step runs on the training thread only).
#include "bi/step_phases.h"

#include <algorithm>
#include <array>
#include <atomic>

namespace bi {
namespace step_phases {
namespace {
std::atomic<bool> g_on{false};
std::atomic<int64_t> g_current[kCount];
std::atomic<int64_t> g_calls[kCount];
std::vector<std::array<int64_t, kCount + 1>> g_steps;  // phases, then the step's wall time

double median_us(std::vector<int64_t> v) {
  if (v.empty()) return 0;
  std::nth_element(v.begin(), v.begin() + v.size() / 2, v.end());
  return double(v[v.size() / 2]) / 1000.0;
}
}  // namespace

const char* name(Phase p) {
  static const char* const kNames[kCount] = {
      "inputs",    "weight copies", "recurrence", "tanh",   "readout", "softmax", "dWy, dby", "dH",
      "tanh grad", "recurrence back", "dWh",     "dWx, dbh", "reduce", "norm",    "update"};
  return p >= 0 && p < kCount ? kNames[p] : "?";
}

void enable(bool on) {
  for (auto& c : g_current) c.store(0, std::memory_order_relaxed);
  for (auto& c : g_calls) c.store(0, std::memory_order_relaxed);
  g_steps.clear();
  g_on.store(on, std::memory_order_relaxed);
}

bool enabled() { return g_on.load(std::memory_order_relaxed); }

void add(Phase p, int64_t ns) {
  g_current[p].fetch_add(ns, std::memory_order_relaxed);
  g_calls[p].fetch_add(1, std::memory_order_relaxed);
}

void end_step(int64_t wall_ns) {
  std::array<int64_t, kCount + 1> row;
  for (int p = 0; p < kCount; ++p) row[p] = g_current[p].exchange(0, std::memory_order_relaxed);
  row[kCount] = wall_ns;
  g_steps.push_back(row);
}

Summary take_summary() {
  Summary s;
  s.steps = int(g_steps.size());
  for (int p = 0; p <= kCount; ++p) {
    std::vector<int64_t> col;
    for (const auto& row : g_steps) col.push_back(row[p]);
    (p < kCount ? s.phase_us[p] : s.step_us) = median_us(std::move(col));
  }
  for (int p = 0; p < kCount; ++p) s.calls[p] = g_calls[p].exchange(0, std::memory_order_relaxed);
  g_steps.clear();
  return s;
}

}  // namespace step_phases
}  // namespace bi
