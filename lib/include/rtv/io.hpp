// rtv/io.hpp: files. Network files (JSON), PyTorch state_dict archives (.npz), NumPy arrays (.npy), and
// atomic output (write a temporary file in the target folder, then rename: nothing is ever half-written).
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
//   gives keys "0.weight" (K x d), "0.bias" (K), "2.weight" (1 x K), "2.bias" (1). An optional skip
//   connection nn.Linear(d, 1) is stored under "skip.weight" (1 x d) and "skip.bias" (1). A common prefix
//   such as "net." (from a module attribute) is allowed on the Sequential's keys. PyTorch computes W x + b,
//   so b_rtv = -"0.bias"; c0 = "2.bias" + "skip.bias". float32 and float64 arrays are accepted.
#pragma once

#include <Eigen/Dense>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "rtv/network.hpp"

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

// ---- NumPy arrays ----
/// A dense array from a .npy file, converted to double, C (row-major) order.
struct NpyArray {
  std::vector<std::int64_t> shape;
  std::vector<double> data;
  std::string dtype;  ///< the file's descr, e.g. "<f8"
};

/// Parse NumPy .npy bytes (format versions 1-3; dtypes <f8, <f4, <i8, <i4; C order only).
NpyArray parse_npy(const std::string& bytes, const std::string& source);
NpyArray read_npy(const std::filesystem::path& path);
/// .npy bytes (version 1.0, '<f8', C order) for an array of the given shape.
std::string npy_bytes(const std::vector<std::int64_t>& shape, const std::vector<double>& data);
void write_npy(const std::filesystem::path& path, const std::vector<std::int64_t>& shape,
               const std::vector<double>& data);
/// Every member of a .npz archive (stored or deflated), keyed by name without the ".npy" suffix.
std::map<std::string, NpyArray> read_npz(const std::filesystem::path& path);

// ---- 2D arrays (images, sinograms) ----
/// A 2D array from .npy (2-D, see parse_npy) or .csv (rows of numbers separated by commas; one header line of
/// non-numbers is skipped). InputError naming the file on a ragged, empty, non-numeric or non-finite array.
Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor> read_array(const std::filesystem::path& path);
/// Write a 2D array as .npy (float64) or .csv (17 significant digits) by extension; atomic.
void write_array(const std::filesystem::path& path,
                 const Eigen::Matrix<double, Eigen::Dynamic, Eigen::Dynamic, Eigen::RowMajor>& a);

// ---- CSV ----
/// Columns of equal length as CSV with a header line, numbers with 17 significant digits; atomic.
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& header,
               const std::vector<std::vector<double>>& columns);

// ---- atomic output ----
/// Write `contents` to `path` atomically: a temporary file beside it, flushed, then renamed. Throws
/// InputError naming the path if the folder does not exist or is not writable.
void write_file_atomic(const std::filesystem::path& path, const std::string& contents);

/// Produce `path` atomically through a writer that receives the temporary path (for files written by other
/// programs, e.g. gnuplot). After the writer returns, the temporary file must exist and be non-empty, else
/// std::runtime_error naming `path`; the temporary is removed on every failure.
void produce_file_atomic(const std::filesystem::path& path,
                         const std::function<void(const std::filesystem::path& tmp)>& writer);

/// Read a whole file; InputError naming the path if it is missing or unreadable.
std::string read_file(const std::filesystem::path& path);

}  // namespace rtv
