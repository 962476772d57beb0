// multipart/form-data bodies (multipart.hpp).
#include "web/multipart.hpp"

#include <algorithm>
#include <cctype>

namespace subsidy::web {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `key` in a header value such as `form-data; name="file"; filename="a.json"`.
std::string parameter(std::string_view header, std::string_view key) {
  std::size_t p = 0;
  while ((p = header.find(';', p)) != std::string_view::npos) {
    ++p;
    std::string_view rest = trim(header.substr(p));
    const auto eq = rest.find('=');
    if (eq == std::string_view::npos) continue;
    if (lower(trim(rest.substr(0, eq))) != key) continue;
    std::string_view value = trim(rest.substr(eq + 1));
    if (!value.empty() && value.front() == '"') {
      std::string out;
      for (std::size_t i = 1; i < value.size() && value[i] != '"'; ++i) {
        if (value[i] == '\\' && i + 1 < value.size()) ++i;
        out += value[i];
      }
      return out;
    }
    return std::string(value.substr(0, value.find(';')));
  }
  return {};
}

}  // namespace

std::string boundary_of(std::string_view content_type) { return parameter(content_type, "boundary"); }

std::vector<Part> parse_multipart(std::string_view body, std::string_view boundary) {
  if (boundary.empty() || boundary.size() > 70) throw MultipartError("multipart/form-data without a boundary (or one over 70 characters)");
  const std::string delimiter = "--" + std::string(boundary);
  if (body.substr(0, delimiter.size()) != delimiter) throw MultipartError("the body does not start with the boundary");
  std::vector<Part> parts;
  std::size_t p = delimiter.size();
  const std::string next = "\r\n" + delimiter;
  for (;;) {
    if (body.substr(p, 2) == "--") return parts;  // the closing delimiter
    if (body.substr(p, 2) != "\r\n") throw MultipartError("a boundary is not followed by a line break");
    p += 2;
    const auto head_end = body.find("\r\n\r\n", p);
    if (head_end == std::string_view::npos) throw MultipartError("part " + std::to_string(parts.size() + 1) + " has no end of its headers");
    Part part;
    for (std::string_view headers = body.substr(p, head_end - p); !headers.empty();) {
      const auto eol = headers.find("\r\n");
      std::string_view line = headers.substr(0, eol);
      headers = eol == std::string_view::npos ? std::string_view() : headers.substr(eol + 2);
      const auto colon = line.find(':');
      if (colon == std::string_view::npos) continue;
      const std::string name = lower(trim(line.substr(0, colon)));
      const std::string_view value = trim(line.substr(colon + 1));
      if (name == "content-disposition") {
        part.name = parameter(value, "name");
        part.filename = parameter(value, "filename");
      } else if (name == "content-type") {
        part.content_type = std::string(value);
      }
    }
    if (part.name.empty()) throw MultipartError("part " + std::to_string(parts.size() + 1) + " names no form field (Content-Disposition name)");
    p = head_end + 4;
    const auto end = body.find(next, p);
    if (end == std::string_view::npos) throw MultipartError("the body ends inside the field `" + part.name + "` (no closing boundary)");
    part.body = std::string(body.substr(p, end - p));
    parts.push_back(std::move(part));
    p = end + next.size();
  }
}

}  // namespace subsidy::web
