// Copies the dashboard's and the GraphQL explorer's static files beside the compiled code (dist/<folder>/assets), where the built service serves them from.
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
for (const folder of ['dashboard', 'explorer']) {
  const from = path.join(root, 'src', folder, 'assets');
  const to = path.join(root, 'dist', folder, 'assets');
  // Replaced whole, so a file removed from the sources is not served on from an old build.
  fs.rmSync(to, { recursive: true, force: true });
  fs.cpSync(from, to, { recursive: true });
}
