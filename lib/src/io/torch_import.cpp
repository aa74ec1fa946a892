// PyTorch state_dict (.npz) import, shallow and deep (the key layouts and rules are in rtv/io/torch_import.hpp).
#include "rtv/io/torch_import.hpp"

#include <Eigen/Core>
#include <cstdint>
#include <set>
#include <utility>
#include <vector>

#include "rtv/core/error.hpp"

namespace rtv {

namespace fs = std::filesystem;

namespace {
constexpr std::int64_t kMaxIndex = 2147483647;  // int
}  // namespace

// ---------------------------------------------------------------- shallow PyTorch import

ShallowNet read_network_npz(const fs::path& path) { return network_from_state_dict(read_npz(path), path.string()); }

ShallowNet network_from_state_dict(const std::map<std::string, NpyArray>& arrays, const std::string& src) {
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
  const NpyArray& W1 = arrays.at(prefix + "0.weight");
  if (W1.shape.size() != 2 || W1.shape[1] < 1)
    throw input_error(src, "'" + prefix + "0.weight' must be K x d, got shape " + shape_str(W1));
  // Widths and dimensions are int (issue 20: a 2^32 shape was reported as "d = 0, K = 0").
  if (W1.shape[0] > kMaxIndex || W1.shape[1] > kMaxIndex)
    throw input_error(src, "'" + prefix + "0.weight' has shape " + shape_str(W1) +
                               ": rtv's widths and input dimensions are at most " + std::to_string(kMaxIndex));
  const int K = static_cast<int>(W1.shape[0]), d = static_cast<int>(W1.shape[1]);
  if (K == 0 && !skip && d > kMaxUnbackedDim)
    throw input_error(src, "'" + prefix + "0.weight' has shape " + shape_str(W1) +
                               ": no neuron and no skip weights back the input dimension, which is then limited to " +
                               std::to_string(kMaxUnbackedDim));
  auto expect = [&](const std::string& key, std::vector<std::int64_t> shape) -> const NpyArray& {
    const NpyArray& a = arrays.at(key);
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
// Exactly the keys of the regex ^((?:.*\.)?)(0|[1-9][0-9]{0,5})\.(weight|bias)$ it replaces (std::regex cost
// seconds of compile time): i is 1 to 6 ASCII digits, "0" or not starting with 0; as i has no '.', the prefix is
// everything up to the last '.' before it; and the prefix has no '\n' or '\r', which ECMAScript's '.' does not
// match. The outputs are set only when the key matches.
bool split_module_key(const std::string& key, std::string& prefix, int& index, bool& is_weight) {
  static const std::string kWeight = ".weight", kBias = ".bias";
  const auto ends_with = [&](const std::string& tail) {
    return key.size() >= tail.size() && key.compare(key.size() - tail.size(), tail.size(), tail) == 0;
  };
  const bool weight = ends_with(kWeight);
  if (!weight && !ends_with(kBias)) return false;
  const std::string rest = key.substr(0, key.size() - (weight ? kWeight : kBias).size());  // "<prefix><i>"
  const std::size_t dot = rest.rfind('.');
  const std::size_t start = dot == std::string::npos ? 0 : dot + 1;
  const std::string digits = rest.substr(start);
  if (digits.empty() || digits.size() > 6 || digits.find_first_not_of("0123456789") != std::string::npos ||
      (digits.size() > 1 && digits[0] == '0'))
    return false;
  if (rest.find_first_of("\n\r") < start) return false;
  prefix = rest.substr(0, start);
  index = std::stoi(digits);
  is_weight = weight;
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

}  // namespace

// The shallow .npz pattern (header comment): read_network_npz's keys (0.bias optional), or a skip connection.
bool is_shallow_state_dict(const std::map<std::string, NpyArray>& arrays) {
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

DeepNet deep_network_from_state_dict(const std::map<std::string, NpyArray>& arrays, const std::string& source) {
  return deep_from_arrays(arrays, source);
}

DeepNet read_deep_network_npz(const fs::path& path) { return deep_from_arrays(read_npz(path), path.string()); }

}  // namespace rtv
