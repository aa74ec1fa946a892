// Files: network JSON, PyTorch .npz import, NumPy .npy, atomic output (see rtv/io/io.hpp for the formats).
#include "rtv/io/io.hpp"

#include <cmath>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>

#include "rtv/core/error.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"

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

}  // namespace

namespace {

json parse_json_object(const std::string& text, const std::string& source) {
  json j;
  try {
    j = json::parse(text);
  } catch (const json::parse_error& e) {
    throw input_error(source, std::string("malformed JSON: ") + e.what());
  } catch (const json::exception& e) {  // e.g. out_of_range: a number too large for a double (1e999)
    throw input_error(source, std::string("invalid JSON number: ") + e.what());
  }
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
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<int>() != kVersion)
    throw input_error(source, "\"version\" must be 1 (the only version this rtv reads)");
  for (const char* key : {"W", "b", "v"})
    if (!j.contains(key)) throw input_error(source, std::string("missing key \"") + key + "\"");

  const json& jW = j["W"];
  if (!jW.is_array()) throw input_error(source, "\"W\" must be an array of rows (K x d)");
  const auto K = static_cast<int>(jW.size());
  int d = -1;
  if (j.contains("d")) {
    if (!j["d"].is_number_integer() || j["d"].get<long long>() < 1)
      throw input_error(source, "\"d\" must be a positive integer");
    d = j["d"].get<int>();
  }
  if (K > 0) {
    if (!jW[0].is_array()) throw input_error(source, "\"W\" must be an array of rows (K x d)");
    const int d0 = static_cast<int>(jW[0].size());
    if (d >= 0 && d0 != d)
      throw input_error(source, "\"W\" rows have " + std::to_string(d0) + " entries but \"d\" is " + std::to_string(d));
    d = d0;
  }
  if (d < 1) throw input_error(source, "input dimension unknown or zero: give non-empty rows in \"W\" or \"d\"");

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
  Eigen::MatrixXd M(static_cast<Eigen::Index>(j.size()), cols);
  for (std::size_t r = 0; r < j.size(); ++r) {
    const std::string row = what + "[" + std::to_string(r) + "]";
    if (!j[r].is_array()) throw input_error(source, row + " must be an array of numbers (a row)");
    if (static_cast<int>(j[r].size()) != cols)
      throw input_error(source, row + " has " + std::to_string(j[r].size()) + " entries, expected " +
                                    std::to_string(cols) + " (" + cols_reason + ")");
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
  if (!j.contains("version") || !j["version"].is_number_integer() || j["version"].get<long long>() != kVersion)
    throw input_error(source, "\"version\" must be 1 (the only version this rtv reads)");
  if (!j.contains("d")) throw input_error(source, "missing key \"d\" (the input dimension)");
  if (!j["d"].is_number_integer() || j["d"].get<long long>() < 1 || j["d"].get<long long>() > (1 << 30))
    throw input_error(source, "\"d\" must be a positive integer");
  if (!j.contains("stages")) throw input_error(source, "missing key \"stages\"");
  const json& js = j["stages"];
  if (!js.is_array() || js.empty()) throw input_error(source, "\"stages\" must be a non-empty array of stages");
  DeepNet net;
  int n_in = j["d"].get<int>();
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

ShallowNet read_network_npz(const fs::path& path) {
  const std::string src = path.string();
  auto arrays = read_npz(path);
  // Find the Sequential's prefix from the key ending in "0.weight" (e.g. "", "net.", "model.").
  std::string prefix;
  bool found = false;
  for (const auto& [key, arr] : arrays) {
    (void)arr;
    static const std::string tail = "0.weight";
    if (key.size() >= tail.size() && key.compare(key.size() - tail.size(), tail.size(), tail) == 0 &&
        (key.size() == tail.size() || key[key.size() - tail.size() - 1] == '.')) {
      if (found) throw input_error(src, "more than one key ends in '0.weight': cannot tell which is the first layer");
      prefix = key.substr(0, key.size() - tail.size());
      found = true;
    }
  }
  if (!found)
    throw input_error(src, "no '0.weight' key: expected the state_dict of nn.Sequential(nn.Linear(d, K), nn.ReLU(), "
                           "nn.Linear(K, 1)) (keys 0.weight, 0.bias (absent with bias=False), 2.weight, 2.bias; "
                           "optional skip.weight, skip.bias)");
  // 0.bias is optional: nn.Linear(d, K, bias=False) saves none, and its bias is zero.
  const std::set<std::string> required = {prefix + "0.weight", prefix + "2.weight", prefix + "2.bias"};
  for (const auto& key : required)
    if (!arrays.count(key)) throw input_error(src, "missing array '" + key + "'");
  const bool has_b1 = arrays.count(prefix + "0.bias") > 0;
  for (const auto& [key, arr] : arrays) {
    (void)arr;
    if (!required.count(key) && key != prefix + "0.bias" && key != "skip.weight" && key != "skip.bias")
      throw input_error(src, "unexpected array '" + key + "' (the importer reads a Linear-ReLU-Linear network "
                             "with an optional skip Linear)");
  }
  const bool skip = arrays.count("skip.weight") || arrays.count("skip.bias");
  if (skip && !(arrays.count("skip.weight") && arrays.count("skip.bias")))
    throw input_error(src, "skip connection needs both 'skip.weight' and 'skip.bias'");

  auto shape_str = [](const NpyArray& a) {
    std::string s = "(";
    for (std::size_t i = 0; i < a.shape.size(); ++i) s += (i ? ", " : "") + std::to_string(a.shape[i]);
    return s + ")";
  };
  const NpyArray& W1 = arrays[prefix + "0.weight"];
  if (W1.shape.size() != 2 || W1.shape[1] < 1)
    throw input_error(src, "'" + prefix + "0.weight' must be K x d, got shape " + shape_str(W1));
  const int K = static_cast<int>(W1.shape[0]), d = static_cast<int>(W1.shape[1]);
  auto expect = [&](const std::string& key, std::vector<std::int64_t> shape) -> const NpyArray& {
    const NpyArray& a = arrays[key];
    if (a.shape != shape) {
      NpyArray want;
      want.shape = shape;
      throw input_error(src, "'" + key + "' has shape " + shape_str(a) + ", expected " + shape_str(want) +
                                 " for a network with d = " + std::to_string(d) + ", K = " + std::to_string(K));
    }
    return a;
  };
  const NpyArray* b1 = has_b1 ? &expect(prefix + "0.bias", {K}) : nullptr;
  const NpyArray& W2 = expect(prefix + "2.weight", {1, K});
  const NpyArray& b2 = expect(prefix + "2.bias", {1});

  ShallowNet net = ShallowNet::zeros(d, K, skip);
  for (int k = 0; k < K; ++k) {
    for (int i = 0; i < d; ++i) net.W(k, i) = W1.data[static_cast<std::size_t>(k) * d + i];
    net.b(k) = b1 ? -b1->data[k] : 0.0;  // PyTorch: W x + b; rtv: w . x - b. bias=False: b = 0
    net.v(k) = W2.data[k];
  }
  net.c0 = b2.data[0];
  if (skip) {
    const NpyArray& Ws = expect("skip.weight", {1, d});
    const NpyArray& bs = expect("skip.bias", {1});
    for (int i = 0; i < d; ++i) net.c(i) = Ws.data[i];
    net.c0 += bs.data[0];
  }
  net.validate(src);
  return net;
}

ShallowNet read_network(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return read_network_json(path);
  if (ext == ".npz") return read_network_npz(path);
  throw input_error(path.string(), "unknown network file type '" + ext + "' (expected .json or .npz)");
}

bool activation_is_assumed(const fs::path& path) { return path.extension() == ".npz"; }

double network_file_unit_roundoff(const fs::path& path) {
  double u = std::ldexp(1.0, -53);  // double: JSON numbers parse to the nearest double; <f8 and integer arrays
  if (path.extension() == ".npz")
    for (const auto& [key, arr] : read_npz(path)) {
      (void)key;
      if (arr.dtype == "<f4") u = std::ldexp(1.0, -24);
    }
  return u;
}

// ---------------------------------------------------------------- deep PyTorch import

namespace {

// One nn.Linear of the Sequential: PyTorch's weight (out x in) and bias (out; zero when bias=False).
struct TorchLinear {
  int index = 0;
  Eigen::MatrixXd weight;
  Eigen::VectorXd bias;
};

std::string shape_string(const NpyArray& a) {
  std::string s = "(";
  for (std::size_t i = 0; i < a.shape.size(); ++i) s += (i ? ", " : "") + std::to_string(a.shape[i]);
  return s + (a.shape.size() == 1 ? ",)" : ")");
}

// "module 3" or "modules 3..5".
std::string modules_string(int first, int last) {
  return first == last ? "module " + std::to_string(first)
                       : "modules " + std::to_string(first) + ".." + std::to_string(last);
}

// Splits "<prefix><i>.weight" / "<prefix><i>.bias" (prefix empty or ending in '.', i without leading zeros).
bool split_module_key(const std::string& key, std::string& prefix, int& index, bool& is_weight) {
  static const std::regex re(R"(^((?:.*\.)?)(0|[1-9][0-9]{0,5})\.(weight|bias)$)");
  std::smatch m;
  if (!std::regex_match(key, m, re)) return false;
  prefix = m[1].str();
  index = std::stoi(m[2].str());
  is_weight = m[3] == "weight";
  return true;
}

// The Sequential's Linear layers in index order, with shapes and finiteness checked (messages name the key).
std::vector<TorchLinear> torch_linears(const std::map<std::string, NpyArray>& arrays, const std::string& src) {
  std::string prefix;
  bool have_prefix = false;
  std::map<int, std::pair<const NpyArray*, const NpyArray*>> modules;  // index -> (weight, bias)
  for (const auto& [key, arr] : arrays) {
    std::string p;
    int index = 0;
    bool is_weight = false;
    if (!split_module_key(key, p, index, is_weight))
      throw input_error(src, "unexpected array '" + key + "': the deep importer reads an nn.Sequential of nn.Linear "
                             "and nn.ReLU (keys '<i>.weight' and '<i>.bias', optionally with a prefix such as 'net.')");
    if (have_prefix && p != prefix)
      throw input_error(src, "arrays with different prefixes ('" + prefix + "' and '" + p + "', in '" + key +
                             "'): expected the state_dict of one nn.Sequential");
    prefix = p;
    have_prefix = true;
    (is_weight ? modules[index].first : modules[index].second) = &arr;
  }
  if (modules.empty()) throw input_error(src, "no arrays: expected the state_dict of an nn.Sequential");
  std::vector<TorchLinear> out;
  for (const auto& [index, wb] : modules) {
    const std::string name = prefix + std::to_string(index);
    if (!wb.first) throw input_error(src, "'" + name + ".bias' without '" + name + ".weight'");
    const NpyArray& w = *wb.first;
    if (w.shape.size() != 2 || w.shape[0] < 1 || w.shape[1] < 1)
      throw input_error(src, "'" + name + ".weight' must be a matrix out_features x in_features (an nn.Linear), got "
                             "shape " + shape_string(w));
    TorchLinear t;
    t.index = index;
    t.weight.resize(w.shape[0], w.shape[1]);
    for (std::int64_t i = 0; i < w.shape[0]; ++i)
      for (std::int64_t k = 0; k < w.shape[1]; ++k)
        t.weight(i, k) = w.data[static_cast<std::size_t>(i * w.shape[1] + k)];
    t.bias = Eigen::VectorXd::Zero(w.shape[0]);
    if (wb.second) {
      const NpyArray& b = *wb.second;
      if (b.shape != std::vector<std::int64_t>{w.shape[0]})
        throw input_error(src, "'" + name + ".bias' has shape " + shape_string(b) + ", expected (" +
                               std::to_string(w.shape[0]) + ",) like the rows of '" + name + ".weight'");
      for (std::int64_t i = 0; i < w.shape[0]; ++i) t.bias(i) = b.data[static_cast<std::size_t>(i)];
    }
    if (!t.weight.allFinite()) throw input_error(src, "'" + name + ".weight' contains NaN or infinite values");
    if (!t.bias.allFinite()) throw input_error(src, "'" + name + ".bias' contains NaN or infinite values");
    if (!out.empty() && out.back().weight.rows() != t.weight.cols())
      throw input_error(src, "'" + name + ".weight' has " + std::to_string(t.weight.cols()) +
                             " in_features but the previous Linear (index " + std::to_string(out.back().index) +
                             ") has " + std::to_string(out.back().weight.rows()) + " out_features");
    out.push_back(std::move(t));
  }
  return out;
}

DeepNet deep_from_arrays(const std::map<std::string, NpyArray>& arrays, const std::string& src) {
  const std::vector<TorchLinear> lin = torch_linears(arrays, src);

  // Split into chains of consecutive indices, separated by exactly one parameter-free index (a ReLU).
  if (lin.front().index != 0)
    throw input_error(src, "the first Linear is module " + std::to_string(lin.front().index) + ", not 0: " +
                           modules_string(0, lin.front().index - 1) + " before it without parameters (the Sequential "
                           "must start with an nn.Linear)");
  std::vector<std::vector<const TorchLinear*>> chains(1);
  for (std::size_t i = 0; i < lin.size(); ++i) {
    if (i > 0) {
      const int gap = lin[i].index - lin[i - 1].index;
      if (gap == 2) {
        chains.emplace_back();
      } else if (gap > 2) {
        throw input_error(src, modules_string(lin[i - 1].index + 1, lin[i].index - 1) + " between the Linear layers " +
                               std::to_string(lin[i - 1].index) + " and " + std::to_string(lin[i].index) +
                               " have no parameters: only a single nn.ReLU may separate Linear layers");
      }
    }
    chains.back().push_back(&lin[i]);
  }
  const std::size_t L = chains.size() - 1;  // number of ReLUs
  if (L == 0)
    throw input_error(src, "no nn.ReLU (module indices " + std::to_string(lin.front().index) + ".." +
                           std::to_string(lin.back().index) + " are all Linear): a purely linear network is not a "
                           "ReLU network");
  if (chains[L].size() != 1)
    throw input_error(src, "after the last nn.ReLU (module " + std::to_string(chains[L].front()->index - 1) +
                           ") come " + std::to_string(chains[L].size()) + " Linear layers (" +
                           modules_string(chains[L].front()->index, chains[L].back()->index) +
                           "): the last ReLU must be followed by exactly one Linear (the output layer)");

  DeepNet net;
  for (std::size_t l = 1; l <= L; ++l) {
    // The pre-ReLU part: chain_{l-1}, without its first Linear when that Linear is stage l-1's V.
    const auto& pre_chain = chains[l - 1];
    const std::size_t first = (l > 1 && pre_chain.size() >= 2) ? 1 : 0;
    DeepStage s;
    // acc = the bias of the composed affine map U_m (... (U_1 h + beta_1) ...) + beta_W, by Horner's rule.
    Eigen::VectorXd acc;
    for (std::size_t i = first; i < pre_chain.size(); ++i) {
      const TorchLinear& t = *pre_chain[i];
      acc = (i == first) ? t.bias : Eigen::VectorXd(t.weight * acc + t.bias);
      if (i + 1 < pre_chain.size()) s.linear.push_back(t.weight);
      else s.W = t.weight;
    }
    s.b = -acc;  // PyTorch: W x + b; rtv: w . x - b
    const auto& post_chain = chains[l];
    if (l == L || post_chain.size() >= 2) {
      s.V = post_chain.front()->weight;
      s.c = post_chain.front()->bias;
    } else {
      s.c = Eigen::VectorXd::Zero(s.W.rows());  // V absent: the identity; the chain's Linear is the next W
    }
    const int n_in = s.linear.empty() ? static_cast<int>(s.W.cols()) : static_cast<int>(s.linear.front().cols());
    s.C = Eigen::MatrixXd::Zero(s.c.size(), n_in);
    s.skip = false;
    net.stages.push_back(std::move(s));
  }
  net.validate(src);
  return net;
}

// The shallow .npz pattern (io.hpp header comment): read_network_npz's keys (0.bias optional), or a skip connection.
bool is_shallow_npz(const std::map<std::string, NpyArray>& arrays) {
  for (const auto& [key, arr] : arrays) {
    (void)arr;
    if (key.rfind("skip.", 0) == 0) return true;
  }
  if (arrays.size() != 3 && arrays.size() != 4) return false;
  std::string prefix;
  int index = 0;
  bool is_weight = false;
  if (!split_module_key(arrays.begin()->first, prefix, index, is_weight)) return false;
  for (const char* tail : {"0.weight", "2.weight", "2.bias"})
    if (!arrays.count(prefix + tail)) return false;
  if (arrays.size() == 4 && !arrays.count(prefix + "0.bias")) return false;
  const NpyArray& w2 = arrays.at(prefix + "2.weight");
  return w2.shape.size() == 2 && w2.shape[0] == 1;
}

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

DeepNet read_deep_network_npz(const fs::path& path) { return deep_from_arrays(read_npz(path), path.string()); }

NetworkKind network_file_kind(const fs::path& path) {
  const std::string ext = path.extension().string();
  if (ext == ".json") return json_format(path) == kFormat ? NetworkKind::kShallow : NetworkKind::kDeep;
  if (ext == ".npz") return is_shallow_npz(read_npz(path)) ? NetworkKind::kShallow : NetworkKind::kDeep;
  throw input_error(path.string(), "unknown network file type '" + ext + "' (expected .json or .npz)");
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
    if (is_shallow_npz(arrays)) return to_deep(read_network_npz(path));
    return deep_from_arrays(arrays, path.string());
  }
  throw input_error(path.string(), "unknown network file type '" + ext + "' (expected .json or .npz)");
}

}  // namespace rtv
