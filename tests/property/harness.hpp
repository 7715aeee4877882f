// tests/property/harness.hpp: an address_space with every leaf bound to something that tells
// who was reached, and a check of each guest access against oracle::expect_access.
//
// Passthrough leaf i gets host memory whose byte o is `host_byte(i, o)`; io leaf i gets a
// `recorder` that answers `io_value(i, offset, size)` and logs every call, and that counts a
// violation whenever a call falls outside its region or is of a size the region does not
// implement. The model side keeps a shadow of the host memory and the log it expects.
#pragma once

#include <mmiotree/layout/diagnostics.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/tree/descriptor.hpp>

#include <catch2/catch.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "oracle.hpp"

namespace harness {

using mmiotree::access_status;
using mmiotree::addr_t;
using mmiotree::node;
using mmiotree::node_index;
using mmiotree::npos;
using mmiotree::region_kind;

[[nodiscard]] inline std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185ULL;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44dULL;
  return x ^ (x >> 33);
}
/// Byte `o` of the host memory of passthrough leaf `i`.
[[nodiscard]] inline std::byte host_byte(node_index i, addr_t o) {
  return static_cast<std::byte>(mix((std::uint64_t{i} << 48) ^ o) & 0xFF);
}
/// What the handler of io leaf `i` returns for a read (all 64 bits, even for narrow reads:
/// the dispatcher must cut it to the access width).
[[nodiscard]] inline std::uint64_t io_value(node_index i, addr_t o, unsigned size) {
  return mix((std::uint64_t{i} << 52) ^ (std::uint64_t{size} << 44) ^ o ^ 0x5bd1e995);
}

/// One handler call as the handler sees it (values in the handler's byte order).
struct call {
  bool write = false;
  node_index leaf = npos;
  addr_t offset = 0;
  unsigned size = 0;
  std::uint64_t value = 0;
  bool operator==(const call&) const = default;
};
inline std::ostream& operator<<(std::ostream& os, const call& c) {
  return os << (c.write ? "write" : "read") << "(leaf " << c.leaf << ", off 0x" << std::hex
            << c.offset << ", size " << std::dec << c.size << ", value 0x" << std::hex << c.value
            << std::dec << ")";
}

struct recorder {
  node_index leaf;
  addr_t region_size;
  mmiotree::access_policy policy;
  std::vector<call>* log;
  int* violations;

  void audit(addr_t offset, unsigned size) const {
    const bool size_ok = (size == 1 || size == 2 || size == 4 || size == 8) &&
                         size >= policy.impl_min && size <= policy.impl_max;
    if (!size_ok || offset > region_size || region_size - offset < size) ++*violations;
    if (size != 0 && !policy.unaligned && offset % size != 0) ++*violations;
  }
  std::uint64_t read(addr_t offset, unsigned size) {
    audit(offset, size);
    log->push_back({false, leaf, offset, size, 0});
    return io_value(leaf, offset, size);
  }
  void write(addr_t offset, unsigned size, std::uint64_t value) {
    audit(offset, size);
    log->push_back({true, leaf, offset, size, value});
  }
};

/// An address_space<Tree> with every passthrough and io leaf bound (except those in `skip`),
/// and the model's view of the same state.
template <class Tree>
class rig {
 public:
  static constexpr auto& nodes = mmiotree::nodes_v<Tree>;

  explicit rig(std::vector<node_index> skip = {}) : skip_(std::move(skip)) {
    mem_.resize(nodes.size());
    shadow_.resize(nodes.size());
    bound_.assign(nodes.size(), false);
    for (node_index i = 0; i < nodes.size(); ++i)
      if (nodes[i].kind == region_kind::stub) bound_[i] = true;
    bind_all(std::make_index_sequence<nodes.size()>{});
  }

  mmiotree::address_space<Tree>& space() { return as_; }
  std::vector<call>& log() { return log_; }
  int violations() const { return violations_; }
  std::vector<std::byte>& host(node_index i) { return mem_[i]; }

  /// Checks one access against the model; returns a description of the first mismatch, or an
  /// empty string.
  std::string check(addr_t addr, unsigned size, bool is_write, std::uint64_t value) {
    model_env env{*this, {}, {}};
    const oracle::outcome want =
        oracle::expect_access(std::span<const node>(nodes), addr, size, is_write, value, env);
    log_.clear();
    oracle::outcome got;
    if (is_write) {
      got.status = as_.write(addr, size, value);
    } else {
      const mmiotree::read_result r = as_.read(addr, size);
      got = {r.status, r.value};
    }
    std::ostringstream os;
    if (got.status != want.status)
      os << "status " << to_string(got.status) << ", expected " << to_string(want.status) << "; ";
    if (!is_write && got.value != want.value)
      os << "value 0x" << std::hex << got.value << ", expected 0x" << want.value << std::dec
         << "; ";
    if (log_ != env.calls) {
      os << "calls [";
      for (const call& c : log_) os << c << " ";
      os << "], expected [";
      for (const call& c : env.calls) os << c << " ";
      os << "]; ";
    }
    for (const auto& [leaf, off] : env.touched) {
      const addr_t lo = off < 16 ? 0 : off - 16;
      const addr_t hi = std::min<addr_t>(off + 32, mem_[leaf].size());
      for (addr_t o = lo; o < hi; ++o)
        if (mem_[leaf][o] != shadow_[leaf][o]) {
          os << "host memory of leaf " << leaf << " differs at 0x" << std::hex << o << std::dec
             << "; ";
          break;
        }
    }
    if (violations_ != 0) os << violations_ << " handler calls outside policy or region; ";
    std::string s = os.str();
    if (!s.empty()) {
      std::ostringstream head;
      head << (is_write ? "write" : "read") << "(0x" << std::hex << addr << std::dec << ", " << size
           << (is_write ? ", value" : "") << "): ";
      s = head.str() + s;
    }
    return s;
  }

  /// Host memory equals the model's shadow everywhere.
  bool memory_matches() const { return mem_ == shadow_; }

  bool bound(node_index i) const { return bound_[i]; }
  void set_bound(node_index i, bool b) { bound_[i] = b; }

 private:
  struct model_env {
    rig& r;
    std::vector<call> calls;
    std::vector<std::pair<node_index, addr_t>> touched;

    bool bound(node_index i) const { return r.bound_[i]; }
    std::uint64_t read_unit(node_index i, addr_t off, unsigned size) {
      const node& n = nodes[i];
      switch (n.kind) {
        case region_kind::passthrough: {
          std::uint64_t v = 0;
          for (unsigned k = 0; k < size; ++k)
            v |= std::uint64_t{std::to_integer<std::uint8_t>(r.shadow_[i][off + k])} << (8 * k);
          return v;
        }
        case region_kind::io: {
          calls.push_back({false, i, off, size, 0});
          const std::uint64_t v = io_value(i, off, size) & oracle::mask(size);
          return n.access.order == mmiotree::endian::big ? oracle::bswap(v, size) : v;
        }
        default:  // a stub that answers
          return n.response == mmiotree::stub_response::read_as_zero ? 0 : oracle::mask(size);
      }
    }
    void write_unit(node_index i, addr_t off, unsigned size, std::uint64_t v) {
      const node& n = nodes[i];
      if (n.kind == region_kind::passthrough) {
        for (unsigned k = 0; k < size; ++k)
          r.shadow_[i][off + k] = static_cast<std::byte>((v >> (8 * k)) & 0xFF);
        touched.push_back({i, off});
      } else if (n.kind == region_kind::io) {
        calls.push_back({true, i, off, size,
                         n.access.order == mmiotree::endian::big ? oracle::bswap(v, size) : v});
      }
    }
  };

  template <std::size_t... I>
  void bind_all(std::index_sequence<I...>) {
    (bind_one<I>(), ...);
  }
  template <std::size_t I>
  void bind_one() {
    constexpr node n = nodes[I];
    if constexpr (n.kind == region_kind::passthrough || n.kind == region_kind::io) {
      for (const node_index s : skip_)
        if (s == I) return;
      constexpr auto path = mmiotree::detail::path_fs<Tree, I>;
      if constexpr (n.kind == region_kind::passthrough) {
        auto& m = mem_[I];
        m.resize(static_cast<std::size_t>(n.size));
        for (addr_t o = 0; o < n.size; ++o) m[o] = host_byte(I, o);
        shadow_[I] = m;
        REQUIRE(as_.template bind<path>(std::span<std::byte>(m)) == mmiotree::bind_status::ok);
      } else {
        handlers_.push_back({I, n.size, n.access, &log_, &violations_});
        as_.template bind<path>(handlers_.back());
      }
      bound_[I] = true;
    }
  }

  mmiotree::address_space<Tree> as_;
  std::vector<node_index> skip_;
  std::vector<std::vector<std::byte>> mem_, shadow_;
  std::vector<bool> bound_;
  std::deque<recorder> handlers_;
  std::vector<call> log_;
  int violations_ = 0;
};

}  // namespace harness
