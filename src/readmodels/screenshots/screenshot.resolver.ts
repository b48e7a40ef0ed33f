// A session's screenshots: the latest one, and all of them newest first, a page at a time.
import { Args, FieldResolver, Resolver, Root } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import type { ReadModelServices } from '../services';
import { StreamSession } from '../sessions/session.type';
import { Screenshot } from './screenshot.type';

export const ScreenshotConnection = Connection(Screenshot, 'Screenshot');

@Resolver(() => StreamSession)
export class SessionScreenshotsResolver {
  constructor(private readonly services: ReadModelServices) {}

  @FieldResolver(() => Screenshot, { nullable: true, description: 'The last screenshot taken of this session; null when none.' })
  latestScreenshot(@Root() session: StreamSession): Screenshot | null {
    const row = this.services.screenshots.latestOfSession(session.sequence);
    return row === null ? null : Screenshot.fromRow(row);
  }

  @FieldResolver(() => ScreenshotConnection, { description: 'The screenshots of this session, newest first.' })
  screenshots(@Root() session: StreamSession, @Args() { first, after }: PageArgs): InstanceType<typeof ScreenshotConnection> {
    const page = withCursor(() => this.services.screenshots.ofSession(session.sequence, first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return ScreenshotConnection.from(page, Screenshot.fromRow);
  }
}
