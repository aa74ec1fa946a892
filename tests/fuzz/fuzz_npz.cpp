// tests/fuzz/fuzz_npz.cpp: libFuzzer target for rtv::read_npz (rtv/io/arrays.hpp, through libzip) and the PyTorch
// network readers on its arrays (torch_import.hpp). read_npz takes a path: the bytes go through a temporary file.
// An input that starts with a zip local-file signature ("PK\3\4") is the archive as is; any other input is
// decoded into 1-4 members (a state_dict name, stored or deflated, a .npy built by fuzz::npy_from_fields) and a
// zip archive is written around them here, with header fields that may lie: an uncompressed size from the
// table of interesting sizes (a 200-byte file claiming 4 GiB, issue 20) or a wrong CRC-32.
// Contract: InputError naming the file, or arrays whose data hold prod(shape) elements and networks that validate.
#include <zlib.h>

#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_util.hpp"
#include "rtv/io/arrays.hpp"

namespace {

void put16(std::string& s, std::uint32_t v) {
  s += static_cast<char>(v & 0xff);
  s += static_cast<char>((v >> 8) & 0xff);
}
void put32(std::string& s, std::uint32_t v) {
  put16(s, v & 0xffff);
  put16(s, v >> 16);
}

std::string raw_deflate(const std::string& in) {
  z_stream z{};
  if (deflateInit2(&z, Z_DEFAULT_COMPRESSION, Z_DEFLATED, -15, 8, Z_DEFAULT_STRATEGY) != Z_OK)
    fuzz::finding("deflateInit2 failed");
  std::string out(deflateBound(&z, in.size()), '\0');
  z.next_in = reinterpret_cast<Bytef*>(const_cast<char*>(in.data()));
  z.avail_in = static_cast<uInt>(in.size());
  z.next_out = reinterpret_cast<Bytef*>(out.data());
  z.avail_out = static_cast<uInt>(out.size());
  if (deflate(&z, Z_FINISH) != Z_STREAM_END) fuzz::finding("deflate failed");
  out.resize(z.total_out);
  deflateEnd(&z);
  return out;
}

std::string zip_from_fields(fuzz::Bytes& in) {
  static const char* const kNames[16] = {
      "0.weight.npy", "0.bias.npy", "2.weight.npy", "2.bias.npy", "skip.weight.npy", "skip.bias.npy",
      "net.0.weight.npy", "1.weight.npy", "3.weight.npy", "4.weight.npy", "4.bias.npy", "0.weight",
      "x.npy", "0.weight.npy", ".npy", "dir/2.bias.npy"};
  const int n = 1 + in.byte() % 4;
  std::string zip, central;
  for (int m = 0; m < n; ++m) {
    const std::uint8_t how = in.byte();
    const std::string name = kNames[how & 15];
    const bool deflated = (how >> 4) & 1;
    const std::string npy = fuzz::npy_from_fields(in);
    const std::string body = deflated ? raw_deflate(npy) : npy;
    std::uint32_t crc = static_cast<std::uint32_t>(crc32(0, reinterpret_cast<const Bytef*>(npy.data()),
                                                         static_cast<uInt>(npy.size())));
    std::uint32_t usize = static_cast<std::uint32_t>(npy.size());
    if ((how >> 5) == 7) usize = static_cast<std::uint32_t>(in.size_value());  // a size that lies
    if ((how >> 5) == 6) crc ^= 1;                                           // a CRC that lies
    const std::uint32_t offset = static_cast<std::uint32_t>(zip.size());
    const std::uint16_t method = deflated ? 8 : 0;
    put32(zip, 0x04034b50);
    put16(zip, 20), put16(zip, 0), put16(zip, method), put16(zip, 0), put16(zip, 0x21);
    put32(zip, crc), put32(zip, static_cast<std::uint32_t>(body.size())), put32(zip, usize);
    put16(zip, static_cast<std::uint32_t>(name.size())), put16(zip, 0);
    zip += name + body;
    put32(central, 0x02014b50);
    put16(central, 20), put16(central, 20), put16(central, 0), put16(central, method), put16(central, 0),
        put16(central, 0x21);
    put32(central, crc), put32(central, static_cast<std::uint32_t>(body.size())), put32(central, usize);
    put16(central, static_cast<std::uint32_t>(name.size())), put16(central, 0), put16(central, 0),
        put16(central, 0), put16(central, 0);
    put32(central, 0), put32(central, offset);
    central += name;
  }
  const std::uint32_t cd_offset = static_cast<std::uint32_t>(zip.size());
  zip += central;
  put32(zip, 0x06054b50);
  put16(zip, 0), put16(zip, 0), put16(zip, static_cast<std::uint32_t>(n)), put16(zip, static_cast<std::uint32_t>(n));
  put32(zip, static_cast<std::uint32_t>(central.size())), put32(zip, cd_offset), put16(zip, 0);
  return zip;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string& path = fuzz::temp_path(".npz");
  if (size >= 4 && data[0] == 'P' && data[1] == 'K' && data[2] == 3 && data[3] == 4) {
    fuzz::write_temp(path, data, size);
  } else {
    fuzz::Bytes in(data, size);
    fuzz::write_temp(path, zip_from_fields(in));
  }
  fuzz::accepts(path, [&] { fuzz::check_state_dict(rtv::read_npz(path), path); });
  return 0;
}
