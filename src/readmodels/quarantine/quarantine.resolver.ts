// The quarantine listing: authentic callbacks with an expired signature, newest first, promoted or not.
import { Args, Query, Resolver } from 'type-graphql';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import type { ReadModelServices } from '../services';
import { QuarantinedCallback } from './quarantinedCallback.type';

export const QuarantinedCallbackConnection = Connection(QuarantinedCallback, 'QuarantinedCallback');

@Resolver(() => QuarantinedCallback)
export class QuarantineResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => QuarantinedCallbackConnection, {
    description: 'Authentic callbacks whose signature had expired, newest first; `node dist/cli.js promote <id>` puts one into the log.',
  })
  quarantinedCallbacks(@Args() { first, after }: PageArgs): InstanceType<typeof QuarantinedCallbackConnection> {
    const page = withCursor(() => this.services.quarantine.list(first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return QuarantinedCallbackConnection.from(page, QuarantinedCallback.fromEntry);
  }
}
