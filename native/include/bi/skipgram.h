// Skip-k-grams (SPEC §4): counts of (context, next byte) where the context at position s
// is the bytes x_{s−d} for the offsets d of an ordered list D; a backward trie whose level
// k holds the contexts of the first k offsets; the study's plug-in statistics (conditional
// entropy, patterns, greedy offsets, MI profile); a held-out interpolated back-off language
// model (modified Kneser–Ney or Witten–Bell); and pattern witnesses for an RNN.
//
// Positions: a count over [s_begin, s_end) needs s_begin ≥ max D; every level of one trie
// is counted over the same positions, so level k−1 is level k with its last byte summed
// out (which is how the lower levels are built, without a second pass over the corpus).
//
// One header per part: skipgram_tables.h (budget, tables, contexts), skipgram_trie.h
// (counting, the trie), skipgram_stats.h (plug-in statistics, greedy), skipgram_lm.h
// (held-out model), skipgram_witness.h (pattern witnesses). This one includes them all.
#pragma once
#include "bi/skipgram_lm.h"
#include "bi/skipgram_stats.h"
#include "bi/skipgram_tables.h"
#include "bi/skipgram_trie.h"
#include "bi/skipgram_witness.h"
