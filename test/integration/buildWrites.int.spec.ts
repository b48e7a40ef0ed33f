// How a read-model file is written while it builds: in bulk for the rebuild command, written through at each WAL
// checkpoint beside a serving service (the upgrade benchmark measures what that does to queries).
import path from 'node:path';
import { ProjectionFile } from '../../src/processing/readModelFile';
import { sessionsProjection } from '../../src/readmodels/sessions/sessions.projection';
import { tempDataDir } from '../support/testService';

const SYNCHRONOUS = { 0: 'OFF', 1: 'NORMAL', 2: 'FULL' } as Record<number, string>;
const synchronousOf = (file: ProjectionFile): string => SYNCHRONOUS[file.db.pragma('synchronous', { simple: true }) as number]!;

describe('a read-model file while it builds', () => {
  const data = tempDataDir();
  afterAll(() => data.remove());
  const folder = (name: string) => path.join(data.dir, name, 'readmodels', 'sessions');

  it('is written in bulk by default (the rebuild command: nothing else reads the disk), durably once live', () => {
    const file = ProjectionFile.create(folder('bulk'), sessionsProjection, 1, 'building');
    try {
      expect(synchronousOf(file)).toBe('OFF');
      file.markLive();
      expect(synchronousOf(file)).toBe('NORMAL');
    } finally {
      file.close();
    }
  });

  it('beside a serving service, is written through at each checkpoint, when created and when opened again', () => {
    const created = ProjectionFile.create(folder('steady'), sessionsProjection, 1, 'building', 'steady');
    const file = created.file;
    try {
      expect(synchronousOf(created)).toBe('NORMAL');
    } finally {
      created.close();
    }
    const reopened = ProjectionFile.open(file, sessionsProjection, 'steady');
    const inBulk = ProjectionFile.open(file, sessionsProjection);
    try {
      expect(synchronousOf(reopened)).toBe('NORMAL');
      expect(synchronousOf(inBulk)).toBe('OFF');
    } finally {
      reopened.close();
      inBulk.close();
    }
  });
});
