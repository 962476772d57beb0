// Timers that fire (docs/cases.md "advance"). See advance.hpp.
#include "service/advance.hpp"

namespace subsidy::service {

const char* advance_skip_name(AdvanceSkip s) {
  switch (s) {
    case AdvanceSkip::locked: return "locked";
    case AdvanceSkip::conflict: return "conflict";
    case AdvanceSkip::moved: return "moved";
  }
  return "?";
}

AdvanceReport advance_due(const Env& env, model::Days date, const AdvanceOptions& options) {
  AdvanceReport report;
  report.date = date;
  AdvanceProgress progress;
  store::CaseFilter due;
  due.closed = false;
  due.timer_before = date;
  due.limit = options.page;
  for (;;) {
    const std::vector<store::Case> page = env.repo.list_cases(due);
    report.listed += page.size();
    progress.listed = report.listed;
    for (const store::Case& listed : page) {
      try {
        AdvanceResult r = advance_case(env, listed.id, date);
        if (r.skipped_locked) {
          report.skipped.push_back({listed.id, AdvanceSkip::locked});
        } else if (!r.moved) {
          report.skipped.push_back({listed.id, AdvanceSkip::moved});
        } else {
          AdvanceMove m{listed.id, r.c.application_id, r.c.programme, r.from, r.to, r.c.closed, r.released_fen,
                        std::move(r.budget_notes)};
          report.released_fen += m.released_fen;
          report.moved.push_back(std::move(m));
          ++progress.moved;
        }
      } catch (const store::ConflictError&) {
        report.skipped.push_back({listed.id, AdvanceSkip::conflict});
      } catch (const ServiceError& e) {
        report.failed.push_back({listed.id, e.kind(), e.code(), e.what()});
      } catch (const store::NotFoundError& e) {
        report.failed.push_back({listed.id, ErrorKind::not_found, "not_found", e.what()});
      }
      ++progress.done;
      if (options.progress) options.progress(progress);
    }
    if (options.page == 0 || page.size() < options.page) break;
    due.after_id = page.back().id;
  }
  return report;
}

}  // namespace subsidy::service
