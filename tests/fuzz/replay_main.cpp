// tests/fuzz/replay_main.cpp: main() of the replay executables fuzz_replay_<target> (no libFuzzer needed; any
// compiler): feeds every regular file of the folders (or files) on the command line to LLVMFuzzerTestOneInput,
// in name order, printing each name first, so that a crash, an abort (fuzz::finding) or an uncaught exception
// names the input. Under an address-space limit of 2 GiB (not under AddressSanitizer, which reserves more), so
// that an allocation driven by a size the file claims fails with std::bad_alloc (uncaught: a finding) instead of
// succeeding on a big machine; libFuzzer's -rss_limit_mb plays that role in make fuzz.
#include <sys/resource.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

#if defined(__SANITIZE_ADDRESS__)
#define RTV_REPLAY_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define RTV_REPLAY_ASAN 1
#endif
#endif

int main(int argc, char** argv) {
#ifndef RTV_REPLAY_ASAN
  const rlimit lim{2ull << 30, 2ull << 30};
  setrlimit(RLIMIT_AS, &lim);
#endif
  namespace fs = std::filesystem;
  std::vector<fs::path> files;
  for (int i = 1; i < argc; ++i) {
    const fs::path p = argv[i];
    if (fs::is_directory(p)) {
      for (const auto& e : fs::directory_iterator(p))
        if (e.is_regular_file() && e.path().filename().string()[0] != '.') files.push_back(e.path());
    } else if (fs::is_regular_file(p)) {
      files.push_back(p);
    } else if (!fs::exists(p)) {
      std::fprintf(stderr, "%s: no such file or folder\n", argv[i]);
      return 2;
    }
  }
  std::sort(files.begin(), files.end());
  if (files.empty()) {
    std::fprintf(stderr, "replay: no input files\n");
    return 2;
  }
  for (const auto& f : files) {
    std::printf("%s\n", f.string().c_str());
    std::fflush(stdout);
    std::ifstream in(f, std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    LLVMFuzzerTestOneInput(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
  }
  std::printf("replayed %zu inputs\n", files.size());
  return 0;
}
