// Jest global setup for tests that run the real command line or the ledger threads: compiles src/ to dist/ once, dashboard files included.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildDist(): void {
  // Each project that needs dist/ names this setup; one build per jest run is enough.
  if (process.env.CSS_LEDGER_DIST_BUILT === '1') return;
  const root = path.join(__dirname, '..', '..');
  execFileSync(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json'], {
    cwd: root,
    stdio: 'inherit',
  });
  execFileSync(process.execPath, [path.join(root, 'scripts', 'copy-dashboard-assets.js')], { cwd: root, stdio: 'inherit' });
  process.env.CSS_LEDGER_DIST_BUILT = '1';
}
