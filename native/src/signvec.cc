// Sign-vector statistics (signvec.h). The forward pass is variant_pass over `streams`
// contiguous streams, in blocks of steps whose signs fit a fixed scratch; hashes and margins are
// taken inside the pass (its step hook); after each block one thread walks the streams in order
// and feeds the exact tables (an arena of distinct σ with counts, and the transition keys (id of
// σ_{t−1}, x_t) with their first successor) and two HyperLogLog sketches. When the tables would pass max_memory, their
// figures are frozen at that point (exact_positions) and only the sketches go on.
#include "bi/signvec.h"

#include <algorithm>
#include <cmath>
#include <cstring>
#include <functional>

#include "bi/eval.h"
#include "bi/variant_pass.h"

namespace bi {
namespace {

inline uint64_t mix64(uint64_t x) {  // splitmix64's finaliser
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ull;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebull;
  return x ^ (x >> 31);
}

// Open-addressing index from 64-bit hashes to ids (id + 1 stored, 0 = empty), load ≤ 1/2.
class IdIndex {
 public:
  size_t bytes() const { return slots_.size() * sizeof(uint32_t); }
  // The id whose hash is `h` and for which same(id) holds, or insert `fresh` and return it.
  template <typename Same>
  uint32_t find_or_insert(uint64_t h, uint32_t fresh, const Same& same, const std::vector<uint64_t>& hashes) {
    if ((size_t(fresh) + 1) * 2 > slots_.size()) grow(hashes);
    const size_t mask = slots_.size() - 1;
    for (size_t i = h & mask;; i = (i + 1) & mask) {
      const uint32_t s = slots_[i];
      if (s == 0) { slots_[i] = fresh + 1; return fresh; }
      if (hashes[s - 1] == h && same(s - 1)) return s - 1;
    }
  }
  void clear() { std::vector<uint32_t>().swap(slots_); }

 private:
  void grow(const std::vector<uint64_t>& hashes) {
    std::vector<uint32_t> old(std::max<size_t>(1024, slots_.size() * 2), 0);
    old.swap(slots_);
    const size_t mask = slots_.size() - 1;
    for (uint32_t s : old) {
      if (s == 0) continue;
      size_t i = hashes[s - 1] & mask;
      while (slots_[i] != 0) i = (i + 1) & mask;
      slots_[i] = s;
    }
  }
  std::vector<uint32_t> slots_;
};

class Tables {
 public:
  Tables(size_t sb, uint64_t budget) : sb_(sb), budget_(budget) {}

  // One counted state: its sign vector and that vector's hash, and the byte and previous id when it follows one.
  // Returns the state's id (meaningful only while exact).
  uint32_t add(const uint8_t* sigma, uint64_t h, bool has_prev, uint32_t prev, uint8_t x, uint64_t prev_hash) {
    vec_hll_.add(h);
    if (has_prev) key_hll_.add(mix64(prev_hash ^ mix64(x + 1)));
    if (!exact_) return 0;
    const uint32_t id = vec_index_.find_or_insert(h, uint32_t(counts_.size()),
        [&](uint32_t i) { return std::memcmp(arena_.data() + i * sb_, sigma, sb_) == 0; }, vec_hash_);
    if (id == counts_.size()) {
      arena_.insert(arena_.end(), sigma, sigma + sb_);
      counts_.push_back(0);
      vec_hash_.push_back(h);
    }
    ++counts_[id];
    ++positions_;
    if (has_prev) {
      const uint64_t key = (uint64_t(prev) << 8) | x;
      const uint64_t kh = mix64(key);
      const uint32_t k = key_index_.find_or_insert(kh, uint32_t(keys_.size()),
          [&](uint32_t i) { return keys_[i] == key; }, key_hash_);
      if (k == keys_.size()) {
        keys_.push_back(key);
        key_hash_.push_back(kh);
        succ_.push_back(id);
        multi_.push_back(0);
        key_count_.push_back(0);
      } else if (succ_[k] != id) {
        multi_[k] = 1;
      }
      ++key_count_[k];
      ++transitions_;
    }
    peak_ = std::max(peak_, bytes());
    if (bytes() > budget_) freeze();
    return id;
  }

  void finish(SignVectorResult* out) {
    if (exact_) freeze();
    out->estimated = estimated_;
    out->distinct = estimated_ ? vec_hll_.estimate() : double(frozen_.exact_distinct);
    out->keys = estimated_ ? key_hll_.estimate() : double(frozen_.exact_keys);
    out->exact_positions = frozen_.exact_positions;
    out->exact_transitions = frozen_.exact_transitions;
    out->exact_distinct = frozen_.exact_distinct;
    out->exact_keys = frozen_.exact_keys;
    out->deterministic_keys = frozen_.deterministic_keys;
    out->deterministic_transitions = frozen_.deterministic_transitions;
    out->entropy = frozen_.entropy;
    out->top_counts = frozen_.top_counts;
    out->peak_table_bytes = peak_;
  }

  bool exact() const { return exact_; }

 private:
  uint64_t bytes() const {
    return arena_.capacity() + (counts_.capacity() + vec_hash_.capacity() + keys_.capacity() + key_hash_.capacity() +
                                key_count_.capacity()) * 8 +
           succ_.capacity() * 4 + multi_.capacity() + vec_index_.bytes() + key_index_.bytes();
  }

  // Computes the exact figures of what has been counted and releases the tables.
  void freeze() {
    if (!exact_) return;
    estimated_ = bytes() > budget_;
    frozen_.exact_positions = positions_;
    frozen_.exact_transitions = transitions_;
    frozen_.exact_distinct = counts_.size();
    frozen_.exact_keys = keys_.size();
    for (size_t k = 0; k < keys_.size(); ++k)
      if (!multi_[k]) { ++frozen_.deterministic_keys; frozen_.deterministic_transitions += key_count_[k]; }
    double e = 0;
    for (uint64_t c : counts_) {
      const double p = double(c) / double(positions_);
      e -= p * std::log2(p);
    }
    frozen_.entropy = e;
    std::vector<uint64_t> top = counts_;
    const size_t n = std::min<size_t>(16, top.size());
    std::partial_sort(top.begin(), top.begin() + n, top.end(), std::greater<uint64_t>());
    frozen_.top_counts.assign(top.begin(), top.begin() + n);
    exact_ = false;
    std::vector<uint8_t>().swap(arena_);
    for (auto* v : {&counts_, &vec_hash_, &keys_, &key_hash_, &key_count_}) std::vector<uint64_t>().swap(*v);
    std::vector<uint32_t>().swap(succ_);
    std::vector<uint8_t>().swap(multi_);
    vec_index_.clear();
    key_index_.clear();
  }

  size_t sb_;
  uint64_t budget_;
  bool exact_ = true, estimated_ = false;
  std::vector<uint8_t> arena_;
  std::vector<uint64_t> counts_, vec_hash_, keys_, key_hash_, key_count_;
  std::vector<uint32_t> succ_;
  std::vector<uint8_t> multi_;
  IdIndex vec_index_, key_index_;
  uint64_t positions_ = 0, transitions_ = 0, peak_ = 0;
  SignVectorResult frozen_;
  HyperLogLog vec_hll_, key_hll_;
};

// Margins: the kernel's fine histogram (margin_bin, kernels.h: 64 equal bins per octave over
// 2^−32 … 2^32), Σ|z| and the counts below 1 and 0.1. Every coarse edge is a power of two, so
// their counts come exactly from the histogram. Values are also kept up to a bound for an exact
// median.
constexpr int kOctaves = 64, kPerOctave = 64;
constexpr int kFineBins = kMarginFineBins;

class Margins {
 public:
  explicit Margins(uint64_t exact_values) : exact_values_(exact_values), fine_(kFineBins, 0) {}
  void add(const Kernels& k, const float* z, int n) {
    if (keep_ && values_.size() + size_t(n) <= exact_values_) {
      values_.resize(values_.size() + size_t(n));
      k.margin_scan(n, z, values_.data() + values_.size() - n, fine_.data(), &sums_);
    } else {
      if (keep_) { keep_ = false; std::vector<float>().swap(values_); }
      k.margin_scan(n, z, nullptr, fine_.data(), &sums_);
    }
    count_ += uint64_t(n);
  }

  // Adds another part's values (parts merged in a fixed order give the same sums on any threads).
  void merge(const Margins& o) {
    sums_.abs_sum += o.sums_.abs_sum;
    sums_.below_1 += o.sums_.below_1;
    sums_.below_01 += o.sums_.below_01;
    count_ += o.count_;
    for (int b = 0; b < kFineBins; ++b) fine_[b] += o.fine_[b];
    keep_ = keep_ && o.keep_;
    if (keep_) values_.insert(values_.end(), o.values_.begin(), o.values_.end());
    else std::vector<float>().swap(values_);
  }

  MarginStats finish() {
    MarginStats out;
    out.count = count_;
    out.mean = count_ ? sums_.abs_sum / double(count_) : 0.0;
    out.below_01 = sums_.below_01;
    out.below_1 = sums_.below_1;
    for (int k = 0; k < kMarginBins; ++k) {
      const uint64_t lo = k == 0 ? 0 : below_bin(margin_bin(float(kMarginEdges[k])));
      const uint64_t hi = k + 1 < kMarginBins ? below_bin(margin_bin(float(kMarginEdges[k + 1]))) : count_;
      out.histogram[k] = hi - lo;
    }
    out.median_exact = keep_;
    if (count_ == 0) return out;
    if (keep_) {
      // The median of an even count is the mean of the two middle values.
      const size_t n = values_.size(), mid = n / 2;
      std::nth_element(values_.begin(), values_.begin() + mid, values_.end());
      const double hi = values_[mid];
      if (n % 2 == 1) out.median = hi;
      else out.median = 0.5 * (hi + *std::max_element(values_.begin(), values_.begin() + mid));
    } else {
      const uint64_t half = (count_ + 1) / 2;
      uint64_t seen = 0;
      for (int b = 0; b < kFineBins; ++b) {
        seen += fine_[b];
        if (seen >= half) { out.median = bin_middle(b); break; }
      }
    }
    return out;
  }

 private:
  static double bin_middle(int b) {
    if (b == 0) return 0.0;
    const int e = (b - 1) / kPerOctave - kOctaves / 2, m = (b - 1) % kPerOctave;
    return std::ldexp(1.0 + (m + 0.5) / kPerOctave, e);
  }
  // Values in bins below `bin` (exact counts below a power of two, whose bin starts there).
  uint64_t below_bin(int bin) const {
    uint64_t c = 0;
    for (int b = 0; b < bin; ++b) c += fine_[b];
    return c;
  }
  uint64_t exact_values_;
  MarginSums sums_;
  uint64_t count_ = 0;
  std::vector<float> values_;
  bool keep_ = true;
  std::vector<uint64_t> fine_;
};

}  // namespace

uint64_t hash_bytes(const uint8_t* p, size_t n) {
  uint64_t h = 0x9e3779b97f4a7c15ull ^ n;
  size_t i = 0;
  for (; i + 8 <= n; i += 8) {
    uint64_t w;
    std::memcpy(&w, p + i, 8);
    h = mix64(h ^ w) + 0x9e3779b97f4a7c15ull;
  }
  uint64_t w = 0;
  std::memcpy(&w, p + i, n - i);
  return mix64(h ^ w ^ (uint64_t(n - i) << 56));
}

double HyperLogLog::estimate() const {
  const double m = double(reg_.size());
  double sum = 0;
  size_t zeros = 0;
  for (uint8_t r : reg_) {
    sum += std::ldexp(1.0, -int(r));
    zeros += r == 0;
  }
  const double alpha = 0.7213 / (1 + 1.079 / m);
  const double e = alpha * m * m / sum;
  if (e <= 2.5 * m && zeros > 0) return m * std::log(m / double(zeros));  // linear counting
  return e;
}

Status sign_vectors(const ModelView& m, const uint8_t* data, uint64_t size, uint64_t begin, uint64_t end,
                    const SignVectorOptions& opt, SignVectorResult* out) {
  Status st = check_hidden(m.H);
  if (!st.ok()) return st;
  if (begin >= end || end > size || end - begin < 2)
    return Status::Error("E_RANGE", "sign vectors need a range of at least 2 bytes within the corpus");
  if (opt.threads < 1 || opt.threads > 256)
    return Status::Error("E_OPTION", "threads must be in 1…256, got " + std::to_string(opt.threads));
  if (opt.streams < 1 || uint64_t(opt.streams) > (end - begin) / 2)
    return Status::Error("E_OPTION", "streams must be in 1…" + std::to_string((end - begin) / 2));
  const int H = m.H;
  const size_t sb = sign_bytes(H);
  const int S = opt.streams;

  // Stream s holds bytes [a_s, a_{s+1}) and counts states t < min(a_{s+1}, end − 1).
  std::vector<uint64_t> a(S + 1);
  for (int s = 0; s <= S; ++s) a[s] = begin + (end - begin) * uint64_t(s) / uint64_t(S);
  // Steps per block: the signs and hashes of all streams in about 64 MiB.
  const uint64_t per_step = uint64_t(S) * (sb + sizeof(uint64_t));
  const uint64_t block = std::max<uint64_t>(1, (uint64_t(64) << 20) / per_step);
  std::vector<uint8_t> signs(size_t(S) * block * sb);
  std::vector<float> state(size_t(S) * H, 0.0f);
  std::vector<float> last(size_t(S) * H, 0.0f);
  std::vector<uint32_t> prev(S, 0);
  std::vector<uint64_t> prev_hash(S, 0);

  Tables tables(sb, opt.max_memory);
  // The per-state work that needs no order (hashes, margins) runs inside the pass, on the thread
  // that computes the state while z_t is in cache: margins into one accumulator per pool slot
  // (merged in slot order), hashes into their row. The exact tables are fed in stream order
  // after each block.
  std::vector<Margins> parts(size_t(opt.threads), Margins(opt.exact_median_values / uint64_t(opt.threads)));
  std::vector<uint64_t> hashes, offset;
  std::vector<VariantStream> streams;
  std::vector<int> which;
  std::vector<uint64_t> counted_end;
  *out = SignVectorResult();
  VariantOptions vo = variant_options(opt);
  vo.control.progress = nullptr;  // progress is reported per block below
  vo.on_step = [&](int slot, int i, uint64_t r, const float* z, const float*) {
    const VariantStream& v = streams[size_t(i)];
    if (r >= counted_end[size_t(i)] - v.begin) return;
    hashes[offset[size_t(i)] + r] = hash_bytes(v.signs + r * sb, sb);
    parts[size_t(slot)].add(*opt.kernels, z, H);
  };
  uint64_t longest = 0;
  for (int s = 0; s < S; ++s) longest = std::max(longest, a[s + 1] - a[s]);

  for (uint64_t k0 = 0; k0 < longest; k0 += block) {
    streams.clear();
    which.clear();
    counted_end.clear();
    for (int s = 0; s < S; ++s) {
      const uint64_t len = a[s + 1] - a[s];
      if (k0 >= len) continue;
      VariantStream v;
      v.begin = a[s] + k0;
      v.steps = std::min(block, len - k0);
      // Counted states t < end − 1; scored (the readout) only when the bpc is wanted.
      counted_end.push_back(std::max(v.begin, std::min(v.begin + v.steps, end - 1)));
      v.score_begin = v.begin;
      v.score_end = opt.score ? counted_end.back() : v.begin;
      v.h0 = k0 == 0 ? nullptr : state.data() + size_t(s) * H;
      v.sign_only = opt.sign_only;
      v.signs = signs.data() + size_t(s) * block * sb;
      v.h_last = last.data() + size_t(s) * H;
      streams.push_back(v);
      which.push_back(s);
    }
    offset.assign(streams.size() + 1, 0);
    for (size_t i = 0; i < streams.size(); ++i) offset[i + 1] = offset[i] + (counted_end[i] - streams[i].begin);
    hashes.resize(offset.back());
    VariantResult vr;
    st = variant_pass(m, data, size, streams, vo, &vr);
    if (!st.ok()) return st;
    state.swap(last);
    for (size_t i = 0; i < streams.size(); ++i) {  // streams in order: a fixed feeding order
      const VariantStream& v = streams[i];
      const int s = which[i];
      out->bits += vr.bits[i];
      for (uint64_t t = v.begin; t < counted_end[i]; ++t) {
        const uint64_t r = t - v.begin;
        const bool has_prev = t > a[s];
        const uint64_t h = hashes[offset[i] + r];
        prev[s] = tables.add(v.signs + r * sb, h, has_prev, prev[s], data[t], prev_hash[s]);
        prev_hash[s] = h;
        ++out->positions;
        out->transitions += has_prev;
      }
    }
    opt.control.report(double(std::min(longest, k0 + block)), double(longest));
    if (opt.control.cancelled()) return Status::Error("E_ABORTED", "sign vectors cancelled");
  }
  tables.finish(out);
  for (size_t p = 1; p < parts.size(); ++p) parts[0].merge(parts[p]);
  out->margins = parts[0].finish();
  return Status::Ok();
}

}  // namespace bi
