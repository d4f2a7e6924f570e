// Conformance of hypersdk's AWS peer (tests/peers/aws/aws_peer.cjs), checked
// by AWS's own clients: @aws-sdk/client-ec2 (DescribeInstances with paging and
// a Name filter, DescribeVolumes, DescribeInstanceTypes, CreateSnapshots,
// DescribeSnapshots, DeleteSnapshot, CreateInstanceExportTask,
// DescribeExportTasks, CancelExportTask), @aws-sdk/client-ebs
// (ListSnapshotBlocks with paging, GetSnapshotBlock with its checksum
// checked against the image) and @aws-sdk/client-s3 (PutObject, HeadObject,
// GetObject with Range, DeleteObject). A client with a wrong secret key must
// be refused. Exits non-zero on the first difference; prints one JSON line.
//   node aws.cjs ENDPOINT REGION ACCESS_KEY_ID SECRET_KEY INSTANCE_ID IMAGE_OF_ITS_ROOT_VOLUME
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const ec2sdk = require('@aws-sdk/client-ec2');
const ebssdk = require('@aws-sdk/client-ebs');
const s3sdk = require('@aws-sdk/client-s3');

async function main() {
  const [endpoint, region, accessKeyId, secretAccessKey, instanceId, image] = process.argv.slice(2);
  assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'the endpoint must be a loopback https URL');
  const common = { endpoint, region, credentials: { accessKeyId, secretAccessKey }, maxAttempts: 1 };
  const ec2 = new ec2sdk.EC2Client(common);
  const ebs = new ebssdk.EBSClient(common);
  const s3 = new s3sdk.S3Client({ ...common, forcePathStyle: true, requestChecksumCalculation: 'WHEN_REQUIRED', responseChecksumValidation: 'WHEN_REQUIRED' });
  const checked = [];

  // EC2: paging (the peer pages one instance at a time), filters, volumes, types.
  const ids = [];
  let NextToken;
  for (let pages = 0; pages < 10; ++pages) {
    const page = await ec2.send(new ec2sdk.DescribeInstancesCommand({ MaxResults: 5, NextToken }));
    for (const r of page.Reservations) for (const i of r.Instances) ids.push(i.InstanceId);
    NextToken = page.NextToken;
    if (!NextToken) break;
  }
  assert.ok(ids.includes(instanceId) && ids.length >= 2, `DescribeInstances pages: ${ids}`);
  const byName = await ec2.send(new ec2sdk.DescribeInstancesCommand({ Filters: [{ Name: 'tag:Name', Values: ['web-01'] }] }));
  const inst = byName.Reservations[0].Instances[0];
  assert.equal(inst.InstanceId, instanceId);
  assert.equal(inst.State.Name, 'running');
  assert.equal(inst.BootMode, 'uefi');
  assert.equal(inst.Tags.find((t) => t.Key === 'Name').Value, 'web-01');
  assert.equal(inst.NetworkInterfaces[0].MacAddress, '0a:1b:2c:3d:4e:5f');
  const rootVolume = inst.BlockDeviceMappings.find((b) => b.DeviceName === inst.RootDeviceName).Ebs.VolumeId;
  const volumes = await ec2.send(new ec2sdk.DescribeVolumesCommand({ VolumeIds: [rootVolume] }));
  assert.equal(volumes.Volumes[0].Size, 1);
  const types = await ec2.send(new ec2sdk.DescribeInstanceTypesCommand({ InstanceTypes: [inst.InstanceType] }));
  assert.equal(types.InstanceTypes[0].VCpuInfo.DefaultVCpus, 2);
  assert.equal(types.InstanceTypes[0].MemoryInfo.SizeInMiB, 4096);
  await assert.rejects(ec2.send(new ec2sdk.DescribeInstancesCommand({ InstanceIds: ['i-00000000000000000'] })),
    (e) => e.name === 'InvalidInstanceID.NotFound');
  checked.push('ec2-describe');

  // Snapshots of every volume at once, until completed.
  const created = await ec2.send(new ec2sdk.CreateSnapshotsCommand({
    InstanceSpecification: { InstanceId: instanceId }, Description: 'conformance',
    TagSpecifications: [{ ResourceType: 'snapshot', Tags: [{ Key: 'hypersdk:export', Value: 'conformance' }] }],
  }));
  assert.equal(created.Snapshots.length, inst.BlockDeviceMappings.length);
  const snapIds = created.Snapshots.map((s) => s.SnapshotId);
  let snaps;
  for (let i = 0; i < 10; ++i) {
    snaps = (await ec2.send(new ec2sdk.DescribeSnapshotsCommand({ SnapshotIds: snapIds }))).Snapshots;
    if (snaps.every((s) => s.State === 'completed')) break;
  }
  assert.ok(snaps.every((s) => s.State === 'completed' && s.Progress === '100%'), JSON.stringify(snaps));
  assert.equal(snaps[0].Tags.find((t) => t.Key === 'hypersdk:export').Value, 'conformance');
  checked.push('ec2-snapshots');

  // EBS direct: every page of blocks, each block's checksum and bytes.
  const rootSnap = snaps.find((s) => s.VolumeId === rootVolume).SnapshotId;
  const blocks = [];
  let pageToken;
  let blockPages = 0;
  for (; blockPages < 100; ++blockPages) {
    const page = await ebs.send(new ebssdk.ListSnapshotBlocksCommand({ SnapshotId: rootSnap, MaxResults: 100, NextToken: pageToken }));
    assert.equal(page.BlockSize, 524288);
    assert.equal(page.VolumeSize, 1);
    blocks.push(...page.Blocks);
    pageToken = page.NextToken;
    if (!pageToken) break;
  }
  assert.ok(blockPages >= 1 && blocks.length > 0, 'ListSnapshotBlocks pages');
  const fd = fs.openSync(image, 'r');
  for (const b of blocks) {
    const got = await ebs.send(new ebssdk.GetSnapshotBlockCommand({ SnapshotId: rootSnap, BlockIndex: b.BlockIndex, BlockToken: b.BlockToken }));
    const data = Buffer.from(await got.BlockData.transformToByteArray());
    assert.equal(got.DataLength, 524288);
    assert.equal(got.ChecksumAlgorithm, 'SHA256');
    assert.equal(got.Checksum, crypto.createHash('sha256').update(data).digest('base64'));
    const expected = Buffer.alloc(524288);
    fs.readSync(fd, expected, 0, 524288, b.BlockIndex * 524288);
    assert.ok(data.equals(expected), `block ${b.BlockIndex} differs from the image`);
  }
  fs.closeSync(fd);
  for (const id of snapIds) await ec2.send(new ec2sdk.DeleteSnapshotCommand({ SnapshotId: id }));
  await assert.rejects(ebs.send(new ebssdk.ListSnapshotBlocksCommand({ SnapshotId: rootSnap })), (e) => e.name === 'ResourceNotFoundException');
  checked.push('ebs-direct');

  // Export tasks: created, described, cancelled.
  const task = (await ec2.send(new ec2sdk.CreateInstanceExportTaskCommand({
    InstanceId: instanceId, TargetEnvironment: 'vmware', ExportToS3Task: { DiskImageFormat: 'VMDK', S3Bucket: 'exports', S3Prefix: 'conformance/' },
  }))).ExportTask;
  assert.equal(task.State, 'active');
  assert.equal(task.ExportToS3Task.S3Key, `conformance/${task.ExportTaskId}.vmdk`);
  const described = await ec2.send(new ec2sdk.DescribeExportTasksCommand({ ExportTaskIds: [task.ExportTaskId] }));
  assert.equal(described.ExportTasks[0].ExportTaskId, task.ExportTaskId);
  await ec2.send(new ec2sdk.CancelExportTaskCommand({ ExportTaskId: task.ExportTaskId }));
  const cancelled = await ec2.send(new ec2sdk.DescribeExportTasksCommand({ ExportTaskIds: [task.ExportTaskId] }));
  assert.equal(cancelled.ExportTasks[0].State, 'cancelled');
  checked.push('export-tasks');

  // S3 objects.
  const body = crypto.randomBytes(1024 * 1024 + 7);
  await s3.send(new s3sdk.PutObjectCommand({ Bucket: 'exports', Key: 'conformance/object.bin', Body: body }));
  const head = await s3.send(new s3sdk.HeadObjectCommand({ Bucket: 'exports', Key: 'conformance/object.bin' }));
  assert.equal(head.ContentLength, body.length);
  const ranged = await s3.send(new s3sdk.GetObjectCommand({ Bucket: 'exports', Key: 'conformance/object.bin', Range: 'bytes=1000-2999' }));
  assert.equal(ranged.ContentRange, `bytes 1000-2999/${body.length}`);
  assert.ok(Buffer.from(await ranged.Body.transformToByteArray()).equals(body.subarray(1000, 3000)));
  await s3.send(new s3sdk.DeleteObjectCommand({ Bucket: 'exports', Key: 'conformance/object.bin' }));
  await assert.rejects(s3.send(new s3sdk.HeadObjectCommand({ Bucket: 'exports', Key: 'conformance/object.bin' })), (e) => e.$metadata.httpStatusCode === 404);
  checked.push('s3');

  // A wrong secret key is refused by every service.
  const wrong = { ...common, credentials: { accessKeyId, secretAccessKey: `${secretAccessKey}x` } };
  await assert.rejects(new ec2sdk.EC2Client(wrong).send(new ec2sdk.DescribeInstancesCommand({})), (e) => e.name === 'SignatureDoesNotMatch');
  await assert.rejects(new ebssdk.EBSClient(wrong).send(new ebssdk.ListSnapshotBlocksCommand({ SnapshotId: rootSnap })),
    (e) => e.$metadata.httpStatusCode === 403);
  await assert.rejects(new s3sdk.S3Client({ ...wrong, forcePathStyle: true }).send(new s3sdk.HeadObjectCommand({ Bucket: 'exports', Key: 'x' })),
    (e) => e.$metadata.httpStatusCode === 403);
  checked.push('signatures');

  console.log(JSON.stringify({ ok: true, checked }));
}

main().catch((e) => {
  console.error(`aws conformance failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
