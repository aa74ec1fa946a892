// rtv radon: the 2D Radon transform (Joseph's method, radon2d.hpp) of an n x n image.
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/radon/radon2d.hpp"

namespace rtv::cli {

int run_radon(const std::vector<std::string>& args) {
  std::string in, out;
  int A = 0, M = 0;
  double L = 1.0;
  po::options_description desc(std::string("rtv radon IMAGE --angles A -o SINOGRAM [options]\n") + kGrid + "Options");
  desc.add_options()("help,h", "print this help")("image", po::value<std::string>(&in), "n x n image (.npy/.csv)")(
      "angles", po::value<int>(&A), "A >= 1 angles on [0, pi)")("offsets", po::value<int>(&M)->default_value(0),
                                                                 "M offsets (0: the default, about sqrt(2) n)")(
      "extent", po::value<double>(&L)->default_value(1.0), "L: the image covers [-L, L]^2")(
      "threads", po::value<int>()->default_value(0), "worker threads (0: all cores)")(
      "output,o", po::value<std::string>(&out), "output sinogram (.npy or .csv), A x M");
  po::positional_options_description pos;
  pos.add("image", 1);
  const auto vm = parse("radon", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (in.empty()) throw UsageError("radon: missing IMAGE");
  if (out.empty()) throw UsageError("radon: missing -o SINOGRAM");
  check_outputs({in}, {{"-o", out, {".npy", ".csv"}}});
  const int threads = threads_option(vm);
  rtv::SinogramGrid::for_image(rtv::ImageGrid{1, L}, A, M);  // the options' errors (and sizes) before reading
  const rtv::Array2D img = read_square(in, "image");
  const rtv::ImageGrid ig = image_grid(static_cast<int>(img.rows()), L);
  const rtv::SinogramGrid sg = rtv::SinogramGrid::for_image(ig, A, M);
  rtv::write_array(out, rtv::radon(img, ig, sg, threads));
  return 0;
}

}  // namespace rtv::cli
