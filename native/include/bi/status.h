// Status: how the Node-free core reports a bad input or a stop. The code strings are
// the same as the JS BiEmbedError codes (lib/errors.ts), so the glue passes them through.
#pragma once
#include <string>
#include <utility>

namespace bi {

struct Status {
  std::string code;     // empty when ok, else "E_…"
  std::string message;

  bool ok() const { return code.empty(); }
  static Status Ok() { return {}; }
  static Status Error(std::string c, std::string m) { return {std::move(c), std::move(m)}; }
};

}  // namespace bi
