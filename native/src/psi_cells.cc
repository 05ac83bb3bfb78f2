// Shared pieces of ψ: row-range checks, compacted cell means, and the state features
// (word_len, in_tag, …) that the read-back keys and the feature map use.
#include <algorithm>
#include <string>

#include "bi/psi.h"

namespace bi {

Status check_rows(const StateRows& r, uint64_t size, int max_lag, const char* what) {
  const std::string w(what);
  if (!r.states || r.H < kMinHidden || r.H > kMaxHidden) return Status::Error("E_SHAPE", w + ": no states");
  if (r.begin > r.end || r.begin < r.first || r.end > r.first + r.rows)
    return Status::Error("E_RANGE", w + ": positions [" + std::to_string(r.begin) + ", " + std::to_string(r.end) +
                                        ") are outside the captured states [" + std::to_string(r.first) + ", " +
                                        std::to_string(r.first + r.rows) + ")");
  if (r.end > size) return Status::Error("E_RANGE", w + ": positions run past the corpus");
  if (r.begin < uint64_t(max_lag))
    return Status::Error("E_RANGE", w + ": the first position " + std::to_string(r.begin) + " has no byte at lag " +
                                        std::to_string(max_lag));
  if (r.end == r.begin) return Status::Error("E_CORPUS_TOO_SHORT", w + ": no positions");
  return Status::Ok();
}

void CellMeans::reset(int h, uint32_t key_space) {
  H = h;
  index.assign(key_space, -1);
  sums.clear();
  counts.clear();
}

void CellMeans::add(uint32_t key, const float* h) {
  int32_t c = index[key];
  if (c < 0) {
    c = index[key] = int32_t(counts.size());
    counts.push_back(0);
    sums.resize(sums.size() + H, 0.0);
  }
  ++counts[c];
  double* s = sums.data() + size_t(c) * H;
  for (int j = 0; j < H; ++j) s[j] += h[j];
}

void CellMeans::finish() {
  for (size_t c = 0; c < counts.size(); ++c) {
    double* s = sums.data() + c * H;
    const double n = double(counts[c]);
    for (int j = 0; j < H; ++j) s[j] /= n;
  }
}

int char_class(uint8_t c) {
  if (c <= 32) return 0;
  if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')) return 1;
  if (c >= '0' && c <= '9') return 2;
  if (c == '<' || c == '>') return 4;
  switch (c) {
    case '.': case ',': case ';': case ':': case '!': case '?': case '\'': case '"':
    case '-': case '/': case '=': case '&':
      return 3;
    default:
      return 5;
  }
}

int feature_range(int f) {
  static const int n[kFeatureCount] = {6, 2, 16, 6, 2, 8, 6, 8};
  return f >= 0 && f < kFeatureCount ? n[f] : 0;
}

namespace {
inline bool word_break(uint8_t c) { return c == ' ' || c == '\n' || c == '\t'; }
inline bool plain_space(uint8_t c) { return c == ' ' || c == '\n'; }
}  // namespace

void state_features(const uint8_t* x, uint64_t begin, uint64_t end, uint8_t* out) {
  // The state before `begin`, as a scan from byte 0 would leave it.
  int word_len = 0;
  for (uint64_t s = begin; s > 0 && !word_break(x[s - 1]) && word_len < 15; --s) ++word_len;
  int in_tag = 0;
  for (uint64_t s = begin; s > 0; --s)
    if (x[s - 1] == '<' || x[s - 1] == '>') { in_tag = x[s - 1] == '<'; break; }
  int depth = 0;  // '<' seen so far; only its cap matters
  for (uint64_t s = 0; s < begin && depth < 7; ++s) depth += x[s] == '<';
  int last_ns = 0;  // class of the last byte before t that is not ' ' or '\n'
  for (uint64_t s = begin; s > 1; --s)
    if (!plain_space(x[s - 2])) { last_ns = char_class(x[s - 2]); break; }

  const uint64_t n = end - begin;
  for (uint64_t t = begin; t < end; ++t) {
    const uint8_t c = x[t];
    if (c == '<') { in_tag = 1; depth = std::min(depth + 1, 7); }
    if (c == '>') in_tag = 0;
    word_len = word_break(c) ? 0 : std::min(word_len + 1, 15);
    if (t > 0 && !plain_space(x[t - 1])) last_ns = char_class(x[t - 1]);
    const uint64_t i = t - begin;
    out[kClass * n + i] = uint8_t(char_class(c));
    out[kInTag * n + i] = uint8_t(in_tag);
    out[kWordLen * n + i] = uint8_t(word_len);
    out[kPrevClass * n + i] = uint8_t(t > 0 ? char_class(x[t - 1]) : 0);
    out[kAfterSpace * n + i] = uint8_t(t > 0 && plain_space(x[t - 1]));
    out[kTagDepth * n + i] = uint8_t(depth);
    out[kLastNonSpaceClass * n + i] = uint8_t(last_ns);
    out[kPosMod8 * n + i] = uint8_t(t % 8);
  }
}

}  // namespace bi
