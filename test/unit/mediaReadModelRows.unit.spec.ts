// What the media read models make of one event, without a file: session intervals, recording and moderation rows, and the subscribers' filters.
import 'reflect-metadata';
import { PROJECTIONS } from '../../src/readmodels';
import { moderationHitRow } from '../../src/readmodels/moderation/moderation.projection';
import { matchesModerationFilter } from '../../src/readmodels/moderation/moderationFilter.input';
import { toProjectedEvent, type ProjectedEvent } from '../../src/readmodels/projectedEvent';
import { recordingFileRow } from '../../src/readmodels/recordings/recordings.projection';
import { matchesRecordingFilter } from '../../src/readmodels/recordings/recordingFilter.input';
import { decodeIntervalState, EMPTY_INTERVAL_STATE, encodeIntervalState, foldInterval, intervalOf, intervalOfState } from '../../src/readmodels/sessionIntervals';
import { emptySession, reduceSession, sessionRow } from '../../src/readmodels/sessions/session.reducer';
import { callbackTypeFixture, payloadOf } from '../support/callbackTypeFixtures';
import { callback, RECEIVED_AT } from '../support/projectionSpec';

function projected(body: object, receivedAt = RECEIVED_AT): ProjectedEvent {
  const event = toProjectedEvent({ ...callback(body, receivedAt), position: 1n, revision: 0n });
  if (event === null) throw new Error('not a callback this service writes');
  return event;
}
const fixture = (name: string) => payloadOf(callbackTypeFixture(name).raw);
const asType = <T extends ProjectedEvent['type']>(event: ProjectedEvent, type: T) => {
  if (event.type !== type) throw new Error(`${event.type} is not ${type}`);
  return event as ProjectedEvent & { type: T };
};

describe('session intervals', () => {
  const push = { event_type: 1, sequence: '5', stream_id: 's', event_time: 1_700_000_000 };
  const interruption = { ...push, event_type: 0, event_time: 1_700_000_600, errcode: 1, push_duration: '600000' };
  const interval = (...bodies: object[]) => intervalOf(bodies.map((body) => projected(body)).reduce(reduceSession, emptySession('5')));

  it('runs from the push to the interruption, open while live', () => {
    expect(interval(push)).toMatchObject({ streamId: 's', pushedAt: 1_700_000_000_000, interruptedAt: null });
    expect(interval(interruption, push)).toMatchObject({ pushedAt: 1_700_000_000_000, interruptedAt: 1_700_000_600_000 });
  });

  it('starts, without its push, at the interruption less push_duration; unknown without either', () => {
    expect(interval(interruption)).toMatchObject({ pushedAt: 1_700_000_000_000, interruptedAt: 1_700_000_600_000 });
    const { push_duration: _none, ...unmeasured } = interruption;
    expect(interval(unmeasured)).toMatchObject({ pushedAt: null, interruptedAt: 1_700_000_600_000 });
  });

  it('is the same folded from its stored state as from the whole sessions state, whatever the order, retries and missing times', () => {
    const { event_time: _untimed, ...untimedPush } = push;
    const facts = [
      projected({ ...push, stream_id: undefined, app: 'Live.Example.com' }, 1_700_000_100_000),
      projected({ ...push, event_time: 1_700_000_050, appname: 'live' }),
      projected({ ...untimedPush, stream_id: 'other' }, 1_699_999_000_000),
      projected(interruption),
      projected({ ...interruption, event_time: 1_700_000_700, push_duration: '0' }),
    ];
    // Every order of every selection of up to four of them, the last one again as CSS's retry.
    const orders = (left: ProjectedEvent[], depth: number): ProjectedEvent[][] =>
      depth === 0 ? [[]] : [[], ...left.flatMap((fact, i) => orders(left.filter((_, j) => j !== i), depth - 1).map((rest) => [fact, ...rest]))];
    for (const order of orders(facts, 4)) {
      const sequence = [...order, ...order.slice(-1)];
      const whole = sequence.reduce(reduceSession, emptySession('5'));
      const compact = sequence.reduce((state, fact) => decodeIntervalState(encodeIntervalState(foldInterval(state, fact))), EMPTY_INTERVAL_STATE);
      // As the sessions read model's row has the session, its start derived from push_duration when the push is missing.
      const row = sessionRow(whole);
      const derived = row.interruptedAt !== null && row.pushDurationMs !== null ? row.interruptedAt - row.pushDurationMs : null;
      const { domain, appName, streamId, interruptedAt } = row;
      expect(intervalOfState('5', compact)).toEqual({ sequence: '5', domain, appName, streamId, pushedAt: whole.push === null ? derived : row.pushedAt, interruptedAt });
    }
  });
});

describe('moderation hit rows', () => {
  const image = fixture('image-moderation');

  it('names the suggestion in the enum whatever its case, and leaves one the documents do not define null', () => {
    const row = (suggestion: string) => moderationHitRow(asType(projected({ ...image, suggestion }), 'ImageModerationFlagged')).suggestion;
    expect([row('Block'), row('review'), row('PASS'), row('Escalate')]).toEqual(['BLOCK', 'REVIEW', 'PASS', null]);
  });

  it('dates an image hit by its screenshot, else by when CSS sent it, else by its receipt', () => {
    const { screenshotTime: _taken, ...unTaken } = image;
    const { sendTime: _sent, ...unSent } = unTaken;
    const row = (body: object) => moderationHitRow(asType(projected(body), 'ImageModerationFlagged'));
    expect(row(image)).toMatchObject({ at: 1610640000000, listedAt: 1610640000000 });
    expect(row(unTaken)).toMatchObject({ at: 1615859827000 });
    expect(row(unSent)).toMatchObject({ at: null, listedAt: RECEIVED_AT, tieFrom: RECEIVED_AT });
  });

  it('is told to a subscriber whose filter it matches, by kind, suggestion, stream and time', () => {
    const row = { ...moderationHitRow(asType(projected(image), 'ImageModerationFlagged')), sequence: null };
    expect(matchesModerationFilter(row, { kind: 'IMAGE', suggestion: 'BLOCK', streamId: 'teststream' })).toBe(true);
    expect(matchesModerationFilter(row, { kind: 'AUDIO' })).toBe(false);
    expect(matchesModerationFilter(row, { suggestion: 'REVIEW' })).toBe(false);
    expect(matchesModerationFilter(row, { from: 1610640000000, to: 1610640000001 })).toBe(true);
    expect(matchesModerationFilter(row, { to: 1610640000000 })).toBe(false);
  });
});

describe('recording file rows', () => {
  it('spans the file from its end less its duration, and is listed by its end', () => {
    const row = recordingFileRow(asType(projected(fixture('recording-file')), 'RecordingFileGenerated'));
    expect(row).toMatchObject({ startedAt: 1642089444618, endedAt: 1642089598618, tieFrom: 1642089444618, tieTo: 1642089598618, listedAt: 1642089598618 });
    expect(matchesRecordingFilter({ ...row, sequence: null }, { streamId: 'stream_test', endedFrom: 1642089598618 })).toBe(true);
    expect(matchesRecordingFilter({ ...row, sequence: null }, { domain: 'elsewhere' })).toBe(false);
  });
});

describe('the media read models beside the others', () => {
  it('each keeps its session intervals in a table of its own name: no two read models share a table name', () => {
    const names = PROJECTIONS.flatMap((projection) => projection.tables.map((table) => table.name));
    expect(new Set(names).size).toBe(names.length);
    expect(names).toEqual(expect.arrayContaining(['recording_session_intervals', 'screenshot_session_intervals', 'moderation_session_intervals']));
  });
});
