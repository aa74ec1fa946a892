// rtv fbp: filtered backprojection f = c_2 R* Lambda R f (radon2d.hpp, filters.hpp) of a sinogram.
#include <cmath>
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/radon/filters.hpp"
#include "rtv/radon/radon2d.hpp"

namespace rtv::cli {

int run_fbp(const std::vector<std::string>& args) {
  std::string in, out, filter;
  int n = 0;
  double L = 1.0;
  po::options_description desc(std::string("rtv fbp SINOGRAM -o IMAGE [options]\n") + kGrid +
                               "The sinogram's offsets must cover [-T, T] with T of the default grid of an n x n image, as "
                               "rtv radon writes them.\nOptions");
  desc.add_options()("help,h", "print this help")("sinogram", po::value<std::string>(&in), "A x M sinogram")(
      "filter", po::value<std::string>(&filter)->default_value("ram-lak"),
      "ram-lak | shepp-logan | cosine | hann | hamming")(
      "size", po::value<int>(&n)->default_value(0),
      "n of the n x n output (0: the n whose default M above is the sinogram's M; there is at most one, "
      "floor(M / sqrt(2)) or one less; an error if there is none)")(
      "extent", po::value<double>(&L)->default_value(1.0), "L")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores)")(
      "output,o", po::value<std::string>(&out), "output image (.npy or .csv)");
  po::positional_options_description pos;
  pos.add("sinogram", 1);
  const auto vm = parse("fbp", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (in.empty()) throw UsageError("fbp: missing SINOGRAM");
  if (out.empty()) throw UsageError("fbp: missing -o IMAGE");
  check_outputs({in}, {{"-o", out, {".npy", ".csv"}}});
  if (n < 0) throw UsageError("fbp: --size must be positive (or 0 for the default)");
  const rtv::Window w = rtv::parse_window(filter);
  const int threads = threads_option(vm);
  const rtv::Array2D sino = rtv::read_array(in);
  const int M = static_cast<int>(sino.cols());
  if (n == 0) {
    // The default M(n) (kGrid) is strictly increasing (M(n + 1) >= ceil(sqrt(2) n) + 1 >= M(n), and the two have
    // different parities), so at most one n has M(n) = M, and sqrt(2) n <= M(n) < sqrt(2) n + 2 puts it at
    // floor(M / sqrt(2)) or one less (the help text; tests/test_cli.cpp checks n = 2..599). The loop's third
    // candidate is never the answer.
    const int c0 = static_cast<int>(std::floor(M / std::sqrt(2.0)));
    for (int c = c0; c >= c0 - 2 && c >= 1 && n == 0; --c)
      if (rtv::SinogramGrid::for_image(rtv::ImageGrid{c, L}, 1).offsets == M) n = c;
    if (n == 0)
      throw rtv::input_error(in, "cannot infer the image size from " + std::to_string(M) +
                                     " offsets (not the default count for any n x n image): give --size");
  }
  const rtv::ImageGrid ig = image_grid(n, L);
  rtv::SinogramGrid sg = rtv::SinogramGrid::for_image(ig, static_cast<int>(sino.rows()), M);
  rtv::write_array(out, rtv::fbp(sino, sg, ig, w, threads));
  return 0;
}

}  // namespace rtv::cli
