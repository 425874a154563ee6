// SPDX-License-Identifier: GPL-3.0-or-later
// Runs a Lambda zip in @vercel/fun's native provider and invokes it once
// per line of standard input, each line an event as JSON text. Prints one
// line of JSON per invocation: {"ms": …, "StatusCode": …, "FunctionError":
// …, "Payload": …}, then {"closed": true} after the function is destroyed.
//
// Usage: node fun-invoke.js ZIP RUNTIME HANDLER [ENV_JSON]
'use strict';

const fs = require('node:fs');
const path = require('node:path');
const readline = require('node:readline');

const fun = require(path.join(__dirname, 'emulator', 'node_modules', '@vercel', 'fun'));

async function main() {
  const [zip, runtime, handler, envJson] = process.argv.slice(2);
  const fn = await fun.createFunction({
    Code: { ZipFile: fs.readFileSync(zip) },
    Handler: handler,
    Runtime: runtime,
    Environment: { Variables: envJson ? JSON.parse(envJson) : {} },
    Timeout: 30,
  });
  const lines = readline.createInterface({ input: process.stdin });
  for await (const line of lines) {
    if (line.trim() === '') continue;
    const start = process.hrtime.bigint();
    const result = await fn.invoke({ InvocationType: 'RequestResponse', Payload: line });
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    process.stdout.write(JSON.stringify({ ms, ...result, Payload: String(result.Payload) }) + '\n');
  }
  await fn.destroy();
  process.stdout.write(JSON.stringify({ closed: true }) + '\n');
}

main().catch((error) => {
  process.stderr.write(`fun-invoke.js: ${error.stack || error}\n`);
  process.exit(1);
});
