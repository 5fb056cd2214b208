// The second article's server as published, the yardstick for GET /cpu's cost per request:
// plain http.createServer, the empty loop, the PID in the body. Only the port comes from PORT.
const http = require('node:http');

http
  .createServer((request, response) => {
    for (let index = 0; index < 1e7; index++);
    response.end(`Process handled by pid: ${process.pid}`);
  })
  .listen(Number(process.env.PORT), '127.0.0.1');
