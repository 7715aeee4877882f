// tests/property/harness.hpp: an address_space for a tree generated from a description
// (typed.hpp), every leaf bound to something that tells who was reached, and a check of each
// guest access against oracle::expect_access on the same description.
//
// Passthrough leaf i gets host memory whose byte o is `host_byte(i, o)`; io leaf i gets a
// `recorder` that answers `io_value(i, offset, size)`, logs every call, and counts a violation
// whenever a call falls outside its region or is of a size or alignment its policy does not
// implement. The model side keeps a shadow of the host memory and the log it expects. Leaves
// are told apart by their index in the description, never by the library's node numbers.
//
// No test framework here: the Catch2 tests and the fuzz targets (tests/fuzz/) both use it.
#pragma once

#include <mmiotree/runtime/address_space.hpp>

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <span>
#include <sstream>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include "model.hpp"
#include "oracle.hpp"
#include "typed.hpp"

namespace harness {

using model::addr;
using model::none;

[[nodiscard]] inline std::uint64_t mix(std::uint64_t x) {
  x ^= x >> 31;
  x *= 0x7fb5d329728ea185ULL;
  x ^= x >> 27;
  x *= 0x81dadef4bc2dd44dULL;
  return x ^ (x >> 33);
}
/// Byte `o` of the host memory of passthrough leaf `i`.
[[nodiscard]] inline std::byte host_byte(std::size_t i, addr o) {
  return static_cast<std::byte>(mix((std::uint64_t{i} << 48) ^ o) & 0xFF);
}
/// What the handler of io leaf `i` returns for a read: all 64 bits, even for narrow reads (the
/// dispatcher must cut it to the unit width).
[[nodiscard]] inline std::uint64_t io_value(std::size_t i, addr o, unsigned size) {
  return mix((std::uint64_t{i} << 52) ^ (std::uint64_t{size} << 44) ^ o ^ 0x5bd1e995);
}

/// One handler call as the handler sees it (values in the handler's byte order).
struct call {
  bool write = false;
  std::size_t leaf = none;
  addr offset = 0;
  unsigned size = 0;
  std::uint64_t value = 0;
  bool operator==(const call&) const = default;
};
inline std::ostream& operator<<(std::ostream& os, const call& c) {
  return os << (c.write ? "write" : "read") << "(leaf " << c.leaf << ", off 0x" << std::hex
            << c.offset << ", size " << std::dec << c.size << ", value 0x" << std::hex << c.value
            << std::dec << ")";
}

/// An io handler that logs its calls and audits them against the leaf's description.
struct recorder {
  std::size_t leaf;
  const model::region* region;
  std::vector<call>* log;
  int* violations;

  void audit(addr offset, unsigned size) const {
    const model::policy& p = region->policy;
    const bool size_ok = (size == 1 || size == 2 || size == 4 || size == 8) && size >= p.impl_min &&
                         size <= p.impl_max;
    if (!size_ok || offset > region->size || region->size - offset < size) ++*violations;
    if (size != 0 && !p.unaligned && offset % size != 0) ++*violations;
  }
  std::uint64_t read(addr offset, unsigned size) {
    audit(offset, size);
    log->push_back({false, leaf, offset, size, 0});
    return io_value(leaf, offset, size);
  }
  void write(addr offset, unsigned size, std::uint64_t value) {
    audit(offset, size);
    log->push_back({true, leaf, offset, size, value});
  }
};

[[nodiscard]] inline const char* to_string(oracle::status s) {
  switch (s) {
    case oracle::status::ok: return "ok";
    case oracle::status::decode_error: return "decode_error";
    case oracle::status::access_error: return "access_error";
    case oracle::status::unbound: return "unbound";
    case oracle::status::reentered: return "reentered";
  }
  return "?";
}
/// The library's status in the oracle's words (the two enums are independent on purpose).
[[nodiscard]] inline oracle::status from(mmiotree::access_status s) {
  switch (s) {
    case mmiotree::access_status::ok: return oracle::status::ok;
    case mmiotree::access_status::decode_error: return oracle::status::decode_error;
    case mmiotree::access_status::access_error: return oracle::status::access_error;
    case mmiotree::access_status::unbound: return oracle::status::unbound;
    case mmiotree::access_status::reentered: return oracle::status::reentered;
  }
  return oracle::status::ok;
}

/// The address space of the tree generated from D, with every passthrough and io leaf bound
/// (except those in `skip`, description indices), and the model's view of the same state.
template <const auto& D>
class rig {
 public:
  using tree = typed::tree_t<D>;

  explicit rig(std::vector<std::size_t> skip = {}) : skip_(std::move(skip)), oracle_(D) {
    mem_.resize(D.size());
    shadow_.resize(D.size());
    bound_.assign(D.size(), false);
    for (std::size_t i = 0; i < D.size(); ++i)
      if (D[i].kind == model::kind::stub) bound_[i] = true;
    bind_all(std::make_index_sequence<D.size()>{});
  }

  mmiotree::address_space<tree>& space() { return as_; }
  const oracle::tree& model() const { return oracle_; }
  std::vector<call>& log() { return log_; }
  int violations() const { return violations_; }
  std::vector<std::byte>& host(std::size_t i) { return mem_[i]; }

  /// Checks one access against the oracle; returns a description of the first mismatch, or an
  /// empty string. With `cache`, the access goes through that route cache.
  std::string check(addr a, unsigned size, bool is_write, std::uint64_t value,
                    mmiotree::route_cache* cache = nullptr) {
    env e{*this, {}, {}};
    const oracle::outcome want = oracle::expect_access(
        oracle_, [&](addr x) { return oracle_.at(x); }, a, size, is_write, value, e);
    log_.clear();
    oracle::outcome got;
    if (is_write) {
      got.st = from(cache ? as_.write(a, size, value, *cache) : as_.write(a, size, value));
    } else {
      const mmiotree::read_result r = cache ? as_.read(a, size, *cache) : as_.read(a, size);
      got = {from(r.status), r.value};
    }
    std::ostringstream os;
    if (got.st != want.st)
      os << "status " << to_string(got.st) << ", expected " << to_string(want.st) << "; ";
    if (!is_write && got.value != want.value)
      os << "value 0x" << std::hex << got.value << ", expected 0x" << want.value << std::dec
         << "; ";
    if (log_ != e.calls) {
      os << "calls [";
      for (const call& c : log_) os << c << " ";
      os << "], expected [";
      for (const call& c : e.calls) os << c << " ";
      os << "]; ";
    }
    for (const auto& [leaf, off] : e.touched) {
      const addr lo = off < 16 ? 0 : off - 16;
      const addr hi = std::min<addr>(off + 32, mem_[leaf].size());
      for (addr o = lo; o < hi; ++o)
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
      head << (is_write ? "write" : "read") << "(0x" << std::hex << a << std::dec << ", " << size
           << (is_write ? ", value" : "") << "): ";
      s = head.str() + s;
    }
    return s;
  }

  /// Host memory equals the model's shadow everywhere.
  bool memory_matches() const { return mem_ == shadow_; }

 private:
  /// The oracle's environment: the leaf kinds and byte order of docs/access.md §4, on the
  /// shadow memory, recording the handler calls it expects.
  struct env {
    rig& r;
    std::vector<call> calls;
    std::vector<std::pair<std::size_t, addr>> touched;

    bool bound(std::size_t i) const { return r.bound_[i]; }
    std::uint64_t read_unit(std::size_t i, addr off, unsigned size) {
      const model::region& n = D[i];
      switch (n.kind) {
        case model::kind::passthrough: {
          std::uint64_t v = 0;
          for (unsigned k = 0; k < size; ++k)
            v |= std::uint64_t{std::to_integer<std::uint8_t>(r.shadow_[i][off + k])} << (8 * k);
          return v;
        }
        case model::kind::io: {
          calls.push_back({false, i, off, size, 0});
          const std::uint64_t v = io_value(i, off, size) & oracle::low_bytes(size);
          return n.policy.big_endian ? oracle::swap_bytes(v, size) : v;
        }
        default:  // a stub that answers
          return n.response == model::answer::zeros ? 0 : oracle::low_bytes(size);
      }
    }
    void write_unit(std::size_t i, addr off, unsigned size, std::uint64_t v) {
      const model::region& n = D[i];
      if (n.kind == model::kind::passthrough) {
        for (unsigned k = 0; k < size; ++k)
          r.shadow_[i][off + k] = static_cast<std::byte>((v >> (8 * k)) & 0xFF);
        touched.push_back({i, off});
      } else if (n.kind == model::kind::io) {
        calls.push_back(
            {true, i, off, size, n.policy.big_endian ? oracle::swap_bytes(v, size) : v});
      }
    }
  };

  template <std::size_t... I>
  void bind_all(std::index_sequence<I...>) {
    (bind_one<I>(), ...);
  }
  template <std::size_t I>
  void bind_one() {
    constexpr model::region n = D[I];
    if constexpr (n.kind == model::kind::passthrough || n.kind == model::kind::io) {
      if (std::find(skip_.begin(), skip_.end(), I) != skip_.end()) return;
      constexpr auto path = typed::path_v<D, I>;
      if constexpr (n.kind == model::kind::passthrough) {
        auto& m = mem_[I];
        m.resize(static_cast<std::size_t>(n.size));
        for (addr o = 0; o < n.size; ++o) m[o] = host_byte(I, o);
        shadow_[I] = m;
        if (as_.template bind<path>(std::span<std::byte>(m)) != mmiotree::bind_status::ok)
          throw std::logic_error("harness: binding host memory to a passthrough leaf failed");
      } else {
        handlers_.push_back({I, &D[I], &log_, &violations_});
        if (as_.template bind<path>(handlers_.back()) != mmiotree::bind_status::ok)
          throw std::logic_error("harness: binding a handler to an io leaf failed");
      }
      bound_[I] = true;
    }
  }

  mmiotree::address_space<tree> as_;
  std::vector<std::size_t> skip_;
  oracle::tree oracle_;
  std::vector<std::vector<std::byte>> mem_, shadow_;
  std::vector<bool> bound_;
  std::deque<recorder> handlers_;
  std::vector<call> log_;
  int violations_ = 0;
};

}  // namespace harness
