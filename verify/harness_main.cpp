// harness_main (verify/harness.hpp): the command line of rtv-verify and of a user's own harness program, a thin
// shell over run_claims, write_report and write_junit_report.
// Exit status: 0 every claim passed, 1 a claim failed, 2 bad usage or bad input, 130/143 stopped by SIGINT/SIGTERM.
#include <boost/program_options.hpp>
#include <cerrno>
#include <cstdlib>
#include <iostream>
#include <limits>
#include <sstream>

#include "harness.hpp"
#include "rtv/core/error.hpp"
#include "rtv/core/version.hpp"
#include "rtv/io/files.hpp"

namespace rtv::verify {

namespace po = boost::program_options;

namespace {

std::vector<std::string> split_ids(const std::vector<std::string>& args) {
  std::vector<std::string> ids;
  for (const auto& a : args) {
    std::stringstream ss(a);
    for (std::string id; std::getline(ss, id, ',');)
      if (!id.empty()) ids.push_back(id);
  }
  return ids;
}

// --seed: a whole number 0 .. 2^64 - 1 in decimal, nothing else (boost's lexical_cast reads "-1" as 2^64 - 1).
std::uint64_t parse_seed(const std::string& text) {
  const auto bad = [&](const std::string& why) {
    return input_error("--seed", "'" + text + "' " + why + ": give a whole number from 0 to " +
                                     std::to_string(std::numeric_limits<std::uint64_t>::max()));
  };
  if (text.empty()) throw bad("is empty");
  if (text[0] == '-') throw bad("is negative");
  for (char ch : text)
    if (ch < '0' || ch > '9') throw bad("is not a whole number");
  errno = 0;
  char* end = nullptr;
  const unsigned long long v = std::strtoull(text.c_str(), &end, 10);
  if (errno == ERANGE || *end != '\0') throw bad("is too large");
  return static_cast<std::uint64_t>(v);
}

}  // namespace

int harness_main(int argc, char** argv, const std::vector<Claim>& claims, const char* program, const char* about) {
  RunOptions opt;
  opt.program = program;
  po::options_description desc(std::string(program) + ": " + about + "\nUsage: " + program + " [options]\n\nOptions");
  std::vector<std::string> claim_args;
  std::string out = "out", junit, seed = std::to_string(kDefaultSeed);
  desc.add_options()
      ("help,h", "print this help and exit")
      ("list", "list the claims (id, kind, name, statement) and exit")
      ("claim", po::value<std::vector<std::string>>(&claim_args)->composing(),
       "run only these claims: ID[,ID...] (default: all)")
      ("quick", "quick size (CI): every claim, small experiments")
      ("seed", po::value<std::string>(&seed)->default_value(std::to_string(kDefaultSeed)),
       "seed of every random stream (0 to 2^64 - 1)")
      ("out", po::value<std::string>(&out)->default_value("out"),
       "output folder: report.md, report.json, timings.json, figures/, data/ (replaced as a whole at the end of "
       "the run; it must hold nothing else)")
      ("threads", po::value<int>(&opt.threads)->default_value(0), "worker threads (0: all cores)")
      ("junit", po::value<std::string>(&junit), "also write the run as JUnit XML to FILE (one testcase per claim)")
      ("version", "print the version and exit");
  po::variables_map vm;
  try {
    po::store(po::command_line_parser(argc, argv).options(desc).run(), vm);
    po::notify(vm);
  } catch (const po::error& e) {
    std::cerr << program << ": error: " << e.what() << " (see " << program << " --help)\n";
    return 2;
  }
  if (vm.count("help")) {
    std::cout << desc
              << "\nExit status: 0 all selected claims passed, 1 a claim failed, 2 bad usage, 130/143 stopped by "
                 "SIGINT/SIGTERM (the previous report in --out is kept whole, nothing of the run is left).\n";
    return 0;
  }
  if (vm.count("version")) {
    std::cout << program << " " << kVersion << "\n";
    return 0;
  }
  if (vm.count("list")) {
    for (const auto& c : claims)
      std::cout << c.id << "\t" << to_string(c.kind) << "\t" << c.name << "\t" << c.statement << " (" << c.section
                << ")\n";
    return 0;
  }
  opt.size = vm.count("quick") ? Size::Quick : Size::Full;
  opt.out = out;
  opt.junit = junit;
  opt.claims = split_ids(claim_args);
  try {
    opt.seed = parse_seed(seed);
    opt.validate(claims);
    install_interrupt_handlers();
    const RunSummary summary = run_and_report(opt, claims);
    std::cerr << summary_table(summary);
    std::cerr << "  report: " << (opt.out / "report.md").string() << "\n";
    if (!opt.junit.empty()) std::cerr << "  JUnit: " << opt.junit.string() << "\n";
    return summary.all_passed() ? 0 : 1;
  } catch (const Interrupted& e) {
    std::cerr << program << ": " << e.what() << ": stopped; " << opt.out.string()
              << " is as it was before the run, and nothing of the run is left\n";
    return 128 + e.signal();
  } catch (const InputError& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace rtv::verify
