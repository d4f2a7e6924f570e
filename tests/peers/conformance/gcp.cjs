// Conformance of the loopback GCP peer (tests/peers/gcp/peer.cjs), checked by
// Google's own clients: google-auth-library's JWT client signs an assertion
// with the service-account key file and gets a token from the peer;
// @google-cloud/compute over its REST fallback (apiEndpoint: the peer) reads
// an instance, lists instances per zone and aggregated, stops it and waits
// for the zonal operation; @google-cloud/storage (apiEndpoint: the peer)
// reads an object's metadata, downloads it whole and by range, and deletes
// it. Exits non-zero on the first difference; prints one JSON line.
//   node gcp.cjs BASE_URL KEY_FILE PROJECT ZONE INSTANCE BUCKET OBJECT SHA256
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const gaxios = require('gaxios');
const { JWT } = require('google-auth-library');
const { InstancesClient, ZoneOperationsClient } = require('@google-cloud/compute');
const { Storage } = require('@google-cloud/storage');

async function main() {
  const [base, keyFile, project, zone, instance, bucket, object, sha256] = process.argv.slice(2);
  assert.match(base, /^https:\/\/127\.0\.0\.1:\d+$/, 'the peer must be a loopback https URL');
  const key = JSON.parse(fs.readFileSync(keyFile, 'utf8'));
  assert.equal(key.token_uri, `${base}/token`);
  // gtoken 7 posts to Google's fixed token URL whatever token_uri says: its
  // transporter sends that one request to the key file's token_uri instead.
  const transporter = {
    request: (opts) => gaxios.request({ ...opts, url: /oauth2/.test(opts.url) ? key.token_uri : opts.url }),
  };
  const auth = new JWT({ keyFile, scopes: ['https://www.googleapis.com/auth/cloud-platform'], transporter });
  const credentials = await auth.authorize();
  assert.match(credentials.access_token, /^ya29\./, 'the peer issued a token');

  // A JWT signed with another key is refused.
  const { privateKey } = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 });
  const forged = new JWT({
    email: key.client_email, key: privateKey.export({ type: 'pkcs8', format: 'pem' }), keyId: key.private_key_id,
    scopes: ['https://www.googleapis.com/auth/cloud-platform'], transporter,
  });
  await assert.rejects(forged.authorize(), /invalid_grant/);

  const apiEndpoint = '127.0.0.1';
  const port = Number(new URL(base).port);
  const instances = new InstancesClient({ fallback: true, apiEndpoint, port, authClient: auth });
  const [vm] = await instances.get({ project, zone, instance });
  assert.equal(vm.name, instance);
  assert.ok(vm.disks.length >= 1 && vm.disks.some((d) => d.boot), 'a boot disk');
  assert.ok(vm.machineType.endsWith('/machineTypes/e2-standard-2'), vm.machineType);
  const [list] = await instances.list({ project, zone });
  assert.ok(list.some((i) => i.name === instance), 'listed in its zone');
  const aggregated = [];
  for await (const [scope, scoped] of instances.aggregatedListAsync({ project })) {
    for (const i of scoped.instances || []) aggregated.push(`${scope}/${i.name}`);
  }
  assert.ok(aggregated.includes(`zones/${zone}/${instance}`), `aggregated: ${aggregated}`);
  const [stopping] = await instances.stop({ project, zone, instance });
  const operations = new ZoneOperationsClient({ fallback: true, apiEndpoint, port, authClient: auth });
  let op = stopping.latestResponse;
  for (let i = 0; i < 20 && op.status !== 'DONE' && op.status !== 2104194; ++i) {
    [op] = await operations.get({ project, zone, operation: op.name });
  }
  assert.ok(op.status === 'DONE' || op.status === 2104194, `operation ${JSON.stringify(op.status)}`);
  const [stopped] = await instances.get({ project, zone, instance });
  assert.equal(stopped.status, 'TERMINATED');
  await assert.rejects(instances.get({ project, zone, instance: 'no-such-vm' }), /was not found/);

  const storage = new Storage({ apiEndpoint: base, authClient: auth, projectId: project, useAuthWithCustomEndpoint: true });
  const file = storage.bucket(bucket).file(object);
  const [metadata] = await file.getMetadata();
  const [whole] = await file.download({ validation: false });
  assert.equal(Number(metadata.size), whole.length);
  assert.equal(crypto.createHash('sha256').update(whole).digest('hex'), sha256);
  assert.equal(metadata.md5Hash, crypto.createHash('md5').update(whole).digest('base64'));
  const [part] = await file.download({ start: 1000, end: 70000, validation: false });
  assert.ok(part.equals(whole.subarray(1000, 70001)), 'ranged bytes differ');
  await file.delete();
  await assert.rejects(file.getMetadata(), /No such object/);

  console.log(JSON.stringify({ ok: true, token: true, forged_refused: true, instances: list.length, aggregated: aggregated.length, object_bytes: whole.length }));
}

main().catch((e) => {
  console.error(`gcp conformance failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
