// tests/fuzz/fuzz_util.hpp: what the fuzz targets of tests/fuzz share (README "Fuzzing", tests/fuzz/README.md).
//
// The contract every target checks, for every input (a violation is a finding: fuzz::finding prints one line
// and aborts, which libFuzzer and the replay driver both report):
//   * a reader either returns or throws rtv::InputError whose message starts with the source name and is one
//     line (README "Errors"); any other exception (std::bad_alloc, std::length_error, rtv::InternalError from an
//     RTV_ASSERT, nlohmann's exceptions) escapes the target and aborts the process;
//   * what a reader returns is consistent: an NpyArray's element count equals the product of its shape
//     (computed here independently, overflow-checked), a network passes validate().
// Over-allocation is a finding through libFuzzer's -rss_limit_mb / -malloc_limit_mb (make fuzz: 2048 MB), and in
// the replay driver through an address-space limit (replay_main.cpp).
//
// Structure-aware front-ends (npy, npz, safetensors): blind byte mutation rarely produces a header whose shape
// product wraps modulo 2^64 to the data length (issue 20). So an input that does not look like a real file is
// decoded by Bytes below into fields (dtype choice, dimensions picked from a table of interesting values or taken
// raw, data sizes), and a well-formed container is built around them (npy_from_fields etc.).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include "rtv/io/arrays.hpp"

namespace fuzz {

/// The name every target gives its input (messages must start with "<kSource>: ").
inline constexpr const char* kSource = "fuzz-input";

/// Print "rtv fuzz finding: <what>" on stderr and abort.
[[noreturn]] void finding(const std::string& what);

/// Run f; an rtv::InputError is the reader's correct answer to bad input (its message is checked: it names the
/// source and is one line; printed if RTV_FUZZ_VERBOSE is set); anything else propagates (uncaught: a finding).
/// Returns whether f returned.
bool accepts(const std::string& source, const std::function<void()>& f);

/// The NpyArray contract: dimensions >= 0, data.size() == product of shape (overflow-checked here).
void check_array(const rtv::NpyArray& a, const std::string& where);
/// Every array of a state_dict, then network_from_state_dict / deep_network_from_state_dict on it, whose
/// results must validate.
void check_state_dict(const std::map<std::string, rtv::NpyArray>& arrays, const std::string& source);

/// A file in $TMPDIR (or /tmp) with the given extension, private to this process, removed at exit; the readers
/// that only take a path (read_npz, read_array for CSV) are fed through it.
const std::string& temp_path(const std::string& ext);
void write_temp(const std::string& path, const std::uint8_t* data, std::size_t size);
void write_temp(const std::string& path, const std::string& bytes);

/// The fuzzer's bytes read as fields. Past the end every read gives 0 (a short input is still a valid decoding).
class Bytes {
 public:
  Bytes(const std::uint8_t* data, std::size_t size) : p_(data), n_(size) {}
  std::uint8_t byte() { return i_ < n_ ? p_[i_++] : 0; }
  std::uint64_t u64() {  // little-endian
    std::uint64_t v = 0;
    for (int k = 0; k < 8; ++k) v |= static_cast<std::uint64_t>(byte()) << (8 * k);
    return v;
  }
  /// A dimension or size: a table of interesting values (0, 1, 2^31 - 1, 2^32, factors of 2^64 + small, ...),
  /// a small number, or 8 raw bytes; see fuzz_util.cpp.
  std::uint64_t size_value();
  /// Up to `max` raw bytes (fewer if the input ends).
  std::string take(std::size_t max);
  std::string rest() { return take(n_ - i_); }
  std::size_t left() const { return n_ - i_; }

 private:
  const std::uint8_t* p_;
  std::size_t n_, i_ = 0;
};

/// Bytes of `count` elements of `item` bytes (count * item computed in 64 bits, wrapping like the bug it looks
/// for) filled from the input, or the raw rest if that is larger than `limit` bytes.
std::string data_block(Bytes& in, std::uint64_t count, std::uint64_t item, std::size_t limit);

/// A .npy file built from fields decoded from the input: format version, dtype (supported or not), fortran_order,
/// 0-4 dimensions (size_value), data exactly matching the shape or not.
std::string npy_from_fields(Bytes& in);

}  // namespace fuzz
