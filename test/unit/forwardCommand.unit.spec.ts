// `forward status` lines: a destination with its own checkpoint shows its breaker and lag, a shared group its name and this instance's count.
import { describeDestination, replayFlagsMistake } from '../../src/forwarding/forwardCommand';

const common = { name: 'billing', url: 'http://127.0.0.1:9/hook', status: 'ACTIVE', paused: false, lastError: null, pendingCount: 0 };

describe('forward status', () => {
  it('shows breaker, position and lag of a destination that follows the log itself', () => {
    const line = describeDestination({ ...common, breaker: 'CLOSED', deliveredThrough: '42', lagEvents: 3, lagSeconds: 1.25, deadLetterCount: 1, group: null, deliveredCount: null });
    expect(line).toBe('billing  ACTIVE  breaker CLOSED  delivered through 42  lag 3 events / 1.3 s  pending 0  dead letters 1  -> http://127.0.0.1:9/hook');
  });

  it("keeps a receiver's error page on the destination's line, cut to 200 characters", () => {
    const page = `<!DOCTYPE HTML>\n<html lang="en">\n    <head>\n        <title>Error response</title>\n    </head>\n    <body>${'x'.repeat(400)}</body>\n</html>\n`;
    const line = describeDestination({ ...common, breaker: 'OPEN', deliveredThrough: '0', lagEvents: 300, lagSeconds: 7, deadLetterCount: 0, group: null, deliveredCount: null, lastError: `HTTP 501: ${page}` });
    expect(line).not.toContain('\n');
    const [, error] = line.split('  last error: ');
    expect(error).toHaveLength(200);
    expect(error).toMatch(/^HTTP 501: <!DOCTYPE HTML> <html lang="en"> <head> <title>Error response<\/title> <\/head> <body>x+…$/);
  });

  it("shows a receiver's control characters as escapes: its error page cannot drive the operator's terminal", () => {
    const line = describeDestination({ ...common, breaker: 'OPEN', deliveredThrough: '0', lagEvents: 1, lagSeconds: 1, deadLetterCount: 0, group: null, deliveredCount: null, lastError: 'HTTP 500: \u001b]0;owned\u0007\u001b[2Jgone' });
    expect(line).toMatch(/last error: HTTP 500: \\u001b\]0;owned\\u0007\\u001b\[2Jgone$/);
    expect(line).not.toMatch(/[\u0000-\u001f]/);
  });

  it('shows the group and what this instance delivered of a shared destination, not a lag it cannot know', () => {
    const line = describeDestination({
      ...common,
      breaker: null,
      deliveredThrough: null,
      lagEvents: null,
      lagSeconds: null,
      deadLetterCount: 2,
      group: 'css-ledger-forward-billing',
      deliveredCount: 7,
      lastError: 'HTTP 400',
    });
    expect(line).toBe('billing  ACTIVE  shared group css-ledger-forward-billing  delivered by this instance 7  pending 0  dead letters 2  -> http://127.0.0.1:9/hook  last error: HTTP 400');
  });
});

describe('forward replay', () => {
  it('names the flags to give when the range is missing, half given or of both kinds, before the service is asked', () => {
    expect(replayFlagsMistake({})).toBe('give the range to replay: --from-position and --to-position, or --from and --to');
    expect(replayFlagsMistake({ fromPosition: '1' })).toBe('give both --from-position and --to-position');
    expect(replayFlagsMistake({ to: '2025-01-02T00:00:00.000Z' })).toBe('give both --from and --to');
    expect(replayFlagsMistake({ fromPosition: '1', toPosition: '2', from: '2025-01-02T00:00:00.000Z' })).toBe(
      'give --from-position and --to-position, or --from and --to, not both kinds',
    );
    expect(replayFlagsMistake({ fromPosition: '1', toPosition: '2' })).toBeNull();
    expect(replayFlagsMistake({ from: '2025-01-02T00:00:00.000Z', to: '2025-01-03T00:00:00.000Z' })).toBeNull();
  });
});
