// The claim harness as a library: registry, result logic, reproducibility (same seed -> the same report,
// whatever the thread count), and that a failing measurement fails its claim.
#include <gtest/gtest.h>
#include <fcntl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <nlohmann/json.hpp>
#include <algorithm>
#include <cctype>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <fstream>
#include <map>
#include <thread>
#include <functional>
#include <stdexcept>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "claim.hpp"
#include "harness.hpp"
#include "registry.hpp"
#include "rtv/io/files.hpp"
#include "test_util.hpp"

extern char** environ;

namespace rtv::verify {
namespace {

TEST(Registry, IdsAreUniqueAndClaimsAreDescribed) {
  std::set<std::string> ids;
  for (const auto& c : registry()) {
    EXPECT_TRUE(ids.insert(c.id).second) << "duplicate id " << c.id;
    EXPECT_FALSE(c.name.empty());
    EXPECT_FALSE(c.statement.empty());
    EXPECT_FALSE(c.experiment.empty());
    EXPECT_EQ(c.section.rfind("THEORY.md s.", 0), 0u) << c.id << " must cite its THEORY.md section";
    EXPECT_TRUE(static_cast<bool>(c.run));
  }
}

// The catalogue table of CLAIMS.md (the project's spec; the repo holds no copy of it and the tests read nothing
// outside the repo), row by row in its order: id, slug, and whether the row is pending (catalogued but not
// implemented yet). Guards against a registry typo (an id or slug that is not the catalogue's), a claim dropped
// from or added to the registry without its catalogue row, a row implemented without leaving the pending list,
// and a change of the claims' order (the report's order is the catalogue's). When CLAIMS.md gains a row, add it
// here (pending until implemented).
struct CatalogueRow {
  const char* id;
  const char* slug;
  bool pending;
};
constexpr CatalogueRow kCatalogue[] = {
    {"W1", "rescaling-invariance", false},
    {"W2", "balance-minimises-wd", false},
    {"W3", "trained-nets-balanced", false},
    {"W4", "wd-equals-pathnorm-optimum", false},
    {"R1", "radon-accuracy", false},
    {"R2", "fbp-inversion", false},
    {"R3", "gaussian-rtv", false},
    {"R4", "neuron-dirac-pair", false},
    {"R5", "rtv-equals-pathnorm", false},
    {"R6", "ridge-rtv", false},
    {"S1", "min-tv-interpolation", false},
    {"S2", "knot-bound-1d", false},
    {"S3", "wd-training-solves-tv", false},
    {"S4", "skip-connection", false},
    {"N1", "neuron-reduction", false},
    {"N2", "trained-sparsity", false},
    {"N3", "certified-global-optimum", false},
    {"D1", "schatten-identity", false},
    {"D2", "linear-layers-low-rank", false},
    {"D3", "deep-skip-connections", false},
    {"A1", "maurey-rate", false},
    {"A2", "sharp-rate", false},
    {"A3", "curse-contrast", false},
    {"N4", "certified-global-optimum-3d", true},  // issue 18
    {"E1", "estimation-rate", true},              // issue 18
    {"E2", "linear-estimators-curse", true},      // issue 18
};

TEST(Registry, IdsAndSlugsAreTheCataloguesInItsOrderApartFromThePendingRows) {
  std::vector<std::string> expected, registered;
  for (const CatalogueRow& row : kCatalogue)
    if (!row.pending) expected.push_back(std::string(row.id) + " " + row.slug);
  for (const auto& c : registry()) registered.push_back(c.id + " " + c.name);
  EXPECT_EQ(registered, expected);
  for (const CatalogueRow& row : kCatalogue) {
    if (!row.pending) continue;
    for (const auto& c : registry()) EXPECT_NE(c.id, row.id) << row.id << " is implemented: take it off the pending list";
  }
}

// verify/claims/<id>_<slug>.cpp ('-' as '_') holds each registered claim, and every such file is registered:
// guards against a claim file the registry does not list (built, never run) and a file named after another claim.
TEST(Registry, EveryClaimIsItsOwnFileAndEveryClaimFileIsRegistered) {
  const std::filesystem::path dir = std::filesystem::path(RTV_SOURCE_DIR) / "verify" / "claims";
  std::set<std::string> files, wanted;
  for (const auto& e : std::filesystem::directory_iterator(dir)) {
    const std::string f = e.path().filename().string();
    const bool claim_file = f.size() > 3 && std::isupper(static_cast<unsigned char>(f[0])) &&
                            std::isdigit(static_cast<unsigned char>(f[1])) && f[2] == '_';
    if (claim_file) files.insert(f);
  }
  for (const auto& c : registry()) {
    std::string slug = c.name;
    for (char& ch : slug)
      if (ch == '-') ch = '_';
    wanted.insert(c.id + "_" + slug + ".cpp");
  }
  EXPECT_EQ(files, wanted);
}

TEST(ClaimResult, AFailedMeasurementFailsTheClaimAndIsNamed) {
  ClaimResult r;
  r.measurements.push_back(measure("good", 1.0, 1.0 + 1e-12, true, 1e-10, "rule"));
  r.measurements.push_back(at_most("too big", 2.0, 1.0, "rule"));
  r.measurements.push_back(at_least("big enough", 2.0, 1.0, "rule"));
  r.conclude();
  EXPECT_FALSE(r.passed);
  EXPECT_NE(r.reason.find("too big"), std::string::npos);
  EXPECT_TRUE(r.measurements[0].passed);
  EXPECT_FALSE(r.measurements[1].passed);
  EXPECT_TRUE(r.measurements[2].passed);
  EXPECT_FALSE(measure("nan", std::nan(""), 1.0, true, 1.0, "").passed);
  ClaimResult empty;
  empty.conclude();
  EXPECT_FALSE(empty.passed) << "a claim that measured nothing must not pass";
}

// Guards the explicit bound: a bound check must carry its bound in `bound` with its operator (the string-op
// Measurement kept an upper bound in `tolerance` and a lower one in `predicted`, easy to read from the wrong field).
TEST(ClaimResult, BoundChecksCarryTheirOperatorAndBound) {
  const Measurement up = at_most("upper", 0.5, 2.0, "rule"), low = at_least("lower", 3.0, 1.5, "rule");
  const Measurement near = measure("approx", 1.0, 1.1, false, 0.2, "rule");
  EXPECT_EQ(up.op, Op::AtMost);
  EXPECT_EQ(up.bound, 2.0);
  EXPECT_EQ(low.op, Op::AtLeast);
  EXPECT_EQ(low.bound, 1.5);
  EXPECT_EQ(near.op, Op::Approx);
  EXPECT_EQ(near.tolerance, 0.2);
  EXPECT_STREQ(to_string(Op::Approx), "~");  // report.json's "op"
  EXPECT_STREQ(to_string(Op::AtMost), "<=");
  EXPECT_STREQ(to_string(Op::AtLeast), ">=");
  EXPECT_EQ(describe(up), "0.5 <= 2");
  EXPECT_EQ(describe(low), "3 >= 1.5");
}

// Guards the report's "closest check" column: a passing check against a negative or zero bound used to score
// 1e300 and be named the worst, above a check that was nearly failing.
TEST(ClaimResult, ClosestCheckIsTheOneNearestItsBoundWhateverTheSignOfTheBound) {
  const Measurement far_negative = at_most("far below a zero bound", -3.0, 0.0, "rule");
  const Measurement at_zero = at_most("exactly at a zero bound", 0.0, 0.0, "rule");
  const Measurement near = at_most("nearly failing", 0.99, 1.0, "rule");
  const Measurement inside = at_most("well inside", 0.1, 1.0, "rule");
  const Measurement order_ok = at_least("order well above", 2.0, 1.7, "rule");
  const Measurement neg_lower = at_least("negative lower bound, far above", -0.1, -3.0, "rule");
  const Measurement neg_upper = at_most("negative upper bound, far below", -30.0, -1.0, "rule");
  for (const Measurement* m : {&far_negative, &at_zero, &near, &inside, &order_ok, &neg_lower, &neg_upper})
    EXPECT_TRUE(m->passed) << m->quantity;
  EXPECT_LT(closeness(far_negative), closeness(near));
  EXPECT_LT(closeness(neg_lower), closeness(near));
  EXPECT_LT(closeness(neg_upper), closeness(near));
  EXPECT_LT(closeness(inside), closeness(near));
  EXPECT_LT(closeness(order_ok), closeness(near));
  EXPECT_DOUBLE_EQ(closeness(at_zero), 0.5);  // met exactly: not shown in place of a check that comes close
  EXPECT_GT(closeness(near), closeness(at_zero));
  const Measurement failed = at_most("failed", 1.01, 1.0, "rule");
  EXPECT_FALSE(failed.passed);
  for (const Measurement* m : {&far_negative, &at_zero, &near, &inside, &order_ok, &neg_lower, &neg_upper})
    EXPECT_GT(closeness(failed), closeness(*m)) << m->quantity;
}

// Guards the failure message: it printed std::to_string's "0.000000 > 0.000000" for small numbers and the
// wrong operator for ">=" checks.
TEST(ClaimResult, FailureMessageUsesTheReportNumberFormatAndTheViolatedOperator) {
  ClaimResult r;
  r.measurements.push_back(at_least("observed order", 1.2345, 1.7, "rule"));
  r.conclude();
  EXPECT_EQ(r.reason, "failed: observed order: 1.234 < 1.7");
  ClaimResult s;
  s.measurements.push_back(at_most("tiny error", 3e-9, 1e-9, "rule"));
  s.conclude();
  EXPECT_EQ(s.reason, "failed: tiny error: 3e-09 > 1e-09");
  ClaimResult t;
  t.measurements.push_back(measure("value", 1.1, 1.0, true, 1e-3, "rule"));
  t.conclude();
  EXPECT_EQ(t.reason, "failed: value: 1.1 vs 1 (rel. err 0.1 > 0.001)");
}

// The quick reports written by the ctest fixtures verify_quick_threads1 and verify_quick_threads2 (seed 2301).
std::filesystem::path quick_report(int threads) {
  return std::filesystem::path(RTV_QUICK_REPORTS + std::to_string(threads));
}

RunSummary run_subset(const std::vector<std::string>& ids, std::uint64_t seed, int threads,
                      const std::filesystem::path& out) {
  RunOptions opt;
  opt.size = Size::Quick;
  opt.seed = seed;
  opt.threads = threads;
  opt.out = out;
  opt.claims = ids;
  opt.progress = false;
  return run_claims(opt, registry());
}

// The measured values of claim `id` in a report.json (JSON doubles round-trip exactly).
std::vector<double> measured_in_report(const nlohmann::json& j, const std::string& id) {
  std::vector<double> out;
  for (const auto& c : j["claims"])
    if (c["id"] == id)
      for (const auto& m : c["measurements"]) out.push_back(m["measured"].get<double>());
  return out;
}

TEST(Harness, SameSeedGivesTheSameReportWhateverTheThreads) {
  const auto one = quick_report(1), two = quick_report(2);
  ASSERT_TRUE(std::filesystem::exists(one / "report.json")) << "run by the ctest fixture verify_quick_threads1";
  ASSERT_TRUE(std::filesystem::exists(two / "report.json")) << "run by the ctest fixture verify_quick_threads2";
  const std::string a = test::slurp(one / "report.json"), b = test::slurp(two / "report.json");
  EXPECT_EQ(a, b);
  EXPECT_EQ(test::slurp(one / "report.md"), test::slurp(two / "report.md"));
  const auto j = nlohmann::json::parse(a);
  EXPECT_EQ(j["seed"], 2301);
  EXPECT_EQ(j["size"], "quick");
  EXPECT_EQ(j["claims"].size(), registry().size());
  EXPECT_EQ(j["failed"], 0);
  // Every figure file the report names exists and is non-empty.
  for (const auto& claim : j["claims"])
    for (const auto& fig : claim["figures"])
      for (const auto& file : fig["files"]) {
        const auto p = one / file.get<std::string>();
        EXPECT_TRUE(std::filesystem::exists(p) && std::filesystem::file_size(p) > 0) << p;
      }
  const std::string md = test::slurp(one / "report.md");
  EXPECT_NE(md.find("![F1 neuron-is-a-spline](figures/F1-neuron-is-a-spline.png)"), std::string::npos);
}

// Guards the per-claim random streams: a claim run alone (--claim) must give the numbers it gives in a run of
// every claim, and the seed must reach the random experiments.
TEST(Harness, SubsetOfClaimsGivesTheSameNumbersAndTheSeedChangesThem) {
  const auto j = nlohmann::json::parse(test::slurp(quick_report(1) / "report.json"));
  test::ScratchDir dir;
  const RunSummary s = run_subset({"W1", "W2"}, 2301, 1, dir / "subset");
  ASSERT_EQ(s.results.size(), 2u);
  for (const auto& r : s.results) {
    const std::vector<double> full = measured_in_report(j, r.id);
    ASSERT_EQ(full.size(), r.measurements.size()) << r.id;
    for (std::size_t i = 0; i < full.size(); ++i) EXPECT_EQ(full[i], r.measurements[i].measured) << r.id << " #" << i;
  }
  const RunSummary other = run_subset({"W1"}, 8, 2, dir / "seed8");
  const std::vector<double> full = measured_in_report(j, "W1");
  bool differs = false;
  for (std::size_t i = 0; i < full.size(); ++i) differs |= full[i] != other.results[0].measurements[i].measured;
  EXPECT_TRUE(differs) << "the seed must change the random experiments";
}

// The framework with a claim list of the caller's own (what rtv::harness gives a user's project) and its JUnit
// output. Guards against the harness still consulting rtv's registry (T1..T3 are not in it), a JUnit file that
// counts a failed claim as passed or loses the failing value and bar, a claim that throws reported as passing, and
// duplicate ids accepted. The ctest junit_schema runs this test with RTV_JUNIT_HARNESS_OUT set and validates the
// file against tests/junit/junit.xsd.
TEST(HarnessJunit, OwnClaimListAndOneTestcasePerClaim) {
  auto make = [](std::string id, std::string name, std::function<ClaimResult(const Context&)> run) {
    Claim c;
    c.id = std::move(id);
    c.name = std::move(name);
    c.statement = "statement of " + c.id;
    c.section = "THEORY.md s.2";
    c.experiment = "synthetic";
    c.run = std::move(run);
    return c;
  };
  const std::vector<Claim> claims = {
      make("T1", "passes",
           [](const Context&) {
             ClaimResult r;
             r.measurements.push_back(at_most("y", 1.0, 2.0, "r1"));
             r.conclude();
             return r;
           }),
      make("T2", "fails",
           [](const Context&) {
             ClaimResult r;
             r.measurements.push_back(at_least("z", 5.0, 4.0, "r2"));
             r.measurements.push_back(at_most("x", 3.0, 2.0, "bar reason"));
             r.conclude();
             return r;
           }),
      make("T3", "throws", [](const Context&) -> ClaimResult { throw std::runtime_error("boom <&>"); }),
  };
  test::ScratchDir dir;
  RunOptions opt;
  opt.size = Size::Quick;
  opt.out = dir / "out";
  opt.progress = false;
  opt.program = "my-prog";
  const RunSummary s = run_claims(opt, claims);
  ASSERT_EQ(s.results.size(), 3u);
  EXPECT_EQ(s.passed, 1);
  EXPECT_EQ(s.failed, 2);
  const char* env = std::getenv("RTV_JUNIT_HARNESS_OUT");
  const std::filesystem::path path = env ? std::filesystem::path(env) : dir / "junit.xml";
  write_junit_report(opt, claims, s, path);
  const std::string x = test::slurp(path);
  auto has = [&](const std::string& want) { EXPECT_NE(x.find(want), std::string::npos) << want << "\n" << x; };
  has("<testsuite name=\"my-prog\" tests=\"3\" failures=\"2\" errors=\"0\" skipped=\"0\"");
  has("<property name=\"command\" value=\"my-prog --quick --seed 2301\"/>");
  has("<testcase name=\"T1 passes\" classname=\"my-prog.claims\"");
  has("y: 1 &lt;= 2 [r1] pass\n");
  has("<failure message=\"failed: x: 3 &gt; 2\" type=\"failure\">x: 3 &gt; 2 [bar reason] FAIL\n</failure>");
  has("z: 5 &gt;= 4 [r2] pass\nx: 3 &gt; 2 [bar reason] FAIL\n</system-out>");  // every measurement in the output
  has("<failure message=\"the claim stopped with an error: boom &lt;&amp;&gt;\" type=\"failure\">");
  std::size_t n_cases = 0, n_failures = 0;
  for (auto p = x.find("<testcase "); p != std::string::npos; p = x.find("<testcase ", p + 1)) ++n_cases;
  for (auto p = x.find("<failure "); p != std::string::npos; p = x.find("<failure ", p + 1)) ++n_failures;
  EXPECT_EQ(n_cases, 3u);
  EXPECT_EQ(n_failures, 2u);
  // The claim list, not rtv's catalogue, decides which ids exist; ids must be unique.
  opt.claims = {"W1"};
  test::expect_input_error([&] { opt.validate(claims); }, "--claim", "known: T1, T2, T3");
  opt.claims = {};
  test::expect_input_error([&] { opt.validate({claims[0], claims[0]}); }, "claims", "two claims have the id 'T1'");
}

// ---- One run, one unit; stopped by a signal (issue 20) ----

namespace fs = std::filesystem;

// Every regular file below `root` (relative path -> bytes) and every folder (relative path -> "<folder>").
std::map<std::string, std::string> snapshot(const fs::path& root) {
  std::map<std::string, std::string> m;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string rel = fs::relative(e.path(), root).generic_string();
    m[rel] = e.is_directory() ? std::string("<folder>") : test::slurp(e.path());
  }
  return m;
}

void write_text(const fs::path& path, const std::string& text) {
  std::ofstream(path, std::ios::binary) << text;
}

std::vector<std::string> names_in(const fs::path& dir) {
  std::vector<std::string> v;
  for (const auto& e : fs::directory_iterator(dir)) v.push_back(e.path().filename().string());
  std::sort(v.begin(), v.end());
  return v;
}

// The files whose name holds ".tmp." or ".run." anywhere below `root` (the temporaries of an atomic write and of a
// staged run).
std::vector<std::string> temporaries_below(const fs::path& root) {
  std::vector<std::string> v;
  for (const auto& e : fs::recursive_directory_iterator(root)) {
    const std::string n = e.path().filename().string();
    if (n.find(".tmp.") != std::string::npos || n.find(".run.") != std::string::npos) v.push_back(e.path().string());
  }
  return v;
}

using test::process_running;

// rtv-verify with `args`, in a process group of its own, environment `env` added to ours, stdout and stderr to
// `log`.
pid_t spawn_verify(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                   const fs::path& log) {
  std::vector<std::string> argv_s = {RTV_VERIFY};
  argv_s.insert(argv_s.end(), args.begin(), args.end());
  std::vector<std::string> env_s;
  for (char** e = environ; *e; ++e) {
    const std::string kv = *e;
    if (!env.count(kv.substr(0, kv.find('=')))) env_s.push_back(kv);
  }
  for (const auto& [k, v] : env) env_s.push_back(k + "=" + v);
  std::vector<char*> argv, envp;
  for (auto& a : argv_s) argv.push_back(a.data());
  argv.push_back(nullptr);
  for (auto& e : env_s) envp.push_back(e.data());
  envp.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 0, "/dev/null", O_RDONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 1, log.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  posix_spawn_file_actions_adddup2(&fa, 1, 2);
  posix_spawnattr_t attr;
  posix_spawnattr_init(&attr);
  posix_spawnattr_setpgroup(&attr, 0);
  posix_spawnattr_setflags(&attr, POSIX_SPAWN_SETPGROUP);
  pid_t pid = -1;
  const int rc = posix_spawn(&pid, argv[0], &fa, &attr, argv.data(), envp.data());
  posix_spawn_file_actions_destroy(&fa);
  posix_spawnattr_destroy(&attr);
  if (rc != 0) throw std::runtime_error("posix_spawn rtv-verify failed");
  return pid;
}

// Wait for `pid` at most `seconds`; kills it (and its group) and returns -1 if it takes longer.
int wait_for(pid_t pid, double seconds) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::duration<double>(seconds);
  int status = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    if (::waitpid(pid, &status, WNOHANG) == pid) return status;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  ::kill(-pid, SIGKILL);
  ::waitpid(pid, &status, 0);
  return -1;
}

// The kill test. Guards against: a run that replaces the previous report with a partial one (figures and data of
// the unfinished run in place of the intact ones), temporaries left behind (figures/.*.tmp.*, the staging folder
// .out.run.*, rtv-gnuplot-stderr.* / rtv-gnuplot-script.* in TMPDIR), a gnuplot child left running, and the wrong
// exit status (today's main dies by the signal with all of that debris for SIGTERM, and for SIGINT, which
// std::system ignores while gnuplot runs, goes on and replaces the report by one whose figures failed).
// "gnuplot" is a script that records its pid, marks the moment and sleeps: the signal arrives while a figure
// renders, every time (with the real gnuplot that moment is a few ms and the test would be a race). SIGTERM goes
// to rtv-verify alone (kill, a CI timeout), SIGINT to its whole process group (Ctrl-C at a terminal).
TEST(HarnessSignals, StoppedWhileRenderingAFigureKeepsThePreviousReportAndLeavesNothing) {
  for (const int sig : {SIGTERM, SIGINT}) {
    SCOPED_TRACE(sig == SIGTERM ? "SIGTERM" : "SIGINT");
    test::ScratchDir dir;
    const fs::path parent = dir / "reports", out = parent / "out", tmp = dir / "tmp", mark = dir / "gnuplot.pid";
    fs::create_directories(parent);
    fs::create_directories(tmp);
    const std::vector<std::string> args = {"--quick", "--claim", "W1,W2", "--seed", "2301", "--out", out.string()};
    // 1. A complete previous report (real gnuplot).
    const pid_t first = spawn_verify(args, {{"TMPDIR", tmp.string()}}, dir / "first.log");
    const int st = wait_for(first, 120);
    ASSERT_TRUE(WIFEXITED(st) && WEXITSTATUS(st) == 0) << test::slurp(dir / "first.log");
    const auto before = snapshot(out);
    ASSERT_TRUE(before.count("figures/F1-neuron-is-a-spline.png")) << "W2 draws figure F1";
    ASSERT_TRUE(before.count("report.json"));
    // 2. The same run, stopped while it renders F1.
    const fs::path slow = dir / "slow-gnuplot";
    write_text(slow, "#!/bin/sh\necho $$ > " + test::q(mark.string()) + ".part && mv " + test::q(mark.string()) +
                               ".part " + test::q(mark.string()) + "\nexec sleep 60\n");
    fs::permissions(slow, fs::perms::owner_all);
    const pid_t run = spawn_verify(args, {{"TMPDIR", tmp.string()}, {"RTV_GNUPLOT", slow.string()}}, dir / "run.log");
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
    while (!fs::exists(mark) && std::chrono::steady_clock::now() < deadline)
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    ASSERT_TRUE(fs::exists(mark)) << "the run never started a figure: " << test::slurp(dir / "run.log");
    const pid_t gnuplot = std::stoi(test::slurp(mark));
    ::kill(sig == SIGINT ? -run : run, sig);
    const auto t0 = std::chrono::steady_clock::now();
    const int status = wait_for(run, 20);
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    if (process_running(gnuplot)) {
      ADD_FAILURE() << "the gnuplot child " << gnuplot << " is still running";
      ::kill(gnuplot, SIGKILL);
    }
    const std::string log = test::slurp(dir / "run.log");
    ASSERT_NE(status, -1) << "rtv-verify did not stop within 20 s of the signal\n" << log;
    EXPECT_TRUE(WIFEXITED(status)) << "died by signal " << (WIFSIGNALED(status) ? WTERMSIG(status) : 0) << "\n" << log;
    EXPECT_EQ(WIFEXITED(status) ? WEXITSTATUS(status) : -1, 128 + sig) << log;
    EXPECT_LT(seconds, 5.0) << "it should stop at once (it kills gnuplot), not after the figure";
    EXPECT_NE(log.find(sig == SIGTERM ? "interrupted by SIGTERM" : "interrupted by SIGINT"), std::string::npos) << log;
    EXPECT_EQ(snapshot(out), before) << "the previous report must stay byte for byte";
    EXPECT_EQ(names_in(parent), std::vector<std::string>{"out"}) << "a staging folder was left beside the report";
    EXPECT_TRUE(temporaries_below(parent).empty()) << temporaries_below(parent).front();
    EXPECT_TRUE(names_in(tmp).empty()) << "left in TMPDIR: " << names_in(tmp).front();
  }
}

// A stop request that arrives while a claim computes (not in gnuplot) ends the run at the claim's next progress
// line or data file: run_and_report throws Interrupted, the previous report stays, nothing of the run is left.
// Guards against a stop request swallowed as a claim failure (the run would go on, then replace the report).
// In-process (request_interrupt is what the signal handler does).
TEST(HarnessSignals, StopRequestDuringAClaimLeavesThePreviousReport) {
  auto make = [](std::string id, std::function<ClaimResult(const Context&)> run) {
    Claim c;
    c.id = std::move(id);
    c.name = "synthetic";
    c.statement = "statement";
    c.section = "THEORY.md s.2";
    c.experiment = "synthetic";
    c.run = std::move(run);
    return c;
  };
  bool stop = false;
  const std::vector<Claim> claims = {
      make("T1",
           [](const Context& ctx) {
             ClaimResult r;
             write_text(ctx.data_file("t1.csv"), "x\n1\n");
             r.data_files.push_back(ctx.data_dir / "t1.csv");
             r.measurements.push_back(at_most("y", 1.0, 2.0, "r"));
             r.conclude();
             return r;
           }),
      make("T2",
           [&stop](const Context& ctx) {
             if (stop) request_interrupt(SIGTERM);  // the signal arrives during T2's computation
             ctx.progress("step 1");
             ClaimResult r;
             r.measurements.push_back(at_most("z", 1.0, 2.0, "r"));
             r.conclude();
             return r;
           }),
  };
  test::ScratchDir dir;
  RunOptions opt;
  opt.size = Size::Quick;
  opt.out = dir / "out";
  opt.progress = false;
  run_and_report(opt, claims);
  const auto before = snapshot(opt.out);
  ASSERT_TRUE(before.count("data/T1/t1.csv"));
  stop = true;
  try {
    run_and_report(opt, claims);
    ADD_FAILURE() << "no Interrupted";
  } catch (const Interrupted& e) {
    EXPECT_EQ(e.signal(), SIGTERM);
  }
  clear_interrupt();
  EXPECT_EQ(snapshot(opt.out), before);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out"});
}

// A run replaces the whole folder: a subset run leaves no figures or data of an older run's other claims (they
// would stand beside a report that does not name them), the JUnit file inside --out comes with it, and a folder
// holding anything but a report is refused before any claim runs (it would be deleted). Guards against a run that
// merges into the old folder and against one that deletes a user's files.
TEST(HarnessSignals, ARunReplacesTheWholeFolderAndRefusesOneThatIsNotAReport) {
  Claim c;
  c.id = "T1";
  c.name = "synthetic";
  c.statement = "statement";
  c.section = "THEORY.md s.2";
  c.experiment = "synthetic";
  c.run = [](const Context&) {
    ClaimResult r;
    r.measurements.push_back(at_most("y", 1.0, 2.0, "r"));
    r.conclude();
    return r;
  };
  test::ScratchDir dir;
  RunOptions opt;
  opt.size = Size::Quick;
  opt.out = dir / "out";
  opt.junit = dir / "out" / "ci" / "junit.xml";
  opt.progress = false;
  fs::create_directories(opt.out / "figures");
  write_text(opt.out / "figures" / "OLD-figure.png", "old");
  write_text(opt.out / "report.md", "old report");
  write_text(opt.out / ".report.json.tmp.abc123", "debris of an older version");
  run_and_report(opt, {c});
  EXPECT_FALSE(fs::exists(opt.out / "figures" / "OLD-figure.png"));
  EXPECT_FALSE(fs::exists(opt.out / ".report.json.tmp.abc123"));
  EXPECT_NE(test::slurp(opt.out / "report.md"), "old report");
  EXPECT_NE(test::slurp(opt.junit).find("<testcase name=\"T1 synthetic\""), std::string::npos);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out"});
  // Not a report: refused, untouched.
  write_text(opt.out / "notes.txt", "mine");
  const auto before = snapshot(opt.out);
  test::expect_input_error([&] { run_and_report(opt, {c}); }, "--out",
                           "holds 'notes.txt', which is not part of a report");
  EXPECT_EQ(snapshot(opt.out), before);
  opt.junit.clear();
  opt.out = ".";
  test::expect_input_error([&] { run_and_report(opt, {c}); }, ".", "the current folder");
}

// --seed takes 0 .. 2^64 - 1 and nothing else: "-1" was read as 2^64 - 1 (boost's lexical_cast), "1e3" and "12abc"
// are not seeds. Each refusal is exit 2 naming --seed, before any output.
TEST(HarnessSignals, NegativeOrMalformedSeedsAreRefused) {
  test::ScratchDir dir;
  const fs::path out = dir / "out";
  for (const char* bad : {"-1", "-0", "1e3", "12abc", "18446744073709551616", "99999999999999999999999", " 5", ""}) {
    const auto r = test::run(std::string(RTV_VERIFY) + " --quick --claim W1 --seed " + test::q(bad) + " --out " +
                             test::q(out.string()));
    EXPECT_EQ(r.status, 2) << bad << "\n" << r.err;
    EXPECT_NE(r.err.find("--seed"), std::string::npos) << bad << "\n" << r.err;
    EXPECT_EQ(std::count(r.err.begin(), r.err.end(), '\n'), 1) << "one line: " << r.err;
    EXPECT_FALSE(fs::exists(out)) << bad;
  }
  const auto ok = test::run(std::string(RTV_VERIFY) + " --quick --claim W1 --seed 18446744073709551615 --out " +
                            test::q(out.string()));
  ASSERT_EQ(ok.status, 0) << ok.err;
  EXPECT_EQ(nlohmann::json::parse(test::slurp(out / "report.json"))["seed"].get<std::uint64_t>(),
            18446744073709551615ULL);
}

// On a full disk the run must stop, name the write that failed and the system's reason, and keep the previous
// report: before, every claim failed with "gnuplot did not write the figure ...: is gnuplot installed?" (or a data
// file's "cannot write (disk full or not writable)"), and the report of those failures replaced the previous one.
// The disk is a file size limit (ulimit -f 40: 20480 bytes, SIGXFSZ ignored, so a write past it fails with EFBIG
// "File too large"), which needs no root: W2's data file (16 KB) fits, F1's gnuplot script or its PNG (26 KB) does
// not. Which of the two fails first depends on their sizes, so both are accepted here; that a figure gnuplot could
// not write is named so is Plot.AFullDiskIsNamedNotBlamedOnGnuplot, and a real full tmpfs is
// AtomicOutput.AFullDiskIsNamed and the second half of that test.
TEST(HarnessSignals, AFullDiskStopsTheRunNamingTheWriteAndKeepsThePreviousReport) {
  test::ScratchDir dir;
  const fs::path out = dir / "out";
  const std::string verify = std::string(RTV_VERIFY) + " --quick --claim W2 --out " + test::q(out.string());
  ASSERT_EQ(test::run(verify).status, 0);
  const auto before = snapshot(out);
  const auto r = test::run("sh -c " + test::q("trap '' XFSZ; ulimit -f 40; exec " + verify));
  EXPECT_EQ(r.status, 2) << r.err;
  const auto last = r.err.rfind("rtv-verify: error: ");
  ASSERT_NE(last, std::string::npos) << r.err;
  const std::string line = r.err.substr(last);
  const bool figure = line == "rtv-verify: error: " + (out / "figures" / "F1-neuron-is-a-spline.png").string() +
                                  ": cannot write: File too large (gnuplot could not write the figure "
                                  "'F1-neuron-is-a-spline', pngcairo)\n";
  const bool script = line.find(": cannot write: File too large (gnuplot's script for the figure "
                                "'F1-neuron-is-a-spline')\n") != std::string::npos &&
                      line.find("rtv-gnuplot-script.") != std::string::npos;
  EXPECT_TRUE(figure || script) << line;
  EXPECT_EQ(r.err.find("installed"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("FAIL"), std::string::npos) << "not a claim failure: " << r.err;
  EXPECT_EQ(snapshot(out), before);
  EXPECT_EQ(names_in(dir.path()), std::vector<std::string>{"out"}) << "nothing of the run is left";
}

}  // namespace
}  // namespace rtv::verify
