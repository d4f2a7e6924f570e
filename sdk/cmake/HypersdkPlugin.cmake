# hypersdk_add_plugin(<target>
#     SOURCES <file>...
#     [OUTPUT_NAME <name>]        file name without ".so" (default: hypersdk-<target>)
#     [OUTPUT_DIRECTORY <dir>]    where the build puts the .so
#     [INSTALL_DIR <dir>]         default: the SDK's plugin dir relative to the prefix
#     [COMPONENT <component>]     install component (default: plugin-<target>)
#     [NO_INSTALL])
#
# Builds a hypersdk plugin: a MODULE library with C and C++ symbols hidden
# except the entry symbol, linked to hypersdk::sdk, with no "lib" prefix.
# Used both in the hypersdk tree and by third parties through
# find_package(hypersdk).
function(hypersdk_add_plugin target)
  cmake_parse_arguments(PARSE_ARGV 1 ARG "NO_INSTALL" "OUTPUT_NAME;OUTPUT_DIRECTORY;INSTALL_DIR;COMPONENT"
                        "SOURCES")
  if(NOT ARG_SOURCES)
    message(FATAL_ERROR "hypersdk_add_plugin(${target}): SOURCES is required")
  endif()
  if(NOT ARG_OUTPUT_NAME)
    set(ARG_OUTPUT_NAME "hypersdk-${target}")
  endif()
  if(NOT ARG_INSTALL_DIR)
    if(DEFINED HYPERSDK_PLUGIN_INSTALL_DIR)
      set(ARG_INSTALL_DIR "${HYPERSDK_PLUGIN_INSTALL_DIR}")
    else()
      include(GNUInstallDirs)
      set(ARG_INSTALL_DIR "${CMAKE_INSTALL_LIBDIR}/hypersdk/plugins")
    endif()
  endif()
  if(NOT ARG_COMPONENT)
    set(ARG_COMPONENT "plugin-${target}")
  endif()

  add_library(${target} MODULE ${ARG_SOURCES})
  target_link_libraries(${target} PRIVATE hypersdk::sdk)
  set_target_properties(${target} PROPERTIES
    PREFIX ""
    OUTPUT_NAME "${ARG_OUTPUT_NAME}"
    C_VISIBILITY_PRESET hidden
    CXX_VISIBILITY_PRESET hidden
    VISIBILITY_INLINES_HIDDEN ON)
  # Refuse undefined symbols at link time instead of at load time in the host.
  target_link_options(${target} PRIVATE "LINKER:--no-undefined")
  # Export the entry symbol and nothing else. -fvisibility=hidden alone leaves
  # the standard library's template instantiations (weak, default visibility)
  # in the dynamic symbol table, where they could bind across plugins.
  set(_export_map "${CMAKE_BINARY_DIR}/hypersdk-plugin-exports.map")
  if(NOT EXISTS "${_export_map}")
    file(WRITE "${_export_map}" "{\n  global: hypersdk_plugin_entry_v*;\n  local: *;\n};\n")
  endif()
  target_link_options(${target} PRIVATE "LINKER:--version-script=${_export_map}")
  set_property(TARGET ${target} APPEND PROPERTY LINK_DEPENDS "${_export_map}")
  if(ARG_OUTPUT_DIRECTORY)
    set_target_properties(${target} PROPERTIES LIBRARY_OUTPUT_DIRECTORY "${ARG_OUTPUT_DIRECTORY}")
  endif()
  if(NOT ARG_NO_INSTALL)
    install(TARGETS ${target} LIBRARY DESTINATION "${ARG_INSTALL_DIR}" COMPONENT "${ARG_COMPONENT}")
  endif()
endfunction()
