// rtv phantom: sample a test image (Shepp-Logan, a disk, a Gaussian) on the image grid of radon2d.hpp.
#include <iostream>

#include "../commands.hpp"
#include "../common.hpp"
#include "rtv/io/arrays.hpp"
#include "rtv/radon/phantoms.hpp"
#include "rtv/radon/radon2d.hpp"

namespace rtv::cli {

int run_phantom(const std::vector<std::string>& args) {
  std::string name, out;
  int n = 0, ss = 1;
  double L = 1.0;
  po::options_description desc(std::string("rtv phantom NAME --size n -o IMAGE [options]\n") + kGrid + "Options");
  desc.add_options()("help,h", "print this help")("name", po::value<std::string>(&name), "shepp-logan | disk | gaussian")(
      "size", po::value<int>(&n), "n (image is n x n)")("extent", po::value<double>(&L)->default_value(1.0), "L")(
      "supersample", po::value<int>(&ss)->default_value(1), "average s x s samples per pixel (1 <= s <= 64)")(
      "output,o", po::value<std::string>(&out), "output image (.npy or .csv)");
  po::positional_options_description pos;
  pos.add("name", 1);
  const auto vm = parse("phantom", desc, pos, args);
  if (vm.count("help")) return std::cout << desc, 0;
  if (name.empty()) throw UsageError("phantom: missing NAME (shepp-logan, disk, gaussian)");
  if (out.empty()) throw UsageError("phantom: missing -o IMAGE");
  check_outputs({}, {{"-o", out, {".npy", ".csv"}}});
  rtv::Phantom p;
  if (name == "shepp-logan") p = rtv::Phantom::shepp_logan();
  else if (name == "disk") p = rtv::Phantom::disk(1.0, 0.0, 0.0, 0.5);
  else if (name == "gaussian") p = rtv::Phantom::gaussian(2, 1.0, 0.15, Eigen::Vector2d(0.0, 0.0));
  else throw UsageError("phantom: unknown phantom '" + name + "' (shepp-logan, disk, gaussian)");
  rtv::write_array(out, rtv::sample_image(p, image_grid(n, L), ss));
  return 0;
}

}  // namespace rtv::cli
