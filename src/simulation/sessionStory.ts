// Everything a session plays in the full story besides its push and interruption, in one list.
import { analysisStory } from './analysisStory';
import { pushAnomalyStory } from './pushAnomalyStory';
import { recordingStory } from './recordingStory';
import type { SimulatedSession, StoryRound } from './storySession';
import { moderationStory, screenshotStory } from './streamMediaStory';
import type { TimedCallback } from './timedCallback';

export function sessionStory(session: SimulatedSession, round: StoryRound): TimedCallback[] {
  return [
    ...(round.story.recordings ? recordingStory(session, round) : []),
    ...screenshotStory(session, round),
    ...moderationStory(session, round),
    ...pushAnomalyStory(session, round),
    ...analysisStory(session, round),
  ];
}
