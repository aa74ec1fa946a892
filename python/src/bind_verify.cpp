// python/src/bind_verify.cpp: the claim harness from Python (verify/harness.hpp, the catalogue verify/registry.hpp,
// CLAIMS.md): rtv.verify() runs claims through rtv::verify::run_claims, exactly as rtv-verify does (the same options,
// the same per-claim random streams, the same report files), and returns result objects a user's pytest can assert
// on; rtv.claims() lists the catalogue.
#include "bindings.hpp"

#ifdef RTV_PY_HAVE_VERIFY

#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <string>
#include <vector>

#include "harness.hpp"
#include "registry.hpp"
#include "rtv/core/error.hpp"

namespace rtv::py {

namespace {

namespace fs = std::filesystem;
using verify::Claim;
using verify::ClaimResult;
using verify::Measurement;

const Claim* find_claim(const std::string& id) {
  for (const auto& c : verify::registry())
    if (c.id == id) return &c;
  return nullptr;
}

// A claim's result with its catalogue entry (report.json's fields of one claim).
struct PyClaimResult {
  ClaimResult r;
  std::string name, kind, section, statement;
};

struct PyRun {
  std::vector<PyClaimResult> results;
  int passed = 0, failed = 0;
  double seconds = 0.0;
  std::string out;  // empty: the run's files went to a temporary folder, now removed
  std::uint64_t seed = 0;
  bool quick = true;
};

py::dict measurement_dict(const Measurement& m) {
  py::dict d;  // report.json's keys of a measurement ("predicted"/"tolerance" as numbers; the bound for <=, >=)
  d["quantity"] = m.quantity;
  d["op"] = verify::to_string(m.op);
  d["measured"] = m.measured;
  d["predicted"] = m.predicted;
  d["error"] = m.error;
  d["relative"] = m.relative;
  d["tolerance"] = m.tolerance;
  d["bound"] = m.bound;
  d["rule"] = m.rule;
  d["passed"] = m.passed;
  d["detail"] = m.detail;
  return d;
}

py::dict result_dict(const PyClaimResult& c) {
  py::dict d;
  d["id"] = c.r.id;
  d["name"] = c.name;
  d["kind"] = c.kind;
  d["section"] = c.section;
  d["statement"] = c.statement;
  d["passed"] = c.r.passed;
  d["reason"] = c.r.reason;
  py::list ms;
  for (const auto& m : c.r.measurements) ms.append(measurement_dict(m));
  d["measurements"] = ms;
  py::list figs;
  for (const auto& f : c.r.figures)
    for (const auto& p : f.files) figs.append(p.generic_string());
  d["figures"] = figs;
  py::list data;
  for (const auto& p : c.r.data_files) data.append(p.generic_string());
  d["data"] = data;
  d["seconds"] = c.r.seconds;
  return d;
}

// A fresh temporary folder for a run without out= (run_claims writes figures and data files).
fs::path temp_folder() {
  std::string tmpl = (fs::temp_directory_path() / "rtv-py-verify-XXXXXX").string();
  if (!mkdtemp(tmpl.data())) throw rtv::input_error("out", "cannot create a temporary folder for the run");
  return tmpl;
}

}  // namespace

void bind_verify(py::module_& m) {
  py::class_<Measurement>(m, "Measurement",
                          "One measured quantity of a claim next to its prediction (op '~': passes iff error <= "
                          "tolerance) or its bound (op '<=' / '>=': measured against bound); verify/claim.hpp.")
      .def_readonly("quantity", &Measurement::quantity)
      .def_property_readonly("op", [](const Measurement& x) { return std::string(verify::to_string(x.op)); })
      .def_readonly("measured", &Measurement::measured)
      .def_readonly("predicted", &Measurement::predicted, "op '~': the theory's value (0 for a bound check)")
      .def_readonly("error", &Measurement::error,
                    "'~': |measured - predicted| (relative where `relative`); '<=': measured; '>=': max(0, bound - "
                    "measured)")
      .def_readonly("relative", &Measurement::relative)
      .def_readonly("tolerance", &Measurement::tolerance, "op '~': pass iff error <= tolerance")
      .def_readonly("bound", &Measurement::bound, "ops '<=', '>=': the bound on measured")
      .def_readonly("rule", &Measurement::rule, "the acceptance rule and its reason")
      .def_readonly("passed", &Measurement::passed)
      .def_readonly("detail", &Measurement::detail)
      .def("describe", [](const Measurement& x) { return verify::describe(x); },
           "'measured <op> bound' as the report prints it")
      .def("to_dict", &measurement_dict)
      .def("__repr__", [](const Measurement& x) {
        return "Measurement(" + py::repr(py::str(x.quantity)).cast<std::string>() + ": " + verify::describe(x) +
               (x.passed ? ", passed" : ", FAILED") + ")";
      });

  py::class_<PyClaimResult>(m, "ClaimResult", "The verdict of one claim of CLAIMS.md (report.json's claim entry).")
      .def_property_readonly("id", [](const PyClaimResult& c) { return c.r.id; })
      .def_readonly("name", &PyClaimResult::name)
      .def_readonly("kind", &PyClaimResult::kind, "theorem | observation | theorem+observation")
      .def_readonly("section", &PyClaimResult::section, "the THEORY.md section")
      .def_readonly("statement", &PyClaimResult::statement)
      .def_property_readonly("passed", [](const PyClaimResult& c) { return c.r.passed; },
                             "every measurement passed")
      .def_property_readonly("reason", [](const PyClaimResult& c) { return c.r.reason; },
                             "why it passed or failed, one sentence")
      .def_property_readonly("measurements", [](const PyClaimResult& c) { return c.r.measurements; })
      .def_property_readonly("figures",
                             [](const PyClaimResult& c) {
                               std::vector<std::string> v;
                               for (const auto& f : c.r.figures)
                                 for (const auto& p : f.files) v.push_back(p.generic_string());
                               return v;
                             },
                             "figure files relative to out (not kept without out=)")
      .def_property_readonly("seconds", [](const PyClaimResult& c) { return c.r.seconds; }, "wall time")
      .def("to_dict", &result_dict)
      .def("__bool__", [](const PyClaimResult& c) { return c.r.passed; })
      .def("__repr__", [](const PyClaimResult& c) {
        return "ClaimResult(" + c.r.id + " " + c.name + ": " + (c.r.passed ? "PASS" : "FAIL") + ", " +
               std::to_string(c.r.measurements.size()) + " measurements, " +
               py::repr(py::str(c.r.reason)).cast<std::string>() + ")";
      });

  py::class_<PyRun>(m, "VerifyRun",
                    "The results of rtv.verify(): iterate over it for the ClaimResult of each claim (in catalogue "
                    "order); passed / failed counts, all_passed, seconds, out (the report's folder or None).")
      .def("__iter__", [](const PyRun& r) { return py::make_iterator(r.results.begin(), r.results.end()); },
           py::keep_alive<0, 1>())
      .def("__len__", [](const PyRun& r) { return r.results.size(); })
      .def("__getitem__",
           [](const PyRun& r, const py::object& key) -> const PyClaimResult& {
             if (py::isinstance<py::str>(key)) {
               const std::string id = key.cast<std::string>();
               for (const auto& c : r.results)
                 if (c.r.id == id) return c;
               throw py::key_error("no result for claim '" + id + "' in this run");
             }
             auto i = key.cast<long>();
             const long n = static_cast<long>(r.results.size());
             if (i < 0) i += n;
             if (i < 0 || i >= n) throw py::index_error("result index out of range");
             return r.results[static_cast<std::size_t>(i)];
           },
           py::return_value_policy::reference_internal, "by position or by claim id")
      .def_readonly("passed", &PyRun::passed)
      .def_readonly("failed", &PyRun::failed)
      .def_readonly("seconds", &PyRun::seconds)
      .def_readonly("seed", &PyRun::seed)
      .def_readonly("quick", &PyRun::quick)
      .def_property_readonly("all_passed", [](const PyRun& r) { return r.failed == 0; })
      .def_property_readonly("out", [](const PyRun& r) -> py::object {
        return r.out.empty() ? py::object(py::none()) : py::object(py::str(r.out));
      })
      .def("to_dict",
           [](const PyRun& r) {
             py::dict d;
             d["seed"] = r.seed;
             d["size"] = r.quick ? "quick" : "full";
             d["passed"] = r.passed;
             d["failed"] = r.failed;
             d["seconds"] = r.seconds;
             py::list l;
             for (const auto& c : r.results) l.append(result_dict(c));
             d["claims"] = l;
             return d;
           })
      .def("__repr__", [](const PyRun& r) {
        std::ostringstream o;
        o << "VerifyRun(" << r.passed << " passed, " << r.failed << " failed:";
        for (const auto& c : r.results) o << " " << c.r.id << (c.r.passed ? " PASS" : " FAIL");
        o << ")";
        return o.str();
      });

  m.def(
      "verify",
      [](const py::object& claims, bool quick, std::uint64_t seed, int threads, const py::object& out,
         const py::object& junit, bool progress) {
        verify::RunOptions opt;
        opt.size = quick ? verify::Size::Quick : verify::Size::Full;
        opt.seed = seed;
        opt.threads = threads;
        opt.progress = progress;
        opt.program = "rtv-verify";  // the report names the equivalent rtv-verify command (no --out: reproducible)
        if (!claims.is_none()) {
          try {
            if (py::isinstance<py::str>(claims)) opt.claims = {claims.cast<std::string>()};
            else opt.claims = claims.cast<std::vector<std::string>>();
          } catch (const py::cast_error&) {
            throw py::type_error("claims: expected a claim id or a list of claim ids (str), got " +
                                 std::string(py::str(py::type::handle_of(claims).attr("__name__"))));
          }
        }
        const bool keep = !out.is_none();
        if (keep) opt.out = py::str(out).cast<std::string>();
        if (!junit.is_none()) opt.junit = py::str(junit).cast<std::string>();
        if (keep && opt.out.empty()) throw rtv::input_error("out", "the output folder must not be empty");
        const auto& catalogue = verify::registry();
        opt.out = keep ? opt.out : fs::path("unused");
        opt.validate(catalogue);  // unknown ids, threads < 0: ValueError before any folder is made
        if (!keep) opt.out = temp_folder();
        // Ctrl-C between claims: with the GIL re-acquired, a pending signal raises KeyboardInterrupt, which unwinds
        // run_claims (the claim running when it arrives finishes first: claims have no cancellation point).
        opt.before_claim = [](const verify::Claim&) {
          py::gil_scoped_acquire acquire;
          if (PyErr_CheckSignals() != 0) throw py::error_already_set();
        };
        verify::RunSummary summary;
        try {
          py::gil_scoped_release release;
          if (keep) {
            // As rtv-verify: the report, figures, data (and a JUnit file inside out) as one unit; a previous report
            // stays whole until the new one is complete, and a KeyboardInterrupt leaves nothing of the run.
            summary = verify::run_and_report(opt, catalogue);
          } else {
            summary = verify::run_claims(opt, catalogue);
            if (!opt.junit.empty()) verify::write_junit_report(opt, catalogue, summary, opt.junit);
          }
        } catch (...) {
          if (!keep) {
            std::error_code ec;
            fs::remove_all(opt.out, ec);
          }
          throw;
        }
        if (!keep) {
          std::error_code ec;
          fs::remove_all(opt.out, ec);
        }
        PyRun run;
        run.passed = summary.passed;
        run.failed = summary.failed;
        run.seconds = summary.seconds;
        run.seed = seed;
        run.quick = quick;
        if (keep) run.out = opt.out.string();
        for (auto& r : summary.results) {
          PyClaimResult c;
          const Claim* entry = find_claim(r.id);
          if (entry) {
            c.name = entry->name;
            c.kind = verify::to_string(entry->kind);
            c.section = entry->section;
            c.statement = entry->statement;
          }
          if (!keep) {  // the files are gone with the temporary folder
            r.figures.clear();
            r.data_files.clear();
          }
          c.r = std::move(r);
          run.results.push_back(std::move(c));
        }
        return run;
      },
      py::arg("claims") = py::none(), py::arg("quick") = true, py::arg("seed") = verify::kDefaultSeed,
      py::arg("threads") = 0, py::arg("out") = py::none(), py::arg("junit") = py::none(), py::arg("progress") = true,
      "verify(claims=None, quick=True, seed=2301, threads=0, out=None, junit=None, progress=True) -> VerifyRun.\n\n"
      "Run claims of the catalogue (CLAIMS.md; rtv.claims() lists them; None: all) as rtv-verify does\n"
      "(verify/harness.hpp run_claims: the same per-claim random streams, so the numbers equal `rtv-verify\n"
      "[--quick] --seed S --claim ...`'s). quick: the reduced sizes of --quick. threads: 0 = all cores (the results\n"
      "do not depend on it). out: a folder for report.md, report.json (byte-identical to rtv-verify's with the same\n"
      "options), timings.json, figures/ and data/; None runs in a temporary folder that is removed. junit: also\n"
      "write JUnit XML there. progress: the harness's progress lines on stderr. The GIL is released while the\n"
      "claims run. Use in pytest: assert rtv.verify(claims=['W1']).all_passed, or\n"
      "assert all(r.passed for r in rtv.verify(claims=['W1'])). A failed claim is a result (passed False, reason),\n"
      "not an exception; an unknown claim id or a negative thread count raises ValueError.");

  m.def(
      "claims",
      [] {
        py::list l;
        for (const auto& c : verify::registry()) {
          py::dict d;
          d["id"] = c.id;
          d["name"] = c.name;
          d["kind"] = verify::to_string(c.kind);
          d["section"] = c.section;
          d["statement"] = c.statement;
          d["experiment"] = c.experiment;
          l.append(d);
        }
        return l;
      },
      "claims() -> the catalogue (CLAIMS.md, in its order) as dicts: id, name, kind, section, statement, experiment "
      "(as rtv-verify --list).");
}

}  // namespace rtv::py

#else  // the module was built without the claim harness (RTV_PY_HAVE_VERIFY undefined)

namespace rtv::py {
void bind_verify(py::module_& m) { (void)m; }
}  // namespace rtv::py

#endif
