// rtv/io/network_json.hpp: rtv's own network files (JSON, README "File formats"), and the readers of any network
// file by its extension (".json" here; ".npz" and ".safetensors", PyTorch state_dicts, through torch_import.hpp and
// safetensors.hpp). network_json.cpp and safetensors.cpp are the only files of the library that include
// nlohmann/json.
//
// Network JSON, format "rtv.shallow-relu" version 1 (the ShallowNet of network.hpp, THEORY.md s.1):
//   {"format": "rtv.shallow-relu", "version": 1,
//    "W": [[...], ...]  (K x d; K may be 0, then "d" is required),
//    "b": [...] (K; neuron k is relu(w_k . x - b_k)), "v": [...] (K),
//    "c": [...] (d, optional), "c0": number (optional), "d": integer (optional, must match W)}
// A network has a linear skip connection iff "c" is present; "c0" (the output bias) defaults to 0.
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
// identity).
//
// Both formats are written with 17 significant digits (doubles round-trip exactly) and atomically (files.hpp).
// read_deep_network reads every network file as a deep one: a shallow file (JSON "rtv.shallow-relu", or an
// .npz or .safetensors of the shallow pattern of torch_import.hpp) goes through the shallow reader and to_deep.
//
// Errors: malformed JSON, unknown keys, wrong types, wrong shapes, non-finite numbers, a wrong format or version,
// a missing file and an unknown extension are rtv::InputError "<file>: <problem>"; in the deep format the problem
// names the stage (1-based) and the key.
#pragma once

#include <filesystem>
#include <string>

#include "rtv/nets/deep.hpp"
#include "rtv/nets/network.hpp"

namespace rtv {

// ---- networks ----
ShallowNet read_network_json(const std::filesystem::path& path);
ShallowNet parse_network_json(const std::string& text, const std::string& source);
std::string network_to_json(const ShallowNet& net);  ///< round-trips doubles exactly (17 digits)
void write_network_json(const ShallowNet& net, const std::filesystem::path& path);

/// By extension: ".json" -> read_network_json, ".npz" -> read_network_npz, ".safetensors" -> read_safetensors and
/// network_from_state_dict (the .npz keys); anything else is an InputError.
ShallowNet read_network(const std::filesystem::path& path);

/// Whether reading this network file assumes the activation: true for PyTorch files (.npz, .safetensors; shallow
/// or deep), whose state_dict does not record it; false for rtv's JSON formats, which name it ("rtv.shallow-relu",
/// "rtv.deep-relu"). By extension only.
bool activation_is_assumed(const std::filesystem::path& path);
/// The line every command prints (text) when activation_is_assumed; JSON outputs carry "activation": "relu"
/// and "activation_assumed": true.
inline constexpr const char* kReluAssumedNote =
    "ReLU assumed: a PyTorch state_dict stores no activation (a Tanh or LeakyReLU network is read as a different "
    "function)";

/// Unit roundoff of the weights as the file stores them, the coarsest of its arrays: 2^-24 if any array of a .npz
/// is float32 ("<f4"); for a .safetensors 2^-8 if any tensor is BF16, else 2^-11 if any is F16, else 2^-24 if any
/// is F32; else 2^-53 (JSON, float64 and integer arrays). A balanced neuron stored in float32 has |v| and |w| each
/// rounded by up to 2^-24 relative, i.e. an imbalance up to ~2^-23. InputError as read_npz / read_safetensors.
double network_file_unit_roundoff(const std::filesystem::path& path);

// ---- deep networks (format "rtv.deep-relu", header comment) ----
DeepNet read_deep_network_json(const std::filesystem::path& path);
DeepNet parse_deep_network_json(const std::string& text, const std::string& source);
std::string deep_network_to_json(const DeepNet& net);  ///< round-trips doubles exactly (17 digits)
void write_deep_network_json(const DeepNet& net, const std::filesystem::path& path);  ///< atomic

/// Whether a network file is shallow (readable by read_network) or deep (only by read_deep_network): ".json" by
/// its "format"; ".npz" and ".safetensors" by their keys (the shallow pattern of torch_import.hpp). Only looks at the format and
/// keys: reading the file may still fail. InputError on an unknown extension or format, or a missing file.
enum class NetworkKind { kShallow, kDeep };
NetworkKind network_file_kind(const std::filesystem::path& path);

/// Any network file as a deep network: deep JSON, deep .npz or .safetensors, or a shallow file converted by to_deep
/// (exact).
DeepNet read_deep_network(const std::filesystem::path& path);

}  // namespace rtv
