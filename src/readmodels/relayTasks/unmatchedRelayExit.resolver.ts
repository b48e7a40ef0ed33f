// TaskExits without task_id that no task claims (yet), listed as the callbacks they are.
import { Args, Query, Resolver } from 'type-graphql';
import { PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import { CallbackEventConnection } from '../callbackLog/callback.resolver';
import { CallbackEvent } from '../callbackLog/callbackEvent.type';
import type { ReadModelServices } from '../services';

@Resolver(() => CallbackEvent)
export class UnmatchedRelayExitResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => CallbackEventConnection, { description: 'TaskExits without task_id that no task claims (yet), newest first.' })
  unmatchedRelayExits(@Args() { first, after }: PageArgs): InstanceType<typeof CallbackEventConnection> {
    const page = withCursor(() => this.services.relayTasks.unmatchedRelayExits(first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return CallbackEventConnection.from(page, CallbackEvent.fromEntry);
  }
}
