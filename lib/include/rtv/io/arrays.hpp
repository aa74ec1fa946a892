// rtv/io/arrays.hpp: dense arrays of numbers in files (README "File formats", Arrays): NumPy .npy, NumPy .npz
// archives, and CSV. Everything is converted to double; 2D arrays are C (row-major) order, like NumPy's default.
//
// .npy (the NumPy format spec, numpy.lib.format / NEP 1): magic "\x93NUMPY", version 1.0 (2-byte header length),
// 2.0 or 3.0 (4-byte), then a Python dict literal {'descr': ..., 'fortran_order': ..., 'shape': (...)} and the raw
// data. Read: versions 1-3, dtypes '<f8', '<f4', '<i8', '<i4', C order; Fortran order, other dtypes, a size that
// disagrees with the shape (truncated or trailing bytes, or an element count that
// overflows 64 bits) are refused before anything is allocated. Written: version 1.0, '<f8', C order, the
// header padded so that the data start at a multiple of 64 bytes (as NumPy does).
// .npz (numpy.savez / savez_compressed): a zip archive of .npy members, stored or deflated (read through libzip,
// which only arrays.cpp uses); members are keyed by name without the ".npy" suffix.
// CSV: rows of numbers separated by commas (strtod syntax, spaces around a number allowed, "\r\n" line ends
// accepted, blank lines skipped, a leading UTF-8 byte-order mark ignored); a first line none of whose cells is a
// number is a header and skipped (a first line mixing numbers and non-numbers is an error). Written with 17
// significant digits, so doubles round-trip exactly.
//
// Errors: bad input (unreadable file, bad magic or header, unsupported dtype, truncated data, corrupt archive,
// ragged, empty, non-numeric or non-finite CSV / 2D array) is rtv::InputError "<file>: <problem>" (for a member
// of an archive "<file>:<member>: <problem>"); output goes through files.hpp (atomic; InputError if the folder is
// missing). A caller's shape that disagrees with its data is an RTV_ASSERT (a bug, not input).
#pragma once

#include <Eigen/Core>
#include <cstdint>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

namespace rtv {

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

// ---- training data ----
/// DATA (.csv or .npy, see read_array): N rows x1..xd, y -> X (N x d), y (N). InputError naming the file for fewer
/// than 2 columns, fewer than d + 2 points, or NaN/infinite values. The one reader of training data for the commands
/// (cli/common.cpp) and the Python module (rtv.read_training_data).
void read_training_data(const std::filesystem::path& path, Eigen::MatrixXd& X, Eigen::VectorXd& y);

// ---- CSV ----
/// Columns of equal length as CSV with a header line, numbers with 17 significant digits; atomic.
void write_csv(const std::filesystem::path& path, const std::vector<std::string>& header,
               const std::vector<std::vector<double>>& columns);

}  // namespace rtv
