// Uploads a disk image (a fixed VHD made by qemu-img) into Azurite as a page
// blob with Azure's own client, writing only the 512-byte pages that hold a
// non-zero byte, so every all-zero region stays a hole (as Azure keeps a
// managed disk). Prints one JSON line: {"size": N, "data_bytes": N, "ranges": N}
//   node upload_vhd.cjs ENDPOINT FILE CONTAINER BLOB
'use strict';
const assert = require('node:assert/strict');
const fs = require('node:fs');
const { BlobServiceClient, StorageSharedKeyCredential } = require('@azure/storage-blob');

// Azurite's well-known development account (public, documented by Microsoft).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';
const PAGE = 512;
const MAX_PUT = 4 * 1024 * 1024;  // Put Page takes at most 4 MiB

async function main() {
  const [endpoint, file, containerName, blobName] = process.argv.slice(2);
  assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'the endpoint must be a loopback https URL');
  const size = fs.statSync(file).size;
  assert.ok(size % PAGE === 0, 'the image size must be a multiple of 512');
  const service = new BlobServiceClient(`${endpoint}/${ACCOUNT}`, new StorageSharedKeyCredential(ACCOUNT, KEY),
    { retryOptions: { maxTries: 1 } });
  const container = service.getContainerClient(containerName);
  await container.createIfNotExists();
  const blob = container.getPageBlobClient(blobName);
  await blob.create(size);
  const fd = fs.openSync(file, 'r');
  const chunk = Buffer.alloc(MAX_PUT);
  let dataBytes = 0;
  let ranges = 0;
  for (let offset = 0; offset < size; offset += MAX_PUT) {
    const n = fs.readSync(fd, chunk, 0, Math.min(MAX_PUT, size - offset), offset);
    let runStart = -1;
    for (let at = 0; at <= n; at += PAGE) {
      const data = at < n && chunk.subarray(at, at + PAGE).some((b) => b !== 0);
      if (data && runStart < 0) runStart = at;
      if (!data && runStart >= 0) {
        await blob.uploadPages(Buffer.from(chunk.subarray(runStart, at)), offset + runStart, at - runStart);
        dataBytes += at - runStart;
        ranges += 1;
        runStart = -1;
      }
    }
  }
  fs.closeSync(fd);
  console.log(JSON.stringify({ size, data_bytes: dataBytes, ranges }));
}

main().catch((e) => {
  console.error(`upload_vhd failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
