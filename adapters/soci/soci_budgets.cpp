// Budgets (guarded single-statement UPDATEs: the database refuses an over-commit, whatever the
// number of processes), their ledger (soci/budget_ledger.hpp) and awards.
#include <soci/soci.h>

#include <algorithm>
#include <map>
#include <stdexcept>
#include <utility>

#include "soci/budget_ledger.hpp"
#include "soci/soci_repository.hpp"

namespace subsidy::soci_store::detail {
namespace {

// Executes a one-off statement with the given use() elements; returns the affected row count.
template <class... Uses>
long long execute_update(soci::session& sql, const std::string& query, Uses&&... uses) {
  soci::statement st(sql);
  (st.exchange(std::forward<Uses>(uses)), ...);
  prepare_statement(st, query, false);
  st.execute(true);
  return st.get_affected_rows();
}

void require_positive(model::Fen amount) {
  if (amount <= 0) throw std::invalid_argument("a budget amount must be positive");
}

}  // namespace

std::optional<store::Budget> SociRepository::read_budget(const std::string& programme, int year) {
  store::Budget b{programme, year, 0, 0, 0};
  long long total = 0, reserved = 0, consumed = 0;
  std::string p = programme;
  int y = year;
  *conn_.sql << "SELECT total_fen, reserved_fen, consumed_fen FROM budgets WHERE programme = :p AND year = :y",
      soci::into(total), soci::into(reserved), soci::into(consumed), soci::use(p), soci::use(y);
  if (!conn_.sql->got_data()) return std::nullopt;
  b.total_fen = total;
  b.reserved_fen = reserved;
  b.consumed_fen = consumed;
  return b;
}

store::Budget SociRepository::read_budget_or_throw(const std::string& programme, int year) {
  auto b = read_budget(programme, year);
  if (!b) throw store::NotFoundError("no budget " + store::budget_name(programme, year));
  return *b;
}

store::Budget SociRepository::set_budget(const std::string& programme, int year, model::Fen total,
                                         const std::string& actor, const std::string& note) {
  if (total < 0) throw std::invalid_argument("a budget total cannot be negative");
  store::require_actor(actor, "setting a budget");
  return guarded("cannot set the budget", [&] {
    WriteScope w(*this);
    long long t1 = total, t2 = total;
    std::string p = programme, now = clock_();
    int y = year;
    for (int attempt = 0; attempt < 2; ++attempt) {
      if (execute_update(*conn_.sql,
                         "UPDATE budgets SET total_fen = :t, updated_at = :now WHERE programme = :p AND year = :y "
                         "AND reserved_fen + consumed_fen <= :t2",
                         soci::use(t1), soci::use(now), soci::use(p), soci::use(y), soci::use(t2)) == 1) {
        break;
      }
      if (auto b = read_budget(programme, year)) {
        const model::Fen committed = b->reserved_fen + b->consumed_fen;
        throw store::BudgetExceededError(programme, year, committed, total,
                                         "cannot set the total of " + store::budget_name(programme, year) + " to " +
                                             model::format_yuan(total) + " yuan: " + model::format_yuan(committed) +
                                             " yuan are already reserved or consumed");
      }
      soci::statement insert(*conn_.sql);
      insert.exchange(soci::use(p));
      insert.exchange(soci::use(y));
      insert.exchange(soci::use(t1));
      insert.exchange(soci::use(now));
      prepare_statement(insert,
                        "INSERT INTO budgets (programme, year, total_fen, reserved_fen, consumed_fen, updated_at) "
                        "VALUES (:p, :y, :t, 0, 0, :now)" + on_conflict_do_nothing(conn_, "programme, year"),
                        false);
      if (insert_new(conn_, insert)) break;
      // Inserted concurrently by someone else: update that row instead.
    }
    store::BudgetEvent set;
    set.programme = programme;
    set.year = year;
    set.actor = actor;
    set.action = store::kBudgetSet;
    set.note = note;
    append_budget_ledger(conn_, set, now);
    store::Budget b = read_budget_or_throw(programme, year);
    w.commit();
    return b;
  });
}

store::BudgetEvent SociRepository::append_budget_event(const store::BudgetEvent& e) {
  store::require_budget_event(e);
  return guarded("cannot append the budget event", [&] {
    WriteScope w(*this);
    store::BudgetEvent stored = append_budget_ledger(conn_, e, clock_());
    w.commit();
    return stored;
  });
}

std::vector<store::BudgetEvent> SociRepository::budget_history(const std::string& programme, int year) {
  return guarded("cannot read the budget's history", [&] { return read_budget_ledger(conn_, programme, year); });
}

std::optional<store::Budget> SociRepository::get_budget(const std::string& programme, int year) {
  return guarded("cannot read the budget", [&] { return read_budget(programme, year); });
}

std::vector<store::Budget> SociRepository::list_budgets() {
  return guarded("cannot list the budgets", [&] {
    soci::statement st(*conn_.sql);
    store::Budget b;
    long long total = 0, reserved = 0, consumed = 0;
    st.exchange(soci::into(b.programme));
    st.exchange(soci::into(b.year));
    st.exchange(soci::into(total));
    st.exchange(soci::into(reserved));
    st.exchange(soci::into(consumed));
    prepare_statement(st,
                      "SELECT programme, year, total_fen, reserved_fen, consumed_fen FROM budgets "
                      "ORDER BY programme, year",
                      false);
    std::vector<store::Budget> out;
    st.execute(false);
    while (st.fetch()) {
      b.total_fen = total;
      b.reserved_fen = reserved;
      b.consumed_fen = consumed;
      out.push_back(b);
    }
    return out;
  });
}

SociRepository::CaseHolding SociRepository::read_holding(store::CaseId id) {
  CaseHolding h;
  long long key = id, reserved = 0;
  *conn_.sql << "SELECT programme, call_year, reserved_fen FROM cases WHERE id = :id", soci::into(h.programme),
      soci::into(h.year), soci::into(reserved), soci::use(key);
  if (!conn_.sql->got_data()) throw store::NotFoundError("no case " + std::to_string(id));
  h.reserved_fen = reserved;
  return h;
}

// The budget row is written before the case row (every unit of work that moves money locks the
// budget first, then cases), each UPDATE guarded so that neither can go negative or over the total.
store::Budget SociRepository::move_reservation(store::CaseId id, model::Fen amount, Movement m) {
  require_positive(amount);
  static constexpr const char* what[] = {"cannot reserve from the budget", "cannot release the reservation",
                                         "cannot disburse from the budget"};
  return guarded(what[static_cast<int>(m)], [&] {
    WriteScope w(*this);
    const CaseHolding h = read_holding(id);
    const std::string name = store::budget_name(h.programme, h.year);
    static constexpr const char* verb[] = {"reserve", "release", "disburse"};
    auto held_too_little = [&](model::Fen held) {
      return store::held_too_little(id, h.programme, h.year, verb[static_cast<int>(m)], amount, held);
    };
    if (m != Movement::reserve && h.reserved_fen < amount) throw held_too_little(h.reserved_fen);
    long long a1 = amount, a2 = amount, a3 = amount, key = id;
    std::string p = h.programme, now = clock_();
    int y = h.year;
    long long rows = 0;
    switch (m) {
      case Movement::reserve:  // written so nothing can overflow: total − reserved − consumed is never negative
        rows = execute_update(*conn_.sql,
                              "UPDATE budgets SET reserved_fen = reserved_fen + :a, updated_at = :now "
                              "WHERE programme = :p AND year = :y AND :a2 <= total_fen - reserved_fen - consumed_fen",
                              soci::use(a1), soci::use(now), soci::use(p), soci::use(y), soci::use(a2));
        break;
      case Movement::release:
        rows = execute_update(*conn_.sql,
                              "UPDATE budgets SET reserved_fen = reserved_fen - :a, updated_at = :now "
                              "WHERE programme = :p AND year = :y AND reserved_fen >= :a2",
                              soci::use(a1), soci::use(now), soci::use(p), soci::use(y), soci::use(a2));
        break;
      case Movement::consume:
        rows = execute_update(*conn_.sql,
                              "UPDATE budgets SET reserved_fen = reserved_fen - :a, consumed_fen = consumed_fen + :a2, "
                              "updated_at = :now WHERE programme = :p AND year = :y AND reserved_fen >= :a3",
                              soci::use(a1), soci::use(a2), soci::use(now), soci::use(p), soci::use(y), soci::use(a3));
        break;
    }
    store::Budget b = read_budget_or_throw(h.programme, h.year);
    if (rows != 1) {
      if (m == Movement::reserve) throw store::BudgetExceededError(h.programme, h.year, amount, b.available_fen());
      throw store::CorruptError("budget " + name + " reserves " + model::format_yuan(b.reserved_fen) + " yuan, less than case " +
                                std::to_string(id) + " holds (" + model::format_yuan(h.reserved_fen) + " yuan)");
    }
    switch (m) {
      case Movement::reserve:
        rows = execute_update(*conn_.sql, "UPDATE cases SET reserved_fen = reserved_fen + :a WHERE id = :id", soci::use(a1),
                              soci::use(key));
        break;
      case Movement::release:
        rows = execute_update(*conn_.sql,
                              "UPDATE cases SET reserved_fen = reserved_fen - :a WHERE id = :id AND reserved_fen >= :a2",
                              soci::use(a1), soci::use(key), soci::use(a2));
        break;
      case Movement::consume:
        rows = execute_update(*conn_.sql,
                              "UPDATE cases SET reserved_fen = reserved_fen - :a, consumed_fen = consumed_fen + :a2 "
                              "WHERE id = :id AND reserved_fen >= :a3",
                              soci::use(a1), soci::use(a2), soci::use(key), soci::use(a3));
        break;
    }
    if (rows != 1) throw held_too_little(read_holding(id).reserved_fen);  // changed concurrently: roll back
    w.commit();
    return b;
  });
}

store::Budget SociRepository::reserve(store::CaseId id, model::Fen amount) { return move_reservation(id, amount, Movement::reserve); }
store::Budget SociRepository::release(store::CaseId id, model::Fen amount) { return move_reservation(id, amount, Movement::release); }
store::Budget SociRepository::consume(store::CaseId id, model::Fen amount) { return move_reservation(id, amount, Movement::consume); }

// ---- awards ----

std::int64_t SociRepository::record_award(const store::Award& a) {
  return guarded("cannot record the award", [&] {
    WriteScope w(*this);
    long long case_id = a.case_id.value_or(0);
    const soci::indicator case_ind = a.case_id ? soci::i_ok : soci::i_null;
    if (a.case_id) {
      long long found = 0;
      *conn_.sql << "SELECT id FROM cases WHERE id = :id", soci::into(found), soci::use(case_id);
      if (!conn_.sql->got_data()) throw store::NotFoundError("no case " + std::to_string(*a.case_id));
      *conn_.sql << "SELECT id FROM awards WHERE case_id = :id", soci::into(found), soci::use(case_id);
      if (conn_.sql->got_data()) {
        throw store::ConflictError("case " + std::to_string(*a.case_id) + " already has a recorded award (award " +
                                   std::to_string(found) + ")");
      }
    }
    std::string applicant = a.applicant, programme = a.programme, achievement = a.achievement.value_or("");
    const soci::indicator achievement_ind = a.achievement ? soci::i_ok : soci::i_null;
    std::string disbursed = a.disbursed_at.empty() ? clock_() : a.disbursed_at;
    int year = a.year;
    long long amount = a.amount_fen, id = 0;
    std::string q =
        "INSERT INTO awards (applicant, programme, year, amount_fen, achievement, case_id, disbursed_at) "
        "VALUES (:applicant, :programme, :year, :amount, :achievement, :case_id, :disbursed_at)";
    soci::indicator ai = achievement_ind, ci = case_ind;
    if (conn_.sql_dialect().insert_returning) {
      *conn_.sql << q + " RETURNING id", soci::use(applicant), soci::use(programme), soci::use(year),
          soci::use(amount), soci::use(achievement, ai), soci::use(case_id, ci), soci::use(disbursed), soci::into(id);
    } else {
      *conn_.sql << q, soci::use(applicant), soci::use(programme), soci::use(year), soci::use(amount),
          soci::use(achievement, ai), soci::use(case_id, ci), soci::use(disbursed);
      id = last_insert_id(conn_, "awards");
    }
    w.commit();
    return static_cast<std::int64_t>(id);
  });
}

namespace {

// The awards `where` selects (its inputs exchanged into `st` by `bind` first), by year, id.
template <class Bind>
std::vector<store::Award> select_awards(soci::session& sql, const std::string& where, Bind&& bind) {
  soci::statement st(sql);
  bind(st);
  store::Award a;
  long long id = 0, amount = 0, case_id = 0;
  std::string achievement;
  soci::indicator achievement_ind = soci::i_null, case_ind = soci::i_null;
  st.exchange(soci::into(id));
  st.exchange(soci::into(a.applicant));
  st.exchange(soci::into(a.programme));
  st.exchange(soci::into(a.year));
  st.exchange(soci::into(amount));
  st.exchange(soci::into(achievement, achievement_ind));
  st.exchange(soci::into(case_id, case_ind));
  st.exchange(soci::into(a.disbursed_at));
  prepare_statement(st,
                    "SELECT id, applicant, programme, year, amount_fen, achievement, case_id, disbursed_at FROM awards WHERE " +
                        where + " ORDER BY year, id",
                    false);
  std::vector<store::Award> out;
  st.execute(false);
  while (st.fetch()) {
    a.id = id;
    a.amount_fen = amount;
    a.achievement = achievement_ind == soci::i_ok ? std::optional<std::string>(achievement) : std::nullopt;
    a.case_id = case_ind == soci::i_ok ? std::optional<store::CaseId>(case_id) : std::nullopt;
    out.push_back(a);
  }
  return out;
}

}  // namespace

std::vector<store::Award> SociRepository::list_awards(const store::AwardFilter& f) {
  return guarded("cannot read the awards", [&] {
    std::string where = "1 = 1";
    std::string applicant = f.applicant.value_or(""), programme = f.programme.value_or("");
    int year = f.year.value_or(0);
    if (f.applicant) where += " AND applicant = :applicant";
    if (f.programme) where += " AND programme = :programme";
    if (f.year) where += " AND year = :year";
    return select_awards(*conn_.sql, where, [&](soci::statement& st) {
      if (f.applicant) st.exchange(soci::use(applicant, "applicant"));
      if (f.programme) st.exchange(soci::use(programme, "programme"));
      if (f.year) st.exchange(soci::use(year, "year"));
    });
  });
}

std::map<std::string, std::vector<store::Award>> SociRepository::awards_of(std::span<const std::string> applicants) {
  return guarded("cannot read the awards", [&] {
    std::vector<std::string> keys(applicants.begin(), applicants.end());
    std::sort(keys.begin(), keys.end());
    keys.erase(std::unique(keys.begin(), keys.end()), keys.end());
    std::map<std::string, std::vector<store::Award>> out;
    constexpr std::size_t kPerStatement = 100;
    for (std::size_t from = 0; from < keys.size(); from += kPerStatement) {
      const std::size_t m = std::min(kPerStatement, keys.size() - from);
      std::string where = "applicant IN (";
      for (std::size_t i = 0; i < m; ++i) where += (i ? ", :v" : ":v") + std::to_string(i);
      where += ')';
      auto awards = select_awards(*conn_.sql, where, [&](soci::statement& st) {
        for (std::size_t i = 0; i < m; ++i) st.exchange(soci::use(keys[from + i]));
      });
      for (auto& a : awards) out[a.applicant].push_back(std::move(a));
    }
    return out;
  });
}

}  // namespace subsidy::soci_store::detail
