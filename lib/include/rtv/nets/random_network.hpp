// rtv/nets/random_network.hpp: random shallow networks for tests and claims, drawn from an Rng (rtv/core/random.hpp).
#pragma once

#include "rtv/core/random.hpp"
#include "rtv/nets/network.hpp"

namespace rtv {

/// A random network: W, v standard normal; b normal; c, c0 normal when skip.
ShallowNet random_network(Rng& rng, int d, int K, bool skip = true);

/// A random network with edge cases built in (STYLE.md item 7): about `share` of the neurons copy another
/// neuron's hyperplane, scaled by +-s (s log-uniform in [0.1, 10]; a negative s gives the antipodal
/// orientation), and about 5% have w_k = 0 (a constant neuron).
ShallowNet random_network_with_edge_cases(Rng& rng, int d, int K, double share = 0.25, bool skip = true);

}  // namespace rtv
