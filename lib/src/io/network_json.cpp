// Network files in rtv's JSON formats, and the by-extension readers of any network file (rtv/io/network_json.hpp).
// One of the library's two users of nlohmann/json (with safetensors.cpp).
#include "rtv/io/network_json.hpp"

#include <Eigen/Core>
#include <algorithm>
#include <functional>
#include <cmath>
#include <limits>
#include <nlohmann/json.hpp>
#include <set>
#include <utility>
#include <vector>

#include "rtv/core/error.hpp"
#include "json_keys.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/io/safetensors.hpp"
#include "rtv/io/torch_import.hpp"

namespace rtv {

namespace fs = std::filesystem;
using nlohmann::json;

// ---------------------------------------------------------------- network JSON

namespace {

constexpr const char* kFormat = "rtv.shallow-relu";
constexpr const char* kDeepFormat = "rtv.deep-relu";
constexpr int kVersion = 1;

double number_of(const json& j, const std::string& source, const std::string& what) {
  if (!j.is_number()) throw input_error(source, what + " must be a number, got " + std::string(j.type_name()));
  const double x = j.get<double>();
  if (!std::isfinite(x)) throw input_error(source, what + " is not finite");
  return x;
}

Eigen::VectorXd vector_of(const json& j, const std::string& source, const std::string& key) {
  if (!j.is_array()) throw input_error(source, "\"" + key + "\" must be an array of numbers");
  Eigen::VectorXd out(static_cast<Eigen::Index>(j.size()));
  for (std::size_t i = 0; i < j.size(); ++i)
    out(static_cast<Eigen::Index>(i)) = number_of(j[i], source, "\"" + key + "\"[" + std::to_string(i) + "]");
  return out;
}

// The integer value of j if it is a JSON integer in [lo, hi] (no narrowing: "d": 4294967298 is not 2 and
// "version": 4294967297 is not 1, issue 20); nothing otherwise.
bool integer_in(const json& j, long long lo, long long hi, long long* out) {
  if (j.is_number_unsigned()) {
    const auto u = j.get<unsigned long long>();
    if (u > static_cast<unsigned long long>(hi) || static_cast<long long>(u) < lo) return false;
    *out = static_cast<long long>(u);
    return true;
  }
  if (!j.is_number_integer()) return false;
  const auto x = j.get<long long>();
  if (x < lo || x > hi) return false;
  *out = x;
  return true;
}

}  // namespace

namespace {

json parse_json_object(const std::string& text, const std::string& source) {
  json j;
  // Duplicate keys are an error, not "the last one wins" (issue 20: {"d": 2, ..., "d": 3} was read silently).
  io_detail::DuplicateKeys dup;
  try {
    j = json::parse(text, std::ref(dup));
  } catch (const json::parse_error& e) {
    throw input_error(source, std::string("malformed JSON: ") + e.what());
  } catch (const json::exception& e) {  // e.g. out_of_range: a number too large for a double (1e999)
    throw input_error(source, std::string("invalid JSON number: ") + e.what());
  }
  if (dup.found)
    throw input_error(source, "duplicate key \"" + dup.duplicate + "\"" +
                                  (dup.tensor.empty() ? std::string() : " in \"" + dup.tensor + "\"") +
                                  " (a JSON object must not repeat a key)");
  if (!j.is_object()) throw input_error(source, "a network file must be a JSON object");
  return j;
}

ShallowNet shallow_from_json(const json& j, const std::string& source) {
  // The format first: a file of the other format gets that message, not a list of unknown keys.
  if (j.contains("format") && j["format"] == kDeepFormat)
    throw input_error(source, std::string("\"format\" is \"") + kDeepFormat +
                                  "\", a deep network: this reads shallow networks (\"" + kFormat + "\") only");
  if (!j.contains("format") || j["format"] != kFormat)
    throw input_error(source, std::string("\"format\" must be \"") + kFormat + "\"");
  static const std::set<std::string> known = {"format", "version", "W", "b", "v", "c", "c0", "d"};
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (!known.count(key))
      throw input_error(source, "unknown key \"" + key + "\" (allowed: format, version, d, W, b, v, c, c0)");
  }
  long long version = 0;
  if (!j.contains("version") || !integer_in(j["version"], kVersion, kVersion, &version))
    throw input_error(source, "\"version\" must be 1 (the only version this rtv reads)");
  for (const char* key : {"W", "b", "v"})
    if (!j.contains(key)) throw input_error(source, std::string("missing key \"") + key + "\"");

  const json& jW = j["W"];
  if (!jW.is_array()) throw input_error(source, "\"W\" must be an array of rows (K x d)");
  const auto K = static_cast<int>(jW.size());
  int d = -1;
  if (j.contains("d")) {
    long long dd = 0;
    if (!integer_in(j["d"], 1, std::numeric_limits<int>::max(), &dd))
      throw input_error(source, "\"d\" must be a positive integer of at most " +
                                    std::to_string(std::numeric_limits<int>::max()) + ", got " + j["d"].dump());
    d = static_cast<int>(dd);
  }
  if (K > 0) {
    if (!jW[0].is_array()) throw input_error(source, "\"W\" must be an array of rows (K x d)");
    const int d0 = static_cast<int>(jW[0].size());
    if (d >= 0 && d0 != d)
      throw input_error(source, "\"W\" rows have " + std::to_string(d0) + " entries but \"d\" is " + std::to_string(d));
    d = d0;
  }
  if (d < 1) throw input_error(source, "input dimension unknown or zero: give non-empty rows in \"W\" or \"d\"");
  // Every size checked against the arrays actually present BEFORE allocating (issue 20: "d": 1e9 with no neurons
  // allocated 8 GB for c; a million empty rows after a long first one allocated K x d): each row of W has d
  // entries, c (if given) has d entries, and a d that no array backs (no rows, no c) is bounded.
  for (int k = 0; k < K; ++k) {
    const json& row = jW[static_cast<std::size_t>(k)];
    if (!row.is_array() || static_cast<int>(row.size()) != d)
      throw input_error(source, "\"W\"[" + std::to_string(k) + "] must have " + std::to_string(d) +
                                    " entries like the first row (W is K x d)");
  }
  if (j.contains("c") && j["c"].is_array() && j["c"].size() != static_cast<std::size_t>(d))
    throw input_error(source, "c has " + std::to_string(j["c"].size()) + " entries but the input dimension is " +
                                  std::to_string(d));
  if (K == 0 && !j.contains("c") && d > kMaxUnbackedDim)
    throw input_error(source, "\"d\" is " + std::to_string(d) + " but no array in the file has d entries (W has no "
                              "rows, no \"c\"): such a declared-only dimension is limited to " +
                              std::to_string(kMaxUnbackedDim));

  ShallowNet net = ShallowNet::zeros(d, K, j.contains("c"));
  for (int k = 0; k < K; ++k) {
    const json& row = jW[k];
    if (!row.is_array() || static_cast<int>(row.size()) != d)
      throw input_error(source, "\"W\"[" + std::to_string(k) + "] must have " + std::to_string(d) +
                                    " entries like the first row (W is K x d)");
    for (int i = 0; i < d; ++i)
      net.W(k, i) = number_of(row[i], source, "\"W\"[" + std::to_string(k) + "][" + std::to_string(i) + "]");
  }
  net.b = vector_of(j["b"], source, "b");
  net.v = vector_of(j["v"], source, "v");
  if (j.contains("c")) net.c = vector_of(j["c"], source, "c");
  if (j.contains("c0")) net.c0 = number_of(j["c0"], source, "\"c0\"");
  net.validate(source);
  return net;
}

}  // namespace

ShallowNet parse_network_json(const std::string& text, const std::string& source) {
  return shallow_from_json(parse_json_object(text, source), source);
}

ShallowNet read_network_json(const fs::path& path) { return parse_network_json(read_file(path), path.string()); }

std::string network_to_json(const ShallowNet& net) {
  // JSON has no inf or NaN (nlohmann would write null, which no reader takes back): callers never pass one.
  RTV_ASSERT(net.W.allFinite() && net.b.allFinite() && net.v.allFinite() && net.c.allFinite() && std::isfinite(net.c0),
             "a network with non-finite weights is not written");
  json j;
  j["format"] = kFormat;
  j["version"] = kVersion;
  j["d"] = net.dim();
  json W = json::array();
  for (int k = 0; k < net.width(); ++k) {
    json row = json::array();
    for (int i = 0; i < net.dim(); ++i) row.push_back(net.W(k, i));
    W.push_back(row);
  }
  j["W"] = W;
  j["b"] = std::vector<double>(net.b.data(), net.b.data() + net.b.size());
  j["v"] = std::vector<double>(net.v.data(), net.v.data() + net.v.size());
  if (net.skip) j["c"] = std::vector<double>(net.c.data(), net.c.data() + net.c.size());
  j["c0"] = net.c0;
  return j.dump(1) + "\n";  // nlohmann writes doubles with 17 significant digits: exact round trip
}

void write_network_json(const ShallowNet& net, const fs::path& path) {
  write_file_atomic(path, network_to_json(net));
}

// ---------------------------------------------------------------- deep network JSON

namespace {

// A matrix given as an array of rows, every row with `cols` numbers (cols = the width it is applied to, known
// from the previous layers). `what` names the stage and key, e.g. "stage 2: \"W\"".
Eigen::MatrixXd matrix_of(const json& j, const std::string& source, const std::string& what, int cols,
                          const std::string& cols_reason) {
  if (!j.is_array()) throw input_error(source, what + " must be an array of rows, got " + j.type_name());
  // Every row's length checked BEFORE allocating rows x cols (issue 20: "d": 2^30 with "W": [[1]] allocated 8 GB
  // before the first row was found to have 1 entry).
  for (std::size_t r = 0; r < j.size(); ++r) {
    const std::string row = what + "[" + std::to_string(r) + "]";
    if (!j[r].is_array()) throw input_error(source, row + " must be an array of numbers (a row)");
    if (static_cast<int>(j[r].size()) != cols || j[r].size() != static_cast<std::size_t>(cols))
      throw input_error(source, row + " has " + std::to_string(j[r].size()) + " entries, expected " +
                                    std::to_string(cols) + " (" + cols_reason + ")");
  }
  Eigen::MatrixXd M(static_cast<Eigen::Index>(j.size()), cols);
  for (std::size_t r = 0; r < j.size(); ++r) {
    const std::string row = what + "[" + std::to_string(r) + "]";
    for (int i = 0; i < cols; ++i)
      M(static_cast<Eigen::Index>(r), i) = number_of(j[r][static_cast<std::size_t>(i)], source,
                                                     row + "[" + std::to_string(i) + "]");
  }
  return M;
}

Eigen::VectorXd vector_of_size(const json& j, const std::string& source, const std::string& what, int n,
                               const std::string& reason) {
  if (!j.is_array()) throw input_error(source, what + " must be an array of numbers, got " + j.type_name());
  if (static_cast<int>(j.size()) != n)
    throw input_error(source, what + " has " + std::to_string(j.size()) + " entries, expected " + std::to_string(n) +
                                  " (" + reason + ")");
  Eigen::VectorXd out(n);
  for (int i = 0; i < n; ++i)
    out(i) = number_of(j[static_cast<std::size_t>(i)], source, what + "[" + std::to_string(i) + "]");
  return out;
}

DeepStage stage_from_json(const json& js, const std::string& source, const std::string& stage, int n_in) {
  if (!js.is_object()) throw input_error(source, stage + " must be a JSON object");
  static const std::set<std::string> known = {"linear", "W", "b", "V", "c", "skip", "C"};
  for (const auto& [key, value] : js.items()) {
    (void)value;
    if (!known.count(key))
      throw input_error(source, stage + ": unknown key \"" + key + "\" (allowed: linear, W, b, V, c, skip, C)");
  }
  for (const char* key : {"W", "b"})
    if (!js.contains(key)) throw input_error(source, stage + ": missing key \"" + key + "\"");
  const auto q = [&](const std::string& key) { return stage + ": \"" + key + "\""; };
  DeepStage s;
  int r = n_in;  // the width the next matrix is applied to
  std::string r_reason = "the stage's input width n_in";
  if (js.contains("linear")) {
    const json& jl = js["linear"];
    if (!jl.is_array()) throw input_error(source, q("linear") + " must be an array of matrices");
    for (std::size_t m = 0; m < jl.size(); ++m) {
      s.linear.push_back(matrix_of(jl[m], source, q("linear") + "[" + std::to_string(m) + "]", r, r_reason));
      r = static_cast<int>(s.linear.back().rows());
      r_reason = "the rows of \"linear\"[" + std::to_string(m) + "]";
    }
  }
  s.W = matrix_of(js["W"], source, q("W"), r, r_reason);
  const int K = s.width();
  s.b = vector_of_size(js["b"], source, q("b"), K, "one per row of W");
  int n_out = K;
  if (js.contains("V") && !js["V"].is_null()) {
    s.V = matrix_of(js["V"], source, q("V"), K, "one per row of W");
    if (s.V.rows() == 0)
      throw input_error(source, q("V") + " has no rows: give null (or leave it out) for the identity");
    n_out = static_cast<int>(s.V.rows());
  }
  s.c = js.contains("c") ? vector_of_size(js["c"], source, q("c"), n_out, "the stage's output width")
                         : Eigen::VectorXd::Zero(n_out);
  if (js.contains("skip")) {
    if (!js["skip"].is_boolean()) throw input_error(source, q("skip") + " must be true or false");
    s.skip = js["skip"].get<bool>();
  }
  if (s.skip) {
    if (!js.contains("C")) throw input_error(source, stage + ": \"skip\" is true but \"C\" is missing");
    s.C = matrix_of(js["C"], source, q("C"), n_in, "the stage's input width n_in");
    if (s.C.rows() != n_out)
      throw input_error(source, q("C") + " has " + std::to_string(s.C.rows()) + " rows, expected " +
                                    std::to_string(n_out) + " (the stage's output width)");
  } else {
    if (js.contains("C")) throw input_error(source, stage + ": \"C\" is given but \"skip\" is not true");
    s.C = Eigen::MatrixXd::Zero(n_out, n_in);
  }
  return s;
}

json matrix_json(const Eigen::MatrixXd& M) {
  json rows = json::array();
  for (Eigen::Index i = 0; i < M.rows(); ++i) {
    json row = json::array();
    for (Eigen::Index j = 0; j < M.cols(); ++j) row.push_back(M(i, j));
    rows.push_back(std::move(row));
  }
  return rows;
}

json vector_json(const Eigen::VectorXd& v) { return std::vector<double>(v.data(), v.data() + v.size()); }

DeepNet deep_from_json(const json& j, const std::string& source) {
  // The format first: a file of the other format gets that message, not a list of unknown keys.
  if (!j.contains("format") || j["format"] != kDeepFormat) {
    if (j.contains("format") && j["format"] == kFormat)
      throw input_error(source, std::string("\"format\" is \"") + kFormat +
                                    "\", a shallow network: read it with read_network or read_deep_network (which "
                                    "converts it), not as \"" + kDeepFormat + "\"");
    throw input_error(source, std::string("\"format\" must be \"") + kDeepFormat + "\"");
  }
  static const std::set<std::string> known = {"format", "version", "d", "stages"};
  for (const auto& [key, value] : j.items()) {
    (void)value;
    if (!known.count(key))
      throw input_error(source, "unknown key \"" + key + "\" (allowed: format, version, d, stages)");
  }
  long long version = 0;
  if (!j.contains("version") || !integer_in(j["version"], kVersion, kVersion, &version))
    throw input_error(source, "\"version\" must be 1 (the only version this rtv reads)");
  if (!j.contains("d")) throw input_error(source, "missing key \"d\" (the input dimension)");
  long long d = 0;
  if (!integer_in(j["d"], 1, 1 << 30, &d))
    throw input_error(source, "\"d\" must be a positive integer of at most " + std::to_string(1 << 30) + ", got " +
                                  j["d"].dump());
  if (!j.contains("stages")) throw input_error(source, "missing key \"stages\"");
  const json& js = j["stages"];
  if (!js.is_array() || js.empty()) throw input_error(source, "\"stages\" must be a non-empty array of stages");
  DeepNet net;
  int n_in = static_cast<int>(d);
  for (std::size_t l = 0; l < js.size(); ++l) {
    net.stages.push_back(stage_from_json(js[l], source, "stage " + std::to_string(l + 1), n_in));
    n_in = net.stages.back().outputs();
  }
  net.validate(source);
  return net;
}

}  // namespace

DeepNet parse_deep_network_json(const std::string& text, const std::string& source) {
  return deep_from_json(parse_json_object(text, source), source);
}

DeepNet read_deep_network_json(const fs::path& path) { return parse_deep_network_json(read_file(path), path.string()); }

std::string deep_network_to_json(const DeepNet& net) {
  json stages = json::array();
  for (const DeepStage& s : net.stages) {
    json js;
    json linear = json::array();
    for (const Eigen::MatrixXd& U : s.linear) linear.push_back(matrix_json(U));
    js["linear"] = linear;
    js["W"] = matrix_json(s.W);
    js["b"] = vector_json(s.b);
    js["V"] = s.has_V() ? matrix_json(s.V) : json(nullptr);
    js["c"] = vector_json(s.c);
    js["skip"] = s.skip;
    if (s.skip) js["C"] = matrix_json(s.C);
    stages.push_back(std::move(js));
  }
  json j;
  j["format"] = kDeepFormat;
  j["version"] = kVersion;
  j["d"] = net.dim();
  j["stages"] = stages;
  return j.dump(1) + "\n";  // doubles with up to 17 significant digits (shortest round trip): exact
}

void write_deep_network_json(const DeepNet& net, const fs::path& path) {
  write_file_atomic(path, deep_network_to_json(net));
}

// ---------------------------------------------------------------- any network file, by extension

namespace {

std::string json_format(const fs::path& path) {
  const std::string src = path.string();
  const json j = parse_json_object(read_file(path), src);
  if (!j.contains("format") || !j["format"].is_string())
    throw input_error(src, std::string("\"format\" must be \"") + kFormat + "\" or \"" + kDeepFormat + "\"");
  const std::string f = j["format"].get<std::string>();
  if (f != kFormat && f != kDeepFormat)
    throw input_error(src, "unknown \"format\" \"" + f + "\" (expected \"" + kFormat + "\" or \"" + kDeepFormat +
                           "\")");
  return f;
}

}  // namespace

ShallowNet read_network(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return read_network_json(path);
  if (ext == ".npz") return read_network_npz(path);
  if (ext == ".safetensors") return network_from_state_dict(read_safetensors(path), path.string());
  throw input_error(path.string(), "unknown network file type '" + ext + "' (expected .json, .npz or .safetensors)");
}

bool activation_is_assumed(const fs::path& path) {
  return path.extension() == ".npz" || path.extension() == ".safetensors";
}

double network_file_unit_roundoff(const fs::path& path) {
  double u = std::ldexp(1.0, -53);  // double: JSON numbers parse to the nearest double; <f8 and integer arrays
  if (path.extension() == ".npz")
    for (const auto& [key, arr] : read_npz(path)) {
      (void)key;
      if (arr.dtype == "<f4") u = std::ldexp(1.0, -24);
    }
  if (path.extension() == ".safetensors")
    for (const auto& [key, arr] : read_safetensors(path)) {
      (void)key;  // the coarsest stored precision: BF16 (8 significand bits) > F16 (11) > F32 (24) > F64, I64, I32
      const int bits = arr.dtype == "BF16" ? 8 : arr.dtype == "F16" ? 11 : arr.dtype == "F32" ? 24 : 53;
      u = std::max(u, std::ldexp(1.0, -bits));
    }
  return u;
}

NetworkKind network_file_kind(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return json_format(path) == kFormat ? NetworkKind::kShallow : NetworkKind::kDeep;
  if (ext == ".npz") return is_shallow_state_dict(read_npz(path)) ? NetworkKind::kShallow : NetworkKind::kDeep;
  if (ext == ".safetensors")
    return is_shallow_state_dict(read_safetensors(path)) ? NetworkKind::kShallow : NetworkKind::kDeep;
  throw input_error(path.string(), "unknown network file type '" + ext + "' (expected .json, .npz or .safetensors)");
}

DeepNet read_deep_network(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") {
    const std::string src = path.string();
    const json j = parse_json_object(read_file(path), src);
    if (j.contains("format") && j["format"] == kFormat) return to_deep(shallow_from_json(j, src));
    return deep_from_json(j, src);
  }
  if (ext == ".npz") {
    const auto arrays = read_npz(path);
    if (is_shallow_state_dict(arrays)) return to_deep(read_network_npz(path));
    return deep_network_from_state_dict(arrays, path.string());
  }
  if (ext == ".safetensors") {
    const auto arrays = read_safetensors(path);
    if (is_shallow_state_dict(arrays)) return to_deep(network_from_state_dict(arrays, path.string()));
    return deep_network_from_state_dict(arrays, path.string());
  }
  throw input_error(path.string(), "unknown network file type '" + ext + "' (expected .json, .npz or .safetensors)");
}

}  // namespace rtv
