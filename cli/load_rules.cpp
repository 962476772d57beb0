#include "cli/load_rules.hpp"

#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "eval/lower.hpp"

namespace subsidy::cli {

namespace fs = std::filesystem;

namespace {
std::string sha256_hex(const std::vector<std::pair<std::string, std::string>>& files) {
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  EVP_DigestInit_ex(ctx, EVP_sha256(), nullptr);
  for (const auto& [name, text] : files) {
    EVP_DigestUpdate(ctx, name.data(), name.size() + 1);  // include the terminating NUL as a separator
    EVP_DigestUpdate(ctx, text.data(), text.size());
    EVP_DigestUpdate(ctx, "", 1);
  }
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(ctx, md, &len);
  EVP_MD_CTX_free(ctx);
  static const char* hex = "0123456789abcdef";
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += hex[md[i] >> 4];
    out += hex[md[i] & 15];
  }
  return out;
}
}  // namespace

std::unique_ptr<LoadedRules> load_rules(const std::string& path) {
  auto lr = std::make_unique<LoadedRules>();
  std::error_code ec;
  std::vector<fs::path> paths;
  if (fs::is_directory(path, ec)) {
    for (auto it = fs::recursive_directory_iterator(path, ec); !ec && it != fs::recursive_directory_iterator(); it.increment(ec))
      if (it->is_regular_file() && it->path().extension() == ".rules") paths.push_back(it->path());
    std::sort(paths.begin(), paths.end());
    if (paths.empty()) lr->error = "no .rules files under `" + path + "`";
  } else if (fs::is_regular_file(path, ec)) {
    paths.push_back(path);
  } else {
    lr->error = "rules path `" + path + "` does not exist";
  }
  if (!lr->error.empty()) return lr;
  std::vector<std::pair<std::string, std::string>> texts;
  for (const auto& p : paths) {
    std::ifstream in(p, std::ios::binary);
    if (!in) {
      lr->error = "cannot read `" + p.string() + "`";
      return lr;
    }
    std::ostringstream ss;
    ss << in.rdbuf();
    texts.push_back({fs::relative(p, fs::is_directory(path) ? fs::path(path) : p.parent_path()).generic_string(), ss.str()});
    lr->sources.add(p.string(), texts.back().second);
  }
  spdlog::debug("parse+check: {} files under {}", paths.size(), path);
  auto res = eval::compile(lr->sources, lr->diags, sha256_hex(texts));
  lr->ruleset = std::move(res.ruleset);
  if (lr->ruleset) {
    lr->workflows = workflow::compile_workflows(lr->ruleset, lr->diags);
    if (lr->diags.has_errors()) {
      lr->ruleset = nullptr;
      lr->workflows = nullptr;
    }
  }
  spdlog::debug("compiled: {} errors, {} warnings", lr->diags.error_count(), lr->diags.warning_count());
  return lr;
}

void print_diagnostics(const LoadedRules& lr) {
  if (!lr.error.empty()) {
    std::fprintf(stderr, "error: %s\n", lr.error.c_str());
    return;
  }
  auto text = diag::render_all(lr.diags, lr.sources);
  std::fputs(text.c_str(), stderr);
}

}  // namespace subsidy::cli
