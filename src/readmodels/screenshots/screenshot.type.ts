// Screenshot: one picture CSS took of a stream (event_type 200), as the screenshots read model holds it.
import { Field, Float, Int, ObjectType } from 'type-graphql';
import { dateOrNull } from '../../graphql/dates';
import type { ScreenshotRow } from './screenshots.table';

@ObjectType({ simpleResolvers: true, description: 'A screenshot CSS stored of a stream.' })
export class Screenshot {
  @Field()
  streamId!: string;

  @Field(() => Date, { nullable: true })
  takenAt!: Date | null;

  @Field(() => String, { nullable: true, description: 'Where to download it (pic_full_url).' })
  url!: string | null;

  @Field(() => Int, { nullable: true })
  width!: number | null;

  @Field(() => Int, { nullable: true })
  height!: number | null;

  @Field(() => Float, { nullable: true })
  fileSizeBytes!: number | null;

  static fromRow(row: ScreenshotRow): Screenshot {
    return Object.assign(new Screenshot(), {
      streamId: row.streamId,
      takenAt: dateOrNull(row.takenAt),
      url: row.url,
      width: row.width,
      height: row.height,
      fileSizeBytes: row.fileSizeBytes,
    });
  }
}
