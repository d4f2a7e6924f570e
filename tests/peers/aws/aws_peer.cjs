// A loopback AWS peer for hypersdk's AWS provider tests: EC2's Query API
// (form-encoded POST, XML answers), the EBS direct read APIs (JSON, binary
// blocks with x-amz-Checksum SHA-256) and the S3 object calls the provider
// uses (HEAD, GET with Range and If-Match, DELETE; PUT for the conformance
// test), on one HTTPS port of 127.0.0.1. It follows AWS's documented wire
// formats and checks the SigV4 signature of EVERY request with AWS's own
// signer, @smithy/signature-v4, and the test credentials: a request it cannot
// verify gets the error AWS gives (SignatureDoesNotMatch, ...).
//
// Volumes are raw image files made by the test with qemu-img; snapshots
// serve their bytes, unallocated (all-zero) 512 KiB blocks are not listed.
// CreateInstanceExportTask really converts the root volume with qemu-img
// (-o subformat=streamOptimized) into the bucket.
//
//   node aws_peer.cjs --port P --cert C --key K --dir D --state STATE.json
//
// STATE.json: {region, credentials: {accessKeyId, secretAccessKey, sessionToken?},
//   instances: [{id, name, state, type, bootMode, platformDetails, architecture,
//     rootDeviceName, volumes: [{id, device, image, sizeGiB}], nics: [{id, mac, subnetId, privateIp}]}],
//   instanceTypes: {type: {vcpus, memoryMiB, bootModes}}, buckets: [name],
//   snapshotDescribesUntilCompleted, exportDescribesUntilCompleted, pageSize: {instances, blocks}}
// Test-only control (unsigned, loopback): POST /__control/faults (JSON, merged):
//   throttle: {"ec2:DescribeInstances": N, "ebs:GetSnapshotBlock": N, ...} answer N times with AWS's throttling error
//   corruptBlocks: {"INDEX": N} serve wrong bytes (with the right checksum) N times; a key
//                  "VOLUME-ID:INDEX" does so only for that volume's snapshots
//   dropBlocks: {"INDEX": N} cut the connection half-way through the block N times
//   blockGate: {snapshots: N, timeoutMs: T}  hold GetSnapshotBlock answers until block requests of
//              N different snapshots are waiting at once (then the gate stays open), or T ms passed
//              for a request (counted in stats.gateTimeouts)
//   blockDelayMs: N            answer each GetSnapshotBlock N ms late (a slow EBS)
//   deny: ["ec2:CreateSnapshots", ...]  answer UnauthorizedOperation (EC2) / AccessDeniedException (EBS) / AccessDenied (S3)
//   snapshotError: "message"   snapshots end in state error
//   holdSnapshots: true        snapshots stay pending;  holdExports: true  export tasks stay active
// GET /__control/state: snapshots, export tasks, objects, counters (stats.maxSnapshotsInFlight: the
// most snapshots whose blocks were being requested at one time).
// GET /__control/raw/VOLUME-ID: the volume's image as one object (the benchmark's baseline).
'use strict';
const assert = require('node:assert/strict');
const crypto = require('node:crypto');
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const { spawn, spawnSync } = require('node:child_process');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@smithy/core/checksum');

const BLOCK_SIZE = 512 * 1024;
const GiB = 1024 * 1024 * 1024;
const EC2_NS = 'http://ec2.amazonaws.com/doc/2016-11-15/';

function args() {
  const out = {};
  const a = process.argv.slice(2);
  for (let i = 0; i + 1 < a.length; i += 2) out[a[i].replace(/^--/, '')] = a[i + 1];
  for (const k of ['port', 'cert', 'key', 'dir', 'state']) assert.ok(out[k], `--${k} is required`);
  return out;
}
const opts = args();
const state = JSON.parse(fs.readFileSync(opts.state, 'utf8'));
const creds = state.credentials;
const region = state.region || 'us-east-1';
const faults = { throttle: {}, corruptBlocks: {}, dropBlocks: {}, deny: [] };
const stats = { requests: 0, signatureFailures: 0, byOperation: {}, blockBytes: 0, blocksServed: 0, objectBytes: 0,
  maxSnapshotsInFlight: 0, gateTimeouts: 0 };
const snapshots = new Map();  // id -> {id, volumeId, image, sizeGiB, state, describes, deleted, blocks, tags}
const exportTasks = new Map();
const objects = new Map();    // "bucket/key" -> file path
const buckets = new Set(state.buckets || []);
const s3Dir = path.join(opts.dir, 's3');
fs.mkdirSync(s3Dir, { recursive: true });
let counter = 0;
const newId = (prefix) => `${prefix}-${(0x1000000000000 + ++counter * 7919).toString(16).padStart(17, '0')}`;

const instances = new Map(state.instances.map((i) => [i.id, i]));
const volumes = new Map();
for (const inst of state.instances)
  for (const v of inst.volumes) {
    const size = fs.statSync(v.image).size;
    assert.equal(size, v.sizeGiB * GiB, `volume ${v.id}: its image must be exactly sizeGiB GiB`);
    volumes.set(v.id, { ...v, instanceId: inst.id });
  }

// ---------------------------------------------------------------- signatures

function signerFor(service) {
  return new SignatureV4({
    credentials: { accessKeyId: creds.accessKeyId, secretAccessKey: creds.secretAccessKey, sessionToken: creds.sessionToken },
    region, service, sha256: Sha256, uriEscapePath: service !== 's3', applyChecksum: false,
  });
}
const signers = { ec2: signerFor('ec2'), ebs: signerFor('ebs'), s3: signerFor('s3') };

// Re-signs what the client sent with AWS's signer and compares. Returns null or [code, message].
async function verifySignature(req, url, body, service) {
  const auth = req.headers.authorization || '';
  const m = /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/.exec(auth);
  if (!m) return ['IncompleteSignature', 'The request must carry an AWS4-HMAC-SHA256 Authorization header.'];
  const [, akid, day, scopeRegion, scopeService, signedHeaders, signature] = m;
  if (akid !== creds.accessKeyId) return ['InvalidClientTokenId', 'The security token included in the request is invalid.'];
  if (scopeRegion !== region) return ['SignatureDoesNotMatch', `Credential should be scoped to a valid region, not '${scopeRegion}'.`];
  if (scopeService !== service) return ['SignatureDoesNotMatch', `Credential should be scoped to correct service: '${service}'.`];
  const amzDate = req.headers['x-amz-date'] || '';
  const dm = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(amzDate);
  if (!dm || amzDate.slice(0, 8) !== day) return ['IncompleteSignature', 'x-amz-date is missing or does not match the credential scope.'];
  const when = new Date(Date.UTC(+dm[1], +dm[2] - 1, +dm[3], +dm[4], +dm[5], +dm[6]));
  if (Math.abs(Date.now() - when.getTime()) > 15 * 60 * 1000) return ['RequestExpired', 'Request has expired.'];
  if (creds.sessionToken && req.headers['x-amz-security-token'] !== creds.sessionToken)
    return ['InvalidClientTokenId', 'The security token included in the request is invalid.'];
  const signed = signedHeaders.split(';');
  for (const h of ['host', 'x-amz-date']) if (!signed.includes(h)) return ['SignatureDoesNotMatch', `${h} must be signed.`];
  if (creds.sessionToken && !signed.includes('x-amz-security-token'))
    return ['SignatureDoesNotMatch', 'x-amz-security-token must be signed.'];
  const headers = {};
  for (const h of signed) {
    if (req.headers[h] === undefined) return ['SignatureDoesNotMatch', `signed header ${h} is missing`];
    headers[h] = String(req.headers[h]);
  }
  const query = {};
  for (const [k, v] of url.searchParams) {
    if (query[k] === undefined) query[k] = v;
    else query[k] = [].concat(query[k], v);
  }
  // The payload hash: x-amz-content-sha256 when sent (and it must be the body's), else the body's SHA-256.
  const claimed = req.headers['x-amz-content-sha256'];
  const actual = crypto.createHash('sha256').update(body).digest('hex');
  if (claimed !== undefined && claimed !== 'UNSIGNED-PAYLOAD' && claimed !== actual)
    return ['XAmzContentSHA256Mismatch', 'The provided x-amz-content-sha256 header does not match what was computed.'];
  const rawPath = req.url.split('?')[0];
  const request = { method: req.method, protocol: 'https:', hostname: url.hostname, port: Number(url.port), path: rawPath, query, headers, body };
  const resigned = await signers[service].sign(request, { signingDate: when });
  const expected = /Signature=([0-9a-f]{64})/.exec(resigned.headers.authorization)[1];
  const expectedHeaders = /SignedHeaders=([^,]+)/.exec(resigned.headers.authorization)[1];
  if (expectedHeaders !== signedHeaders) return ['SignatureDoesNotMatch', `the signed headers differ: ${signedHeaders} vs ${expectedHeaders}`];
  return expected === signature ? null
    : ['SignatureDoesNotMatch', 'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method.'];
}

// ---------------------------------------------------------------- answers

const xmlEscape = (s) => String(s).replace(/[<>&'"]/g, (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', "'": '&apos;', '"': '&quot;' }[c]));
const requestId = () => crypto.randomUUID();

function send(res, status, headers, body) {
  res.writeHead(status, { 'x-amzn-RequestId': requestId(), 'Content-Length': Buffer.byteLength(body || ''), ...headers });
  res.end(body);
}
function ec2Error(res, status, code, message) {
  send(res, status, { 'Content-Type': 'text/xml;charset=UTF-8' },
    `<?xml version="1.0" encoding="UTF-8"?>\n<Response><Errors><Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message></Error></Errors><RequestID>${requestId()}</RequestID></Response>`);
}
function jsonError(res, status, code, message) {
  send(res, status, { 'Content-Type': 'application/json', 'x-amzn-ErrorType': `${code}:http://internal.amazon.com/coral/com.amazon.coral.service/` },
    JSON.stringify({ message }));
}
function s3Error(res, status, code, message, head) {
  const body = head ? '' : `<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>${xmlEscape(code)}</Code><Message>${xmlEscape(message)}</Message><RequestId>${requestId()}</RequestId></Error>`;
  res.writeHead(status, { 'Content-Type': 'application/xml', 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}
function ec2Answer(res, action, inner) {
  send(res, 200, { 'Content-Type': 'text/xml;charset=UTF-8' },
    `<?xml version="1.0" encoding="UTF-8"?>\n<${action}Response xmlns="${EC2_NS}"><requestId>${requestId()}</requestId>${inner}</${action}Response>`);
}
const items = (list, fn) => list.map((x) => `<item>${fn(x)}</item>`).join('');
const tag = (name, value) => (value === undefined || value === null ? '' : `<${name}>${xmlEscape(value)}</${name}>`);

// Throttling: each operation named in faults.throttle fails that many times first.
function throttled(operation) {
  const left = faults.throttle[operation] || 0;
  if (left <= 0) return false;
  faults.throttle[operation] = left - 1;
  return true;
}
function count(operation) {
  stats.byOperation[operation] = (stats.byOperation[operation] || 0) + 1;
}

// ---------------------------------------------------------------- EC2

function listParam(params, prefix) {
  const out = [];
  for (let i = 1; params.has(`${prefix}.${i}`); ++i) out.push(params.get(`${prefix}.${i}`));
  return out;
}

function instanceXml(i) {
  const volumesXml = items(i.volumes, (v) => `${tag('deviceName', v.device)}<ebs>${tag('volumeId', v.id)}${tag('status', 'attached')}<deleteOnTermination>true</deleteOnTermination></ebs>`);
  const nicsXml = items(i.nics || [], (n) => `${tag('networkInterfaceId', n.id)}${tag('subnetId', n.subnetId)}${tag('macAddress', n.mac)}${tag('privateIpAddress', n.privateIp)}<attachment>${tag('deviceIndex', n.deviceIndex || 0)}</attachment>`);
  const codes = { pending: 0, running: 16, 'shutting-down': 32, terminated: 48, stopping: 64, stopped: 80 };
  return `${tag('instanceId', i.id)}${tag('imageId', i.imageId || 'ami-0abcdef1234567890')}<instanceState><code>${codes[i.state] ?? 0}</code>${tag('name', i.state)}</instanceState>` +
    `${tag('instanceType', i.type)}${tag('architecture', i.architecture || 'x86_64')}${tag('rootDeviceType', 'ebs')}${tag('rootDeviceName', i.rootDeviceName)}` +
    `<blockDeviceMapping>${volumesXml}</blockDeviceMapping><networkInterfaceSet>${nicsXml}</networkInterfaceSet>` +
    `<tagSet>${i.name ? `<item><key>Name</key>${tag('value', i.name)}</item>` : ''}</tagSet>` +
    `${tag('platformDetails', i.platformDetails || 'Linux/UNIX')}${i.bootMode ? tag('bootMode', i.bootMode) : ''}${i.bootMode ? tag('currentInstanceBootMode', i.bootMode) : ''}`;
}

function snapshotXml(s) {
  return `${tag('snapshotId', s.id)}${tag('volumeId', s.volumeId)}${tag('status', s.state)}${tag('progress', s.progress)}` +
    `${tag('volumeSize', s.sizeGiB)}${tag('description', s.description)}${s.statusMessage ? tag('statusMessage', s.statusMessage) : ''}` +
    `<tagSet>${items(s.tags, (t) => `${tag('key', t.key)}${tag('value', t.value)}`)}</tagSet>`;
}

function advanceSnapshot(s) {
  if (s.state !== 'pending' || faults.holdSnapshots) return;
  s.describes += 1;
  const need = state.snapshotDescribesUntilCompleted ?? 2;
  if (faults.snapshotError) {
    s.state = 'error';
    s.statusMessage = faults.snapshotError;
    return;
  }
  if (s.describes >= need) {
    s.state = 'completed';
    s.progress = '100%';
  } else {
    s.progress = `${Math.floor((100 * s.describes) / need)}%`;
  }
}

function exportTaskXml(t) {
  return `${tag('exportTaskId', t.id)}${tag('description', t.description)}${tag('state', t.state)}${tag('statusMessage', t.statusMessage)}` +
    `<instanceExport>${tag('instanceId', t.instanceId)}${tag('targetEnvironment', 'vmware')}</instanceExport>` +
    `<exportToS3>${tag('diskImageFormat', 'vmdk')}${tag('containerFormat', undefined)}${tag('s3Bucket', t.bucket)}${tag('s3Key', t.key)}</exportToS3>`;
}

function advanceExport(t) {
  if (t.state !== 'active' || faults.holdExports) return;
  t.describes += 1;
  if (t.converted && t.describes >= (state.exportDescribesUntilCompleted ?? 2)) {
    t.state = 'completed';
    t.statusMessage = '';
    objects.set(`${t.bucket}/${t.key}`, t.file);
  } else {
    t.statusMessage = t.converted ? 'Exporting: 90%' : 'Converting the disk image';
  }
}

function startExport(t, image) {
  t.child = spawn('qemu-img', ['convert', '-f', 'raw', '-O', 'vmdk', '-o', 'subformat=streamOptimized', image, t.file + '.part'],
    { stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  t.child.stderr.on('data', (d) => { err += d; });
  t.child.on('exit', (code) => {
    t.child = null;
    if (t.state !== 'active') return;
    if (code === 0) {
      fs.renameSync(t.file + '.part', t.file);
      t.converted = true;
    } else {
      t.state = 'cancelled';
      t.statusMessage = `qemu-img failed: ${err.trim()}`;
    }
  });
}

function ec2(req, res, body, url) {
  const params = new URLSearchParams(body.toString('utf8'));
  const action = params.get('Action');
  if (params.get('Version') !== '2016-11-15') return ec2Error(res, 400, 'InvalidParameterValue', 'Version must be 2016-11-15');
  count(`ec2:${action}`);
  if (throttled(`ec2:${action}`)) return ec2Error(res, 503, 'RequestLimitExceeded', 'Request limit exceeded.');
  if (faults.deny.includes(`ec2:${action}`)) return ec2Error(res, 403, 'UnauthorizedOperation', 'You are not authorized to perform this operation.');
  switch (action) {
    case 'DescribeInstances': {
      let list = [...instances.values()];
      const ids = listParam(params, 'InstanceId');
      if (ids.length) {
        const missing = ids.filter((id) => !instances.has(id));
        if (missing.length) return ec2Error(res, 400, 'InvalidInstanceID.NotFound', `The instance ID '${missing[0]}' does not exist`);
        list = ids.map((id) => instances.get(id));
      }
      for (let f = 1; params.has(`Filter.${f}.Name`); ++f) {
        const name = params.get(`Filter.${f}.Name`);
        const values = listParam(params, `Filter.${f}.Value`);
        if (name !== 'tag:Name') return ec2Error(res, 400, 'InvalidParameterValue', `The filter '${name}' is not supported by this peer`);
        list = list.filter((i) => values.includes(i.name));
      }
      if (params.has('MaxResults')) {
        const max = Number(params.get('MaxResults'));
        if (ids.length) return ec2Error(res, 400, 'InvalidParameterCombination', 'The parameter instancesSet cannot be used with the parameter maxResults');
        if (!Number.isInteger(max) || max < 5 || max > 1000) return ec2Error(res, 400, 'InvalidParameterValue', `Value ( ${params.get('MaxResults')} ) for parameter maxResults is invalid. Expecting a value between 5 and 1000.`);
      }
      const pageSize = Math.min(Number(params.get('MaxResults') || 1000), state.pageSize?.instances || 1000);
      const start = Number(params.get('NextToken') ? Buffer.from(params.get('NextToken'), 'base64').toString() : 0);
      const page = list.slice(start, start + pageSize);
      const next = start + pageSize < list.length ? Buffer.from(String(start + pageSize)).toString('base64') : null;
      return ec2Answer(res, action, `<reservationSet>${items(page, (i) => `${tag('reservationId', 'r-' + i.id.slice(2))}<instancesSet><item>${instanceXml(i)}</item></instancesSet>`)}</reservationSet>${next ? tag('nextToken', next) : ''}`);
    }
    case 'DescribeVolumes': {
      const ids = listParam(params, 'VolumeId');
      const missing = ids.filter((id) => !volumes.has(id));
      if (missing.length) return ec2Error(res, 400, 'InvalidVolume.NotFound', `The volume '${missing[0]}' does not exist.`);
      const list = ids.length ? ids.map((id) => volumes.get(id)) : [...volumes.values()];
      return ec2Answer(res, action, `<volumeSet>${items(list, (v) => `${tag('volumeId', v.id)}${tag('size', v.sizeGiB)}${tag('volumeType', v.type || 'gp3')}<encrypted>false</encrypted>${tag('status', 'in-use')}<attachmentSet><item>${tag('volumeId', v.id)}${tag('instanceId', v.instanceId)}${tag('device', v.device)}</item></attachmentSet>`)}</volumeSet>`);
    }
    case 'DescribeInstanceTypes': {
      const types = listParam(params, 'InstanceType');
      const known = types.filter((t) => state.instanceTypes[t]);
      if (known.length !== types.length) return ec2Error(res, 400, 'InvalidInstanceType', `The instance type '${types.find((t) => !state.instanceTypes[t])}' does not exist`);
      return ec2Answer(res, action, `<instanceTypeSet>${items(known, (t) => {
        const d = state.instanceTypes[t];
        return `${tag('instanceType', t)}<vCpuInfo>${tag('defaultVCpus', d.vcpus)}</vCpuInfo><memoryInfo>${tag('sizeInMiB', d.memoryMiB)}</memoryInfo><supportedBootModes>${(d.bootModes || ['legacy-bios']).map((m) => tag('item', m)).join('')}</supportedBootModes>`;
      })}</instanceTypeSet>`);
    }
    case 'CreateSnapshots': {
      const inst = instances.get(params.get('InstanceSpecification.InstanceId'));
      if (!inst) return ec2Error(res, 400, 'InvalidInstanceID.NotFound', `The instance ID '${params.get('InstanceSpecification.InstanceId')}' does not exist`);
      const tags = [];
      if (params.get('TagSpecification.1.ResourceType') === 'snapshot')
        for (let t = 1; params.has(`TagSpecification.1.Tag.${t}.Key`); ++t)
          tags.push({ key: params.get(`TagSpecification.1.Tag.${t}.Key`), value: params.get(`TagSpecification.1.Tag.${t}.Value`) || '' });
      const created = inst.volumes.map((v) => {
        const s = { id: newId('snap'), volumeId: v.id, image: v.image, sizeGiB: v.sizeGiB, state: 'pending', progress: '0%', describes: 0,
          deleted: false, tags, description: params.get('Description') || '' };
        snapshots.set(s.id, s);
        return s;
      });
      return ec2Answer(res, action, `<snapshotSet>${items(created, (s) => `${tag('snapshotId', s.id)}${tag('volumeId', s.volumeId)}${tag('state', s.state)}${tag('volumeSize', s.sizeGiB)}${tag('progress', s.progress)}${tag('startTime', new Date().toISOString())}`)}</snapshotSet>`);
    }
    case 'DescribeSnapshots': {
      const ids = listParam(params, 'SnapshotId');
      const list = [];
      for (const id of ids) {
        const s = snapshots.get(id);
        if (!s || s.deleted) return ec2Error(res, 400, 'InvalidSnapshot.NotFound', `The snapshot '${id}' does not exist.`);
        advanceSnapshot(s);
        list.push(s);
      }
      return ec2Answer(res, action, `<snapshotSet>${items(list, snapshotXml)}</snapshotSet>`);
    }
    case 'DeleteSnapshot': {
      const s = snapshots.get(params.get('SnapshotId'));
      if (!s || s.deleted) return ec2Error(res, 400, 'InvalidSnapshot.NotFound', `The snapshot '${params.get('SnapshotId')}' does not exist.`);
      s.deleted = true;
      return ec2Answer(res, action, '<return>true</return>');
    }
    case 'StopInstances': {
      const ids = listParam(params, 'InstanceId');
      const list = [];
      for (const id of ids) {
        const i = instances.get(id);
        if (!i) return ec2Error(res, 400, 'InvalidInstanceID.NotFound', `The instance ID '${id}' does not exist`);
        const previous = i.state;
        i.state = 'stopped';  // at once: the peer has no guest to shut down
        list.push({ id, previous });
      }
      return ec2Answer(res, action, `<instancesSet>${items(list, (x) => `${tag('instanceId', x.id)}<currentState><code>64</code><name>stopping</name></currentState><previousState><name>${x.previous}</name></previousState>`)}</instancesSet>`);
    }
    case 'CreateInstanceExportTask': {
      const inst = instances.get(params.get('InstanceId'));
      if (!inst) return ec2Error(res, 400, 'InvalidInstanceID.NotFound', `The instance ID '${params.get('InstanceId')}' does not exist`);
      const bucket = params.get('ExportToS3.S3Bucket');
      if (!buckets.has(bucket)) return ec2Error(res, 400, 'InvalidParameter', `The bucket '${bucket}' does not exist or EC2 cannot write to it`);
      if ((params.get('ExportToS3.DiskImageFormat') || '').toUpperCase() !== 'VMDK' || params.get('TargetEnvironment') !== 'vmware')
        return ec2Error(res, 400, 'InvalidParameter', 'this peer exports VMDK for vmware only');
      const id = newId('export-i');
      const key = `${params.get('ExportToS3.S3Prefix') || ''}${id}.vmdk`;
      const t = { id, instanceId: inst.id, bucket, key, state: 'active', statusMessage: '', describes: 0, converted: false,
        description: params.get('Description') || '', file: path.join(s3Dir, crypto.createHash('sha256').update(`${bucket}/${key}`).digest('hex')) };
      exportTasks.set(id, t);
      startExport(t, volumes.get(inst.volumes[0].id).image);
      return ec2Answer(res, action, `<exportTask>${exportTaskXml(t)}</exportTask>`);
    }
    case 'DescribeExportTasks': {
      const ids = listParam(params, 'ExportTaskId');
      const list = ids.length ? ids.map((id) => exportTasks.get(id)) : [...exportTasks.values()];
      if (list.some((t) => !t)) return ec2Error(res, 400, 'InvalidExportTaskID.NotFound', 'The export task ID does not exist.');
      list.forEach(advanceExport);
      return ec2Answer(res, action, `<exportTaskSet>${items(list, exportTaskXml)}</exportTaskSet>`);
    }
    case 'CancelExportTask': {
      const t = exportTasks.get(params.get('ExportTaskId'));
      if (!t) return ec2Error(res, 400, 'InvalidExportTaskID.NotFound', 'The export task ID does not exist.');
      if (t.state !== 'active') return ec2Error(res, 400, 'IncorrectState', `Export task ${t.id} is ${t.state}.`);
      t.state = 'cancelled';
      if (t.child) t.child.kill('SIGKILL');
      fs.rmSync(t.file + '.part', { force: true });
      fs.rmSync(t.file, { force: true });
      return ec2Answer(res, action, '<return>true</return>');
    }
    default:
      return ec2Error(res, 400, 'InvalidAction', `The action ${action} is not valid for this web service.`);
  }
}

// ---------------------------------------------------------------- EBS direct

function blockToken(snapshotId, index) {
  // Opaque, with the characters real tokens have (+ / =), so clients must encode them.
  return crypto.createHmac('sha256', 'peer-block-token').update(`${snapshotId}/${index}`).digest('base64') + '+/=';
}

// Allocated blocks: the 512 KiB blocks holding data in the snapshot's image,
// as `qemu-img map` reports the file's extents (SEEK_DATA: fast on sparse
// images). Images do not change during a test: mapped once per image.
const allocationByImage = new Map();
function allocatedBlocks(s) {
  if (s.blocks) return s.blocks;
  if (!allocationByImage.has(s.image)) {
    const map = spawnSync('qemu-img', ['map', '--output=json', '-f', 'raw', s.image], { encoding: 'utf8', maxBuffer: 256 << 20 });
    if (map.status !== 0) throw new Error(`qemu-img map ${s.image} failed: ${map.stderr}`);
    const blocks = new Set();
    for (const e of JSON.parse(map.stdout)) {
      if (!e.data || e.zero) continue;
      for (let b = Math.floor(e.start / BLOCK_SIZE); b * BLOCK_SIZE < e.start + e.length; ++b) blocks.add(b);
    }
    allocationByImage.set(s.image, [...blocks].sort((a, b) => a - b));
  }
  s.blocks = allocationByImage.get(s.image);
  return s.blocks;
}

// Block requests in flight, by snapshot id (from arrival until the answer is finished or dropped).
const blocksInFlight = new Map();
function trackInFlight(snapshotId, res) {
  blocksInFlight.set(snapshotId, (blocksInFlight.get(snapshotId) || 0) + 1);
  stats.maxSnapshotsInFlight = Math.max(stats.maxSnapshotsInFlight, blocksInFlight.size);
  res.on('close', () => {
    const left = blocksInFlight.get(snapshotId) - 1;
    if (left > 0) blocksInFlight.set(snapshotId, left);
    else blocksInFlight.delete(snapshotId);
  });
}

// faults.blockGate: answers wait until blocks of `snapshots` different snapshots are requested at once.
let gateWaiters = [];
function throughGate(snapshotId, go) {
  const gate = faults.blockGate;
  if (!gate || gate.open) return go();
  const waiter = { snapshotId, go, timer: null };
  gateWaiters.push(waiter);
  if (new Set(gateWaiters.map((w) => w.snapshotId)).size >= gate.snapshots) {
    gate.open = true;
    const all = gateWaiters;
    gateWaiters = [];
    for (const w of all) {
      clearTimeout(w.timer);
      w.go();
    }
    return undefined;
  }
  waiter.timer = setTimeout(() => {
    gateWaiters = gateWaiters.filter((w) => w !== waiter);
    stats.gateTimeouts += 1;
    go();
  }, gate.timeoutMs || 10000);
  return undefined;
}

function ebs(req, res, url) {
  const m = /^\/snapshots\/([^/]+)\/blocks(?:\/(\d+))?$/.exec(url.pathname);
  const operation = m && m[2] !== undefined ? 'ebs:GetSnapshotBlock' : 'ebs:ListSnapshotBlocks';
  if (!m || req.method !== 'GET') return jsonError(res, 404, 'ResourceNotFoundException', 'No such EBS direct operation');
  count(operation);
  if (throttled(operation)) return jsonError(res, 400, 'ThrottlingException', 'Rate exceeded');  // EBS throttles with 400
  if (faults.deny.includes(operation)) return jsonError(res, 403, 'AccessDeniedException', `User is not authorized to perform: ${operation}`);
  const s = snapshots.get(decodeURIComponent(m[1]));
  if (!s || s.deleted) return jsonError(res, 404, 'ResourceNotFoundException', `The snapshot '${decodeURIComponent(m[1])}' does not exist.`);
  if (s.state !== 'completed') return jsonError(res, 400, 'ValidationException', `The snapshot '${s.id}' is not completed.`);
  const blocks = allocatedBlocks(s);
  if (m[2] === undefined) {
    const max = Math.min(Math.max(Number(url.searchParams.get('maxResults') || 10000), 100), 10000, state.pageSize?.blocks || 10000);
    const startAfter = url.searchParams.get('pageToken') ? Number(Buffer.from(url.searchParams.get('pageToken'), 'base64').toString()) : 0;
    const page = blocks.filter((b) => b >= startAfter).slice(0, max);
    const more = page.length > 0 && blocks.some((b) => b > page[page.length - 1]);
    const answer = { BlockSize: BLOCK_SIZE, Blocks: page.map((b) => ({ BlockIndex: b, BlockToken: blockToken(s.id, b) })),
      ExpiryTime: Math.floor(Date.now() / 1000) + 3600, VolumeSize: s.sizeGiB };
    if (more) answer.NextToken = Buffer.from(String(page[page.length - 1] + 1)).toString('base64');
    return send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify(answer));
  }
  const index = Number(m[2]);
  if (url.searchParams.get('blockToken') !== blockToken(s.id, index))
    return jsonError(res, 400, 'ValidationException', `The block token for block ${index} is not valid.`);
  trackInFlight(s.id, res);
  const answer = () => {
    if (req.socket.destroyed) return;  // the client gave up while the answer was held
    try {
      serveBlock(res, s, index);
    } catch (e) {
      console.error(`aws peer: ${e && e.stack ? e.stack : e}`);
      if (!res.headersSent) send(res, 500, { 'Content-Type': 'text/plain' }, 'peer error');
      else res.destroy();
    }
  };
  return throughGate(s.id, () => (faults.blockDelayMs > 0 ? setTimeout(answer, faults.blockDelayMs) : answer()));
}

function serveBlock(res, s, index) {
  const fd = fs.openSync(s.image, 'r');
  const data = Buffer.alloc(BLOCK_SIZE);
  try {
    fs.readSync(fd, data, 0, BLOCK_SIZE, index * BLOCK_SIZE);
  } finally {
    fs.closeSync(fd);
  }
  const checksum = crypto.createHash('sha256').update(data).digest('base64');
  const headers = { 'Content-Type': 'application/octet-stream', 'Content-Length': BLOCK_SIZE, 'x-amz-Data-Length': BLOCK_SIZE,
    'x-amz-Checksum': checksum, 'x-amz-Checksum-Algorithm': 'SHA256', 'x-amzn-RequestId': requestId() };
  if ((faults.dropBlocks[index] || 0) > 0) {
    faults.dropBlocks[index] -= 1;
    res.writeHead(200, headers);
    res.write(data.subarray(0, BLOCK_SIZE / 2), () => setTimeout(() => res.socket && res.socket.destroy(), 20));
    return undefined;
  }
  let body = data;
  const corruptKey = [`${s.volumeId}:${index}`, String(index)].find((k) => (faults.corruptBlocks[k] || 0) > 0);
  if (corruptKey !== undefined) {
    faults.corruptBlocks[corruptKey] -= 1;
    body = Buffer.from(data);
    body[12345] ^= 0x5a;
  }
  stats.blocksServed += 1;
  stats.blockBytes += BLOCK_SIZE;
  res.writeHead(200, headers);
  res.end(body);
  return undefined;
}

// ---------------------------------------------------------------- S3

function s3(req, res, url, body) {
  const m = /^\/([^/]+)\/(.+)$/.exec(url.pathname);
  const head = req.method === 'HEAD';
  if (!m) return s3Error(res, 400, 'InvalidRequest', 'only path-style object requests are served', head);
  const bucket = decodeURIComponent(m[1]);
  const key = decodeURIComponent(m[2]);
  const operation = { GET: 's3:GetObject', HEAD: 's3:HeadObject', PUT: 's3:PutObject', DELETE: 's3:DeleteObject' }[req.method];
  if (!operation) return s3Error(res, 405, 'MethodNotAllowed', 'The specified method is not allowed against this resource.', head);
  count(operation);
  if (throttled(operation)) return s3Error(res, 503, 'SlowDown', 'Please reduce your request rate.', head);
  if (faults.deny.includes(operation)) return s3Error(res, 403, 'AccessDenied', 'Access Denied', head);
  if (!buckets.has(bucket)) return s3Error(res, 404, 'NoSuchBucket', 'The specified bucket does not exist', head);
  const id = `${bucket}/${key}`;
  if (req.method === 'PUT') {
    const file = path.join(s3Dir, crypto.createHash('sha256').update(id).digest('hex'));
    fs.writeFileSync(file, body);
    objects.set(id, file);
    return send(res, 200, { ETag: `"${crypto.createHash('md5').update(body).digest('hex')}"` }, '');
  }
  const file = objects.get(id);
  if (!file) return s3Error(res, 404, 'NoSuchKey', 'The specified key does not exist.', head);
  if (req.method === 'DELETE') {
    objects.delete(id);
    fs.rmSync(file, { force: true });
    return send(res, 204, {}, '');
  }
  const size = fs.statSync(file).size;
  const etag = `"${crypto.createHash('md5').update(`${file}:${size}`).digest('hex')}"`;
  if (req.headers['if-match'] && req.headers['if-match'] !== etag) return s3Error(res, 412, 'PreconditionFailed', 'At least one of the pre-conditions you specified did not hold', head);
  let first = 0;
  let last = size - 1;
  let status = 200;
  const headers = { 'Content-Type': 'application/octet-stream', ETag: etag, 'Accept-Ranges': 'bytes', 'Last-Modified': new Date().toUTCString() };
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
  if (range && !head) {
    first = Number(range[1]);
    last = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (first >= size || last < first) return s3Error(res, 416, 'InvalidRange', 'The requested range is not satisfiable', head);
    status = 206;
    headers['Content-Range'] = `bytes ${first}-${last}/${size}`;
  }
  headers['Content-Length'] = head ? size : last - first + 1;
  res.writeHead(status, headers);
  if (head) return res.end();
  stats.objectBytes += last - first + 1;
  fs.createReadStream(file, { start: first, end: last }).pipe(res);
  return undefined;
}

// ---------------------------------------------------------------- server

function control(req, res, url, body) {
  if (req.method === 'POST' && url.pathname === '/__control/faults') {
    const f = JSON.parse(body.toString('utf8') || '{}');
    for (const k of ['throttle', 'corruptBlocks', 'dropBlocks']) if (f[k]) Object.assign(faults[k], f[k]);
    for (const k of ['snapshotError', 'holdSnapshots', 'holdExports', 'deny', 'blockGate', 'blockDelayMs']) if (k in f) faults[k] = f[k];
    return send(res, 200, { 'Content-Type': 'application/json' }, '{}');
  }
  // A volume's image as one plain object (unsigned), for bench/export-aws's curl baseline.
  const raw = /^\/__control\/raw\/([^/]+)$/.exec(url.pathname);
  if (raw && volumes.has(raw[1])) {
    const file = volumes.get(raw[1]).image;
    res.writeHead(200, { 'Content-Type': 'application/octet-stream', 'Content-Length': fs.statSync(file).size });
    fs.createReadStream(file).pipe(res);
    return undefined;
  }
  if (url.pathname === '/__control/state') {
    return send(res, 200, { 'Content-Type': 'application/json' }, JSON.stringify({
      snapshots: [...snapshots.values()].map(({ id, volumeId, state: s, deleted, tags, blocks }) => ({ id, volumeId, state: s, deleted, tags, allocatedBlocks: blocks ? blocks.length : null })),
      exportTasks: [...exportTasks.values()].map(({ id, state: s, bucket, key }) => ({ id, state: s, bucket, key })),
      objects: [...objects.keys()],
      instances: [...instances.values()].map(({ id, state: s }) => ({ id, state: s })),
      stats, faults,
    }));
  }
  return send(res, 404, {}, 'no such control');
}

const server = https.createServer({ cert: fs.readFileSync(opts.cert), key: fs.readFileSync(opts.key) }, (req, res) => {
  const chunks = [];
  let size = 0;
  req.on('data', (c) => {
    size += c.length;
    if (size > 256 * 1024 * 1024) req.destroy();
    else chunks.push(c);
  });
  req.on('end', async () => {
    const body = Buffer.concat(chunks);
    const url = new URL(req.url, `https://${req.headers.host || '127.0.0.1'}`);
    try {
      if (url.pathname.startsWith('/__control/')) return control(req, res, url, body);
      stats.requests += 1;
      const service = url.pathname === '/' && req.method === 'POST' ? 'ec2' : url.pathname.startsWith('/snapshots/') ? 'ebs' : 's3';
      const refused = await verifySignature(req, url, body, service);
      if (refused) {
        stats.signatureFailures += 1;
        const status = refused[0] === 'InvalidClientTokenId' && service === 'ec2' ? 401 : 403;
        if (service === 'ec2') return ec2Error(res, status, refused[0] === 'InvalidClientTokenId' ? 'AuthFailure' : refused[0], refused[1]);
        if (service === 'ebs') return jsonError(res, 403, refused[0] === 'SignatureDoesNotMatch' ? 'InvalidSignatureException' : refused[0], refused[1]);
        return s3Error(res, 403, refused[0], refused[1], req.method === 'HEAD');
      }
      if (service === 'ec2') return ec2(req, res, body, url);
      if (service === 'ebs') return ebs(req, res, url);
      return s3(req, res, url, body);
    } catch (e) {
      console.error(`aws peer: ${e && e.stack ? e.stack : e}`);
      if (!res.headersSent) return send(res, 500, { 'Content-Type': 'text/plain' }, 'peer error');
      res.destroy();
      return undefined;
    }
  });
});
server.listen(Number(opts.port), '127.0.0.1');
process.on('SIGTERM', () => {
  for (const t of exportTasks.values()) if (t.child) t.child.kill('SIGKILL');
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
});
