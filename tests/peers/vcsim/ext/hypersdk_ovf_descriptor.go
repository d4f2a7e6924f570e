// hypersdk test harness: OvfManager.CreateDescriptor for govmomi 0.24.2's simulator.
//
// Not part of govmomi: scripts/build-vcsim copies this file into a private copy
// of the Debian govmomi source (package simulator). 0.24.2 answers
// CreateDescriptor with MethodNotFound; so does this method unless our main's
// -ovf-create-descriptor turns it on, so tests can drive both the server's
// descriptor and the client's fallback against the same simulator.
package simulator

import (
	"bytes"
	"encoding/xml"
	"fmt"
	"strconv"

	"github.com/vmware/govmomi/object"
	"github.com/vmware/govmomi/vim25/methods"
	"github.com/vmware/govmomi/vim25/soap"
	"github.com/vmware/govmomi/vim25/types"
)

// HarnessOvfCreateDescriptor: "off" (MethodNotFound, as 0.24.2), "on" (an OVF
// envelope from the VM and the request's ovfFiles), "error" (that envelope
// plus an error[] entry), "invalid" (a descriptor that is not XML).
var HarnessOvfCreateDescriptor = "off"

// HarnessOvfAnnotation marks descriptors this harness made, so tests can tell
// them from the ones a client generates itself.
const HarnessOvfAnnotation = "Created by vcsim OvfManager.CreateDescriptor (hypersdk test harness)"

func (m *OvfManager) CreateDescriptor(ctx *Context, req *types.CreateDescriptor) soap.HasFault {
	body := new(methods.CreateDescriptorBody)
	if HarnessOvfCreateDescriptor == "off" {
		body.Fault_ = Fault(fmt.Sprintf("%s does not implement: CreateDescriptor", req.This),
			&types.MethodNotFound{Receiver: req.This, Method: "CreateDescriptor"})
		return body
	}
	vm, ok := Map.Get(req.Obj).(*VirtualMachine)
	if !ok {
		body.Fault_ = Fault("", &types.ManagedObjectNotFound{Obj: req.Obj})
		return body
	}
	res := types.OvfCreateDescriptorResult{OvfDescriptor: harnessEnvelope(vm, &req.Cdp)}
	switch HarnessOvfCreateDescriptor {
	case "error":
		res.Error = []types.LocalizedMethodFault{{
			Fault:            &types.NotSupported{},
			LocalizedMessage: "harness: a device of " + vm.Name + " cannot be described",
		}}
	case "invalid":
		res.OvfDescriptor = "this is not an OVF descriptor <Envelope"
	}
	body.Res = &types.CreateDescriptorResponse{Returnval: res}
	return body
}

func xmlText(s string) string {
	var b bytes.Buffer
	_ = xml.EscapeText(&b, []byte(s))
	return b.String()
}

// harnessEnvelope: a small OVF 1.x envelope with one File and Disk per
// requested ovfFile (matched to the VM's disk by device key), CPU and memory.
func harnessEnvelope(vm *VirtualMachine, cdp *types.OvfCreateDescriptorParams) string {
	name := cdp.Name
	if name == "" {
		name = vm.Name
	}
	disks := map[string]*types.VirtualDisk{}
	for _, d := range object.VirtualDeviceList(vm.Config.Hardware.Device).SelectByType((*types.VirtualDisk)(nil)) {
		disk := d.(*types.VirtualDisk)
		disks[strconv.Itoa(int(disk.Key))] = disk
	}

	var refs, diskSection, items bytes.Buffer
	instance := 3
	for i, f := range cdp.OvfFiles {
		id := fmt.Sprintf("file%d", i+1)
		diskID := fmt.Sprintf("vmdisk%d", i+1)
		fmt.Fprintf(&refs, "    <File ovf:id=\"%s\" ovf:href=\"%s\" ovf:size=\"%d\"/>\n", id, xmlText(f.Path), f.Size)
		var capacity int64
		if disk := disks[f.DeviceId]; disk != nil {
			capacity = disk.CapacityInBytes
			if capacity == 0 {
				capacity = disk.CapacityInKB * 1024
			}
		}
		fmt.Fprintf(&diskSection, "    <Disk ovf:diskId=\"%s\" ovf:fileRef=\"%s\" ovf:capacity=\"%d\" "+
			"ovf:format=\"http://www.vmware.com/interfaces/specifications/vmdk.html#streamOptimized\"/>\n",
			diskID, id, capacity)
		fmt.Fprintf(&items, "      <Item>\n        <rasd:ElementName>Hard disk %d</rasd:ElementName>\n"+
			"        <rasd:HostResource>ovf:/disk/%s</rasd:HostResource>\n"+
			"        <rasd:InstanceID>%d</rasd:InstanceID>\n        <rasd:ResourceType>17</rasd:ResourceType>\n      </Item>\n",
			i+1, diskID, instance)
		instance++
	}

	var b bytes.Buffer
	b.WriteString(`<?xml version="1.0" encoding="UTF-8"?>
<Envelope xmlns="http://schemas.dmtf.org/ovf/envelope/1" xmlns:ovf="http://schemas.dmtf.org/ovf/envelope/1" xmlns:rasd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_ResourceAllocationSettingData" xmlns:vssd="http://schemas.dmtf.org/wbem/wscim/1/cim-schema/2/CIM_VirtualSystemSettingData" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
  <References>
`)
	b.Write(refs.Bytes())
	b.WriteString("  </References>\n  <DiskSection>\n    <Info>Virtual disk information</Info>\n")
	b.Write(diskSection.Bytes())
	b.WriteString("  </DiskSection>\n")
	fmt.Fprintf(&b, "  <VirtualSystem ovf:id=\"%s\">\n    <Info>A virtual machine</Info>\n    <Name>%s</Name>\n",
		xmlText(name), xmlText(name))
	fmt.Fprintf(&b, "    <AnnotationSection>\n      <Info>A human-readable annotation</Info>\n"+
		"      <Annotation>%s</Annotation>\n    </AnnotationSection>\n", HarnessOvfAnnotation)
	fmt.Fprintf(&b, "    <VirtualHardwareSection>\n      <Info>Virtual hardware requirements</Info>\n"+
		"      <System>\n        <vssd:ElementName>Virtual Hardware Family</vssd:ElementName>\n"+
		"        <vssd:InstanceID>0</vssd:InstanceID>\n        <vssd:VirtualSystemType>vmx-13</vssd:VirtualSystemType>\n      </System>\n")
	fmt.Fprintf(&b, "      <Item>\n        <rasd:AllocationUnits>hertz * 10^6</rasd:AllocationUnits>\n"+
		"        <rasd:ElementName>%d virtual CPU(s)</rasd:ElementName>\n        <rasd:InstanceID>1</rasd:InstanceID>\n"+
		"        <rasd:ResourceType>3</rasd:ResourceType>\n        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>\n      </Item>\n",
		vm.Config.Hardware.NumCPU, vm.Config.Hardware.NumCPU)
	fmt.Fprintf(&b, "      <Item>\n        <rasd:AllocationUnits>byte * 2^20</rasd:AllocationUnits>\n"+
		"        <rasd:ElementName>%dMB of memory</rasd:ElementName>\n        <rasd:InstanceID>2</rasd:InstanceID>\n"+
		"        <rasd:ResourceType>4</rasd:ResourceType>\n        <rasd:VirtualQuantity>%d</rasd:VirtualQuantity>\n      </Item>\n",
		vm.Config.Hardware.MemoryMB, vm.Config.Hardware.MemoryMB)
	b.Write(items.Bytes())
	b.WriteString("    </VirtualHardwareSection>\n  </VirtualSystem>\n</Envelope>\n")
	return b.String()
}
