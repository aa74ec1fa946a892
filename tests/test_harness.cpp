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
  EXPECT_DOUBLE_EQ(closeness(at_zero), 1.0);
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

std::string run_report(const std::filesystem::path& out, int threads, std::uint64_t seed) {
  RunOptions opt;
  opt.size = Size::Quick;
  opt.seed = seed;
  opt.threads = threads;
  opt.out = out;
  opt.progress = false;
  const RunSummary s = run_claims(opt);
  write_report(opt, s);
  EXPECT_TRUE(s.all_passed());
  return test::slurp(out / "report.json");
}

TEST(Harness, SameSeedGivesTheSameReportWhateverTheThreads) {
  test::ScratchDir dir;
  const std::string a = run_report(dir / "a", 1, 7), b = run_report(dir / "b", 2, 7);
  EXPECT_EQ(a, b);
  EXPECT_EQ(test::slurp(dir / "a" / "report.md"), test::slurp(dir / "b" / "report.md"));
  const std::string c = run_report(dir / "c", 2, 8);
  EXPECT_NE(a, c) << "the seed must change the random experiments";
  const auto j = nlohmann::json::parse(a);
  EXPECT_EQ(j["seed"], 7);
  EXPECT_EQ(j["size"], "quick");
  EXPECT_EQ(j["claims"].size(), registry().size());
  // Every figure file the report names exists and is non-empty.
  for (const auto& claim : j["claims"])
    for (const auto& fig : claim["figures"])
      for (const auto& file : fig["files"]) {
        const auto p = dir / "a" / file.get<std::string>();
        EXPECT_TRUE(std::filesystem::exists(p) && std::filesystem::file_size(p) > 0) << p;
      }
  const std::string md = test::slurp(dir / "a" / "report.md");
  EXPECT_NE(md.find("![F1 neuron-is-a-spline](figures/F1-neuron-is-a-spline.png)"), std::string::npos);
}

TEST(Harness, SubsetOfClaimsGivesTheSameNumbers) {
  test::ScratchDir dir;
  RunOptions all;
  all.size = Size::Quick;
  all.out = dir / "all";
  all.progress = false;
  RunOptions one = all;
  one.out = dir / "one";
  one.claims = {"W2"};
  const auto s_all = run_claims(all), s_one = run_claims(one);
  ASSERT_EQ(s_one.results.size(), 1u);
  const ClaimResult* w2 = nullptr;
  for (const auto& r : s_all.results)
    if (r.id == "W2") w2 = &r;
  ASSERT_NE(w2, nullptr);
  ASSERT_EQ(w2->measurements.size(), s_one.results[0].measurements.size());
  for (std::size_t i = 0; i < w2->measurements.size(); ++i)
    EXPECT_EQ(w2->measurements[i].measured, s_one.results[0].measurements[i].measured);
}

}  // namespace
}  // namespace rtv::verify
