import {
  OperationNodeTransformer,
  type KyselyPlugin,
  type PluginTransformQueryArgs,
  type PluginTransformResultArgs,
  type PrimitiveValueListNode,
  type QueryResult,
  type RootOperationNode,
  type UnknownRow,
  type ValueNode,
} from 'kysely';

const REPLACEMENT = '\ufffd';

function clean(value: unknown): unknown {
  return typeof value === 'string' && value.includes('\0') ? value.replaceAll('\0', REPLACEMENT) : value;
}

class NulSafeTransformer extends OperationNodeTransformer {
  protected override transformValue(node: ValueNode): ValueNode {
    const value = clean(node.value);
    return value === node.value ? node : { ...node, value };
  }

  protected override transformPrimitiveValueList(node: PrimitiveValueListNode): PrimitiveValueListNode {
    return node.values.some((value) => typeof value === 'string' && value.includes('\0')) ? { ...node, values: node.values.map(clean) } : node;
  }
}

/**
 * PostgreSQL (and PGlite) text cannot hold NUL: "invalid byte sequence for encoding
 * UTF8: 0x00". Telegram delivers it, so an owner's "evil\0" would fail every write
 * that quotes it (a conversation turn, a memory, a task title). Every string bound
 * as a parameter has NUL replaced by U+FFFD, the one lossy step, and the only one:
 * the inbox keeps the update itself as escaped JSON text, exactly.
 */
export class NulSafePlugin implements KyselyPlugin {
  readonly #transformer = new NulSafeTransformer();

  transformQuery(args: PluginTransformQueryArgs): RootOperationNode {
    return this.#transformer.transformNode(args.node);
  }

  transformResult(args: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return Promise.resolve(args.result);
  }
}
