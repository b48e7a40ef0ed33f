// ModerationHit: one suspicious frame (event_type 317) or stretch of sound (315), as the moderation read model holds it.
import { Field, Float, ObjectType, registerEnumType } from 'type-graphql';
import { dateOrNull } from '../../graphql/dates';
import type { ModerationHitRow } from './moderation.table';

export enum ModerationSuggestion {
  BLOCK = 'BLOCK',
  REVIEW = 'REVIEW',
  PASS = 'PASS',
}
registerEnumType(ModerationSuggestion, { name: 'ModerationSuggestion', description: "CSS's verdict: Block, Review or Pass." });

export enum ModerationKind {
  IMAGE = 'IMAGE',
  AUDIO = 'AUDIO',
}
registerEnumType(ModerationKind, { name: 'ModerationKind', description: 'IMAGE: a screenshot (event_type 317); AUDIO: speech (315).' });

@ObjectType({ simpleResolvers: true, description: 'What CSS moderation found suspicious in a stream, tied to the push session it was taken from when one matches.' })
export class ModerationHit {
  @Field(() => ModerationKind)
  kind!: ModerationKind;

  @Field()
  streamId!: string;

  @Field(() => Date, { nullable: true, description: 'When the picture or sound was taken, else when CSS sent the hit.' })
  at!: Date | null;

  @Field(() => ModerationSuggestion, { nullable: true, description: 'Null when CSS sent none, or one it does not document.' })
  suggestion!: ModerationSuggestion | null;

  @Field(() => String, { nullable: true, description: 'The label of highest priority, e.g. Porn, Ad.' })
  label!: string | null;

  @Field(() => String, { nullable: true })
  subLabel!: string | null;

  @Field(() => Float, { nullable: true, description: '0-100: the highest score of the hit.' })
  score!: number | null;

  @Field(() => String, { nullable: true, description: 'The moderated picture (IMAGE).' })
  imageUrl!: string | null;

  @Field(() => String, { nullable: true, description: 'The transcribed speech (AUDIO), or the text read from the picture (IMAGE).' })
  text!: string | null;

  /** Resolved by `session` and `event`. */
  sequence!: string | null;
  position!: bigint;

  static fromRow(row: ModerationHitRow): ModerationHit {
    return Object.assign(new ModerationHit(), {
      kind: row.kind as ModerationKind,
      streamId: row.streamId,
      at: dateOrNull(row.at),
      suggestion: row.suggestion as ModerationSuggestion | null,
      label: row.label,
      subLabel: row.subLabel,
      score: row.score,
      imageUrl: row.imageUrl,
      text: row.text,
      sequence: row.sequence,
      position: row.position,
    });
  }
}
