#include "store/budget.hpp"

#include <stdexcept>

namespace subsidy::store {

void require_actor(std::string_view actor, const char* what) {
  if (actor.find_first_not_of(" \t\r\n") == std::string_view::npos) {
    throw std::invalid_argument(std::string(what) + " needs an actor: who makes the change");
  }
}

void require_budget_event(const BudgetEvent& e) {
  require_actor(e.actor, "a budget event");
  if (e.action.find_first_not_of(" \t\r\n") == std::string::npos) throw std::invalid_argument("a budget event needs an action");
  if (e.action == kBudgetSet) {
    throw std::invalid_argument("a `set` event of a budget is written only by set_budget, with the new total");
  }
}

bool matches(const AwardFilter& f, const Award& a) {
  return (!f.applicant || a.applicant == *f.applicant) && (!f.programme || a.programme == *f.programme) &&
         (!f.year || a.year == *f.year);
}

std::string budget_name(const std::string& programme, int year) { return programme + "/" + std::to_string(year); }

ConflictError held_too_little(CaseId id, const std::string& programme, int year, const char* verb, model::Fen amount,
                              model::Fen held) {
  return ConflictError(std::string("cannot ") + verb + " " + model::format_yuan(amount) + " yuan of " +
                       budget_name(programme, year) + " for case " + std::to_string(id) + ": the case holds " +
                       model::format_yuan(held) + " yuan");
}

AwardHistory summarise_awards(std::span<const Award> awards, int year) {
  AwardHistory h;
  for (const Award& a : awards) {
    h.programmes.insert(a.programme);
    if (a.achievement && !a.achievement->empty()) h.achievements.insert(*a.achievement);
    if (a.year == year) {
      h.paid_in_year[a.programme] += a.amount_fen;
      h.total_in_year += a.amount_fen;
    }
  }
  return h;
}

}  // namespace subsidy::store
