// The relay-task projection's timing of first VOD files: how late each run's first VodSourceFileStart came, or that it never did.
import { relayTasksProjection } from '../../src/readmodels/relayTasks/relayTasks.projection';
import { relayCallback } from '../support/callbackBodies';
import { callback, projectionSpec } from '../support/projectionSpec';

const VOD = JSON.stringify(['http://vod.example/0.mp4']) + '\n';
const LIVE = JSON.stringify(['rtmp://origin.example/live/cam']) + '\n';
const TO = 'rtmp://push.example.com/live/cam';
const start = (taskId: string, atMs: number, source = VOD) =>
  callback(relayCallback('TaskStart', { task_id: taskId, source_urls: source, to_url: TO, msg: JSON.stringify({ task_start_time: atMs }) }));
const fileStart = (taskId: string, eventTime: number) =>
  callback(relayCallback('VodSourceFileStart', { task_id: taskId, source_urls: VOD, to_url: TO, event_time: String(eventTime), msg: JSON.stringify({ index: 0, url: 'http://vod.example/0.mp4' }) }));
const exit = (taskId: string, atMs: number) =>
  callback(relayCallback('TaskExit', { task_id: taskId, source_urls: VOD, to_url: TO, msg: JSON.stringify({ code: -22, message: 'x', task_exit_time: atMs }) }));

describe('relay-task projection: first VOD file timing', () => {
  const spec = projectionSpec(relayTasksProjection);

  it('measures the wait from TaskStart to the first VodSourceFileStart, in any order', () => {
    spec.given().when([start('t1', 1_700_000_000_000), fileStart('t1', 1_700_000_005)], { order: 'reversed' }).then({
      relay_tasks: [{ taskId: 't1', domain: 'push.example.com', fileStartDelayMs: 5000, fileStartMissed: 0, awaitingFileSince: null }],
    });
  });

  it('says a run waits while it runs without a file, and missed it once it exited without one', () => {
    spec.given().when([start('t2', 1_700_000_000_000)]).then({ relay_tasks: [{ awaitingFileSince: 1_700_000_000_000, fileStartMissed: 0 }] });
    spec.given(start('t2', 1_700_000_000_000)).when([exit('t2', 1_700_000_009_000)]).then({ relay_tasks: [{ awaitingFileSince: null, fileStartMissed: 1 }] });
  });

  it('does not time a task on live sources', () => {
    spec.given().when([start('t3', 1_700_000_000_000, LIVE)]).then({ relay_tasks: [{ fileStartDelayMs: null, fileStartMissed: 0, awaitingFileSince: null }] });
  });
});
