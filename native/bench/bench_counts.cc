// Skip-gram counting throughput of conditional_entropy alone (no Node), for profiling with perf.
// Usage: bench_counts [offsets=1,8,20,3,27,2,12,7] [repeats=3] [corpus=postgresql-doc-15.html.txt path]
// Prints MB/s of each repeat (CPU time of this process), the patterns and the bits, which
// must not change between builds that only change speed.
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>
#include <vector>

#include "bench_util.h"
#include "bi/skipgram.h"

namespace {
std::vector<int> parse_offsets(const char* s) {
  std::vector<int> v;
  for (char* end = nullptr; *s; s = *end ? end + 1 : end) v.push_back(int(std::strtol(s, &end, 10)));
  return v;
}
}  // namespace

int main(int argc, char** argv) {
  const std::vector<int> offsets = parse_offsets(argc > 1 ? argv[1] : "1,8,20,3,27,2,12,7");
  const int repeats = argc > 2 ? std::atoi(argv[2]) : 3;
  const std::string path = argc > 3 ? argv[3] : std::string(BI_BENCH_CORPORA) + "/postgresql-doc-15.html.txt";
  const std::vector<uint8_t> data = bench::read_all(path);
  if (data.empty()) {
    std::fprintf(stderr, "cannot read %s\n", path.c_str());
    return 2;
  }
  for (int r = 0; r < repeats; ++r) {
    bi::MemoryBudget budget;
    bi::EntropyResult out;
    const std::clock_t c0 = std::clock();
    bi::Status st = bi::conditional_entropy(data.data(), data.size(), 0, data.size(), offsets, &budget, bi::Control{}, &out);
    const double cpu = double(std::clock() - c0) / CLOCKS_PER_SEC;
    if (!st.ok()) {
      std::fprintf(stderr, "%s: %s\n", st.code.c_str(), st.message.c_str());
      return 1;
    }
    std::printf("%.1f MB/s cpu  patterns %llu  contexts %llu  bits %.6f  buffers %llu MiB\n", double(data.size()) / cpu / 1e6,
                (unsigned long long)out.patterns, (unsigned long long)out.contexts, out.bits,
                (unsigned long long)(out.bytes >> 20));
  }
  return 0;
}
