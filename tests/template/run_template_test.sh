#!/usr/bin/env bash
# template.plugins: what a third party does with plugin-template/, end to end.
#   1. install the SDK component of this build into a scratch prefix, then
#      move that prefix elsewhere (both the .pc and the CMake package must
#      follow: they are relocatable);
#   2. pkg-config (PKG_CONFIG_PATH) finds hypersdk-sdk and reports cflags and
#      plugindir under the moved prefix; the pkg-config recipe of
#      plugin-template/README.md, run as written, builds the C converter, and
#      hyperexport loads it;
#   3. configure + build plugin-template out of tree, finding the SDK only
#      through -DCMAKE_PREFIX_PATH=<scratch prefix>;
#   4. each plugin exports only the entry symbol;
#   5. this build's hyperexport loads them from --plugin-dir and
#      `plugins info <id>` (text and --json) names each one and its
#      capabilities; `plugins list` refuses none of them;
#   6. `cmake --install` puts them in <prefix>/<HYPERSDK_PLUGIN_INSTALL_DIR>
#      with mode 0644 (what docs/plugin-guide.md and the .pc say), where
#      HYPERSDK_PLUGIN_PATH finds them;
#   7. cpack makes one hypersdk-plugin-<name> .deb per plugin (if dpkg-deb),
#      its .so 0644 too.
# Every command runs under `timeout`; the scratch directory is removed on exit.
set -euo pipefail

args=(build_dir source_dir hyperexport cmake cpack c_compiler cxx_compiler version libdir)
for a in "${args[@]}"; do declare "$a="; done
while [[ $# -gt 0 ]]; do
    key=${1#--}
    key=${key//-/_}
    [[ " ${args[*]} " == *" $key "* && $# -ge 2 ]] || { echo "run_template_test.sh: bad argument $1" >&2; exit 2; }
    declare "$key=$2"
    shift 2
done
for a in "${args[@]}"; do
    [[ -n ${!a} ]] || { echo "run_template_test.sh: --${a//_/-} is required" >&2; exit 2; }
done

scratch=$(mktemp -d "${TMPDIR:-/tmp}/hypersdk-template.XXXXXX")
trap 'rm -rf "$scratch"' EXIT
prefix=$scratch/prefix
tbuild=$scratch/template-build

failures=0
fail() { echo "FAIL: $*" >&2; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }
step() { echo; echo "== $*"; }

ids=(com.example.converter.diskfrob com.example.provider.acme com.example.converter.guestfix)
kinds=(converter provider converter)
files=(hypersdk-example-diskfrob.so hypersdk-example-acme.so hypersdk-example-guestfix.so)

step "1. cmake --install $build_dir --component sdk --prefix $scratch/first-prefix; mv it to $prefix"
timeout 120 "$cmake" --install "$build_dir" --component sdk --prefix "$scratch/first-prefix"
mv "$scratch/first-prefix" "$prefix"

step "2. pkg-config, and the README's pkg-config recipe"
export PKG_CONFIG_PATH=$prefix/$libdir/pkgconfig
if timeout 30 pkg-config --exists hypersdk-sdk; then
    ok "pkg-config finds hypersdk-sdk in $PKG_CONFIG_PATH"
    got=$(pkg-config --variable=plugindir hypersdk-sdk)
    [[ $(realpath -m "$got") == "$prefix/$libdir/hypersdk/plugins" ]] && ok "plugindir=$got" \
        || fail "plugindir is '$got', expected $prefix/$libdir/hypersdk/plugins"
    got=$(pkg-config --modversion hypersdk-sdk)
    [[ $got == "$version" ]] && ok "version $got" || fail "pkg-config version '$got', expected $version"
    got=$(pkg-config --cflags hypersdk-sdk)
    got=${got% }
    [[ $got == -I* && $(realpath -m "${got#-I}") == "$prefix/include" ]] \
        && ok "cflags $got name the moved prefix" || fail "pkg-config --cflags gives '$got', not -I$prefix/include"
else
    fail "pkg-config does not find hypersdk-sdk with PKG_CONFIG_PATH=$PKG_CONFIG_PATH"
fi
# The recipe exactly as plugin-template/README.md gives it, run in a copy of
# the template (it writes its output beside the sources).
recipe=$(sed -n '/^Without CMake, pkg-config gives the flags:/,/^```$/p' "$source_dir/plugin-template/README.md" \
    | sed -n '/^```sh$/,/^```$/{/^```/d;p}')
pcbuild=$scratch/pc-recipe
cp -r "$source_dir/plugin-template" "$pcbuild"
if [[ -z $recipe ]]; then
    fail "no pkg-config recipe found in plugin-template/README.md"
elif (cd "$pcbuild" && cc() { timeout 120 "$c_compiler" "$@"; } && echo "+ $recipe" && eval "$recipe"); then
    nm -D --defined-only "$pcbuild/hypersdk-example-diskfrob.so" | grep -qw hypersdk_plugin_entry_v1 \
        && ok "the README's pkg-config recipe built hypersdk-example-diskfrob.so" \
        || fail "the recipe's plugin exports no hypersdk_plugin_entry_v1"
    out=$(timeout 60 "$hyperexport" --no-default-plugin-dirs --plugin-dir "$pcbuild" plugins info \
        com.example.converter.diskfrob 2>&1) && ok "hyperexport loads the recipe's plugin" \
        || fail "hyperexport does not load the recipe's plugin: $out"
else
    fail "the pkg-config recipe of plugin-template/README.md failed with PKG_CONFIG_PATH=$PKG_CONFIG_PATH"
fi

step "3. configure and build plugin-template against $prefix"
timeout 300 "$cmake" -S "$source_dir/plugin-template" -B "$tbuild" \
    -DCMAKE_PREFIX_PATH="$prefix" -DCMAKE_C_COMPILER="$c_compiler" -DCMAKE_CXX_COMPILER="$cxx_compiler"
found_dir=$(sed -n 's/^hypersdk_DIR:PATH=//p' "$tbuild/CMakeCache.txt")
[[ $found_dir == "$prefix/"* ]] && ok "find_package(hypersdk) used $found_dir" \
    || fail "find_package(hypersdk) used '$found_dir', not the scratch prefix"
timeout 600 "$cmake" --build "$tbuild" -j2

step "4. exported symbols"
for f in "${files[@]}"; do
    if [[ ! -f $tbuild/$f ]]; then fail "$f was not built"; continue; fi
    symbols=$(nm -D --defined-only "$tbuild/$f" | awk '{print $3}')
    [[ $symbols == hypersdk_plugin_entry_v1 ]] && ok "$f exports only hypersdk_plugin_entry_v1" \
        || fail "$f exports: $(echo $symbols)"
done

unset HYPERSDK_PLUGIN_PATH
hx() { timeout 60 "$hyperexport" --no-default-plugin-dirs "$@"; }

step "5. hyperexport --plugin-dir $tbuild plugins ..."
for i in "${!ids[@]}"; do
    id=${ids[$i]}
    kind=${kinds[$i]}
    if ! out=$(hx --plugin-dir "$tbuild" plugins info "$id" 2>&1); then
        fail "plugins info $id failed:"; echo "$out" >&2; continue
    fi
    echo "$out"
    grep -qE "^ID: +$id\$" <<<"$out" || fail "plugins info $id does not name it"
    grep -qE "^Description: +Template skeleton: " <<<"$out" || fail "plugins info $id: no 'Template skeleton:' description"
    grep -qE "^Kinds: +$kind\$" <<<"$out" || fail "plugins info $id: kind is not $kind"
    grep -qF "$tbuild/" <<<"$out" || fail "plugins info $id: path is not in the template build"
    grep -qiE "^$kind capabilities:" <<<"$out" || fail "plugins info $id: no $kind capabilities"
    if ! json=$(hx --plugin-dir "$tbuild" plugins info "$id" --json 2>&1); then
        fail "plugins info $id --json failed:"; echo "$json" >&2; continue
    fi
    grep -qE "\"id\": *\"$id\"" <<<"$json" || fail "plugins info $id --json has no \"id\": \"$id\""
    grep -qE "\"$kind\": *\\{" <<<"$json" || fail "plugins info $id --json has no \"$kind\" object"
    grep -qE '"description": *"Template skeleton: ' <<<"$json" || fail "plugins info $id --json: description"
    ok "plugins info $id (text and --json)"
done
list=$(hx --plugin-dir "$tbuild" plugins list 2>&1) || fail "plugins list failed"
echo "$list"
for f in "${files[@]}"; do
    if sed -n '/^Not loaded:/,$p' <<<"$list" | grep -qF "$f"; then fail "plugins list refused $f"; fi
done
for id in "${ids[@]}"; do grep -qF "$id" <<<"$list" || fail "plugins list lacks $id"; done

step "5b. the skeletons' declared options reach them (flags, environment, profile)"
token=$scratch/token
printf 'tok3n-secret\n' > "$token"
help=$(hx --plugin-dir "$tbuild" vms --provider acme --help 2>&1) || fail "vms --provider acme --help failed"
for text in "--endpoint URL" "ACME_ENDPOINT]" "--api-token-file FILE" "--api-token-env VAR"; do
    grep -qF -- "$text" <<<"$help" || fail "acme help lacks '$text'"
done
out=$(hx --plugin-dir "$tbuild" vms --provider acme 2>&1) && fail "vms without an endpoint succeeded"
grep -qF "the acme provider needs --endpoint (or ACME_ENDPOINT)" <<<"$out" || fail "missing endpoint: $out"
out=$(hx --plugin-dir "$tbuild" vms --provider acme --endpoint https://flag.acme.example --api-token-file "$token" 2>&1) \
    && fail "the skeleton's list_vms succeeded"
grep -qF "it would list the VMs at https://flag.acme.example, with an API token" <<<"$out" \
    && ok "flag and secret file reach open()" || fail "flag: $out"
grep -qF "tok3n-secret" <<<"$out" && fail "the API token was printed"
out=$(ACME_ENDPOINT=https://env.acme.example ACME_API_TOKEN=x hx --plugin-dir "$tbuild" vms --provider acme 2>&1) || true
grep -qF "at https://env.acme.example, with an API token" <<<"$out" && ok "environment reaches open()" \
    || fail "environment: $out"
mkdir -p "$scratch/profiles"
printf '{"provider": "acme", "plugin_options": {"acme": {"endpoint": "https://profile.acme.example"}}}\n' \
    > "$scratch/profiles/acme.json"
out=$(HYPEREXPORT_PROFILE_DIR=$scratch/profiles hx --plugin-dir "$tbuild" export --profile acme --vm x --dry-run 2>&1) || true
grep -qF "it would describe x at https://profile.acme.example" <<<"$out" \
    && ok "profile reaches open()" || fail "profile: $out"
info=$(hx --plugin-dir "$tbuild" plugins info com.example.converter.diskfrob 2>&1)
grep -qF -- "--diskfrob-binary PATH" <<<"$info" && ok "diskfrob declares --diskfrob-binary" || fail "diskfrob info: $info"

step "6. cmake --install the template; HYPERSDK_PLUGIN_PATH"
inst=$scratch/inst
timeout 120 "$cmake" --install "$tbuild" --prefix "$inst"
plugin_install_dir=$(sed -n 's/^ *set(HYPERSDK_PLUGIN_INSTALL_DIR "\(.*\)")$/\1/p' \
    "$prefix/$libdir/cmake/hypersdk/hypersdkConfig.cmake")
[[ -n $plugin_install_dir ]] || fail "hypersdkConfig.cmake sets no HYPERSDK_PLUGIN_INSTALL_DIR"
for f in "${files[@]}"; do
    [[ -f $inst/$plugin_install_dir/$f ]] && ok "installed $inst/$plugin_install_dir/$f" \
        || fail "$f is not in $inst/$plugin_install_dir"
    mode=$(stat -c %a "$inst/$plugin_install_dir/$f" 2>/dev/null || true)
    [[ $mode == 644 ]] && ok "$f installed with mode 0644" || fail "$f installed with mode '$mode', not 0644"
done
list=$(HYPERSDK_PLUGIN_PATH="$scratch/nonexistent:$inst/$plugin_install_dir" hx plugins list 2>&1) \
    || fail "plugins list with HYPERSDK_PLUGIN_PATH failed"
for id in "${ids[@]}"; do
    grep -qF "$id" <<<"$list" && ok "HYPERSDK_PLUGIN_PATH finds $id" || fail "HYPERSDK_PLUGIN_PATH: $id not listed"
done

step "7. cpack -G DEB in the template build"
if command -v dpkg-deb >/dev/null; then
    debs=$scratch/debs
    (cd "$tbuild" && timeout 300 "$cpack" -G DEB -B "$debs" --config CPackConfig.cmake) || fail "cpack failed"
    for f in "${files[@]}"; do
        name=${f%.so}
        name=hypersdk-plugin-${name#hypersdk-}
        deb=$(ls "$debs/${name}_"*.deb 2>/dev/null | head -n 1)
        if [[ -z $deb ]]; then fail "no $name .deb"; continue; fi
        # The template installs under the SDK's prefix unless told otherwise.
        want=".$prefix/$plugin_install_dir/$f"
        dpkg-deb -c "$deb" | awk '{print $NF}' | grep -qxF "$want" \
            && ok "$(basename "$deb") holds ${want#.}" || fail "$(basename "$deb") lacks ${want#.}"
        mode=$(dpkg-deb -c "$deb" | awk -v f="$want" '$NF == f {print $1}')
        [[ $mode == -rw-r--r-- ]] && ok "$(basename "$deb"): ${want#.} is 0644" \
            || fail "$(basename "$deb"): ${want#.} has mode '$mode', not -rw-r--r--"
        [[ $(dpkg-deb -f "$deb" Depends) == *hypersdk-host* ]] || fail "$name does not depend on hypersdk-host"
    done
else
    echo "dpkg-deb not installed: step 7 skipped"
fi

echo
if [[ $failures -ne 0 ]]; then
    echo "$failures check(s) failed" >&2
    exit 1
fi
echo "template test passed"
