#!/usr/bin/env bash
# compile_time.sh N [--keep]: the compile-time budget of DESIGN §5.
#
# Generates a translation unit holding a typed tree of N io leaves — written out literally, as a
# user would, one `at<offset, io<"rK", size>>` per leaf, in containers of 16 leaves each (a
# device's register windows) under one root — and compiles, with `g++ -std=c++20 -O2 -c`, the
# work the library does for it at compile time: the descriptor array, `check_layout` (through
# `verify`), the flat view (`flat_view_v`) and the dispatcher's lookup table (`lookup_v`).
# Prints exactly one line:
#   compile_time leaves=N seconds=S peak_rss_mb=M
# S is the wall time of the compiler driver and M the peak resident set of its largest child
# (cc1plus), as GNU time (Debian package `time`, /usr/bin/time) reports them.
#
# Environment: CXX (default g++), MMIOTREE_INCLUDE (default: this repository's include/),
# MMIOTREE_CT_SHAPE=flat puts all N leaves directly under the root instead, and
# MMIOTREE_CT_ROOT=struct declares the root as `struct tree : container<...> {};` rather than
# `using tree = container<...>;` (g++ then mangles the short name `tree` into every per-tree
# symbol instead of the whole tree: docs/benchmarks.md, "Compile time").
set -euo pipefail

n=${1:?usage: compile_time.sh N [--keep]}
keep=${2:-}
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
inc=${MMIOTREE_INCLUDE:-$here/../include}
cxx=${CXX:-g++}
shape=${MMIOTREE_CT_SHAPE:-grouped}
root=${MMIOTREE_CT_ROOT:-alias}
[[ $n =~ ^[1-9][0-9]*$ ]] || { echo "compile_time.sh: N must be a positive integer" >&2; exit 2; }
[[ -x /usr/bin/time ]] || { echo "compile_time.sh: needs GNU time (apt-get install time)" >&2; exit 2; }

dir=$(mktemp -d "${TMPDIR:-/tmp}/mmiotree-ct.XXXXXX")
[[ $keep == --keep ]] && echo "compile_time.sh: sources kept in $dir" >&2 || trap 'rm -rf "$dir"' EXIT
src=$dir/tree_$n.cpp

# Leaves are 4 KiB; every fourth one is 16 KiB and every seventh 1 KiB (mixed sizes, so the
# lookup table is not the trivially exact one-bucket-per-leaf case).
leaf_size() { local k=$1; if ((k % 7 == 3)); then echo 1024; elif ((k % 4 == 1)); then echo 16384; else echo 4096; fi; }

# The root spans the leaves, rounded up to a power of two: 16 KiB per leaf slot.
root_size=16384
while ((root_size < n * 16384)); do root_size=$((root_size * 2)); done
if [[ $root == struct ]]; then
  open_root="struct tree : container<\"root\", $root_size,"
  close_root='> {};'
else
  open_root="using tree = container<\"root\", $root_size,"
  close_root='>;'
fi

{
  echo '#include <mmiotree/layout/flat_view.hpp>'
  echo '#include <mmiotree/layout/lookup.hpp>'
  echo '#include <mmiotree/tree/region.hpp>'
  echo 'using namespace mmiotree;'
  if [[ $shape == flat ]]; then
    echo "$open_root"
    off=0
    for ((k = 0; k < n; k++)); do
      sz=$(leaf_size "$k")
      sep=$([[ $k -lt $((n - 1)) ]] && echo , || echo "$close_root")
      echo "  at<$off, io<\"r$k\", $sz>>$sep"
      off=$((off + 16384))
    done
  else
    groups=$(((n + 15) / 16))
    for ((g = 0; g < groups; g++)); do
      echo "using dev$g = container<\"dev$g\", 0x40000,"
      lo=$((g * 16)); hi=$((lo + 16 < n ? lo + 16 : n))
      for ((k = lo; k < hi; k++)); do
        sz=$(leaf_size "$k")
        sep=$([[ $k -lt $((hi - 1)) ]] && echo , || echo '>;')
        echo "  at<$(((k - lo) * 16384)), io<\"r$k\", $sz>>$sep"
      done
    done
    echo "$open_root"
    for ((g = 0; g < groups; g++)); do
      sep=$([[ $g -lt $((groups - 1)) ]] && echo , || echo "$close_root")
      echo "  at<$((g * 0x40000)), dev$g>$sep"
    done
  fi
  echo 'static_assert(verify<tree>);'
  echo "static_assert(leaf_count_v<tree> == $n);"
  echo 'static_assert(flat_view_v<tree>.size() > 0);'
  echo 'static_assert(lookup_v<tree>.tiles.size() > 0);'
  echo '// Keep the tables in the object, as a dispatcher does.'
  echo 'const void* tables[] = {&flat_view_v<tree>, &lookup_v<tree>};'
} >"$src"

# GNU time's %M is the peak RSS in KiB of the largest process waited for (cc1plus).
out=$(/usr/bin/time -f 'TIME %e %M' "$cxx" -std=c++20 -O2 -I"$inc" -c "$src" -o "$dir/tree.o" 2>&1) || {
  echo "$out" | head -40 >&2
  echo "compile_time.sh: compilation failed" >&2
  exit 1
}
read -r secs kib < <(echo "$out" | awk '/^TIME /{print $2, $3}' | tail -1)
echo "compile_time leaves=$n seconds=$secs peak_rss_mb=$((kib / 1024))"
