// The JUnit XML writer (rtv/io/junit.hpp): escaping of every XML metacharacter, replacement of what XML 1.0
// forbids and of invalid UTF-8, counts and structure. Expected strings are written out by hand from the XML 1.0
// and UTF-8 (RFC 3629) rules, not produced by the writer. Schema validity of whole files is checked by the ctest
// junit_schema (tests/junit/run.cmake, xmllint against tests/junit/junit.xsd), which runs HostileFile below.
#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <vector>

#include "rtv/io/files.hpp"
#include "rtv/io/junit.hpp"
#include "test_util.hpp"

namespace rtv {
namespace {

const std::string kFFFD = "\xEF\xBF\xBD";

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto p = hay.find(needle); p != std::string::npos; p = hay.find(needle, p + needle.size())) ++n;
  return n;
}

// Guards against a missing entity (a raw & or < ends the document as XML) and against escaping quotes in text
// only, or in attributes only (an attribute value with a raw " ends early).
TEST(Junit, EscapesMetacharacters) {
  EXPECT_EQ(xml_escape("a & b < c > d \" e ' f", false), "a &amp; b &lt; c &gt; d \" e ' f");
  EXPECT_EQ(xml_escape("a & b < c > d \" e ' f", true), "a &amp; b &lt; c &gt; d &quot; e &apos; f");
  EXPECT_EQ(xml_escape("]]>", false), "]]&gt;");  // the CDATA end marker may not appear in text
  EXPECT_EQ(xml_escape("&amp;", false), "&amp;amp;");  // already-escaped input is data, escaped again
}

// Guards against tab/newline written raw in attributes (a reader's attribute-value normalisation turns them
// into spaces) and a raw CR (end-of-line handling drops it).
TEST(Junit, WhitespaceSurvivesParsing) {
  EXPECT_EQ(xml_escape("a\tb\nc\rd", true), "a&#9;b&#10;c&#13;d");
  EXPECT_EQ(xml_escape("a\tb\nc\rd", false), "a\tb\nc&#13;d");
}

// Guards against emitting control characters (XML 1.0 Char excludes U+0000-U+0008, U+000B, U+000C,
// U+000E-U+001F and U+FFFE, U+FFFF: a parser rejects the whole file), and against replacing too much (DEL and
// the C1 controls are allowed XML 1.0 characters).
TEST(Junit, ReplacesCharactersXmlForbids) {
  EXPECT_EQ(xml_escape(std::string("a\0b", 3), false), "a" + kFFFD + "b");
  EXPECT_EQ(xml_escape("\x01\x08\x0B\x0C\x0E\x1F", false), kFFFD + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD);
  EXPECT_EQ(xml_escape("\x1B[31mred\x1B[0m", true), kFFFD + "[31mred" + kFFFD + "[0m");  // a terminal colour code
  EXPECT_EQ(xml_escape("\xEF\xBF\xBE \xEF\xBF\xBF", false), kFFFD + " " + kFFFD);  // U+FFFE, U+FFFF
  EXPECT_EQ(xml_escape("\x7F \xC2\x85", false), "\x7F \xC2\x85");                 // DEL, U+0085: allowed
  EXPECT_EQ(xml_escape("\xEF\xBF\xBD", false), kFFFD);                             // U+FFFD itself: kept
}

// Guards against passing bytes through unchecked (a file that is not UTF-8 is not XML) and against a decoder that
// accepts what RFC 3629 forbids, or rejects valid text.
TEST(Junit, ReplacesInvalidUtf8KeepsValid) {
  // Valid: 2-, 3- and 4-byte sequences at the ends of their ranges.
  const std::string valid = "\xC3\xA9 \xE2\x82\xAC \xF0\x9D\x84\x9E \xED\x9F\xBF \xEE\x80\x80 \xF4\x8F\xBF\xBF \xC2\x80";
  EXPECT_EQ(xml_escape(valid, false), valid);
  EXPECT_EQ(xml_escape("\x80", false), kFFFD);                       // stray continuation byte
  EXPECT_EQ(xml_escape("\xC0\xAF", false), kFFFD + kFFFD);           // overlong '/' (2 bytes)
  EXPECT_EQ(xml_escape("\xE0\x80\xAF", false), kFFFD + kFFFD + kFFFD);  // overlong '/' (3 bytes)
  EXPECT_EQ(xml_escape("\xF0\x80\x80\xAF", false), kFFFD + kFFFD + kFFFD + kFFFD);  // overlong (4 bytes)
  EXPECT_EQ(xml_escape("\xED\xA0\x80", false), kFFFD + kFFFD + kFFFD);  // surrogate U+D800
  EXPECT_EQ(xml_escape("\xF4\x90\x80\x80", false), kFFFD + kFFFD + kFFFD + kFFFD);  // U+110000
  EXPECT_EQ(xml_escape("\xF8\x88\x80\x80\x80", false), std::string() + kFFFD + kFFFD + kFFFD + kFFFD + kFFFD);
  EXPECT_EQ(xml_escape("\xFF\xFE", false), kFFFD + kFFFD);
  EXPECT_EQ(xml_escape("ab\xE2\x82", false), "ab" + kFFFD + kFFFD);  // truncated at the end of the input
  EXPECT_EQ(xml_escape("\xE2\x82<", true), kFFFD + kFFFD + "&lt;");   // truncated, then markup: resynchronised
}

// Guards against wrong counts in the suite header (CI servers show them as the verdict), a passing case
// reported with a <failure>, a failure without its message, and the time attribute in exponent notation
// (xs:decimal has none) or negative.
TEST(Junit, CountsAndStructure) {
  std::vector<JunitCase> cases(3);
  cases[0] = {"W1 one", "rtv.claims", 0.25, false, "", "", "W1 measured 1 <= 2\n"};
  cases[1] = {"W2 two", "rtv.claims", 1e-9, true, "failed: x: 3 > 2", "x: 3 > 2 (bar)", "x: 3 > 2\n"};
  cases[2] = {"W3 three", "rtv.claims", -1.0, false, "", "", ""};
  const std::string x = junit_xml("rtv-verify", cases, {{"seed", "2301"}, {"size", "quick"}});
  EXPECT_EQ(x.rfind("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n", 0), 0u);
  EXPECT_NE(x.find("<testsuites name=\"rtv-verify\" tests=\"3\" failures=\"1\" errors=\"0\" time=\"0.250000\">"),
            std::string::npos) << x;
  EXPECT_NE(x.find("<testsuite name=\"rtv-verify\" tests=\"3\" failures=\"1\" errors=\"0\" skipped=\"0\" "
                   "time=\"0.250000\">"), std::string::npos) << x;
  EXPECT_EQ(count(x, "<testcase "), 3u);
  EXPECT_EQ(count(x, "<failure "), 1u);
  EXPECT_NE(x.find("<testcase name=\"W2 two\" classname=\"rtv.claims\" time=\"0.000000\">\n      <failure "
                   "message=\"failed: x: 3 &gt; 2\" type=\"failure\">x: 3 &gt; 2 (bar)</failure>"),
            std::string::npos) << x;
  EXPECT_NE(x.find("<testcase name=\"W3 three\" classname=\"rtv.claims\" time=\"0.000000\"/>"), std::string::npos) << x;
  EXPECT_NE(x.find("<system-out>W1 measured 1 &lt;= 2\n</system-out>"), std::string::npos) << x;
  EXPECT_NE(x.find("<property name=\"seed\" value=\"2301\"/>\n      <property name=\"size\" value=\"quick\"/>"),
            std::string::npos) << x;
  EXPECT_EQ(count(x, "e-"), 0u) << "exponent notation in a time";
  // An empty suite is still a valid document with zero counts.
  const std::string e = junit_xml("empty", {});
  EXPECT_NE(e.find("tests=\"0\" failures=\"0\""), std::string::npos) << e;
  EXPECT_EQ(count(e, "<properties>"), 0u);
}

TEST(Junit, WritesAtomicallyAndNamesBadPath) {
  test::ScratchDir dir;
  write_junit(dir / "j.xml", "s", {{"a", "c", 1.0, false, "", "", ""}});
  EXPECT_EQ(read_file(dir / "j.xml"), junit_xml("s", {{"a", "c", 1.0, false, "", "", ""}}));
  EXPECT_EQ(dir.files(), std::vector<std::string>{"j.xml"});  // no temporary left behind
  test::expect_input_error([&] { write_junit(dir / "missing" / "j.xml", "s", {}); }, "missing", "does not exist");
}

// Every kind of hostile input in every place a string goes (suite name, property, case name, classname,
// failure message and text, output). The ctest junit_schema runs this test with RTV_JUNIT_HOSTILE_OUT set and
// validates the file with xmllint against tests/junit/junit.xsd; without it, the file goes to a scratch folder.
TEST(Junit, HostileFile) {
  static const char kHead[] = "& < > \" ' ]]> <!-- --> <![CDATA[ x ]]> &amp; &#0; \0 \x01\x07\x0B\x1B";
  const std::string hostile = std::string(kHead, sizeof kHead - 1) +  // with its NUL
                              " \t\n\r \x7F \x80 \xC0\xAF \xED\xA0\x80 \xF4\x90\x80\x80 \xEF\xBF\xBE \xE2\x82" +
                              " \xC3\xA9 \xF0\x9D\x84\x9E \xE2\x82";
  std::vector<JunitCase> cases;
  cases.push_back({hostile, hostile, 0.5, true, hostile, hostile, hostile});
  cases.push_back({"plain", "rtv.unit", 1.0, false, hostile, hostile, hostile});  // ignored failure fields
  cases.push_back({"", "", 0.0, false, "", "", ""});
  const JunitProperties props = {{hostile, hostile}, {"seed", "2301"}};
  test::ScratchDir dir;
  const char* env = std::getenv("RTV_JUNIT_HOSTILE_OUT");
  const std::filesystem::path out = env ? std::filesystem::path(env) : dir / "hostile.xml";
  write_junit(out, hostile, cases, props);
  const std::string x = read_file(out);
  EXPECT_NE(x.find("&lt;!-- --&gt; &lt;![CDATA[ x ]]&gt; &amp;amp; &amp;#0; " + kFFFD + " " + kFFFD), std::string::npos) << x;
  // No forbidden byte reached the file: no NUL, no C0 control other than tab, LF (CR only as &#13;).
  for (unsigned char ch : x) EXPECT_TRUE(ch >= 0x20 || ch == '\t' || ch == '\n') << "byte " << int(ch);
  EXPECT_EQ(count(x, "<failure "), 1u);
  EXPECT_EQ(count(x, "<testcase "), 3u);
}

}  // namespace
}  // namespace rtv
