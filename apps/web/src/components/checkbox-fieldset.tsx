/**
 * A filter form's fieldset of checkboxes that submit under one name, e.g. `status=done&status=failed`;
 * tests find it as `filter-<name>`, like the form's other fields.
 */
export function CheckboxFieldset({
  legend,
  name,
  options,
  checked,
}: {
  legend: string;
  name: string;
  options: readonly string[];
  /** The options ticked when the form is rendered. */
  checked: readonly string[];
}) {
  return (
    <fieldset data-testid={`filter-${name}`}>
      <legend>{legend}</legend>
      <div className="checks">
        {options.map((option) => (
          <label key={option}>
            <input type="checkbox" name={name} value={option} defaultChecked={checked.includes(option)} />
            {option}
          </label>
        ))}
      </div>
    </fieldset>
  );
}
