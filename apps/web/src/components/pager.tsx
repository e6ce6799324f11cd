import Link from "next/link";
import { hrefWith, type SearchParams } from "../links.ts";

/** Previous / next links and the range shown, e.g. "51–100 of 10,000". */
export function Pager({
  path,
  params,
  list: { page, pageSize, total },
  noun,
}: {
  path: string;
  params: SearchParams;
  /** The page shown, as list queries return it. */
  list: { page: number; pageSize: number; total: number };
  noun: string;
}) {
  const pages = Math.max(1, Math.ceil(total / pageSize));
  const from = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const to = Math.min(total, page * pageSize);
  return (
    <nav className="pager" aria-label="Pages" data-testid="pager">
      <Link
        href={hrefWith(path, params, { page: page - 1 })}
        className={page <= 1 ? "button disabled" : "button"}
        aria-disabled={page <= 1}
        data-testid="pager-prev"
      >
        ← Previous
      </Link>
      <span data-testid="pager-range">
        {from.toLocaleString("en-US")}–{to.toLocaleString("en-US")} of{" "}
        <span data-testid="pager-total">{total.toLocaleString("en-US")}</span> {noun}
      </span>
      <span className="muted">
        page {page} of {pages}
      </span>
      <Link
        href={hrefWith(path, params, { page: page + 1 })}
        className={page >= pages ? "button disabled" : "button"}
        aria-disabled={page >= pages}
        data-testid="pager-next"
      >
        Next →
      </Link>
    </nav>
  );
}
