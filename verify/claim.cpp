// Claim result helpers and the seeded per-claim random stream.
#include "claim.hpp"

#include <cmath>
#include <cstdio>
#include <iostream>

#include "rtv/io/files.hpp"

namespace rtv::verify {

plot::Heatmap heat(const Array2D& a, double x0, double x1, double y0, double y1, bool diverging, std::string label) {
  plot::Heatmap h;
  h.values.assign(a.data(), a.data() + a.size());
  h.rows = static_cast<int>(a.rows());
  h.cols = static_cast<int>(a.cols());
  h.x0 = x0, h.x1 = x1, h.y0 = y0, h.y1 = y1;
  h.diverging = diverging;
  h.cblabel = std::move(label);
  return h;
}

std::string num(double x) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.4g", x);
  return buf;
}

const char* to_string(Kind k) {
  switch (k) {
    case Kind::Theorem: return "theorem";
    case Kind::Observation: return "observation";
    case Kind::TheoremAndObservation: return "theorem + observation";
  }
  return "?";
}

const char* to_string(Size s) { return s == Size::Quick ? "quick" : "full"; }

Rng Context::rng() const {
  // FNV-1a of the claim id, mixed with the run seed: independent streams per claim.
  std::uint64_t h = 1469598103934665603ULL;
  for (unsigned char ch : claim_id) h = (h ^ ch) * 1099511628211ULL;
  return Rng(seed * 0x9E3779B97F4A7C15ULL ^ h);
}

std::filesystem::path Context::data_file(const std::string& name) const {
  check_interrupt();  // a stop request (rtv/io/files.hpp) ends the claim here
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) throw std::runtime_error(data_dir.string() + ": cannot create the data folder: " + ec.message());
  return data_dir / name;
}

void Context::progress(const std::string& message) const {
  check_interrupt();  // a stop request (rtv/io/files.hpp) ends the claim here
  std::cerr << "  [" << claim_id << "] " << message << "\n";
}

Measurement measure(std::string quantity, double measured, double predicted, bool relative, double tolerance,
                    std::string rule, std::string detail) {
  Measurement m;
  m.quantity = std::move(quantity);
  m.measured = measured;
  m.predicted = predicted;
  m.relative = relative && predicted != 0.0;
  m.error = std::abs(measured - predicted) / (m.relative ? std::abs(predicted) : 1.0);
  m.tolerance = tolerance;
  m.rule = std::move(rule);
  m.detail = std::move(detail);
  m.passed = std::isfinite(m.error) && m.error <= tolerance;
  return m;
}

Measurement at_most(std::string quantity, double measured, double bound, std::string rule, std::string detail) {
  Measurement m;
  m.quantity = std::move(quantity);
  m.measured = measured;
  m.op = Op::AtMost;
  m.relative = false;
  m.error = measured;
  m.bound = bound;
  m.rule = std::move(rule);
  m.detail = std::move(detail);
  m.passed = std::isfinite(measured) && measured <= bound;
  return m;
}

Measurement at_least(std::string quantity, double measured, double bound, std::string rule, std::string detail) {
  Measurement m;
  m.quantity = std::move(quantity);
  m.measured = measured;
  m.op = Op::AtLeast;
  m.relative = false;
  m.error = std::max(0.0, bound - measured);
  m.bound = bound;
  m.rule = std::move(rule);
  m.detail = std::move(detail);
  m.passed = std::isfinite(measured) && measured >= bound;
  return m;
}

const char* to_string(Op op) {
  switch (op) {
    case Op::Approx: return "~";
    case Op::AtMost: return "<=";
    case Op::AtLeast: return ">=";
  }
  return "?";
}

std::string describe(const Measurement& m) {
  switch (m.op) {
    case Op::AtMost: return num(m.measured) + (m.passed ? " <= " : " > ") + num(m.bound);
    case Op::AtLeast: return num(m.measured) + (m.passed ? " >= " : " < ") + num(m.bound);
    case Op::Approx: break;
  }
  return num(m.measured) + " vs " + num(m.predicted) + " (" + (m.relative ? "rel. " : "") + "err " + num(m.error) +
         (m.passed ? " <= " : " > ") + num(m.tolerance) + ")";
}

namespace {
// 0 far inside the bound, 1 at it (m and b any sign; see closeness()).
double bound_closeness(double m, double b, bool upper) {
  if (m == b) return 1.0;
  if (b != 0.0 && m != 0.0 && (m > 0) == (b > 0)) {
    const double ratio = upper ? m / b : b / m;  // same sign: in (0, 1] inside the bound when both are positive
    if (b > 0) return ratio;
    return 1.0 / ratio;  // both negative: m <= b < 0 means |m| >= |b|
  }
  return 1.0 - std::abs(m - b) / (std::abs(m) + std::abs(b));
}
}  // namespace

double closeness(const Measurement& m) {
  // An exact requirement met exactly (a count "0 <= 0", an identity with tolerance 0 and error 0) scores 0.5: it
  // has no slack to use up, and ranking it at the bound would hide the checks that do come close.
  const bool exact_zero = (m.op == Op::AtMost && m.bound == 0.0 && m.measured == 0.0) ||
                          (m.op == Op::Approx && m.tolerance == 0.0 && m.error == 0.0);
  if (m.passed && exact_zero) return 0.5;
  double s = 0.0;
  switch (m.op) {
    case Op::AtMost: s = bound_closeness(m.measured, m.bound, true); break;
    case Op::AtLeast: s = bound_closeness(m.measured, m.bound, false); break;
    case Op::Approx: s = m.tolerance > 0 ? m.error / m.tolerance : (m.error == 0 ? 1.0 : 2.0); break;
  }
  if (!std::isfinite(s)) s = 2.0;
  s = std::max(0.0, s);
  // Every failed check above every passing one, ordered among themselves by how far they are past the bound.
  return m.passed ? std::min(s, 1.0) : 2.0 + std::min(s, 1e300);
}

void ClaimResult::conclude() {
  passed = !measurements.empty();
  reason = measurements.empty() ? "no measurement was made" : "every measurement within its tolerance";
  for (const auto& m : measurements) {
    if (!m.passed) {
      passed = false;
      reason = "failed: " + m.quantity + ": " + describe(m);
      break;
    }
  }
}

}  // namespace rtv::verify
