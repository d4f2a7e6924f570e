#!/usr/bin/env bash
# packaging.deb: build the Debian packages of a configured and built tree with
# cpack into a scratch directory and look inside each one with dpkg-deb.
#
#   check_debs.sh --build-dir B --cpack CPACK --version V --prefix P
#                 --includedir I --libdir L --bindir D --plugins a,b,...
#
# Checks: hypersdk-host holds hyperexport; hypersdk-sdk holds every SDK header,
# hypersdk-sdk.pc (with the right plugindir, relative to where it is) and the CMake package; one
# hypersdk-plugin-<name> per plugin component holding a .so in the plugin dir.
set -euo pipefail

build_dir= cpack= version= prefix= includedir= libdir= bindir= plugins=
while [[ $# -gt 0 ]]; do
    case "$1" in
        --build-dir) build_dir=$2 ;;
        --cpack) cpack=$2 ;;
        --version) version=$2 ;;
        --prefix) prefix=$2 ;;
        --includedir) includedir=$2 ;;
        --libdir) libdir=$2 ;;
        --bindir) bindir=$2 ;;
        --plugins) plugins=$2 ;;
        *) echo "check_debs.sh: unknown argument $1" >&2; exit 2 ;;
    esac
    shift 2
done
for v in build_dir cpack version prefix includedir libdir bindir; do
    [[ -n ${!v} ]] || { echo "check_debs.sh: --${v//_/-} is required" >&2; exit 2; }
done

source_dir=$(cd "$(dirname "$0")/../.." && pwd)
out=$(mktemp -d "${TMPDIR:-/tmp}/hypersdk-debs.XXXXXX")
trap 'rm -rf "$out"' EXIT

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

echo "== cpack -G DEB -B $out"
if ! (cd "$build_dir" && timeout 540 "$cpack" -G DEB -B "$out" --config CPackConfig.cmake); then
    echo "FAIL: cpack failed" >&2
    exit 1
fi
echo "== packages built:"
ls -1 "$out"/*.deb

# deb_of <package>: the one .deb file of that package name.
deb_of() {
    local matches=("$out/$1_${version}_"*.deb)
    if [[ ${#matches[@]} -ne 1 || ! -f ${matches[0]} ]]; then
        return 1
    fi
    echo "${matches[0]}"
}
field() { dpkg-deb -f "$1" "$2"; }
has_file() {  # has_file <deb> <absolute path>
    dpkg-deb -c "$1" | awk '{print $NF}' | grep -qxF ".$2"
}

p=${prefix%/}

# ---- hypersdk-host ----------------------------------------------------------
if host_deb=$(deb_of hypersdk-host); then
    dpkg-deb -I "$host_deb"
    [[ $(field "$host_deb" Package) == hypersdk-host ]] || fail "hypersdk-host: wrong Package field"
    [[ $(field "$host_deb" Version) == "$version" ]] || fail "hypersdk-host: Version is not $version"
    [[ -n $(field "$host_deb" Maintainer) ]] || fail "hypersdk-host: no Maintainer"
    [[ $(field "$host_deb" Depends) == *libc6* ]] || fail "hypersdk-host: Depends lacks libc6"
    if has_file "$host_deb" "$p/$bindir/hyperexport"; then
        ok "hypersdk-host holds $p/$bindir/hyperexport"
    else
        fail "hypersdk-host lacks $p/$bindir/hyperexport"
        dpkg-deb -c "$host_deb" >&2
    fi
else
    fail "no hypersdk-host_${version}_*.deb built"
fi

# ---- hypersdk-sdk -----------------------------------------------------------
if sdk_deb=$(deb_of hypersdk-sdk); then
    dpkg-deb -I "$sdk_deb"
    dpkg-deb -c "$sdk_deb"
    [[ $(field "$sdk_deb" Package) == hypersdk-sdk ]] || fail "hypersdk-sdk: wrong Package field"
    [[ $(field "$sdk_deb" Version) == "$version" ]] || fail "hypersdk-sdk: Version is not $version"
    arch=$(field "$sdk_deb" Architecture)
    if [[ $arch == all ]]; then
        # "all" is only true when no path in it is architecture-specific.
        if dpkg-deb -c "$sdk_deb" | grep -qE -- '-linux-gnu[a-z0-9_]*/'; then
            fail "hypersdk-sdk is Architecture: all but holds multiarch paths"
        else
            ok "hypersdk-sdk is Architecture: all"
        fi
    elif [[ $arch == "$(dpkg --print-architecture)" ]]; then
        ok "hypersdk-sdk is Architecture: $arch (libdir $libdir is architecture-specific)"
    else
        fail "hypersdk-sdk has Architecture: $arch"
    fi
    headers=()
    while IFS= read -r h; do headers+=("${h#"$source_dir/sdk/include/"}"); done \
        < <(find "$source_dir/sdk/include/hypersdk" -type f \( -name '*.h' -o -name '*.hpp' \) | sort)
    [[ ${#headers[@]} -gt 0 ]] || fail "no SDK headers found in $source_dir/sdk/include"
    for h in "${headers[@]}"; do
        has_file "$sdk_deb" "$p/$includedir/$h" || fail "hypersdk-sdk lacks $p/$includedir/$h"
    done
    ok "hypersdk-sdk checked for ${#headers[@]} headers"
    for f in pkgconfig/hypersdk-sdk.pc cmake/hypersdk/hypersdkConfig.cmake \
             cmake/hypersdk/hypersdkConfigVersion.cmake cmake/hypersdk/hypersdkTargets.cmake \
             cmake/hypersdk/HypersdkPlugin.cmake; do
        if has_file "$sdk_deb" "$p/$libdir/$f"; then ok "hypersdk-sdk holds $p/$libdir/$f"
        else fail "hypersdk-sdk lacks $p/$libdir/$f"; fi
    done
    if dpkg-deb -c "$sdk_deb" | awk '{print $NF}' | grep -qE '\.(so|a)(\.|$)'; then
        fail "hypersdk-sdk holds a binary library"
    fi
    mkdir -p "$out/sdk-root"
    dpkg-deb -x "$sdk_deb" "$out/sdk-root"
    pc="$out/sdk-root$p/$libdir/pkgconfig/hypersdk-sdk.pc"
    if [[ -f $pc ]]; then
        # The .pc is relocatable (${pcfiledir}): unpacked under sdk-root, its
        # plugindir is the packaged plugin directory under sdk-root too.
        got=$(PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$(dirname "$pc")" pkg-config --variable=plugindir hypersdk-sdk)
        if [[ $(realpath -m "$got") == "$out/sdk-root$p/$libdir/hypersdk/plugins" ]]; then
            ok "hypersdk-sdk.pc plugindir=$got"
        else
            fail "hypersdk-sdk.pc plugindir is '$got', expected $out/sdk-root$p/$libdir/hypersdk/plugins"
        fi
        got=$(PKG_CONFIG_PATH= PKG_CONFIG_LIBDIR="$(dirname "$pc")" pkg-config --modversion hypersdk-sdk)
        [[ $got == "$version" ]] || fail "hypersdk-sdk.pc Version is '$got', expected $version"
    fi
else
    fail "no hypersdk-sdk_${version}_*.deb built"
fi

# ---- hypersdk-plugin-<name> -------------------------------------------------
IFS=, read -r -a plugin_list <<<"$plugins"
for name in "${plugin_list[@]}"; do
    [[ -n $name ]] || continue
    pkg="hypersdk-plugin-${name//_/-}"
    if deb=$(deb_of "$pkg"); then
        [[ $(field "$deb" Depends) == *hypersdk-host* ]] || fail "$pkg: Depends lacks hypersdk-host"
        if dpkg-deb -c "$deb" | awk '{print $NF}' | grep -qE "^\.$p/$libdir/hypersdk/plugins/[^/]+\.so$"; then
            ok "$pkg holds a plugin in $p/$libdir/hypersdk/plugins"
        else
            fail "$pkg has no .so in $p/$libdir/hypersdk/plugins"
            dpkg-deb -c "$deb" >&2
        fi
    else
        fail "no ${pkg}_${version}_*.deb built"
    fi
done
echo "== plugin packages checked: ${#plugin_list[@]} (${plugins:-none})"

if [[ $failures -ne 0 ]]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "all package checks passed"
