#pragma once
// multipart/form-data request bodies (RFC 7578), internal to adapters/web: the desk's file upload.
// Only what a browser sends: parts with a Content-Disposition naming the field (and a filename
// for a file), CRLF line ends, no nested multiparts, no Content-Transfer-Encoding.
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

namespace subsidy::web {

// The most an upload to the desk may be (the whole body): 2 MiB.
inline constexpr std::size_t kMaxUpload = std::size_t{2} << 20;

struct Part {
  std::string name;      // the form field
  std::string filename;  // set for a file ("" otherwise)
  std::string content_type;
  std::string body;
};

// A body that is not multipart/form-data as the Content-Type says, with what is wrong.
class MultipartError : public std::runtime_error {
 public:
  using std::runtime_error::runtime_error;
};

// The boundary parameter of a Content-Type such as `multipart/form-data; boundary=----x`
// (quotes removed); "" when it has none.
std::string boundary_of(std::string_view content_type);
// The parts of `body` in order; MultipartError for a missing boundary, a part without a name, or a
// body that does not end with the closing delimiter.
std::vector<Part> parse_multipart(std::string_view body, std::string_view boundary);

}  // namespace subsidy::web
