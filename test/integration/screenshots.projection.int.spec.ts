// The screenshots projection against a real read-model file: each screenshot tied to its push session whatever the order.
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

  it('ties a screenshot stored before the file was closed when the push comes after it opened again', () => {
    spec.given(callback(shot)).when([callback(push)], { reopened: true }).then({ screenshots: [{ sequence: '91' }] });
  });

  it('keeps a screenshot no session matches, untied', () => {
    spec.given().when([callback(shot)]).then({ screenshots: [{ ...taken, sequence: null }] });
  });
});
