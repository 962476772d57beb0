// The event chain: appending (head read under the case row's lock) and verification (of the
// budgets' ledgers too).
#include <soci/soci.h>

#include <algorithm>
#include <cstdint>
#include <map>
#include <vector>

#include "soci/budget_ledger.hpp"
#include "soci/soci_repository.hpp"
#include "soci/statements.hpp"

namespace subsidy::soci_store::detail {
namespace {

// Cases whose events verify_audit reads with one statement.
constexpr std::size_t kCasesPerPage = 256;

constexpr const char* kEventColumns =
    "case_id, seq, actor, role, action, from_stage, to_stage, note, occurred_at, payload_json, prev_hash, hash";

// Output buffers for kEventColumns.
struct EventRow {
  long long case_id = 0, seq = 0;
  store::Event e;
  void bind_into(soci::statement& st) {
    st.exchange(soci::into(case_id));
    st.exchange(soci::into(seq));
    for (auto* s : {&e.actor, &e.role, &e.action, &e.from_stage, &e.to_stage, &e.note, &e.at, &e.payload_json,
                    &e.prev_hash, &e.hash}) {
      st.exchange(soci::into(*s));
    }
  }
  const store::Event& get() {
    e.case_id = case_id;
    e.seq = seq;
    return e;
  }
};

}  // namespace

store::Event SociRepository::append_event(const store::Event& e) {
  return guarded("cannot append the event", [&] {
    WriteScope w(*this);
    long long key = e.case_id, count = 0;
    std::string head;
    *conn_.sql << std::string("SELECT event_count, event_head FROM cases WHERE id = :id") +
                      conn_.sql_dialect().for_update,
        soci::into(count), soci::into(head), soci::use(key);
    if (!conn_.sql->got_data()) throw store::NotFoundError("no case " + std::to_string(e.case_id));
    store::Event stored = e;
    stored.seq = count + 1;
    stored.prev_hash = head;
    if (stored.at.empty()) stored.at = clock_();
    stored.hash = store::event_hash(stored, conn_.hash);

    Statements& p = prepared();
    p.ev_case = stored.case_id;
    p.ev_seq = stored.seq;
    p.ev_actor = stored.actor;
    p.ev_role = stored.role;
    p.ev_action = stored.action;
    p.ev_from = stored.from_stage;
    p.ev_to = stored.to_stage;
    p.ev_note = stored.note;
    p.ev_at = stored.at;
    p.ev_payload = stored.payload_json;
    p.ev_prev = stored.prev_hash;
    p.ev_hash = stored.hash;
    p.insert_event.execute(true);
    p.head_case = stored.case_id;
    p.head_count = stored.seq;
    p.head_hash = stored.hash;
    p.set_head.execute(true);
    w.commit();
    return stored;
  });
}

std::vector<store::Event> SociRepository::events(store::CaseId id) {
  return guarded("cannot read the events", [&] {
    soci::statement st(*conn_.sql);
    EventRow row;
    row.bind_into(st);
    long long key = id;
    st.exchange(soci::use(key));
    prepare_statement(st, std::string("SELECT ") + kEventColumns + " FROM events WHERE case_id = :id ORDER BY seq",
                      false);
    std::vector<store::Event> out;
    st.execute(false);
    while (st.fetch()) out.push_back(row.get());
    return out;
  });
}

store::AuditReport SociRepository::verify_audit(std::optional<store::CaseId> only) {
  return guarded("cannot verify the audit chains", [&] {
    // One snapshot for the heads and the events (a read transaction unless a unit of work is open).
    const bool own = !in_tx_;
    if (own) begin_snapshot(conn_);
    struct EndRead {
      SociRepository& r;
      bool own;
      ~EndRead() {
        if (own) {
          try {
            *r.conn_.sql << "ROLLBACK";
          } catch (...) {
          }
        }
      }
    } end_read{*this, own};

    long long key = only.value_or(0);
    const std::string where_case = only ? " WHERE id = :id" : "";
    const std::string where_event = only ? " WHERE case_id = :id" : "";

    std::map<store::CaseId, store::ChainHead> heads;
    {
      soci::statement st(*conn_.sql);
      long long id = 0, count = 0;
      std::string hash;
      st.exchange(soci::into(id));
      st.exchange(soci::into(count));
      st.exchange(soci::into(hash));
      if (only) st.exchange(soci::use(key));
      prepare_statement(st, "SELECT id, event_count, event_head FROM cases" + where_case + " ORDER BY id", false);
      st.execute(false);
      while (st.fetch()) heads[id] = store::ChainHead{count, hash};
    }
    if (only && heads.empty()) throw store::NotFoundError("no case " + std::to_string(*only));

    store::AuditReport report;
    report.cases = static_cast<std::int64_t>(heads.size());
    // Events stream in (case, seq) order; each case's chain is checked once all its events are in.
    // Heads are consumed in id order, so cases without events are checked too, and findings come
    // out ordered by case.
    std::vector<store::Event> chain;
    auto cases_without_events_before = [&](store::CaseId limit) {
      while (!heads.empty() && heads.begin()->first < limit) {
        store::verify_chain(heads.begin()->first, {}, heads.begin()->second, report.findings, conn_.hash);
        heads.erase(heads.begin());
      }
    };
    auto finish_case = [&] {
      if (chain.empty()) return;
      const store::CaseId id = chain.front().case_id;
      cases_without_events_before(id);
      if (auto it = heads.find(id); it != heads.end()) {
        store::verify_chain(id, chain, it->second, report.findings, conn_.hash);
        heads.erase(it);
      } else {  // only possible when rows were written around the repository
        for (const store::Event& e : chain) {
          report.findings.push_back({id, e.seq, store::FindingKind::altered,
                                     "event belongs to case " + std::to_string(id) + ", which does not exist", {}});
        }
      }
      chain.clear();
    };
    // The events are read in pages of kCasesPerPage cases (keyset on case_id, from the heads), so
    // that no result set holds the whole table: SOCI's PostgreSQL and MySQL backends buffer a
    // statement's every row on the client (330 MiB at 300,000 events). The pages' ranges join up
    // (the first has no lower bound, the last no upper one), so an event whose case does not exist
    // is read too. All pages are in the one snapshot above.
    std::vector<store::CaseId> ids;
    ids.reserve(heads.size());
    for (const auto& [id, h] : heads) ids.push_back(id);
    auto read_events = [&](const std::string& where, std::vector<long long> keys) {
      soci::statement st(*conn_.sql);
      EventRow row;
      row.bind_into(st);
      for (long long& k : keys) st.exchange(soci::use(k));
      prepare_statement(st, std::string("SELECT ") + kEventColumns + " FROM events" + where + " ORDER BY case_id, seq", false);
      st.execute(false);
      while (st.fetch()) {
        const store::Event& e = row.get();
        if (!chain.empty() && e.case_id != chain.front().case_id) finish_case();
        chain.push_back(e);
        ++report.events;
      }
    };
    if (only) {
      read_events(where_event, {key});
    } else if (ids.empty()) {
      read_events("", {});
    } else {
      for (std::size_t first = 0; first < ids.size(); first += kCasesPerPage) {
        const std::size_t last = std::min(ids.size(), first + kCasesPerPage) - 1;
        const bool is_first = first == 0, is_last = last + 1 == ids.size();
        std::string where;
        std::vector<long long> keys;
        if (!is_first) {
          where = " WHERE case_id > :after";
          keys.push_back(ids[first - 1]);
        }
        if (!is_last) {
          where += is_first ? " WHERE case_id <= :upto" : " AND case_id <= :upto";
          keys.push_back(ids[last]);
        }
        read_events(where, std::move(keys));
      }
    }
    finish_case();
    cases_without_events_before(INT64_MAX);
    if (!only) verify_budget_ledgers(conn_, report);
    return report;
  });
}

}  // namespace subsidy::soci_store::detail
