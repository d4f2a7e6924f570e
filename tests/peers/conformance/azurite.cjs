// Conformance of Azurite (the Azure Blob peer the Azure provider will
// download from), checked by Azure's own client, @azure/storage-blob: a page
// blob created with pages at a few offsets, Get Page Ranges, ranged
// downloads, and a read-only SAS made by generateBlobSASQueryParameters that
// Azurite really checks (a tampered signature is refused). Exits non-zero on
// the first difference; prints one JSON line of what it checked.
//   node azurite.cjs ENDPOINT         (https://127.0.0.1:PORT, Azurite's devstoreaccount1)
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const {
  BlobServiceClient, BlobClient, StorageSharedKeyCredential, generateBlobSASQueryParameters, BlobSASPermissions,
} = require('@azure/storage-blob');

// Azurite's well-known development account (public, documented by Microsoft).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

async function main() {
  const endpoint = process.argv[2];
  assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'the endpoint must be a loopback https URL');
  const credential = new StorageSharedKeyCredential(ACCOUNT, KEY);
  const service = new BlobServiceClient(`${endpoint}/${ACCOUNT}`, credential, { retryOptions: { maxTries: 1 } });
  const container = service.getContainerClient('conformance');
  await container.create();
  const size = 8 * 1024 * 1024;
  const page = container.getPageBlobClient('disk.vhd');
  await page.create(size);
  const writes = [[0, 1024 * 1024], [3 * 1024 * 1024, 512 * 1024], [size - 4096, 4096]];
  const expected = Buffer.alloc(size);
  for (const [offset, length] of writes) {
    const data = crypto.randomBytes(length);
    data.copy(expected, offset);
    await page.uploadPages(data, offset, length);
  }

  const ranges = await page.getPageRanges();
  // The SDK gives each range as {offset, count} with count = end - start (the REST End is inclusive).
  assert.deepEqual(ranges.pageRange.map((r) => [r.offset, r.count + 1]), writes, 'page ranges differ');

  const middle = await page.downloadToBuffer(3 * 1024 * 1024 - 100, 200);
  assert.ok(middle.equals(expected.subarray(3 * 1024 * 1024 - 100, 3 * 1024 * 1024 + 100)), 'ranged bytes differ');
  const hole = await page.downloadToBuffer(2 * 1024 * 1024, 4096);
  assert.ok(hole.equals(Buffer.alloc(4096)), 'a hole does not read as zeros');

  const sas = generateBlobSASQueryParameters({
    containerName: 'conformance', blobName: 'disk.vhd', permissions: BlobSASPermissions.parse('r'),
    startsOn: new Date(Date.now() - 60e3), expiresOn: new Date(Date.now() + 3600e3),
  }, credential).toString();
  const reader = new BlobClient(`${page.url}?${sas}`, undefined, { retryOptions: { maxTries: 1 } });
  const all = await reader.downloadToBuffer();
  assert.ok(all.equals(expected), 'the SAS download differs');
  await assert.rejects(reader.getPageBlobClient().uploadPages(Buffer.alloc(512), 0, 512), 'a read SAS wrote');
  const tampered = new BlobClient(`${page.url}?${sas.replace(/sig=[^&]+/, 'sig=AAAA')}`, undefined,
    { retryOptions: { maxTries: 1 } });
  await assert.rejects(tampered.downloadToBuffer(0, 512), (e) => e.statusCode === 403, 'a bad SAS signature was accepted');

  console.log(JSON.stringify({ ok: true, peer: 'azurite', blob_bytes: size, page_ranges: writes.length }));
}

main().catch((e) => {
  console.error(`azurite conformance failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
