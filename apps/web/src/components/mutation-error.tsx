/** Why a change made from a page failed, beside the control that made it. */
export function MutationError({ error, testId }: { error: { message: string } | null; testId?: string }) {
  return error ? (
    <span className="field-error" role="alert" data-testid={testId}>
      {error.message}
    </span>
  ) : null;
}
