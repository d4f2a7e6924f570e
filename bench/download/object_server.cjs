// bench/download's server: one file over HTTPS on 127.0.0.1 with single
// byte ranges (206 + Content-Range) or whole (200), HTTP/1.1 keep-alive.
// Node's own https and fs only. Prints "READY <port>" when listening.
//   node object_server.cjs FILE KEY_PEM CERT_PEM
'use strict';
const fs = require('fs');
const https = require('https');

const [file, keyPath, certPath] = process.argv.slice(2);
const size = fs.statSync(file).size;

const server = https.createServer({key: fs.readFileSync(keyPath), cert: fs.readFileSync(certPath)}, (req, res) => {
  if (req.method !== 'GET') {
    res.writeHead(405).end();
    return;
  }
  let start = 0;
  let end = size - 1;
  const range = /^bytes=(\d+)-(\d*)$/.exec(req.headers.range || '');
  if (req.headers.range && !range) {
    res.writeHead(416, {'Content-Range': `bytes */${size}`}).end();
    return;
  }
  if (range) {
    start = Number(range[1]);
    end = range[2] === '' ? size - 1 : Math.min(Number(range[2]), size - 1);
    if (start > end || start >= size) {
      res.writeHead(416, {'Content-Range': `bytes */${size}`}).end();
      return;
    }
    res.writeHead(206, {'Content-Range': `bytes ${start}-${end}/${size}`, 'Content-Length': end - start + 1,
                        'Content-Type': 'application/octet-stream'});
  } else {
    res.writeHead(200, {'Content-Length': size, 'Content-Type': 'application/octet-stream'});
  }
  fs.createReadStream(file, {start, end, highWaterMark: 1 << 20}).pipe(res);
});
server.keepAliveTimeout = 60000;
server.listen(0, '127.0.0.1', () => console.log(`READY ${server.address().port}`));
process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
