// harness_main (verify/harness.hpp): the command line of rtv-verify and of a user's own harness program, a thin
// shell over run_claims, write_report and write_junit_report.
// Exit status: 0 every claim passed, 1 a claim failed, 2 bad usage or bad input.
#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "harness.hpp"
#include "rtv/core/error.hpp"
#include "rtv/core/version.hpp"

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

}  // namespace

int harness_main(int argc, char** argv, const std::vector<Claim>& claims, const char* program, const char* about) {
  RunOptions opt;
  opt.program = program;
  po::options_description desc(std::string(program) + ": " + about + "\nUsage: " + program + " [options]\n\nOptions");
  std::vector<std::string> claim_args;
  std::string out = "out", junit;
  desc.add_options()
      ("help,h", "print this help and exit")
      ("list", "list the claims (id, kind, name, statement) and exit")
      ("claim", po::value<std::vector<std::string>>(&claim_args)->composing(),
       "run only these claims: ID[,ID...] (default: all)")
      ("quick", "quick size (CI): every claim, small experiments")
      ("seed", po::value<std::uint64_t>(&opt.seed)->default_value(kDefaultSeed), "seed of every random stream")
      ("out", po::value<std::string>(&out)->default_value("out"),
       "output folder: report.md, report.json, timings.json, figures/, data/")
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
    std::cout << desc << "\nExit status: 0 all selected claims passed, 1 a claim failed, 2 bad usage.\n";
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
    opt.validate(claims);
    if (opt.junit.has_parent_path()) {  // like --out, the JUnit file's folder is created (before the claims run)
      std::error_code ec;
      std::filesystem::create_directories(opt.junit.parent_path(), ec);
      if (ec) throw input_error("--junit", opt.junit.string() + ": cannot create its folder: " + ec.message());
    }
    std::cerr << program << " " << kVersion << ": " << (opt.claims.empty() ? claims.size() : opt.claims.size())
              << " claims, size " << to_string(opt.size) << ", seed " << opt.seed << " (override with --seed), out "
              << opt.out << "\n";
    const RunSummary summary = run_claims(opt, claims);
    write_report(opt, claims, summary);
    if (!opt.junit.empty()) write_junit_report(opt, claims, summary, opt.junit);
    std::cerr << summary_table(summary);
    std::cerr << "  report: " << (opt.out / "report.md").string() << "\n";
    if (!opt.junit.empty()) std::cerr << "  JUnit: " << opt.junit.string() << "\n";
    return summary.all_passed() ? 0 : 1;
  } catch (const InputError& e) {
    std::cerr << program << ": error: " << e.what() << "\n";
    return 2;
  }
}

}  // namespace rtv::verify
