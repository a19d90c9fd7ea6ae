# One helper per target kind: library (a layer), test, fuzzer, bench.
# Each applies the same warnings and sanitizers, so no target is configured by hand.
include_guard(GLOBAL)

function(parley_apply_common target)
  target_compile_options(${target} PRIVATE
    -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Wimplicit-fallthrough
    -Wold-style-cast -Wcast-align
    -Wno-missing-field-initializers) # designated initializers omit defaulted fields on purpose
  if(PARLEY_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(PARLEY_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=${PARLEY_SANITIZE} -fno-omit-frame-pointer
                                             -fno-sanitize-recover=all)
    target_link_options(${target} PRIVATE -fsanitize=${PARLEY_SANITIZE})
  endif()
  if(PARLEY_FUZZ)
    target_compile_options(${target} PRIVATE -fsanitize=fuzzer-no-link)
  endif()
endfunction()

# parley_add_library(<layer> SOURCES ...): target parley_<layer>, alias parley::<layer>.
# Links exactly the layers cmake/layers.cmake allows.
function(parley_add_library layer)
  cmake_parse_arguments(arg "" "" "SOURCES;LIBS" ${ARGN})
  if(NOT DEFINED parley_layer_deps_${layer})
    message(FATAL_ERROR "layer '${layer}' is not in cmake/layers.cmake")
  endif()
  add_library(parley_${layer} STATIC ${arg_SOURCES})
  add_library(parley::${layer} ALIAS parley_${layer})
  target_include_directories(parley_${layer}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  foreach(dep IN LISTS parley_layer_deps_${layer})
    target_link_libraries(parley_${layer} PUBLIC parley::${dep})
  endforeach()
  if(arg_LIBS)
    target_link_libraries(parley_${layer} PRIVATE ${arg_LIBS})
  endif()
  parley_apply_common(parley_${layer})
endfunction()

# parley_add_test(<name> SOURCES ... LINK ... [LABELS ...]): a GoogleTest executable whose
# tests are registered one by one with ctest, labelled (default label: unit).
function(parley_add_test name)
  cmake_parse_arguments(arg "" "" "SOURCES;LINK;LABELS;ENV" ${ARGN})
  if(NOT arg_LABELS)
    set(arg_LABELS unit)
  endif()
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LINK} GTest::gtest GTest::gmock GTest::gtest_main)
  parley_apply_common(${name})
  gtest_discover_tests(${name}
    DISCOVERY_MODE PRE_TEST
    PROPERTIES LABELS "${arg_LABELS}" ENVIRONMENT "${arg_ENV}"
    DISCOVERY_TIMEOUT 60)
endfunction()

# parley_add_fuzzer(<name> SOURCES ... LINK ... CORPUS <dir>...): with PARLEY_FUZZ a libFuzzer
# binary; otherwise the same entry point linked to a replay driver, and every corpus file is
# replayed as the ctest test <name>_corpus (label fuzz-corpus).
function(parley_add_fuzzer name)
  cmake_parse_arguments(arg "" "" "SOURCES;LINK;CORPUS" ${ARGN})
  if(PARLEY_FUZZ)
    add_executable(${name} ${arg_SOURCES})
    target_link_options(${name} PRIVATE -fsanitize=fuzzer)
  else()
    add_executable(${name} ${arg_SOURCES} ${PROJECT_SOURCE_DIR}/fuzz/replay_main.cpp)
  endif()
  target_link_libraries(${name} PRIVATE ${arg_LINK})
  parley_apply_common(${name})
  set_property(GLOBAL APPEND PROPERTY PARLEY_FUZZERS "${name}")
  set_property(GLOBAL PROPERTY PARLEY_FUZZ_CORPUS_${name} "${arg_CORPUS}")
  if(PARLEY_BUILD_TESTS AND NOT PARLEY_FUZZ)
    add_test(NAME ${name}_corpus COMMAND ${name} ${arg_CORPUS})
    set_tests_properties(${name}_corpus PROPERTIES LABELS fuzz-corpus)
  endif()
endfunction()

# parley_add_bench(<name> SOURCES ... LINK ...): a Google Benchmark executable (not a test).
function(parley_add_bench name)
  cmake_parse_arguments(arg "" "" "SOURCES;LINK" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LINK} benchmark::benchmark benchmark::benchmark_main)
  parley_apply_common(${name})
endfunction()

# parley_add_executable(<name> SOURCES ... LINK ...): a program (a tool or the server).
function(parley_add_executable name)
  cmake_parse_arguments(arg "" "" "SOURCES;LINK" ${ARGN})
  add_executable(${name} ${arg_SOURCES})
  target_link_libraries(${name} PRIVATE ${arg_LINK})
  parley_apply_common(${name})
endfunction()
