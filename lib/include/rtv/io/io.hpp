// rtv/io/io.hpp: all of the io layer in one include, kept for code that has not moved to the per-format headers.
// New code includes what it uses: files.hpp (atomic output, whole-file reads), arrays.hpp (CSV, .npy, .npz),
// network_json.hpp (rtv's network JSON formats, any network file by extension), torch_import.hpp (PyTorch
// state_dict archives). The figures (plot.hpp) are a separate library, rtv::plot.
#pragma once

#include "rtv/io/arrays.hpp"
#include "rtv/io/files.hpp"
#include "rtv/io/network_json.hpp"
#include "rtv/io/torch_import.hpp"
