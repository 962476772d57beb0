// Stored rulesets: one rulesets row per hash and its files in ruleset_files, written together;
// published versions of them in published_rulesets (migration 008).
#include <soci/soci.h>

#include "soci/soci_repository.hpp"

namespace subsidy::soci_store::detail {

void SociRepository::insert_ruleset(const store::RulesetSources& r) {
  std::string hash = r.hash, created = r.created_at.empty() ? clock_() : r.created_at;
  soci::statement insert(*conn_.sql);
  insert.exchange(soci::use(hash));
  insert.exchange(soci::use(created));
  prepare_statement(insert,
                    "INSERT INTO rulesets (hash, created_at) VALUES (:hash, :created_at)" +
                        on_conflict_do_nothing(conn_, "hash"),
                    false);
  if (!insert_new(conn_, insert)) return;  // stored by someone before
  int ord = 0;
  std::string path, text;
  soci::statement file(*conn_.sql);
  file.exchange(soci::use(hash));
  file.exchange(soci::use(ord));
  file.exchange(soci::use(path));
  file.exchange(soci::use(text));
  prepare_statement(file, "INSERT INTO ruleset_files (hash, ord, path, text) VALUES (:hash, :ord, :path, :text)", true);
  for (const store::RulesetFile& f : r.files) {
    path = f.path;
    text = f.text;
    file.execute(true);
    ++ord;
  }
}

void SociRepository::store_ruleset(const store::RulesetSources& r) {
  store::validate_ruleset(r);
  guarded("cannot store the ruleset", [&] {
    WriteScope w(*this);
    insert_ruleset(r);
    w.commit();
  });
}

std::optional<store::RulesetSources> SociRepository::load_ruleset(std::string_view hash) {
  return guarded("cannot load the ruleset", [&]() -> std::optional<store::RulesetSources> {
    store::RulesetSources r;
    r.hash = std::string(hash);
    *conn_.sql << "SELECT created_at FROM rulesets WHERE hash = :hash", soci::into(r.created_at), soci::use(r.hash);
    if (!conn_.sql->got_data()) return std::nullopt;
    soci::statement st(*conn_.sql);
    store::RulesetFile f;
    st.exchange(soci::into(f.path));
    st.exchange(soci::into(f.text));
    st.exchange(soci::use(r.hash));
    prepare_statement(st, "SELECT path, text FROM ruleset_files WHERE hash = :hash ORDER BY ord", false);
    st.execute(false);
    while (st.fetch()) r.files.push_back(f);
    store::check_stored_ruleset(r);
    return r;
  });
}

namespace {

constexpr const char* kPublishedColumns =
    "SELECT version, ruleset_hash, calendar_text, note, published_by, published_at, test_summary FROM published_rulesets";

// Reads the rows of `where` (which may bind :version) by version.
std::vector<store::PublishedRuleset> read_published(Connection& conn, const std::string& where, int* version) {
  std::vector<store::PublishedRuleset> out;
  store::PublishedRuleset p;
  long long v = 0;
  soci::statement st(*conn.sql);
  st.exchange(soci::into(v));
  st.exchange(soci::into(p.ruleset_hash));
  st.exchange(soci::into(p.calendar_text));
  st.exchange(soci::into(p.note));
  st.exchange(soci::into(p.published_by));
  st.exchange(soci::into(p.published_at));
  st.exchange(soci::into(p.test_summary));
  if (version) st.exchange(soci::use(*version));
  prepare_statement(st, std::string(kPublishedColumns) + where + " ORDER BY version", false);
  st.execute(false);
  while (st.fetch()) {
    p.version = static_cast<int>(v);
    out.push_back(p);
  }
  return out;
}

}  // namespace

store::PublishedRuleset SociRepository::publish_ruleset(const store::RulesetSources& r, const store::PublishedRuleset& p) {
  store::validate_ruleset(r);
  store::validate_published(r, p);
  return guarded("cannot publish the ruleset", [&] {
    WriteScope w(*this);
    insert_ruleset(r);
    store::PublishedRuleset v = p;
    long long latest = 0;
    soci::indicator ind = soci::i_null;
    *conn_.sql << "SELECT MAX(version) FROM published_rulesets", soci::into(latest, ind);
    v.version = ind == soci::i_ok ? static_cast<int>(latest) + 1 : 1;
    if (v.published_at.empty()) v.published_at = clock_();
    // version is the primary key: a concurrent publisher that read the same MAX fails here (conflict).
    *conn_.sql << "INSERT INTO published_rulesets (version, ruleset_hash, calendar_text, note, published_by, published_at, "
                  "test_summary) VALUES (:version, :hash, :calendar, :note, :who, :at, :tests)",
        soci::use(v.version), soci::use(v.ruleset_hash), soci::use(v.calendar_text), soci::use(v.note),
        soci::use(v.published_by), soci::use(v.published_at), soci::use(v.test_summary);
    w.commit();
    return v;
  });
}

std::vector<store::PublishedRuleset> SociRepository::published_rulesets() {
  return guarded("cannot list the published rule versions", [&] { return read_published(conn_, "", nullptr); });
}

std::optional<store::PublishedRuleset> SociRepository::published_ruleset(std::optional<int> version) {
  return guarded("cannot read a published rule version", [&]() -> std::optional<store::PublishedRuleset> {
    if (version) {
      int v = *version;
      auto rows = read_published(conn_, " WHERE version = :version", &v);
      if (rows.empty()) return std::nullopt;
      return rows.front();
    }
    auto rows = read_published(conn_, " WHERE version = (SELECT MAX(version) FROM published_rulesets)", nullptr);
    if (rows.empty()) return std::nullopt;
    return rows.front();
  });
}

}  // namespace subsidy::soci_store::detail
