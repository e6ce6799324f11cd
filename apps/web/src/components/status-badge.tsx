export function StatusBadge({ status }: { status: string }) {
  return (
    <span className={`status status-${status}`} data-testid="run-status">
      {status}
    </span>
  );
}
