// tests/fuzz/fuzz_csv.cpp: libFuzzer target for the CSV reader (rtv::read_array on a .csv, then
// rtv::read_training_data; rtv/io/arrays.hpp). The reader takes a path only: the input goes through a temporary
// file. Contract: InputError naming the file, or a non-empty, finite array (and training data of matching size).
#include <cstdint>
#include <string>

#include "fuzz_util.hpp"
#include "rtv/io/arrays.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = fuzz::temp_path(".csv");
  fuzz::write_temp(path, data, size);
  fuzz::accepts(path, [&] {
    const auto a = rtv::read_array(path);
    if (a.size() == 0 || !a.allFinite()) fuzz::finding("read_array returned an empty or non-finite array");
  });
  fuzz::accepts(path, [&] {
    Eigen::MatrixXd X;
    Eigen::VectorXd y;
    rtv::read_training_data(path, X, y);
    if (X.rows() != y.size() || X.cols() < 1 || X.rows() < X.cols() + 2 || !X.allFinite() || !y.allFinite())
      fuzz::finding("read_training_data returned inconsistent data");
  });
  return 0;
}
