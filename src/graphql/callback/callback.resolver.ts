// The raw audit log of callbacks, and exits still waiting for their task.
import { ValidateNested } from 'class-validator';
import { Args, ArgsType, Field, Query, Resolver, Root, Subscription } from 'type-graphql';
import type { CallbackLogEntry } from '../../readmodel/callbackQueries';
import { Connection, PageArgs } from '../connection';
import { withCursor } from '../errors';
import { DEFAULT_PAGE_SIZE } from '../../readmodel/pagination';
import { FilterArgs, filterCheck } from '../argumentValidation';
import type { GraphqlServices } from '../services';
import { followTopic, Topic } from '../topics';
import { CallbackEvent } from './callbackEvent.type';
import { CallbackFilter, matchesCallbackFilter } from './callbackFilter.input';

export const CallbackEventConnection = Connection(CallbackEvent, 'CallbackEvent');

@ArgsType()
class CallbacksArgs extends PageArgs {
  @Field(() => CallbackFilter, { nullable: true })
  @ValidateNested()
  filter?: CallbackFilter | null;
}

const CallbackReceivedArgs = FilterArgs(CallbackFilter);

@Resolver(() => CallbackEvent)
export class CallbackResolver {
  constructor(private readonly services: GraphqlServices) {}

  @Query(() => CallbackEventConnection, { description: 'Every stored callback, newest first, with its body exactly as received.' })
  callbacks(@Args() { filter, first, after }: CallbacksArgs): InstanceType<typeof CallbackEventConnection> {
    const listFilter = { ...(filter?.type == null ? {} : { type: filter.type }), ...(filter?.stream == null ? {} : { stream: filter.stream }) };
    const page = withCursor(() => this.services.callbacks.list(listFilter, first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return CallbackEventConnection.from(page, CallbackEvent.fromEntry);
  }

  @Query(() => CallbackEventConnection, { description: 'TaskExits without task_id that no task claims (yet), newest first.' })
  unmatchedRelayExits(@Args() { first, after }: PageArgs): InstanceType<typeof CallbackEventConnection> {
    const page = withCursor(() => this.services.callbacks.unmatchedRelayExits(first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return CallbackEventConnection.from(page, CallbackEvent.fromEntry);
  }

  @Subscription(() => CallbackEvent, {
    subscribe: followTopic(Topic.CallbackReceived, (args: { filter?: CallbackFilter | null }) => (entry) => matchesCallbackFilter(entry, args.filter), filterCheck(CallbackReceivedArgs, CallbackFilter)),
    description: 'Every callback that matches the filter, once it is in the read models.',
  })
  callbackReceived(@Root() entry: CallbackLogEntry, @Args(() => CallbackReceivedArgs) _args: InstanceType<typeof CallbackReceivedArgs>): CallbackEvent {
    return CallbackEvent.fromEntry(entry);
  }
}
