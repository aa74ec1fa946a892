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

/// Run the selected claims of `claims` (opt.claims; all if empty) in the order of `claims`, writing their figures
/// and data straight into opt.out; a claim that throws is recorded as failed with the exception's message, except
/// for two exceptions that are not the claim's failure and propagate: a stop request (rtv::Interrupted,
/// rtv/io/files.hpp: checked before each claim, at its progress lines and data files and while gnuplot runs) and an
/// output that cannot be written (rtv::OutputError: a full disk, named with the system's reason).
RunSummary run_claims(const RunOptions& opt, const std::vector<Claim>& claims);

/// What harness_main runs: the claims, the report and the JUnit file as one unit. The run writes into a fresh folder
/// beside opt.out (rtv::StagedFolder: "<parent>/.<out>.run.XXXXXX"), the JUnit file too when it lies inside opt.out;
/// only when report.md, report.json, timings.json, figures/ and data/ are complete does that folder replace opt.out
/// as a whole. A previous report stays whole until then; a run that fails with an exception (an OutputError names
/// the file under opt.out, as the user knows it) or is stopped (SIGINT, SIGTERM: rtv::Interrupted propagates) leaves
/// it as it was and leaves nothing of its own. A JUnit file outside opt.out is written (atomically) after the report
/// is in place. Because the whole folder is replaced, opt.out must be new, empty or hold a report only: the entries
/// report.md, report.json, timings.json, figures, data, the JUnit file's first component when inside it, and
/// rtv's temporaries (".*.tmp.*", ".rtv.run.*"); anything else (and the current folder) is an InputError naming --out, before
/// any claim runs. With opt.progress, a first line on stderr names the program, the claims, size, seed and folder
/// (after these checks: bad usage gives only its error line).
RunSummary run_and_report(const RunOptions& opt, const std::vector<Claim>& claims);

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
/// first line of --help. Runs run_and_report with SIGINT/SIGTERM handled (rtv::install_interrupt_handlers): the run
/// stops at its next check, removes what it wrote and returns 128 + the signal. Returns the exit status: 0 every
/// selected claim passed, 1 one failed, 2 bad usage or bad input (the message on stderr), 130 stopped by SIGINT,
/// 143 by SIGTERM.
int harness_main(int argc, char** argv, const std::vector<Claim>& claims, const char* program,
                 const char* about = "run the claims and write a report.");

}  // namespace rtv::verify
