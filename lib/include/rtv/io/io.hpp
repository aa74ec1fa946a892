// rtv/io/io.hpp: network files (JSON), PyTorch state_dict archives (.npz); arrays (.npy, .npz, CSV) are in
// rtv/io/arrays.hpp, atomic output and whole-file reads in rtv/io/files.hpp (both included).
//
// Network JSON, format "rtv.shallow-relu" version 1 (README "File formats"):
//   {"format": "rtv.shallow-relu", "version": 1,
//    "W": [[...], ...]  (K x d; K may be 0, then "d" is required),
//    "b": [...] (K; neuron k is relu(w_k . x - b_k)), "v": [...] (K),
//    "c": [...] (d, optional), "c0": number (optional), "d": integer (optional, must match W)}
// A network has a linear skip connection iff "c" is present; "c0" (the output bias) defaults to 0.
// Unknown keys, wrong types, wrong shapes and non-finite numbers are errors (InputError naming the file).
//
// PyTorch import (.npz of a state_dict, see data/fixtures/make_torch_fixtures.py):
//   nn.Sequential(nn.Linear(d, K), nn.ReLU(), nn.Linear(K, 1)) saved with
//   np.savez(path, **{k: t.detach().numpy() for k, t in model.state_dict().items()})
//   gives keys "0.weight" (K x d), "0.bias" (K), "2.weight" (1 x K), "2.bias" (1). "0.bias" may be absent
//   (nn.Linear(d, K, bias=False)): the first layer's bias is then zero. An optional skip
//   connection nn.Linear(d, 1) is stored under "skip.weight" (1 x d) and "skip.bias" (1). A common prefix
//   such as "net." (from a module attribute) is allowed on the Sequential's keys. PyTorch computes W x + b,
//   so b_rtv = -"0.bias"; c0 = "2.bias" + "skip.bias". float32 and float64 arrays are accepted.
//   A state_dict stores parameters only, not the activation: the archive is read as a ReLU network whatever
//   module sat between the Linear layers (a Tanh or LeakyReLU network would silently be a different function),
//   so every command that reads an .npz says so (activation_is_assumed, kReluAssumedNote).
//
// Deep network JSON, format "rtv.deep-relu" version 1 (the DeepNet of deep.hpp, THEORY.md s.6):
//   {"format": "rtv.deep-relu", "version": 1, "d": n_0 (required, >= 1),
//    "stages": [{"linear": [U_1, ..., U_m]  (matrices, applied in this order; optional, default []),
//                "W": K x r, "b": K       (neuron k is relu(w_k . u - b_k), u = U_m ... U_1 h),
//                "V": n_out x K or null   (null or absent: the identity, n_out = K, not a parameter),
//                "c": n_out               (optional, default 0),
//                "skip": bool             (optional, default false),
//                "C": n_out x n_in        (required iff "skip" is true, forbidden otherwise)}, ...]}
// Matrices are arrays of rows. n_in is d for stage 1 and the previous stage's n_out after it; every matrix's
// column count must be the width it is applied to. A present V needs at least one row (0 rows would read as the
// identity). Same strictness as the shallow format: unknown keys, wrong types or shapes, non-finite numbers and
// a wrong format or version are InputErrors naming the file, the stage (1-based) and the key.
//
// PyTorch import of a deep nn.Sequential (read_deep_network_npz): the state_dict of an nn.Sequential of
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
// read_deep_network reads every network file as a deep one: a shallow file (JSON "rtv.shallow-relu", or an
// .npz of the shallow pattern: keys exactly 0.weight, 0.bias (optional), 2.weight (1 x K), 2.bias with an
// optional prefix, or any skip.* key) goes through the shallow reader and to_deep.
#pragma once

#include <filesystem>
#include <string>

#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/nets/deep.hpp"
#include "rtv/nets/network.hpp"

namespace rtv {

// ---- networks ----
ShallowNet read_network_json(const std::filesystem::path& path);
ShallowNet parse_network_json(const std::string& text, const std::string& source);
std::string network_to_json(const ShallowNet& net);  ///< round-trips doubles exactly (17 digits)
void write_network_json(const ShallowNet& net, const std::filesystem::path& path);

/// PyTorch state_dict in a .npz archive -> network (see the header comment for the expected keys).
ShallowNet read_network_npz(const std::filesystem::path& path);

/// By extension: ".json" -> read_network_json, ".npz" -> read_network_npz; anything else is an InputError.
ShallowNet read_network(const std::filesystem::path& path);

/// Whether reading this network file assumes the activation: true for PyTorch archives (.npz, shallow or deep),
/// whose state_dict does not record it; false for rtv's JSON formats, which name it ("rtv.shallow-relu",
/// "rtv.deep-relu"). By extension only.
bool activation_is_assumed(const std::filesystem::path& path);
/// The line every command prints (text) when activation_is_assumed; JSON outputs carry "activation": "relu"
/// and "activation_assumed": true.
inline constexpr const char* kReluAssumedNote =
    "ReLU assumed: a PyTorch state_dict stores no activation (a Tanh or LeakyReLU network is read as a different "
    "function)";

/// Unit roundoff of the weights as the file stores them: 2^-24 if any array of a .npz is float32 ("<f4"),
/// else 2^-53 (JSON, float64 and integer arrays). A balanced neuron stored in float32 has |v| and |w| each
/// rounded by up to 2^-24 relative, i.e. an imbalance up to ~2^-23. InputError as read_npz.
double network_file_unit_roundoff(const std::filesystem::path& path);

// ---- deep networks (format "rtv.deep-relu", header comment) ----
DeepNet read_deep_network_json(const std::filesystem::path& path);
DeepNet parse_deep_network_json(const std::string& text, const std::string& source);
std::string deep_network_to_json(const DeepNet& net);  ///< round-trips doubles exactly (17 digits)
void write_deep_network_json(const DeepNet& net, const std::filesystem::path& path);  ///< atomic

/// PyTorch state_dict of an nn.Sequential of nn.Linear and nn.ReLU in a .npz archive -> deep network (rules in
/// the header comment).
DeepNet read_deep_network_npz(const std::filesystem::path& path);

/// Whether a network file is shallow (readable by read_network) or deep (only by read_deep_network): ".json" by
/// its "format"; ".npz" by its keys (the shallow pattern of the header comment). Only looks at the format and
/// keys: reading the file may still fail. InputError on an unknown extension or format, or a missing file.
enum class NetworkKind { kShallow, kDeep };
NetworkKind network_file_kind(const std::filesystem::path& path);

/// Any network file as a deep network: deep JSON, deep .npz, or a shallow file converted by to_deep (exact).
DeepNet read_deep_network(const std::filesystem::path& path);

}  // namespace rtv
