#pragma once
// Test helper: compiles rule text held in strings.
#include <memory>
#include <string>

#include "diag/diagnostic.hpp"
#include "eval/lower.hpp"

namespace subsidy::testing {

struct Compiled {
  diag::SourceSet sources;
  diag::Diagnostics diags;
  std::shared_ptr<const eval::Ruleset> rs;
  std::string rendered() const { return diag::render_all(diags, sources); }
  bool has(const std::string& code) const {
    for (const auto& d : diags.items())
      if (d.code == code) return true;
    return false;
  }
};

inline std::unique_ptr<Compiled> compile_text(const std::string& text, const std::string& name = "t.rules") {
  auto c = std::make_unique<Compiled>();
  c->sources.add(name, text);
  c->rs = eval::compile(c->sources, c->diags, "test").ruleset;
  return c;
}

}  // namespace subsidy::testing
