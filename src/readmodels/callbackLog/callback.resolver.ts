// The raw audit log of callbacks, queried and followed.
import { ValidateNested } from 'class-validator';
import { Args, ArgsType, Field, Query, Resolver, Root, Subscription } from 'type-graphql';
import { CHECKED_ON_SUBSCRIBE, FilterArgs, filterCheck } from '../../graphql/argumentValidation';
import { Connection, PageArgs } from '../../graphql/connection';
import { withCursor } from '../../graphql/errors';
import { followTopic, topic } from '../../graphql/topics';
import { DEFAULT_PAGE_SIZE } from '../../processing/pagination';
import type { ReadModelServices } from '../services';
import type { CallbackLogEntry } from './callbackLog.table';
import { CallbackEvent } from './callbackEvent.type';
import { CallbackFilter, matchesCallbackFilter } from './callbackFilter.input';

export const CallbackEventConnection = Connection(CallbackEvent, 'CallbackEvent');

/** Each callback, once it is in the callback log. */
export const CallbackReceived = topic<CallbackLogEntry>('CALLBACK_RECEIVED');

@ArgsType()
class CallbacksArgs extends PageArgs {
  @Field(() => CallbackFilter, { nullable: true })
  @ValidateNested()
  filter?: CallbackFilter | null;
}

const CallbackReceivedArgs = FilterArgs(CallbackFilter);

@Resolver(() => CallbackEvent)
export class CallbackResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => CallbackEventConnection, { description: 'Every stored callback, newest first, with its body exactly as received.' })
  callbacks(@Args() { filter, first, after }: CallbacksArgs): InstanceType<typeof CallbackEventConnection> {
    const listFilter = { ...(filter?.type == null ? {} : { type: filter.type }), ...(filter?.stream == null ? {} : { stream: filter.stream }) };
    const page = withCursor(() => this.services.callbackLog.list(listFilter, first ?? DEFAULT_PAGE_SIZE, after ?? null));
    return CallbackEventConnection.from(page, CallbackEvent.fromEntry);
  }

  @Subscription(() => CallbackEvent, {
    subscribe: followTopic(CallbackReceived, (args: { filter?: CallbackFilter | null }) => (entry) => matchesCallbackFilter(entry, args.filter), filterCheck(CallbackReceivedArgs, CallbackFilter)),
    description: 'Every callback that matches the filter, once it is in the read models.',
  })
  callbackReceived(@Root() entry: CallbackLogEntry, @Args(() => CallbackReceivedArgs, CHECKED_ON_SUBSCRIBE) _args: InstanceType<typeof CallbackReceivedArgs>): CallbackEvent {
    return CallbackEvent.fromEntry(entry);
  }
}
