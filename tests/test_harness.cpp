// The claim harness as a library: registry, result logic, reproducibility (same seed -> the same report,
// whatever the thread count), and that a failing measurement fails its claim.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <set>

#include "claim.hpp"
#include "harness.hpp"
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
  for (const char* id : {"W1", "W2", "W3", "W4", "R1", "R2", "R3", "R4", "R5", "R6", "S1", "S2", "S3", "S4", "N1", "N2", "N3", "D1", "D2", "D3", "A1", "A2", "A3"}) EXPECT_TRUE(ids.count(id)) << id;
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
  return run_claims(opt);
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

}  // namespace
}  // namespace rtv::verify
