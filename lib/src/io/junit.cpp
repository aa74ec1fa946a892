// JUnit XML writer (rtv/io/junit.hpp).
#include "rtv/io/junit.hpp"

#include <cmath>
#include <cstdint>
#include <cstdio>

#include "rtv/io/files.hpp"

namespace rtv {

namespace {

constexpr const char* kReplacement = "\xEF\xBF\xBD";  // U+FFFD in UTF-8

// XML 1.0 section 2.2, production [2] Char: #x9 | #xA | #xD | [#x20-#xD7FF] | [#xE000-#xFFFD] | [#x10000-#x10FFFF].
bool xml_char(std::uint32_t c) {
  return c == 0x9 || c == 0xA || c == 0xD || (c >= 0x20 && c <= 0xD7FF) || (c >= 0xE000 && c <= 0xFFFD) ||
         (c >= 0x10000 && c <= 0x10FFFF);
}

// Decode one UTF-8 sequence at s[i] (RFC 3629, table 3-7 of the Unicode standard: no overlong forms, no
// surrogates, nothing above U+10FFFF). Returns its length and sets cp, or returns 0 if s[i] does not start a
// well-formed sequence (the caller then replaces that one byte and resynchronises at the next).
std::size_t decode_utf8(std::string_view s, std::size_t i, std::uint32_t& cp) {
  const auto b = [&](std::size_t k) { return static_cast<unsigned char>(s[i + k]); };
  const unsigned char b0 = b(0);
  if (b0 < 0x80) {
    cp = b0;
    return 1;
  }
  std::size_t n = 0;
  unsigned char lo = 0x80, hi = 0xBF;  // allowed range of the second byte
  if (b0 >= 0xC2 && b0 <= 0xDF) n = 2;
  else if (b0 == 0xE0) n = 3, lo = 0xA0;                 // no overlong 3-byte forms
  else if (b0 >= 0xE1 && b0 <= 0xEC) n = 3;
  else if (b0 == 0xED) n = 3, hi = 0x9F;                 // no surrogates U+D800..U+DFFF
  else if (b0 >= 0xEE && b0 <= 0xEF) n = 3;
  else if (b0 == 0xF0) n = 4, lo = 0x90;                 // no overlong 4-byte forms
  else if (b0 >= 0xF1 && b0 <= 0xF3) n = 4;
  else if (b0 == 0xF4) n = 4, hi = 0x8F;                 // nothing above U+10FFFF
  else return 0;                                         // 0x80..0xC1 (continuation, overlong 2-byte), 0xF5..
  if (i + n > s.size()) return 0;
  if (b(1) < lo || b(1) > hi) return 0;
  for (std::size_t k = 2; k < n; ++k)
    if (b(k) < 0x80 || b(k) > 0xBF) return 0;
  cp = b0 & (n == 2 ? 0x1F : n == 3 ? 0x0F : 0x07);
  for (std::size_t k = 1; k < n; ++k) cp = (cp << 6) | (b(k) & 0x3F);
  return n;
}

// Seconds as an xs:decimal (no exponent, not negative).
std::string decimal_seconds(double s) {
  if (!std::isfinite(s) || s < 0) s = 0;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", s);
  return buf;
}

std::string attr(const char* name, std::string_view value) {
  return std::string(" ") + name + "=\"" + xml_escape(value, true) + "\"";
}

}  // namespace

std::string xml_escape(std::string_view s, bool attribute) {
  std::string out;
  out.reserve(s.size());
  for (std::size_t i = 0; i < s.size();) {
    std::uint32_t cp = 0;
    const std::size_t n = decode_utf8(s, i, cp);
    if (n == 0) {  // not UTF-8: one replacement per offending byte
      out += kReplacement;
      ++i;
      continue;
    }
    if (!xml_char(cp)) {
      out += kReplacement;
    } else {
      switch (cp) {
        case '&': out += "&amp;"; break;
        case '<': out += "&lt;"; break;
        case '>': out += "&gt;"; break;  // always: "]]>" must not appear in text
        case '"': out += attribute ? "&quot;" : "\""; break;
        case '\'': out += attribute ? "&apos;" : "'"; break;
        case '\t': out += attribute ? "&#9;" : "\t"; break;
        case '\n': out += attribute ? "&#10;" : "\n"; break;
        case '\r': out += "&#13;"; break;
        default: out.append(s.substr(i, n));
      }
    }
    i += n;
  }
  return out;
}

std::string junit_xml(const std::string& suite_name, const std::vector<JunitCase>& cases,
                      const JunitProperties& properties) {
  int failures = 0;
  double total = 0.0;
  for (const auto& c : cases) {
    failures += c.failed ? 1 : 0;
    if (std::isfinite(c.seconds) && c.seconds > 0) total += c.seconds;
  }
  const std::string counts = attr("tests", std::to_string(cases.size())) + attr("failures", std::to_string(failures)) +
                             attr("errors", "0");
  std::string x = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n";
  x += "<testsuites" + attr("name", suite_name) + counts + attr("time", decimal_seconds(total)) + ">\n";
  x += "  <testsuite" + attr("name", suite_name) + counts + attr("skipped", "0") + attr("time", decimal_seconds(total)) +
       ">\n";
  if (!properties.empty()) {
    x += "    <properties>\n";
    for (const auto& [name, value] : properties)
      x += "      <property" + attr("name", name) + attr("value", value) + "/>\n";
    x += "    </properties>\n";
  }
  for (const auto& c : cases) {
    x += "    <testcase" + attr("name", c.name) + attr("classname", c.classname) + attr("time", decimal_seconds(c.seconds));
    if (!c.failed && c.output.empty()) {
      x += "/>\n";
      continue;
    }
    x += ">\n";
    if (c.failed)
      x += "      <failure" + attr("message", c.failure_message) + attr("type", "failure") + ">" +
           xml_escape(c.failure_text, false) + "</failure>\n";
    if (!c.output.empty()) x += "      <system-out>" + xml_escape(c.output, false) + "</system-out>\n";
    x += "    </testcase>\n";
  }
  x += "  </testsuite>\n</testsuites>\n";
  return x;
}

void write_junit(const std::filesystem::path& path, const std::string& suite_name,
                 const std::vector<JunitCase>& cases, const JunitProperties& properties) {
  write_file_atomic(path, junit_xml(suite_name, cases, properties));
}

}  // namespace rtv
