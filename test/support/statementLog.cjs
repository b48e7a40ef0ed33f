// Loaded with --require into a service process (its worker threads too): records each SQLite statement it prepares, the
// file it reads, and the first values it ran with, into STATEMENT_LOG_DIR when the thread ends.
const fs = require('node:fs');
const path = require('node:path');
const { threadId } = require('node:worker_threads');
const Database = require('better-sqlite3');

const VALUES_KEPT = 3;
const statements = new Map();
/** BigInts and Buffers as JSON can carry them. */
const encoded = (values) =>
  JSON.stringify(values, (_key, value) => {
    if (typeof value === 'bigint') return { $bigint: String(value) };
    if (value !== null && typeof value === 'object' && value.type === 'Buffer' && Array.isArray(value.data)) return { $buffer: Buffer.from(value.data).toString('base64') };
    return value;
  });

const prepare = Database.prototype.prepare;
Database.prototype.prepare = function (sql, ...rest) {
  const statement = prepare.call(this, sql, ...rest);
  const key = `${this.name}\u0000${sql}`;
  if (!statements.has(key)) statements.set(key, { file: this.name, sql, runs: [] });
  const logged = statements.get(key);
  for (const method of ['get', 'all', 'iterate', 'run']) {
    const run = statement[method];
    statement[method] = function (...values) {
      if (logged.runs.length < VALUES_KEPT && values.length > 0) {
        const text = encoded(values);
        if (!logged.runs.includes(text)) logged.runs.push(text);
      }
      return run.apply(this, values);
    };
  }
  return statement;
};

process.on('exit', () => {
  fs.writeFileSync(path.join(process.env.STATEMENT_LOG_DIR, `${process.pid}-${threadId}.json`), JSON.stringify([...statements.values()]));
});
