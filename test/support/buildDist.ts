// Jest global setup for tests that run the real command line: compiles src/ to dist/ once.
import { execFileSync } from 'node:child_process';
import path from 'node:path';

export default function buildDist(): void {
  const root = path.join(__dirname, '..', '..');
  execFileSync(process.execPath, [require.resolve('@swc/cli/bin/swc.js'), 'src', '-d', 'dist', '--strip-leading-paths', '--copy-files', '--quiet'], {
    cwd: root,
    stdio: 'inherit',
  });
}
