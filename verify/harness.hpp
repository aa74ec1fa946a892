// verify/harness.hpp (installed as rtv/verify/harness.hpp, target rtv::harness): run claims and write the report
// (report.md, report.json, timings.json, figures/, data/; with --junit also JUnit XML). Everything in the report is
// a deterministic function of (version, seed, size, claim list): the same command gives the same report byte for
// byte. Wall times go to stderr, timings.json and the JUnit file only.
//
// The claims are passed in: rtv-verify passes rtv's catalogue (verify/registry.hpp), a user's program its own
// list, and harness_main() gives both the same command line.
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "claim.hpp"

namespace rtv::verify {

struct RunOptions {
  Size size = Size::Full;
  std::uint64_t seed = kDefaultSeed;
  int threads = 0;                    ///< 0: all hardware threads
  std::filesystem::path out = "out";
  std::vector<std::string> claims;    ///< ids; empty: all
  bool progress = true;               ///< progress lines on stderr
  std::string program = "rtv-verify"; ///< the command the report names ("command"); the JUnit suite's name
  std::filesystem::path junit;        ///< harness_main: also write JUnit XML here (empty: no)
  /// Called before each claim runs (may be empty). An exception it throws stops the run and propagates out of
  /// run_claims: the Python module checks for Ctrl-C here (a claim itself is not interrupted).
  std::function<void(const Claim&)> before_claim;

  /// Throws InputError naming the option if something is wrong (an id in `claims` that is not in `claim_list`,
  /// threads < 0, the JUnit file a folder, ...), or naming "claims" if two claims of `claim_list` share an id.
  void validate(const std::vector<Claim>& claim_list) const;
};

struct RunSummary {
  std::vector<ClaimResult> results;
  int passed = 0, failed = 0;
  double seconds = 0.0;
  bool all_passed() const { return failed == 0; }
};

/// Run the selected claims of `claims` (opt.claims; all if empty) in the order of `claims`; a claim that throws
/// is recorded as failed with the exception's message.
RunSummary run_claims(const RunOptions& opt, const std::vector<Claim>& claims);

/// Write report.md, report.json and timings.json into opt.out (atomically). `claims`: the list given to
/// run_claims.
void write_report(const RunOptions& opt, const std::vector<Claim>& claims, const RunSummary& summary);

/// Write the run as JUnit XML (rtv/io/junit.hpp) to `path`, atomically: one testcase per claim (name "<id> <name>",
/// classname "<program>.claims"), its statement and every measurement's line ("quantity: describe() [rule]
/// pass|FAIL") in its system-out; a failed claim's failure message is its reason (the first failing measurement's
/// value and bar), its text every failing measurement's line. Properties: rtv_version, seed, size, command.
void write_junit_report(const RunOptions& opt, const std::vector<Claim>& claims, const RunSummary& summary,
                        const std::filesystem::path& path);

/// The end-of-run summary table (for stderr).
std::string summary_table(const RunSummary& summary);

/// The command line of a harness program over `claims` (rtv-verify's main is this one call): --list, --claim
/// ID[,ID...], --quick, --seed, --out, --threads, --junit FILE (its folder created like --out's), --version,
/// --help. `program` names the program in help, progress, the report's command and the JUnit suite; `about` is the
/// first line of --help. Returns the exit status: 0 every selected claim passed, 1 one failed, 2 bad usage or bad
/// input (the message on stderr).
int harness_main(int argc, char** argv, const std::vector<Claim>& claims, const char* program,
                 const char* about = "run the claims and write a report.");

}  // namespace rtv::verify
