// The memory budget. See rtv/core/budget.hpp.
#include "rtv/core/budget.hpp"

#include <atomic>
#include <cctype>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "rtv/core/error.hpp"

namespace rtv {

namespace {

constexpr std::uint64_t kDefaultBudget = std::uint64_t{16} << 30;  // 16 GiB
std::atomic<std::uint64_t> g_override{0};

// RTV_MEMORY_BUDGET: digits, optionally followed by one of K M G T (powers of 1024), nothing else; at most 2^62.
std::uint64_t parse_budget(const char* s) {
  const std::string text(s);
  auto bad = [&]() {
    return input_error("RTV_MEMORY_BUDGET", "'" + text + "' is not a size (bytes, or a number with K, M, G or T, "
                                                      "e.g. 64G)");
  };
  constexpr std::uint64_t kMax = std::uint64_t{1} << 62;
  std::size_t i = 0;
  std::uint64_t v = 0;
  while (i < text.size() && std::isdigit(static_cast<unsigned char>(text[i]))) {
    v = v * 10 + static_cast<unsigned>(text[i] - '0');  // v <= 2^62 before: no overflow
    if (v > kMax) throw bad();
    ++i;
  }
  if (i == 0) throw bad();
  if (i < text.size()) {
    const char c = static_cast<char>(std::toupper(static_cast<unsigned char>(text[i])));
    const int shift = c == 'K' ? 10 : c == 'M' ? 20 : c == 'G' ? 30 : c == 'T' ? 40 : -1;
    if (shift < 0 || i + 1 != text.size() || v > (kMax >> shift)) throw bad();
    v <<= shift;
  }
  if (v == 0) throw bad();
  return v;
}

}  // namespace

std::uint64_t memory_budget() {
  if (const std::uint64_t o = g_override.load()) return o;
  const char* env = std::getenv("RTV_MEMORY_BUDGET");
  return env && *env ? parse_budget(env) : kDefaultBudget;
}

void set_memory_budget(std::uint64_t bytes) { g_override.store(bytes); }

std::string format_bytes(long double b) {
  char buf[64];
  if (b < 1024) std::snprintf(buf, sizeof buf, "%.0Lf bytes", b);
  else if (b < 1024.0L * 1024) std::snprintf(buf, sizeof buf, "%.3Lg KiB", b / 1024);
  else if (b < 1024.0L * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.3Lg MiB", b / (1024.0L * 1024));
  else if (b < 1024.0L * 1024 * 1024 * 1024) std::snprintf(buf, sizeof buf, "%.3Lg GiB", b / (1024.0L * 1024 * 1024));
  else std::snprintf(buf, sizeof buf, "%.3Lg TiB", b / (1024.0L * 1024 * 1024 * 1024));
  return buf;
}

std::uint64_t check_memory(const std::string& source, const std::string& what,
                           std::initializer_list<std::uint64_t> dims, std::uint64_t bytes_per_element) {
  // long double has a 64-bit mantissa: exact for the products that fit the budget, and no overflow for any
  // product of a few 64-bit sizes (up to ~1e4932).
  long double bytes = static_cast<long double>(bytes_per_element);
  std::string shape;
  for (const std::uint64_t d : dims) {
    bytes *= static_cast<long double>(d);
    shape += (shape.empty() ? "" : " x ") + std::to_string(d);
  }
  const std::uint64_t budget = memory_budget();
  if (bytes > static_cast<long double>(budget))
    throw input_error(source, what + ": " + shape + " entries of " + std::to_string(bytes_per_element) +
                                  (bytes_per_element == 1 ? " byte" : " bytes") + " need " + format_bytes(bytes) +
                                  ", over the memory budget of " + format_bytes(budget) +
                                  " (set RTV_MEMORY_BUDGET to change it)");
  return static_cast<std::uint64_t>(bytes);
}

}  // namespace rtv
