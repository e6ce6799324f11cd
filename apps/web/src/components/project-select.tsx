/** A `<select>` of the projects the viewer may act in, first one chosen. */
export function ProjectSelect({
  name,
  projects,
  testId,
}: {
  name: string;
  projects: readonly { id: number; name: string }[];
  testId: string;
}) {
  return (
    <select name={name} defaultValue={projects[0]?.id} data-testid={testId}>
      {projects.map((p) => (
        <option key={p.id} value={p.id}>
          {p.name}
        </option>
      ))}
    </select>
  );
}
