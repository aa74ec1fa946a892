// rtv/core/budget.hpp: the memory budget for sizes that come from a user (a file's shape, an option such as
// --size, --angles, --width, --pad), checked BEFORE anything is allocated (issue 20: "d": 1e9 in a 200-byte file,
// --size 100000 or --angles 1e8 used to abort in std::bad_alloc or exhaust the machine).
//
// The rule: no single array rtv allocates from a user's size may exceed the budget; a computation's peak is a
// small multiple of its largest array. The default, 16 GiB, fits a 24 GB machine with margin (README "Limits");
// the environment variable RTV_MEMORY_BUDGET overrides it for the CLI, rtv-verify and the Python module alike:
// a number of bytes with an optional suffix K, M, G or T (powers of 1024), e.g. RTV_MEMORY_BUDGET=64G. A value that
// does not parse is an InputError naming the variable, at the first check.
//
// Sizes are multiplied in 128-bit arithmetic, so a product that overflows 64 bits (a shape (2^32, 2^32)) is
// reported as too large rather than wrapping to a small number.
#pragma once

#include <cstdint>
#include <initializer_list>
#include <string>

namespace rtv {

/// The budget in bytes (RTV_MEMORY_BUDGET, read once, or set_memory_budget; default 16 GiB).
std::uint64_t memory_budget();

/// Override the budget for this process (0: back to RTV_MEMORY_BUDGET or the default). For tests and hosts.
void set_memory_budget(std::uint64_t bytes);

/// Throws InputError "<source>: <what>: d1 x d2 x ... entries of B bytes need X, over the memory budget of Y (set
/// RTV_MEMORY_BUDGET to change it)" if the product of `dims` times `bytes_per_element` exceeds the budget.
/// Returns the number of bytes otherwise.
std::uint64_t check_memory(const std::string& source, const std::string& what,
                           std::initializer_list<std::uint64_t> dims, std::uint64_t bytes_per_element = 8);

/// "1.5 GiB", "512 MiB", "730 bytes": a byte count for messages.
std::string format_bytes(long double bytes);

}  // namespace rtv
