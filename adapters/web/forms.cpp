// The applicant's facts as form fields (forms.hpp).
#include "web/forms.hpp"

#include <charconv>

#include "web/embedded.hpp"
#include "web/page.hpp"

namespace subsidy::web {

namespace bj = boost::json;
using model::Kind;

namespace {

// A fact's current value as the text of its field ("" when unset).
std::string field_text(const bj::value* v) {
  if (!v || v->is_null()) return {};
  if (v->is_string()) return std::string(v->get_string());
  if (v->is_array()) {
    std::string out;
    for (const auto& x : v->get_array()) out += (out.empty() ? "" : ",") + (x.is_string() ? std::string(x.get_string()) : bj::serialize(x));
    return out;
  }
  return bj::serialize(*v);
}

bool is_number(const std::string& s) {
  double d = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), d);
  return ec == std::errc() && end == s.data() + s.size();
}

}  // namespace

std::string fact_fields_html(const Visit& v, const bj::object* current, const std::string& error_field, const std::string& error) {
  const auto& schema = v.rules->ruleset().schema;
  bj::array fields;
  auto value_of = [&](const std::string& name) { return current ? current->if_contains(name) : nullptr; };
  {
    bj::object id{{"name", "id"}, {"label", v.english ? "application id" : "申报编号"}, {"type", "text"}, {"is_input", true},
                  {"value", field_text(value_of("id"))}};
    if (error_field == "id") id["field_error"] = error;
    fields.push_back(std::move(id));
  }
  for (const auto& f : schema.facts) {
    const bj::value* cur = value_of(f.name);
    const std::string text = field_text(cur);
    bj::object o{{"name", f.name}, {"label", label_text(f.label, f.name, v.english)}, {"type", schema.type_name(f.type)}};
    if (f.type.kind == Kind::Enum) {
      bj::array choices;
      for (const auto& ev : schema.enums.at(f.type.enum_id).values)
        choices.push_back(bj::object{{"value", ev.name}, {"label", label_text(ev.label, ev.name, v.english)}, {"selected", ev.name == text}});
      o["is_enum"] = true;
      o["choices"] = std::move(choices);
    } else if (f.type.kind == Kind::Bool) {
      o["is_bool"] = true;
      o["is_true"] = text == "true";
      o["is_false"] = text == "false";
    } else {
      o["is_input"] = true;
      o["value"] = text;
      if (f.type.kind == Kind::Money) o["hint"] = v.english ? "yuan, e.g. 1234.56" : "元，如 1234.56";
      if (f.type.kind == Kind::Date) o["hint"] = "YYYY-MM-DD";
      if (f.type.kind == Kind::EnumSet || f.type.kind == Kind::TextSet) o["hint"] = v.english ? "comma-separated" : "以逗号分隔";
    }
    if (error_field == f.name) o["field_error"] = error;
    fields.push_back(std::move(o));
  }
  bj::object m = model_of(v);
  m["fields"] = std::move(fields);
  return render(embedded::fields(), m);
}

std::string facts_json_of(const Visit& v, const Form& form) {
  const auto& schema = v.rules->ruleset().schema;
  bj::object out;
  const std::string id = form.text("f.id");
  if (!id.empty()) out["id"] = id;
  for (const auto& f : schema.facts) {
    const std::string key = "f." + f.name;
    if (!form.has(key)) continue;
    const std::string text = form.text(key);
    if (text.empty()) continue;
    switch (f.type.kind) {
      case Kind::Bool:
        if (text == "true" || text == "false") out[f.name] = text == "true";
        else out[f.name] = text;
        break;
      case Kind::Int:
      case Kind::Decimal:
        if (is_number(text)) out[f.name] = bj::parse(text);
        else out[f.name] = text;
        break;
      case Kind::EnumSet:
      case Kind::TextSet: {
        bj::array items;
        std::size_t start = 0;
        while (start <= text.size()) {
          auto comma = text.find(',', start);
          std::string item = text.substr(start, comma == std::string::npos ? std::string::npos : comma - start);
          while (!item.empty() && item.front() == ' ') item.erase(0, 1);
          while (!item.empty() && item.back() == ' ') item.pop_back();
          if (!item.empty()) items.emplace_back(item);
          if (comma == std::string::npos) break;
          start = comma + 1;
        }
        out[f.name] = std::move(items);
        break;
      }
      default: out[f.name] = text;
    }
  }
  return bj::serialize(out);
}

}  // namespace subsidy::web
