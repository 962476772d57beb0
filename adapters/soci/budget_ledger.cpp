#include "soci/budget_ledger.hpp"

#include <soci/soci.h>

#include <map>
#include <optional>
#include <set>
#include <utility>

namespace subsidy::soci_store::detail {
namespace {

constexpr const char* kLedgerColumns =
    "programme, year, seq, actor, action, total_fen, note, occurred_at, payload_json, prev_hash, hash";

// Output buffers for kLedgerColumns.
struct LedgerRow {
  long long seq = 0, total = 0;
  store::BudgetEvent e;
  void bind_into(soci::statement& st) {
    st.exchange(soci::into(e.programme));
    st.exchange(soci::into(e.year));
    st.exchange(soci::into(seq));
    st.exchange(soci::into(e.actor));
    st.exchange(soci::into(e.action));
    st.exchange(soci::into(total));
    for (auto* s : {&e.note, &e.at, &e.payload_json, &e.prev_hash, &e.hash}) st.exchange(soci::into(*s));
  }
  const store::BudgetEvent& get() {
    e.seq = seq;
    e.total_fen = total;
    return e;
  }
};

}  // namespace

store::BudgetEvent append_budget_ledger(Connection& c, const store::BudgetEvent& e, const std::string& now) {
  std::string programme = e.programme, head;
  int year = e.year;
  long long total = 0, count = 0;
  *c.sql << std::string("SELECT total_fen, event_count, event_head FROM budgets WHERE programme = :p AND year = :y") +
                c.sql_dialect().for_update,
      soci::into(total), soci::into(count), soci::into(head), soci::use(programme), soci::use(year);
  if (!c.sql->got_data()) throw store::NotFoundError("no budget " + store::budget_name(e.programme, e.year));
  store::BudgetEvent stored = e;
  stored.seq = count + 1;
  stored.prev_hash = head;
  stored.total_fen = total;
  if (stored.at.empty()) stored.at = now;
  stored.hash = store::budget_event_hash(stored, c.hash);
  long long seq = stored.seq, total_after = stored.total_fen;
  *c.sql << std::string("INSERT INTO budget_events (") + kLedgerColumns +
                ") VALUES (:programme, :year, :seq, :actor, :action, :total_fen, :note, :occurred_at, :payload_json, "
                ":prev_hash, :hash)",
      soci::use(stored.programme), soci::use(stored.year), soci::use(seq), soci::use(stored.actor),
      soci::use(stored.action), soci::use(total_after), soci::use(stored.note), soci::use(stored.at),
      soci::use(stored.payload_json), soci::use(stored.prev_hash), soci::use(stored.hash);
  *c.sql << "UPDATE budgets SET event_count = :count, event_head = :head WHERE programme = :p AND year = :y",
      soci::use(seq), soci::use(stored.hash), soci::use(programme), soci::use(year);
  return stored;
}

std::vector<store::BudgetEvent> read_budget_ledger(Connection& c, const std::string& programme, int year) {
  soci::statement st(*c.sql);
  LedgerRow row;
  row.bind_into(st);
  std::string p = programme;
  int y = year;
  st.exchange(soci::use(p));
  st.exchange(soci::use(y));
  prepare_statement(st,
                    std::string("SELECT ") + kLedgerColumns +
                        " FROM budget_events WHERE programme = :p AND year = :y ORDER BY seq",
                    false);
  std::vector<store::BudgetEvent> out;
  st.execute(false);
  while (st.fetch()) out.push_back(row.get());
  return out;
}

void verify_budget_ledgers(Connection& c, store::AuditReport& report) {
  using Key = std::pair<std::string, int>;
  struct Row {
    model::Fen total = 0;
    store::ChainHead head;
  };
  std::map<Key, Row> rows;
  {
    soci::statement st(*c.sql);
    std::string programme, hash;
    int year = 0;
    long long total = 0, count = 0;
    st.exchange(soci::into(programme));
    st.exchange(soci::into(year));
    st.exchange(soci::into(total));
    st.exchange(soci::into(count));
    st.exchange(soci::into(hash));
    prepare_statement(st, "SELECT programme, year, total_fen, event_count, event_head FROM budgets", false);
    st.execute(false);
    while (st.fetch()) rows[{programme, year}] = Row{total, store::ChainHead{count, hash}};
  }
  std::map<Key, std::vector<store::BudgetEvent>> ledgers;
  {
    soci::statement st(*c.sql);
    LedgerRow row;
    row.bind_into(st);
    prepare_statement(st, std::string("SELECT ") + kLedgerColumns + " FROM budget_events ORDER BY programme, year, seq",
                      false);
    st.execute(false);
    while (st.fetch()) {
      const store::BudgetEvent& e = row.get();
      ledgers[{e.programme, e.year}].push_back(e);
    }
  }
  std::set<Key> keys;
  for (const auto& [key, r] : rows) keys.insert(key);
  for (const auto& [key, events] : ledgers) keys.insert(key);
  static const std::vector<store::BudgetEvent> kNone;
  for (const Key& key : keys) {
    const auto r = rows.find(key);
    const auto l = ledgers.find(key);
    const std::vector<store::BudgetEvent>& events = l == ledgers.end() ? kNone : l->second;
    ++report.budgets;
    report.budget_events += static_cast<std::int64_t>(events.size());
    if (r != rows.end()) {
      store::verify_budget_chain(key.first, key.second, events, r->second.head, r->second.total, report.findings, c.hash);
    } else {  // the budget row was deleted, and its head with it: check the chain as far as it goes
      const store::ChainHead head{events.back().seq, events.back().hash};
      store::verify_budget_chain(key.first, key.second, events, head, std::nullopt, report.findings, c.hash);
    }
  }
}

void start_budget_ledgers(Connection& c, const std::string& now) {
  std::vector<std::pair<std::string, int>> budgets;
  {
    soci::statement st(*c.sql);
    std::string programme;
    int year = 0;
    st.exchange(soci::into(programme));
    st.exchange(soci::into(year));
    prepare_statement(st, "SELECT programme, year FROM budgets WHERE event_count = 0 ORDER BY programme, year", false);
    st.execute(false);
    while (st.fetch()) budgets.emplace_back(programme, year);
  }
  for (const auto& [programme, year] : budgets) {
    store::BudgetEvent e;
    e.programme = programme;
    e.year = year;
    e.actor = "migration";
    e.action = store::kBudgetSet;
    e.note = "ledger started by migration 004 with the total the budget had";
    append_budget_ledger(c, e, now);
  }
}

}  // namespace subsidy::soci_store::detail
