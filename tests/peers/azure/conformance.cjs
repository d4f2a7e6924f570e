// Conformance of the loopback Entra ID + ARM peer (arm_peer.cjs), checked by
// Microsoft's own clients: @azure/identity's ClientSecretCredential (MSAL)
// gets a token from it, @azure/arm-compute's ComputeManagementClient reads
// the VM, lists VMs across pages, and runs the long-running operations the
// provider uses (snapshot, grant access, revoke access, delete) with
// @azure/core-lro's polling; the SAS it hands out is read with
// @azure/storage-blob from Azurite. Refusals are checked too: a wrong client
// secret (AADSTS7000215), a forged token, and access to the disk of a running
// VM. Exits non-zero on the first difference; prints one JSON line.
//   node conformance.cjs ARM_BASE TENANT CLIENT_ID SECRET SUBSCRIPTION RESOURCE_GROUP VM
'use strict';
const assert = require('node:assert/strict');
const { ClientSecretCredential } = require('@azure/identity');
const { ComputeManagementClient } = require('@azure/arm-compute');
const { BlobClient } = require('@azure/storage-blob');

async function main() {
  const [base, tenant, clientId, secret, subscription, rg, vmName] = process.argv.slice(2);
  assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/, 'the peer must be a loopback https URL');
  const scope = `${base}/.default`;
  const options = { authorityHost: base, disableInstanceDiscovery: true };
  const credential = new ClientSecretCredential(tenant, clientId, secret, options);
  const token = await credential.getToken(scope);
  assert.ok(token && token.token.split('.').length === 3, 'no JWT from the token endpoint');
  assert.ok(token.expiresOnTimestamp > Date.now(), 'the token is already expired');

  const wrong = new ClientSecretCredential(tenant, clientId, `${secret}x`, options);
  await assert.rejects(wrong.getToken(scope), (e) => /AADSTS7000215/.test(e.message), 'a wrong secret got a token');

  const compute = new ComputeManagementClient(credential, subscription,
    { endpoint: base, credentialScopes: [scope], retryOptions: { maxRetries: 0 } });
  const vm = await compute.virtualMachines.get(rg, vmName, { expand: 'instanceView' });
  assert.equal(vm.name, vmName);
  assert.ok(vm.hardwareProfile.vmSize, 'no vmSize');
  assert.ok(vm.storageProfile.osDisk.managedDisk.id, 'no managed OS disk');
  const power = vm.instanceView.statuses.find((s) => s.code.startsWith('PowerState/'));
  assert.ok(power, 'no PowerState status');

  const listed = [];
  for await (const v of compute.virtualMachines.list(rg)) listed.push(v.name);
  assert.ok(listed.includes(vmName), `list did not return ${vmName}: ${listed}`);
  const sizes = [];
  for await (const s of compute.virtualMachineSizes.list(vm.location)) sizes.push(s);
  assert.ok(sizes.some((s) => s.name === vm.hardwareProfile.vmSize && s.numberOfCores > 0 && s.memoryInMB > 0),
    'the VM size is not among the location\'s sizes');

  const diskId = vm.storageProfile.osDisk.managedDisk.id;
  const diskName = diskId.split('/').pop();
  const disk = await compute.disks.get(rg, diskName);
  assert.ok(disk.diskSizeBytes > 0, 'no disk size');
  if (power.code === 'PowerState/running') {
    await assert.rejects(compute.disks.beginGrantAccessAndWait(rg, diskName, { access: 'Read', durationInSeconds: 600 }),
      (e) => e.statusCode === 409, 'access to the disk of a running VM was granted');
  }

  const snapshotName = `conformance-${Date.now()}`;
  const snapshot = await compute.snapshots.beginCreateOrUpdateAndWait(rg, snapshotName, {
    location: vm.location, creationData: { createOption: 'Copy', sourceResourceId: diskId }, incremental: false });
  assert.equal(snapshot.provisioningState, 'Succeeded');
  const access = await compute.snapshots.beginGrantAccessAndWait(rg, snapshotName, { access: 'Read', durationInSeconds: 600 });
  assert.match(access.accessSAS, /[?&]sig=/, 'the grant carries no SAS');
  const reader = new BlobClient(access.accessSAS, undefined, { retryOptions: { maxTries: 1 } });
  const properties = await reader.getProperties();
  assert.equal(properties.blobType, 'PageBlob');
  assert.equal(properties.contentLength, disk.diskSizeBytes + 512, 'the blob is not the disk plus its VHD footer');
  const footer = await reader.downloadToBuffer(properties.contentLength - 512, 512);
  assert.equal(footer.subarray(0, 8).toString('latin1'), 'conectix', 'the blob does not end in a VHD footer');
  const ranges = await reader.getPageBlobClient().getPageRanges();
  assert.ok(ranges.pageRange.length > 0, 'no page ranges');
  await assert.rejects(compute.snapshots.beginDeleteAndWait(rg, snapshotName), (e) => e.statusCode === 409,
    'a snapshot with an active SAS was deleted');
  await compute.snapshots.beginRevokeAccessAndWait(rg, snapshotName);
  await compute.snapshots.beginDeleteAndWait(rg, snapshotName);
  await assert.rejects(compute.snapshots.get(rg, snapshotName), (e) => e.statusCode === 404, 'the snapshot is still there');

  const forged = `${token.token.slice(0, -4)}AAAA`;
  const answer = await fetch(`${base}/subscriptions/${subscription}/resourceGroups/${rg}/providers/Microsoft.Compute/virtualMachines/${vmName}?api-version=2024-03-01`,
    { headers: { Authorization: `Bearer ${forged}` } });
  assert.equal(answer.status, 401, 'a forged token was accepted');

  console.log(JSON.stringify({ ok: true, peer: 'azure-arm', vms_listed: listed.length, page_ranges: ranges.pageRange.length }));
}

main().catch((e) => {
  console.error(`azure ARM peer conformance failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
