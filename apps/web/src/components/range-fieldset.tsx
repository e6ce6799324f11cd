/** One end of a range: the name it submits under, its accessible label and its test id. */
interface RangeEnd {
  name: string;
  label: string;
  defaultValue: string | undefined;
  placeholder?: string;
  testId: string;
}

/**
 * A filter form's fieldset of two inputs bounding a range ("from – to"), each submitting under its own
 * name; `limits` (min, max, step) apply to both ends.
 */
export function RangeFieldset({
  legend,
  type,
  limits,
  from,
  to,
}: {
  legend: string;
  type: "date" | "number";
  limits?: { min: number; max: number; step: string };
  from: RangeEnd;
  to: RangeEnd;
}) {
  const input = (end: RangeEnd) => (
    <input
      type={type}
      name={end.name}
      {...limits}
      aria-label={end.label}
      placeholder={end.placeholder}
      defaultValue={end.defaultValue}
      data-testid={end.testId}
    />
  );
  return (
    <fieldset>
      <legend>{legend}</legend>
      <div className="range">
        {input(from)}–{input(to)}
      </div>
    </fieldset>
  );
}
