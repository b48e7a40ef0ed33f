// Runs again each statement statementLog.cjs recorded with two or more sets of values (reads only, inside a transaction
// rolled back), the sets in turn, and prints as JSON how many times each was compiled.
//
// better-sqlite3 builds a function that makes a statement's rows (with `Function`) when the statement first runs and
// again each time SQLite compiled it again: counted here, in a process of its own, where this is the addon's only module.
const fs = require('node:fs');
const path = require('node:path');
const Database = require('better-sqlite3');

const logDir = process.argv[2];
const decoded = (text) =>
  JSON.parse(text, (_key, value) => {
    if (value !== null && typeof value === 'object' && '$bigint' in value) return BigInt(value.$bigint);
    if (value !== null && typeof value === 'object' && '$buffer' in value) return Buffer.from(value.$buffer, 'base64');
    return value;
  });

const logged = new Map();
for (const name of fs.readdirSync(logDir)) {
  for (const statement of JSON.parse(fs.readFileSync(path.join(logDir, name), 'utf8'))) {
    const key = `${statement.file}\u0000${statement.sql}`;
    const known = logged.get(key);
    if (known === undefined) logged.set(key, statement);
    else for (const run of statement.runs) if (!known.runs.includes(run) && known.runs.length < 3) known.runs.push(run);
  }
}

const compile = globalThis.Function;
let compiles = 0;
globalThis.Function = function (...args) {
  compiles++;
  return compile(...args);
};
const results = [];
const databases = new Map();
for (const { file, sql, runs } of logged.values()) {
  if (runs.length < 2 || !path.isAbsolute(file) || !fs.existsSync(file)) continue;
  if (!databases.has(file)) databases.set(file, new Database(file));
  const db = databases.get(file);
  const statement = db.prepare(sql);
  if (!statement.reader) continue;
  compiles = 0;
  db.exec('BEGIN');
  try {
    // Each set after another: a statement compiled again for new values is compiled at each of them.
    for (const run of [...runs, ...runs]) statement.all(...decoded(run));
  } finally {
    db.exec('ROLLBACK');
  }
  results.push({ file, sql, compiles });
}
for (const db of databases.values()) db.close();
globalThis.Function = compile;
process.stdout.write(JSON.stringify(results));
