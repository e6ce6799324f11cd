import { colormap } from "@cxrlab/core/plots/colormap";

/**
 * The confusion matrix as an HTML heatmap (rows true, columns predicted), coloured with the same
 * Blues map as core's SVG; each cell gives its count and its share of the row.
 */
export function ConfusionHeatmap({ matrix, classNames }: { matrix: number[][]; classNames: string[] }) {
  const max = Math.max(1, ...matrix.flat());
  return (
    <div className="table-scroll" style={{ border: 0 }}>
      <table className="heatmap" data-testid="confusion-matrix">
        <thead>
          <tr>
            <th className="axis">
              true ↓<br />
              pred →
            </th>
            {classNames.map((name) => (
              <th key={name} scope="col">
                {name}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {matrix.map((row, i) => {
            const total = row.reduce((a, b) => a + b, 0);
            return (
              <tr key={classNames[i]}>
                <th scope="row">{classNames[i]}</th>
                {row.map((count, j) => {
                  const t = count / max;
                  return (
                    <td
                      key={classNames[j]}
                      style={{ background: colormap(t), color: t > 0.5 ? "#fff" : "#1a1a1a" }}
                      data-testid="confusion-cell"
                      data-row={i}
                      data-col={j}
                      data-count={count}
                      title={`true ${classNames[i]}, predicted ${classNames[j]}: ${count}`}
                    >
                      {count}
                      {total > 0 && <small>{((100 * count) / total).toFixed(1)}%</small>}
                    </td>
                  );
                })}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
