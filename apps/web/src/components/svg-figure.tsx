/**
 * An SVG figure built by core's plot functions (the same drawings the CLI writes to run folders),
 * inlined so that it scales with the page. The markup comes from our own builders, which escape
 * every text they place, never from user HTML. A builder that rejects its data (say, a run without
 * any finite value) leaves a message in place of the figure instead of failing the page.
 */
export function SvgFigure({
  build,
  testId,
  label,
  wide = false,
}: {
  build: () => string;
  testId: string;
  label: string;
  /** A wide chart scrolls sideways on narrow screens rather than shrinking past legibility. */
  wide?: boolean;
}) {
  let svg: string;
  try {
    svg = build();
  } catch (error) {
    return (
      <p className="muted" data-testid={`${testId}-unavailable`}>
        {label}: cannot draw ({(error as Error).message}).
      </p>
    );
  }
  return (
    <figure
      className={wide ? "figure wide" : "figure"}
      data-testid={testId}
      role="img"
      aria-label={label}
      style={{ margin: 0 }}
      // biome-ignore lint/security/noDangerouslySetInnerHtml: SVG from core's escaping plot builders
      dangerouslySetInnerHTML={{ __html: svg }}
    />
  );
}
