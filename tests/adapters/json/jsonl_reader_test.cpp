#include "json/jsonl_reader.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <string>
#include <vector>

#include "json/fact_decoder.hpp"

namespace subsidy::json {
namespace {

std::vector<std::pair<std::size_t, std::string>> all(JsonlReader& r) {
  std::vector<std::pair<std::size_t, std::string>> v;
  JsonlReader::Record rec;
  while (r.next(rec)) {
    EXPECT_GE(rec.readable_after, FactDecoder::kPadding);
    v.emplace_back(rec.line, std::string(rec.text));
  }
  return v;
}

using Lines = std::vector<std::pair<std::size_t, std::string>>;

TEST(JsonlReader, LinesBlankLinesAndCrlf) {
  JsonlReader r;
  r.set_input("{\"id\":\"a\"}\n\n  \r\n{\"id\":\"b\"}\r\n{\"id\":\"c\"}");
  EXPECT_EQ(all(r), (Lines{{1, "{\"id\":\"a\"}"}, {4, "{\"id\":\"b\"}"}, {5, "{\"id\":\"c\"}"}}));
}

TEST(JsonlReader, SingleMultiLineDocument) {
  JsonlReader r;
  r.set_input("\n{\n  \"id\": \"a\",\n  \"x\": \"}{\"\n}\n");
  EXPECT_EQ(all(r), (Lines{{2, "{\n  \"id\": \"a\",\n  \"x\": \"}{\"\n}"}}));
}

TEST(JsonlReader, EmptyInput) {
  JsonlReader r;
  r.set_input("");
  EXPECT_TRUE(all(r).empty());
  r.set_input("\n \n");
  EXPECT_TRUE(all(r).empty());
}

TEST(JsonlReader, SmallChunksFromFile) {
  std::string text;
  Lines expect;
  for (int i = 1; i <= 200; ++i) {
    std::string line = "{\"id\":\"" + std::string(static_cast<std::size_t>(i % 37), 'x') + std::to_string(i) + "\"}";
    text += line + "\n";
    expect.emplace_back(static_cast<std::size_t>(i), line);
  }
  std::FILE* f = std::tmpfile();
  ASSERT_NE(f, nullptr);
  std::fwrite(text.data(), 1, text.size(), f);
  std::rewind(f);
  JsonlReader r;
  r.attach(f);
  r.set_chunk_size(16);
  EXPECT_EQ(all(r), expect);
  EXPECT_EQ(r.error(), "");
  std::fclose(f);
}

TEST(JsonlReader, MissingFile) {
  JsonlReader r;
  EXPECT_FALSE(r.open("/nonexistent/file.jsonl"));
  EXPECT_NE(r.error().find("/nonexistent/file.jsonl"), std::string::npos);
}

}  // namespace
}  // namespace subsidy::json
