// verify/claim.hpp (installed as rtv/verify/claim.hpp, target rtv::harness): the claim harness as a library
// (STYLE.md item 11). A claim of CLAIMS.md, or a user's own, is a function from a Context (size, seed, threads,
// output folders) to a ClaimResult (what was measured, what theory predicts, the error, the tolerance and its
// reason, pass/fail, figures, data files). The command line (harness_main in harness.hpp) is a thin shell over
// run_claims(); rtv's own catalogue is registry() (verify/registry.hpp).
#pragma once

#include <cstdint>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

#include "convergence.hpp"  // fitted_order
#include "rtv/io/plot.hpp"
#include "rtv/radon/radon2d.hpp"
#include "rtv/core/random.hpp"

namespace rtv::verify {

/// theorem: must hold on every run. observation: a typical behaviour judged by a statistic over seeds.
enum class Kind { Theorem, Observation, TheoremAndObservation };
enum class Size { Quick, Full };

/// A number for reports and captions: 4 significant digits (%.4g).
std::string num(double x);

/// A figure heat map of a row-major array over [x0, x1] x [y0, y1] (rows along y).
plot::Heatmap heat(const Array2D& a, double x0, double x1, double y0, double y1, bool diverging, std::string label);


const char* to_string(Kind k);
const char* to_string(Size s);

/// Default seed of every run: the arXiv number of the paper, 2301.09554 -> 2301.
inline constexpr std::uint64_t kDefaultSeed = 2301;

struct Context {
  Size size = Size::Full;
  std::uint64_t seed = kDefaultSeed;
  int threads = 1;
  std::filesystem::path figure_dir;  ///< <out>/figures
  std::filesystem::path data_dir;    ///< <out>/data/<claim id> (created by data_file)
  std::string claim_id;

  bool quick() const { return size == Size::Quick; }
  /// <out>/data/<claim id>/<name>, creating the folder. Throws rtv::Interrupted on a stop request (rtv/io/files.hpp).
  std::filesystem::path data_file(const std::string& name) const;
  /// The claim's random stream: depends on the run seed and the claim id only, so running a subset of claims
  /// (--claim) gives the same numbers as running all of them.
  Rng rng() const;
  /// A progress line on stderr: "  [W1] <message>". Throws rtv::Interrupted on a stop request (rtv/io/files.hpp):
  /// progress lines are where a long claim can be stopped.
  void progress(const std::string& message) const;
};

/// How a Measurement is judged.
enum class Op {
  Approx,   ///< measured ~ predicted: passes iff error <= tolerance
  AtMost,   ///< passes iff measured <= bound
  AtLeast,  ///< passes iff measured >= bound
};
/// "~", "<=", ">=": the operator as report.json spells it ("op").
const char* to_string(Op op);

/// One measured quantity next to its prediction (Op::Approx) or its bound (Op::AtMost, Op::AtLeast).
struct Measurement {
  std::string quantity;    ///< what was measured, e.g. "max rel. diff of f over 600k points"
  Op op = Op::Approx;
  double measured = 0.0;
  double predicted = 0.0;  ///< Approx: the theory's value (0 for a bound check)
  double error = 0.0;      ///< Approx: |measured - predicted| (relative where `relative`); AtMost: measured;
                           ///< AtLeast: max(0, bound - measured)
  bool relative = true;
  double tolerance = 0.0;  ///< Approx: pass iff error <= tolerance (0 for a bound check)
  double bound = 0.0;      ///< AtMost, AtLeast: the bound on `measured` (0 for Approx)
  std::string rule;        ///< the acceptance rule and its reason, e.g. "<= 100 eps (rounding bound)"
  bool passed = false;
  std::string detail;      ///< e.g. the worst input
};

/// Build a Measurement with error = |measured - predicted| / (relative ? |predicted| : 1) (predicted = 0 with
/// relative = true uses the absolute error).
Measurement measure(std::string quantity, double measured, double predicted, bool relative, double tolerance,
                    std::string rule, std::string detail = "");
/// A bound check: passes iff measured <= bound; error = measured; Op::AtMost.
Measurement at_most(std::string quantity, double measured, double bound, std::string rule, std::string detail = "");
/// A lower-bound check: passes iff measured >= bound; error = max(0, bound - measured); Op::AtLeast.
Measurement at_least(std::string quantity, double measured, double bound, std::string rule, std::string detail = "");

/// "measured <op> bound" in the report's number format (num()), e.g. "0.0012 <= 0.01", "1.93 >= 1.7",
/// "4.767 vs 4.769 (rel. err 3.1e-4 <= 1e-3)"; a failed check shows the operator it violates (">", "<").
std::string describe(const Measurement& m);

/// How close a check is to its bound, for choosing the report's "closest check": 0 far inside, 1 at the bound,
/// > 1 failed (every failed check scores above every passing one). Defined for bounds of either sign: for a
/// bound b and value m of the same sign the ratio m/b ("<=") or b/m (">="), otherwise 1 - |m - b|/(|m| + |b|);
/// an exact requirement met exactly (0 <= 0, error 0 with tolerance 0) scores 0.5.
double closeness(const Measurement& m);

struct FigureOutput {
  std::string id;       ///< catalogue id, e.g. "F1"
  std::string name;     ///< catalogue name, e.g. "neuron-is-a-spline" (files: <id>-<name>.png, ...)
  std::string caption;  ///< what to see
  std::vector<std::filesystem::path> files;  ///< relative to the output folder
};

struct ClaimResult {
  std::string id;
  bool passed = false;
  std::string reason;  ///< why it passed or failed, one sentence
  std::vector<Measurement> measurements;
  std::vector<FigureOutput> figures;
  std::vector<std::filesystem::path> data_files;  ///< relative to the output folder
  double seconds = 0.0;  ///< wall time (reported on stderr and in timings.json, not in the report)

  /// passed = all measurements passed; reason names the first failure.
  void conclude();
};

struct Claim {
  std::string id;         ///< CLAIMS.md id, e.g. "W1"
  std::string name;       ///< e.g. "rescaling-invariance"
  Kind kind = Kind::Theorem;
  std::string statement;  ///< with the THEORY.md section
  std::string section;    ///< e.g. "THEORY.md s.2"
  std::string experiment; ///< what the claim runs, in one sentence
  std::function<ClaimResult(const Context&)> run;
};

}  // namespace rtv::verify
