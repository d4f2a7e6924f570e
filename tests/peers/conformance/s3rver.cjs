// Conformance of s3rver (the S3 peer the AWS provider will download from),
// checked by AWS's own client, @aws-sdk/client-s3: PutObject, GetObject with
// Range, HeadObject, ListObjectsV2 with paging. Exits non-zero on the first
// difference; prints one JSON line of what it checked.
//   node s3rver.cjs ENDPOINT          (https://127.0.0.1:PORT, s3rver's S3RVER/S3RVER credentials)
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {
  S3Client, CreateBucketCommand, PutObjectCommand, GetObjectCommand, HeadObjectCommand, ListObjectsV2Command,
} = require('@aws-sdk/client-s3');

async function main() {
  const endpoint = process.argv[2];
  assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'the endpoint must be a loopback https URL');
  const s3 = new S3Client({
    endpoint,
    region: 'us-east-1',
    forcePathStyle: true,
    credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' },
    maxAttempts: 1,
    // s3rver predates the SDK's default CRC32 checksums (aws-chunked bodies
    // with trailers); only the checksums S3 requires, as many S3 peers need.
    requestChecksumCalculation: 'WHEN_REQUIRED',
    responseChecksumValidation: 'WHEN_REQUIRED',
  });
  const Bucket = 'conformance';
  await s3.send(new CreateBucketCommand({ Bucket }));

  const body = crypto.randomBytes(3 * 1024 * 1024 + 17);
  const put = await s3.send(new PutObjectCommand({ Bucket, Key: 'disks/disk-0.vmdk', Body: body }));
  assert.equal(put.ETag, '"' + crypto.createHash('md5').update(body).digest('hex') + '"', 'ETag is the MD5');

  const head = await s3.send(new HeadObjectCommand({ Bucket, Key: 'disks/disk-0.vmdk' }));
  assert.equal(head.ContentLength, body.length);

  const ranged = await s3.send(new GetObjectCommand({ Bucket, Key: 'disks/disk-0.vmdk', Range: 'bytes=1048576-2097151' }));
  assert.equal(ranged.ContentRange, `bytes 1048576-2097151/${body.length}`);
  const part = Buffer.from(await ranged.Body.transformToByteArray());
  assert.ok(part.equals(body.subarray(1048576, 2097152)), 'ranged bytes differ');

  const tail = await s3.send(new GetObjectCommand({ Bucket, Key: 'disks/disk-0.vmdk', Range: `bytes=${body.length - 17}-` }));
  assert.ok(Buffer.from(await tail.Body.transformToByteArray()).equals(body.subarray(body.length - 17)));

  const whole = await s3.send(new GetObjectCommand({ Bucket, Key: 'disks/disk-0.vmdk' }));
  assert.ok(Buffer.from(await whole.Body.transformToByteArray()).equals(body), 'whole object differs');

  for (let i = 0; i < 5; ++i)
    await s3.send(new PutObjectCommand({ Bucket, Key: `exports/part-${i}`, Body: `part ${i}` }));
  const keys = [];
  let ContinuationToken;
  let pages = 0;
  do {  // bounded: 6 objects in pages of 2
    const page = await s3.send(new ListObjectsV2Command({ Bucket, MaxKeys: 2, ContinuationToken }));
    keys.push(...(page.Contents || []).map((o) => o.Key));
    ContinuationToken = page.IsTruncated ? page.NextContinuationToken : undefined;
    assert.ok(++pages <= 10, 'ListObjectsV2 does not end');
  } while (ContinuationToken);
  assert.deepEqual(keys.sort(), ['disks/disk-0.vmdk', ...[0, 1, 2, 3, 4].map((i) => `exports/part-${i}`)]);
  assert.ok(pages >= 3, `expected paging, got ${pages} page(s)`);

  const prefixed = await s3.send(new ListObjectsV2Command({ Bucket, Prefix: 'disks/' }));
  assert.deepEqual(prefixed.Contents.map((o) => o.Key), ['disks/disk-0.vmdk']);
  assert.equal(prefixed.Contents[0].Size, body.length);

  console.log(JSON.stringify({ ok: true, peer: 's3rver', object_bytes: body.length, pages }));
}

main().catch((e) => {
  console.error(`s3rver conformance failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
