// Uses the installed library: sigma(z) - sigma(-z) = z is affine, so its R-TV is 0 while its path norm is 2.
#include <cstdio>
#include <rtv/nets/norms.hpp>

int main() {
  rtv::ShallowNet net = rtv::ShallowNet::zeros(2, 2);
  net.W << 1.0, 0.0, -1.0, 0.0;
  net.v << 1.0, -1.0;
  const double pn = rtv::path_norm(net), r = rtv::rtv_exact(net);
  std::printf("path norm %g, R-TV %g\n", pn, r);
  return (pn == 2.0 && r == 0.0) ? 0 : 1;
}
