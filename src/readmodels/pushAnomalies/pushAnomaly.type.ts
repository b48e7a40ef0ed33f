// PushAnomaly: one entry of a push anomaly report (event_type 321), with what its type means.
import { Field, Int, ObjectType } from 'type-graphql';
import type { PushAnomalyRow } from './pushAnomalies.table';

@ObjectType({ simpleResolvers: true, description: 'Something wrong with a push during one reporting interval (event_type 321).' })
export class PushAnomaly {
  @Field(() => Int, { description: 'The anomaly type, 1-16; 0 when the report gave none.' })
  type!: number;

  @Field({ description: 'What the type means: "video frames arrived late (over 3 s apart)".' })
  description!: string;

  @Field(() => Int, { nullable: true, description: 'How often it happened within the reporting interval.' })
  count!: number | null;

  @Field(() => Date, { nullable: true, description: 'Its first occurrence; the report time when CSS listed none.' })
  at!: Date | null;

  /** Where its report is in the log. */
  position!: bigint;

  static fromRow(row: PushAnomalyRow): PushAnomaly {
    return Object.assign(new PushAnomaly(), { type: row.type, description: row.description, count: row.count, at: new Date(row.at), position: row.position });
  }
}
