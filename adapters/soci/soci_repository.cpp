// Unit of work, cases and facts versions.
#include "soci/soci_repository.hpp"

#include <soci/soci.h>

#include <stdexcept>

#include "soci/case_row.hpp"
#include "soci/statements.hpp"

namespace subsidy::soci_store::detail {
namespace {

void finish_prepare(soci::statement& st, const std::string& query) { prepare_statement(st, query, true); }
void finish_read(soci::statement& st, const std::string& query) { prepare_statement(st, query, false); }

}  // namespace

// The columns an insert and an update of a case both write, in the order of both statements'
// placeholders: workflow … payable_fen. (reserved_fen / consumed_fen are moved only by
// reserve/release/consume; applicant is written only by the insert.) kMutableColumns names them
// in that order (the bulk import's multi-row insert, soci_batch.cpp).
const char* const kMutableColumns =
    "workflow, workflow_version, stages, roles, state_json, deadlines, next_due, decision_outcome, "
    "decision_amount_fen, decision_ruleset_hash, decision_as_of, decision_json, timer_due, closed, approved_fen, "
    "allocated_fen, visible_roles, visibility_rules, due_key, payable_fen";
const std::size_t kMutableCount = 20;

void bind_mutable(soci::statement& st, CaseRow& r) {
  st.exchange(soci::use(r.workflow));
  st.exchange(soci::use(r.workflow_version));
  for (auto* s : {&r.stages, &r.roles, &r.state_json, &r.deadlines}) st.exchange(soci::use(*s));
  st.exchange(soci::use(r.next_due, r.next_due_ind));
  st.exchange(soci::use(r.decision_outcome, r.outcome_ind));
  st.exchange(soci::use(r.decision_amount_fen, r.amount_ind));
  st.exchange(soci::use(r.decision_ruleset_hash, r.hash_ind));
  st.exchange(soci::use(r.decision_as_of, r.as_of_ind));
  st.exchange(soci::use(r.decision_json, r.json_ind));
  st.exchange(soci::use(r.timer_due, r.timer_due_ind));
  st.exchange(soci::use(r.closed));
  st.exchange(soci::use(r.approved_fen, r.approved_ind));
  st.exchange(soci::use(r.allocated_fen, r.allocated_ind));
  st.exchange(soci::use(r.visible_roles, r.visible_ind));
  st.exchange(soci::use(r.visibility_rules, r.visibility_ind));
  st.exchange(soci::use(r.due_key));
  st.exchange(soci::use(r.payable_fen));
}

SociRepository::Statements::Statements(Connection& c)
    : insert_case(*c.sql), insert_facts(*c.sql), update_case(*c.sql), insert_event(*c.sql), set_head(*c.sql) {
  {
    CaseRow& r = new_case;
    for (auto* s : {&r.application_id, &r.applicant, &r.programme}) insert_case.exchange(soci::use(*s));
    insert_case.exchange(soci::use(r.call_year));
    bind_mutable(insert_case, r);
    insert_case.exchange(soci::use(r.created_at));
    insert_case.exchange(soci::use(r.updated_at));
    std::string q =
        "INSERT INTO cases (application_id, applicant, programme, call_year, workflow, workflow_version, stages, "
        "roles, state_json, deadlines, next_due, decision_outcome, decision_amount_fen, decision_ruleset_hash, "
        "decision_as_of, decision_json, timer_due, closed, approved_fen, allocated_fen, visible_roles, visibility_rules, due_key, payable_fen, created_at, updated_at, version, facts_version, "
        "event_count, event_head) VALUES (:application_id, :applicant, :programme, :call_year, :workflow, "
        ":workflow_version, :stages, :roles, :state_json, :deadlines, :next_due, :decision_outcome, "
        ":decision_amount_fen, :decision_ruleset_hash, :decision_as_of, :decision_json, :timer_due, :closed, "
        ":approved_fen, :allocated_fen, :visible_roles, :visibility_rules, :due_key, :payable_fen, :created_at, :updated_at, 1, 1, 0, '" +
        std::string(store::kGenesisHash) + "')" + on_conflict_do_nothing(c, "application_id");
    if (c.sql_dialect().insert_returning) {
      q += " RETURNING id";
      insert_case.exchange(soci::into(new_case_id));
    }
    finish_prepare(insert_case, q);
  }
  insert_facts.exchange(soci::use(facts_case));
  insert_facts.exchange(soci::use(facts_version));
  insert_facts.exchange(soci::use(facts_json));
  insert_facts.exchange(soci::use(facts_reason));
  insert_facts.exchange(soci::use(facts_created));
  finish_prepare(insert_facts,
                 "INSERT INTO facts_versions (case_id, version, facts_json, reason, created_at) "
                 "VALUES (:case_id, :version, :facts_json, :reason, :created_at)");
  {
    CaseRow& r = changed;
    bind_mutable(update_case, r);
    update_case.exchange(soci::use(r.updated_at));
    update_case.exchange(soci::use(r.id));
    update_case.exchange(soci::use(expected_version));
    finish_prepare(update_case,
                   "UPDATE cases SET workflow = :workflow, "
                   "workflow_version = :workflow_version, stages = :stages, roles = :roles, state_json = :state_json, "
                   "deadlines = :deadlines, next_due = :next_due, decision_outcome = :decision_outcome, "
                   "decision_amount_fen = :decision_amount_fen, decision_ruleset_hash = :decision_ruleset_hash, "
                   "decision_as_of = :decision_as_of, decision_json = :decision_json, timer_due = :timer_due, "
                   "closed = :closed, approved_fen = :approved_fen, allocated_fen = :allocated_fen, visible_roles = :visible_roles, "
                   "visibility_rules = :visibility_rules, due_key = :due_key, payable_fen = :payable_fen, updated_at = :updated_at, version = version + 1 WHERE id = :id AND version = :expected");
  }
  insert_event.exchange(soci::use(ev_case));
  insert_event.exchange(soci::use(ev_seq));
  for (auto* s : {&ev_actor, &ev_role, &ev_action, &ev_from, &ev_to, &ev_note, &ev_at, &ev_payload, &ev_prev, &ev_hash}) {
    insert_event.exchange(soci::use(*s));
  }
  finish_prepare(insert_event,
                 "INSERT INTO events (case_id, seq, actor, role, action, from_stage, to_stage, note, occurred_at, "
                 "payload_json, prev_hash, hash) VALUES (:case_id, :seq, :actor, :role, :action, :from_stage, "
                 ":to_stage, :note, :occurred_at, :payload_json, :prev_hash, :hash)");
  set_head.exchange(soci::use(head_count));
  set_head.exchange(soci::use(head_hash));
  set_head.exchange(soci::use(head_case));
  finish_prepare(set_head, "UPDATE cases SET event_count = :count, event_head = :head WHERE id = :id");
}

SociRepository::SociRepository(Connection conn, store::Clock clock) : conn_(std::move(conn)), clock_(std::move(clock)) {}

SociRepository::~SociRepository() {
  rollback();
  prepared_.reset();  // statements before the session they belong to
}

SociRepository::Statements& SociRepository::prepared() {
  if (!prepared_) prepared_ = std::make_unique<Statements>(conn_);
  return *prepared_;
}

// ---- unit of work ----

void SociRepository::begin() {
  if (in_tx_) throw std::logic_error("a unit of work is already open on this repository");
  guarded("cannot begin a transaction", [&] { *conn_.sql << conn_.sql_dialect().begin_write; });
  in_tx_ = true;
}

void SociRepository::commit() {
  if (!in_tx_) throw std::logic_error("commit() without begin()");
  guarded("commit failed", [&] { *conn_.sql << "COMMIT"; });
  in_tx_ = false;
}

void SociRepository::rollback() {
  if (!in_tx_) return;
  in_tx_ = false;
  try {
    *conn_.sql << "ROLLBACK";
  } catch (...) {
    // Nothing of the transaction is committed either way: the backend discards it when the
    // connection closes (SQLite also when it aborted the transaction itself after an error).
  }
}

// ---- cases ----

std::optional<store::CaseId> SociRepository::lookup_application(const std::string& application_id) {
  long long id = 0;
  std::string app = application_id;
  *conn_.sql << "SELECT id FROM cases WHERE application_id = :a", soci::into(id), soci::use(app);
  if (!conn_.sql->got_data()) return std::nullopt;
  return id;
}

store::CreateResult SociRepository::insert_case(const store::Case& c, const store::FactsVersion& fv) {
  store::validate_case(c);
  Statements& p = prepared();
  const std::string now = clock_();
  p.new_case.from_case(c);
  p.new_case.created_at = p.new_case.updated_at = now;
  store::CaseId id = 0;
  bool inserted = false;
  if (conn_.sql_dialect().insert_returning) {
    p.insert_case.execute(true);
    inserted = p.insert_case.got_data();
    id = p.new_case_id;
  } else {
    inserted = insert_new(conn_, p.insert_case);
    if (inserted) id = last_insert_id(conn_, "cases");
  }
  if (!inserted) {
    auto existing = lookup_application(c.application_id);
    if (!existing) throw store::ConflictError("application '" + c.application_id + "' was inserted and removed concurrently");
    return {*existing, false};
  }
  p.facts_case = id;
  p.facts_version = 1;
  p.facts_json = fv.facts_json;
  p.facts_reason = fv.reason.empty() ? store::kFactsSubmitted : fv.reason;
  p.facts_created = fv.created_at.empty() ? now : fv.created_at;
  p.insert_facts.execute(true);
  return {id, true};
}

store::CaseId SociRepository::create_case(const store::Case& c, const store::FactsVersion& submitted) {
  return guarded("cannot create the case", [&] {
    WriteScope w(*this);
    const store::CreateResult r = insert_case(c, submitted);
    if (!r.created) throw store::DuplicateApplicationError(c.application_id, r.id);
    w.commit();
    return r.id;
  });
}

std::vector<store::CreateResult> SociRepository::create_cases_batch(std::span<const store::NewCase> cases) {
  return guarded("cannot create the cases", [&] {
    WriteScope w(*this);
    std::vector<store::CreateResult> results;
    results.reserve(cases.size());
    for (const store::NewCase& n : cases) results.push_back(insert_case(n.c, n.facts));
    w.commit();
    return results;
  });
}

std::optional<store::CaseId> SociRepository::find_by_application_id(std::string_view application_id) {
  return guarded("cannot look up the application", [&] { return lookup_application(std::string(application_id)); });
}

store::Case SociRepository::load_case(store::CaseId id) {
  return guarded("cannot load the case", [&] {
    soci::statement st(*conn_.sql);
    CaseRow row;
    row.bind_into(st);
    long long key = id;
    st.exchange(soci::use(key));
    finish_read(st, std::string("SELECT ") + kCaseColumns + " FROM cases WHERE id = :id");
    if (!st.execute(true)) throw store::NotFoundError("no case " + std::to_string(id));
    return row.to_case();
  });
}

std::int64_t SociRepository::update_case(const store::Case& c, std::int64_t expected_version) {
  store::validate_case(c);
  return guarded("cannot update the case", [&] {
    WriteScope w(*this);
    Statements& p = prepared();
    p.changed.from_case(c);
    p.changed.updated_at = clock_();
    p.expected_version = expected_version;
    p.update_case.execute(true);
    if (p.update_case.get_affected_rows() != 1) {
      long long stored = 0;
      long long key = c.id;
      *conn_.sql << "SELECT version FROM cases WHERE id = :id", soci::into(stored), soci::use(key);
      if (!conn_.sql->got_data()) throw store::NotFoundError("no case " + std::to_string(c.id));
      throw store::ConflictError("case " + std::to_string(c.id) + " was changed by someone else (now version " +
                                 std::to_string(stored) + ", expected " + std::to_string(expected_version) +
                                 "); reload it and try again");
    }
    w.commit();
    return expected_version + 1;
  });
}

namespace {

// A CaseFilter as SQL: the WHERE clause, and the values it binds (bind() after build(); they must
// outlive the statement's execution).
struct CaseWhere {
  std::string sql;
  long long after = 0, cursor_key = 0, cursor_id = 0;
  std::string stage, role, programme, due, applicant, timer, vrules, vrules_stale, vrules_county, county, ident, cursor_due;
  int year = 0, closed = 0;
  std::vector<std::string> visible, any_role;
  std::vector<std::pair<std::string, std::string*>> text_binds;  // name → buffer, in build order
  std::vector<std::pair<std::string, long long*>> int_binds;
  bool has_year = false, has_closed = false;

  void text(const std::string& name, std::string& buffer, const std::string& value) {
    buffer = value;
    text_binds.emplace_back(name, &buffer);
  }

  // The SQL of the order key: id, due_key, or the shown amount.
  static std::string key_sql(store::CaseOrder order) {
    switch (order) {
      case store::CaseOrder::due: return "due_key";
      case store::CaseOrder::amount: return "(CASE WHEN consumed_fen > 0 THEN consumed_fen ELSE payable_fen END)";
      case store::CaseOrder::id: break;
    }
    return "id";
  }

  void build(const store::CaseFilter& f, bool paged) {
    sql = " WHERE id > :after";
    after = f.after_id;
    int_binds.emplace_back("after", &after);
    if (f.stage) {
      sql += " AND stages LIKE :stage ESCAPE '!'";
      text("stage", stage, list_member_pattern(*f.stage));
    }
    if (f.role) {
      sql += " AND roles LIKE :role ESCAPE '!'";
      text("role", role, list_member_pattern(*f.role));
    }
    if (f.programme) {
      sql += " AND programme = :programme";
      text("programme", programme, *f.programme);
    }
    if (f.call_year) {
      year = *f.call_year;
      has_year = true;
      sql += " AND call_year = :year";
    }
    if (f.holds_money) sql += " AND (reserved_fen > 0 OR consumed_fen > 0)";
    if (f.overdue_as_of) {
      sql += " AND next_due IS NOT NULL AND next_due < :due";
      text("due", due, model::format_date(*f.overdue_as_of));
    }
    if (f.applicant) {
      sql += " AND applicant = :applicant";
      text("applicant", applicant, *f.applicant);
    }
    if (f.id_or_applicant) {
      sql += " AND (application_id = :ident OR applicant = :ident2)";
      text("ident", ident, *f.id_or_applicant);
      text("ident2", ident, *f.id_or_applicant);
    }
    if (f.closed) {
      closed = *f.closed ? 1 : 0;
      has_closed = true;
      sql += " AND closed = :closed";
    }
    if (f.timer_before) {
      sql += " AND timer_due IS NOT NULL AND timer_due < :timer";
      text("timer", timer, model::format_date(*f.timer_before));
    }
    const char* stale_sql = "visibility_rules IS NULL OR visibility_rules <> ";
    if (f.stale) {
      // stale: `IS NULL OR < h OR > h` rather than `<> h`, so that the index cases_visibility finds them
      sql += *f.stale ? std::string(" AND (visibility_rules IS NULL OR visibility_rules < :vstale OR visibility_rules > :vstale2)")
                      : std::string(" AND visibility_rules = :vstale");
      text("vstale", vrules_stale, f.visible_rules);
      if (*f.stale) text("vstale2", vrules_stale, f.visible_rules);
    }
    visible.reserve(f.visible_any.size() + 2);  // (roles LIKE r OR visible_roles LIKE r …) unless resolved with other rules
    if (!f.visible_any.empty()) {
      sql += std::string(" AND (") + stale_sql + ":vrules";
      text("vrules", vrules, f.visible_rules);
      for (std::size_t i = 0; i < f.visible_any.size(); ++i) {
        visible.push_back(list_member_pattern(f.visible_any[i]));
        const std::string name = "v" + std::to_string(i);
        sql += " OR roles LIKE :" + name + " ESCAPE '!' OR visible_roles LIKE :" + name + "b ESCAPE '!'";
        text_binds.emplace_back(name, &visible.back());
        text_binds.emplace_back(name + "b", &visible.back());
      }
      sql += ")";
    }
    if (!f.county.empty()) {
      county = family_member_pattern(f.county);
      sql += std::string(" AND (") + stale_sql + ":vcounty OR roles LIKE :county ESCAPE '!' OR visible_roles LIKE :countyb ESCAPE '!')";
      text("vcounty", vrules_county, f.visible_rules);
      text_binds.emplace_back("county", &county);
      text_binds.emplace_back("countyb", &county);
    }
    any_role.reserve(f.roles_any.size());
    if (!f.roles_any.empty()) {
      sql += " AND (";
      for (std::size_t i = 0; i < f.roles_any.size(); ++i) {
        any_role.push_back(list_member_pattern(f.roles_any[i]));
        const std::string name = "r" + std::to_string(i);
        sql += (i ? " OR roles LIKE :" : "roles LIKE :") + name + " ESCAPE '!'";
        text_binds.emplace_back(name, &any_role.back());
      }
      sql += ")";
    }
    if (!paged) return;
    const std::string key = key_sql(f.order);
    const char* beyond = f.descending ? " < " : " > ";
    if (f.after) {
      cursor_id = f.after->id;
      int_binds.emplace_back("cid", &cursor_id);
      if (f.order == store::CaseOrder::id) {
        sql += std::string(" AND id") + beyond + ":cid";
      } else {
        sql += " AND (" + key + beyond + ":ck OR (" + key + " = :ck2 AND id" + beyond + ":cid))";
        if (f.order == store::CaseOrder::due) {
          text("ck", cursor_due, model::format_date(static_cast<model::Days>(f.after->key)));
          text("ck2", cursor_due, cursor_due);
        } else {
          cursor_key = f.after->key;
          int_binds.emplace_back("ck", &cursor_key);
          int_binds.emplace_back("ck2", &cursor_key);
        }
      }
    }
    const char* dir = f.descending ? " DESC" : "";
    sql += f.order == store::CaseOrder::id ? std::string(" ORDER BY id") + dir : " ORDER BY " + key + dir + ", id" + dir;
    if (f.limit != 0) sql += " LIMIT " + std::to_string(f.limit);
  }

  void bind(soci::statement& st) {
    for (auto& [name, v] : int_binds) st.exchange(soci::use(*v, name));
    for (auto& [name, v] : text_binds) st.exchange(soci::use(*v, name));
    if (has_year) st.exchange(soci::use(year, "year"));
    if (has_closed) st.exchange(soci::use(closed, "closed"));
  }
};

}  // namespace

std::vector<store::Case> SociRepository::list_cases(const store::CaseFilter& f) {
  return guarded("cannot list cases", [&] {
    soci::statement st(*conn_.sql);
    CaseRow row;
    row.bind_into(st);
    CaseWhere where;
    where.build(f, true);
    where.bind(st);
    finish_read(st, std::string("SELECT ") + kCaseColumns + " FROM cases" + where.sql);
    std::vector<store::Case> out;
    st.execute(false);
    while (st.fetch()) out.push_back(row.to_case());
    return out;
  });
}

std::map<std::string, std::size_t> SociRepository::count_stages(const store::CaseFilter& f) {
  return guarded("cannot count cases", [&] {
    store::CaseFilter all = f;
    all.after_id = 0;
    soci::statement st(*conn_.sql);
    std::string stages;
    long long n = 0;
    st.exchange(soci::into(stages));
    st.exchange(soci::into(n));
    CaseWhere where;
    where.build(all, false);
    where.bind(st);
    finish_read(st, "SELECT stages, COUNT(*) FROM cases" + where.sql + " GROUP BY stages");
    std::map<std::string, std::size_t> out;
    st.execute(false);
    while (st.fetch())
      for (const auto& s : decode_list(stages)) out[s] += static_cast<std::size_t>(n);
    return out;
  });
}

bool SociRepository::lock_case(store::CaseId id) {
  if (!in_tx_) throw std::logic_error("lock_case() outside a unit of work");
  return guarded("cannot lock the case", [&] {
    long long key = id, found = 0;
    *conn_.sql << std::string("SELECT id FROM cases WHERE id = :id") + conn_.sql_dialect().skip_locked,
        soci::into(found), soci::use(key);
    if (conn_.sql->got_data()) return true;
    // Skipped: held by another transaction, or not there at all.
    long long n = 0;
    *conn_.sql << "SELECT count(*) FROM cases WHERE id = :id", soci::into(n), soci::use(key);
    if (n == 0) throw store::NotFoundError("no case " + std::to_string(id));
    return false;
  });
}

// ---- facts versions ----

int SociRepository::add_facts_version(const store::FactsVersion& fv) {
  return guarded("cannot add the facts version", [&] {
    WriteScope w(*this);
    long long key = fv.case_id;
    int version = 0;
    *conn_.sql << std::string("SELECT facts_version FROM cases WHERE id = :id") + conn_.sql_dialect().for_update,
        soci::into(version), soci::use(key);
    if (!conn_.sql->got_data()) throw store::NotFoundError("no case " + std::to_string(fv.case_id));
    ++version;
    *conn_.sql << "UPDATE cases SET facts_version = :v WHERE id = :id", soci::use(version), soci::use(key);
    Statements& p = prepared();
    p.facts_case = fv.case_id;
    p.facts_version = version;
    p.facts_json = fv.facts_json;
    p.facts_reason = fv.reason.empty() ? store::kFactsCorrected : fv.reason;
    p.facts_created = fv.created_at.empty() ? clock_() : fv.created_at;
    p.insert_facts.execute(true);
    w.commit();
    return version;
  });
}

std::vector<store::FactsVersion> SociRepository::facts_versions(store::CaseId id) {
  return guarded("cannot read the facts versions", [&] {
    store::FactsVersion fv;
    long long key = id, case_id = 0;
    soci::statement st(*conn_.sql);
    st.exchange(soci::into(case_id));
    st.exchange(soci::into(fv.version));
    st.exchange(soci::into(fv.facts_json));
    st.exchange(soci::into(fv.reason));
    st.exchange(soci::into(fv.created_at));
    st.exchange(soci::use(key));
    finish_read(st, "SELECT case_id, version, facts_json, reason, created_at FROM facts_versions "
                    "WHERE case_id = :id ORDER BY version");
    std::vector<store::FactsVersion> out;
    st.execute(false);
    while (st.fetch()) {
      fv.case_id = case_id;
      out.push_back(fv);
    }
    return out;
  });
}

}  // namespace subsidy::soci_store::detail
