// Slot arrays (issue 9, point 7): N slots of one region type declared once, addressed by index.
//
// The oracle for the lowering is the same machine written out by hand, slot by slot, with the
// names the elements must have (`slot<named<dev_bar, "bar[3]">>`): the two descriptor arrays
// must agree node for node, field for field, and so must everything computed from them. Element
// names are checked against std::to_string; ids against the typed paths of the elements.
#include <mmiotree/format/mtree.hpp>
#include <mmiotree/layout/slots.hpp>
#include <mmiotree/runtime/address_space.hpp>
#include <mmiotree/runtime/slot_handle.hpp>

#include <catch2/catch.hpp>

#include <cstdint>
#include <memory>
#include <string>
#include <vector>

using namespace mmiotree;
using namespace mmiotree::literals;

namespace {

using dev_bar =
    container<"bar", 64_KiB, at<0, io<"regs", 4_KiB>>, at<32_KiB, passthrough<"mem", 32_KiB>>>;

// Twelve BARs (names of one and two digits), then a slot of its own, at priority 2 and with
// an alignment of 128 KiB, so that the element parameters are seen to carry over.
using with_array = container<"m", 4_GiB, at<0, passthrough<"ram", 1_MiB>>,
                             at<3_GiB, container<"pci", 16_MiB, slot_array<dev_bar, 12, 2, 128_KiB>,
                                                 slot<named<dev_bar, "extra">>>>>;
using by_hand = container<
    "m", 4_GiB, at<0, passthrough<"ram", 1_MiB>>,
    at<3_GiB,
       container<
           "pci", 16_MiB, slot<named<dev_bar, "bar[0]">, 2, 128_KiB>,
           slot<named<dev_bar, "bar[1]">, 2, 128_KiB>, slot<named<dev_bar, "bar[2]">, 2, 128_KiB>,
           slot<named<dev_bar, "bar[3]">, 2, 128_KiB>, slot<named<dev_bar, "bar[4]">, 2, 128_KiB>,
           slot<named<dev_bar, "bar[5]">, 2, 128_KiB>, slot<named<dev_bar, "bar[6]">, 2, 128_KiB>,
           slot<named<dev_bar, "bar[7]">, 2, 128_KiB>, slot<named<dev_bar, "bar[8]">, 2, 128_KiB>,
           slot<named<dev_bar, "bar[9]">, 2, 128_KiB>, slot<named<dev_bar, "bar[10]">, 2, 128_KiB>,
           slot<named<dev_bar, "bar[11]">, 2, 128_KiB>, slot<named<dev_bar, "extra">>>>>;

static_assert(verify<with_array>);
static_assert(address_space<with_array>::slot_array_size<"pci/bar">() == 12);
static_assert(address_space<with_array>::slot_of<"pci/bar">(0) ==
              address_space<with_array>::slot_of<"pci/bar[0]">());
static_assert(address_space<with_array>::slot_of<"pci/bar">(11) ==
              address_space<with_array>::slot_of<"pci/bar[11]">());
static_assert(address_space<with_array>::slot_of<"pci/bar">(12) == slot_id::none);

/// A device written once for its BAR; it answers its own number from its registers.
class device {
 public:
  device(slot_ref<dev_bar> bar, std::uint64_t number) : bar_(bar), regs_{number} {
    REQUIRE(bar_);
    REQUIRE(bar_.bind<"regs">(regs_) == bind_status::ok);
    REQUIRE(bar_.bind<"mem">(mem_) == bind_status::ok);
  }
  commit_result bar_written(addr_t gpa) { return bar_.place(gpa); }

 private:
  struct regs {
    std::uint64_t number;
    std::uint64_t read(addr_t off, unsigned) { return number << 16 | off; }
    void write(addr_t, unsigned, std::uint64_t) {}
  };
  slot_ref<dev_bar> bar_;
  regs regs_;
  std::vector<std::byte> mem_ = std::vector<std::byte>(32_KiB);
};

}  // namespace

TEST_CASE("a slot array lowers to the slots it stands for, node for node", "[slot_array]") {
  constexpr auto& a = nodes_v<with_array>;
  constexpr auto& b = nodes_v<by_hand>;
  STATIC_REQUIRE(a.size() == b.size());
  STATIC_REQUIRE(a.size() == 3 + 13 * 3);
  for (std::size_t i = 0; i < a.size(); ++i) {
    INFO("node " << i << " " << std::string(b[i].name));
    CHECK(a[i].name == b[i].name);
    CHECK(a[i].kind == b[i].kind);
    CHECK(a[i].size == b[i].size);
    CHECK(a[i].offset == b[i].offset);
    CHECK(a[i].priority == b[i].priority);
    CHECK(a[i].parent == b[i].parent);
    CHECK(a[i].end == b[i].end);
    CHECK(a[i].depth == b[i].depth);
    CHECK(a[i].leaf == b[i].leaf);
    CHECK(a[i].dynamic == b[i].dynamic);
    CHECK(a[i].slot_align == b[i].slot_align);
    CHECK(a[i].tie == b[i].tie);
    CHECK(a[i].access == b[i].access);
    CHECK(a[i].keep_separate == b[i].keep_separate);
  }
  // And as written down from the rule, independently of either lowering: pre-order, the root,
  // "ram", "pci", then per element its container and two leaves; elements are children of
  // "pci" (node 2), each spanning three nodes, carrying the array's priority and alignment.
  for (std::size_t k = 0; k < 12; ++k) {
    INFO("element " << k);
    const node& e = a[3 + 3 * k];
    CHECK(e.name == "bar[" + std::to_string(k) + "]");
    CHECK(e.parent == 2);
    CHECK(e.end == 3 + 3 * k + 3);
    CHECK(e.dynamic);
    CHECK(e.priority == 2);
    CHECK(e.slot_align == 128_KiB);
    CHECK(a[3 + 3 * k + 1].name == "regs");
    CHECK(a[3 + 3 * k + 1].parent == 3 + 3 * k);
    CHECK(a[3 + 3 * k + 1].leaf == 1 + 2 * k);  // leaf 0 is "ram"
    CHECK(a[3 + 3 * k + 2].name == "mem");
    CHECK(a[3 + 3 * k + 2].offset == 32_KiB);
    CHECK(a[3 + 3 * k + 2].leaf == 2 + 2 * k);
  }
  CHECK(a[39].name == "extra");
  CHECK(a[39].priority == 0);
  // Element k is slot k, the slot after the array is slot 12.
  STATIC_REQUIRE(address_space<with_array>::slot_of<"pci/bar">(7) == slot_id{7});
  STATIC_REQUIRE(address_space<with_array>::slot_of<"pci/extra">() == slot_id{12});
  // What is computed from the nodes agrees too: the slots' own flat views and windows.
  constexpr auto& ta = slot_tables_v<with_array>;
  constexpr auto& tb = slot_tables_v<by_hand>;
  STATIC_REQUIRE(ta.slots.size() == 13);
  REQUIRE(ta.ranges.size() == tb.ranges.size());
  for (std::size_t i = 0; i < ta.ranges.size(); ++i) CHECK(ta.ranges[i] == tb.ranges[i]);
  for (std::size_t s = 0; s < ta.slots.size(); ++s) {
    CHECK(ta.slots[s].node == tb.slots[s].node);
    CHECK(ta.slots[s].align == tb.slots[s].align);
    CHECK(ta.slots[s].size == tb.slots[s].size);
  }
  // The same layout fingerprint: a snapshot of one restores into the other.
  auto x = std::make_unique<address_space<with_array>>();
  auto y = std::make_unique<address_space<by_hand>>();
  const std::vector<std::byte> blob = x->save();
  CHECK(y->restore(blob) == restore_status::ok);
}

TEST_CASE("element names are the array's name and the index in decimal", "[slot_array]") {
  // Counts on either side of each new digit; every name against std::to_string.
  using names = detail::element_names<fixed_string{"dev"}, 1001>;
  STATIC_REQUIRE(names::chars.size() ==
                 1001 * 5 + 10 * 1 + 90 * 2 + 900 * 3 + 1 * 4);  // "dev[" "]" + digits
  for (std::size_t k = 0; k < 1001; ++k) {
    INFO(k);
    CHECK(names::name(k) == "dev[" + std::to_string(k) + "]");
  }
  CHECK(is_element_name("dev[10]", "dev", 10));
  CHECK_FALSE(is_element_name("dev[10]", "dev", 1));
  CHECK_FALSE(is_element_name("dev[01]", "dev", 1));
  CHECK_FALSE(is_element_name("dev[12]", "dev", 21));
  CHECK_FALSE(is_element_name("dex[1]", "dev", 1));
  CHECK_FALSE(is_element_name("dev[1", "dev", 1));
}

TEST_CASE("one device type serves every element, found by index at run time", "[slot_array]") {
  auto as = std::make_unique<address_space<with_array>>();
  using space = address_space<with_array>;
  const std::size_t n = space::slot_array_size<"pci/bar">();
  std::vector<std::unique_ptr<device>> devices;
  for (std::size_t k = 0; k < n; ++k)
    devices.push_back(std::make_unique<device>(as->slot<dev_bar, "pci/bar">(k), k));
  CHECK_FALSE(as->slot<dev_bar, "pci/bar">(n));  // past the end: an empty handle
  // The guest programs the BARs in reverse order, 128 KiB apart from 3 GiB + 1 MiB.
  auto bar_address = [](std::size_t k) { return 3_GiB + 1_MiB + (11 - k) * 128_KiB; };
  for (std::size_t k = 0; k < n; ++k) REQUIRE(devices[k]->bar_written(bar_address(k)).ok());
  for (std::size_t k = 0; k < n; ++k) {
    INFO(k);
    const read_result r = as->read(bar_address(k) + 0x10, 4);
    CHECK(r.status == access_status::ok);
    CHECK(r.value == (k << 16 | 0x10));
    CHECK(as->placement(space::slot_of<"pci/bar">(k)).base == bar_address(k));
  }
  // A misaligned BAR (the elements' 128 KiB alignment) is refused.
  CHECK(devices[3]->bar_written(3_GiB + 64_KiB).error == commit_error::slot_misaligned);
  // Moving one element moves that device only.
  REQUIRE(devices[10]->bar_written(3_GiB + 4_MiB).ok());
  CHECK(as->read(3_GiB + 4_MiB, 4).value == (std::uint64_t{10} << 16));
  CHECK(as->read(bar_address(10), 4).status == access_status::decode_error);
  CHECK(as->read(bar_address(9), 4).value == (std::uint64_t{9} << 16));
}

TEST_CASE("the printers name the elements", "[slot_array]") {
  auto as = std::make_unique<address_space<with_array>>();
  REQUIRE(as->transaction().place<"pci/bar[10]">(3_GiB + 2_MiB).commit().ok());
  const std::string text = mtree_text(*as);
  CHECK(text.find("00000000c0200000-00000000c020ffff (prio 2, container): bar[10]\n") !=
        std::string::npos);
  CHECK(text.find("(prio 2, container): bar[3] [not placed]\n") != std::string::npos);
}
