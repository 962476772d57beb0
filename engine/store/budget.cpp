#include "store/budget.hpp"

namespace subsidy::store {

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
