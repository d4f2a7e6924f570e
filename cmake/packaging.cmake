# Debian packages, one per install component:
#
#   component        package                    contents
#   host             hypersdk-host              bin/hyperexport
#   sdk              hypersdk-sdk               headers, hypersdk-sdk.pc, CMake package
#   plugin-<name>    hypersdk-plugin-<name>     <libdir>/hypersdk/plugins/<plugin>.so
#
# Included last by the top-level CMakeLists.txt, so every install() rule of the
# tree is known here. Build the packages with
#   cmake --build build && (cd build && cpack -G DEB)            # or: cpack -B <out dir>
# Paths inside the packages are the configure-time install paths (the host has
# its plugin directory compiled in), so configure with -DCMAKE_INSTALL_PREFIX=/usr
# for packages meant for a distribution; the default prefix /usr/local gives
# packages that install under /usr/local.

set(CPACK_GENERATOR "DEB")
set(CPACK_PACKAGE_NAME "hypersdk")
set(CPACK_PACKAGE_VENDOR "hypersdk")
set(CPACK_PACKAGE_VERSION "${PROJECT_VERSION}")
# Every package's description comes from its component (first line: summary).
# CPackDeb prepends CPACK_PACKAGE_DESCRIPTION_SUMMARY to each of them unless it
# equals CPack's default text, so it is set to exactly that default here.
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${CMAKE_PROJECT_NAME} built using CMake")
set(CPACK_PACKAGE_CONTACT "hypersdk <dev@hypersdk.invalid>")
set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${CPACK_PACKAGE_CONTACT}")
set(CPACK_DEBIAN_PACKAGE_SECTION "admin")
set(CPACK_DEBIAN_PACKAGE_PRIORITY "optional")
set(CPACK_PACKAGING_INSTALL_PREFIX "${CMAKE_INSTALL_PREFIX}")
set(CPACK_DEB_COMPONENT_INSTALL ON)
set(CPACK_DEBIAN_FILE_NAME "DEB-DEFAULT")
# Debug information stays in the build tree; packages ship stripped binaries
# (strip keeps .dynsym, so a plugin's entry symbol survives).
set(CPACK_STRIP_FILES ON)
set(CPACK_SOURCE_GENERATOR "")

# Library dependencies: computed by dpkg-shlibdeps when it can run here
# (it needs dpkg-dev and file); otherwise the two libraries every binary of
# ours needs at the least. CPack merges them with the Depends set below.
find_program(HYPERSDK_DPKG_SHLIBDEPS dpkg-shlibdeps)
find_program(HYPERSDK_FILE_PROGRAM file)
if(HYPERSDK_DPKG_SHLIBDEPS AND HYPERSDK_FILE_PROGRAM)
  set(_hypersdk_shlibdeps ON)
  set(_hypersdk_binary_depends "")
else()
  set(_hypersdk_shlibdeps OFF)
  set(_hypersdk_binary_depends "libc6, libstdc++6")
  message(STATUS "packaging: dpkg-shlibdeps or file not found; binary packages depend on libc6, libstdc++6 only")
endif()

# Every component the install() rules named, after all of them ran.
get_cmake_property(CPACK_COMPONENTS_ALL COMPONENTS)
list(SORT CPACK_COMPONENTS_ALL)

# Components whose name is taken as is; anything else still gets a package.
set(HYPERSDK_PACKAGED_PLUGINS "")
foreach(_component IN LISTS CPACK_COMPONENTS_ALL)
  string(TOUPPER "${_component}" _c)
  string(TOLOWER "hypersdk-${_component}" _package)
  string(REPLACE "_" "-" _package "${_package}")
  if(NOT DEFINED CPACK_DEBIAN_${_c}_PACKAGE_NAME)
    set(CPACK_DEBIAN_${_c}_PACKAGE_NAME "${_package}")
  endif()

  if(_component STREQUAL "host")
    string(CONCAT CPACK_COMPONENT_${_c}_DESCRIPTION
        "hyperexport: migrate VMs from vSphere, AWS, Azure and GCP to KVM\n"
        "The hyperexport command exports a VM's disks, writes an Artifact\n"
        "Manifest v1.0 with the SHA-256 of every disk, and converts the disks\n"
        "into KVM-ready images. Providers and converters are plugins,\n"
        "packaged separately as hypersdk-plugin-*.")
    set(CPACK_DEBIAN_${_c}_PACKAGE_SHLIBDEPS ${_hypersdk_shlibdeps})
    set(CPACK_DEBIAN_${_c}_PACKAGE_DEPENDS "${_hypersdk_binary_depends}")
    set(CPACK_DEBIAN_${_c}_PACKAGE_RECOMMENDS "hypersdk-plugin-qemu-img")
  elseif(_component STREQUAL "sdk")
    string(CONCAT CPACK_COMPONENT_${_c}_DESCRIPTION
        "hypersdk SDK: headers and build files for hypersdk plugins\n"
        "The C headers of the stable hypersdk plugin ABI, the header-only\n"
        "C++17 wrapper, hypersdk-sdk.pc (with the plugindir variable) and the\n"
        "CMake package: find_package(hypersdk), hypersdk_add_plugin().")
    set(CPACK_DEBIAN_${_c}_PACKAGE_SHLIBDEPS OFF)
    set(CPACK_DEBIAN_${_c}_PACKAGE_SECTION "libdevel")
    set(CPACK_DEBIAN_${_c}_PACKAGE_SUGGESTS "pkg-config, cmake")
    # Header-only, but the .pc file and the CMake package name the plugin
    # directory under ${CMAKE_INSTALL_LIBDIR}. When that is a multiarch
    # directory (lib/x86_64-linux-gnu, the default for prefix /usr) the
    # contents differ per architecture, so the package must not be "all".
    if(CMAKE_LIBRARY_ARCHITECTURE AND CMAKE_INSTALL_LIBDIR MATCHES "/${CMAKE_LIBRARY_ARCHITECTURE}$")
      message(STATUS "packaging: hypersdk-sdk is architecture-specific (libdir ${CMAKE_INSTALL_LIBDIR})")
    else()
      set(CPACK_DEBIAN_${_c}_PACKAGE_ARCHITECTURE "all")
    endif()
  elseif(_component MATCHES "^plugin-(.+)$")
    set(_plugin "${CMAKE_MATCH_1}")
    list(APPEND HYPERSDK_PACKAGED_PLUGINS "${_plugin}")
    if(EXISTS "${PROJECT_SOURCE_DIR}/plugins/providers/${_plugin}")
      set(_kind "provider")
    elseif(EXISTS "${PROJECT_SOURCE_DIR}/plugins/converters/${_plugin}")
      set(_kind "converter")
    else()
      set(_kind "")
    endif()
    if(NOT DEFINED CPACK_COMPONENT_${_c}_DESCRIPTION)
      string(CONCAT CPACK_COMPONENT_${_c}_DESCRIPTION
          "hypersdk ${_kind} plugin: ${_plugin}\n"
          "The ${_plugin} ${_kind} plugin for hyperexport, installed into the\n"
          "hypersdk plugin directory ${CMAKE_INSTALL_FULL_LIBDIR}/hypersdk/plugins.")
    endif()
    set(CPACK_DEBIAN_${_c}_PACKAGE_SHLIBDEPS ${_hypersdk_shlibdeps})
    # The plugin ABI is stable within a major, so any host of this major
    # loads it; hosts of this source tree start at this version.
    set(_depends "hypersdk-host (>= ${PROJECT_VERSION})")
    if(_hypersdk_binary_depends)
      string(APPEND _depends ", ${_hypersdk_binary_depends}")
    endif()
    set(CPACK_DEBIAN_${_c}_PACKAGE_DEPENDS "${_depends}")
  else()
    if(_component STREQUAL "Unspecified")
      message(WARNING "packaging: some install() rule names no COMPONENT; its files go to the "
                      "package ${_package}")
    endif()
    if(NOT DEFINED CPACK_COMPONENT_${_c}_DESCRIPTION)
      set(CPACK_COMPONENT_${_c}_DESCRIPTION "hypersdk: ${_component}")
    endif()
    set(CPACK_DEBIAN_${_c}_PACKAGE_SHLIBDEPS ${_hypersdk_shlibdeps})
  endif()
endforeach()
message(STATUS "packaging: components ${CPACK_COMPONENTS_ALL}")

include(CPack)

# The test: build every package with cpack into a scratch directory and look
# inside each with dpkg-deb. Plugin components present now are checked too.
if(HYPERSDK_BUILD_TESTS AND EXISTS "${PROJECT_SOURCE_DIR}/tests/sdk/check_debs.sh")
  find_program(HYPERSDK_DPKG_DEB dpkg-deb)
  if(HYPERSDK_DPKG_DEB)
    string(REPLACE ";" "," _plugins_csv "${HYPERSDK_PACKAGED_PLUGINS}")
    add_test(NAME packaging.deb
             COMMAND "${PROJECT_SOURCE_DIR}/tests/sdk/check_debs.sh"
                     --build-dir "${CMAKE_BINARY_DIR}"
                     --cpack "${CMAKE_CPACK_COMMAND}"
                     --version "${PROJECT_VERSION}"
                     --prefix "${CMAKE_INSTALL_PREFIX}"
                     --includedir "${CMAKE_INSTALL_INCLUDEDIR}"
                     --libdir "${CMAKE_INSTALL_LIBDIR}"
                     --bindir "${CMAKE_INSTALL_BINDIR}"
                     --plugins "${_plugins_csv}")
    set_tests_properties(packaging.deb PROPERTIES LABELS packaging TIMEOUT 600)
  else()
    message(STATUS "packaging: dpkg-deb not found; test packaging.deb not added")
  endif()
endif()
