// Stored rulesets: one rulesets row per hash and its files in ruleset_files, written together.
#include <soci/soci.h>

#include "soci/soci_repository.hpp"

namespace subsidy::soci_store::detail {

void SociRepository::store_ruleset(const store::RulesetSources& r) {
  store::validate_ruleset(r);
  guarded("cannot store the ruleset", [&] {
    WriteScope w(*this);
    std::string hash = r.hash, created = r.created_at.empty() ? clock_() : r.created_at;
    soci::statement insert(*conn_.sql);
    insert.exchange(soci::use(hash));
    insert.exchange(soci::use(created));
    prepare_statement(insert,
                      "INSERT INTO rulesets (hash, created_at) VALUES (:hash, :created_at)" +
                          on_conflict_do_nothing(conn_, "hash"),
                      false);
    if (insert_new(conn_, insert)) {  // stored by nobody before
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

}  // namespace subsidy::soci_store::detail
