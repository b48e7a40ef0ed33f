// Whether a stream's newest session is LIVE after one of its sessions changed: told without reading where it can be.
import { newestIsLiveAfter, type SessionPoint } from '../../src/readmodels/insights/liveStreams';

const at = (sessionAt: number, sequence: string, live: 0 | 1): SessionPoint => ({ sessionAt, sequence, live });

describe('newestIsLiveAfter', () => {
  it("takes a stream's first session as its newest", () => {
    expect(newestIsLiveAfter(undefined, null, at(10, 'a', 1))).toBe(true);
    expect(newestIsLiveAfter(undefined, null, at(10, 'a', 0))).toBe(false);
  });

  it('goes by a newer push, LIVE or not: the one before it was replaced', () => {
    expect(newestIsLiveAfter(at(10, 'a', 1), null, at(20, 'b', 0))).toBe(false);
    expect(newestIsLiveAfter(at(10, 'a', 0), null, at(20, 'b', 1))).toBe(true);
    // At the same push time the greater sequence is the newer, as the read orders them.
    expect(newestIsLiveAfter(at(10, 'a', 1), null, at(10, 'b', 0))).toBe(false);
  });

  it('keeps the newest when an older session comes or changes', () => {
    expect(newestIsLiveAfter(at(20, 'b', 0), null, at(10, 'a', 1))).toBe(false);
    expect(newestIsLiveAfter(at(20, 'b', 1), at(10, 'a', 1), at(10, 'a', 0))).toBe(true);
  });

  it('follows the newest as it ends, or moves later', () => {
    expect(newestIsLiveAfter(at(20, 'b', 1), at(20, 'b', 1), at(20, 'b', 0))).toBe(false);
    expect(newestIsLiveAfter(at(20, 'b', 0), at(20, 'b', 0), at(25, 'b', 1))).toBe(true);
  });

  it('cannot tell without reading when the newest moved back behind its push, or left the stream', () => {
    expect(newestIsLiveAfter(at(20, 'b', 0), at(20, 'b', 0), at(5, 'b', 0))).toBeNull();
    expect(newestIsLiveAfter(at(20, 'b', 1), at(20, 'b', 1), null)).toBeNull();
  });
});
