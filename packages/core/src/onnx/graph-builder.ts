import { type AttributeProto, AttributeType, DataType, type NodeProto, type TensorProto } from "./proto.ts";

/** Constants are kept as typed arrays until `initializers()`, so BatchNormalization folding can rewrite them. */
export type ConstantData = Float32Array | BigInt64Array | Int32Array | Int8Array | Uint8Array;

interface Constant {
  name: string;
  dims: number[];
  data: ConstantData;
}

function dataTypeOf(data: ConstantData): number {
  if (data instanceof Float32Array) return DataType.FLOAT;
  if (data instanceof BigInt64Array) return DataType.INT64;
  if (data instanceof Int32Array) return DataType.INT32;
  if (data instanceof Int8Array) return DataType.INT8;
  return DataType.UINT8;
}

/** Collects ONNX nodes and constant tensors under unique names. */
export class GraphBuilder {
  readonly nodes: NodeProto[] = [];
  private readonly constants: Constant[] = [];
  private readonly names = new Set<string>();

  /** `base`, or `base_1`, `base_2`, ... if taken. */
  unique(base: string): string {
    let name = base;
    for (let i = 1; this.names.has(name); i++) name = `${base}_${i}`;
    this.names.add(name);
    return name;
  }

  floats(base: string, dims: number[], data: Float32Array): string {
    const name = this.unique(base);
    this.constants.push({ name, dims, data });
    return name;
  }

  /** A constant of any supported element type (dims [] for a scalar). */
  tensor(base: string, dims: number[], data: ConstantData): string {
    const name = this.unique(base);
    this.constants.push({ name, dims, data });
    return name;
  }

  /** The constant called `name`, if there is one (its data may be rewritten in place). */
  constant(name: string): { dims: number[]; data: ConstantData } | undefined {
    return this.constants.find((c) => c.name === name);
  }

  /** Drops the constant called `name` (once nothing reads it any more). */
  dropConstant(name: string): void {
    const i = this.constants.findIndex((c) => c.name === name);
    if (i >= 0) this.constants.splice(i, 1);
  }

  int64s(base: string, values: number[]): string {
    const name = this.unique(base);
    this.constants.push({ name, dims: [values.length], data: BigInt64Array.from(values, BigInt) });
    return name;
  }

  /** Adds a node with one output (named after `name`) and returns it. */
  node(opType: string, inputs: string[], name: string, attribute: AttributeProto[] = []): NodeProto {
    const node = this.detachedNode(opType, inputs, name, attribute);
    this.nodes.push(node);
    return node;
  }

  /** A node with unique names like `node`'s, which the caller places in `nodes` itself. */
  detachedNode(opType: string, inputs: string[], name: string, attribute: AttributeProto[] = []): NodeProto {
    return {
      op_type: opType,
      input: inputs,
      output: [this.unique(name)],
      name: this.unique(`${name}:${opType}`),
      attribute,
    };
  }

  initializers(): TensorProto[] {
    return this.constants.map((c) => ({
      name: c.name,
      dims: c.dims,
      data_type: dataTypeOf(c.data),
      // ONNX raw_data is little-endian, as typed arrays are on every platform Node runs on here.
      raw_data: new Uint8Array(c.data.buffer, c.data.byteOffset, c.data.byteLength),
    }));
  }
}

export const attr = {
  int: (name: string, i: number): AttributeProto => ({ name, type: AttributeType.INT, i }),
  ints: (name: string, ints: number[]): AttributeProto => ({ name, type: AttributeType.INTS, ints }),
  float: (name: string, f: number): AttributeProto => ({ name, type: AttributeType.FLOAT, f }),
};
