// The activity chart's data: push and interruption callbacks per minute.
import { IsOptional, Max, Min } from 'class-validator';
import { Args, ArgsType, Field, Int, Query, Resolver } from 'type-graphql';
import type { ReadModelServices } from '../services';
import { MAX_ACTIVITY_MINUTES } from './callbackActivity.queries';
import { CallbackActivity } from './callbackActivity.type';

@ArgsType()
class CallbackActivityArgs {
  @Field(() => Int, { nullable: true, defaultValue: 60, description: `How many minutes back, the current one included: 1 to ${MAX_ACTIVITY_MINUTES}.` })
  @IsOptional()
  @Min(1)
  @Max(MAX_ACTIVITY_MINUTES)
  minutes?: number | null;
}

@Resolver(() => CallbackActivity)
export class CallbackActivityResolver {
  constructor(private readonly services: ReadModelServices) {}

  @Query(() => CallbackActivity, { description: 'Push and interruption callbacks received per minute over the last `minutes` minutes.' })
  callbackActivity(@Args() { minutes }: CallbackActivityArgs): CallbackActivity {
    return CallbackActivity.fromRow(this.services.callbackLog.perMinute(minutes ?? 60));
  }
}
