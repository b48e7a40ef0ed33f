// Relay-style connections: edges with opaque cursors, nodes, pageInfo and a totalCount computed on demand.
import { ArgsType, Ctx, Field, Int, ObjectType } from 'type-graphql';
import { IsOptional, IsString, Max, Min } from 'class-validator';
import { DEFAULT_PAGE_SIZE, MAX_PAGE_SIZE, type Page } from '../processing/pagination';
import type { TurnsContext } from './eventLoopTurns';

/** The Relay specification's page info: a page's first and last cursors and whether rows lie beyond either end. */
@ObjectType({ simpleResolvers: true })
export class PageInfo {
  private page!: Page<unknown>;

  @Field()
  hasNextPage!: boolean;

  @Field(() => String, { nullable: true, description: 'The cursor of the first row of the page; null when it is empty.' })
  startCursor!: string | null;

  @Field(() => String, { nullable: true, description: 'The cursor of the last row of the page; null when it is empty.' })
  endCursor!: string | null;

  // A query of its own, so only when asked for.
  @Field({ description: 'Whether rows come before this page: false on a first page (no `after`).' })
  hasPreviousPage(): boolean {
    return this.page.hasPreviousPage();
  }

  static of(page: Page<unknown>): PageInfo {
    return Object.assign(new PageInfo(), { page, hasNextPage: page.hasNextPage, startCursor: page.startCursor, endCursor: page.endCursor });
  }
}

@ArgsType()
export class PageArgs {
  @Field(() => Int, {
    nullable: true,
    defaultValue: DEFAULT_PAGE_SIZE,
    description: `How many to return: 0 to ${MAX_PAGE_SIZE} (0: no rows, for totalCount and pageInfo alone).`,
  })
  @IsOptional()
  @Min(0)
  @Max(MAX_PAGE_SIZE)
  first?: number | null;

  @Field(() => String, { nullable: true, description: 'The endCursor of the previous page.' })
  @IsOptional()
  @IsString()
  after?: string | null;
}

type ClassOf<T> = new (...args: never[]) => T;

/** The connection type of a node type, named `<Node>Connection` with edges `<Node>Edge`. */
export function Connection<Node extends object>(NodeType: ClassOf<Node>, name: string) {
  @ObjectType(`${name}Edge`, { simpleResolvers: true })
  class Edge {
    @Field()
    cursor!: string;

    @Field(() => NodeType)
    node!: Node;
  }

  @ObjectType(`${name}Connection`, { simpleResolvers: true })
  class NodeConnection {
    @Field(() => [NodeType])
    nodes!: Node[];

    @Field(() => PageInfo)
    pageInfo!: PageInfo;

    private page!: Page<unknown>;

    // Edges, and so a cursor per row, only for the queries that ask for them.
    @Field(() => [Edge])
    edges(): Edge[] {
      return this.page.edges.map(({ cursor }, i) => ({ cursor, node: this.nodes[i]! }));
    }

    // Counted in this turn, or in one of its own once this turn's counts took their share (see EventLoopTurns.soon).
    @Field(() => Int, { description: 'How many match the filter in all, whatever the page.' })
    totalCount(@Ctx() context: TurnsContext | undefined): number | Promise<number> {
      const turns = context?.turns;
      return turns === undefined ? this.page.totalCount() : turns.soon(() => this.page.totalCount());
    }

    static from<Row>(page: Page<Row>, toNode: (row: Row) => Node): NodeConnection {
      const connection = new NodeConnection();
      connection.nodes = page.edges.map((edge) => toNode(edge.row));
      connection.pageInfo = PageInfo.of(page);
      connection.page = page;
      return connection;
    }
  }
  return NodeConnection;
}
