import { type AttributeProto, AttributeType, DataType, type NodeProto, type TensorProto } from "./proto.ts";

/** Constants are kept as typed arrays until `initializers()`, so BatchNormalization folding can rewrite them. */
interface Constant {
  name: string;
  dims: number[];
  data: Float32Array | BigInt64Array;
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

  int64s(base: string, values: number[]): string {
    const name = this.unique(base);
    this.constants.push({ name, dims: [values.length], data: BigInt64Array.from(values, BigInt) });
    return name;
  }

  /** Adds a node with one output (named after `name`) and returns it. */
  node(opType: string, inputs: string[], name: string, attribute: AttributeProto[] = []): NodeProto {
    const node: NodeProto = {
      op_type: opType,
      input: inputs,
      output: [this.unique(name)],
      name: this.unique(`${name}:${opType}`),
      attribute,
    };
    this.nodes.push(node);
    return node;
  }

  initializers(): TensorProto[] {
    return this.constants.map((c) => ({
      name: c.name,
      dims: c.dims,
      data_type: c.data instanceof Float32Array ? DataType.FLOAT : DataType.INT64,
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
