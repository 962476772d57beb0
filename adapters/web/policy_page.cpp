// The rules page of policy staff (see policy_page.hpp): versions, the diff, the what-if and the
// publication of a draft, over the same use cases as the rules routes (http/rules_routes.hpp).
#include "web/policy_page.hpp"

#include <boost/json.hpp>

#include <charconv>
#include <string>
#include <vector>

#include "eval/diff.hpp"
#include "http/rules_routes.hpp"
#include "model/date.hpp"
#include "service/errors.hpp"
#include "service/whatif_html.hpp"
#include "web/embedded.hpp"
#include "web/page.hpp"
#include "web/session.hpp"

namespace subsidy::web {

namespace {

namespace bj = boost::json;
using http::Request;
using http::Response;
using service::ErrorKind;
using service::ServiceError;

// The page's own words (the shared texts are the officers' pages').
const bj::object& words(bool en) {
  static const bj::object zh{
      {"heading", "规则版本与草案"}, {"serving", "当前使用的规则集"}, {"versions", "已发布版本"}, {"version", "版本"},
      {"ruleset", "规则集"}, {"published_at", "发布时间"}, {"by", "发布人"}, {"tests", "规则测试"}, {"note", "说明"},
      {"no_versions", "尚无已发布版本。"}, {"published", "已发布版本"}, {"draft", "规则草案"}, {"file", "替换文件"},
      {"new_file", "或新文件"}, {"text", "草案文本（粘贴）"}, {"upload", "或上传 .rules 文件"}, {"whatif", "影响评估"},
      {"as_of", "评估日期"}, {"year", "申报年度"}, {"stage", "案件"}, {"open", "办理中"}, {"all", "全部"}, {"by_fact", "分组"},
      {"population", "或上传申报名单（JSON Lines）"}, {"diff", "查看差异"}, {"run_whatif", "影响评估报告"}, {"publish", "发布…"},
      {"diff_heading", "草案与现行规则的差异"}, {"change", "变化"}, {"kind", "类别"}, {"name", "名称"}, {"base", "现行"},
      {"draft_col", "草案"}, {"no_change", "草案与现行规则相同。"}, {"confirm_heading", "确认发布"},
      {"confirm_text", "发布后服务立即使用此规则。草案文件"}, {"changes", "处变化"}, {"publish_confirm", "确认发布"}, {"cancel", "取消"}};
  static const bj::object en_words{
      {"heading", "Rule versions and drafts"}, {"serving", "Rules in use"}, {"versions", "Published versions"}, {"version", "version"},
      {"ruleset", "ruleset"}, {"published_at", "published at"}, {"by", "by"}, {"tests", "rule tests"}, {"note", "note"},
      {"no_versions", "No version has been published yet."}, {"published", "Published version"}, {"draft", "Draft"},
      {"file", "Replace file"}, {"new_file", "or a new file"}, {"text", "Draft text (paste)"}, {"upload", "or upload a .rules file"},
      {"whatif", "What-if"}, {"as_of", "as of"}, {"year", "call year"}, {"stage", "cases"}, {"open", "open"}, {"all", "all"},
      {"by_fact", "group by"}, {"population", "or upload applicants (JSON Lines)"}, {"diff", "Show the diff"},
      {"run_whatif", "What-if report"}, {"publish", "Publish…"}, {"diff_heading", "What the draft changes"}, {"change", "change"},
      {"kind", "kind"}, {"name", "name"}, {"base", "in force"}, {"draft_col", "draft"}, {"no_change", "The draft is the rules in force."},
      {"confirm_heading", "Confirm publication"}, {"confirm_text", "Once published the service uses these rules at once. Draft file"},
      {"changes", "changes"}, {"publish_confirm", "Publish"}, {"cancel", "Cancel"}};
  return en ? en_words : zh;
}

ServiceError bad_field(const std::string& field, const std::string& message) {
  return ServiceError(ErrorKind::usage, "bad_field", message, {{"field", field}});
}

// The draft of the form: the served rules with the file `path` (or `new_path`) replaced by, or added
// as, the uploaded file or else the pasted text.
struct Draft {
  std::string path, text;
  std::vector<service::InlineFile> files;
};
Draft draft_of(const Visit& v) {
  Draft d;
  d.path = v.form.text("new_path").empty() ? v.form.text("path") : v.form.text("new_path");
  d.text = v.form.text("upload").empty() ? v.form.text("text") : v.form.text("upload");
  if (d.path.empty()) throw bad_field("path", "choose the file the draft replaces, or name a new one");
  if (d.text.find_first_not_of(" \t\r\n") == std::string::npos) throw bad_field("text", "paste the draft's text, or upload its file");
  bool replaced = false;
  for (const auto& f : v.rules->sources()) {
    if (f.path == d.path) {
      d.files.push_back({f.path, d.text});
      replaced = true;
    } else {
      d.files.push_back({f.path, f.text});
    }
  }
  if (!replaced) d.files.push_back({d.path, d.text});
  return d;
}

std::string contract_text(const eval::ContractChange& c) {
  std::string s = std::string(c.breaking ? "⚠ " : "") + c.fact + ": " + c.what;
  if (!c.base.empty() || !c.draft.empty()) s += " (" + (c.base.empty() ? "-" : c.base) + " → " + (c.draft.empty() ? "-" : c.draft) + ")";
  if (!c.required_by.empty()) s += ", " + c.required_by;
  return s;
}

bj::object diff_model(const eval::RulesDiff& d) {
  bj::array changes, contract;
  for (const auto& i : d.items)
    changes.push_back(bj::object{{"change", eval::change_name(i.change)}, {"kind", i.kind}, {"name", i.name}, {"what", i.what},
                                 {"base", i.base}, {"draft", i.draft}, {"base_at", i.base_at}, {"draft_at", i.draft_at}});
  for (const auto& c : d.contract) contract.push_back(bj::object{{"text", contract_text(c)}});
  const bool any = !changes.empty();
  return bj::object{{"changes", std::move(changes)}, {"has_changes", any}, {"contract", std::move(contract)}};
}

// The page: versions, the form (keeping what was sent), and the diff or the confirmation when given.
Response rules_page(Visit& v, const Draft* draft, const bj::object* diff, bool confirm) {
  service::require_policy(v.who);
  bj::object m = model_of(v);
  m["r"] = words(v.english);
  m["serving"] = v.rules->hash();
  const auto all = v.repo.published_rulesets();
  bj::array versions;
  for (const auto& p : all)
    versions.push_back(bj::object{{"version", p.version}, {"hash", p.ruleset_hash.substr(0, 12)}, {"published_at", p.published_at},
                                  {"published_by", p.published_by}, {"test_summary", p.test_summary}, {"note", p.note},
                                  {"current", &p == &all.back()}});
  m["has_versions"] = !versions.empty();
  m["versions"] = std::move(versions);
  const std::string chosen = draft ? draft->path : "";
  bj::array files;
  for (const auto& f : v.rules->sources()) files.push_back(bj::object{{"path", f.path}, {"selected", f.path == chosen}});
  m["files"] = std::move(files);
  if (draft) {
    m["text"] = draft->text;
    m["path"] = draft->path;
    if (!v.form.text("new_path").empty()) m["new_path"] = draft->path;
  }
  m["as_of"] = v.form.text("as_of").empty() ? model::format_date(v.today) : v.form.text("as_of");
  m["year"] = v.form.text("year");
  m["by"] = v.form.text("by");
  m["note"] = v.form.text("note");
  const std::string published = v.query.text("published");
  if (!published.empty() && published.find_first_not_of("0123456789") == std::string::npos) m["published"] = published;
  if (diff) {
    m["diff"] = *diff;
    if (confirm) {
      m["confirm"] = true;
      m["changes"] = diff->at("changes").as_array().size();
    }
  }
  return frame(v, std::string(words(v.english).at("heading").as_string()), render(embedded::rules_page(), m));
}

bj::object draft_diff(const Visit& v, const Draft& d) {
  auto draft = service::compile_inline(d.files, v.rules->calendar(), v.rules->codec()).prepared;
  return diff_model(eval::diff_rulesets(v.rules->ruleset(), draft->ruleset()));
}

Response diff(Visit& v) {
  service::require_policy(v.who);
  const Draft d = draft_of(v);
  const auto m = draft_diff(v, d);
  return rules_page(v, &d, &m, false);
}

Response whatif(Visit& v) {
  service::require_policy(v.who);
  const Draft d = draft_of(v);
  http::WhatIfRequest w;
  w.files = d.files;
  if (!v.form.text("population").empty()) {
    w.population = v.form.text("population");
  } else {
    service::CaseScope scope;
    scope.all_stages = v.form.text("stage") == "all";
    if (const std::string y = v.form.text("year"); !y.empty()) {
      int year = 0;
      auto [end, ec] = std::from_chars(y.data(), y.data() + y.size(), year);
      if (ec != std::errc() || end != y.data() + y.size() || year < 1900 || year > 9999)
        throw bad_field("year", "the call year is a year such as 2025, not `" + y + "`");
      scope.year = year;
    }
    w.cases = scope;
  }
  w.as_of = v.today;
  if (const std::string a = v.form.text("as_of"); !a.empty()) {
    auto day = model::parse_date(a);
    if (!day) throw bad_field("as_of", "the evaluation date is YYYY-MM-DD, not `" + a + "`");
    w.as_of = *day;
  }
  w.by = v.form.text("by");
  w.english = v.english;
  const auto out = http::run_whatif(v.services, &v.repo, w);
  return http::report_page(service::whatif_html(out.report, &out.diff, v.english));
}

Response publish(Visit& v) {
  service::require_policy(v.who);
  const Draft d = draft_of(v);
  if (v.form.text("confirm") != "1") {
    const auto m = draft_diff(v, d);
    return rules_page(v, &d, &m, true);
  }
  const auto res = http::publish_inline(v.services, v.repo, d.files, v.form.text("note"), v.who.user.name, v.today);
  return redirect("/desk/rules?published=" + std::to_string(res.published.version));
}

}  // namespace

void add_policy_page_routes(http::Router& router, const http::Services& services) {
  const http::Services* s = &services;
  router.add("GET", "/desk/rules", [s](Request& req) { return with_visit(*s, req, false, [](Visit& v) { return rules_page(v, nullptr, nullptr, false); }); });
  router.add("POST", "/desk/rules/diff", [s](Request& req) { return with_visit(*s, req, true, diff); });
  router.add("POST", "/desk/rules/whatif", [s](Request& req) { return with_visit(*s, req, true, whatif); });
  router.add("POST", "/desk/rules/publish", [s](Request& req) { return with_visit(*s, req, true, publish); });
}

}  // namespace subsidy::web
