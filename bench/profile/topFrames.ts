// Summarizes a V8 .cpuprofile (node --cpu-prof): top functions by self time and by total time, and self time by package.
// Usage: node topFrames.js <file.cpuprofile> [top N]
import fs from 'node:fs';
import path from 'node:path';
import { REPO_ROOT } from '../config';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  hitCount?: number;
  children?: number[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  endTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface FrameTime {
  frame: string;
  ms: number;
  share: number;
}

export interface ProfileSummary {
  file: string;
  totalMs: number;
  /** Share of samples not idle. */
  busyShare: number;
  self: FrameTime[];
  total: FrameTime[];
  byPackage: FrameTime[];
}

function shortUrl(url: string): string {
  const plain = url.replace(/^file:\/\//, '');
  // The benchmarks run a copy of dist/ (bench/.build/dist): shown as dist/.
  if (plain.startsWith(REPO_ROOT)) return path.relative(REPO_ROOT, plain).replace(/^bench\/\.build\/dist\//, 'dist/');
  return plain;
}

function frameName(node: ProfileNode): string {
  const { functionName, url, lineNumber } = node.callFrame;
  const name = functionName === '' ? '(anonymous)' : functionName;
  if (url === '') return name;
  return `${name} ${shortUrl(url)}:${lineNumber + 1}`;
}

function packageOf(node: ProfileNode): string {
  const { url, functionName } = node.callFrame;
  if (url === '') return functionName.startsWith('(') ? functionName : '(native)';
  if (url.startsWith('node:')) return 'node: internals';
  const plain = shortUrl(url);
  const modules = plain.lastIndexOf('node_modules/');
  if (modules >= 0) {
    const rest = plain.slice(modules + 'node_modules/'.length).split('/');
    return rest[0]!.startsWith('@') ? `${rest[0]}/${rest[1]}` : rest[0]!;
  }
  const dist = /(?:^|\/)dist\/(.*)$/.exec(plain);
  if (dist !== null) return `service dist/${path.dirname(dist[1]!)}`;
  return plain;
}

export function summarizeProfile(file: string, top = 15): ProfileSummary {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const packages = new Map<string, number>();
  let all = 0;
  let idle = 0;
  const add = (map: Map<string, number>, key: string, ms: number) => map.set(key, (map.get(key) ?? 0) + ms);
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined) return;
    all += ms;
    if (node.callFrame.functionName === '(idle)') {
      idle += ms;
      return;
    }
    add(self, frameName(node), ms);
    add(packages, packageOf(node), ms);
    const seen = new Set<string>();
    for (let at: number | undefined = id; at !== undefined; at = parent.get(at)) {
      const frame = frameName(byId.get(at)!);
      if (seen.has(frame) || frame === '(root)') continue;
      seen.add(frame);
      add(total, frame, ms);
    }
  });
  const busy = all - idle;
  const rank = (map: Map<string, number>): FrameTime[] =>
    [...map.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([frame, ms]) => ({ frame, ms, share: busy > 0 ? ms / busy : 0 }));
  return { file, totalMs: all, busyShare: all > 0 ? busy / all : 0, self: rank(self), total: rank(total), byPackage: rank(packages) };
}

/**
 * Self time of the functions whose name contains `focus`, split by the chain of service (dist/) frames that called
 * them, innermost first: tells apart, say, the event store's commits from the projector's inside better-sqlite3.
 */
export function callersOf(file: string, focus: string, depth = 3, top = 12): FrameTime[] {
  const profile = JSON.parse(fs.readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map<number, ProfileNode>();
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    byId.set(node.id, node);
    for (const child of node.children ?? []) parent.set(child, node.id);
  }
  const callers = new Map<string, number>();
  let all = 0;
  profile.samples.forEach((id, i) => {
    const ms = (profile.timeDeltas[i + 1] ?? profile.timeDeltas[i] ?? 0) / 1000;
    const node = byId.get(id);
    if (node === undefined || node.callFrame.functionName === '(idle)') return;
    all += ms;
    if (!frameName(node).includes(focus)) return;
    const chain: string[] = [];
    for (let at = parent.get(id); at !== undefined && chain.length < depth; at = parent.get(at)) {
      const frame = byId.get(at)!;
      if (/(^|\/)dist\//.test(shortUrl(frame.callFrame.url))) chain.push(frameName(frame));
    }
    const key = chain.length === 0 ? '(no service frame)' : chain.join(' ← ');
    callers.set(key, (callers.get(key) ?? 0) + ms);
  });
  return [...callers.entries()]
    .sort((a, b) => b[1] - a[1])
    .slice(0, top)
    .map(([frame, ms]) => ({ frame, ms, share: all > 0 ? ms / all : 0 }));
}

export function profileMarkdown(summary: ProfileSummary, title: string): string {
  const table = (caption: string, frames: FrameTime[]) =>
    [
      `| ${caption} | ms | share of busy time |`,
      '| --- | ---: | ---: |',
      ...frames.map((f) => `| \`${f.frame.replace(/\|/g, '\\|')}\` | ${f.ms.toFixed(0)} | ${(100 * f.share).toFixed(1)}% |`),
    ].join('\n');
  return [
    `#### ${title}`,
    '',
    `\`${path.relative(REPO_ROOT, summary.file)}\`: ${(summary.totalMs / 1000).toFixed(1)} s profiled, ${(100 * summary.busyShare).toFixed(0)}% busy.`,
    '',
    table('self time by package / folder', summary.byPackage.slice(0, 10)),
    '',
    table('self time by function', summary.self),
    '',
    table('total time (inclusive) by function', summary.total),
    '',
  ].join('\n');
}

if (require.main === module) {
  const [file, top, focus] = process.argv.slice(2);
  if (file === undefined) {
    process.stderr.write('usage: node topFrames.js <file.cpuprofile> [top N] [function whose self time to split by caller]\n');
    process.exit(2);
  }
  process.stdout.write(profileMarkdown(summarizeProfile(path.resolve(file), Number(top ?? 20)), path.basename(file)));
  if (focus !== undefined) {
    process.stdout.write(`\n| self time of ${focus} by service callers | ms | share of busy time |\n| --- | ---: | ---: |\n`);
    for (const f of callersOf(path.resolve(file), focus, 3, Number(top ?? 20))) {
      process.stdout.write(`| \`${f.frame}\` | ${f.ms.toFixed(0)} | ${(100 * f.share).toFixed(1)}% |\n`);
    }
  }
}
