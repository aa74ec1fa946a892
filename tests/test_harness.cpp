// The claim harness as a library: registry, result logic, reproducibility (same seed -> the same report,
// whatever the thread count), and that a failing measurement fails its claim.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <cctype>
#include <cstdlib>
#include <functional>
#include <stdexcept>
#include <filesystem>
#include <set>
#include <string>
#include <vector>

#include "claim.hpp"
#include "harness.hpp"
#include "registry.hpp"
#include "test_util.hpp"

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

}  // namespace
}  // namespace rtv::verify
