// rtv/io/junit.hpp: JUnit XML, the test-report format CI servers read (Jenkins, GitLab, GitHub Actions
// reporters), for `rtv-verify --junit` and `rtv check --junit`.
//
// The document: <testsuites> holding one <testsuite name tests failures errors skipped time> with optional
// <properties> (e.g. seed, size, version) and one <testcase name classname time> per case; a failed case has a
// <failure message type="failure"> with a text, and every case may carry <system-out> (the measurements).
// tests/junit/junit.xsd is the schema the tests validate the output against.
//
// Escaping: any string can be passed in. & < > " ' are written as entities where they would be markup (all
// five in attributes; & < > in text); tab, newline and carriage return are character references in attributes
// (attribute-value normalisation would turn them into spaces) and CR is one in text (end-of-line handling would
// drop it). Code points XML 1.0 forbids (controls other than tab, LF, CR; U+FFFE, U+FFFF) and bytes that are not
// valid UTF-8 (stray continuation bytes, overlong forms, surrogates, values above U+10FFFF, truncated sequences)
// are each replaced by U+FFFD, never emitted, so that no input can make the file invalid.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace rtv {

/// One <testcase>.
struct JunitCase {
  std::string name;             ///< e.g. "W1 rescaling-invariance"
  std::string classname;        ///< e.g. "rtv.claims"
  double seconds = 0.0;         ///< wall time; written as a non-negative decimal (non-finite or negative: 0)
  bool failed = false;
  std::string failure_message;  ///< one line: what failed, the measured value and the bar (failed only)
  std::string failure_text;     ///< the failure's body, e.g. every failing measurement (failed only)
  std::string output;           ///< <system-out>: the measurements, one per line (omitted when empty)
};

/// Ordered name/value pairs of the suite's <properties> (omitted when empty).
using JunitProperties = std::vector<std::pair<std::string, std::string>>;

/// The JUnit XML document (UTF-8): one suite `suite_name` of `cases`, its time the sum of theirs.
std::string junit_xml(const std::string& suite_name, const std::vector<JunitCase>& cases,
                      const JunitProperties& properties = {});

/// Write junit_xml(...) to `path` atomically (rtv/io/files.hpp); InputError naming the path if its folder is
/// missing or not writable.
void write_junit(const std::filesystem::path& path, const std::string& suite_name,
                 const std::vector<JunitCase>& cases, const JunitProperties& properties = {});

/// `s` as XML character data (attribute = false) or as an attribute value in double quotes (attribute = true),
/// with the escaping and replacements described above.
std::string xml_escape(std::string_view s, bool attribute);

}  // namespace rtv
