import type { RouterOutputs } from "@cxrlab/api";
import { describeBootstrap, formatInterval } from "@cxrlab/core/metrics";
import { fixed, percent } from "../../src/format.ts";

type Paired = RouterOutputs["runs"]["compare"]["paired"];

/** Small p-values keep their magnitude (5.80e-9), others four decimals. */
const pValue = (p: number) => (p < 0.001 ? p.toExponential(2) : fixed(p, 4));

/** Each later run against the first on the test images both predicted: accuracy difference and McNemar. */
export function PairedTable({ firstId, paired }: { firstId: number; paired: Paired }) {
  const method = paired.flatMap((p) => ("comparison" in p ? [p.comparison] : []))[0];
  return (
    <>
      <p className="muted">
        On the test images both runs predicted (matched by image content): each run's accuracy minus run #
        {firstId}'s with its paired bootstrap interval, the images only one of the two gets right, and the
        exact McNemar p-value.
      </p>
      <div className="table-scroll">
        <table data-testid="compare-paired">
          <thead>
            <tr>
              <th>Run</th>
              <th className="num">Images</th>
              <th className="num">Accuracy</th>
              <th className="num">#{firstId} accuracy</th>
              <th className="num">Difference [95% CI]</th>
              <th className="num">Only this right</th>
              <th className="num">Only #{firstId} right</th>
              <th className="num">McNemar p</th>
            </tr>
          </thead>
          <tbody>
            {paired.map((p) =>
              "comparison" in p ? (
                <tr key={p.runId} data-testid="compare-paired-row" data-run-id={p.runId}>
                  <th scope="row">#{p.runId}</th>
                  <td className="num">{p.comparison.n}</td>
                  <td className="num">{percent(p.comparison.accuracyA)}</td>
                  <td className="num">{percent(p.comparison.accuracyB)}</td>
                  <td className="num nowrap">{formatInterval(p.comparison.difference)}</td>
                  <td className="num">{p.comparison.b}</td>
                  <td className="num">{p.comparison.c}</td>
                  <td className="num">{pValue(p.comparison.mcnemarP)}</td>
                </tr>
              ) : (
                <tr key={p.runId} data-testid="compare-paired-row" data-run-id={p.runId}>
                  <th scope="row">#{p.runId}</th>
                  <td colSpan={7} className="muted">
                    {p.refused}
                  </td>
                </tr>
              ),
            )}
          </tbody>
        </table>
      </div>
      {method && <p className="muted">{describeBootstrap(method)}</p>}
    </>
  );
}
