// The what-if report as one self-contained HTML page (`rules whatif --html FILE`): CSS in the file,
// charts as inline SVG drawn here, no script and no external resource; every value escaped.
#include <algorithm>
#include <string>

#include "service/whatif_html.hpp"

#include "workflow/render.hpp"

namespace subsidy::service {

namespace {

// Every value of the page goes through this (the workflow picture's escaping, one for HTML and SVG).
std::string esc(std::string_view s) { return workflow::xml_escape(s); }
std::string yuan(model::Fen f) { return esc(model::format_yuan(f)); }
std::string signed_yuan(model::Fen f) { return (f > 0 ? "+" : "") + yuan(f); }
std::string num(std::int64_t n) { return std::to_string(n); }
std::string signed_num(std::int64_t n) { return (n > 0 ? "+" : "") + std::to_string(n); }
std::string human(model::Fen f) { return esc(model::format_money_human(f)); }
std::string px(double v) {
  char b[32];
  std::snprintf(b, sizeof b, "%.1f", v);
  return b;
}
const char* delta_class(std::int64_t d) { return d > 0 ? "up" : d < 0 ? "down" : "flat"; }

struct Words {
  const char *title, *base, *draft, *delta, *records, *changed, *as_of, *programme, *eligible, *amount, *bands, *band, *count,
      *group, *applicants, *budgets, *budget, *demand, *over, *ok, *why, *id, *none, *chart_bars, *chart_waterfall,
      *chart_bands, *contract, *total, *undecodable, *sample_note, *outcome, *diff;
};
const Words kZh{"规则草案影响评估", "现行规则", "草案", "变化", "评估对象", "发生变化", "评估日期", "项目", "符合条件数", "金额",
                "增减分布", "类别", "数量", "分组", "申报数", "年度预算", "预算", "需求", "超出预算", "未超出", "变化原因",
                "申报编号", "无", "各项目金额（现行 / 草案）", "总额变化（瀑布图）", "增减分布（申报数）",
                "输入契约变化（对接系统须调整）", "合计", "无法解析的记录", "仅列出前若干条变化；完整清单请用 --all",
                "结果", "规则结构变化"};
const Words kEn{"What-if report of a rule draft", "base", "draft", "change", "evaluated", "changed", "as of", "programme",
                "eligible", "amount", "gainers and losers", "band", "count", "group", "applicants", "budgets", "budget",
                "demand", "over budget", "within budget", "why", "id", "none", "amount per programme (base / draft)",
                "change of the total (waterfall)", "distribution of changes (applicants)",
                "input contract change (integrators must adapt)", "total", "undecodable records",
                "the first changed applicants only; all of them with --all", "outcome", "structural changes"};

const char* kCss = R"(
body{font-family:"Noto Sans CJK SC","Microsoft YaHei","PingFang SC",sans-serif;margin:2em auto;max-width:1100px;color:#222;padding:0 1em}
h1{font-size:1.6em;border-bottom:3px solid #b22;padding-bottom:.3em}h2{font-size:1.2em;margin-top:1.8em;color:#333}
.cards{display:flex;gap:1em;flex-wrap:wrap}.card{border:1px solid #ccc;border-radius:6px;padding:.7em 1.2em;min-width:180px}
.card b{display:block;font-size:1.4em;margin-top:.2em}
table{border-collapse:collapse;width:100%;margin:.5em 0;font-size:.92em}th,td{border:1px solid #ddd;padding:.3em .5em;text-align:left}
th{background:#f3f3f3}td.n{text-align:right;font-variant-numeric:tabular-nums;white-space:nowrap}
.up{color:#1a7f37}.down{color:#c62828}.flat{color:#666}tr.over td{background:#fde8e8}
.warn{background:#fff7e0;border-left:4px solid #e0a000;padding:.5em 1em}.meta{color:#666;font-size:.9em}
svg text{font-size:12px;font-family:inherit}
)";

// Horizontal bars: base and draft amount per programme.
std::string bars_chart(const WhatIfReport& r, const Words& w) {
  model::Fen max = 1;
  for (const auto& t : r.programmes) max = std::max({max, t.base_amount, t.draft_amount});
  const double label_w = 130, bar_w = 560, row_h = 34;
  const double h = 30 + row_h * static_cast<double>(r.programmes.size());
  std::string s = "<svg class=\"chart\" id=\"chart-programmes\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" width=\"860\" height=\"" +
                  px(h) + "\" viewBox=\"0 0 860 " + px(h) + "\"><title>" + esc(w.chart_bars) + "</title>";
  s += "<rect x=\"" + px(label_w) + "\" y=\"4\" width=\"12\" height=\"10\" fill=\"#9aa7b8\"/><text x=\"" + px(label_w + 16) + "\" y=\"13\">" +
       esc(w.base) + "</text><rect x=\"" + px(label_w + 90) + "\" y=\"4\" width=\"12\" height=\"10\" fill=\"#b22\"/><text x=\"" +
       px(label_w + 106) + "\" y=\"13\">" + esc(w.draft) + "</text>";
  double y = 26;
  for (const auto& t : r.programmes) {
    const double wb = bar_w * static_cast<double>(t.base_amount) / static_cast<double>(max);
    const double wd = bar_w * static_cast<double>(t.draft_amount) / static_cast<double>(max);
    s += "<text x=\"0\" y=\"" + px(y + 17) + "\">" + esc(t.id) + "</text>";
    s += "<rect class=\"bar-base\" x=\"" + px(label_w) + "\" y=\"" + px(y) + "\" width=\"" + px(wb) + "\" height=\"12\" fill=\"#9aa7b8\"/>";
    s += "<rect class=\"bar-draft\" x=\"" + px(label_w) + "\" y=\"" + px(y + 14) + "\" width=\"" + px(wd) + "\" height=\"12\" fill=\"#b22\"/>";
    s += "<text x=\"" + px(label_w + std::max(wb, wd) + 6) + "\" y=\"" + px(y + 22) + "\">" + human(t.base_amount) + " → " +
         human(t.draft_amount) + "</text>";
    y += row_h;
  }
  return s + "</svg>";
}

// Waterfall: the base total, each programme's change, the draft total.
std::string waterfall_chart(const WhatIfReport& r, const Words& w) {
  std::vector<const ProgrammeTotals*> moved;
  for (const auto& t : r.programmes)
    if (t.draft_amount != t.base_amount) moved.push_back(&t);
  const std::size_t n = moved.size() + 2;
  const double col = std::min(90.0, 780.0 / static_cast<double>(n)), top = 20, plot_h = 220;
  model::Fen hi = std::max(r.base_total, r.draft_total), lo = 0, run = r.base_total;
  for (auto* t : moved) {
    run += t->draft_amount - t->base_amount;
    hi = std::max(hi, run);
    lo = std::min(lo, run);
  }
  const double span = static_cast<double>(std::max<model::Fen>(1, hi - lo));
  auto yof = [&](model::Fen v) { return top + plot_h * (1.0 - static_cast<double>(v - lo) / span); };
  const double width = 60 + col * static_cast<double>(n);
  std::string s = "<svg class=\"chart\" id=\"chart-waterfall\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" width=\"" + px(width) +
                  "\" height=\"290\" viewBox=\"0 0 " + px(width) + " 290\"><title>" + esc(w.chart_waterfall) + "</title>";
  s += "<line x1=\"40\" x2=\"" + px(width) + "\" y1=\"" + px(yof(0)) + "\" y2=\"" + px(yof(0)) + "\" stroke=\"#999\"/>";
  double x = 50;
  auto column = [&](const std::string& label, model::Fen from, model::Fen to, const char* fill, const std::string& value) {
    const double y1 = yof(std::max(from, to)), y2 = yof(std::min(from, to));
    s += "<rect class=\"step\" x=\"" + px(x) + "\" y=\"" + px(y1) + "\" width=\"" + px(col * 0.7) + "\" height=\"" +
         px(std::max(1.0, y2 - y1)) + "\" fill=\"" + fill + "\"/>";
    s += "<text x=\"" + px(x) + "\" y=\"" + px(y1 - 4) + "\">" + value + "</text>";
    s += "<text x=\"" + px(x) + "\" y=\"275\">" + esc(label) + "</text>";
    x += col;
  };
  column(w.base, 0, r.base_total, "#9aa7b8", human(r.base_total));
  run = r.base_total;
  for (auto* t : moved) {
    const model::Fen d = t->draft_amount - t->base_amount;
    column(t->id, run, run + d, d > 0 ? "#1a7f37" : "#c62828", (d > 0 ? "+" : "") + human(d));
    run += d;
  }
  column(w.draft, 0, r.draft_total, "#b22", human(r.draft_total));
  return s + "</svg>";
}

// Vertical bars: applicants per band.
std::string bands_chart(const WhatIfReport& r, const Words& w, bool en) {
  std::int64_t max = 1;
  for (const auto& b : r.bands) max = std::max(max, b.count);
  static const char* fills[] = {"#1a7f37", "#c62828", "#66bb6a", "#ef9a9a", "#9aa7b8"};
  std::string s = "<svg class=\"chart\" id=\"chart-bands\" role=\"img\" xmlns=\"http://www.w3.org/2000/svg\" width=\"620\" height=\"240\" "
                  "viewBox=\"0 0 620 240\"><title>" + esc(w.chart_bands) + "</title>";
  for (std::size_t k = 0; k < kBands; ++k) {
    const double h = 170.0 * static_cast<double>(r.bands[k].count) / static_cast<double>(max);
    const double x = 20 + 120.0 * static_cast<double>(k);
    s += "<rect class=\"band\" x=\"" + px(x) + "\" y=\"" + px(200 - h) + "\" width=\"80\" height=\"" + px(std::max(h, 1.0)) +
         "\" fill=\"" + fills[k] + "\"/>";
    s += "<text x=\"" + px(x) + "\" y=\"" + px(195 - h) + "\">" + num(r.bands[k].count) + "</text>";
    s += "<text x=\"" + px(x) + "\" y=\"220\">" + esc(band_label(static_cast<Band>(k), en)) + "</text>";
  }
  return s + "</svg>";
}

}  // namespace

std::string whatif_html(const WhatIfReport& r, const eval::RulesDiff* diff, bool en) {
  const Words& w = en ? kEn : kZh;
  std::string h = "<!DOCTYPE html>\n<html lang=\"" + std::string(en ? "en" : "zh-CN") + "\"><head><meta charset=\"utf-8\"><title>" +
                  esc(w.title) + "</title><style>" + kCss + "</style></head><body>\n";
  h += "<h1>" + esc(w.title) + "</h1>\n<p class=\"meta\">" + esc(w.base) + " " + esc(r.base_hash.substr(0, 12)) + " · " + esc(w.draft) +
       " " + esc(r.draft_hash.substr(0, 12)) + " · " + esc(w.as_of) + " " + esc(model::format_date(r.as_of)) + " · " + esc(r.source) +
       "</p>\n";
  std::size_t over = 0;
  for (const auto& b : r.budgets) over += b.draft_over;
  h += "<div class=\"cards\"><div class=\"card\">" + esc(w.records) + "<b>" + num(static_cast<std::int64_t>(r.records)) +
       "</b></div><div class=\"card\">" + esc(w.changed) + "<b>" + num(r.changed) + "</b></div><div class=\"card\">" + esc(w.total) +
       " " + esc(w.base) + " → " + esc(w.draft) + "<b>" + human(r.base_total) + " → " + human(r.draft_total) +
       "</b></div><div class=\"card\">" + esc(w.delta) + "<b class=\"" + delta_class(r.delta()) + "\">" + signed_yuan(r.delta()) +
       "元</b></div>";
  if (r.budget_year) h += "<div class=\"card\">" + esc(w.over) + "<b class=\"" + (over ? "down" : "flat") + "\">" + num(static_cast<std::int64_t>(over)) + "</b></div>";
  h += "</div>\n";
  if (r.failed) h += "<p class=\"warn\">" + esc(w.undecodable) + ": " + num(static_cast<std::int64_t>(r.failed)) + " — " + esc(r.first_failure) + "</p>\n";
  if (diff && !diff->contract.empty()) {
    h += "<h2>" + esc(w.contract) + "</h2><div class=\"warn\"><ul>";
    for (const auto& c : diff->contract)
      h += "<li>" + std::string(c.breaking ? "⚠ " : "") + "<code>" + esc(c.fact) + "</code>: " + esc(c.what) +
           (c.base.empty() && c.draft.empty() ? "" : " (" + esc(c.base) + " → " + esc(c.draft) + ")") +
           (c.required_by.empty() ? "" : " [" + esc(c.required_by) + "]") + " <span class=\"meta\">" + esc(c.base_at) + " | " +
           esc(c.draft_at) + "</span></li>";
    h += "</ul></div>\n";
  }
  // Programmes.
  h += "<h2>" + esc(w.programme) + "</h2>\n" + bars_chart(r, w) + "\n<table id=\"programmes\"><tr><th>" + esc(w.programme) + "</th><th>" +
       esc(w.eligible) + " " + esc(w.base) + "</th><th>" + esc(w.draft) + "</th><th>" + esc(w.delta) + "</th><th>" + esc(w.amount) + " " +
       esc(w.base) + "</th><th>" + esc(w.draft) + "</th><th>" + esc(w.delta) + "</th></tr>";
  for (const auto& t : r.programmes) {
    const auto dn = t.draft_eligible - t.base_eligible;
    const auto da = t.draft_amount - t.base_amount;
    h += "<tr><td>" + esc(t.id) + " " + esc(en && !t.title_en.empty() ? t.title_en : t.title_zh) + "</td><td class=\"n\">" +
         num(t.base_eligible) + "</td><td class=\"n\">" + num(t.draft_eligible) + "</td><td class=\"n " + delta_class(dn) + "\">" +
         signed_num(dn) + "</td><td class=\"n\">" + yuan(t.base_amount) + "</td><td class=\"n\">" + yuan(t.draft_amount) +
         "</td><td class=\"n " + delta_class(da) + "\">" + signed_yuan(da) + "</td></tr>";
  }
  h += "<tr><th>" + esc(w.total) + "</th><td></td><td></td><td></td><td class=\"n\">" + yuan(r.base_total) + "</td><td class=\"n\">" +
       yuan(r.draft_total) + "</td><td class=\"n " + delta_class(r.delta()) + "\">" + signed_yuan(r.delta()) + "</td></tr></table>\n";
  h += "<h2>" + esc(w.chart_waterfall) + "</h2>\n" + waterfall_chart(r, w) + "\n";
  // Bands.
  h += "<h2>" + esc(w.bands) + "</h2>\n" + bands_chart(r, w, en) + "\n<table id=\"bands\"><tr><th>" + esc(w.band) + "</th><th>" +
       esc(w.count) + "</th><th>" + esc(w.base) + "</th><th>" + esc(w.draft) + "</th><th>" + esc(w.delta) + "</th></tr>";
  for (std::size_t k = 0; k < kBands; ++k) {
    const auto& b = r.bands[k];
    h += "<tr><td>" + esc(band_label(static_cast<Band>(k), en)) + "</td><td class=\"n\">" + num(b.count) + "</td><td class=\"n\">" +
         yuan(b.base) + "</td><td class=\"n\">" + yuan(b.draft) + "</td><td class=\"n " + delta_class(b.delta()) + "\">" +
         signed_yuan(b.delta()) + "</td></tr>";
  }
  h += "</table>\n";
  if (!r.by.empty()) {
    h += "<h2>" + esc(w.group) + ": " + esc(r.by) + "</h2><table id=\"groups\"><tr><th>" + esc(r.by) + "</th><th>" + esc(w.applicants) +
         "</th><th>" + esc(w.changed) + "</th><th>" + esc(w.amount) + " " + esc(w.base) + "</th><th>" + esc(w.draft) + "</th><th>" +
         esc(w.delta) + "</th></tr>";
    for (const auto& g : r.groups)
      h += "<tr><td>" + esc(g.key) + "</td><td class=\"n\">" + num(g.applicants) + "</td><td class=\"n\">" + num(g.changed) +
           "</td><td class=\"n\">" + yuan(g.base_amount) + "</td><td class=\"n\">" + yuan(g.draft_amount) + "</td><td class=\"n " +
           delta_class(g.draft_amount - g.base_amount) + "\">" + signed_yuan(g.draft_amount - g.base_amount) + "</td></tr>";
    h += "</table>\n";
  }
  if (r.budget_year) {
    h += "<h2>" + esc(w.budgets) + " " + num(r.budget_year) + "</h2><table id=\"budgets\"><tr><th>" + esc(w.programme) + "</th><th>" +
         esc(w.budget) + "</th><th>" + esc(w.demand) + " " + esc(w.base) + "</th><th>" + esc(w.draft) + "</th><th></th></tr>";
    for (const auto& b : r.budgets)
      h += std::string("<tr") + (b.draft_over ? " class=\"over\"" : "") + "><td>" + esc(b.programme) + "</td><td class=\"n\">" +
           yuan(b.total) + "</td><td class=\"n\">" + yuan(b.base_demand) + "</td><td class=\"n\">" + yuan(b.draft_demand) + "</td><td>" +
           (b.draft_over ? esc(w.over) + " " + yuan(b.draft_demand - b.total) + "元" : esc(w.ok)) + "</td></tr>";
    if (r.budgets.empty()) h += "<tr><td colspan=\"5\">" + esc(w.none) + "</td></tr>";
    h += "</table>\n";
  }
  // Changed applicants.
  h += "<h2>" + esc(w.changed) + " (" + num(r.changed) + ")</h2>";
  if (static_cast<std::int64_t>(r.sample.size()) < r.changed) h += "<p class=\"meta\">" + esc(w.sample_note) + "</p>";
  h += "<table id=\"changed\"><tr><th>" + esc(w.id) + "</th><th>" + esc(w.programme) + "</th><th>" + esc(w.outcome) + "</th><th>" +
       esc(w.base) + "</th><th>" + esc(w.draft) + "</th><th>" + esc(w.delta) + "</th><th>" + esc(w.why) + "</th></tr>";
  for (const auto& c : r.sample)
    for (const auto& p : c.programmes)
      h += "<tr><td>" + esc(c.id) + "</td><td>" + esc(p.programme) + "</td><td>" + esc(p.base_outcome) + " → " + esc(p.draft_outcome) +
           "</td><td class=\"n\">" + yuan(p.base_amount) + "</td><td class=\"n\">" + yuan(p.draft_amount) + "</td><td class=\"n " +
           delta_class(p.draft_amount - p.base_amount) + "\">" + signed_yuan(p.draft_amount - p.base_amount) + "</td><td>" +
           esc(eval::why_text(p.why, en)) + " <span class=\"meta\">" + esc(p.why.draft_at.empty() ? p.why.base_at : p.why.draft_at) +
           "</span></td></tr>";
  h += "</table>\n";
  if (diff && !diff->items.empty()) {
    h += "<h2>" + esc(w.diff) + "</h2><table id=\"diff\"><tr><th></th><th></th><th>" + esc(w.base) + "</th><th>" + esc(w.draft) + "</th></tr>";
    for (const auto& d : diff->items)
      h += "<tr><td>" + esc(eval::change_name(d.change)) + " " + esc(d.kind) + "</td><td>" + esc(d.name) + (d.what.empty() ? "" : " (" + esc(d.what) + ")") +
           "</td><td>" + esc(d.base) + " <span class=\"meta\">" + esc(d.base_at) + "</span></td><td>" + esc(d.draft) +
           " <span class=\"meta\">" + esc(d.draft_at) + "</span></td></tr>";
    h += "</table>\n";
  }
  h += "</body></html>\n";
  return h;
}

}  // namespace subsidy::service
