import type { RouterOutputs } from "@cxrlab/api";
import Link from "next/link";
import { accountName, dateTime } from "../../../src/format.ts";

type Promotion = RouterOutputs["runs"]["promotions"][number];

/** Which runs' models the project made its default, when and by whom, newest (the current one) first. */
export function PromotionHistory({ runId, promotions }: { runId: number; promotions: Promotion[] }) {
  if (promotions.length === 0) return null;
  return (
    <section aria-labelledby="promotions-heading" data-testid="promotion-history">
      <h2 id="promotions-heading">Promotion history</h2>
      <div className="table-scroll">
        <table>
          <thead>
            <tr>
              <th>When</th>
              <th>Promoted by</th>
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {promotions.map((p) => (
              <tr
                key={p.id}
                className={p.current ? "current" : undefined}
                data-testid="promotion-row"
                data-current={p.current}
              >
                <td>
                  <time dateTime={new Date(p.createdAt).toISOString()}>{dateTime(p.createdAt)}</time>
                </td>
                <td data-testid="promotion-by" title={p.promotedBy?.email}>
                  {accountName(p.promotedBy)}
                </td>
                <td>
                  <Link href={`/runs/${p.runId}`} data-testid="promotion-run">
                    #{p.runId} {p.runName}
                  </Link>
                  {p.runId === runId && <span className="muted"> (this run)</span>}
                  {p.current && <span className="status status-default">current default</span>}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </section>
  );
}
