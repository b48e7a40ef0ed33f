// Refuses, with a message, a Node older than package.json's engines: better-sqlite3's binary crashes there without one.
const [major = 0, minor = 0] = process.versions.node.split('.').map(Number);
if (major < 22 || (major === 22 && minor < 12)) {
  process.stderr.write(
    `css-callback-ledger needs Node 22.12 or newer (CI runs Node 24, the current LTS); this is Node ${process.versions.node}. ` +
      'The README says how to take Node 24 from the npm registry.\n',
  );
  process.exit(1);
}
