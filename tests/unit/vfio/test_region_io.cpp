// Region I/O (vfio/region_io.hpp) without hardware: a memfd stands in for a device region, so
// pread/pwrite, short transfers and errors are real system calls; the forwarding io handler is
// checked under an address_space; the ioctl wrappers are checked on fds that are not VFIO
// devices (the clear error a VMM shows when it is handed the wrong file).
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/region.hpp>
#include <mmiotree/vfio/region_io.hpp>

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <fcntl.h>
#include <string>
#include <sys/mman.h>
#include <unistd.h>

using namespace mmiotree;
using vfio::io_error;

namespace {

/// A memfd of `n` bytes, byte i = i & 0xFF (closed on destruction).
struct memfd {
  int fd = -1;
  explicit memfd(std::size_t n) {
    fd = ::memfd_create("mmiotree-region", MFD_CLOEXEC);
    REQUIRE(fd >= 0);
    for (std::size_t i = 0; i < n; ++i) {
      const unsigned char b = static_cast<unsigned char>(i);
      REQUIRE(::pwrite(fd, &b, 1, static_cast<off_t>(i)) == 1);
    }
  }
  memfd(const memfd&) = delete;
  memfd& operator=(const memfd&) = delete;
  ~memfd() { ::close(fd); }
  unsigned char at(std::size_t i) const {
    unsigned char b = 0;
    REQUIRE(::pread(fd, &b, 1, static_cast<off_t>(i)) == 1);
    return b;
  }
};

}  // namespace

TEST_CASE("pread/pwrite of 1, 2, 4 and 8 bytes at a region offset", "[vfio][region_io]") {
  memfd m(256);
  vfio::fd_region r(m.fd, 0x40, 0x40);  // the region is bytes 0x40..0x7F of the fd
  CHECK(r.size() == 0x40);
  CHECK(r.read(0, 1).value == 0x40);
  CHECK(r.read(2, 2).value == 0x4342);
  CHECK(r.read(4, 4).value == 0x47464544);
  CHECK(r.read(8, 8).value == 0x4F4E4D4C4B4A4948ULL);
  CHECK(r.read(0x3C, 4).value == 0x7F7E7D7C);  // the last word
  REQUIRE(r.write(0x10, 2, 0xBEEF).ok());
  CHECK(m.at(0x50) == 0xEF);
  CHECK(m.at(0x51) == 0xBE);
  CHECK(m.at(0x52) == 0x52);  // untouched
  REQUIRE(r.write(0x18, 8, 0x0102030405060708ULL).ok());
  CHECK(r.read(0x18, 8).value == 0x0102030405060708ULL);
}

TEST_CASE("region accesses refused: size, range, short transfers, errors", "[vfio][region_io]") {
  memfd m(0x60);  // the fd ends inside the region: short transfers past 0x60
  vfio::fd_region r(m.fd, 0x40, 0x40);
  CHECK(r.read(0, 3).error == io_error::bad_size);
  CHECK(r.read(0, 16).error == io_error::bad_size);
  CHECK(r.write(0, 0, 0).error == io_error::bad_size);
  CHECK(r.read(0x3E, 4).error == io_error::out_of_region);
  CHECK(r.read(0x40, 1).error == io_error::out_of_region);
  CHECK(r.read(~std::uint64_t{0} - 1, 4).error == io_error::out_of_region);
  const vfio::io_result s = r.read(0x1C, 8);  // 4 bytes left in the fd
  CHECK(s.error == io_error::short_transfer);
  CHECK(s.value == 4);
  CHECK(r.read(0x20, 4).error == io_error::short_transfer);  // at the end: 0 bytes
  vfio::fd_region closed(-1, 0, 0x40);
  const vfio::io_result e = closed.read(0, 4);
  CHECK(e.error == io_error::os_error);
  CHECK(e.err == EBADF);
  CHECK(closed.write(0, 4, 0).err == EBADF);
}

TEST_CASE("the forwarding handler: a trapped span's accesses reach the region",
          "[vfio][region_io]") {
  using bar = container<"bar", 0x1000, at<0, io<"bar_ops", 0x1000>>>;
  memfd m(0x2000);
  vfio::fd_region region(m.fd, 0x800, 0x1000);
  vfio::forward ops(region, 0x100);  // the span starts 0x100 into the region
  address_space<bar> space;
  REQUIRE(space.bind<"bar_ops">(ops) == bind_status::ok);
  // Guest offset 0x10, 4 bytes → region 0x110 → fd 0x910.
  CHECK(space.read(0x10, 4) == read_result{0x13121110, access_status::ok});
  CHECK(space.read(0x21, 1).value == 0x21);
  REQUIRE(space.write(0x30, 2, 0xCAFE) == access_status::ok);
  CHECK(m.at(0x930) == 0xFE);
  CHECK(m.at(0x931) == 0xCA);
  CHECK(m.at(0x932) == 0x32);
  CHECK(ops.failures() == 0);
  // Past the region's end (0x100 + 0xF00 = 0x1000): all-ones, counted.
  CHECK(space.read(0xF00, 4).value == 0xFFFF'FFFF);
  CHECK(ops.failures() == 1);
  CHECK(ops.last_failure().error == io_error::out_of_region);
}

TEST_CASE("the info ioctls on an fd that is not a VFIO device: a clear error",
          "[vfio][region_io]") {
  memfd m(16);
  const auto d = vfio::query_device_info(m.fd);
  REQUIRE_FALSE(d.ok());
  CHECK(d.failure.err == ENOTTY);
  CHECK(vfio::describe(d.failure).find("VFIO_DEVICE_GET_INFO failed") == 0);
  CHECK(vfio::describe(d.failure).find("is this a VFIO device fd?") != std::string::npos);
  const auto r = vfio::query_region_info(m.fd, 2);
  REQUIRE_FALSE(r.ok());
  CHECK(r.failure.err == ENOTTY);
  CHECK(r.failure.ioctl == "VFIO_DEVICE_GET_REGION_INFO");
  CHECK(vfio::query_device_info(-1).failure.err == EBADF);
}
