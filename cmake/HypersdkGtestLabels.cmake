# hypersdk_gtest_labels(<target> <label>...)
#
# gtest_discover_tests(... PROPERTIES LABELS "a;b") keeps only "a": CMake 3.25
# flattens the list into property/value pairs. Call gtest_discover_tests with
# TEST_LIST <target>_tests, then this: it gives every discovered test all the
# labels, from an include file ctest reads after the discovered tests.
function(hypersdk_gtest_labels target)
  list(JOIN ARGN ";" _labels)
  set(_file "${CMAKE_CURRENT_BINARY_DIR}/${target}_labels.cmake")
  file(WRITE "${_file}"
       "if(${target}_tests)\n  set_tests_properties(\${${target}_tests} PROPERTIES LABELS \"${_labels}\")\nendif()\n")
  set_property(DIRECTORY APPEND PROPERTY TEST_INCLUDE_FILES "${_file}")
endfunction()
