// Signs a table of requests with AWS's own SigV4 implementation,
// @smithy/signature-v4, for test_aws_sigv4: the C++ signer must produce the
// same Authorization for each (two independent implementations compared).
//   node sign_table.cjs TABLE.json      prints one JSON array of Authorization values
// Each case: {method, url, headers: [[name, value]], bodyBase64, region, service,
//   date ("2015-08-30T12:36:00Z"), accessKeyId, secretAccessKey, sessionToken?,
//   unsignedPayload (bool), contentSha256Header (bool)}
'use strict';
const fs = require('node:fs');
const { SignatureV4 } = require('@smithy/signature-v4');
const { Sha256 } = require('@smithy/core/checksum');

// Query values as the URL carries them, decoded (decodeURIComponent leaves '+' alone, as AWS does).
function query(raw) {
  const out = {};
  for (const item of raw.split('&')) {
    if (item === '') continue;
    const eq = item.indexOf('=');
    const k = decodeURIComponent(eq < 0 ? item : item.slice(0, eq));
    const v = eq < 0 ? '' : decodeURIComponent(item.slice(eq + 1));
    out[k] = out[k] === undefined ? v : [].concat(out[k], v);
  }
  return out;
}

async function main() {
  const table = JSON.parse(fs.readFileSync(process.argv[2], 'utf8'));
  const results = [];
  for (const c of table) {
    const u = /^https:\/\/([^/?#]+)([^?#]*)(?:\?([^#]*))?$/.exec(c.url);
    if (!u) throw new Error(`cannot split ${c.url}`);
    const headers = { host: u[1] };
    for (const [name, value] of c.headers) headers[name] = value;
    if (c.unsignedPayload) headers['x-amz-content-sha256'] = 'UNSIGNED-PAYLOAD';
    const signer = new SignatureV4({
      credentials: { accessKeyId: c.accessKeyId, secretAccessKey: c.secretAccessKey, sessionToken: c.sessionToken || undefined },
      region: c.region, service: c.service, sha256: Sha256, uriEscapePath: c.service !== 's3',
      applyChecksum: Boolean(c.contentSha256Header),
    });
    const signed = await signer.sign({
      method: c.method, protocol: 'https:', hostname: u[1].split(':')[0], path: u[2] || '/', query: query(u[3] || ''),
      headers, body: Buffer.from(c.bodyBase64, 'base64'),
    }, { signingDate: new Date(c.date) });
    results.push(signed.headers.authorization);
  }
  console.log(JSON.stringify(results));
}

main().catch((e) => {
  console.error(`sign_table failed: ${e && e.stack ? e.stack : e}`);
  process.exit(1);
});
