# cmake -DOUT=file.cpp -DFILES="a.sql;b.sql" -P embed_sql.cmake
# Writes the migrations as raw string literals: {version, name, sql}, in file-name order.
set(body "")
foreach(f IN LISTS FILES)
  get_filename_component(stem "${f}" NAME_WE)
  if(NOT stem MATCHES "^([0-9]+)_(.+)$")
    message(FATAL_ERROR "migration file name must be NNN_name.sql: ${f}")
  endif()
  math(EXPR version "${CMAKE_MATCH_1}")
  set(name "${CMAKE_MATCH_2}")
  file(READ "${f}" sql)
  string(APPEND body "    {${version}, \"${name}\", R\"__sql__(${sql})__sql__\"},\n")
endforeach()
file(WRITE "${OUT}.tmp"
"// Generated from adapters/soci/migrations/*.sql by embed_sql.cmake. Do not edit.\n"
"#include \"soci/migrations.hpp\"\n\n"
"namespace subsidy::soci_store::detail {\n\n"
"const std::vector<MigrationSource>& migration_sources() {\n"
"  static const std::vector<MigrationSource> sources = {\n${body}  };\n"
"  return sources;\n"
"}\n\n"
"}  // namespace subsidy::soci_store::detail\n")
file(COPY_FILE "${OUT}.tmp" "${OUT}" ONLY_IF_DIFFERENT)
file(REMOVE "${OUT}.tmp")
