// The activity chart's window: every minute of it, oldest first, filled from per-minute counts.
import { activityWindow, MINUTE_MS } from '../../src/readmodels/callbackLog/callbackActivity.queries';

describe('activityWindow', () => {
  it('lists every minute of the window ending with the last, zeros where nothing was counted', () => {
    expect(activityWindow([], 1000, 3)).toEqual([
      { minuteStart: 998 * MINUTE_MS, pushes: 0, interruptions: 0 },
      { minuteStart: 999 * MINUTE_MS, pushes: 0, interruptions: 0 },
      { minuteStart: 1000 * MINUTE_MS, pushes: 0, interruptions: 0 },
    ]);
  });

  it('puts pushes and interruptions in their minute, and leaves out other types and minutes outside the window', () => {
    const window = activityWindow(
      [
        { minute: 997, type: 'StreamPushed', count: 9 },
        { minute: 998, type: 'StreamPushed', count: 2 },
        { minute: 998, type: 'StreamInterrupted', count: 1 },
        { minute: 1000, type: 'StreamInterrupted', count: 4 },
        { minute: 1000, type: 'RelayTaskExited', count: 7 },
        { minute: 1001, type: 'StreamPushed', count: 5 },
      ],
      1000,
      3,
    );
    expect(window.map(({ pushes, interruptions }) => [pushes, interruptions])).toEqual([
      [2, 1],
      [0, 0],
      [0, 4],
    ]);
  });
});
