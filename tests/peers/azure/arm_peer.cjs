// A loopback Microsoft Entra ID + Azure Resource Manager peer for the Azure
// provider's tests. It follows the documented wire formats:
//   - Entra ID v2.0 client credentials: POST /{tenant}/oauth2/v2.0/token
//     (form: grant_type=client_credentials, client_id, client_secret,
//     scope=<ARM endpoint>/.default), AADSTS errors as Entra sends them, and
//     the OpenID discovery document MSAL reads.
//   - ARM (Microsoft.Compute 2024-03-01 for VMs and sizes, 2023-10-02 for
//     disks and snapshots, the versions @azure/arm-compute 21.6 sends;
//     Microsoft.Network 2023-09-01 for NICs): every call must carry a bearer
//     token this peer issued (HS256 JWT, signature, audience, tenant and
//     expiry checked) and the right api-version; errors are
//     {"error":{"code","message"}}; snapshots, grant/revoke access, deletion
//     and deallocation are long-running operations followed through
//     Azure-AsyncOperation and Location with Retry-After.
// Disks are page blobs in Azurite; beginGetAccess answers a real read SAS
// made with @azure/storage-blob's generateBlobSASQueryParameters, which
// Azurite checks. A snapshot is an Azurite blob snapshot (point in time).
//
//   node arm_peer.cjs PORT CERT KEY CONFIG.json
// CONFIG: {tenant, client_id, client_secret, subscription,
//          azurite: {endpoint, account, key, ca_file},
//          vms: [{name, resource_group, location, vm_size, power_state,
//                 trusted_launch, secure_boot, os_type,
//                 disks: [{name, lun (absent: OS disk), container, blob, size_bytes}],
//                 nics: [{name, mac}]}],
//          faults: {throttle: {count, retry_after}, fail_snapshot: bool,
//                   sas_lifetime_seconds, token_lifetime_seconds, lro_polls,
//                   lro_retry_after, lro_location_only, rotate_key_after (ARM calls; then old tokens fail),
//                   blob_proxy: {delay_ms, fail_once_at}}}
//                   (the proxy also counts storage's 403s and how many blobs are read at once)
// Test-only endpoints (no token): GET /_peer/state, the peer's view of what
// the client did (snapshots, grants, calls, tokens issued).
'use strict';
const https = require('node:https');
const fs = require('node:fs');
const crypto = require('node:crypto');
const {
  StorageSharedKeyCredential, generateBlobSASQueryParameters, BlobSASPermissions, BlobServiceClient,
} = require('@azure/storage-blob');

const [portText, certFile, keyFile, configFile] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configFile, 'utf8'));
const faults = config.faults || {};
const port = Number(portText);
const base = `https://127.0.0.1:${port}`;
let signingKey = crypto.randomBytes(32);  // rotated by the rotate_key_after fault: every token issued before is invalid
const COMPUTE_API = '2024-03-01';
const DISK_API = '2023-10-02';
const NETWORK_API = '2023-09-01';

const azuriteCredential = new StorageSharedKeyCredential(config.azurite.account, config.azurite.key);
const azuriteCa = config.azurite.ca_file ? fs.readFileSync(config.azurite.ca_file) : undefined;
const blobService = new BlobServiceClient(`${config.azurite.endpoint}/${config.azurite.account}`,
  azuriteCredential, { retryOptions: { maxTries: 1 } });

const state = {
  token_requests: 0, tokens_refused: 0, arm_calls: 0, throttled: 0, calls: [],
  snapshots: {}, deleted_snapshots: [], grants: {}, ended_grants: [], deallocated: [], sas_issued: 0,
  blob_requests: 0, blob_failures_injected: 0,
  // Through the blob proxy: storage's 403s (a SAS refused), and the most
  // distinct blobs that had a request in flight at one moment (disks read at once).
  blob_refused: 0, blob_max_blobs_at_once: 0,
};
const blobsInFlight = new Map();  // blob path -> requests in flight through the proxy
const operations = new Map();
let throttleLeft = (faults.throttle && faults.throttle.count) || 0;

// ---------- helpers ----------
function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8', 'x-ms-request-id': crypto.randomUUID(),
    ...headers });
  res.end(text);
}
function armError(res, status, code, message, headers) {
  send(res, status, { error: { code, message } }, headers);
}
function b64url(data) { return Buffer.from(data).toString('base64url'); }

function issueToken() {
  const now = Math.floor(Date.now() / 1000);
  const lifetime = faults.token_lifetime_seconds || 3599;
  const header = b64url(JSON.stringify({ alg: 'HS256', typ: 'JWT' }));
  const payload = b64url(JSON.stringify({ aud: base, iss: `${base}/${config.tenant}/`, tid: config.tenant,
    appid: config.client_id, iat: now, nbf: now, exp: now + lifetime, jti: crypto.randomUUID() }));
  const signature = crypto.createHmac('sha256', signingKey).update(`${header}.${payload}`).digest('base64url');
  return { token: `${header}.${payload}.${signature}`, lifetime };
}

// null when valid, else [code, message].
function checkToken(authorization) {
  const m = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(authorization || '');
  if (!m) return ['AuthenticationFailed', "Authentication failed. The 'Authorization' header is missing or malformed."];
  const expected = crypto.createHmac('sha256', signingKey).update(`${m[1]}.${m[2]}`).digest();
  const given = Buffer.from(m[3], 'base64url');
  if (given.length !== expected.length || !crypto.timingSafeEqual(given, expected))
    return ['InvalidAuthenticationTokenSignature', 'The access token has an invalid signature.'];
  const claims = JSON.parse(Buffer.from(m[2], 'base64url').toString('utf8'));
  if (claims.aud !== base) return ['InvalidAuthenticationTokenAudience', 'The access token has an invalid audience.'];
  if (claims.tid !== config.tenant) return ['InvalidAuthenticationTokenTenant', 'The access token is from the wrong issuer.'];
  if (claims.exp <= Math.floor(Date.now() / 1000))
    return ['ExpiredAuthenticationToken', 'The access token expiry UTC time is earlier than current UTC time.'];
  return null;
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => { size += c.length; if (size > 1 << 20) req.destroy(); else chunks.push(c); });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

function findVm(rg, name) {
  return config.vms.find((v) => v.resource_group.toLowerCase() === rg.toLowerCase() &&
    v.name.toLowerCase() === name.toLowerCase());
}
function findDisk(rg, name) {
  for (const vm of config.vms)
    for (const d of vm.disks)
      if (vm.resource_group.toLowerCase() === rg.toLowerCase() && d.name.toLowerCase() === name.toLowerCase())
        return { vm, disk: d };
  return null;
}
// ARM states sizes in whole GiB (diskSizeGB, an integer); the disk's diskSizeBytes is exact.
const sizeGb = (d) => Math.max(1, Math.ceil(d.size_bytes / (1024 * 1024 * 1024)));
const rgPath = (rg) => `/subscriptions/${config.subscription}/resourceGroups/${rg}`;
const diskId = (vm, d) => `${rgPath(vm.resource_group)}/providers/Microsoft.Compute/disks/${d.name}`;
const nicId = (vm, n) => `${rgPath(vm.resource_group)}/providers/Microsoft.Network/networkInterfaces/${n.name}`;

function vmJson(vm, withInstanceView) {
  const osDisk = vm.disks.find((d) => d.lun === undefined);
  const props = {
    vmId: crypto.createHash('md5').update(vm.name).digest('hex').replace(
      /(.{8})(.{4})(.{4})(.{4})(.{12})/, '$1-$2-$3-$4-$5'),
    hardwareProfile: { vmSize: vm.vm_size || 'Standard_D2s_v3' },
    storageProfile: {
      osDisk: { osType: vm.os_type || 'Linux', name: osDisk.name, createOption: 'FromImage', caching: 'ReadWrite',
        managedDisk: { id: diskId(vm, osDisk), storageAccountType: 'Premium_LRS' }, diskSizeGB: sizeGb(osDisk) },
      dataDisks: vm.disks.filter((d) => d.lun !== undefined).map((d) => ({ lun: d.lun, name: d.name,
        createOption: 'Attach', caching: 'None', managedDisk: { id: diskId(vm, d), storageAccountType: 'Premium_LRS' },
        diskSizeGB: sizeGb(d) })),
    },
    networkProfile: { networkInterfaces: (vm.nics || []).map((n, i) => ({ id: nicId(vm, n),
      properties: { primary: i === 0 } })) },
    provisioningState: 'Succeeded',
  };
  if (vm.trusted_launch)
    props.securityProfile = { securityType: 'TrustedLaunch',
      uefiSettings: { secureBootEnabled: !!vm.secure_boot, vTpmEnabled: true } };
  if (withInstanceView) {
    props.instanceView = { statuses: [
      { code: 'ProvisioningState/succeeded', level: 'Info', displayStatus: 'Provisioning succeeded' },
      { code: `PowerState/${vm.power_state}`, level: 'Info', displayStatus: `VM ${vm.power_state}` }] };
  }
  return { id: `${rgPath(vm.resource_group)}/providers/Microsoft.Compute/virtualMachines/${vm.name}`,
    name: vm.name, type: 'Microsoft.Compute/virtualMachines', location: vm.location || 'westeurope',
    properties: props };
}

function diskJson(vm, d) {
  const sizeBytes = d.size_bytes;
  return { id: diskId(vm, d), name: d.name, type: 'Microsoft.Compute/disks', location: vm.location || 'westeurope',
    managedBy: `${rgPath(vm.resource_group)}/providers/Microsoft.Compute/virtualMachines/${vm.name}`,
    sku: { name: 'Premium_LRS', tier: 'Premium' },
    properties: { osType: d.lun === undefined ? (vm.os_type || 'Linux') : undefined,
      hyperVGeneration: vm.trusted_launch ? 'V2' : 'V1', diskSizeGB: sizeGb(d), diskSizeBytes: sizeBytes,
      diskState: state.grants[diskId(vm, d)] ? 'ActiveSAS' : (vm.power_state === 'deallocated' ? 'Reserved' : 'Attached'),
      provisioningState: 'Succeeded', creationData: { createOption: 'Empty' } } };
}

function snapshotJson(s) {
  return { id: s.id, name: s.name, type: 'Microsoft.Compute/snapshots', location: s.location,
    properties: { creationData: { createOption: 'Copy', sourceResourceId: s.source }, incremental: false,
      diskSizeGB: sizeGb(s.disk), diskSizeBytes: s.disk.size_bytes, provisioningState: s.provisioning,
      diskState: state.grants[s.id] ? 'ActiveSAS' : 'Unattached' } };
}

// A long-running operation: `polls` answers of InProgress, then the outcome.
function startOperation(res, location, { finish, error, resultViaLocation }) {
  const id = crypto.randomUUID();
  const polls = faults.lro_polls === undefined ? 1 : faults.lro_polls;
  operations.set(id, { polls, finish, error, done: false, result: undefined });
  const opBase = `${base}/subscriptions/${config.subscription}/providers/Microsoft.Compute/locations/${location}/DiskOperations/${id}`;
  const headers = { 'Azure-AsyncOperation': `${opBase}?api-version=${DISK_API}`,
    'Retry-After': String(faults.lro_retry_after || 0) };
  if (resultViaLocation !== false || faults.lro_location_only) headers.Location = `${opBase}?monitor=true&api-version=${DISK_API}`;
  // Some operations answer with Location only (no Azure-AsyncOperation): 202 until done.
  if (faults.lro_location_only) delete headers['Azure-AsyncOperation'];
  return headers;
}
async function advance(op) {
  if (op.done) return;
  if (op.polls > 0) { op.polls -= 1; return; }
  op.done = true;
  if (op.error) { op.status = 'Failed'; return; }
  op.result = op.finish ? await op.finish() : undefined;
  op.status = 'Succeeded';
}

async function makeSas(entry) {
  const lifetime = Math.min(entry.duration, faults.sas_lifetime_seconds || entry.duration);
  const values = { containerName: entry.disk.container, blobName: entry.disk.blob,
    permissions: BlobSASPermissions.parse('r'), startsOn: new Date(Date.now() - 300e3),
    expiresOn: new Date(Date.now() + lifetime * 1000) };
  if (entry.snapshot_time) values.snapshotTime = entry.snapshot_time;
  const sas = generateBlobSASQueryParameters(values, azuriteCredential).toString();
  state.sas_issued += 1;
  const host = faults.blob_proxy ? `${base}/_blob` : config.azurite.endpoint;
  const snap = entry.snapshot_time ? `snapshot=${encodeURIComponent(entry.snapshot_time)}&` : '';
  return `${host}/${config.azurite.account}/${entry.disk.container}/${entry.disk.blob}?${snap}${sas}`;
}

// ---------- token endpoint ----------
async function token(req, res, tenant) {
  state.token_requests += 1;
  const form = new URLSearchParams(await readBody(req));
  const aad = (status, error, code, description) => send(res, status, { error,
    error_description: `AADSTS${code}: ${description}\r\nTrace ID: ${crypto.randomUUID()}`, error_codes: [code],
    timestamp: new Date().toISOString() });
  if (tenant !== config.tenant) return aad(400, 'invalid_request', 90002, `Tenant '${tenant}' not found.`);
  if (!/^application\/x-www-form-urlencoded/.test(req.headers['content-type'] || ''))
    return aad(400, 'invalid_request', 900144, 'The request body must contain the following parameter: grant_type.');
  if (form.get('grant_type') !== 'client_credentials')
    return aad(400, 'unsupported_grant_type', 70003, 'The app requested an unsupported grant type.');
  if (form.get('client_id') !== config.client_id)
    return aad(400, 'unauthorized_client', 700016, `Application with identifier '${form.get('client_id')}' was not found in the directory.`);
  const secret = Buffer.from(form.get('client_secret') || '');
  const want = Buffer.from(config.client_secret);
  if (secret.length !== want.length || !crypto.timingSafeEqual(secret, want)) {
    state.tokens_refused += 1;
    return aad(401, 'invalid_client', 7000215, 'Invalid client secret provided. Ensure the secret being sent in the request is the client secret value, not the client secret ID, for a secret added to app.');
  }
  if (form.get('scope') !== `${base}/.default`)
    return aad(400, 'invalid_scope', 1002012, `The provided value for scope ${form.get('scope')} is not valid.`);
  const t = issueToken();
  send(res, 200, { token_type: 'Bearer', expires_in: t.lifetime, ext_expires_in: t.lifetime, access_token: t.token });
}

function openidConfiguration(res, tenant) {
  const t = `${base}/${tenant}`;
  send(res, 200, { token_endpoint: `${t}/oauth2/v2.0/token`, authorization_endpoint: `${t}/oauth2/v2.0/authorize`,
    issuer: `${t}/v2.0`, jwks_uri: `${base}/${tenant}/discovery/v2.0/keys`, end_session_endpoint: `${t}/oauth2/v2.0/logout`,
    response_types_supported: ['code', 'id_token', 'code id_token', 'id_token token'],
    token_endpoint_auth_methods_supported: ['client_secret_post', 'private_key_jwt', 'client_secret_basic'],
    tenant_region_scope: null, cloud_instance_name: '127.0.0.1', cloud_graph_host_name: '127.0.0.1',
    msgraph_host: '127.0.0.1', rbac_url: base });
}

// ---------- ARM ----------
async function arm(req, res, url) {
  state.arm_calls += 1;
  state.calls.push(`${req.method} ${url.pathname}`);
  if (faults.rotate_key_after && state.arm_calls === faults.rotate_key_after + 1) {
    signingKey = crypto.randomBytes(32);
    state.key_rotations = (state.key_rotations || 0) + 1;
  }
  const bad = checkToken(req.headers.authorization);
  if (bad) {
    state.tokens_refused += 1;
    return armError(res, 401, bad[0], bad[1], { 'WWW-Authenticate': `Bearer authorization_uri="${base}/${config.tenant}", error="invalid_token", error_description="${bad[1]}"` });
  }
  if (throttleLeft > 0) {
    throttleLeft -= 1;
    state.throttled += 1;
    return armError(res, 429, 'TooManyRequests', 'The request is being throttled.',
      { 'Retry-After': String(faults.throttle.retry_after || 1) });
  }
  const p = url.pathname;
  const api = url.searchParams.get('api-version');
  const needApi = (version) => {
    if (api === version) return true;
    armError(res, 400, api ? 'InvalidApiVersionParameter' : 'MissingApiVersionParameter',
      `The api-version '${api}' is invalid. The supported versions include '${version}'.`);
    return false;
  };
  const sub = `/subscriptions/${config.subscription}`;
  if (!p.toLowerCase().startsWith(sub.toLowerCase() + '/'))
    return armError(res, 404, 'SubscriptionNotFound', `The subscription '${p.split('/')[2]}' could not be found.`);
  const rest = p.slice(sub.length);
  let m;

  // Operation status (Azure-AsyncOperation) and result (Location ?monitor=true).
  if ((m = /^\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/DiskOperations\/([^/]+)$/i.exec(rest))) {
    if (!needApi(DISK_API)) return;
    const op = operations.get(m[2]);
    if (!op) return armError(res, 404, 'NotFound', 'The operation was not found.');
    await advance(op);
    const retry = { 'Retry-After': String(faults.lro_retry_after || 0) };
    if (url.searchParams.get('monitor') === 'true') {
      if (!op.done) return send(res, 202, undefined, { ...retry, Location: `${base}${p}${url.search}` });
      if (op.status === 'Failed') return armError(res, op.error.status || 500, op.error.code, op.error.message);
      return op.result === undefined ? send(res, 200, undefined) : send(res, 200, op.result);
    }
    const body = { name: m[2], startTime: new Date().toISOString(), status: op.done ? op.status : 'InProgress' };
    if (op.status === 'Failed') body.error = { code: op.error.code, message: op.error.message };
    if (op.status === 'Succeeded' && op.result) body.properties = { output: op.result };
    return send(res, 200, body, op.done ? {} : retry);
  }
  if ((m = /^\/providers\/Microsoft\.Compute\/virtualMachines$/i.exec(rest)) ||
      (m = /^\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines$/i.exec(rest))) {
    if (req.method !== 'GET' || !needApi(COMPUTE_API)) return;
    const rg = m[1];
    const expand = url.searchParams.get('$expand') === 'instanceView' || url.searchParams.get('statusOnly') === 'true';
    const vms = config.vms.filter((v) => !rg || v.resource_group.toLowerCase() === rg.toLowerCase());
    // Pages of one VM, so clients must follow nextLink.
    const skip = Number(url.searchParams.get('$skiptoken') || 0);
    const page = { value: vms.slice(skip, skip + 1).map((v) => vmJson(v, expand)) };
    if (skip + 1 < vms.length) {
      const next = new URL(`${base}${p}`);
      for (const [k, v] of url.searchParams) if (k !== '$skiptoken') next.searchParams.set(k, v);
      next.searchParams.set('$skiptoken', String(skip + 1));
      page.nextLink = next.toString();
    }
    return send(res, 200, page);
  }
  if ((m = /^\/providers\/Microsoft\.Compute\/locations\/([^/]+)\/vmSizes$/i.exec(rest))) {
    if (!needApi(COMPUTE_API)) return;
    return send(res, 200, { value: [
      { name: 'Standard_D2s_v3', numberOfCores: 2, osDiskSizeInMB: 1047552, resourceDiskSizeInMB: 16384, memoryInMB: 8192, maxDataDiskCount: 4 },
      { name: 'Standard_B1s', numberOfCores: 1, osDiskSizeInMB: 1047552, resourceDiskSizeInMB: 4096, memoryInMB: 1024, maxDataDiskCount: 2 }] });
  }
  if ((m = /^\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/virtualMachines\/([^/]+)(\/[A-Za-z]+)?$/i.exec(rest))) {
    if (!needApi(COMPUTE_API)) return;
    const vm = findVm(m[1], m[2]);
    if (!vm) return armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.Compute/virtualMachines/${m[2]}' under resource group '${m[1]}' was not found. For more details please go to https://aka.ms/ARMResourceNotFoundFix`);
    const action = (m[3] || '').toLowerCase();
    if (req.method === 'GET' && action === '')
      return send(res, 200, vmJson(vm, url.searchParams.get('$expand') === 'instanceView'));
    if (req.method === 'GET' && action === '/instanceview')
      return send(res, 200, vmJson(vm, true).properties.instanceView);
    if (req.method === 'POST' && action === '/deallocate') {
      state.deallocated.push(vm.name);
      return send(res, 202, undefined, startOperation(res, vm.location || 'westeurope',
        { finish: async () => { vm.power_state = 'deallocated'; return undefined; } }));
    }
    return armError(res, 405, 'MethodNotAllowed', `${req.method} ${action || '(resource)'} is not served by this peer.`);
  }
  if ((m = /^\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Network\/networkInterfaces\/([^/]+)$/i.exec(rest))) {
    if (!needApi(NETWORK_API)) return;
    for (const vm of config.vms)
      for (const n of vm.nics || [])
        if (vm.resource_group.toLowerCase() === m[1].toLowerCase() && n.name.toLowerCase() === m[2].toLowerCase())
          return send(res, 200, { id: nicId(vm, n), name: n.name, type: 'Microsoft.Network/networkInterfaces',
            properties: { macAddress: n.mac, primary: true, ipConfigurations: [{ name: 'ipconfig1', properties: {
              subnet: { id: `${rgPath(vm.resource_group)}/providers/Microsoft.Network/virtualNetworks/${n.network || 'vnet'}/subnets/default` } } }] } });
    return armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.Network/networkInterfaces/${m[2]}' under resource group '${m[1]}' was not found.`);
  }
  if ((m = /^\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/(disks|snapshots)\/([^/]+)(\/beginGetAccess|\/endGetAccess)?$/i.exec(rest))) {
    if (!needApi(DISK_API)) return;
    const [, rg, kind, name, actionText] = m;
    const action = (actionText || '').toLowerCase();
    const isSnapshot = kind.toLowerCase() === 'snapshots';
    const id = `${rgPath(rg)}/providers/Microsoft.Compute/${isSnapshot ? 'snapshots' : 'disks'}/${name}`;
    let entry;  // {id, location, disk, snapshot_time?, vm?}
    if (isSnapshot) {
      const s = state.snapshots[id.toLowerCase()];
      if (s) entry = { id: s.id, location: s.location, disk: s.disk, snapshot_time: s.snapshot_time, snap: s };
    } else {
      const found = findDisk(rg, name);
      if (found) entry = { id: diskId(found.vm, found.disk), location: found.vm.location || 'westeurope', disk: found.disk, vm: found.vm };
    }
    if (isSnapshot && req.method === 'PUT' && !action) {
      const body = JSON.parse((await readBody(req)) || '{}');
      const creation = body.properties && body.properties.creationData;
      if (!body.location || !creation || creation.createOption !== 'Copy' || !creation.sourceResourceId)
        return armError(res, 400, 'InvalidParameter', "A snapshot needs 'location' and properties.creationData {createOption: 'Copy', sourceResourceId}.");
      if (body.properties.incremental !== false)
        return armError(res, 400, 'InvalidParameter', 'This peer takes full snapshots only: set properties.incremental to false.');
      const srcId = creation.sourceResourceId;
      const srcMatch = /\/resourceGroups\/([^/]+)\/providers\/Microsoft\.Compute\/disks\/([^/]+)$/i.exec(srcId);
      const src = srcMatch && findDisk(srcMatch[1], srcMatch[2]);
      if (!src) return armError(res, 404, 'ResourceNotFound', `The source disk '${srcId}' was not found.`);
      const s = { id, name, location: body.location, source: srcId, disk: src.disk, provisioning: 'Creating' };
      state.snapshots[id.toLowerCase()] = s;
      const headers = startOperation(res, body.location, faults.fail_snapshot
        ? { error: { code: 'InternalDiskManagementError', message: 'An internal disk management error occurred while copying the disk.' } }
        : { finish: async () => {
          const snap = await blobService.getContainerClient(src.disk.container).getPageBlobClient(src.disk.blob).createSnapshot();
          s.snapshot_time = snap.snapshot;
          s.provisioning = 'Succeeded';
          return undefined;
        } , resultViaLocation: false });
      if (faults.fail_snapshot) s.provisioning = 'Failed';
      if (headers['Azure-AsyncOperation']) delete headers.Location;
      return send(res, 201, snapshotJson(s), headers);
    }
    if (!entry) return armError(res, 404, 'ResourceNotFound', `The Resource 'Microsoft.Compute/${kind}/${name}' under resource group '${rg}' was not found.`);
    if (req.method === 'GET' && !action)
      return send(res, 200, isSnapshot ? snapshotJson(entry.snap) : diskJson(entry.vm, entry.disk));
    if (isSnapshot && req.method === 'DELETE' && !action) {
      if (state.grants[entry.id])
        return armError(res, 409, 'OperationNotAllowed', `Snapshot ${name} has an active SAS URI; revoke access first.`);
      return send(res, 202, undefined, startOperation(res, entry.location, { finish: async () => {
        delete state.snapshots[entry.id.toLowerCase()];
        state.deleted_snapshots.push(name);
        return undefined;
      } }));
    }
    if (req.method === 'POST' && action === '/begingetaccess') {
      const body = JSON.parse((await readBody(req)) || '{}');
      if (body.access !== 'Read' || !Number.isInteger(body.durationInSeconds) || body.durationInSeconds < 1)
        return armError(res, 400, 'InvalidParameter', "grantAccessData needs access 'Read' and durationInSeconds.");
      if (!isSnapshot && entry.vm.power_state !== 'deallocated')
        return armError(res, 409, 'OperationNotAllowed', `Disk ${name} is attached to VM ${entry.vm.name}; access can be granted only when the VM is deallocated.`);
      if (isSnapshot && entry.snap.provisioning !== 'Succeeded')
        return armError(res, 409, 'OperationNotAllowed', `Snapshot ${name} is not ready (${entry.snap.provisioning}).`);
      return send(res, 202, undefined, startOperation(res, entry.location, { finish: async () => {
        state.grants[entry.id] = (state.grants[entry.id] || 0) + 1;
        return { accessSAS: await makeSas({ ...entry, duration: body.durationInSeconds }) };
      } }));
    }
    if (req.method === 'POST' && action === '/endgetaccess') {
      return send(res, 202, undefined, startOperation(res, entry.location, { finish: async () => {
        if (state.grants[entry.id]) state.ended_grants.push(name);
        delete state.grants[entry.id];
        return undefined;
      } }));
    }
    return armError(res, 405, 'MethodNotAllowed', `${req.method} ${action || '(resource)'} is not served by this peer.`);
  }
  return armError(res, 404, 'InvalidResourceType', `The resource type '${p}' could not be found.`);
}

// ---------- optional blob proxy (faults on the data path) ----------
function proxyBlob(req, res, url) {
  state.blob_requests += 1;
  const blob = url.pathname;
  blobsInFlight.set(blob, (blobsInFlight.get(blob) || 0) + 1);
  state.blob_max_blobs_at_once = Math.max(state.blob_max_blobs_at_once, blobsInFlight.size);
  res.on('close', () => {
    const left = blobsInFlight.get(blob) - 1;
    if (left > 0) blobsInFlight.set(blob, left); else blobsInFlight.delete(blob);
  });
  const proxy = faults.blob_proxy || {};
  const range = req.headers['x-ms-range'] || req.headers.range || '';
  const first = Number((/bytes=(\d+)-/.exec(range) || [])[1]);
  if (proxy.fail_once_at !== undefined && first === proxy.fail_once_at && !proxy.failed) {
    proxy.failed = true;
    state.blob_failures_injected += 1;
    res.writeHead(500, { 'Content-Type': 'application/xml' });
    return res.end('<?xml version="1.0" encoding="utf-8"?><Error><Code>InternalError</Code><Message>Injected once by the peer.</Message></Error>');
  }
  const target = new URL(`${config.azurite.endpoint}${url.pathname.slice('/_blob'.length)}${url.search}`);
  const headers = { ...req.headers, host: target.host };
  const forward = () => {
    const upstream = https.request(target, { method: req.method, headers, ca: azuriteCa }, (answer) => {
      if (answer.statusCode === 403) state.blob_refused += 1;
      res.writeHead(answer.statusCode, answer.headers);
      answer.pipe(res);
    });
    upstream.on('error', (e) => { res.destroy(e); });
    req.pipe(upstream);
  };
  if (proxy.delay_ms) setTimeout(forward, proxy.delay_ms); else forward();
}

const server = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) }, (req, res) => {
  const url = new URL(req.url, base);
  let m;
  const handle = async () => {
    if (url.pathname === '/') return send(res, 200, { peer: 'azure-arm' });
    if (url.pathname === '/_peer/state') return send(res, 200, state);
    if (url.pathname.startsWith('/_blob/')) return proxyBlob(req, res, url);
    if (req.method === 'POST' && (m = /^\/([^/]+)\/oauth2\/v2\.0\/token$/.exec(url.pathname))) return token(req, res, m[1]);
    if (req.method === 'GET' && (m = /^\/([^/]+)\/v2\.0\/\.well-known\/openid-configuration$/.exec(url.pathname)))
      return openidConfiguration(res, m[1]);
    if (url.pathname.startsWith('/subscriptions/')) return arm(req, res, url);
    return armError(res, 404, 'NotFound', `No route for ${req.method} ${url.pathname}.`);
  };
  handle().catch((e) => {
    console.error(`arm_peer: ${e && e.stack ? e.stack : e}`);
    if (!res.headersSent) armError(res, 500, 'InternalServerError', String(e && e.message));
    else res.destroy();
  });
});
server.listen(port, '127.0.0.1', () => console.log(`arm_peer listening on ${base}`));
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => server.close(() => process.exit(0)));
