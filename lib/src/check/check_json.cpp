// check_report_json (rtv/check/check.hpp): the report as `rtv check --json` prints it.
#include <cmath>
#include <nlohmann/json.hpp>

#include "rtv/check/check.hpp"

namespace rtv {

namespace {

nlohmann::ordered_json number_or_null(double x) {
  return std::isfinite(x) ? nlohmann::ordered_json(x) : nlohmann::ordered_json();
}

}  // namespace

std::string check_report_json(const CheckReport& rep) {
  nlohmann::ordered_json j;
  j["kind"] = rep.deep ? "deep" : "shallow";
  j["d"] = rep.d;
  if (!rep.deep) {
    j["N"] = rep.N;
    j["K"] = rep.K;
    j["skip_connection"] = rep.skip;
    j["lambda"] = number_or_null(rep.lambda);
    j["lambda_estimated"] = rep.lambda_estimated;
    j["lambda_estimate"] = {{"value", rep.estimate.value},
                            {"min", number_or_null(rep.estimate.min)},
                            {"max", number_or_null(rep.estimate.max)},
                            {"relative_spread", rep.estimate.relative_spread},
                            {"neurons", rep.estimate.neurons}};
    j["objective"] = rep.objective;
    j["data_fit"] = rep.data_fit;
    j["path_norm"] = rep.path_norm;
    j["rtv"] = rep.rtv;
    j["rtv_ball"] = rep.rtv_ball;
    j["data_radius"] = rep.data_radius;
    j["optimum"] = number_or_null(rep.optimum);
    j["optimum_gap"] = number_or_null(rep.optimum_gap);
    j["optimum_neurons"] = rep.optimum_neurons;
    j["reduced_neurons"] = rep.reduced.width();
  }
  j["weight_decay"] = rep.weight_decay;
  j["passed"] = rep.passed();
  j["diagnostics"] = nlohmann::ordered_json::array();
  for (const Diagnostic& d : rep.diagnostics) {
    nlohmann::ordered_json jd;
    jd["id"] = d.id;
    jd["title"] = d.title;
    jd["theorem"] = d.theorem;
    jd["verdict"] = to_string(d.verdict);
    jd["measured"] = number_or_null(d.measured);
    jd["op"] = d.op;
    jd["bar"] = d.bar;
    jd["summary"] = d.summary;
    jd["details"] = d.details;
    j["diagnostics"].push_back(jd);
  }
  return j.dump();
}

}  // namespace rtv
