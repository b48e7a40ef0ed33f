// The quarantine listing: authentic callbacks with an expired signature, newest first, promoted or not.
import { Args, Query, Resolver } from 'type-graphql';
import { DEFAULT_PAGE_SIZE } from '../../readmodel/pagination';
import { Connection, PageArgs } from '../connection';
import { withCursor } from '../errors';
import type { GraphqlServices } from '../services';
import { QuarantinedCallback } from './quarantinedCallback.type';

export const QuarantinedCallbackConnection = Connection(QuarantinedCallback, 'QuarantinedCallback');

@Resolver(() => QuarantinedCallback)
export class QuarantineResolver {
  constructor(private readonly services: GraphqlServices) {}

  @Query(() => QuarantinedCallbackConnection, {
    description: 'Authentic callbacks whose signature had expired, newest first; `node dist/cli.js promote <id>` puts one into the log.',
  })
  quarantinedCallbacks(@Args() { first, after }: PageArgs): InstanceType<typeof QuarantinedCallbackConnection> {
    const page = withCursor(() => this.services.quarantine.list(first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return QuarantinedCallbackConnection.from(page, QuarantinedCallback.fromEntry);
  }
}
