#include "store/case_repository.hpp"

#include <optional>
#include <stdexcept>
#include <string>

namespace subsidy::store {

std::vector<CreateResult> CaseRepository::create_cases_batch(std::span<const NewCase> cases) {
  std::optional<Transaction> tx;
  if (!in_transaction()) tx.emplace(*this);
  std::vector<CreateResult> results;
  results.reserve(cases.size());
  for (const NewCase& n : cases) {
    if (auto existing = find_by_application_id(n.c.application_id)) {
      results.push_back({*existing, false});
    } else {
      results.push_back({create_case(n.c, n.facts), true});
    }
  }
  if (tx) tx->commit();
  return results;
}

std::vector<CreateResult> CaseRepository::create_cases_with_events(std::span<const NewCase> cases,
                                                                  std::span<const Event> first_events) {
  if (cases.size() != first_events.size())
    throw std::invalid_argument("create_cases_with_events: " + std::to_string(cases.size()) + " cases but " +
                                std::to_string(first_events.size()) + " first events");
  std::optional<Transaction> tx;
  if (!in_transaction()) tx.emplace(*this);
  auto results = create_cases_batch(cases);
  for (std::size_t i = 0; i < results.size(); ++i) {
    if (!results[i].created) continue;
    Event e = first_events[i];
    e.case_id = results[i].id;
    append_event(e);
  }
  if (tx) tx->commit();
  return results;
}

std::map<std::string, std::size_t> CaseRepository::count_stages(const CaseFilter& filter) {
  CaseFilter all = filter;
  all.after.reset();
  all.after_id = 0;
  all.limit = 0;
  all.order = CaseOrder::id;
  all.descending = false;
  std::map<std::string, std::size_t> out;
  for (const auto& c : list_cases(all))
    for (const auto& s : c.stages) ++out[s];
  return out;
}

std::vector<Award> CaseRepository::awards_for(std::string_view applicant) {
  AwardFilter f;
  f.applicant = std::string(applicant);
  return list_awards(f);
}

std::map<std::string, std::vector<Award>> CaseRepository::awards_of(std::span<const std::string> applicants) {
  std::map<std::string, std::vector<Award>> out;
  for (const std::string& a : applicants) {
    if (out.count(a)) continue;
    auto awards = awards_for(a);
    if (!awards.empty()) out.emplace(a, std::move(awards));
  }
  return out;
}

}  // namespace subsidy::store
