# run_consumer.cmake: builds and runs a user's project that consumes mmiotree, from scratch.
#
#   cmake -DMODE=find_package|add_subdirectory|readme -DMMIOTREE_SOURCE_DIR=<mmiotree checkout>
#         -DCONSUMER_DIR=<tests/package> -DWORK_DIR=<scratch dir, wiped first>
#         [-DGENERATOR=<g>] [-DMAKE_PROGRAM=<p>] [-DCXX_COMPILER=<c++>] [-DBUILD_TYPE=<t>]
#         -P run_consumer.cmake
#
# find_package:     configure mmiotree alone (tests, examples off), `cmake --install` it into
#                   WORK_DIR/prefix, check the installed tree, then build consumer/ against it
#                   with CMAKE_PREFIX_PATH=WORK_DIR/prefix.
# add_subdirectory: build consumer_subdir/, which add_subdirectory()s MMIOTREE_SOURCE_DIR.
# readme:           the same, with the first ```cpp block of README.md as its program, so the
#                   README's taste of the DSL cannot rot.
# Either way the consumer's executable is run and must exit 0.
cmake_minimum_required(VERSION 3.25)

foreach(var IN ITEMS MODE MMIOTREE_SOURCE_DIR CONSUMER_DIR WORK_DIR)
  if(NOT DEFINED ${var} OR "${${var}}" STREQUAL "")
    message(FATAL_ERROR "run_consumer.cmake: -D${var}=... is required")
  endif()
endforeach()

# What every nested configure gets: the compiler, generator and build type of the outer build.
set(common_args)
if(GENERATOR)
  list(APPEND common_args -G "${GENERATOR}")
endif()
if(MAKE_PROGRAM)
  list(APPEND common_args "-DCMAKE_MAKE_PROGRAM=${MAKE_PROGRAM}")
endif()
if(CXX_COMPILER)
  list(APPEND common_args "-DCMAKE_CXX_COMPILER=${CXX_COMPILER}")
endif()
if(NOT BUILD_TYPE)
  set(BUILD_TYPE Debug)
endif()
list(APPEND common_args "-DCMAKE_BUILD_TYPE=${BUILD_TYPE}")

# step(<what> <command>...): runs a command, echoing it; stops the test if it fails.
function(step what)
  list(JOIN ARGN " " shown)
  message(STATUS "package test: ${what}: ${shown}")
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "package test (${MODE}): ${what} failed (${rc})")
  endif()
endfunction()

# A fresh start every run: nothing cached from an earlier run (or an earlier mmiotree) counts.
file(REMOVE_RECURSE "${WORK_DIR}")
file(MAKE_DIRECTORY "${WORK_DIR}")

if(MODE STREQUAL "find_package")
  set(prefix "${WORK_DIR}/prefix")
  step("configure mmiotree" ${CMAKE_COMMAND} -S "${MMIOTREE_SOURCE_DIR}" -B "${WORK_DIR}/mmiotree"
       ${common_args} -DMMIOTREE_BUILD_TESTS=OFF -DMMIOTREE_BUILD_EXAMPLES=OFF
       -DMMIOTREE_INSTALL=ON "-DCMAKE_INSTALL_PREFIX=${prefix}")
  step("build mmiotree" ${CMAKE_COMMAND} --build "${WORK_DIR}/mmiotree")
  step("install mmiotree" ${CMAKE_COMMAND} --install "${WORK_DIR}/mmiotree")

  # The installed tree holds every public header and the package files where STYLE says.
  file(GLOB_RECURSE source_headers RELATIVE "${MMIOTREE_SOURCE_DIR}/include"
       "${MMIOTREE_SOURCE_DIR}/include/*.hpp")
  file(GLOB_RECURSE installed_headers RELATIVE "${prefix}/include" "${prefix}/include/*.hpp")
  list(SORT source_headers)
  list(SORT installed_headers)
  if(NOT source_headers STREQUAL installed_headers)
    message(FATAL_ERROR "package test: installed headers differ from include/:\n"
                        "  source:    ${source_headers}\n  installed: ${installed_headers}")
  endif()
  foreach(f IN ITEMS mmiotree-config.cmake mmiotree-config-version.cmake mmiotree-targets.cmake)
    if(NOT EXISTS "${prefix}/share/cmake/mmiotree/${f}")
      message(FATAL_ERROR "package test: ${prefix}/share/cmake/mmiotree/${f} was not installed")
    endif()
  endforeach()

  step("configure consumer" ${CMAKE_COMMAND} -S "${CONSUMER_DIR}/consumer" -B "${WORK_DIR}/consumer"
       ${common_args} "-DCMAKE_PREFIX_PATH=${prefix}"
       "-DEXPECTED_MMIOTREE_DIR=${prefix}/share/cmake/mmiotree")
elseif(MODE STREQUAL "add_subdirectory")
  step("configure consumer" ${CMAKE_COMMAND} -S "${CONSUMER_DIR}/consumer_subdir"
       -B "${WORK_DIR}/consumer" ${common_args} "-DMMIOTREE_SOURCE_DIR=${MMIOTREE_SOURCE_DIR}")
elseif(MODE STREQUAL "readme")
  file(READ "${MMIOTREE_SOURCE_DIR}/README.md" readme)
  string(FIND "${readme}" "```cpp\n" begin)
  if(begin EQUAL -1)
    message(FATAL_ERROR "package test: README.md has no ```cpp block")
  endif()
  math(EXPR begin "${begin} + 7")
  string(SUBSTRING "${readme}" ${begin} -1 rest)
  string(FIND "${rest}" "```" end)
  string(SUBSTRING "${rest}" 0 ${end} snippet)
  if(NOT snippet MATCHES "int main\\(")
    string(APPEND snippet "\nint main() {}\n")
  endif()
  file(WRITE "${WORK_DIR}/readme.cpp" "${snippet}")
  step("configure consumer" ${CMAKE_COMMAND} -S "${CONSUMER_DIR}/consumer_subdir"
       -B "${WORK_DIR}/consumer" ${common_args} "-DMMIOTREE_SOURCE_DIR=${MMIOTREE_SOURCE_DIR}"
       "-DCONSUMER_SOURCE=${WORK_DIR}/readme.cpp")
else()
  message(FATAL_ERROR "run_consumer.cmake: MODE must be find_package, add_subdirectory or "
                      "readme, not '${MODE}'")
endif()

step("build consumer" ${CMAKE_COMMAND} --build "${WORK_DIR}/consumer")
step("run consumer" "${WORK_DIR}/consumer/mmiotree_consumer")
