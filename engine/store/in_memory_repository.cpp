#include "store/in_memory_repository.hpp"

#include <algorithm>
#include <set>
#include <stdexcept>

namespace subsidy::store {
namespace {

void require_positive(model::Fen amount) {
  if (amount <= 0) throw std::invalid_argument("a budget amount must be positive");
}

// A case can release or pay out only what it holds itself.
void require_held(const Case& c, model::Fen amount, const char* verb) {
  if (amount > c.reserved_fen) throw held_too_little(c.id, c.programme, c.call_year, verb, amount, c.reserved_fen);
}

}  // namespace

InMemoryRepository::InMemoryRepository(std::shared_ptr<InMemoryDatabase> db, Clock clock,
                                       std::chrono::milliseconds lock_timeout)
    : db_(std::move(db)), clock_(std::move(clock)), lock_timeout_(lock_timeout), tx_lock_(db_->mutex, std::defer_lock) {}

InMemoryRepository::~InMemoryRepository() { rollback(); }

std::unique_lock<std::timed_mutex> InMemoryRepository::guard() {
  if (in_transaction()) return {};
  std::unique_lock<std::timed_mutex> lock(db_->mutex, std::defer_lock);
  if (!lock.try_lock_for(lock_timeout_)) throw UnavailableError("in-memory database is locked by another unit of work");
  return lock;
}

void InMemoryRepository::begin() {
  if (in_transaction()) throw std::logic_error("a unit of work is already open on this repository");
  if (!tx_lock_.try_lock_for(lock_timeout_)) {
    throw UnavailableError("in-memory database is locked by another unit of work");
  }
  snapshot_ = st();
}

void InMemoryRepository::commit() {
  if (!in_transaction()) throw std::logic_error("commit() without begin()");
  snapshot_.reset();
  tx_lock_.unlock();
}

void InMemoryRepository::rollback() {
  if (!in_transaction()) return;
  st() = std::move(*snapshot_);
  snapshot_.reset();
  tx_lock_.unlock();
}

CaseId InMemoryRepository::create_case(const Case& c, const FactsVersion& submitted) {
  validate_case(c);
  auto lock = guard();
  auto& s = st();
  if (auto it = s.by_application.find(c.application_id); it != s.by_application.end()) {
    throw DuplicateApplicationError(c.application_id, it->second);
  }
  const CaseId id = s.next_case_id++;
  const std::string now = clock_();
  InMemoryState::StoredCase stored{c, {}};
  stored.c.id = id;
  if (stored.c.applicant.empty()) stored.c.applicant = c.application_id;
  stored.c.reserved_fen = stored.c.consumed_fen = 0;
  stored.c.version = 1;
  stored.c.facts_version = 1;
  stored.c.created_at = stored.c.updated_at = now;
  s.cases.emplace(id, std::move(stored));
  s.by_application.emplace(c.application_id, id);
  FactsVersion fv = submitted;
  fv.case_id = id;
  fv.version = 1;
  if (fv.reason.empty()) fv.reason = kFactsSubmitted;
  if (fv.created_at.empty()) fv.created_at = now;
  s.facts[id].push_back(std::move(fv));
  return id;
}

std::optional<CaseId> InMemoryRepository::find_by_application_id(std::string_view application_id) {
  auto lock = guard();
  auto& s = st();
  if (auto it = s.by_application.find(application_id); it != s.by_application.end()) return it->second;
  return std::nullopt;
}

Case InMemoryRepository::load_case(CaseId id) {
  auto lock = guard();
  auto it = st().cases.find(id);
  if (it == st().cases.end()) throw NotFoundError("no case " + std::to_string(id));
  return it->second.c;
}

std::int64_t InMemoryRepository::update_case(const Case& c, std::int64_t expected_version) {
  validate_case(c);
  auto lock = guard();
  auto it = st().cases.find(c.id);
  if (it == st().cases.end()) throw NotFoundError("no case " + std::to_string(c.id));
  Case& stored = it->second.c;
  if (stored.version != expected_version) {
    throw ConflictError("case " + std::to_string(c.id) + " was changed by someone else (now version " +
                        std::to_string(stored.version) + ", expected " + std::to_string(expected_version) +
                        "); reload it and try again");
  }
  Case next = c;
  next.application_id = stored.application_id;
  next.applicant = stored.applicant;
  next.programme = stored.programme;
  next.call_year = stored.call_year;
  next.created_at = stored.created_at;
  next.facts_version = stored.facts_version;
  next.reserved_fen = stored.reserved_fen;
  next.consumed_fen = stored.consumed_fen;
  next.version = expected_version + 1;
  next.updated_at = clock_();
  stored = std::move(next);
  return stored.version;
}

std::vector<Case> InMemoryRepository::list_cases(const CaseFilter& filter) {
  auto lock = guard();
  std::vector<Case> out;
  const bool by_id = filter.order == CaseOrder::id && !filter.descending;
  for (auto it = st().cases.upper_bound(filter.after_id); it != st().cases.end(); ++it) {
    if (!matches(filter, it->second.c)) continue;
    out.push_back(it->second.c);
    if (by_id && filter.limit != 0 && out.size() >= filter.limit) break;
  }
  if (by_id) return out;
  auto position = [&](const Case& c) { return std::pair(order_key(c, filter.order), c.id); };
  std::sort(out.begin(), out.end(), [&](const Case& a, const Case& b) {
    return filter.descending ? position(a) > position(b) : position(a) < position(b);
  });
  if (filter.limit != 0 && out.size() > filter.limit) out.resize(filter.limit);
  return out;
}

bool InMemoryRepository::lock_case(CaseId id) {
  if (!in_transaction()) throw std::logic_error("lock_case() outside a unit of work");
  case_or_throw(id);  // the unit of work holds the database lock: nobody else can hold the case
  return true;
}

int InMemoryRepository::add_facts_version(const FactsVersion& fv) {
  auto lock = guard();
  auto it = st().cases.find(fv.case_id);
  if (it == st().cases.end()) throw NotFoundError("no case " + std::to_string(fv.case_id));
  FactsVersion stored = fv;
  stored.version = ++it->second.c.facts_version;
  if (stored.reason.empty()) stored.reason = kFactsCorrected;
  if (stored.created_at.empty()) stored.created_at = clock_();
  st().facts[fv.case_id].push_back(std::move(stored));
  return it->second.c.facts_version;
}

std::vector<FactsVersion> InMemoryRepository::facts_versions(CaseId id) {
  auto lock = guard();
  if (auto it = st().facts.find(id); it != st().facts.end()) return it->second;
  return {};
}

Event InMemoryRepository::append_event(const Event& e) {
  auto lock = guard();
  auto it = st().cases.find(e.case_id);
  if (it == st().cases.end()) throw NotFoundError("no case " + std::to_string(e.case_id));
  ChainHead& head = it->second.head;
  Event stored = e;
  stored.seq = head.count + 1;
  stored.prev_hash = head.hash;
  if (stored.at.empty()) stored.at = clock_();
  stored.hash = event_hash(stored, db_->hash);
  head.count = stored.seq;
  head.hash = stored.hash;
  st().events[e.case_id].push_back(stored);
  return stored;
}

std::vector<Event> InMemoryRepository::events(CaseId id) {
  auto lock = guard();
  if (auto it = st().events.find(id); it != st().events.end()) {
    std::vector<Event> out = it->second;
    std::stable_sort(out.begin(), out.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
    return out;
  }
  return {};
}

AuditReport InMemoryRepository::verify_audit(std::optional<CaseId> only) {
  auto lock = guard();
  AuditReport report;
  for (const auto& [id, stored] : st().cases) {
    if (only && id != *only) continue;
    std::vector<Event> chain;
    if (auto it = st().events.find(id); it != st().events.end()) chain = it->second;
    std::stable_sort(chain.begin(), chain.end(), [](const Event& a, const Event& b) { return a.seq < b.seq; });
    ++report.cases;
    report.events += static_cast<std::int64_t>(chain.size());
    verify_chain(id, chain, stored.head, report.findings, db_->hash);
  }
  if (only && report.cases == 0) throw NotFoundError("no case " + std::to_string(*only));
  if (only) return report;
  std::set<std::pair<std::string, int>> keys;
  for (const auto& [key, b] : st().budgets) keys.insert(key);
  for (const auto& [key, ledger] : st().ledgers) keys.insert(key);
  for (const auto& key : keys) {
    std::vector<BudgetEvent> chain;
    ChainHead head;
    if (auto it = st().ledgers.find(key); it != st().ledgers.end()) {
      chain = it->second.events;
      head = it->second.head;
    }
    std::stable_sort(chain.begin(), chain.end(), [](const BudgetEvent& a, const BudgetEvent& b) { return a.seq < b.seq; });
    std::optional<model::Fen> total;
    if (auto it = st().budgets.find(key); it != st().budgets.end()) total = it->second.total_fen;
    ++report.budgets;
    report.budget_events += static_cast<std::int64_t>(chain.size());
    verify_budget_chain(key.first, key.second, chain, head, total, report.findings, db_->hash);
  }
  return report;
}

Budget& InMemoryRepository::budget_or_throw(const std::string& programme, int year) {
  auto it = st().budgets.find({programme, year});
  if (it == st().budgets.end()) throw NotFoundError("no budget " + budget_name(programme, year));
  return it->second;
}

BudgetEvent InMemoryRepository::append_ledger(const BudgetEvent& e, const Budget& b) {
  InMemoryState::StoredLedger& ledger = st().ledgers[{b.programme, b.year}];
  BudgetEvent stored = e;
  stored.programme = b.programme;
  stored.year = b.year;
  stored.seq = ledger.head.count + 1;
  stored.prev_hash = ledger.head.hash;
  stored.total_fen = b.total_fen;
  if (stored.at.empty()) stored.at = clock_();
  stored.hash = budget_event_hash(stored, db_->hash);
  ledger.head = {stored.seq, stored.hash};
  ledger.events.push_back(stored);
  return stored;
}

Budget InMemoryRepository::set_budget(const std::string& programme, int year, model::Fen total,
                                      const std::string& actor, const std::string& note) {
  if (total < 0) throw std::invalid_argument("a budget total cannot be negative");
  require_actor(actor, "setting a budget");
  auto lock = guard();
  auto [it, inserted] = st().budgets.try_emplace({programme, year}, Budget{programme, year, total, 0, 0});
  Budget& b = it->second;
  if (!inserted) {
    const model::Fen committed = b.reserved_fen + b.consumed_fen;
    if (committed > total) {
      throw BudgetExceededError(programme, year, committed, total,
                                "cannot set the total of " + budget_name(programme, year) + " to " +
                                    model::format_yuan(total) + " yuan: " + model::format_yuan(committed) +
                                    " yuan are already reserved or consumed");
    }
    b.total_fen = total;
  }
  BudgetEvent set;
  set.actor = actor;
  set.action = kBudgetSet;
  set.note = note;
  append_ledger(set, b);
  return b;
}

BudgetEvent InMemoryRepository::append_budget_event(const BudgetEvent& e) {
  require_budget_event(e);
  auto lock = guard();
  return append_ledger(e, budget_or_throw(e.programme, e.year));
}

std::vector<BudgetEvent> InMemoryRepository::budget_history(const std::string& programme, int year) {
  auto lock = guard();
  auto it = st().ledgers.find({programme, year});
  if (it == st().ledgers.end()) return {};
  std::vector<BudgetEvent> out = it->second.events;
  std::stable_sort(out.begin(), out.end(), [](const BudgetEvent& a, const BudgetEvent& b) { return a.seq < b.seq; });
  return out;
}

std::optional<Budget> InMemoryRepository::get_budget(const std::string& programme, int year) {
  auto lock = guard();
  if (auto it = st().budgets.find({programme, year}); it != st().budgets.end()) return it->second;
  return std::nullopt;
}

std::vector<Budget> InMemoryRepository::list_budgets() {
  auto lock = guard();
  std::vector<Budget> out;
  for (const auto& [key, b] : st().budgets) out.push_back(b);
  return out;
}

Case& InMemoryRepository::case_or_throw(CaseId id) {
  auto it = st().cases.find(id);
  if (it == st().cases.end()) throw NotFoundError("no case " + std::to_string(id));
  return it->second.c;
}

Budget InMemoryRepository::reserve(CaseId id, model::Fen amount) {
  require_positive(amount);
  auto lock = guard();
  Case& c = case_or_throw(id);
  Budget& b = budget_or_throw(c.programme, c.call_year);
  if (amount > b.available_fen()) throw BudgetExceededError(c.programme, c.call_year, amount, b.available_fen());
  b.reserved_fen += amount;
  c.reserved_fen += amount;
  return b;
}

Budget InMemoryRepository::release(CaseId id, model::Fen amount) {
  require_positive(amount);
  auto lock = guard();
  Case& c = case_or_throw(id);
  Budget& b = budget_or_throw(c.programme, c.call_year);
  require_held(c, amount, "release");
  b.reserved_fen -= amount;
  c.reserved_fen -= amount;
  return b;
}

Budget InMemoryRepository::consume(CaseId id, model::Fen amount) {
  require_positive(amount);
  auto lock = guard();
  Case& c = case_or_throw(id);
  Budget& b = budget_or_throw(c.programme, c.call_year);
  require_held(c, amount, "disburse");
  b.reserved_fen -= amount;
  b.consumed_fen += amount;
  c.reserved_fen -= amount;
  c.consumed_fen += amount;
  return b;
}

std::int64_t InMemoryRepository::record_award(const Award& a) {
  auto lock = guard();
  if (a.case_id) {
    if (st().cases.find(*a.case_id) == st().cases.end()) throw NotFoundError("no case " + std::to_string(*a.case_id));
    for (const Award& x : st().awards) {
      if (x.case_id == a.case_id) {
        throw ConflictError("case " + std::to_string(*a.case_id) + " already has a recorded award (award " +
                            std::to_string(x.id) + ")");
      }
    }
  }
  Award stored = a;
  stored.id = st().next_award_id++;
  if (stored.disbursed_at.empty()) stored.disbursed_at = clock_();
  st().awards.push_back(std::move(stored));
  return st().awards.back().id;
}

std::vector<Award> InMemoryRepository::list_awards(const AwardFilter& filter) {
  auto lock = guard();
  std::vector<Award> out;
  for (const Award& a : st().awards) {
    if (matches(filter, a)) out.push_back(a);
  }
  std::stable_sort(out.begin(), out.end(), [](const Award& x, const Award& y) {
    return x.year != y.year ? x.year < y.year : x.id < y.id;
  });
  return out;
}

void InMemoryRepository::store_ruleset(const RulesetSources& r) {
  validate_ruleset(r);
  auto lock = guard();
  if (st().rulesets.find(r.hash) != st().rulesets.end()) return;
  RulesetSources stored = r;
  if (stored.created_at.empty()) stored.created_at = clock_();
  st().rulesets.emplace(stored.hash, std::move(stored));
}

std::optional<RulesetSources> InMemoryRepository::load_ruleset(std::string_view hash) {
  auto lock = guard();
  auto it = st().rulesets.find(hash);
  if (it == st().rulesets.end()) return std::nullopt;
  check_stored_ruleset(it->second);
  return it->second;
}

PublishedRuleset InMemoryRepository::publish_ruleset(const RulesetSources& r, const PublishedRuleset& p) {
  validate_ruleset(r);
  validate_published(r, p);
  auto lock = guard();
  if (st().rulesets.find(r.hash) == st().rulesets.end()) {
    RulesetSources stored = r;
    if (stored.created_at.empty()) stored.created_at = clock_();
    st().rulesets.emplace(stored.hash, std::move(stored));
  }
  PublishedRuleset v = p;
  v.version = st().published.empty() ? 1 : st().published.back().version + 1;
  if (v.published_at.empty()) v.published_at = clock_();
  st().published.push_back(v);
  return v;
}

std::vector<PublishedRuleset> InMemoryRepository::published_rulesets() {
  auto lock = guard();
  return st().published;
}

std::optional<PublishedRuleset> InMemoryRepository::published_ruleset(std::optional<int> version) {
  auto lock = guard();
  const auto& all = st().published;
  if (all.empty()) return std::nullopt;
  if (!version) return all.back();
  for (const auto& v : all)
    if (v.version == *version) return v;
  return std::nullopt;
}

}  // namespace subsidy::store

namespace subsidy::store {

UserId InMemoryRepository::add_user(const User& u) {
  if (u.name.empty()) throw std::invalid_argument("a user needs a name");
  auto lock = guard();
  auto& s = st();
  for (const auto& [id, existing] : s.users)
    if (existing.name == u.name) throw ConflictError("user `" + u.name + "` already exists");
  User stored = u;
  stored.id = s.next_user_id++;
  if (stored.created_at.empty()) stored.created_at = clock_();
  s.users.emplace(stored.id, stored);
  return stored.id;
}

std::optional<User> InMemoryRepository::find_user(std::string_view name) {
  auto lock = guard();
  for (const auto& [id, u] : st().users)
    if (u.name == name) return u;
  return std::nullopt;
}

std::optional<User> InMemoryRepository::load_user(UserId id) {
  auto lock = guard();
  auto it = st().users.find(id);
  if (it == st().users.end()) return std::nullopt;
  return it->second;
}

std::vector<User> InMemoryRepository::list_users() {
  auto lock = guard();
  std::vector<User> out;
  for (const auto& [id, u] : st().users) out.push_back(u);
  std::sort(out.begin(), out.end(), [](const User& a, const User& b) { return a.name < b.name; });
  return out;
}

bool InMemoryRepository::grant_role(const RoleGrant& g) {
  auto lock = guard();
  if (!st().users.count(g.user)) throw NotFoundError("no user " + std::to_string(g.user));
  RoleGrant stored = g;
  if (stored.at.empty()) stored.at = clock_();
  return st().grants.emplace(std::make_pair(g.user, g.role), std::move(stored)).second;
}

bool InMemoryRepository::revoke_role(UserId user, std::string_view role) {
  auto lock = guard();
  return st().grants.erase(std::make_pair(user, std::string(role))) == 1;
}

std::vector<RoleGrant> InMemoryRepository::roles_of(UserId user) {
  auto lock = guard();
  std::vector<RoleGrant> out;
  for (const auto& [key, g] : st().grants)
    if (key.first == user) out.push_back(g);
  return out;
}

TokenId InMemoryRepository::add_token(const ApiToken& t) {
  auto lock = guard();
  auto& s = st();
  if (!s.users.count(t.user)) throw NotFoundError("no user " + std::to_string(t.user));
  for (const auto& [id, existing] : s.tokens)
    if (existing.token_hash == t.token_hash) throw ConflictError("the token hash is already stored");
  ApiToken stored = t;
  stored.id = s.next_token_id++;
  if (stored.created_at.empty()) stored.created_at = clock_();
  s.tokens.emplace(stored.id, stored);
  return stored.id;
}

std::optional<ApiToken> InMemoryRepository::find_token(std::string_view token_hash) {
  auto lock = guard();
  for (const auto& [id, t] : st().tokens)
    if (t.token_hash == token_hash) return t;
  return std::nullopt;
}

bool InMemoryRepository::revoke_token(TokenId id) {
  auto lock = guard();
  auto it = st().tokens.find(id);
  if (it == st().tokens.end() || it->second.revoked) return false;
  it->second.revoked = true;
  return true;
}

std::vector<ApiToken> InMemoryRepository::tokens_of(UserId user) {
  auto lock = guard();
  std::vector<ApiToken> out;
  for (const auto& [id, t] : st().tokens)
    if (t.user == user) out.push_back(t);
  return out;
}

}  // namespace subsidy::store
