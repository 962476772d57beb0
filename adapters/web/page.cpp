// Rendering the desk's pages (page.hpp).
#include "web/page.hpp"

#include <kainjow/mustache.hpp>

#include <stdexcept>

#include "model/money.hpp"

namespace subsidy::web {

namespace bj = boost::json;
namespace mu = kainjow::mustache;

namespace {

mu::data to_data(const bj::value& v) {
  switch (v.kind()) {
    case bj::kind::null: return mu::data(false);
    case bj::kind::bool_: return mu::data(v.get_bool());
    case bj::kind::int64: return mu::data(std::to_string(v.get_int64()));
    case bj::kind::uint64: return mu::data(std::to_string(v.get_uint64()));
    case bj::kind::double_: return mu::data(bj::serialize(v));
    case bj::kind::string:  // an empty text is a false section (so {{#note}}…{{/note}} hides it) and renders as nothing
      return v.get_string().empty() ? mu::data(false) : mu::data(std::string(v.get_string()));
    case bj::kind::array: {
      mu::data list(mu::data::type::list);
      for (const auto& x : v.get_array()) list.push_back(to_data(x));
      return list;
    }
    case bj::kind::object: {
      mu::data obj(mu::data::type::object);
      for (const auto& kv : v.get_object()) obj.set(std::string(kv.key()), to_data(kv.value()));
      return obj;
    }
  }
  return mu::data(false);
}

struct Text {
  const char* key;
  const char* zh;
  const char* en;
};

// Every text of the pages.
constexpr Text kTexts[] = {
    {"desk", "科技项目审批工作台", "Officer's desk"},
    {"inbox", "待办", "Inbox"},
    {"budgets", "预算", "Budgets"},
    {"audit", "审计", "Audit"},
    {"submit", "录入申报", "Submit an application"},
    {"acting_as", "当前身份", "Acting as"},
    {"switch_role", "切换", "Switch"},
    {"logout", "退出", "Log out"},
    {"other_lang", "English", "中文"},
    {"login", "登录", "Log in"},
    {"user_name", "用户名", "User name"},
    {"password", "密码", "Password"},
    {"clause", "政策条款", "Policy clause"},
    {"back_to_inbox", "返回待办", "Back to the inbox"},
    {"filters", "筛选", "Filters"},
    {"programme", "项目", "Programme"},
    {"stage", "环节", "Stage"},
    {"county", "旗县区", "County"},
    {"applicant", "申报单位", "Applicant"},
    {"search", "查找", "Search"},
    {"search_hint", "申报编号或统一社会信用代码", "application id or USCC"},
    {"overdue_only", "仅超期", "Overdue only"},
    {"closed_only", "仅已办结", "Closed only"},
    {"sort", "排序", "Sort by"},
    {"direction", "顺序", "Order"},
    {"asc", "升序", "ascending"},
    {"desc", "降序", "descending"},
    {"apply_filters", "查询", "Apply"},
    {"all", "全部", "all"},
    {"case", "案件", "Case"},
    {"amount", "金额（元）", "Amount (yuan)"},
    {"due", "办理期限", "Due"},
    {"days_left", "剩余工作日", "Working days left"},
    {"no_cases", "没有符合条件的案件。", "No cases match."},
    {"next_page", "下一页", "Next page"},
    {"sort_due", "期限", "due date"},
    {"sort_days_left", "剩余工作日", "working days left"},
    {"sort_id", "编号", "case number"},
    {"sort_amount", "金额", "amount"},
    {"confirm", "确认", "Confirm"},
    {"confirm_text", "请确认执行", "Please confirm"},
    {"as_role", "身份：", "as"},
    {"note", "意见", "Note"},
    {"reason", "理由", "Reason"},
    {"cancel", "取消", "Cancel"},
    {"year", "年度", "Year"},
    {"show", "显示", "Show"},
    {"total", "总额", "Total"},
    {"reserved", "已预留", "Reserved"},
    {"consumed", "已拨付", "Consumed"},
    {"available", "可用", "Available"},
    {"bar", "使用情况", "Use"},
    {"no_budgets", "没有预算。", "No budgets."},
    {"holding", "占用预算的案件", "Cases holding reservations"},
    {"allocate", "预算分配", "Allocation"},
    {"method", "方法", "Method"},
    {"pro_rata", "按比例", "pro rata"},
    {"ranked", "按排序", "ranked"},
    {"preview", "预览", "Preview"},
    {"applied", "分配已执行。", "The allocation was applied."},
    {"demand", "申请总额", "Demand"},
    {"application", "申报", "Application"},
    {"decided", "核定", "Decided"},
    {"before", "此前", "Before"},
    {"allocated", "分配", "Allocated"},
    {"apply_allocation", "执行分配", "Apply the allocation"},
    {"case_optional", "案件编号（可不填：全部）", "Case number (empty: all)"},
    {"verify", "校验", "Verify"},
    {"audit_clean", "审计链完整，未发现问题。", "The chains are intact: no findings."},
    {"audit_findings", "发现问题：", "Findings:"},
    {"chains", "案件", "cases"},
    {"events", "事件", "events"},
    {"export_history", "导出办理记录（JSON）", "Export the history (JSON)"},
    {"export", "导出", "Export"},
    {"applicant_uscc", "统一社会信用代码", "USCC of the applicant"},
    {"facts", "申报信息", "Facts"},
    {"yes", "是", "yes"},
    {"no", "否", "no"},
    {"submit_button", "提交申报", "Submit"},
    {"upload_json", "粘贴 JSON", "Paste JSON"},
    {"upload_file", "上传 JSON 文件", "Upload a JSON file"},
    {"json_file", "申报信息文件（JSON 对象，不超过 2 MiB）", "Facts file (a JSON object, at most 2 MiB)"},
    {"facts_json", "申报信息（JSON 对象）", "Facts (a JSON object)"},
    {"version", "版本", "version"},
    {"decision", "审核结论", "Decision"},
    {"as_of", "依据日期", "as of"},
    {"with_current_rules", "该结论的规则版本未存档，按当前规则说明。", "The decision's ruleset was not stored: explained with the current rules."},
    {"illustrative_total", "注意：结论含示意金额（政策未正式确定），不可作为最终依据。", "Attention: the decision relies on an illustrative amount (not yet sourced)."},
    {"illustrative_amount", "示意金额：本项目金额依据未正式确定的参数。", "Illustrative amount: this programme's amount relies on a parameter not yet sourced."},
    {"capped", "已封顶", "capped"},
    {"before_caps", "封顶前", "before caps"},
    {"cap", "封顶", "Cap"},
    {"source", "来源", "source"},
    {"formula", "计算公式", "Formula"},
    {"parameter", "参数", "Parameter"},
    {"value", "取值", "Value"},
    {"valid_from", "生效日期", "Valid from"},
    {"status", "状态", "Status"},
    {"limited_by", "受限于", "Limited by"},
    {"no_decision", "尚无结论。", "No decision yet."},
    {"timer", "计时", "Timer"},
    {"ends_on", "截止于", "ends on"},
    {"then", "之后", "then"},
    {"no_timer", "当前环节无计时。", "No period is running."},
    {"joint", "会签", "Joint review"},
    {"policy", "会签规则", "Completion policy"},
    {"no_joint", "当前环节无会签。", "No joint review at this stage."},
    {"actions", "可办理操作", "Actions"},
    {"changed_amount", "核减后金额（元）", "Changed amount (yuan)"},
    {"no_actions", "当前身份在此环节无可办理操作。", "Nothing for your role to do at this stage."},
    {"correct", "补正申报信息", "Correct the facts"},
    {"correct_button", "提交补正", "Submit the correction"},
    {"workflow", "流程图", "Workflow"},
    {"history", "办理记录", "History"},
    {"done", "已办理。", "Done."},
    {"forbidden", "无权操作", "Forbidden"},
    {"not_found", "未找到", "Not found"},
    {"bad_input", "输入有误", "Bad input"},
    {"failed", "操作未完成", "Not done"},
    {"eligible", "符合条件", "eligible"},
    {"refused", "不符合条件", "refused"},
    {"not_in_effect", "未生效", "not in effect"},
    {"error", "无法计算", "error"},
};

}  // namespace

std::string render(std::string_view tmpl, const bj::value& model) {
  mu::mustache m{std::string(tmpl)};
  if (!m.is_valid()) throw std::logic_error("desk template: " + m.error_message());
  return m.render(to_data(model));
}

const bj::object& texts(bool english) {
  static const auto build = [](bool en) {
    bj::object o;
    for (const auto& t : kTexts) o[t.key] = en ? t.en : t.zh;
    return o;
  };
  static const bj::object zh = build(false), en = build(true);
  return english ? en : zh;
}

http::Response secured(http::Response r) {
  r.headers.emplace_back("Content-Security-Policy", std::string(kCsp));
  r.headers.emplace_back("X-Content-Type-Options", "nosniff");
  r.headers.emplace_back("Referrer-Policy", "same-origin");
  return r;
}

http::Response html_response(unsigned status, std::string body) {
  http::Response r;
  r.status = status;
  r.content_type = "text/html; charset=utf-8";
  r.body = std::move(body);
  r.headers.emplace_back("Cache-Control", "no-store");
  return secured(std::move(r));
}

http::Response redirect(std::string location) {
  http::Response r;
  r.status = 303;
  r.content_type = "text/plain; charset=utf-8";
  r.headers.emplace_back("Location", std::move(location));
  return secured(std::move(r));
}

std::string yuan(long long fen) { return model::format_yuan(fen); }

std::string label_text(const model::Label& label, const std::string& name, bool english) {
  const std::string& l = english ? label.en : label.zh;
  return l.empty() ? name : l;
}

std::string labelled(const model::Label& label, const std::string& name, bool english) {
  const std::string& l = english ? label.en : label.zh;
  return l.empty() || l == name ? name : l + " (" + name + ")";
}

}  // namespace subsidy::web
