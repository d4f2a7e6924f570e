// Prints a read-only SAS URL for a blob in Azurite, made with Azure's own
// generateBlobSASQueryParameters (what a user who "already holds a SAS" has).
//   node sas_url.cjs ENDPOINT CONTAINER BLOB SECONDS
'use strict';
const assert = require('node:assert/strict');
const { StorageSharedKeyCredential, generateBlobSASQueryParameters, BlobSASPermissions } = require('@azure/storage-blob');

// Azurite's well-known development account (public, documented by Microsoft).
const ACCOUNT = 'devstoreaccount1';
const KEY = 'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const [endpoint, containerName, blobName, seconds] = process.argv.slice(2);
assert.match(endpoint, /^https:\/\/127\.0\.0\.1:\d+$/, 'the endpoint must be a loopback https URL');
const sas = generateBlobSASQueryParameters({
  containerName, blobName, permissions: BlobSASPermissions.parse('r'),
  startsOn: new Date(Date.now() - 300e3), expiresOn: new Date(Date.now() + Number(seconds) * 1000),
}, new StorageSharedKeyCredential(ACCOUNT, KEY)).toString();
console.log(`${endpoint}/${ACCOUNT}/${containerName}/${blobName}?${sas}`);
