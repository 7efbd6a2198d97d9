// The webhook receiver on the host for scripts/container-test.sh: listens on 127.0.0.1 (a free port,
// printed on stdout), appends `<path> <body>` for every POST to the file given as argv[2], answers 200, or
// 500 on paths starting with /fail.
import { appendFileSync } from 'node:fs';
import { createServer } from 'node:http';

const log = process.argv[2];
const server = createServer((req, res) => {
  let body = '';
  req.setEncoding('utf8');
  req.on('data', (chunk) => (body += chunk));
  req.on('end', () => {
    appendFileSync(log, `${req.url} ${body.replace(/\n/g, ' ')}\n`);
    res.statusCode = req.url?.startsWith('/fail') ? 500 : 200;
    res.end();
  });
});
server.listen(0, '127.0.0.1', () => console.log(server.address().port));
process.on('SIGTERM', () => server.close(() => process.exit(0)));
