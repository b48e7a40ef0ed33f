// The screenshots projection against a real read-model file: each screenshot tied to its push session whatever the order.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { screenshotsProjection } from '../../src/readmodels/screenshots/screenshots.projection';
import { callbackTypeFixture, payloadOf } from '../support/callbackTypeFixtures';
import { callback, projectionSpec } from '../support/projectionSpec';

// Tencent's documented example: a 1280x720 picture of your_streamid on test.app/live taken at 1622599925.
const shot = payloadOf(callbackTypeFixture('screenshot').raw);
const push = { event_type: 1, sequence: '91', app: 'test.app', appname: 'live', stream_id: 'your_streamid', event_time: 1622599000 };
const later = { ...shot, create_time: 1622600045, pic_full_url: 'http://your.cos.region.myqcloud.com/later.jpg' };

const taken = {
  streamId: 'your_streamid',
  takenAt: 1622599925000,
  url: 'http://your.cos.region.myqcloud.com/channelid/channelid-screenshot-10-12-05-1280x720.jpg',
  width: 1280,
  height: 720,
  fileSizeBytes: 30670,
};

describe('screenshots projection', () => {
  const spec = projectionSpec(screenshotsProjection);

  it('ties a screenshot to the live session of its stream', () => {
    spec.given(callback(push)).when([callback(shot)]).then({ screenshots: [{ ...taken, sequence: '91' }] });
  });

  it('ties screenshots that arrived before their push when it arrives, the same in either order and when repeated', () => {
    spec.given(callback(later), callback(shot)).when([callback(push)]).then({ screenshots: [{ sequence: '91' }, { sequence: '91' }] });
    spec
      .given()
      .when([callback(push), callback(shot)], { order: 'reversed', times: 2 })
      .then(({ rows, changes }) => {
        expect(rows('screenshots')).toMatchObject([{ ...taken, sequence: '91' }]);
        expect(changes).toHaveLength(1);
      });
  });

  it('keeps a screenshot no session matches, untied', () => {
    spec.given().when([callback(shot)]).then({ screenshots: [{ ...taken, sequence: null }] });
  });
});

describe('screenshots file reopened', () => {
  it('ties a screenshot it held before it was closed when the push comes after it opened again', () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'screenshots-reopened-'));
    const at = (position: number, body: object) => ({ ...callback(body), position: BigInt(position), revision: BigInt(position) });
    try {
      const before = ProjectionFile.create(dir, screenshotsProjection, 1, 'live');
      before.apply([at(1, shot)]);
      before.close();
      const file = ProjectionFile.open(before.file, screenshotsProjection);
      try {
        file.apply([at(2, push)]);
        expect(file.db.prepare('SELECT sequence FROM screenshots').pluck().all()).toEqual(['91']);
      } finally {
        file.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
