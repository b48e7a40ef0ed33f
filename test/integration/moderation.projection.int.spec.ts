// The moderation projection against a real read-model file: image and audio hits, each tied to its push session whatever the order.
import { moderationProjection } from '../../src/readmodels/moderation/moderation.projection';
import { callbackTypeFixture, payloadOf } from '../support/callbackTypeFixtures';
import { callback, projectionSpec } from '../support/projectionSpec';

// Tencent's documented examples: a Porn/PornHigh frame of teststream taken at 1610640000, and an Ad on xxxn01 heard at 1685929588.
const image = payloadOf(callbackTypeFixture('image-moderation').raw);
const audio = payloadOf(callbackTypeFixture('audio-moderation').raw);
const imagePush = { event_type: 1, sequence: '71', app: '5000.myqcloud.com', appname: 'live', stream_id: 'teststream', event_time: 1610639000 };
const audioPush = { event_type: 1, sequence: '72', app: 'xxx.cn', appname: 'live', stream_id: 'xxxn01', event_time: 1685929000 };
const audioInterruption = { ...audioPush, event_type: 0, event_time: 1685930000, errcode: 1, push_duration: '1000000' };

const imageHit = {
  kind: 'IMAGE',
  streamId: 'teststream',
  domain: '5000.myqcloud.com',
  at: 1610640000000,
  suggestion: 'BLOCK',
  label: 'Porn',
  subLabel: 'PornHigh',
  score: 99,
  imageUrl: 'http://1.1.1.1/download/porn/test.jpg',
};
const audioHit = {
  kind: 'AUDIO',
  streamId: 'xxxn01',
  domain: 'xxx.cn',
  appName: 'live',
  at: 1685929588000,
  suggestion: 'BLOCK',
  label: 'Ad',
  score: 96,
  text: 'provide mobile phone number for easy contact',
  imageUrl: null,
};

describe('moderation projection', () => {
  const spec = projectionSpec(moderationProjection);

  it('ties an image hit to the live session of its stream', () => {
    spec.given(callback(imagePush)).when([callback(image)]).then({ moderation_hits: [{ ...imageHit, sequence: '71' }] });
  });

  it('keeps a hit of a stream no session matches, untied', () => {
    spec.given(callback(imagePush)).when([callback(audio)]).then({ moderation_hits: [{ ...audioHit, sequence: null }] });
  });

  it('ties an audio hit that arrived before its push when the push arrives, in either order', () => {
    spec.given(callback(audio)).when([callback(audioPush)]).then({ moderation_hits: [{ ...audioHit, sequence: '72' }] });
    spec
      .given()
      .when([callback(audioPush), callback(audio), callback(audioInterruption)], { order: 'reversed' })
      .then({ moderation_hits: [{ ...audioHit, sequence: '72' }] });
  });

  it('makes one row per hit and announces each once when the same callbacks arrive twice', () => {
    spec
      .given()
      .when([callback(imagePush), callback(image), callback(audio)], { times: 2 })
      .then(({ rows, changes }) => {
        expect(rows('moderation_hits')).toHaveLength(2);
        expect(changes.map(({ row }) => (row as unknown as { kind: string }).kind).sort()).toEqual(['AUDIO', 'IMAGE']);
      });
  });

  it('leaves a suggestion the documents do not define out of the enum, and keeps the hit', () => {
    spec
      .given()
      .when([callback({ ...image, suggestion: 'Escalate' })])
      .then({ moderation_hits: [{ kind: 'IMAGE', suggestion: null, label: 'Porn' }] });
  });
});
