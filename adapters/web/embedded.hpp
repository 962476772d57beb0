#pragma once
// The desk's templates and stylesheet, embedded at build time (CMakeLists.txt, embed_text.cmake):
// each returns the bytes of adapters/web/templates/NAME.mustache or assets/desk.css.
#include <string_view>

namespace subsidy::web::embedded {

std::string_view layout();
std::string_view login();
std::string_view error();
std::string_view inbox();
std::string_view case_page();
std::string_view confirm();
std::string_view fields();
std::string_view budgets();
std::string_view allocation();
std::string_view audit();
std::string_view submit();
std::string_view rules_page();
std::string_view desk_css();

}  // namespace subsidy::web::embedded
