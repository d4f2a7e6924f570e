// Uploads a disk image (a fixed VHD made by qemu-img) into Azurite as a page
// blob with Azure's own client, writing only the 512-byte pages that hold a
// non-zero byte, so every all-zero region stays a hole (as Azure keeps a
// managed disk). Prints one JSON line: {"size": N, "data_bytes": N, "ranges": N}
//   node upload_vhd.cjs ENDPOINT FILE CONTAINER BLOB [MERGE_GAP_BYTES]
// MERGE_GAP_BYTES (default 0): zero runs shorter than this between data are
// uploaded as data, so a real file system's scattered blocks (a guest image:
// 25,000 runs in 3 GiB) become a few hundred Put Page calls instead of one each.
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
  const [endpoint, file, containerName, blobName, mergeGapArg] = process.argv.slice(2);
  const mergeGap = Number(mergeGapArg || 0);
  assert.ok(Number.isInteger(mergeGap) && mergeGap >= 0 && mergeGap % PAGE === 0,
    'MERGE_GAP_BYTES must be a multiple of 512');
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
  const zeros = Buffer.alloc(MAX_PUT);  // Buffer.equals is a native memcmp; a JS loop per byte is minutes on GiBs
  let dataBytes = 0;
  let ranges = 0;
  for (let offset = 0; offset < size; offset += MAX_PUT) {
    const n = fs.readSync(fd, chunk, 0, Math.min(MAX_PUT, size - offset), offset);
    if (chunk.subarray(0, n).equals(zeros.subarray(0, n))) continue;
    let runStart = -1;
    let runEnd = -1;  // one past the run's last data page
    const flush = async () => {
      await blob.uploadPages(Buffer.from(chunk.subarray(runStart, runEnd)), offset + runStart, runEnd - runStart);
      dataBytes += runEnd - runStart;
      ranges += 1;
      runStart = -1;
    };
    for (let at = 0; at < n; at += PAGE) {
      if (chunk.subarray(at, at + PAGE).equals(zeros.subarray(0, PAGE))) continue;
      if (runStart >= 0 && at - runEnd > mergeGap) await flush();
      if (runStart < 0) runStart = at;
      runEnd = at + PAGE;
    }
    if (runStart >= 0) await flush();
  }
  fs.closeSync(fd);
  console.log(JSON.stringify({ size, data_bytes: dataBytes, ranges }));
}

main().catch((e) => {
  console.error(`upload_vhd failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
