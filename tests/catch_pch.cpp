// The one source of mmiotree_catch_pch (tests/CMakeLists.txt): the target exists to build
// Catch2's precompiled header with the tests' flags; this file only has to compile with it.
