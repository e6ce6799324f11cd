/** A filter form's labelled free-text search box, submitting under `name`. */
export function SearchField({
  label,
  name,
  defaultValue,
  placeholder,
  testId,
}: {
  label: string;
  name: string;
  defaultValue: string | undefined;
  placeholder: string;
  testId?: string;
}) {
  return (
    <label>
      {label}
      <input
        type="search"
        name={name}
        defaultValue={defaultValue}
        placeholder={placeholder}
        data-testid={testId}
      />
    </label>
  );
}
