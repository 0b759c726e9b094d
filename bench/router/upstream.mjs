// Upstream for the router benchmark: a fixed small JSON answer, keep-alive, prints its URL.
import { createServer } from 'node:http';

const name = process.argv[2] ?? 'upstream';
const body = Buffer.from(
  JSON.stringify({ model_name: name, outputs: [{ name: 'y', shape: [1], datatype: 'FP32', data: [0.5] }] }),
);
const server = createServer((req, res) => {
  req.resume();
  req.on('end', () => {
    res.writeHead(200, { 'content-type': 'application/json', 'content-length': body.length });
    res.end(body);
  });
});
server.keepAliveTimeout = 120_000;
server.listen(0, '127.0.0.1', () => console.log(`listening http://127.0.0.1:${server.address().port}`));
