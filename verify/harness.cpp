// Running claims and writing the report (verify/harness.hpp).
#include "harness.hpp"

#include <chrono>
#include <cmath>
#include <cstdio>
#include <iostream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "rtv/core/error.hpp"
#include "rtv/io/files.hpp"
#include "rtv/io/junit.hpp"
#include "rtv/core/parallel.hpp"
#include "rtv/core/version.hpp"

namespace rtv::verify {

namespace fs = std::filesystem;
using nlohmann::json;

namespace {

// A markdown table cell: '|' would end the cell.
std::string cell(const std::string& s) {
  std::string out;
  for (char ch : s) out += (ch == '|') ? std::string("\\|") : std::string(1, ch);
  return out;
}

// report.json's "predicted" and "tolerance" keep their meaning from before Measurement had an explicit bound: a
// lower bound stands in "predicted", an upper bound in "tolerance", and the other field is 0.
double json_predicted(const Measurement& m) { return m.op == Op::AtLeast ? m.bound : m.predicted; }
double json_tolerance(const Measurement& m) { return m.op == Op::AtMost ? m.bound : m.tolerance; }

// The report's measurement table: "predicted" shows the value (Approx) or ">= bound"; "error" only for Approx;
// "tolerance" shows the tolerance (Approx) or "<= bound".
std::string predicted_cell(const Measurement& m) {
  switch (m.op) {
    case Op::Approx: return num(m.predicted);
    case Op::AtLeast: return ">= " + num(m.bound);
    case Op::AtMost: break;
  }
  return "";
}
std::string error_cell(const Measurement& m) {
  return m.op == Op::Approx ? num(m.error) + (m.relative ? " rel." : " abs.") : "";
}
std::string tolerance_cell(const Measurement& m) {
  switch (m.op) {
    case Op::Approx: return num(m.tolerance);
    case Op::AtMost: return "<= " + num(m.bound);
    case Op::AtLeast: break;
  }
  return "";
}

std::string join(const std::vector<std::string>& v, const std::string& sep) {
  std::string s;
  for (std::size_t i = 0; i < v.size(); ++i) s += (i ? sep : "") + v[i];
  return s;
}

std::vector<const Claim*> selected(const RunOptions& opt, const std::vector<Claim>& claims) {
  std::vector<const Claim*> out;
  const std::set<std::string> want(opt.claims.begin(), opt.claims.end());
  for (const auto& c : claims)
    if (want.empty() || want.count(c.id)) out.push_back(&c);
  return out;
}

// The measurement closest to (or furthest past) its bound: the one the summary table shows (closeness()).
const Measurement* worst(const ClaimResult& r) {
  const Measurement* w = nullptr;
  double score = -1.0;
  for (const auto& m : r.measurements) {
    const double s = closeness(m);
    if (s > score) score = s, w = &m;
  }
  return w;
}

std::string command_line(const RunOptions& opt) {
  std::string cmd = opt.program;
  if (opt.size == Size::Quick) cmd += " --quick";
  cmd += " --seed " + std::to_string(opt.seed);
  if (!opt.claims.empty()) cmd += " --claim " + join(opt.claims, ",");
  return cmd;
}

// The claim with each id (ids are unique: RunOptions::validate).
std::map<std::string, const Claim*> claims_by_id(const std::vector<Claim>& claims) {
  std::map<std::string, const Claim*> m;
  for (const auto& c : claims) m[c.id] = &c;
  return m;
}

}  // namespace

void RunOptions::validate(const std::vector<Claim>& claim_list) const {
  if (threads < 0) throw input_error("--threads", "must be 0 (all cores) or a positive number");
  std::set<std::string> ids;
  for (const auto& c : claim_list)
    if (!ids.insert(c.id).second) throw input_error("claims", "two claims have the id '" + c.id + "'");
  for (const auto& id : claims)
    if (!ids.count(id)) {
      std::vector<std::string> all(ids.begin(), ids.end());
      throw input_error("--claim", "unknown claim id '" + id + "' (known: " + join(all, ", ") + ")");
    }
  if (out.empty()) throw input_error("--out", "the output folder must not be empty");
  std::error_code ec;
  if (!junit.empty() && fs::is_directory(junit, ec))
    throw input_error("--junit", junit.string() + ": is a folder; give the file to write");
}

RunSummary run_claims(const RunOptions& opt, const std::vector<Claim>& claim_list) {
  opt.validate(claim_list);
  std::error_code ec;
  fs::create_directories(opt.out / "figures", ec);
  if (ec) throw input_error(opt.out.string(), "cannot create the output folder: " + ec.message());
  const auto claims = selected(opt, claim_list);
  RunSummary summary;
  const auto t_all = std::chrono::steady_clock::now();
  int i = 0;
  for (const Claim* c : claims) {
    ++i;
    check_interrupt();
    if (opt.before_claim) opt.before_claim(*c);
    if (opt.progress)
      std::cerr << "[" << i << "/" << claims.size() << "] " << c->id << " " << c->name << " (" << to_string(opt.size)
                << ", seed " << opt.seed << ")\n";
    Context ctx;
    ctx.size = opt.size;
    ctx.seed = opt.seed;
    ctx.threads = resolve_threads(opt.threads);
    ctx.claim_id = c->id;
    ctx.figure_dir = opt.out / "figures";
    ctx.data_dir = opt.out / "data" / c->id;
    const auto t0 = std::chrono::steady_clock::now();
    ClaimResult r;
    try {
      r = c->run(ctx);
    } catch (const Interrupted&) {
      throw;  // a stop request, not the claim's failure
    } catch (const OutputError&) {
      throw;  // the run's output cannot be written (a full disk): the run fails, not the claim
    } catch (const std::exception& e) {
      r = ClaimResult{};
      r.passed = false;
      r.reason = std::string("the claim stopped with an error: ") + e.what();
    }
    r.id = c->id;
    r.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
    // Paths in the report are relative to the output folder.
    for (auto& f : r.figures)
      for (auto& p : f.files) p = fs::relative(p, opt.out, ec);
    for (auto& p : r.data_files) p = fs::relative(p, opt.out, ec);
    if (opt.progress) {
      const Measurement* w = worst(r);
      std::cerr << "      " << (r.passed ? "PASS" : "FAIL") << "  " << (w ? describe(*w) : r.reason) << "  ("
                << num(r.seconds) << " s)\n";
      if (!r.passed) std::cerr << "      " << r.reason << "\n";
    }
    (r.passed ? summary.passed : summary.failed)++;
    summary.results.push_back(std::move(r));
    check_interrupt();  // a claim that caught the stop request itself must not be reported as run
  }
  summary.seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - t_all).count();
  return summary;
}

namespace {

// `inner` lies inside `outer` (both made absolute, symbolic links resolved where they exist): the path of `inner`
// relative to `outer`, else empty.
fs::path inside(const fs::path& inner, const fs::path& outer) {
  std::error_code ec;
  const fs::path a = fs::weakly_canonical(fs::absolute(inner, ec), ec);
  const fs::path b = fs::weakly_canonical(fs::absolute(outer, ec), ec);
  const fs::path rel = a.lexically_relative(b);
  if (rel.empty() || rel == "." || *rel.begin() == "..") return {};
  return rel;
}

// opt.out may be replaced as a whole only if it holds nothing but a report (see run_and_report).
void check_replaceable(const fs::path& out, const fs::path& junit_inside) {
  std::error_code ec;
  if (!fs::is_directory(out, ec)) return;  // new (or a file: StagedFolder says so)
  static const std::set<std::string> report_entries = {"report.md", "report.json", "timings.json", "figures", "data"};
  for (fs::directory_iterator it(out, ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (report_entries.count(name)) continue;
    if (!junit_inside.empty() && name == junit_inside.begin()->string()) continue;
    // rtv's own temporaries: an atomic write's ".<file>.tmp.XXXXXX" (debris of a run of an older version) and the
    // staging folder ".rtv.run.XXXXXX" of a run into a mount point (this run's, or one killed by SIGKILL)
    const bool ours = name.find(".tmp.") != std::string::npos || name.rfind(".rtv.run.", 0) == 0;
    if (name.size() > 1 && name[0] == '.' && ours) continue;
    throw input_error("--out", out.string() + " holds '" + name +
                                   "', which is not part of a report; a run replaces the whole folder: give a new or "
                                   "empty folder, or a previous report's");
  }
  if (ec) throw input_error("--out", out.string() + ": cannot read the folder: " + ec.message());
}

}  // namespace

RunSummary run_and_report(const RunOptions& opt, const std::vector<Claim>& claims) {
  opt.validate(claims);
  const fs::path junit_inside = opt.junit.empty() ? fs::path() : inside(opt.junit, opt.out);
  StagedFolder stage(opt.out);
  check_replaceable(stage.target(), junit_inside);
  if (!opt.junit.empty() && junit_inside.empty() && opt.junit.has_parent_path()) {
    // like --out, the JUnit file's folder is created (before the claims run)
    std::error_code ec;
    fs::create_directories(opt.junit.parent_path(), ec);
    if (ec) throw input_error("--junit", opt.junit.string() + ": cannot create its folder: " + ec.message());
  }
  if (opt.progress)
    std::cerr << opt.program << " " << kVersion << ": "
              << (opt.claims.empty() ? claims.size() : opt.claims.size()) << " claims, size " << to_string(opt.size)
              << ", seed " << opt.seed << " (override with --seed), out " << opt.out << "\n";
  RunOptions staged = opt;
  staged.out = stage.path();
  try {
    const RunSummary summary = run_claims(staged, claims);
    check_interrupt();
    write_report(staged, claims, summary);
    if (!junit_inside.empty()) {
      const fs::path j = stage.path() / junit_inside;
      std::error_code ec;
      fs::create_directories(j.parent_path(), ec);
      if (ec) throw OutputError(opt.junit.string() + ": cannot create its folder: " + ec.message());
      write_junit_report(opt, claims, summary, j);
    }
    check_interrupt();  // the last point at which the run can still be dropped
    stage.commit();
    if (!opt.junit.empty() && junit_inside.empty()) write_junit_report(opt, claims, summary, opt.junit);
    return summary;
  } catch (const OutputError& e) {
    // Name the file as the user knows it (under --out), not under the staging folder that is about to go.
    std::string msg = e.what();
    const std::string from = stage.path().string(), to = opt.out.string();
    for (auto p = msg.find(from); p != std::string::npos; p = msg.find(from, p + to.size()))
      msg.replace(p, from.size(), to);
    throw OutputError(msg);
  }
}

std::string summary_table(const RunSummary& s) {
  std::ostringstream o;
  o << "\n  id   verdict  time (s)  worst check\n";
  for (const auto& r : s.results) {
    const Measurement* w = worst(r);
    char line[64];
    std::snprintf(line, sizeof line, "  %-4s %-7s  %8.2f  ", r.id.c_str(), r.passed ? "PASS" : "FAIL", r.seconds);
    o << line << (w ? w->quantity + ": " + describe(*w) : r.reason) << "\n";
  }
  o << "\n  " << s.passed << " passed, " << s.failed << " failed (" << num(s.seconds) << " s)\n";
  return o.str();
}

void write_report(const RunOptions& opt, const std::vector<Claim>& claims, const RunSummary& summary) {
  const auto by_id = claims_by_id(claims);

  // ---- report.json ----
  json j;
  j["format"] = "rtv.verify-report";
  j["version"] = 1;
  j["rtv_version"] = kVersion;
  j["seed"] = opt.seed;
  j["size"] = to_string(opt.size);
  j["command"] = command_line(opt);
  j["passed"] = summary.passed;
  j["failed"] = summary.failed;
  j["claims"] = json::array();
  for (const auto& r : summary.results) {
    const Claim& c = *by_id.at(r.id);
    json jc;
    jc["id"] = r.id;
    jc["name"] = c.name;
    jc["kind"] = to_string(c.kind);
    jc["section"] = c.section;
    jc["statement"] = c.statement;
    jc["experiment"] = c.experiment;
    jc["passed"] = r.passed;
    jc["reason"] = r.reason;
    jc["measurements"] = json::array();
    for (const auto& m : r.measurements)
      jc["measurements"].push_back({{"quantity", m.quantity}, {"measured", m.measured},
                                    {"predicted", json_predicted(m)}, {"error", m.error}, {"relative", m.relative},
                                    {"tolerance", json_tolerance(m)}, {"op", to_string(m.op)}, {"rule", m.rule},
                                    {"passed", m.passed}, {"detail", m.detail}});
    jc["figures"] = json::array();
    for (const auto& f : r.figures) {
      json files = json::array();
      for (const auto& p : f.files) files.push_back(p.generic_string());
      jc["figures"].push_back({{"id", f.id}, {"name", f.name}, {"caption", f.caption}, {"files", files}});
    }
    json data = json::array();
    for (const auto& p : r.data_files) data.push_back(p.generic_string());
    jc["data"] = data;
    j["claims"].push_back(jc);
  }
  write_file_atomic(opt.out / "report.json", j.dump(2) + "\n");

  // ---- timings.json (not part of the reproducible report) ----
  json t;
  t["total_seconds"] = summary.seconds;
  for (const auto& r : summary.results) t["claims"][r.id] = r.seconds;
  write_file_atomic(opt.out / "timings.json", t.dump(2) + "\n");

  // ---- report.md ----
  std::ostringstream md;
  md << "# rtv verification report\n\n";
  md << "rtv " << kVersion << " · size **" << to_string(opt.size) << "** · seed **" << opt.seed << "** · command `"
     << command_line(opt) << "`\n\n";
  md << "**" << summary.passed << " of " << summary.results.size() << " claims passed"
     << (summary.failed ? ", " + std::to_string(summary.failed) + " FAILED" : std::string()) << ".** "
     << "Claims and sections refer to the catalogue (CLAIMS.md) and THEORY.md; wall times are in timings.json.\n\n";
  md << "| id | kind | claim | closest check: measured vs predicted | verdict |\n|---|---|---|---|---|\n";
  for (const auto& r : summary.results) {
    const Claim& c = *by_id.at(r.id);
    const Measurement* w = worst(r);
    md << "| " << r.id << " " << c.name << " | " << to_string(c.kind) << " | " << cell(c.statement) << " | "
       << cell(w ? w->quantity + ": " + describe(*w) : r.reason) << " | " << (r.passed ? "PASS" : "**FAIL**") << " |\n";
  }
  for (const auto& r : summary.results) {
    const Claim& c = *by_id.at(r.id);
    md << "\n## " << r.id << " " << c.name << " (" << to_string(c.kind) << ", " << c.section << ")\n\n";
    md << "**Claim.** " << c.statement << "\n\n**Experiment.** " << c.experiment << "\n\n";
    md << "**Verdict.** " << (r.passed ? "PASS" : "**FAIL**") << ": " << r.reason << "\n\n";
    if (!r.measurements.empty()) {
      md << "| quantity | measured | predicted | error | tolerance | rule | verdict |\n|---|---|---|---|---|---|---|\n";
      for (const auto& m : r.measurements) {
        md << "| " << cell(m.quantity + (m.detail.empty() ? "" : " (" + m.detail + ")")) << " | " << num(m.measured)
           << " | " << predicted_cell(m) << " | " << error_cell(m) << " | " << tolerance_cell(m) << " | "
           << cell(m.rule) << " | " << (m.passed ? "pass" : "**FAIL**") << " |\n";
      }
      md << "\n";
    }
    for (const auto& f : r.figures) {
      std::string png;
      for (const auto& p : f.files)
        if (p.extension() == ".png") png = p.generic_string();
      if (!png.empty()) md << "![" << f.id << " " << f.name << "](" << png << ")\n\n";
      md << "*" << f.id << " " << f.name << ".* " << f.caption << " Files:";
      for (const auto& p : f.files) md << " [" << p.extension().string().substr(1) << "](" << p.generic_string() << ")";
      md << "\n\n";
    }
    if (!r.data_files.empty()) {
      md << "Data:";
      for (const auto& p : r.data_files) md << " [" << p.filename().string() << "](" << p.generic_string() << ")";
      md << "\n";
    }
  }
  write_file_atomic(opt.out / "report.md", md.str());
}

void write_junit_report(const RunOptions& opt, const std::vector<Claim>& claims, const RunSummary& summary,
                        const fs::path& path) {
  const auto by_id = claims_by_id(claims);
  std::vector<JunitCase> cases;
  for (const auto& r : summary.results) {
    const Claim& c = *by_id.at(r.id);
    JunitCase jc;
    jc.name = r.id + " " + c.name;
    jc.classname = opt.program + ".claims";
    jc.seconds = r.seconds;
    jc.failed = !r.passed;
    std::string out = c.statement + " (" + to_string(c.kind) + ", " + c.section + ")\n";
    for (const auto& m : r.measurements) {
      const std::string line = m.quantity + (m.detail.empty() ? "" : " (" + m.detail + ")") + ": " + describe(m) +
                               " [" + m.rule + "] " + (m.passed ? "pass" : "FAIL") + "\n";
      out += line;
      if (!m.passed) jc.failure_text += line;
    }
    jc.output = out;
    if (jc.failed) {
      jc.failure_message = r.reason;
      if (jc.failure_text.empty()) jc.failure_text = r.reason + "\n";
    }
    cases.push_back(std::move(jc));
  }
  write_junit(path, opt.program, cases,
              {{"rtv_version", kVersion}, {"seed", std::to_string(opt.seed)}, {"size", to_string(opt.size)},
               {"command", command_line(opt)}});
}

}  // namespace rtv::verify
