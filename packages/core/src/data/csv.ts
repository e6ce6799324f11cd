/**
 * Rows of a CSV text (RFC 4180: commas, double-quoted fields with "" escapes and line breaks,
 * CRLF or LF) as objects keyed by the header row's names; blank lines are skipped.
 * Throws naming `file` and the line of a row whose field count differs from the header's.
 */
export function parseCsv(text: string, file: string): Record<string, string>[] {
  const records = splitRecords(text.replace(/^\uFEFF/, ""));
  const header = records.shift();
  if (!header) return [];
  const names = header.fields.map((h) => h.trim());
  return records.map(({ fields, line }) => {
    if (fields.length !== names.length) {
      throw new Error(`${file}:${line}: ${fields.length} fields, the header has ${names.length}`);
    }
    return Object.fromEntries(names.map((name, i) => [name, fields[i]!.trim()]));
  });
}

function splitRecords(text: string): { fields: string[]; line: number }[] {
  const records: { fields: string[]; line: number }[] = [];
  let fields: string[] = [];
  let field = "";
  let quoted = false;
  let line = 1;
  let start = 1;
  const endRecord = () => {
    fields.push(field);
    if (fields.length > 1 || fields[0] !== "") records.push({ fields, line: start });
    fields = [];
    field = "";
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i]!;
    if (c === "\n") line++;
    if (quoted) {
      if (c === '"' && text[i + 1] === '"') {
        field += '"';
        i++;
      } else if (c === '"') quoted = false;
      else field += c;
    } else if (c === '"') quoted = true;
    else if (c === ",") {
      fields.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") continue;
      endRecord();
      start = line;
    } else field += c;
  }
  if (field !== "" || fields.length) endRecord();
  return records;
}
