// Arguments checked against their class-validator decorators, the filters' limits included, when querying and when subscribing.
import { ValidateNested, validateSync, type ValidatorOptions } from 'class-validator';
import { ArgsType, ArgumentValidationError, Field } from 'type-graphql';

/** What type-graphql's own class-validator call would use with `validate: { forbidUnknownValues: false }`. */
const VALIDATOR_OPTIONS: ValidatorOptions = { skipMissingProperties: true, forbidUnknownValues: false };

/**
 * Arguments checked against their class-validator decorators as type-graphql would, but synchronously:
 * its own path loads class-validator through require() and awaits a validation on every request.
 */
export function validateArguments(value: unknown): void {
  for (const item of Array.isArray(value) ? value : [value]) {
    if (item === null || typeof item !== 'object') continue;
    const failures = validateSync(item as object, VALIDATOR_OPTIONS);
    if (failures.length > 0) throw new ArgumentValidationError(failures);
  }
}

type ClassOf<T> = new () => T;

/** A `filter` argument, validated in depth: its failures are named `filter.<field>`. */
export function FilterArgs<Filter extends object>(FilterType: ClassOf<Filter>) {
  @ArgsType()
  class FilterArgsType {
    @Field(() => FilterType, { nullable: true })
    @ValidateNested()
    filter?: Filter | null;
  }
  return FilterArgsType;
}

/**
 * How a subscription's resolver declares its arguments (`@Args(() => Args, CHECKED_ON_SUBSCRIBE)`): `filterCheck` checked
 * them when the client subscribed and they do not change, so type-graphql does not check them again with each event.
 */
export const CHECKED_ON_SUBSCRIBE = { validateFn: (): void => undefined } as const;

/**
 * The check of a subscription's `filter` when the client subscribes. type-graphql checks a subscription's
 * arguments with each event only, so a filter over its limits would otherwise be taken and fail later.
 */
export function filterCheck<Filter extends object>(Args: ClassOf<{ filter?: Filter | null }>, FilterType: ClassOf<Filter>) {
  return ({ filter }: { filter?: Filter | null }): void =>
    validateArguments(Object.assign(new Args(), { filter: filter == null ? filter : Object.assign(new FilterType(), filter) }));
}
