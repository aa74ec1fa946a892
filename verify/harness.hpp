// verify/harness.hpp: run claims and write the report (report.md, report.json, timings.json, figures/,
// data/). Everything in the report is a deterministic function of (version, seed, size, claim list): the
// same command gives the same report byte for byte. Wall times go to stderr and timings.json only.
#pragma once

#include <cstdint>
#include <filesystem>
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

  /// Throws InputError naming the option if something is wrong (unknown claim id, threads < 0, ...).
  void validate() const;
};

struct RunSummary {
  std::vector<ClaimResult> results;
  int passed = 0, failed = 0;
  double seconds = 0.0;
  bool all_passed() const { return failed == 0; }
};

/// Run the selected claims; a claim that throws is recorded as failed with the exception's message.
RunSummary run_claims(const RunOptions& opt);

/// Write report.md, report.json and timings.json into opt.out (atomically).
void write_report(const RunOptions& opt, const RunSummary& summary);

/// The end-of-run summary table (for stderr).
std::string summary_table(const RunSummary& summary);

}  // namespace rtv::verify
