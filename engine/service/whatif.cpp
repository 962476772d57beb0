#include "service/whatif.hpp"

#include <boost/json.hpp>

#include <algorithm>
#include <map>
#include <memory>
#include <set>

#include "eval/evaluate.hpp"
#include "eval/required_facts.hpp"
#include "model/decision.hpp"
#include "service/cases.hpp"
#include "service/errors.hpp"

namespace subsidy::service {

const char* band_name(Band b) {
  static const char* names[] = {"newly_eligible", "newly_refused", "more", "less", "same"};
  return names[static_cast<int>(b)];
}
const char* band_label(Band b, bool en) {
  static const char* zh[] = {"新增符合", "不再符合", "金额增加", "金额减少", "金额不变"};
  static const char* enl[] = {"newly eligible", "newly refused", "more", "less", "same"};
  return (en ? enl : zh)[static_cast<int>(b)];
}

namespace {

constexpr std::size_t kMaxGroups = 10000;  // further --by values count as "(other)"

bool eligible(const model::ProgramResult& r) { return r.outcome == model::Outcome::eligible; }
model::Fen paid(const model::ProgramResult& r) { return eligible(r) ? r.amount : 0; }

// The band of a move from (eligible b, amount a) to (eligible d, amount c); nullopt: eligible in neither.
std::optional<Band> band_of(bool b, model::Fen a, bool d, model::Fen c) {
  if (!b && !d) return std::nullopt;
  if (!b) return Band::newly_eligible;
  if (!d) return Band::newly_refused;
  return c > a ? Band::more : c < a ? Band::less : Band::same;
}

void add_band(Bands& bands, Band band, model::Fen base, model::Fen draft) {
  auto& t = bands[static_cast<std::size_t>(band)];
  ++t.count;
  t.base += base;
  t.draft += draft;
}

// The union of both rulesets' programmes: the base's in order, then the draft's new ones.
std::vector<ProgrammeTotals> programme_union(const eval::Ruleset& b, const eval::Ruleset& d) {
  std::vector<ProgrammeTotals> out;
  for (std::size_t i = 0; i < b.programs.size(); ++i) {
    ProgrammeTotals t;
    t.id = b.programs[i].id;
    t.title_zh = b.programs[i].title.zh;
    t.title_en = b.programs[i].title.en;
    t.base_index = static_cast<int>(i);
    t.draft_index = d.find_program(t.id);
    out.push_back(std::move(t));
  }
  for (std::size_t i = 0; i < d.programs.size(); ++i) {
    if (b.find_program(d.programs[i].id) >= 0) continue;
    ProgrammeTotals t;
    t.id = d.programs[i].id;
    t.title_zh = d.programs[i].title.zh;
    t.title_en = d.programs[i].title.en;
    t.draft_index = static_cast<int>(i);
    out.push_back(std::move(t));
  }
  return out;
}

// Both rulesets declare the same facts (names, types, slots, enum values) and require the same
// ones: then one decoded record serves both.
bool same_contract(const eval::Ruleset& b, const eval::Ruleset& d) {
  const auto& bs = b.schema;
  const auto& ds = d.schema;
  if (bs.facts.size() != ds.facts.size()) return false;
  for (std::size_t i = 0; i < bs.facts.size(); ++i) {
    const auto& x = bs.facts[i];
    const auto& y = ds.facts[i];
    if (x.name != y.name || x.slot != y.slot || x.program_ids != y.program_ids || x.type.kind != y.type.kind ||
        x.type.optional != y.type.optional || bs.type_name(x.type) != ds.type_name(y.type))
      return false;
    if (x.type.kind == model::Kind::Enum || x.type.kind == model::Kind::EnumSet) {
      const auto& ev = bs.enums[x.type.enum_id].values;
      const auto& fv = ds.enums[y.type.enum_id].values;
      if (ev.size() != fv.size()) return false;
      for (std::size_t k = 0; k < ev.size(); ++k)
        if (ev[k].name != fv[k].name) return false;
    }
  }
  auto req = [](const eval::Ruleset& rs) {
    std::vector<std::uint32_t> v;
    for (const auto& r : eval::required_facts(rs, eval::FactUse{})) v.push_back(r.slot);
    return v;
  };
  if (req(b) != req(d)) return false;
  // Programme ids are checked against the ruleset by the decoder (set-of-programme facts).
  if (std::any_of(bs.facts.begin(), bs.facts.end(), [](const model::FactDef& f) { return f.program_ids; })) {
    if (b.programs.size() != d.programs.size()) return false;
    for (std::size_t i = 0; i < b.programs.size(); ++i)
      if (b.programs[i].id != d.programs[i].id) return false;
  }
  return true;
}

// A fact's value as the --by key.
std::string fact_key(const model::Schema& s, const model::FactDef& f, const model::Facts& facts) {
  const auto slot = f.slot;
  if (!facts.present[slot]) return "(none)";
  const std::int64_t v = facts.values[slot];
  switch (f.type.kind) {
    case model::Kind::Bool: return v ? "true" : "false";
    case model::Kind::Int: return std::to_string(v);
    case model::Kind::Money: return model::format_yuan(v);
    case model::Kind::Decimal: return model::format_decimal(v);
    case model::Kind::Date: return model::format_date(static_cast<model::Days>(v));
    case model::Kind::Text: return facts.texts[slot];
    case model::Kind::Enum: {
      const auto& vals = s.enums[f.type.enum_id].values;
      return v >= 0 && static_cast<std::size_t>(v) < vals.size() ? vals[static_cast<std::size_t>(v)].name : "?";
    }
    case model::Kind::TextSet: {
      std::string k;
      for (const auto& t : facts.sets[slot]) k += (k.empty() ? "" : "|") + t;
      return k;
    }
    case model::Kind::EnumSet: {
      std::string k;
      const auto& vals = s.enums[f.type.enum_id].values;
      for (std::size_t i = 0; i < vals.size() && i < 64; ++i)
        if (facts.enum_sets[slot] >> i & 1) k += (k.empty() ? "" : "|") + vals[i].name;
      return k;
    }
    default: return "?";
  }
}

// One applicant evaluated on both sides.
struct Pair {
  std::string_view id;
  std::size_t line = 0;
  std::int64_t case_id = 0;
  const model::Facts* base_facts = nullptr;
  const model::Facts* draft_facts = nullptr;
  const eval::Selection* base_sel = nullptr;
  const eval::Selection* draft_sel = nullptr;
  const model::Decision* base = nullptr;
  const model::Decision* draft = nullptr;
};

// One thread's totals; merged at the end.
class Accumulator {
 public:
  Accumulator(const eval::Ruleset& b, const eval::Ruleset& d, const WhatIfOptions& o)
      : b_(b), d_(d), opt_(o), programmes_(programme_union(b, d)) {
    if (!o.by.empty()) {
      by_base_ = b.schema.find_fact(o.by);
      by_draft_ = by_base_ ? nullptr : d.schema.find_fact(o.by);
    }
  }

  // Adds one applicant; returns true when it changed (with --all, its row is appended to `out`).
  bool add(const Pair& p, std::string& out) {
    bool any_b = false, any_d = false, changed = false;
    model::Fen tb = 0, td = 0;
    for (auto& t : programmes_) {
      static const model::ProgramResult kAbsent{model::Outcome::not_in_effect};
      const auto& rb = t.base_index >= 0 ? p.base->programs[static_cast<std::size_t>(t.base_index)] : kAbsent;
      const auto& rd = t.draft_index >= 0 ? p.draft->programs[static_cast<std::size_t>(t.draft_index)] : kAbsent;
      const bool eb = eligible(rb), ed = eligible(rd);
      t.base_eligible += eb;
      t.draft_eligible += ed;
      t.base_amount += paid(rb);
      t.draft_amount += paid(rd);
      tb += paid(rb);
      td += paid(rd);
      any_b |= eb;
      any_d |= ed;
      if (auto band = band_of(eb, paid(rb), ed, paid(rd))) add_band(t.bands, *band, paid(rb), paid(rd));
      if (rb.outcome != rd.outcome || paid(rb) != paid(rd)) changed = true;
    }
    changed |= tb != td;
    base_total_ += tb;
    draft_total_ += td;
    const auto band = band_of(any_b, tb, any_d, td);
    if (band)
      add_band(bands_, *band, tb, td);
    else
      ++neither_;
    GroupTotals* g = nullptr;
    std::string key;
    if (by_base_ || by_draft_) {
      key = by_base_ ? fact_key(b_.schema, *by_base_, *p.base_facts) : fact_key(d_.schema, *by_draft_, *p.draft_facts);
      auto it = groups_.find(key);
      if (it == groups_.end() && groups_.size() >= kMaxGroups) it = groups_.find(key = "(other)");
      if (it == groups_.end()) it = groups_.emplace(key, GroupTotals{key}).first;
      g = &it->second;
      ++g->applicants;
      g->changed += changed;
      g->base_eligible += any_b;
      g->draft_eligible += any_d;
      g->base_amount += tb;
      g->draft_amount += td;
    }
    if (!changed) return false;
    ++changed_;
    if (!opt_.all && sample_.size() >= opt_.sample) return true;
    ChangedApplicant c = explain(p, key, tb, td, band.value_or(Band::same));
    if (opt_.all && opt_.format_changed) opt_.format_changed(c, out);
    if (sample_.size() < opt_.sample) sample_.push_back(std::move(c));
    return true;
  }

  void merge_into(WhatIfReport& r, std::map<std::string, GroupTotals>& groups) {
    if (r.programmes.empty()) r.programmes = programmes_;
    else
      for (std::size_t i = 0; i < programmes_.size(); ++i) {
        auto& t = r.programmes[i];
        const auto& s = programmes_[i];
        t.base_eligible += s.base_eligible;
        t.draft_eligible += s.draft_eligible;
        t.base_amount += s.base_amount;
        t.draft_amount += s.draft_amount;
        for (std::size_t k = 0; k < kBands; ++k) {
          t.bands[k].count += s.bands[k].count;
          t.bands[k].base += s.bands[k].base;
          t.bands[k].draft += s.bands[k].draft;
        }
      }
    for (std::size_t k = 0; k < kBands; ++k) {
      r.bands[k].count += bands_[k].count;
      r.bands[k].base += bands_[k].base;
      r.bands[k].draft += bands_[k].draft;
    }
    r.eligible_in_neither += neither_;
    r.base_total += base_total_;
    r.draft_total += draft_total_;
    r.changed += changed_;
    for (auto& [k, g] : groups_) {
      auto& t = groups.try_emplace(k, GroupTotals{k}).first->second;
      t.applicants += g.applicants;
      t.changed += g.changed;
      t.base_eligible += g.base_eligible;
      t.draft_eligible += g.draft_eligible;
      t.base_amount += g.base_amount;
      t.draft_amount += g.draft_amount;
    }
    for (auto& c : sample_) r.sample.push_back(std::move(c));
  }

 private:
  // The changed programmes of one applicant, each with why: both sides evaluated again with the trace.
  ChangedApplicant explain(const Pair& p, const std::string& key, model::Fen tb, model::Fen td, Band band) {
    eval::evaluate(b_, *p.base_facts, opt_.as_of, xb_, p.base_sel, &eb_);
    eval::evaluate(d_, *p.draft_facts, opt_.as_of, xd_, p.draft_sel, &ed_);
    ChangedApplicant c;
    c.id = std::string(p.id);
    c.line = p.line;
    c.case_id = p.case_id;
    c.group = key;
    c.base_total = tb;
    c.draft_total = td;
    c.band = band;
    for (const auto& t : programmes_) {
      static const model::ProgramResult kAbsent{model::Outcome::not_in_effect};
      const auto& rb = t.base_index >= 0 ? xb_.programs[static_cast<std::size_t>(t.base_index)] : kAbsent;
      const auto& rd = t.draft_index >= 0 ? xd_.programs[static_cast<std::size_t>(t.draft_index)] : kAbsent;
      if (rb.outcome == rd.outcome && paid(rb) == paid(rd)) continue;
      ProgrammeChange pc;
      pc.programme = t.id;
      pc.base_outcome = t.base_index >= 0 ? model::outcome_name(rb.outcome) : "absent";
      pc.draft_outcome = t.draft_index >= 0 ? model::outcome_name(rd.outcome) : "absent";
      pc.base_amount = paid(rb);
      pc.draft_amount = paid(rd);
      pc.band = band_of(eligible(rb), paid(rb), eligible(rd), paid(rd)).value_or(Band::same);
      eval::ProgramSide sb, sd;
      if (t.base_index >= 0)
        sb = {&b_, static_cast<std::uint32_t>(t.base_index), &rb, &eb_.programs[static_cast<std::size_t>(t.base_index)]};
      if (t.draft_index >= 0)
        sd = {&d_, static_cast<std::uint32_t>(t.draft_index), &rd, &ed_.programs[static_cast<std::size_t>(t.draft_index)]};
      pc.why = eval::why_changed(sb, sd);
      c.programmes.push_back(std::move(pc));
    }
    if (c.programmes.empty()) {  // only the total moved: a `cap total` group
      ProgrammeChange pc;
      pc.programme = "(total)";
      pc.base_outcome = pc.draft_outcome = "total";
      pc.base_amount = tb;
      pc.draft_amount = td;
      pc.band = band;
      std::string gb, gd;
      for (auto g : xb_.caps) gb += (gb.empty() ? "" : ", ") + b_.groups[g].name;
      for (auto g : xd_.caps) gd += (gd.empty() ? "" : ", ") + d_.groups[g].name;
      pc.why.kind = "group_cap";
      pc.why.name = gd.empty() ? gb : gd;
      pc.why.from = model::format_yuan(tb) + "元";
      pc.why.to = model::format_yuan(td) + "元";
      c.programmes.push_back(std::move(pc));
    }
    return c;
  }

  const eval::Ruleset& b_;
  const eval::Ruleset& d_;
  const WhatIfOptions& opt_;
  std::vector<ProgrammeTotals> programmes_;
  const model::FactDef* by_base_ = nullptr;
  const model::FactDef* by_draft_ = nullptr;
  Bands bands_{};
  std::int64_t neither_ = 0, changed_ = 0;
  model::Fen base_total_ = 0, draft_total_ = 0;
  std::map<std::string, GroupTotals> groups_;
  std::vector<ChangedApplicant> sample_;
  model::Decision xb_, xd_;
  eval::Explanation eb_, ed_;
};

// Decodes a record once (or once per ruleset when their facts differ), evaluates it with both.
class WhatIfStep final : public RecordStep {
 public:
  WhatIfStep(const eval::Ruleset& b, const eval::Ruleset& d, const Codec& codec, const WhatIfOptions& o, bool shared)
      : acc(b, d, o), b_(b), d_(d), opt_(o), shared_(shared), rb_(codec.reader(b, eval::FactUse{})),
        rd_(shared ? nullptr : codec.reader(d, eval::FactUse{})), fb_(b.schema.facts.size()), fd_(d.schema.facts.size()) {}

  Result record(std::string_view text, std::size_t readable_after, std::size_t line, std::string& out) override {
    if (!read(*rb_, text, readable_after, fb_)) return Result::undecodable;
    if (!shared_ && !read(*rd_, text, readable_after, fd_)) {
      err_.message = "(draft rules) " + err_.message;
      return Result::undecodable;
    }
    const model::Facts& fd = shared_ ? fb_ : fd_;
    eval::evaluate(b_, fb_, opt_.as_of, db_);
    eval::evaluate(d_, fd, opt_.as_of, dd_);
    Pair p;
    p.id = id_;
    p.line = line;
    p.base_facts = &fb_;
    p.draft_facts = &fd;
    p.base = &db_;
    p.draft = &dd_;
    acc.add(p, out);
    return db_.errors || dd_.errors ? Result::with_errors : Result::ok;
  }
  const DecodeError& error() const override { return err_; }

  Accumulator acc;

 private:
  bool read(FactReader& r, std::string_view text, std::size_t readable_after, model::Facts& f) {
    return readable_after >= r.padding() ? r.read(text, readable_after, f, err_, id_) : r.read(text, f, err_, id_);
  }
  const eval::Ruleset& b_;
  const eval::Ruleset& d_;
  const WhatIfOptions& opt_;
  bool shared_;
  std::unique_ptr<FactReader> rb_, rd_;
  model::Facts fb_, fd_;
  model::Decision db_, dd_;
  DecodeError err_;
  std::string id_;
};

void check_by(const eval::Ruleset& b, const eval::Ruleset& d, const std::string& by) {
  if (by.empty() || b.schema.find_fact(by) || d.schema.find_fact(by)) return;
  std::string known;
  for (const auto& f : b.schema.facts) known += (known.empty() ? "" : ", ") + f.name;
  throw ServiceError(ErrorKind::usage, "unknown_fact", "--by `" + by + "` is not a fact of the rules; facts: " + known,
                     {{"field", "by"}});
}

void finish(WhatIfReport& r, std::map<std::string, GroupTotals>& groups, const WhatIfOptions& opt) {
  for (auto& [k, g] : groups) r.groups.push_back(std::move(g));
  std::sort(r.sample.begin(), r.sample.end(), [](const ChangedApplicant& a, const ChangedApplicant& b) {
    return a.line != b.line ? a.line < b.line : a.case_id < b.case_id;
  });
  if (r.sample.size() > opt.sample) r.sample.resize(opt.sample);
  r.as_of = opt.as_of;
  r.by = opt.by;
}

}  // namespace

WhatIfReport whatif_population(const eval::Ruleset& base, const eval::Ruleset& draft, const Codec& codec,
                               const WhatIfOptions& opt, ByteSource& in, ByteSink& changed_out) {
  check_by(base, draft, opt.by);
  const bool shared = same_contract(base, draft);
  std::vector<std::unique_ptr<WhatIfStep>> steps;
  std::vector<RecordStep*> ptrs;
  for (unsigned j = 0; j < std::max(1u, opt.jobs); ++j) {
    steps.push_back(std::make_unique<WhatIfStep>(base, draft, codec, opt, shared));
    ptrs.push_back(steps.back().get());
  }
  auto res = stream_records(in, changed_out, ptrs, opt.block_bytes, opt.progress);
  WhatIfReport r;
  r.source = "population";
  r.base_hash = base.hash;
  r.draft_hash = draft.hash;
  r.records = res.records;
  r.failed = res.failed;
  r.first_failed_line = res.first_failed_line;
  r.first_failure = res.first_failure;
  r.with_errors = res.with_errors;
  r.io_error = res.io_error;
  std::map<std::string, GroupTotals> groups;
  for (auto& s : steps) s->acc.merge_into(r, groups);
  if (r.programmes.empty()) r.programmes = programme_union(base, draft);
  finish(r, groups, opt);
  return r;
}

WhatIfReport whatif_cases(const PreparedRules& base, const PreparedRules& draft, store::CaseRepository& repo,
                          const WhatIfOptions& opt, const CaseScope& scope, ByteSink& changed_out) {
  const auto& b = base.ruleset();
  const auto& d = draft.ruleset();
  check_by(b, d, opt.by);
  Env eb(base, repo), ed(draft, repo);
  store::CaseFilter f;
  if (!scope.all_stages) f.closed = false;
  f.call_year = scope.year;
  const auto cases = repo.list_cases(f);
  Accumulator acc(b, d, opt);
  WhatIfReport r;
  r.source = "cases";
  r.base_hash = b.hash;
  r.draft_hash = d.hash;
  const eval::Selection none_b(b.programs.size(), 0), none_d(d.programs.size(), 0);
  model::Decision db, dd;
  model::Facts empty_b(b.schema.facts.size()), empty_d(d.schema.facts.size());
  std::string out;
  std::size_t n = 0;
  for (const auto& c : cases) {
    ++r.records;
    auto versions = repo.facts_versions(c.id);
    if (versions.empty()) continue;
    const std::string& json = versions.back().facts_json;
    // One side: the case's programme in that ruleset (absent: nothing selected, nothing eligible).
    auto side = [&](const Env& env, const eval::Selection& none, model::Facts& empty, model::Decision& dec,
                    model::Facts& facts, const eval::Selection*& sel) {
      const int pi = env.rs.find_program(c.programme);
      if (pi < 0) {
        sel = &none;
        facts = empty;
        eval::evaluate(env.rs, facts, opt.as_of, dec, sel);
        return;
      }
      Programme p = env.rules.programme(c.programme);
      auto ev = evaluate_facts(env, p, json, opt.as_of, c.applicant, c.id);
      facts = std::move(ev.facts);
      sel = &env.rules.selection(p.index);
      eval::evaluate(env.rs, facts, opt.as_of, dec, sel);
    };
    model::Facts fb, fd;
    const eval::Selection *sb = nullptr, *sd = nullptr;
    try {
      side(eb, none_b, empty_b, db, fb, sb);
    } catch (const std::exception& e) {
      if (!r.failed++) r.first_failure = "case " + std::to_string(c.id) + ": " + e.what();
      continue;
    }
    try {
      side(ed, none_d, empty_d, dd, fd, sd);
    } catch (const std::exception& e) {
      if (!r.failed++) r.first_failure = "case " + std::to_string(c.id) + " (draft rules): " + e.what();
      continue;
    }
    r.with_errors += db.errors || dd.errors;
    Pair p;
    p.id = c.application_id;
    p.case_id = c.id;
    p.base_facts = &fb;
    p.draft_facts = &fd;
    p.base_sel = sb;
    p.draft_sel = sd;
    p.base = &db;
    p.draft = &dd;
    out.clear();
    acc.add(p, out);
    if (!out.empty() && !changed_out.write(out) && r.io_error.empty()) r.io_error = "writing output: " + changed_out.error();
    if (opt.progress && ++n % 500 == 0) opt.progress(r.records, 0, false);
  }
  if (opt.progress) opt.progress(r.records, 0, true);
  std::map<std::string, GroupTotals> groups;
  acc.merge_into(r, groups);
  finish(r, groups, opt);
  return r;
}

void check_budgets(WhatIfReport& r, const std::vector<store::Budget>& budgets, int year) {
  r.budget_year = year;
  r.budgets.clear();
  for (const auto& bud : budgets) {
    if (bud.year != year) continue;
    BudgetCheck c;
    c.programme = bud.programme;
    c.year = year;
    c.total = bud.total_fen;
    c.available = bud.available_fen();
    for (const auto& t : r.programmes)
      if (t.id == bud.programme) {
        c.base_demand = t.base_amount;
        c.draft_demand = t.draft_amount;
      }
    c.base_over = c.base_demand > c.total;
    c.draft_over = c.draft_demand > c.total;
    r.budgets.push_back(c);
  }
}

// ---------------------------------------------------------------- JSON and CSV

namespace {

namespace bj = boost::json;

bj::object why_json(const eval::WhyChanged& w, bool en) {
  return bj::object{{"kind", w.kind}, {"name", w.name}, {"from", w.from}, {"to", w.to}, {"valid_from", w.date},
                    {"base_at", w.base_at}, {"draft_at", w.draft_at}, {"text", eval::why_text(w, en)}};
}

bj::object changed_object(const ChangedApplicant& c, bool en) {
  bj::array progs;
  for (const auto& p : c.programmes)
    progs.push_back(bj::object{{"programme", p.programme}, {"base_outcome", p.base_outcome}, {"draft_outcome", p.draft_outcome},
                               {"base_fen", p.base_amount}, {"draft_fen", p.draft_amount},
                               {"delta_fen", p.draft_amount - p.base_amount}, {"band", band_name(p.band)},
                               {"why", why_json(p.why, en)}});
  bj::object o{{"id", c.id}};
  if (c.line) o["line"] = c.line;
  if (c.case_id) o["case"] = c.case_id;
  if (!c.group.empty()) o["group"] = c.group;
  o["base_fen"] = c.base_total;
  o["draft_fen"] = c.draft_total;
  o["delta_fen"] = c.draft_total - c.base_total;
  o["band"] = band_name(c.band);
  o["programmes"] = std::move(progs);
  return o;
}

bj::object bands_json(const Bands& bands) {
  bj::object o;
  for (std::size_t k = 0; k < kBands; ++k)
    o[band_name(static_cast<Band>(k))] = bj::object{{"count", bands[k].count}, {"base_fen", bands[k].base},
                                                    {"draft_fen", bands[k].draft}, {"delta_fen", bands[k].delta()}};
  return o;
}

std::string csv_field(const std::string& s) {
  if (s.find_first_of(",\"\r\n") == std::string::npos) return s;
  std::string o = "\"";
  for (char ch : s) {
    if (ch == '"') o += '"';
    o += ch;
  }
  return o + "\"";
}

}  // namespace

std::string changed_json(const ChangedApplicant& c, bool en) { return bj::serialize(changed_object(c, en)); }

std::string changed_csv_header() {
  return "section,key,programme,base,draft,base_yuan,draft_yuan,delta_yuan,band,detail\r\n";
}
std::string changed_csv(const ChangedApplicant& c, bool en) {
  std::string out;
  for (const auto& p : c.programmes)
    out += "changed," + csv_field(c.id) + "," + csv_field(p.programme) + "," + p.base_outcome + "," + p.draft_outcome + "," +
           model::format_yuan(p.base_amount) + "," + model::format_yuan(p.draft_amount) + "," +
           model::format_yuan(p.draft_amount - p.base_amount) + "," + band_name(p.band) + "," +
           csv_field(eval::why_text(p.why, en) + (p.why.draft_at.empty() ? "" : " @ " + p.why.draft_at)) + "\r\n";
  return out;
}

std::string whatif_csv(const WhatIfReport& r, bool en) {
  std::string out = changed_csv_header();
  auto row = [&](const char* section, const std::string& key, const std::string& prog, std::int64_t b, std::int64_t d,
                 model::Fen bf, model::Fen df, const std::string& band, const std::string& detail) {
    out += std::string(section) + "," + csv_field(key) + "," + csv_field(prog) + "," + std::to_string(b) + "," + std::to_string(d) + "," +
           model::format_yuan(bf) + "," + model::format_yuan(df) + "," + model::format_yuan(df - bf) + "," + band + "," +
           csv_field(detail) + "\r\n";
  };
  for (const auto& t : r.programmes)
    row("programme", t.id, en && !t.title_en.empty() ? t.title_en : t.title_zh, t.base_eligible, t.draft_eligible, t.base_amount,
        t.draft_amount, "", "");
  row("total", "", "", static_cast<std::int64_t>(r.records), r.changed, r.base_total, r.draft_total, "", "records, changed");
  for (std::size_t k = 0; k < kBands; ++k)
    row("band", band_name(static_cast<Band>(k)), "", r.bands[k].count, r.bands[k].count, r.bands[k].base, r.bands[k].draft,
        band_name(static_cast<Band>(k)), "");
  for (const auto& g : r.groups)
    row("group", g.key, "", g.base_eligible, g.draft_eligible, g.base_amount, g.draft_amount, "",
        std::to_string(g.applicants) + " applicants, " + std::to_string(g.changed) + " changed");
  for (const auto& b : r.budgets)
    row("budget", b.programme + "/" + std::to_string(b.year), b.programme, b.base_over, b.draft_over, b.base_demand, b.draft_demand, "",
        "budget " + model::format_yuan(b.total) + (b.draft_over ? "; over by " + model::format_yuan(b.draft_demand - b.total) : ""));
  return out;
}

std::string diff_json(const eval::RulesDiff& d) {
  bj::array items, contract;
  for (const auto& i : d.items)
    items.push_back(bj::object{{"kind", i.kind}, {"change", eval::change_name(i.change)}, {"name", i.name}, {"what", i.what},
                               {"base", i.base}, {"draft", i.draft}, {"base_at", i.base_at}, {"draft_at", i.draft_at}});
  for (const auto& c : d.contract)
    contract.push_back(bj::object{{"fact", c.fact}, {"what", c.what}, {"base", c.base}, {"draft", c.draft},
                                  {"required_by", c.required_by}, {"breaking", c.breaking}, {"base_at", c.base_at},
                                  {"draft_at", c.draft_at}});
  return bj::serialize(bj::object{{"changes", std::move(items)}, {"contract", std::move(contract)}});
}

std::string whatif_json(const WhatIfReport& r, bool en) {
  bj::array progs;
  for (const auto& t : r.programmes)
    progs.push_back(bj::object{{"programme", t.id}, {"title", en && !t.title_en.empty() ? t.title_en : t.title_zh},
                               {"in_base", t.base_index >= 0}, {"in_draft", t.draft_index >= 0},
                               {"base_eligible", t.base_eligible}, {"draft_eligible", t.draft_eligible},
                               {"delta_eligible", t.draft_eligible - t.base_eligible}, {"base_fen", t.base_amount},
                               {"draft_fen", t.draft_amount}, {"delta_fen", t.draft_amount - t.base_amount},
                               {"bands", bands_json(t.bands)}});
  bj::array groups;
  for (const auto& g : r.groups)
    groups.push_back(bj::object{{"key", g.key}, {"applicants", g.applicants}, {"changed", g.changed},
                                {"base_eligible", g.base_eligible}, {"draft_eligible", g.draft_eligible},
                                {"base_fen", g.base_amount}, {"draft_fen", g.draft_amount},
                                {"delta_fen", g.draft_amount - g.base_amount}});
  bj::array budgets;
  for (const auto& b : r.budgets)
    budgets.push_back(bj::object{{"programme", b.programme}, {"year", b.year}, {"total_fen", b.total},
                                 {"available_fen", b.available}, {"base_demand_fen", b.base_demand},
                                 {"draft_demand_fen", b.draft_demand}, {"base_over", b.base_over},
                                 {"draft_over", b.draft_over},
                                 {"draft_over_by_fen", b.draft_over ? b.draft_demand - b.total : 0}});
  bj::array changed;
  for (const auto& c : r.sample) changed.push_back(changed_object(c, en));
  bj::object o{{"source", r.source},
               {"base", r.base_hash},
               {"draft", r.draft_hash},
               {"as_of", model::format_date(r.as_of)},
               {"records", r.records},
               {"undecodable", r.failed},
               {"with_errors", r.with_errors},
               {"base_fen", r.base_total},
               {"draft_fen", r.draft_total},
               {"delta_fen", r.delta()},
               {"programmes", std::move(progs)},
               {"bands", bands_json(r.bands)},
               {"eligible_in_neither", r.eligible_in_neither}};
  if (!r.by.empty()) {
    o["by"] = r.by;
    o["groups"] = std::move(groups);
  }
  if (r.budget_year) {
    o["budget_year"] = r.budget_year;
    o["budgets"] = std::move(budgets);
  }
  o["changed_count"] = r.changed;
  o["changed"] = std::move(changed);
  return bj::serialize(o);
}

}  // namespace subsidy::service
