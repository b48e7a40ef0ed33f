import { readdirSync, readFileSync } from 'node:fs';
import { postCallback, tempDataDir } from '../support/testService';
import { runCli, type ServiceProcess } from '../support/serviceProcess';

/** Nice value of each thread of a process, from /proc (field 19 of a task's stat, after the command name). */
function threadNiceness(pid: number): number[] {
  return readdirSync(`/proc/${pid}/task`).map((tid) => {
    const stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8');
    return Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[16]);
  });
}

const onLinux = process.platform === 'linux' ? describe : describe.skip;

onLinux('the embedded store on its threads, as `npm start` runs it', () => {
  const data = tempDataDir();
  let run: ServiceProcess | undefined;
  afterAll(() => {
    run?.child.kill('SIGKILL');
    data.remove();
  });

  it('answers callbacks while the projector thread runs at a lower priority than the rest', async () => {
    run = runCli(['serve'], { PORT: '0', HOST: '127.0.0.1', DATA_DIR: data.dir, LOG_LEVEL: 'info' });
    const line = await run.waitForLine(/listening on http:\/\/127\.0\.0\.1:\d+/);
    const url = /http:\/\/127\.0\.0\.1:\d+/.exec(line)![0];
    const response = await postCallback(url, { event_type: 1, sequence: '5150', stream_id: 'threads' });
    expect(response.status).toBe(200);

    const niceness = threadNiceness(run.child.pid!);
    expect(niceness.filter((nice) => nice === 10)).toHaveLength(1); // the projector
    expect(niceness.filter((nice) => nice !== 10).every((nice) => nice === niceness[0])).toBe(true);
  });
});
