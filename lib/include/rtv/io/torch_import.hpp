// rtv/io/torch_import.hpp: networks from PyTorch, i.e. the state_dict of an nn.Sequential saved as a NumPy .npz
// archive (README "File formats", PyTorch networks; the archive is read by arrays.hpp) or as a .safetensors file
// (read by safetensors.hpp into the same map of arrays, then network_from_state_dict and
// deep_network_from_state_dict below; the keys and rules are the same, F16 and BF16 arrays also accepted). PyTorch's nn.Linear
// computes W x + b, rtv's neuron relu(w . x - b): the import flips the sign of the bias (THEORY.md s.1).
//
// Shallow (read_network_npz; THEORY.md s.1, see data/fixtures/make_torch_fixtures.py):
//   nn.Sequential(nn.Linear(d, K), nn.ReLU(), nn.Linear(K, 1)) saved with
//   np.savez(path, **{k: t.detach().numpy() for k, t in model.state_dict().items()})
//   gives keys "0.weight" (K x d), "0.bias" (K), "2.weight" (1 x K), "2.bias" (1). "0.bias" may be absent
//   (nn.Linear(d, K, bias=False)): the first layer's bias is then zero. An optional skip
//   connection nn.Linear(d, 1) is stored under "skip.weight" (1 x d) and "skip.bias" (1). A common prefix
//   such as "net." (from a module attribute) is allowed on the Sequential's keys. PyTorch computes W x + b,
//   so b_rtv = -"0.bias"; c0 = "2.bias" + "skip.bias". float32 and float64 arrays are accepted.
//   A state_dict stores parameters only, not the activation: the archive is read as a ReLU network whatever
//   module sat between the Linear layers (a Tanh or LeakyReLU network would silently be a different function),
//   so every command that reads an .npz says so (activation_is_assumed, kReluAssumedNote in network_json.hpp).
//
// Deep (read_deep_network_npz; the DeepNet of deep.hpp, THEORY.md s.6): the state_dict of an nn.Sequential of
// nn.Linear and nn.ReLU modules only, saved as above (keys "<i>.weight", optional "<i>.bias", a common prefix
// such as "net." allowed; any other key is an error). Rules:
//   * Module indices with parameters are Linear layers; the first must be index 0. Between two consecutive
//     Linear indices a and b: b = a + 1 (same linear chain) or b = a + 2 (index a + 1, which has no
//     parameters, is a ReLU). A larger gap (another parameter-free module, or two in a row) is an InputError
//     naming the indices. Modules AFTER the last Linear leave no trace in a state_dict and cannot be detected:
//     the network is taken to end with its last Linear.
//   * Consecutive Linear layers must chain (in_features = the previous out_features); at least one ReLU.
//   * The Sequential is chain_0 ReLU chain_1 ReLU ... ReLU chain_L (each chain >= 1 Linear, L >= 1), giving
//     stages 1..L without skip connection (nn.Sequential has none). The last chain must be exactly one Linear
//     (V_L, c_L of the last stage).
//   * Stage l's linear layers U and its ReLU layer W, b: the chain before its ReLU (all of chain_0 for l = 1;
//     for l > 1, chain_{l-1} without its first Linear when that chain has >= 2 Linears). Its last Linear is W,
//     the others are U_1..U_m.
//   * V_l, c_l: the first Linear of the chain after the ReLU when that chain has >= 2 Linears (or is chain_L).
//     A chain of exactly one Linear between two ReLUs has no V: V_l is absent (identity, c_l = 0) and that
//     Linear is the next stage's W.
//   * PyTorch computes W x + b: b_rtv = -bias of the ReLU layer. The biases of the U layers (bias-free in rtv)
//     are folded exactly into it: W (U_2 (U_1 h + beta_1) + beta_2) + beta_W = W U_2 U_1 h + (W (U_2 beta_1 +
//     beta_2) + beta_W), so b_rtv = -(W (U_2 beta_1 + beta_2) + beta_W). The function is unchanged (up to the
//     rounding of the fold when middle biases are nonzero); weight decay does not count biases anyway.
//   * A missing "<i>.bias" (nn.Linear(..., bias=False)) is a zero bias. float32 and float64 are accepted.
// The shallow pattern (is_shallow_state_dict): keys exactly 0.weight, 0.bias (optional), 2.weight (1 x K), 2.bias
// with an optional prefix, or any skip.* key. Such an archive is read by read_network_npz; read_deep_network
// (network_json.hpp) converts it with to_deep.
//
// Errors: a missing key, an unexpected key, a wrong shape, NaN or infinite weights, a module layout that is not
// one of the above, and every error of read_npz are rtv::InputError "<file>: <problem>" naming the key or the
// module indices.
#pragma once

#include <filesystem>
#include <map>
#include <string>

#include "rtv/io/arrays.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/nets/network.hpp"

namespace rtv {

/// PyTorch state_dict in a .npz archive -> network (see the header comment for the expected keys).
ShallowNet read_network_npz(const std::filesystem::path& path);

/// PyTorch state_dict of an nn.Sequential of nn.Linear and nn.ReLU in a .npz archive -> deep network (rules in
/// the header comment).
DeepNet read_deep_network_npz(const std::filesystem::path& path);

/// Whether the arrays of a state_dict have the shallow pattern of the header comment (read_network_npz's keys,
/// 0.bias optional, one output; or any skip.* key). Looks at the keys and 2.weight's shape only.
bool is_shallow_state_dict(const std::map<std::string, NpyArray>& arrays);

/// read_network_npz on arrays already read, e.g. by read_safetensors (`source` names the file in error messages).
ShallowNet network_from_state_dict(const std::map<std::string, NpyArray>& arrays, const std::string& source);

/// read_deep_network_npz on arrays already read (`source` names the file in error messages).
DeepNet deep_network_from_state_dict(const std::map<std::string, NpyArray>& arrays, const std::string& source);

}  // namespace rtv
