/** A config path whose value differs between the compared runs, with each run's value (in run order). */
export interface ConfigDifference {
  path: string;
  values: unknown[];
}

/** Leaf values of a JSON object by dotted path; arrays are compared as whole values. */
function leaves(value: unknown, prefix: string, out: Map<string, unknown>): Map<string, unknown> {
  if (value !== null && typeof value === "object" && !Array.isArray(value)) {
    for (const [key, child] of Object.entries(value)) leaves(child, prefix ? `${prefix}.${key}` : key, out);
  } else {
    out.set(prefix, value);
  }
  return out;
}

/** The config paths whose values are not all equal (a path missing from a config counts as undefined). */
export function configDiff(configs: readonly unknown[]): ConfigDifference[] {
  const flat = configs.map((c) => leaves(c, "", new Map()));
  const paths = [...new Set(flat.flatMap((f) => [...f.keys()]))].sort();
  return paths.flatMap((path) => {
    const values = flat.map((f) => f.get(path));
    const first = JSON.stringify(values[0]);
    return values.some((v) => JSON.stringify(v) !== first) ? [{ path, values }] : [];
  });
}
