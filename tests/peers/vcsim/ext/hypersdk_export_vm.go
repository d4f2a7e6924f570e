// hypersdk test harness: VirtualMachine.ExportVm for govmomi 0.24.2's simulator.
//
// Not part of govmomi: scripts/build-vcsim copies this file into a private copy
// of the Debian govmomi source (package simulator) at build time, because 0.24.2
// answers ExportVm with MethodNotFound. Newer simulators have their own.
package simulator

import (
	"fmt"
	"net/url"
	"os"
	"path"
	"time"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// HarnessNFCHost, when set ("127.0.0.1:PORT"), replaces '*' as the host of
// device URLs, and HarnessNFCThumbprint is published as their sslThumbprint:
// an ESXi host behind vCenter (set by our main's -nfc-other-host).
var HarnessNFCHost, HarnessNFCThumbprint string

// HarnessLeaseInitDelay keeps a new export lease "initializing" this long before
// it turns "ready", so clients exercise their wait loop (set by our main).
var HarnessLeaseInitDelay time.Duration

// exportLease wraps the simulator's lease (by value: the PropertyCollector digs
// the mo type out of field 0) so Complete and Abort keep the object and record
// the final state. 0.24.2 removes the lease instead, which makes "done" and
// "error" unobservable through the PropertyCollector.
type exportLease struct {
	HttpNfcLease
}

// ExportVm checks the VM is powered off, then publishes one NFC device URL per
// virtual disk, each serving that disk's datastore file.
func (vm *VirtualMachine) ExportVm(ctx *Context, req *types.ExportVm) soap.HasFault {
	body := new(methods.ExportVmBody)

	if vm.Runtime.PowerState != types.VirtualMachinePowerStatePoweredOff {
		body.Fault_ = Fault(fmt.Sprintf("VM %s must be powered off to export", vm.Name), &types.InvalidPowerState{
			RequestedState: types.VirtualMachinePowerStatePoweredOff,
			ExistingState:  vm.Runtime.PowerState,
		})
		return body
	}

	lease := &exportLease{HttpNfcLease{files: make(map[string]string)}}
	// A plain moref: Session.Put would otherwise embed the session key (the
	// session cookie's value) in the moref and so in every device URL.
	lease.Self.Type = "HttpNfcLease"
	lease.Self = Map.newReference(lease)
	lease.State = types.HttpNfcLeaseStateInitializing
	if HarnessLeaseInitDelay <= 0 {
		lease.State = types.HttpNfcLeaseStateReady
	}

	info := &types.HttpNfcLeaseInfo{Lease: lease.Self, Entity: vm.Self, LeaseTimeout: 300}
	devices := object.VirtualDeviceList(vm.Config.Hardware.Device)
	for i, d := range devices.SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		backing, ok := disk.Backing.(types.BaseVirtualDeviceFileBackingInfo)
		if !ok {
			continue
		}
		p, fault := parseDatastorePath(backing.GetVirtualDeviceFileBackingInfo().FileName)
		if fault != nil {
			body.Fault_ = Fault("", fault)
			return body
		}
		file := path.Join(vm.findDatastore(p.Datastore).Info.GetDatastoreInfo().Url, p.Path)
		var size int64
		if st, err := os.Stat(file); err == nil {
			size = st.Size()
		}

		unit := int32(0)
		if disk.UnitNumber != nil {
			unit = *disk.UnitNumber
		}
		name := fmt.Sprintf("disk-%d.vmdk", i)
		lease.files[name] = file
		u := url.URL{Scheme: "https", Host: "*", Path: path.Join(nfcPrefix, lease.Self.Value, name)}
		thumbprint := ""
		if HarnessNFCHost != "" {
			u.Host, thumbprint = HarnessNFCHost, HarnessNFCThumbprint
		}
		info.DeviceUrl = append(info.DeviceUrl, types.HttpNfcLeaseDeviceUrl{
			Key:           fmt.Sprint(disk.Key),
			ImportKey:     fmt.Sprintf("/%s/%s:%d", vm.Name, devices.Name(devices.FindByKey(disk.ControllerKey)), unit),
			Url:           u.String(),
			Disk:          types.NewBool(true),
			TargetId:      name,
			FileSize:      size,
			SslThumbprint: thumbprint,
		})
		info.TotalDiskCapacityInKB += disk.CapacityInKB
	}
	lease.Info = info

	// Registered globally, not in the creating session: as on vCenter, another
	// session (a test checking what a cancelled export left) can read the
	// lease's state, and it outlives the exporter's Logout.
	Map.Put(lease)
	nfcLease.Store(lease.Self, &lease.HttpNfcLease)

	if HarnessLeaseInitDelay > 0 {
		go func() {
			time.Sleep(HarnessLeaseInitDelay)
			Map.WithLock(lease, func() {
				if lease.State == types.HttpNfcLeaseStateInitializing {
					lease.State = types.HttpNfcLeaseStateReady
				}
			})
		}()
	}

	body.Res = &types.ExportVmResponse{Returnval: lease.Self}
	return body
}

// HttpNfcLeaseComplete ends the lease as "done"; its URLs stop working.
func (l *exportLease) HttpNfcLeaseComplete(ctx *Context, req *types.HttpNfcLeaseComplete) soap.HasFault {
	body := new(methods.HttpNfcLeaseCompleteBody)
	if l.State != types.HttpNfcLeaseStateReady {
		body.Fault_ = Fault("lease is not ready", &types.InvalidState{})
		return body
	}
	nfcLease.Delete(l.Self)
	l.State = types.HttpNfcLeaseStateDone
	l.TransferProgress = 100
	body.Res = new(types.HttpNfcLeaseCompleteResponse)
	return body
}

// HttpNfcLeaseAbort ends the lease as "error", with the client's fault (or
// RequestCanceled) in the "error" property, as vCenter reports it.
func (l *exportLease) HttpNfcLeaseAbort(ctx *Context, req *types.HttpNfcLeaseAbort) soap.HasFault {
	body := new(methods.HttpNfcLeaseAbortBody)
	if l.State == types.HttpNfcLeaseStateDone || l.State == types.HttpNfcLeaseStateError {
		body.Fault_ = Fault("lease already ended", &types.InvalidState{})
		return body
	}
	nfcLease.Delete(l.Self)
	l.State = types.HttpNfcLeaseStateError
	if req.Fault != nil {
		l.Error = req.Fault
	} else {
		l.Error = &types.LocalizedMethodFault{Fault: &types.RequestCanceled{}, LocalizedMessage: "Operation was canceled"}
	}
	body.Res = new(types.HttpNfcLeaseAbortResponse)
	return body
}

// HttpNfcLeaseProgress records the percentage; only a live lease accepts it.
func (l *exportLease) HttpNfcLeaseProgress(ctx *Context, req *types.HttpNfcLeaseProgress) soap.HasFault {
	body := new(methods.HttpNfcLeaseProgressBody)
	if l.State != types.HttpNfcLeaseStateReady {
		body.Fault_ = Fault("lease is not ready", &types.InvalidState{})
		return body
	}
	l.TransferProgress = req.Percent
	body.Res = new(types.HttpNfcLeaseProgressResponse)
	return body
}
