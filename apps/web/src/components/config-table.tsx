import { Fragment } from "react";

/** Leaf paths of a JSON value: {a: {b: 1}} -> [["a.b", 1]]; arrays stay whole (they read as one value). */
export function flattenConfig(value: unknown, prefix = ""): [string, unknown][] {
  if (value === null || typeof value !== "object" || Array.isArray(value)) return [[prefix, value]];
  const entries = Object.entries(value as Record<string, unknown>);
  if (entries.length === 0) return [[prefix, value]];
  return entries.flatMap(([key, v]) => flattenConfig(v, prefix ? `${prefix}.${key}` : key));
}

export function formatConfigValue(value: unknown): string {
  if (value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

/** The experiment config as a two-column table grouped by its top-level sections. */
export function ConfigTable({ config }: { config: unknown }) {
  const rows = flattenConfig(config);
  const groups = new Map<string, [string, unknown][]>();
  for (const [path, value] of rows) {
    const dot = path.indexOf(".");
    const group = dot < 0 ? "" : path.slice(0, dot);
    groups.set(group, [...(groups.get(group) ?? []), [dot < 0 ? path : path.slice(dot + 1), value]]);
  }
  return (
    <div className="table-scroll">
      <table className="kv" data-testid="config-table">
        <tbody>
          {[...groups].map(([group, entries]) => (
            <Fragment key={group}>
              {group && (
                <tr>
                  <td colSpan={2} className="config-group">
                    {group}
                  </td>
                </tr>
              )}
              {entries.map(([key, value]) => (
                <tr key={key} data-testid="config-row" data-path={group ? `${group}.${key}` : key}>
                  <th className="config-key">{key}</th>
                  <td className="diff-cell">{formatConfigValue(value)}</td>
                </tr>
              ))}
            </Fragment>
          ))}
        </tbody>
      </table>
    </div>
  );
}
