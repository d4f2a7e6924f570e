#!/usr/bin/env bash
# The vcsim harness end to end with nothing but curl (no hypersdk code):
# SOAP login (wrong password refused), upload a real streamOptimized VMDK into
# a VM's datastore file, power the VM off, ExportVm, read the lease's device
# URL from the PropertyCollector, GET it (whole and with Range) and compare
# SHA-256, then abort the lease and see state "error".
#
#   tests/peers/vcsim/curl_smoke.sh VCSIM_BINARY
set -euo pipefail
vcsim=${1:?usage: curl_smoke.sh VCSIM_BINARY}
work=$(mktemp -d /tmp/vcsim-smoke-XXXXXX)
pid=
cleanup() {
  if [ -n "$pid" ]; then kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; fi
  rm -rf "$work"
}
trap cleanup EXIT
fail() { echo "curl_smoke: $*" >&2; exit 1; }

user=smoke
export VCSIM_PASSWORD=smoke-Pa55
"$vcsim" -username "$user" -cert-dir "$work" -exit-on-stdin-eof=false >"$work/ready" 2>"$work/vcsim.log" &
pid=$!
for _ in $(seq 1 300); do grep -q '^VCSIM_READY ' "$work/ready" && break; sleep 0.1; done
grep -q '^VCSIM_READY ' "$work/ready" || fail "vcsim not ready after 30 s: $(cat "$work/vcsim.log")"
url=$(sed -n 's/.* url=\([^ ]*\).*/\1/p' "$work/ready")
ca=$(sed -n 's/.* cafile=\([^ ]*\).*/\1/p' "$work/ready")
host=${url#https://}; host=${host%%/*}
case "$host" in 127.0.0.1:*) ;; *) fail "vcsim is not on loopback: $url" ;; esac

soap() {
  curl -sS --max-time 30 --cacert "$ca" -b "$work/jar" -c "$work/jar" -H 'Content-Type: text/xml; charset=utf-8' \
    -H 'SOAPAction: "urn:vim25/6.5"' --data-binary @- "$url" <<XML
<soapenv:Envelope xmlns:soapenv="http://schemas.xmlsoap.org/soap/envelope/" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"><soapenv:Body>$1</soapenv:Body></soapenv:Envelope>
XML
}
login() { soap "<Login xmlns=\"urn:vim25\"><_this type=\"SessionManager\">SessionManager</_this><userName>$user</userName><password>$1</password></Login>"; }

login wrong | grep -q 'InvalidLogin' || fail "a wrong password was not refused with InvalidLogin"
login "$VCSIM_PASSWORD" | grep -q '<LoginResponse' || fail "login failed"
vm=$(soap '<FindByInventoryPath xmlns="urn:vim25"><_this type="SearchIndex">SearchIndex</_this><inventoryPath>DC0/vm/DC0_H0_VM0</inventoryPath></FindByInventoryPath>' |
  sed -n 's/.*<returnval type="VirtualMachine">\([^<]*\)<.*/\1/p')
[ -n "$vm" ] || fail "DC0_H0_VM0 not found"

head -c 3000000 /dev/urandom >"$work/raw.img"
truncate -s 16M "$work/raw.img"
qemu-img convert -f raw -O vmdk -o subformat=streamOptimized "$work/raw.img" "$work/src.vmdk"
code=$(curl -sS --max-time 60 --cacert "$ca" -u "$user:$VCSIM_PASSWORD" -T "$work/src.vmdk" -o /dev/null -w '%{http_code}' \
  "https://$host/folder/DC0_H0_VM0/disk1.vmdk?dcPath=DC0&dsName=LocalDS_0")
[ "$code" = 200 ] || fail "datastore upload answered HTTP $code"

soap "<ExportVm xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$vm</_this></ExportVm>" | grep -q InvalidPowerState ||
  fail "ExportVm of a powered-on VM was not refused with InvalidPowerState"
soap "<PowerOffVM_Task xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$vm</_this></PowerOffVM_Task>" >/dev/null
lease=
for _ in $(seq 1 50); do
  lease=$(soap "<ExportVm xmlns=\"urn:vim25\"><_this type=\"VirtualMachine\">$vm</_this></ExportVm>" |
    sed -n 's/.*<returnval type="HttpNfcLease">\([^<]*\)<.*/\1/p')
  [ -n "$lease" ] && break
  sleep 0.1
done
[ -n "$lease" ] || fail "ExportVm returned no lease"
props() {
  soap "<RetrievePropertiesEx xmlns=\"urn:vim25\"><_this type=\"PropertyCollector\">propertyCollector</_this><specSet><propSet><type>HttpNfcLease</type><pathSet>$1</pathSet></propSet><objectSet><obj type=\"HttpNfcLease\">$lease</obj></objectSet></specSet><options/></RetrievePropertiesEx>"
}
device=$(props info | sed -n 's/.*<url>\([^<]*\)<\/url>.*/\1/p')
case "$device" in https://\*/nfc/*) ;; *) fail "unexpected device URL '$device'" ;; esac
device=${device/\*/$host}

want=$(sha256sum <"$work/src.vmdk")
got=$(curl -sS --max-time 60 --cacert "$ca" -b "$work/jar" "$device" | sha256sum)
[ "$got" = "$want" ] || fail "downloaded disk differs from the upload"
part=$( { head -c 1000000 "$work/src.vmdk"; curl -sS --max-time 60 --cacert "$ca" -b "$work/jar" -r 1000000- "$device"; } | sha256sum)
[ "$part" = "$want" ] || fail "Range download differs"

soap "<HttpNfcLeaseAbort xmlns=\"urn:vim25\"><_this type=\"HttpNfcLease\">$lease</_this></HttpNfcLeaseAbort>" >/dev/null
props state | grep -q '>error</val>' || fail "aborted lease is not in state error"
echo "curl_smoke: ok (login, upload, ExportVm, download sha256 ${want%% *}, Range, abort)"
