// A loopback Google Cloud peer for the GCP provider's tests: Google's OAuth 2.0
// token endpoint (JWT-bearer grant, the assertion's RS256 signature checked
// with google-auth-library against the test key's public half), Compute Engine
// v1 (instances, aggregated list, machine types, disks, stop, images,
// zonal/global operations), Cloud Build v1 (the image-export build gcloud
// creates) and the Cloud Storage JSON API v1 (object metadata, media with
// Range, delete). Every call but the token's needs a bearer token it issued.
// JSON shapes follow Google's REST references; see docs/gcp.md for how far.
//
//   node peer.cjs PORT CERT KEY CONFIG.json
//
// CONFIG (written by the test): {
//   "project": "p", "client_email": "...", "key_id": "...", "public_key": "PEM",
//   "static_tokens": ["..."],            // accepted as they are (GOOGLE_OAUTH_ACCESS_TOKEN)
//   "token_lifetime_seconds": 3600, "operation_polls": 1, "build_polls": 2,
//   "instances": [{ "name", "zone", "id", "status", "machine_type", "cpus", "memory_mb",
//                   "shielded": {"secure_boot", "vtpm"} | null,
//                   "nics": [{"name", "network", "ip"}],
//                   "disks": [{"name", "device_name", "boot", "index", "size_gb", "raw",
//                              "guest_os_features": [...]}] }],
//   "objects": {"bucket/object": "/path/to/file"},
//   "faults": { "image_error": "message", "build_failure": "detail",
//               "throttle": {"path_regex": "...", "times": N, "status": 429|503},
//               "cut_media_after": BYTES, "cut_media_times": N,
//               "expire_tokens_after_seconds": S,
//               "media_rate": BYTES_PER_SECOND } }   // media served slowly (cancellation tests)
// The peer writes every request line (method, path) to DIR/requests.log
// (cwd), so a test can check what the client did.
'use strict';
const fs = require('node:fs');
const https = require('node:https');
const path = require('node:path');
const crypto = require('node:crypto');
const { execFileSync } = require('node:child_process');
const { OAuth2Client } = require('google-auth-library');

const [portText, certPath, keyPath, configPath] = process.argv.slice(2);
const config = JSON.parse(fs.readFileSync(configPath, 'utf8'));
const project = config.project;
const faults = config.faults || {};
const base = `https://127.0.0.1:${portText}`;
const workDir = path.dirname(path.resolve(configPath));
const requestLog = fs.openSync(path.join(workDir, 'requests.log'), 'a');

const tokens = new Map(); // token -> expiry (ms)
for (const t of config.static_tokens || []) tokens.set(t, Infinity);
const instances = new Map((config.instances || []).map((i) => [`${i.zone}/${i.name}`, i]));
const disks = new Map();
for (const i of config.instances || []) for (const d of i.disks) disks.set(`${i.zone}/${d.name}`, d);
const images = new Map(); // name -> {raw, sourceDisk, status}
const operations = new Map(); // name -> {op, polls, onDone}
const builds = new Map(); // id -> {build, polls, finish}
const objects = new Map(Object.entries(config.objects || {})); // "bucket/object" -> file
const generations = new Map();
let throttled = 0;
let mediaCuts = 0;
let counter = 0;

function log(line) {
  fs.writeSync(requestLog, `${line}\n`);
}

function send(res, status, body, headers = {}) {
  const text = body === undefined ? '' : JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json; charset=UTF-8', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

// Google's error shape (https://cloud.google.com/apis/design/errors#http_mapping).
function googleError(res, status, message, reason, statusText, headers) {
  send(res, status, { error: { code: status, message, errors: [{ message, domain: 'global', reason }], status: statusText } }, headers);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on('data', (c) => {
      size += c.length;
      if (size > 1 << 20) reject(new Error('body too large'));
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}

// --- OAuth 2.0 token endpoint -------------------------------------------------
// The audiences Google's token endpoint takes: the key file's token_uri (here,
// the peer's) and the two URLs Google's libraries use (gtoken 7 signs for
// www.googleapis.com/oauth2/v4/token whatever the key file says).
const tokenAudiences = [`${base}/token`, 'https://oauth2.googleapis.com/token', 'https://www.googleapis.com/oauth2/v4/token'];
async function token(req, res) {
  const form = new URLSearchParams(await readBody(req));
  if (form.get('grant_type') !== 'urn:ietf:params:oauth:grant-type:jwt-bearer') {
    return send(res, 400, { error: 'unsupported_grant_type', error_description: 'Invalid grant_type.' });
  }
  const assertion = form.get('assertion') || '';
  try {
    // google-auth-library checks the RS256 signature, iat/exp, issuer and audience.
    // Google tries every key of the account when the JWT names none (gtoken
    // sends no kid); a kid must be one of the account's.
    const kid = JSON.parse(Buffer.from(assertion.split('.')[0], 'base64url').toString('utf8')).kid;
    if (kid !== undefined && kid !== config.key_id) throw new Error('unknown key id');
    await new OAuth2Client().verifySignedJwtWithCertsAsync(
      assertion, { [String(kid)]: config.public_key }, tokenAudiences, [config.client_email], 3700);
    const claims = JSON.parse(Buffer.from(assertion.split('.')[1], 'base64url').toString('utf8'));
    if (!String(claims.scope || '').split(' ').includes('https://www.googleapis.com/auth/cloud-platform')) {
      return send(res, 400, { error: 'invalid_scope', error_description: 'Invalid OAuth scope.' });
    }
  } catch (e) {
    log(`TOKEN refused: ${String(e.message).split(':')[0]}`);
    return send(res, 400, { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' });
  }
  const accessToken = `ya29.peer-${crypto.randomBytes(24).toString('hex')}`;
  const lifetime = config.token_lifetime_seconds || 3600;
  tokens.set(accessToken, Date.now() + 1000 * (faults.expire_tokens_after_seconds || lifetime));
  log('TOKEN issued');
  send(res, 200, { access_token: accessToken, expires_in: lifetime, token_type: 'Bearer' });
}

function authorized(req, res) {
  const m = /^Bearer (\S+)$/.exec(req.headers.authorization || '');
  const expiry = m && tokens.get(m[1]);
  if (!expiry || expiry < Date.now()) {
    log(`UNAUTHENTICATED ${req.method} ${req.url.split('?')[0]}`);
    googleError(res, 401, 'Request had invalid authentication credentials. Expected OAuth 2 access token.',
      'authError', 'UNAUTHENTICATED', { 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' });
    return false;
  }
  return true;
}

// --- Compute Engine v1 ---------------------------------------------------------
const computeBase = `${base}/compute/v1/projects/${project}`;

function instanceResource(i) {
  const r = {
    kind: 'compute#instance', id: i.id, name: i.name, status: i.status,
    zone: `${computeBase}/zones/${i.zone}`,
    machineType: `${computeBase}/zones/${i.zone}/machineTypes/${i.machine_type}`,
    selfLink: `${computeBase}/zones/${i.zone}/instances/${i.name}`,
    networkInterfaces: (i.nics || []).map((n) => ({
      kind: 'compute#networkInterface', name: n.name, networkIP: n.ip,
      network: `${computeBase}/global/networks/${n.network}`,
    })),
    disks: i.disks.map((d) => ({
      kind: 'compute#attachedDisk', type: 'PERSISTENT', mode: 'READ_WRITE', boot: !!d.boot, index: d.index,
      deviceName: d.device_name || d.name, interface: 'SCSI', autoDelete: !!d.boot,
      source: `${computeBase}/zones/${i.zone}/disks/${d.name}`, diskSizeGb: String(d.size_gb),
      guestOsFeatures: (d.guest_os_features || []).map((type) => ({ type })),
    })),
  };
  if (i.shielded) {
    r.shieldedInstanceConfig = { enableSecureBoot: !!i.shielded.secure_boot, enableVtpm: !!i.shielded.vtpm, enableIntegrityMonitoring: true };
  }
  return r;
}

function newOperation(zone, type, target, onDone, error, onError) {
  const name = `operation-${Date.now()}-${++counter}`;
  const op = {
    kind: 'compute#operation', id: String(1000 + counter), name, operationType: type, status: 'RUNNING', progress: 0,
    targetLink: target, insertTime: new Date().toISOString(),
    selfLink: zone ? `${computeBase}/zones/${zone}/operations/${name}` : `${computeBase}/global/operations/${name}`,
  };
  if (zone) op.zone = `${computeBase}/zones/${zone}`;
  operations.set(name, { op, polls: 0, onDone, error, onError, zone: zone || '' });
  return op;
}

function pollOperation(zone, name, res) {
  const entry = operations.get(name);
  if (!entry || entry.zone !== zone) return googleError(res, 404, `The resource 'projects/${project}/${zone ? `zones/${zone}` : 'global'}/operations/${name}' was not found`, 'notFound', 'NOT_FOUND');
  if (entry.op.status !== 'DONE' && ++entry.polls >= (config.operation_polls || 1)) {
    entry.op.status = 'DONE';
    entry.op.progress = 100;
    entry.op.endTime = new Date().toISOString();
    if (entry.error) {
      if (entry.onError) entry.onError();
      entry.op.error = { errors: [{ code: entry.error.code, message: entry.error.message }] };
      entry.op.httpErrorStatusCode = entry.error.status;
      entry.op.httpErrorMessage = entry.error.statusText;
    } else if (entry.onDone) {
      entry.onDone();
    }
  }
  send(res, 200, entry.op);
}

const requestIds = new Map(); // requestId -> operation: Compute ignores a repeated request

async function compute(req, res, rest) {
  let m;
  const requestId = new URL(req.url, base).searchParams.get('requestId');
  if (requestId && requestIds.has(requestId)) return send(res, 200, requestIds.get(requestId));
  const answerOperation = (op) => {
    if (requestId) requestIds.set(requestId, op);
    return send(res, 200, op);
  };
  if (req.method === 'GET' && (m = /^zones\/([^/]+)\/instances\/([^/]+)$/.exec(rest))) {
    const i = instances.get(`${m[1]}/${decodeURIComponent(m[2])}`);
    if (!i) return googleError(res, 404, `The resource 'projects/${project}/zones/${m[1]}/instances/${decodeURIComponent(m[2])}' was not found`, 'notFound', 'NOT_FOUND');
    return send(res, 200, instanceResource(i));
  }
  if (req.method === 'GET' && (m = /^zones\/([^/]+)\/instances$/.exec(rest))) {
    const items = [...instances.values()].filter((i) => i.zone === m[1]).map(instanceResource);
    return send(res, 200, { kind: 'compute#instanceList', id: `projects/${project}/zones/${m[1]}/instances`, items, selfLink: `${computeBase}/zones/${m[1]}/instances` });
  }
  if (req.method === 'GET' && rest === 'aggregated/instances') {
    // One zone per page, and a zone without instances answers a warning, as Compute does.
    const zones = [...new Set([...instances.values()].map((i) => i.zone)), 'europe-west1-b'].sort();
    const page = Number(new URL(req.url, base).searchParams.get('pageToken') || 0);
    const zone = zones[page];
    const list = [...instances.values()].filter((i) => i.zone === zone).map(instanceResource);
    const items = { [`zones/${zone}`]: list.length ? { instances: list } : { warning: { code: 'NO_RESULTS_ON_PAGE', message: 'There are no results for scope \'zones/' + zone + '\' on this page.' } } };
    const body = { kind: 'compute#instanceAggregatedList', id: `projects/${project}/aggregated/instances`, items };
    if (page + 1 < zones.length) body.nextPageToken = String(page + 1);
    return send(res, 200, body);
  }
  if (req.method === 'GET' && (m = /^zones\/([^/]+)\/machineTypes\/([^/]+)$/.exec(rest))) {
    const i = [...instances.values()].find((x) => x.zone === m[1] && x.machine_type === m[2]);
    if (!i) return googleError(res, 404, `The resource 'projects/${project}/zones/${m[1]}/machineTypes/${m[2]}' was not found`, 'notFound', 'NOT_FOUND');
    return send(res, 200, { kind: 'compute#machineType', name: m[2], guestCpus: i.cpus, memoryMb: i.memory_mb, zone: m[1] });
  }
  if (req.method === 'GET' && (m = /^zones\/([^/]+)\/disks\/([^/]+)$/.exec(rest))) {
    const d = disks.get(`${m[1]}/${decodeURIComponent(m[2])}`);
    if (!d) return googleError(res, 404, `The resource 'projects/${project}/zones/${m[1]}/disks/${m[2]}' was not found`, 'notFound', 'NOT_FOUND');
    return send(res, 200, {
      kind: 'compute#disk', name: d.name, sizeGb: String(d.size_gb), zone: `${computeBase}/zones/${m[1]}`,
      type: `${computeBase}/zones/${m[1]}/diskTypes/pd-balanced`, status: 'READY', architecture: 'X86_64',
      guestOsFeatures: (d.guest_os_features || []).map((type) => ({ type })),
    });
  }
  if (req.method === 'POST' && (m = /^zones\/([^/]+)\/instances\/([^/]+)\/stop$/.exec(rest))) {
    const i = instances.get(`${m[1]}/${decodeURIComponent(m[2])}`);
    if (!i) return googleError(res, 404, `The resource 'projects/${project}/zones/${m[1]}/instances/${m[2]}' was not found`, 'notFound', 'NOT_FOUND');
    log(`STOP ${i.name}`);
    if (i.status === 'RUNNING') i.status = 'STOPPING';
    return answerOperation(newOperation(m[1], 'stop', `${computeBase}/zones/${m[1]}/instances/${i.name}`, () => { i.status = 'TERMINATED'; }));
  }
  if (req.method === 'POST' && rest === 'global/images') {
    const body = JSON.parse(await readBody(req));
    const src = /^(?:.*\/)?projects\/([^/]+)\/zones\/([^/]+)\/disks\/([^/]+)$/.exec(body.sourceDisk || '');
    if (!body.name || !/^[a-z]([-a-z0-9]{0,61}[a-z0-9])?$/.test(body.name)) return googleError(res, 400, `Invalid value for field 'resource.name': '${body.name}'. Must be a match of regex '(?:[a-z](?:[-a-z0-9]{0,61}[a-z0-9])?)'`, 'invalid', 'INVALID_ARGUMENT');
    if (!src || src[1] !== project || !disks.has(`${src[2]}/${src[3]}`)) return googleError(res, 400, `Invalid value for field 'resource.sourceDisk': '${body.sourceDisk}'. The referenced disk resource cannot be found.`, 'invalid', 'INVALID_ARGUMENT');
    const owner = [...instances.values()].find((i) => i.zone === src[2] && i.disks.some((d) => d.name === src[3]));
    if (owner && owner.status === 'RUNNING' && !body.forceCreate) return googleError(res, 400, `The disk resource 'projects/${project}/zones/${src[2]}/disks/${src[3]}' is already being used by 'projects/${project}/zones/${src[2]}/instances/${owner.name}'`, 'resourceInUseByAnotherResource', 'INVALID_ARGUMENT');
    if (images.has(body.name)) return googleError(res, 409, `The resource 'projects/${project}/global/images/${body.name}' already exists`, 'alreadyExists', 'ALREADY_EXISTS');
    log(`CREATE_IMAGE ${body.name} ${src[3]}`);
    const error = faults.image_error ? { code: 'QUOTA_EXCEEDED', message: faults.image_error, status: 403, statusText: 'FORBIDDEN' } : undefined;
    images.set(body.name, { raw: disks.get(`${src[2]}/${src[3]}`).raw, status: 'PENDING', labels: body.labels || {} });
    return answerOperation(newOperation('', 'insert', `${computeBase}/global/images/${body.name}`,
      () => { images.get(body.name).status = 'READY'; }, error, () => images.delete(body.name)));
  }
  if ((req.method === 'GET' || req.method === 'DELETE') && (m = /^global\/images\/([^/]+)$/.exec(rest))) {
    const name = decodeURIComponent(m[1]);
    const image = images.get(name);
    if (!image) return googleError(res, 404, `The resource 'projects/${project}/global/images/${name}' was not found`, 'notFound', 'NOT_FOUND');
    if (req.method === 'GET') return send(res, 200, { kind: 'compute#image', name, status: image.status, labels: image.labels });
    log(`DELETE_IMAGE ${name}`);
    return answerOperation(newOperation('', 'delete', `${computeBase}/global/images/${name}`, () => images.delete(name)));
  }
  if (req.method === 'GET' && (m = /^zones\/([^/]+)\/operations\/([^/]+)$/.exec(rest))) return pollOperation(m[1], decodeURIComponent(m[2]), res);
  if (req.method === 'GET' && (m = /^global\/operations\/([^/]+)$/.exec(rest))) return pollOperation('', decodeURIComponent(m[1]), res);
  return googleError(res, 404, `no such Compute method in the peer: ${req.method} ${rest}`, 'notFound', 'NOT_FOUND');
}

// --- Cloud Build v1 --------------------------------------------------------------
// gcloud compute images export creates one build whose only step runs
// gce_vm_image_export; the peer plays its outcome: the image's disk as the
// native tar.gz holding disk.raw, or converted by qemu-img (-format=vmdk, ...).
function exportImage(args) {
  const image = /^projects\/([^/]+)\/global\/images\/([^/]+)$/.exec(args.source_image || '');
  const dest = /^gs:\/\/([^/]+)\/(.+)$/.exec(args.destination_uri || '');
  const entry = image && images.get(image[2]);
  if (!entry || entry.status !== 'READY') throw new Error(`source image ${args.source_image} not found or not READY`);
  const out = path.join(workDir, `object-${++counter}`);
  if (!args.format) {
    const staging = fs.mkdtempSync(path.join(workDir, 'export-'));
    // A link, not a copy: a boot-proof guest's disk is 3 GiB. tar --dereference
    // stores the file it points to as the regular member disk.raw.
    fs.symlinkSync(path.resolve(entry.raw), path.join(staging, 'disk.raw'));
    // gzip -1: the tests' disks are mostly zeros and the machines are small.
    execFileSync('tar', ['--format=gnu', '--dereference', '--use-compress-program=gzip -1', '-cf', out, '-C', staging,
      'disk.raw']);
    fs.rmSync(staging, { recursive: true, force: true });
  } else {
    execFileSync('qemu-img', ['convert', '-f', 'raw', '-O', args.format, entry.raw, out]);
  }
  objects.set(`${dest[1]}/${dest[2]}`, out);
}

async function cloudbuild(req, res, rest) {
  let m;
  if (req.method === 'POST' && rest === 'builds') {
    const body = JSON.parse(await readBody(req));
    const step = (body.steps || [])[0] || {};
    if (body.steps.length !== 1 || step.name !== 'gcr.io/compute-image-tools/gce_vm_image_export:release') {
      return googleError(res, 400, 'the peer only runs the image-export build of gcloud compute images export', 'badRequest', 'INVALID_ARGUMENT');
    }
    const args = {};
    for (const a of step.args || []) {
      const kv = /^-([a-z_]+)=(.*)$/.exec(a);
      if (!kv) return googleError(res, 400, `unexpected argument ${a}`, 'badRequest', 'INVALID_ARGUMENT');
      args[kv[1]] = kv[2];
    }
    for (const required of ['source_image', 'destination_uri', 'client_id', 'timeout']) {
      if (!args[required]) return googleError(res, 400, `gce_vm_image_export needs -${required}`, 'badRequest', 'INVALID_ARGUMENT');
    }
    if (!/^\d+s$/.test(body.timeout || '')) return googleError(res, 400, 'build timeout must be a duration like "7200s"', 'badRequest', 'INVALID_ARGUMENT');
    const id = crypto.randomUUID();
    const build = {
      id, projectId: project, status: 'QUEUED', steps: [{ name: step.name, args: step.args, status: 'QUEUED' }],
      createTime: new Date().toISOString(), timeout: body.timeout, tags: body.tags || [],
      logUrl: `https://console.cloud.google.com/cloud-build/builds/${id}?project=${project}`,
    };
    builds.set(id, { build, polls: 0, args });
    log(`BUILD ${args.source_image} ${args.destination_uri} ${args.format || 'tar.gz'}`);
    return send(res, 200, {
      name: `operations/build/${project}/${Buffer.from(id).toString('base64')}`,
      metadata: { '@type': 'type.googleapis.com/google.devtools.cloudbuild.v1.BuildOperationMetadata', build },
    });
  }
  if ((m = /^builds\/([^/:]+)(:cancel)?$/.exec(rest))) {
    const entry = builds.get(m[1]);
    if (!entry) return googleError(res, 404, `Requested entity was not found.`, 'notFound', 'NOT_FOUND');
    const b = entry.build;
    if (m[2] && req.method === 'POST') {
      log(`CANCEL_BUILD ${m[1]}`);
      if (b.status === 'QUEUED' || b.status === 'WORKING') b.status = 'CANCELLED';
      return send(res, 200, b);
    }
    if (req.method !== 'GET') return googleError(res, 405, 'method not allowed', 'badRequest', 'INVALID_ARGUMENT');
    entry.polls += 1;
    if (b.status === 'QUEUED') {
      b.status = 'WORKING';
      b.startTime = new Date().toISOString();
      b.steps[0].status = 'WORKING';
    } else if (b.status === 'WORKING' && entry.polls >= (config.build_polls || 2)) {
      try {
        if (faults.build_failure) throw new Error(faults.build_failure);
        exportImage(entry.args);
        b.status = 'SUCCESS';
      } catch (e) {
        b.status = 'FAILURE';
        b.statusDetail = `Build step failure: build step 0 "${b.steps[0].name}" failed: step exited with non-zero status: 1 (${e.message})`;
      }
      b.steps[0].status = b.status;
      b.finishTime = new Date().toISOString();
    }
    return send(res, 200, b);
  }
  return googleError(res, 404, `no such Cloud Build method in the peer: ${req.method} ${rest}`, 'notFound', 'NOT_FOUND');
}

// --- Cloud Storage JSON API v1 ---------------------------------------------------
// An object's md5Hash, read in pieces (a 4 GiB disk's archive is beyond
// readFileSync) and kept while the file's size and mtime stay the same.
const md5Cache = new Map(); // file -> {size, mtimeMs, md5}
function md5Of(file) {
  const st = fs.statSync(file);
  const cached = md5Cache.get(file);
  if (cached && cached.size === st.size && cached.mtimeMs === st.mtimeMs) return cached.md5;
  const hash = crypto.createHash('md5');
  const fd = fs.openSync(file, 'r');
  try {
    const buffer = Buffer.allocUnsafe(4 << 20);
    for (let n; (n = fs.readSync(fd, buffer, 0, buffer.length, null)) > 0;) hash.update(buffer.subarray(0, n));
  } finally {
    fs.closeSync(fd);
  }
  const md5 = hash.digest('base64');
  md5Cache.set(file, { size: st.size, mtimeMs: st.mtimeMs, md5 });
  return md5;
}

function objectMetadata(bucket, name, file) {
  const key = `${bucket}/${name}`;
  if (!generations.has(key)) generations.set(key, String(1700000000000000 + (++counter)));
  const md5 = md5Of(file);
  return {
    kind: 'storage#object', id: `${key}/${generations.get(key)}`, name, bucket, generation: generations.get(key),
    metageneration: '1', contentType: 'application/octet-stream', size: String(fs.statSync(file).size), md5Hash: md5,
    selfLink: `${base}/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}`,
    mediaLink: `${base}/download/storage/v1/b/${bucket}/o/${encodeURIComponent(name)}?generation=${generations.get(key)}&alt=media`,
  };
}

function media(req, res, file, key, url) {
  const size = fs.statSync(file).size;
  const generation = url.searchParams.get('generation');
  if (generation && generation !== generations.get(key)) return googleError(res, 404, 'No such object: ' + key, 'notFound', 'NOT_FOUND');
  let first = 0;
  let last = size - 1;
  let status = 200;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
  if (range) {
    first = Number(range[1]);
    last = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (first >= size || last < first) {
      res.writeHead(416, { 'content-range': `bytes */${size}` });
      return res.end();
    }
    status = 206;
  }
  const headers = {
    'content-type': 'application/octet-stream', 'content-length': last - first + 1, 'accept-ranges': 'bytes',
    'x-goog-generation': generations.get(key) || '1', 'x-goog-stored-content-length': size,
  };
  if (status === 206) headers['content-range'] = `bytes ${first}-${last}/${size}`;
  res.writeHead(status, headers);
  const stream = fs.createReadStream(file, { start: first, end: last });
  if (faults.cut_media_after && mediaCuts < (faults.cut_media_times || 1) && last - first + 1 > faults.cut_media_after) {
    // The connection dies mid-body, as a reset would.
    mediaCuts += 1;
    log(`CUT ${key} at ${first + faults.cut_media_after}`);
    let sent = 0;
    stream.on('data', (chunk) => {
      const room = faults.cut_media_after - sent;
      if (room <= 0) return;
      res.write(chunk.subarray(0, room));
      sent += Math.min(room, chunk.length);
      if (sent >= faults.cut_media_after) {
        stream.destroy();
        setTimeout(() => res.socket && res.socket.destroy(), 20);
      }
    });
    return undefined;
  }
  if (faults.media_rate) {
    // Served at about media_rate bytes a second, so a test can cancel mid-download.
    stream.on('data', (chunk) => {
      stream.pause();
      res.write(chunk);
      setTimeout(() => stream.resume(), Math.ceil((1000 * chunk.length) / faults.media_rate));
    });
    stream.on('end', () => res.end());
    res.on('close', () => stream.destroy());
    return undefined;
  }
  stream.pipe(res);
  return undefined;
}

function storage(req, res, rest, url) {
  const m = /^b\/([^/]+)\/o\/([^/]+)$/.exec(rest);
  if (!m) return googleError(res, 404, `no such Cloud Storage method in the peer: ${req.method} ${rest}`, 'notFound', 'NOT_FOUND');
  const bucket = m[1];
  const name = decodeURIComponent(m[2]);
  const key = `${bucket}/${name}`;
  const file = objects.get(key);
  if (!file || !fs.existsSync(file)) return googleError(res, 404, `No such object: ${key}`, 'notFound', 'NOT_FOUND');
  if (req.method === 'DELETE') {
    log(`DELETE_OBJECT ${key}`);
    objects.delete(key);
    res.writeHead(204);
    return res.end();
  }
  if (req.method !== 'GET') return googleError(res, 405, 'method not allowed', 'badRequest', 'INVALID_ARGUMENT');
  if (url.searchParams.get('alt') === 'media') {
    log(`MEDIA ${key} ${req.headers.range || 'whole'}`);
    return media(req, res, file, key, url);
  }
  return send(res, 200, objectMetadata(bucket, name, file));
}

// --- dispatch ----------------------------------------------------------------------
async function handle(req, res) {
  const url = new URL(req.url, base);
  const p = url.pathname;
  log(`${req.method} ${p}`);
  if (p === '/' && req.method === 'GET') return send(res, 200, { peer: 'gcp' });
  if (p === '/token' && req.method === 'POST') return token(req, res);
  if (faults.throttle && throttled < faults.throttle.times && new RegExp(faults.throttle.path_regex).test(p)) {
    throttled += 1;
    log(`THROTTLE ${p}`);
    const status = faults.throttle.status || 429;
    return googleError(res, status, status === 429 ? 'Rate Limit Exceeded' : 'The service is currently unavailable.',
      status === 429 ? 'rateLimitExceeded' : 'backendError', status === 429 ? 'RESOURCE_EXHAUSTED' : 'UNAVAILABLE', { 'retry-after': '0' });
  }
  if (!authorized(req, res)) return undefined;
  let m;
  if ((m = /^\/compute\/v1\/projects\/([^/]+)\/(.+)$/.exec(p))) {
    if (m[1] !== project) return googleError(res, 404, `The resource 'projects/${m[1]}' was not found`, 'notFound', 'NOT_FOUND');
    return compute(req, res, m[2]);
  }
  if ((m = /^\/cloudbuild\/v1\/projects\/([^/]+)\/(.+)$/.exec(p))) {
    if (m[1] !== project) return googleError(res, 403, `The caller does not have permission`, 'forbidden', 'PERMISSION_DENIED');
    return cloudbuild(req, res, m[2]);
  }
  if ((m = /^\/(?:download\/)?storage\/v1\/(.+)$/.exec(p))) return storage(req, res, m[1], url);
  return googleError(res, 404, `Not Found: ${p}`, 'notFound', 'NOT_FOUND');
}

const server = https.createServer({ cert: fs.readFileSync(certPath), key: fs.readFileSync(keyPath) }, (req, res) => {
  handle(req, res).catch((e) => {
    log(`ERROR ${e.message}`);
    if (!res.headersSent) googleError(res, 500, `peer error: ${e.message}`, 'backendError', 'INTERNAL');
  });
});
// Idle connections stay open longer than a client's pause on a loaded machine
// (Node's 5 s default made Google's fetch-based clients reuse a socket the
// peer had just closed: "socket hang up").
server.keepAliveTimeout = 120000;
server.headersTimeout = 125000;
server.listen(Number(portText), '127.0.0.1');
process.on('SIGTERM', () => server.close(() => process.exit(0)));
