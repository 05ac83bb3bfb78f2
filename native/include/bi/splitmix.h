// SplitMix64: the seeded stream of φ's position sampling and of the language-model sampler
// (documented in docs/definitions.md, so a user can reproduce a draw).
#pragma once
#include <cstdint>

namespace bi {

inline uint64_t splitmix64(uint64_t* state) {
  uint64_t z = (*state += 0x9e3779b97f4a7c15ull);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
  return z ^ (z >> 31);
}

}  // namespace bi
