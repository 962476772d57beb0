// Timers that fire (docs/cases.md "advance"). See advance.hpp.
#include "service/advance.hpp"

#include <algorithm>

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
    // The page in batches of one unit of work each; a batch that fails is retried case by case, so
    // that one case's problem (or a lost lock) costs only that case.
    auto record = [&](store::CaseId id, AdvanceResult&& r) {
      if (r.skipped_locked) {
        report.skipped.push_back({id, AdvanceSkip::locked});
      } else if (!r.moved) {
        report.skipped.push_back({id, AdvanceSkip::moved});
      } else {
        AdvanceMove m{id, r.c.application_id, r.c.programme, r.from, r.to, r.c.closed, r.released_fen, std::move(r.budget_notes)};
        report.released_fen += m.released_fen;
        report.moved.push_back(std::move(m));
        ++progress.moved;
      }
    };
    auto one = [&](store::CaseId id) {
      try {
        record(id, advance_case(env, id, date));
      } catch (const store::ConflictError&) {
        report.skipped.push_back({id, AdvanceSkip::conflict});
      } catch (const ServiceError& e) {
        report.failed.push_back({id, e.kind(), e.code(), e.what()});
      } catch (const store::NotFoundError& e) {
        report.failed.push_back({id, ErrorKind::not_found, "not_found", e.what()});
      }
    };
    const std::size_t batch = std::max<std::size_t>(1, options.batch);
    for (std::size_t at = 0; at < page.size(); at += batch) {
      std::vector<store::CaseId> ids;
      for (std::size_t i = at; i < std::min(page.size(), at + batch); ++i) ids.push_back(page[i].id);
      bool retry = false;
      try {
        auto results = advance_cases(env, ids, date);
        for (std::size_t i = 0; i < ids.size(); ++i) record(ids[i], std::move(results[i]));
      } catch (const store::ConflictError&) {
        retry = true;
      } catch (const ServiceError&) {
        retry = true;
      } catch (const store::NotFoundError&) {
        retry = true;
      }
      if (retry)
        for (auto id : ids) one(id);
      progress.done += ids.size();
      if (options.progress) options.progress(progress);
    }
    if (options.page == 0 || page.size() < options.page) break;
    due.after_id = page.back().id;
  }
  return report;
}

}  // namespace subsidy::service
