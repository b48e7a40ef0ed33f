// The image runs the service as `npm start` does: the same V8 options (the README says what each is for).
import fs from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

function npmStart(): string[] {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { scripts: { start: string } };
  return pkg.scripts.start.split(' ');
}

function dockerCommand(): string[] {
  const line = fs
    .readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8')
    .split('\n')
    .find((l) => l.startsWith('CMD '));
  if (line === undefined) throw new Error('the Dockerfile has no CMD');
  return JSON.parse(line.slice('CMD '.length)) as string[];
}

describe('the start command', () => {
  it('is the same in the Dockerfile as in npm start', () => {
    expect(dockerCommand()).toEqual(npmStart());
  });

  it('names the options the README explains', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const options = npmStart().filter((arg) => arg.startsWith('--'));
    expect(options).toEqual(expect.arrayContaining(['--max-semi-space-size=16', '--no-allocation-site-pretenuring']));
    expect(readme).toContain(`\`${npmStart().join(' ')}\``);
  });
});
