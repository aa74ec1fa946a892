// rtv/io/safetensors.hpp: tensors from a .safetensors file (README "File formats"; the format of
// huggingface/safetensors, which PyTorch users save state_dicts in), read into the same map of arrays that
// read_npz gives (arrays.hpp), so that the PyTorch network readers (torch_import.hpp) take either.
//
// The format: 8 bytes, an unsigned little-endian header length N; N bytes of UTF-8 JSON, an object
//   {"<name>": {"dtype": "F32", "shape": [d_1, ..., d_r], "data_offsets": [begin, end]}, ...,
//    "__metadata__": {"<key>": "<string>", ...}  (optional)}
// starting with '{' and possibly padded with spaces; then the data block (the rest of the file), each tensor's
// bytes at [begin, end) relative to the START OF THE DATA BLOCK (not of the file), little-endian, row-major
// (C order). Shape [] is a scalar (one element); a zero dimension is an empty tensor (begin = end).
//
// Read: dtypes F64, F32, F16 (IEEE binary16) and BF16 (bfloat16), widened exactly to double (subnormals,
// infinities and NaN included; NaN and infinities are left to the network readers, which reject them), and I64,
// I32 (converted to the nearest double, exact up to 2^53, like read_npy's '<i8'). NpyArray::dtype is the
// file's dtype string ("F32", "BF16", ...).
//
// Checks, as the reference implementation and the format's notes require; each violation is rtv::InputError
// "<file>: <problem>" naming the tensor where there is one:
//   * the file is at least 8 bytes; N <= 100,000,000 (the reference's limit) and 8 + N <= the file's size;
//   * the header is JSON (valid UTF-8), an object, starts with '{'; no key appears twice in any object
//     (duplicate tensor names are disallowed by the format);
//   * "__metadata__", if present, is an object of strings (otherwise ignored);
//   * every other entry is an object with exactly "dtype" (a string, one of the dtypes above; any other dtype
//     is an error naming it), "shape" (an array of non-negative integers, each <= 2^31 - 1, the widths rtv
//     reads) and "data_offsets" (two non-negative integers begin <= end <= the data block's size);
//   * end - begin = prod(shape) * (the dtype's size), computed without overflow;
//   * the tensors tile the data block exactly: sorted by offset, each begins where the previous one ends
//     (otherwise two tensors overlap, or bytes between them belong to none: the format forbids holes), the first
//     at 0 and the last ending at the end of the file (no trailing bytes).
//
// JSON goes through nlohmann/json: network_json.cpp and safetensors.cpp are the library's only users of it.
#pragma once

#include <cstdint>
#include <filesystem>
#include <map>
#include <string>

#include "rtv/io/arrays.hpp"

namespace rtv {

/// The tensors of .safetensors bytes, keyed by name (see the header comment); `source` names the file in errors.
std::map<std::string, NpyArray> parse_safetensors(const std::string& bytes, const std::string& source);
/// parse_safetensors on a file's bytes; InputError naming the path if it is missing or unreadable.
std::map<std::string, NpyArray> read_safetensors(const std::filesystem::path& path);

/// The exact value of an IEEE binary16 (F16) bit pattern, and of a bfloat16 (BF16) one, as a double.
double f16_to_double(std::uint16_t bits);
double bf16_to_double(std::uint16_t bits);

}  // namespace rtv
