#include "store/budget.hpp"

namespace subsidy::store {

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
