# cmake -DIN=file -DOUT=file.cpp -DHEADER=dir/decl.hpp -DNAMESPACE=ns -DFUNCTION=name -P embed_text.cmake
# Writes `std::string_view ns::name()` (declared in HEADER) returning the bytes of IN, as a raw string literal.
file(READ "${IN}" text)
string(FIND "${text}" ")__embedded__\"" clash)
if(NOT clash EQUAL -1)
  message(FATAL_ERROR "${IN} contains the raw-string delimiter )__embedded__\"")
endif()
get_filename_component(name "${IN}" NAME)
file(WRITE "${OUT}.tmp"
"// Generated from ${name} by embed_text.cmake. Do not edit.\n"
"#include \"${HEADER}\"\n\n#include <string_view>\n\n"
"namespace ${NAMESPACE} {\n\n"
"std::string_view ${FUNCTION}() {\n"
"  static constexpr std::string_view text = R\"__embedded__(${text})__embedded__\";\n"
"  return text;\n"
"}\n\n"
"}  // namespace ${NAMESPACE}\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
