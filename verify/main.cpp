// rtv-verify: the claim harness's command line over rtv's catalogue (verify/harness.hpp, harness_main).
#include "harness.hpp"
#include "registry.hpp"

int main(int argc, char** argv) {
  return rtv::verify::harness_main(argc, argv, rtv::verify::registry(), "rtv-verify",
                                   "check the claims of Parhi & Nowak (IEEE SPM 2023) numerically and write a report.");
}
